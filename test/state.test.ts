/**
 * State and equivalence properties of the public API:
 * - stateful step-by-step inference (x[t:t+1], carrying hN/cN into the next h0/c0) equals one
 *   forward over the whole sequence (unidirectional, multi-layer, every cell);
 * - a stateDict round trip gives identical outputs;
 * - the default initialisation is U(−1/√hiddenSize, 1/√hiddenSize), deterministic per seed;
 * - training: true and training: false forwards give identical outputs;
 * - batchFirst gives the transposed result of the time-major layer with the same weights;
 * - batch elements are independent, and h0/c0 default to zeros.
 *
 * Tolerances: "scaled" errors are max|a − b| / max(1, max|b|). 1e-6 (≈ 8 float32 ulps at 1) is
 * used where the two computations may legitimately sum in a different order (e.g. the input
 * projection as one GEMM over T·B rows vs. T GEMMs of B rows); bitwise equality where the
 * library runs the same arithmetic (training vs. inference, batchFirst vs. time-major,
 * repeated calls, stateDict round trips). Measured: step-by-step was bitwise equal to the
 * whole-sequence forward in all 25 configurations on every variant, but only 1e-6 is required
 * since nothing promises that.
 */
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type RecurrentOptions, type Tensor, manualSeed, tensor, zeros } from '../ts/index';
import { Rng, numel } from './helpers/random';
import { scaledDiff } from './helpers/compare';

type Cell = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'lstm_proj' | 'gru';
const CELLS: readonly Cell[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'lstm_proj', 'gru'];

type Config = RecurrentOptions;

type AnyLayer = RNN | LSTM | GRU;
type Fwd = { output: Tensor; hN: Tensor; cN?: Tensor };
type Grads = { input: Tensor; h0: Tensor; c0?: Tensor; params: Record<string, Tensor> };

const isLstm = (cell: Cell) => cell === 'lstm' || cell === 'lstm_proj';

function build(cell: Cell, cfg: Config): AnyLayer {
  switch (cell) {
    case 'rnn_tanh':
      return new RNN({ ...cfg, nonlinearity: 'tanh' });
    case 'rnn_relu':
      return new RNN({ ...cfg, nonlinearity: 'relu' });
    case 'lstm':
      return new LSTM(cfg);
    case 'lstm_proj':
      return new LSTM({ ...cfg, projSize: Math.max(1, cfg.hiddenSize - 2) });
    case 'gru':
      return new GRU(cfg);
  }
}

function fwd(layer: AnyLayer, x: Tensor, opts: { h0?: Tensor; c0?: Tensor; training?: boolean } = {}): Fwd {
  if (layer instanceof LSTM) return layer.forward(x, opts);
  const { c0: _, ...rest } = opts;
  return layer.forward(x, rest);
}

function bwd(layer: AnyLayer, g: { output?: Tensor; hN?: Tensor; cN?: Tensor }): Grads {
  if (layer instanceof LSTM) return layer.backward(g);
  const { cN: _, ...rest } = g;
  return layer.backward(rest);
}

function use<T>(layers: AnyLayer[], f: () => T): T {
  try {
    return f();
  } finally {
    for (const l of layers) l.dispose();
  }
}


function bits(t: Tensor): { shape: number[]; bits: Uint32Array } {
  return { shape: [...t.shape], bits: new Uint32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)) };
}

/** Slice [from, to) along axis 0 of a rank-3 tensor. */
function sliceAxis0(t: Tensor, from: number, to: number): Tensor {
  const inner = t.shape[1]! * t.shape[2]!;
  return tensor(t.data.slice(from * inner, to * inner), [to - from, t.shape[1]!, t.shape[2]!]);
}

/** Slice [from, to) along axis 1 of a rank-3 tensor. */
function sliceAxis1(t: Tensor, from: number, to: number): Tensor {
  const [a, b, c] = t.shape as [number, number, number];
  const out = new Float32Array(a * (to - from) * c);
  for (let i = 0; i < a; i++) out.set(t.data.subarray((i * b + from) * c, (i * b + to) * c), i * (to - from) * c);
  return tensor(out, [a, to - from, c]);
}

/** Swaps axes 0 and 1 of a rank-3 tensor. */
function transpose01(t: Tensor): Tensor {
  const [a, b, c] = t.shape as [number, number, number];
  const out = new Float32Array(a * b * c);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(t.data.subarray((i * b + j) * c, (i * b + j + 1) * c), (j * a + i) * c);
  return tensor(out, [b, a, c]);
}

function concatAxis0(parts: Tensor[]): Tensor {
  const total = parts.reduce((n, p) => n + p.shape[0]!, 0);
  const out = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p.data, off);
    off += p.data.length;
  }
  return tensor(out, [total, parts[0]!.shape[1]!, parts[0]!.shape[2]!]);
}

function concatAxis1(parts: Tensor[]): Tensor {
  const t = parts.map(transpose01);
  return transpose01(concatAxis0(t));
}

const STEP_TOL = 1e-6;
const stepErrors: number[] = [];

describe('stateful step-by-step inference equals the whole-sequence forward', () => {
  const configs: (Config & { seq: number; batch: number; label: string })[] = [
    { label: 'L1', inputSize: 3, hiddenSize: 5, seq: 7, batch: 2 },
    { label: 'L3', inputSize: 4, hiddenSize: 6, numLayers: 3, seq: 6, batch: 3 },
    { label: 'L2 nobias', inputSize: 2, hiddenSize: 7, numLayers: 2, bias: false, seq: 5, batch: 1 },
    { label: 'L2 batchFirst', inputSize: 5, hiddenSize: 4, numLayers: 2, batchFirst: true, seq: 6, batch: 2 },
    { label: 'L2 wide (SIMD tails)', inputSize: 17, hiddenSize: 19, numLayers: 2, seq: 9, batch: 5 },
  ];
  for (const cell of CELLS) {
    for (const cfg of configs) {
      it(`${cell} ${cfg.label}`, () => {
        const seed = 1234 + cfg.seq * 7 + cfg.batch;
        const layer = build(cell, { ...cfg, seed });
        use([layer], () => {
          const rng = new Rng(seed);
          const bf = cfg.batchFirst ?? false;
          const x = rng.tensor(bf ? [cfg.batch, cfg.seq, cfg.inputSize] : [cfg.seq, cfg.batch, cfg.inputSize]);
          const L = cfg.numLayers ?? 1;
          const O = layer.outputSize;
          const h0 = rng.tensor([L, cfg.batch, O], -0.8, 0.8);
          const c0 = rng.tensor([L, cfg.batch, cfg.hiddenSize], -0.8, 0.8);
          const whole = fwd(layer, x, { h0, c0 });

          let h = h0;
          let c: Tensor | undefined = c0;
          const outs: Tensor[] = [];
          for (let t = 0; t < cfg.seq; t++) {
            const xt = bf ? sliceAxis1(x, t, t + 1) : sliceAxis0(x, t, t + 1);
            const step = fwd(layer, xt, { h0: h, c0: c });
            expect(step.output.shape).toEqual(bf ? [cfg.batch, 1, O] : [1, cfg.batch, O]);
            outs.push(step.output);
            h = step.hN;
            c = step.cN;
          }
          const stepped = bf ? concatAxis1(outs) : concatAxis0(outs);
          expect(stepped.shape).toEqual(whole.output.shape);
          const errs = { output: scaledDiff(stepped.data, whole.output.data), hN: scaledDiff(h.data, whole.hN.data), cN: isLstm(cell) ? scaledDiff(c!.data, whole.cN!.data) : 0 };
          stepErrors.push(Math.max(errs.output, errs.hN, errs.cN));
          expect(errs.output, 'output').toBeLessThanOrEqual(STEP_TOL);
          expect(errs.hN, 'hN').toBeLessThanOrEqual(STEP_TOL);
          expect(errs.cN, 'cN').toBeLessThanOrEqual(STEP_TOL);
          // Also with the state carried in chunks of 2 steps, starting from the default zeros.
          const wholeZero = fwd(layer, x);
          let hc: Tensor | undefined;
          let cc: Tensor | undefined;
          const chunks: Tensor[] = [];
          for (let t = 0; t < cfg.seq; t += 2) {
            const e = Math.min(cfg.seq, t + 2);
            const step = fwd(layer, bf ? sliceAxis1(x, t, e) : sliceAxis0(x, t, e), { ...(hc ? { h0: hc } : {}), ...(cc ? { c0: cc } : {}) });
            chunks.push(step.output);
            hc = step.hN;
            cc = step.cN;
          }
          expect(scaledDiff((bf ? concatAxis1(chunks) : concatAxis0(chunks)).data, wholeZero.output.data)).toBeLessThanOrEqual(STEP_TOL);
          expect(scaledDiff(hc!.data, wholeZero.hN.data)).toBeLessThanOrEqual(STEP_TOL);
        });
      });
    }
  }
});

describe('step-by-step summary', () => {
  it('prints the largest step-vs-whole error', () => {
    expect(stepErrors.length).toBe(CELLS.length * 5);
    const bitwise = stepErrors.filter((e) => e === 0).length;
    console.log(`[state ${process.env.WASM_RNN_VARIANT ?? ''}] step-by-step vs whole sequence: max scaled error ${Math.max(...stepErrors).toExponential(2)}, ${bitwise}/${stepErrors.length} configurations bitwise equal`);
  });
});

describe('stateDict round trip', () => {
  const configs: (Config & { label: string })[] = [
    { label: 'L1', inputSize: 3, hiddenSize: 5 },
    { label: 'L2 bi', inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true },
    { label: 'L3 bi nobias batchFirst', inputSize: 2, hiddenSize: 3, numLayers: 3, bidirectional: true, bias: false, batchFirst: true },
  ];
  for (const cell of CELLS) {
    for (const cfg of configs) {
      it(`${cell} ${cfg.label}`, () => {
        const a = build(cell, { ...cfg, seed: 1 });
        const b = build(cell, { ...cfg, seed: 2 });
        use([a, b], () => {
          const rng = new Rng(99);
          const D = cfg.bidirectional ? 2 : 1;
          const L = cfg.numLayers ?? 1;
          const x = rng.tensor(cfg.batchFirst ? [3, 4, cfg.inputSize] : [4, 3, cfg.inputSize]);
          const h0 = rng.tensor([L * D, 3, a.outputSize]);
          const c0 = rng.tensor([L * D, 3, cfg.hiddenSize]);
          const dy = rng.tensor(cfg.batchFirst ? [3, 4, D * a.outputSize] : [4, 3, D * a.outputSize]);
          const fa = fwd(a, x, { h0, c0, training: true });
          const ga = bwd(a, { output: dy });
          expect(bits(fwd(b, x, { h0, c0 }).output)).not.toEqual(bits(fa.output));

          const sd = a.stateDict();
          expect(Object.keys(sd)).toEqual(a.parameterNames());
          b.loadStateDict(sd);
          const fb = fwd(b, x, { h0, c0, training: true });
          const gb = bwd(b, { output: dy });
          expect(bits(fb.output)).toEqual(bits(fa.output));
          expect(bits(fb.hN)).toEqual(bits(fa.hN));
          if (fa.cN) expect(bits(fb.cN!)).toEqual(bits(fa.cN));
          expect(bits(gb.input)).toEqual(bits(ga.input));
          for (const name of a.parameterNames()) expect(bits(gb.params[name]!), name).toEqual(bits(ga.params[name]!));
          // The stateDict of B is now A's.
          const sdb = b.stateDict();
          for (const name of a.parameterNames()) expect(bits(sdb[name]!), name).toEqual(bits(sd[name]!));
        });
      });
    }
  }

  it('partial loads (strict: false) change only the named parameters', () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 5 });
    const b = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 6 });
    use([a, b], () => {
      const before = b.stateDict();
      b.loadStateDict({ weight_hh_l1: a.stateDict().weight_hh_l1! }, { strict: false });
      const after = b.stateDict();
      for (const name of b.parameterNames()) {
        const want = name === 'weight_hh_l1' ? a.stateDict()[name]! : before[name]!;
        expect(bits(after[name]!), name).toEqual(bits(want));
      }
    });
  });
});

describe('default initialisation', () => {
  const configs: Config[] = [
    { inputSize: 3, hiddenSize: 4 },
    { inputSize: 7, hiddenSize: 25, numLayers: 2, bidirectional: true },
    { inputSize: 64, hiddenSize: 100, bias: true },
  ];
  for (const cell of CELLS) {
    for (const cfg of configs) {
      it(`${cell} I${cfg.inputSize} H${cfg.hiddenSize}: within ±1/√hiddenSize, deterministic per seed`, () => {
        const a = build(cell, { ...cfg, seed: 42 });
        const b = build(cell, { ...cfg, seed: 42 });
        const c = build(cell, { ...cfg, seed: 43 });
        use([a, b, c], () => {
          const k = 1 / Math.sqrt(cfg.hiddenSize);
          const sa = a.stateDict();
          const sb = b.stateDict();
          const sc = c.stateDict();
          let n = 0;
          let sum = 0;
          let lo = Infinity;
          let hi = -Infinity;
          for (const name of a.parameterNames()) {
            const d = sa[name]!.data;
            let maxAbs = 0;
            for (const v of d) {
              maxAbs = Math.max(maxAbs, Math.abs(v));
              lo = Math.min(lo, v);
              hi = Math.max(hi, v);
              sum += v;
              n++;
            }
            expect(maxAbs, name).toBeLessThanOrEqual(k);
            expect(bits(sb[name]!), `${name} same seed`).toEqual(bits(sa[name]!));
            expect(bits(sc[name]!), `${name} other seed`).not.toEqual(bits(sa[name]!));
            // No parameter is constant.
            if (d.length > 1) expect(new Set(d).size, name).toBeGreaterThan(1);
          }
          expect(n).toBe(a.parameterCount());
          if (n >= 200) {
            // U(−k, k): mean 0 with std k/√(3n); the extremes approach ±k.
            expect(Math.abs(sum / n)).toBeLessThan((5 * k) / Math.sqrt(3 * n));
            expect(lo).toBeLessThan(-0.9 * k);
            expect(hi).toBeGreaterThan(0.9 * k);
          }
          // Different parameters get different streams.
          const names = a.parameterNames();
          if (names.includes('weight_hh_l0_reverse')) expect(bits(sa.weight_hh_l0_reverse!)).not.toEqual(bits(sa.weight_hh_l0!));
          if (cfg.bias !== false) expect(bits(sa.bias_hh_l0!)).not.toEqual(bits(sa.bias_ih_l0!));
        });
      });
    }
  }

  it('layers without a seed follow manualSeed', () => {
    manualSeed(7);
    const a1 = new GRU({ inputSize: 3, hiddenSize: 4 });
    const a2 = new GRU({ inputSize: 3, hiddenSize: 4 });
    manualSeed(7);
    const b1 = new GRU({ inputSize: 3, hiddenSize: 4 });
    const b2 = new GRU({ inputSize: 3, hiddenSize: 4 });
    use([a1, a2, b1, b2], () => {
      expect(b1.seed).toBe(a1.seed);
      expect(b2.seed).toBe(a2.seed);
      expect(a2.seed).not.toBe(a1.seed);
      expect(bits(b1.stateDict().weight_ih_l0!)).toEqual(bits(a1.stateDict().weight_ih_l0!));
      expect(bits(b2.stateDict().weight_hh_l0!)).toEqual(bits(a2.stateDict().weight_hh_l0!));
      expect(bits(a2.stateDict().weight_ih_l0!)).not.toEqual(bits(a1.stateDict().weight_ih_l0!));
      // An explicit seed gives the same weights as the default sequence's seed.
      const c = new GRU({ inputSize: 3, hiddenSize: 4, seed: a1.seed });
      use([c], () => expect(bits(c.stateDict().weight_ih_l0!)).toEqual(bits(a1.stateDict().weight_ih_l0!)));
    });
  });
});

describe('seeds', () => {
  // BUG (ts/layers/recurrent.ts, constructor): `seed` is validated with the shared int() check,
  // whose upper bound is 2^31 − 1, but the default sequence (nextDefaultSeed) yields any 32-bit
  // value and `layer.seed` reports it. So a layer cannot be recreated from its own seed about
  // half the time: after manualSeed(0x2545f491) the first default seed is 3777279546, and
  // new GRU({ inputSize: 1, hiddenSize: 1, seed: 3777279546 }) throws E_CONFIG "seed must be an
  // integer ≥ 0, got 3777279546" (the message does not even state the upper bound).
  it('a layer can be recreated from its reported seed', () => {
    manualSeed(0x2545f491);
    for (let i = 0; i < 8; i++) {
      const a = new GRU({ inputSize: 2, hiddenSize: 3 });
      const b = new GRU({ inputSize: 2, hiddenSize: 3, seed: a.seed });
      use([a, b], () => expect(bits(b.stateDict().weight_ih_l0!)).toEqual(bits(a.stateDict().weight_ih_l0!)));
    }
  });
  it('explicit seeds in [0, 2^31) are accepted and reported', () => {
    for (const seed of [0, 1, 2 ** 31 - 1]) {
      const l = new RNN({ inputSize: 1, hiddenSize: 2, seed });
      use([l], () => expect(l.seed).toBe(seed));
    }
  });
});

describe('training: true and training: false give identical outputs', () => {
  const configs: (Config & { label: string })[] = [
    { label: 'L1', inputSize: 3, hiddenSize: 5 },
    { label: 'L3 bi', inputSize: 4, hiddenSize: 6, numLayers: 3, bidirectional: true },
    { label: 'L2 bi batchFirst nobias', inputSize: 9, hiddenSize: 11, numLayers: 2, bidirectional: true, batchFirst: true, bias: false },
  ];
  for (const cell of CELLS) {
    for (const cfg of configs) {
      it(`${cell} ${cfg.label}`, () => {
        const layer = build(cell, { ...cfg, seed: 3 });
        use([layer], () => {
          const rng = new Rng(3);
          const D = cfg.bidirectional ? 2 : 1;
          const L = cfg.numLayers ?? 1;
          const x = rng.tensor(cfg.batchFirst ? [3, 5, cfg.inputSize] : [5, 3, cfg.inputSize]);
          const h0 = rng.tensor([L * D, 3, layer.outputSize]);
          const c0 = rng.tensor([L * D, 3, cfg.hiddenSize]);
          const inf = fwd(layer, x, { h0, c0, training: false });
          const tr = fwd(layer, x, { h0, c0, training: true });
          const inf2 = fwd(layer, x, { h0, c0 });
          for (const r of [tr, inf2]) {
            expect(bits(r.output)).toEqual(bits(inf.output));
            expect(bits(r.hN)).toEqual(bits(inf.hN));
            if (inf.cN) expect(bits(r.cN!)).toEqual(bits(inf.cN));
          }
          // h0/c0 omitted = zeros.
          const z = fwd(layer, x, { h0: zeros(h0.shape), c0: zeros(c0.shape) });
          const d = fwd(layer, x);
          expect(bits(d.output)).toEqual(bits(z.output));
          expect(bits(d.hN)).toEqual(bits(z.hN));
        });
      });
    }
  }
});

describe('batchFirst is the transposed time-major computation', () => {
  const configs: (Config & { label: string })[] = [
    { label: 'L1', inputSize: 3, hiddenSize: 5 },
    { label: 'L2 bi', inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true },
    { label: 'L3 bi nobias wide', inputSize: 17, hiddenSize: 9, numLayers: 3, bidirectional: true, bias: false },
  ];
  for (const cell of CELLS) {
    for (const cfg of configs) {
      it(`${cell} ${cfg.label}`, () => {
        const tm = build(cell, { ...cfg, batchFirst: false, seed: 8 });
        const bf = build(cell, { ...cfg, batchFirst: true, seed: 9 });
        use([tm, bf], () => {
          bf.loadStateDict(tm.stateDict());
          const rng = new Rng(8);
          const D = cfg.bidirectional ? 2 : 1;
          const L = cfg.numLayers ?? 1;
          const T = 6;
          const B = 3;
          const x = rng.tensor([T, B, cfg.inputSize]);
          const h0 = rng.tensor([L * D, B, tm.outputSize]);
          const c0 = rng.tensor([L * D, B, cfg.hiddenSize]);
          const dy = rng.tensor([T, B, D * tm.outputSize]);
          const dh = rng.tensor(h0.shape);
          const dc = rng.tensor(c0.shape);
          const a = fwd(tm, x, { h0, c0, training: true });
          const b = fwd(bf, transpose01(x), { h0, c0, training: true });
          expect(b.output.shape).toEqual([B, T, D * tm.outputSize]);
          // States are not affected by batchFirst.
          expect(b.hN.shape).toEqual(a.hN.shape);
          const bOut = transpose01(b.output);
          // The library transposes to time-major and runs the same kernels, so the results must
          // be bitwise equal. (The scaled error is checked first only for a readable failure.)
          expect(scaledDiff(bOut.data, a.output.data)).toBeLessThanOrEqual(STEP_TOL);
          expect(bits(bOut)).toEqual(bits(a.output));
          expect(bits(b.hN)).toEqual(bits(a.hN));
          if (a.cN) expect(bits(b.cN!)).toEqual(bits(a.cN));

          const ga = bwd(tm, { output: dy, hN: dh, cN: dc });
          const gb = bwd(bf, { output: transpose01(dy), hN: dh, cN: dc });
          expect(gb.input.shape).toEqual([B, T, cfg.inputSize]);
          expect(bits(transpose01(gb.input))).toEqual(bits(ga.input));
          expect(bits(gb.h0)).toEqual(bits(ga.h0));
          if (ga.c0) expect(bits(gb.c0!)).toEqual(bits(ga.c0));
          for (const name of tm.parameterNames()) expect(bits(gb.params[name]!), name).toEqual(bits(ga.params[name]!));
        });
      });
    }
  }
});

describe('batch elements are independent', () => {
  for (const cell of CELLS) {
    it(cell, () => {
      const layer = build(cell, { inputSize: 5, hiddenSize: 7, numLayers: 2, bidirectional: true, seed: 21 });
      use([layer], () => {
        const rng = new Rng(21);
        const T = 4;
        const B = 5;
        const x = rng.tensor([T, B, 5]);
        const h0 = rng.tensor([4, B, layer.outputSize]);
        const c0 = rng.tensor([4, B, 7]);
        const all = fwd(layer, x, { h0, c0 });
        const outs: Tensor[] = [];
        const hs: Tensor[] = [];
        for (let b = 0; b < B; b++) {
          const one = fwd(layer, sliceAxis1(x, b, b + 1), { h0: sliceAxis1(h0, b, b + 1), c0: sliceAxis1(c0, b, b + 1) });
          outs.push(one.output);
          hs.push(one.hN);
        }
        expect(scaledDiff(concatAxis1(outs).data, all.output.data)).toBeLessThanOrEqual(STEP_TOL);
        expect(scaledDiff(concatAxis1(hs).data, all.hN.data)).toBeLessThanOrEqual(STEP_TOL);
        expect(numel(all.output.shape)).toBe(T * B * 2 * layer.outputSize);
      });
    });
  }
});

// One call's result tensors are views into one fresh buffer: writing into one must not change
// another, nor what the layer returns next time (forward and backward, every cell).
describe('results are independent copies', () => {
  for (const cell of CELLS) {
    it(cell, () => {
      const layer = build(cell, { inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 4 });
      use([layer], () => {
        const rng = new Rng(4);
        const x = rng.tensor([6, 2, 3]);
        const first = fwd(layer, x, { training: true });
        const want = { output: bits(first.output), hN: bits(first.hN), cN: first.cN && bits(first.cN) };
        const grads = bwd(layer, { output: rng.tensor(first.output.shape) });
        const wantGrads = Object.fromEntries(Object.entries(grads.params).map(([k, t]) => [k, bits(t)]));
        const wantH0 = bits(grads.h0);
        first.output.data.fill(Number.NaN);
        grads.input.data.fill(Number.NaN);
        expect(bits(first.hN)).toEqual(want.hN);
        if (first.cN) expect(bits(first.cN)).toEqual(want.cN);
        expect(bits(grads.h0)).toEqual(wantH0);
        expect(grads.h0.shape).toEqual([2, 2, layer.outputSize]);
        for (const [k, t] of Object.entries(grads.params)) expect(bits(t)).toEqual(wantGrads[k]);
        const again = fwd(layer, x);
        expect(bits(again.output)).toEqual(want.output);
        expect(bits(again.hN)).toEqual(want.hN);
      });
    });
  }
});
