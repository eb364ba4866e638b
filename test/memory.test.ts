/**
 * Memory behaviour of the wasm instance (one per process; vitest runs each test file in its own
 * worker, so the numbers below are this file's alone). wasm memory never shrinks, so the tests
 * run in order from the smallest footprint to the largest.
 *
 * 1. 10,000 create/forward/backward/dispose cycles leave `wasmMemoryBytes()` flat after a
 *    warm-up: zero growth is required (measured: exactly flat at 18 pages in every variant).
 *    Memory grows in 64 KiB pages; free space already at the top of the heap can absorb at most
 *    about one page, so a leak of ≥ 128 bytes in any one of the nine cycle kinds (each runs
 *    ~1,090 times after the warm-up: ≥ 139 KB) fails the test.
 * 2. Layers that are never disposed are freed by the FinalizationRegistry backstop. This needs a
 *    way to force garbage collection: vitest workers do not run with --expose-gc, but V8 accepts
 *    the flag at run time (v8.setFlagsFromString) and a fresh vm context then has `gc`. A full
 *    gc() collects the unreachable layers synchronously; the registry callbacks run in a later
 *    task, hence the awaited timer. If that trick is unavailable the test is skipped.
 * 3. Results are copies, so they survive wasm memory growth (which detaches every view of the
 *    old ArrayBuffer), and layers keep working bit-exactly across growth.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type Tensor, tensor, wasmMemoryBytes, WasmRnnError } from '../ts/index';
import { Rng } from './helpers/random';

const PAGE = 65536;

function bits(t: Tensor): Uint32Array {
  return new Uint32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
}

function tryGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('memory', () => {
  it('10,000 create/forward/backward/dispose cycles leave wasm memory flat', () => {
    const rng = new Rng(31337);
    const I = 4, H = 8, T = 5, B = 2;
    const x = rng.tensor([T, B, I]);
    const xbf = rng.tensor([B, T, I]);
    const dy = rng.tensor([T, B, H]);
    const dyBi = rng.tensor([T, B, 2 * H]);
    const dh = rng.tensor([1, B, H]);
    const dc = rng.tensor([1, B, H]);
    const h0 = rng.tensor([1, B, H]);
    const bad = rng.tensor([T, B, I + 1]);

    // Nine kinds of cycle, mixing cells, options and paths (inference only, stateDict round
    // trip, a rejected call) so that every allocation pattern repeats many times.
    const cycle = (i: number): void => {
      const seed = i;
      switch (i % 9) {
        case 0: {
          const l = new LSTM({ inputSize: I, hiddenSize: H, seed });
          l.forward(x, { h0, c0: h0, training: true });
          l.backward({ output: dy, hN: dh, cN: dc });
          l.dispose();
          return;
        }
        case 1: {
          const l = new GRU({ inputSize: I, hiddenSize: H, seed });
          l.forward(x, { h0, training: true });
          l.backward({ output: dy, hN: dh });
          l.dispose();
          return;
        }
        case 2: {
          const l = new RNN({ inputSize: I, hiddenSize: H, seed, nonlinearity: i % 2 ? 'relu' : 'tanh' });
          l.forward(x, { training: true });
          l.backward({ output: dy });
          l.dispose();
          return;
        }
        case 3: {
          const l = new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, batchFirst: true, seed });
          l.forward(xbf, { training: true });
          l.backward({ hN: tensor(new Float32Array(2 * B * H).fill(1), [2, B, H]) });
          l.dispose();
          return;
        }
        case 4: {
          const l = new GRU({ inputSize: I, hiddenSize: H, bidirectional: true, seed });
          l.forward(x, { training: true });
          l.backward({ output: dyBi });
          l.dispose();
          return;
        }
        case 5: {
          const l = new LSTM({ inputSize: I, hiddenSize: H, projSize: 3, numLayers: 2, seed });
          l.forward(x, { training: true });
          l.backward();
          l.dispose();
          return;
        }
        case 6: {
          // inference only, twice
          const l = new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, seed });
          l.forward(x);
          l.forward(x, { h0: tensor(new Float32Array(2 * B * H), [2, B, H]) });
          l.dispose();
          return;
        }
        case 7: {
          const a = new GRU({ inputSize: I, hiddenSize: H, seed });
          const b = new GRU({ inputSize: I, hiddenSize: H, seed: seed + 1 });
          b.loadStateDict(a.stateDict());
          b.forward(x, { training: true });
          b.backward({ output: dy });
          a.dispose();
          b.dispose();
          return;
        }
        case 8: {
          // rejected calls on the way
          const l = new LSTM({ inputSize: I, hiddenSize: H, seed });
          expect(() => l.forward(bad)).toThrow(WasmRnnError);
          l.forward(x, { training: true });
          expect(() => l.backward({ output: bad })).toThrow(WasmRnnError);
          l.backward({ output: dy });
          expect(() => l.backward({ output: dy })).toThrow(WasmRnnError);
          l.dispose();
          return;
        }
      }
    };

    const WARMUP = 200;
    const TOTAL = 10_000;
    const t0 = performance.now();
    for (let i = 0; i < WARMUP; i++) cycle(i);
    const afterWarmup = wasmMemoryBytes();
    const samples: number[] = [];
    for (let i = WARMUP; i < TOTAL; i++) {
      cycle(i);
      if (i % 1000 === 0) samples.push(wasmMemoryBytes());
    }
    const end = wasmMemoryBytes();
    const ms = performance.now() - t0;
    console.log(`[memory ${process.env.WASM_RNN_VARIANT ?? ''}] ${TOTAL} cycles in ${ms.toFixed(0)} ms; wasm memory after warm-up ${afterWarmup} B, every 1000 cycles ${samples.join(', ')}, end ${end} B`);
    expect(afterWarmup % PAGE).toBe(0);
    expect(samples.every((m) => m === afterWarmup)).toBe(true);
    expect(end).toBe(afterWarmup);
  });

  const gc = tryGc();
  it.skipIf(gc === undefined)('layers that are never disposed are freed by the FinalizationRegistry backstop', async () => {
    // Each layer holds ~2.1 MB of wasm memory once it has run a forward (LSTM 128×128:
    // 4·128·(128+128+2) = 132,096 parameters × 4 floats each: values, gradients, two packed
    // copies), so a round of 10 is ~21 MB (measured: 20.3 MiB). Without the backstop 12 rounds would need ~250 MB; with it, memory stops growing
    // once the freed blocks are reused.
    const createGarbage = () => {
      const x = tensor(new Float32Array(128).fill(0.5), [1, 1, 128]);
      for (let i = 0; i < 10; i++) {
        const l = new LSTM({ inputSize: 128, hiddenSize: 128, seed: i });
        l.forward(x);
        // not disposed: only reachable until this iteration ends
      }
    };
    const collect = async () => {
      for (let k = 0; k < 3; k++) {
        gc!();
        await tick();
      }
    };
    const start = wasmMemoryBytes();
    const perRound: number[] = [];
    for (let round = 0; round < 12; round++) {
      createGarbage();
      await collect();
      perRound.push(wasmMemoryBytes() - start);
    }
    console.log(`[memory ${process.env.WASM_RNN_VARIANT ?? ''}] growth after each round of 10 undisposed LSTM(128,128): ${perRound.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')} MiB`);
    // Flat from round 3 on (rounds 1–2 may still grow while the allocator settles), and far
    // below what 12 leaked rounds would take.
    expect(perRound[11]).toBe(perRound[2]);
    expect(perRound[11]!).toBeLessThan(4 * 21 * 2 ** 20);

    // Control: the same layers kept reachable are NOT freed (so the measurement can tell the
    // difference): 60 live layers need 60 × 2.1 MB (measured 121 MiB), far more than the
    // plateau of the garbage rounds (one round, 20 MiB).
    const kept: LSTM[] = [];
    const x = tensor(new Float32Array(128).fill(0.5), [1, 1, 128]);
    for (let i = 0; i < 60; i++) {
      const l = new LSTM({ inputSize: 128, hiddenSize: 128, seed: i });
      l.forward(x); // the packed weight copies are made by the first forward
      kept.push(l);
    }
    await collect();
    expect(kept.every((l) => l.alive)).toBe(true);
    const keptGrowth = wasmMemoryBytes() - start;
    console.log(`[memory ${process.env.WASM_RNN_VARIANT ?? ''}] 60 kept layers: growth ${(keptGrowth / 2 ** 20).toFixed(1)} MiB`);
    expect(keptGrowth).toBeGreaterThan(60 * 1.5 * 2 ** 20);
    expect(keptGrowth).toBeGreaterThan(3 * perRound[11]!);
    for (const l of kept) l.dispose();
  });

  it('results are copies that survive wasm memory growth; layers stay bit-exact', () => {
    const rng = new Rng(4242);
    const small = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 9 });
    const x = rng.tensor([6, 2, 3]);
    const dy = rng.tensor([6, 2, 10]);
    const first = small.forward(x, { training: true });
    const snap = { output: bits(first.output), hN: bits(first.hN), cN: bits(first.cN) };
    const grads = small.backward({ output: dy });
    const gradSnap = { input: bits(grads.input), w: bits(grads.params.weight_hh_l1_reverse!) };
    const sd = small.stateDict();
    const sdSnap = bits(sd.weight_ih_l0!);
    // A training forward left pending across the growth.
    const pending = small.forward(x, { training: true });

    const before = wasmMemoryBytes();
    // An LSTM with inputSize 1024 and hiddenSize H ≥ 1024 holds 16 bytes per parameter
    // (values, gradients, two packed copies) = 64·H·(1024+H+2) bytes: ≥ 134 MB at H = 1024.
    // Earlier tests leave freed blocks behind, so H is chosen to need more than the whole
    // current memory plus 64 MiB: growth is then certain.
    let H = 1024;
    while (64 * H * (1024 + H + 2) < before + 64 * 2 ** 20) H += 128;
    const big = new LSTM({ inputSize: 1024, hiddenSize: H, seed: 1 });
    const bigOut = big.forward(rng.tensor([8, 4, 1024]));
    const after = wasmMemoryBytes();
    console.log(`[memory ${process.env.WASM_RNN_VARIANT ?? ''}] wasm memory grew ${before} → ${after} B for LSTM(1024, ${H})`);
    expect(after).toBeGreaterThan(before + 64 * 2 ** 20);
    expect(bigOut.output.shape).toEqual([8, 4, H]);
    expect(bigOut.output.data.every(Number.isFinite)).toBe(true);
    big.dispose();

    // Earlier results are intact, not detached views.
    for (const t of [first.output, first.hN, first.cN, grads.input, sd.weight_ih_l0!]) {
      expect(t.data.byteLength).toBeGreaterThan(0);
      expect(t.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    }
    expect(bits(first.output)).toEqual(snap.output);
    expect(bits(first.hN)).toEqual(snap.hN);
    expect(bits(first.cN)).toEqual(snap.cN);
    expect(bits(grads.input)).toEqual(gradSnap.input);
    expect(bits(grads.params.weight_hh_l1_reverse!)).toEqual(gradSnap.w);
    expect(bits(sd.weight_ih_l0!)).toEqual(sdSnap);
    expect(bits(pending.output)).toEqual(snap.output);

    // The pending backward still sees its activations, and everything is still bit-exact.
    const g2 = small.backward({ output: dy });
    expect(bits(g2.input)).toEqual(gradSnap.input);
    expect(bits(g2.params.weight_hh_l1_reverse!)).toEqual(gradSnap.w);
    const again = small.forward(x);
    expect(bits(again.output)).toEqual(snap.output);
    expect(bits(again.hN)).toEqual(snap.hN);
    expect(bits(again.cN)).toEqual(snap.cN);
    expect(bits(small.stateDict().weight_ih_l0!)).toEqual(sdSnap);
    small.dispose();
  });
});
