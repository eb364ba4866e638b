/**
 * WorkerPool under faults: workers that exit or fail, options and requests that cannot be sent,
 * and wrong shapes. Every failure must be a typed WasmRnnError, leave nothing pending (the
 * process exits on its own) and leave the pool and its layers usable — or, when a worker cannot
 * be replaced, the pool must say so on every later call.
 *
 * Workers run the built bundle (dist/worker.js): `npm test` builds dist/ first. Workers are
 * killed through two internal test hooks: the `testFault` request (the worker calls
 * process.exit(), throws an uncaught exception, or stops answering) and the pool's
 * `Symbol.for('wasm-rnn.WorkerPool.testHooks')` (the Worker object, to terminate it behind the
 * pool's back or emit events on it, and the number of pending calls).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type ParallelLayer, type Tensor, type WorkerPool, zeros } from '../ts/index';
import type { Variant } from '../ts/backend/init';
import { Rng } from './helpers/random';

const distEntry = new URL('../dist/index.js', import.meta.url);
const distWorker = new URL('../dist/worker.js', import.meta.url);
type Dist = typeof import('../ts/index');
type Request = Parameters<WorkerPool['call']>[1];

const variant = process.env.WASM_RNN_VARIANT as Variant;
let dist: Dist;

beforeAll(async () => {
  if (!existsSync(distEntry)) throw new Error('dist/ is missing: run `npm run build` before the pool tests');
  dist = (await import(distEntry.href)) as Dist;
});

interface TestHooks {
  worker(index: number): import('node:worker_threads').Worker;
  pendingCalls(): number;
}
function hooks(pool: WorkerPool): TestHooks {
  const h = (pool as unknown as Record<symbol, TestHooks | undefined>)[Symbol.for('wasm-rnn.WorkerPool.testHooks')];
  if (h === undefined) throw new Error('WorkerPool has no test hooks');
  return h;
}
/** Makes worker `index` exit (process.exit), throw an uncaught exception, or stop answering. */
function fault(pool: WorkerPool, index: number, kind: 'exit' | 'throw' | 'hang'): Promise<unknown> {
  return pool.call(index, { op: 'testFault', fault: kind } as unknown as Request);
}

async function withPool<T>(workers: number, body: (pool: WorkerPool) => Promise<T>, options: { workerUrl?: URL } = {}): Promise<T> {
  const pool = await dist.WorkerPool.create({ workers, variant, ...options });
  try {
    return await body(pool);
  } finally {
    await pool.terminate();
  }
}

function random(shape: number[], rng: Rng): Tensor {
  return rng.tensor(shape);
}

function expectClose(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  let worst = 0;
  for (let i = 0; i < actual.data.length; i++) worst = Math.max(worst, Math.abs(actual.data[i]! - expected.data[i]!));
  expect(worst, `${what}: max abs difference`).toBeLessThan(1e-5);
}

/** A training step on both; every result must agree. */
async function expectSameStep(parallel: ParallelLayer, single: LSTM | GRU | RNN, x: Tensor, rng: Rng, what: string): Promise<void> {
  const want = (single as LSTM).forward(x, { training: true });
  const got = await parallel.forward(x, { training: true });
  expectClose(got.output, want.output, `${what}: output`);
  expectClose(got.hN, want.hN, `${what}: hN`);
  const dOut = random(want.output.shape, rng);
  const gWant = (single as LSTM).backward({ output: dOut });
  const gGot = await parallel.backward({ output: dOut });
  expectClose(gGot.input, gWant.input, `${what}: d input`);
  expectClose(gGot.h0, gWant.h0, `${what}: d h0`);
  for (const name of Object.keys(gWant.params)) expectClose(gGot.params[name]!, gWant.params[name]!, `${what}: d ${name}`);
}

const workerError = { name: 'WasmRnnError', code: 'E_WORKER' };

/** Runs an ES module script in a fresh Node process; resolves when it exits or after `timeoutMs`. */
function runNode(script: string, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  // The relaxed project passes --experimental-wasm-relaxed-simd on Node 20 (vitest.config.ts).
  const flags = process.execArgv.filter((a) => a.startsWith('--experimental-wasm'));
  // A file, not --input-type=module -e: worker threads inherit execArgv, and --input-type breaks them.
  const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-pool-'));
  const file = join(dir, 'script.mjs');
  writeFileSync(file, script);
  const child = spawn(process.execPath, [...flags, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

const scriptPrelude = `
const lib = await import(${JSON.stringify(distEntry.href)});
await lib.init({ variant: ${JSON.stringify(variant)} });
const codeOf = (p) => p.then(() => 'resolved', (e) => (e instanceof lib.WasmRnnError ? e.code : 'untyped ' + e));
const x = lib.tensor(new Float32Array(4 * 3 * 2).fill(0.5), [4, 3, 2]);
`;

describe('WorkerPool: a worker that exits or fails', () => {
  it('process.exit() in a worker: its pending calls reject with E_WORKER; the worker is replaced with the loaded weights; the lost training forward gives E_NO_TRAINING_FORWARD', async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(501);
      const options = { inputSize: 2, hiddenSize: 3, seed: 11 };
      const single = new LSTM({ ...options, seed: 12 });
      const parallel = await pool.lstm(options);
      await parallel.loadStateDict(single.stateDict()); // the replacement must get these, not seed 11's
      const x = random([4, 3, 2], rng);
      await parallel.forward(x, { training: true });
      const crash = fault(pool, 0, 'exit');
      const lost = parallel.forward(x); // queued behind the crash on worker 0
      await expect(crash).rejects.toMatchObject(workerError);
      await expect(lost).rejects.toMatchObject(workerError);
      await expect(lost).rejects.toThrow(/worker 0/);
      await expect(parallel.backward()).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_NO_TRAINING_FORWARD' });
      const state = await parallel.stateDict();
      for (const [name, t] of Object.entries(single.stateDict())) expectClose(state[name]!, t, name);
      await expectSameStep(parallel, single, x, rng, 'after the replacement');
      // A layer created after the replacement works too.
      const later = await pool.gru({ inputSize: 2, hiddenSize: 4, seed: 13 });
      await expectSameStep(later, new GRU({ inputSize: 2, hiddenSize: 4, seed: 13 }), x, rng, 'new layer');
      expect(hooks(pool).pendingCalls()).toBe(0);
      single.dispose();
    });
  });

  it('an uncaught exception in a worker (error event) rejects its pending calls with E_WORKER naming the error; later calls work', async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(502);
      const options = { inputSize: 2, hiddenSize: 3, numLayers: 2, seed: 21 };
      const parallel = await pool.rnn(options);
      const x = random([5, 4, 2], rng);
      const crash = fault(pool, 1, 'throw');
      const lost = parallel.forward(x);
      await expect(crash).rejects.toMatchObject(workerError);
      await expect(crash).rejects.toThrow(/wasm-rnn test fault/);
      await expect(lost).rejects.toMatchObject(workerError);
      await expectSameStep(parallel, new RNN(options), x, rng, 'after the replacement');
      expect(hooks(pool).pendingCalls()).toBe(0);
    });
  });

  it("a worker terminated behind the pool's back (exit event) rejects the call in progress with E_WORKER; the replacement serves later calls", async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(503);
      const options = { inputSize: 3, hiddenSize: 2, bidirectional: true, seed: 31 };
      const single = new GRU({ ...options, seed: 32 });
      const parallel = await pool.gru(options);
      await parallel.loadStateDict(single.stateDict());
      const stuck = fault(pool, 0, 'hang');
      const queued = parallel.forward(random([2, 2, 3], rng));
      await new Promise((r) => setTimeout(r, 50));
      await hooks(pool).worker(0).terminate();
      await expect(stuck).rejects.toMatchObject(workerError);
      await expect(queued).rejects.toMatchObject(workerError);
      await expectSameStep(parallel, single, random([3, 5, 3], rng), rng, 'after the replacement');
      expect(hooks(pool).pendingCalls()).toBe(0);
      single.dispose();
    });
  });

  it('a messageerror from a worker rejects its pending calls with E_WORKER and replaces the worker', async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(504);
      const options = { inputSize: 2, hiddenSize: 3, seed: 41 };
      const parallel = await pool.lstm(options);
      const stuck = fault(pool, 1, 'hang');
      const old = hooks(pool).worker(1);
      old.emit('messageerror', new Error('could not deserialize'));
      await expect(stuck).rejects.toMatchObject(workerError);
      await expect(stuck).rejects.toThrow(/could not deserialize/);
      expect(hooks(pool).worker(1)).not.toBe(old);
      await expectSameStep(parallel, new LSTM(options), random([3, 4, 2], rng), rng, 'after the replacement');
      expect(hooks(pool).pendingCalls()).toBe(0);
    });
  });

  it('one worker: a never-loaded layer is re-created from its seed, a loaded one is lost (E_WORKER); new layers work', async () => {
    await withPool(1, async (pool) => {
      const rng = new Rng(505);
      const options = { inputSize: 2, hiddenSize: 3, seed: 51 };
      const fresh = await pool.lstm(options);
      const loaded = await pool.lstm({ ...options, seed: 52 });
      await loaded.loadStateDict(new LSTM({ ...options, seed: 53 }).stateDict());
      await expect(fault(pool, 0, 'exit')).rejects.toMatchObject(workerError);
      const x = random([3, 2, 2], rng);
      await expectSameStep(fresh, new LSTM(options), x, rng, 'seed re-creation');
      await expect(loaded.forward(x)).rejects.toMatchObject(workerError);
      await expect(loaded.forward(x)).rejects.toThrow(/lost/);
      await loaded.dispose();
      const later = await pool.lstm({ ...options, seed: 54 });
      await expectSameStep(later, new LSTM({ ...options, seed: 54 }), x, rng, 'new layer');
    });
  });

  it('a replacement that cannot start leaves the pool broken: every call rejects with E_WORKER, terminate() still works', async () => {
    // A worker script that fails to start once WASM_RNN_TEST_BROKEN is set (worker threads copy
    // the environment when they are spawned).
    const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-pool-'));
    const script = join(dir, 'flaky-worker.mjs');
    writeFileSync(script, `if (process.env.WASM_RNN_TEST_BROKEN) throw new Error('flaky worker cannot start');\nawait import(${JSON.stringify(distWorker.href)});\n`);
    try {
      const pool = await dist.WorkerPool.create({ workers: 2, variant, workerUrl: pathToFileURL(script) });
      const parallel = await pool.gru({ inputSize: 2, hiddenSize: 2, seed: 61 });
      process.env.WASM_RNN_TEST_BROKEN = '1';
      try {
        const crash = fault(pool, 0, 'exit');
        const queued = parallel.forward(zeros([2, 2, 2]));
        await expect(crash).rejects.toMatchObject(workerError);
        await expect(queued).rejects.toMatchObject(workerError);
        // The replacement dies on start: the pool is broken from then on.
        await expect(parallel.forward(zeros([2, 2, 2]))).rejects.toMatchObject(workerError);
        await expect(parallel.forward(zeros([2, 2, 2]))).rejects.toThrow(/broken/);
        await expect(parallel.stateDict()).rejects.toMatchObject(workerError);
        await expect(pool.lstm({ inputSize: 1, hiddenSize: 1 })).rejects.toMatchObject(workerError);
        expect(hooks(pool).pendingCalls()).toBe(0);
      } finally {
        delete process.env.WASM_RNN_TEST_BROKEN;
        await pool.terminate();
      }
      await expect(parallel.forward(zeros([2, 2, 2]))).rejects.toMatchObject({ code: 'E_DISPOSED' });
      await parallel.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the process exits by itself after a worker died (pool never terminated)', async () => {
    const run = await runNode(`${scriptPrelude}
const pool = await lib.WorkerPool.create({ workers: 2 });
const layer = await pool.lstm({ inputSize: 2, hiddenSize: 3, seed: 1 });
await layer.forward(x, { training: true });
const crash = pool.call(0, { op: 'testFault', fault: 'exit' });
const lost = layer.forward(x);
console.log('crash', await codeOf(crash));
console.log('lost', await codeOf(lost));
console.log('backward', await codeOf(layer.backward()));
console.log('after', await codeOf(layer.forward(x)));
`);
    expect(run.timedOut, `the process did not exit\n${run.stdout}\n${run.stderr}`).toBe(false);
    expect(run.stdout.trim().split('\n'), run.stderr).toEqual(['crash E_WORKER', 'lost E_WORKER', 'backward E_NO_TRAINING_FORWARD', 'after resolved']);
    expect(run.code, run.stderr).toBe(0);
  });
});

describe('WorkerPool: options and requests that cannot be sent', () => {
  it('a function option (onStep) rejects with E_CONFIG naming it', async () => {
    await withPool(2, async (pool) => {
      const options = { inputSize: 2, hiddenSize: 3, onStep() {} };
      await expect(pool.lstm(options as never)).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_CONFIG' });
      await expect(pool.lstm(options as never)).rejects.toThrow(/onStep/);
      expect(hooks(pool).pendingCalls()).toBe(0);
      // The pool is unaffected.
      const layer = await pool.lstm({ inputSize: 2, hiddenSize: 3, seed: 71 });
      const rng = new Rng(506);
      await expectSameStep(layer, new LSTM({ inputSize: 2, hiddenSize: 3, seed: 71 }), random([2, 3, 2], rng), rng, 'after');
    });
  });

  it('unknown, misplaced and non-data options reject with E_CONFIG naming the option', async () => {
    await withPool(2, async (pool) => {
      const base = { inputSize: 2, hiddenSize: 3 };
      const cases: Array<[keyof Pick<WorkerPool, 'lstm' | 'gru' | 'rnn'>, unknown, RegExp]> = [
        ['lstm', { ...base, hiddensize: 3 }, /hiddensize/],
        ['gru', { ...base, nonlinearity: 'relu' }, /nonlinearity/],
        ['lstm', { ...base, nonlinearity: 'tanh' }, /nonlinearity/],
        ['gru', { ...base, projSize: 2 }, /projSize/],
        ['rnn', { ...base, nonlinearity: 'sigmoid' }, /nonlinearity/],
        ['rnn', { ...base, seed: () => 1 }, /seed/],
        ['lstm', { ...base, bidirectional: 'yes' }, /bidirectional/],
        ['lstm', { ...base, numLayers: 0 }, /numLayers/],
        ['gru', { inputSize: 2 }, /hiddenSize/],
        ['lstm', { ...base, inputSize: new Number(2) }, /inputSize/],
        ['lstm', { ...base, projSize: 3 }, /projSize/], // projSize must be below hiddenSize (PyTorch)
        ['rnn', null, /options/],
        ['gru', [2, 3], /options/],
      ];
      for (const [cell, options, name] of cases) {
        const p = pool[cell](options as never);
        await expect(p, JSON.stringify(options)).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_CONFIG' });
        await expect(p, JSON.stringify(options)).rejects.toThrow(name);
      }
      expect(hooks(pool).pendingCalls()).toBe(0);
      // What the single layers accept is accepted: projSize 0 on a GRU, undefined values.
      const ok = await pool.gru({ ...base, projSize: 0, seed: undefined, bias: false });
      await ok.forward(zeros([1, 1, 2]));
    });
  });

  it('a request that postMessage cannot clone rejects with E_ARGUMENT naming it and leaves nothing pending', async () => {
    await withPool(2, async (pool) => {
      const request = { op: 'state', layer: 1, junk() {} } as unknown as Request;
      await expect(pool.call(1, request)).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_ARGUMENT' });
      await expect(pool.call(1, request)).rejects.toThrow(/'state' request/);
      expect(hooks(pool).pendingCalls()).toBe(0);
      const layer = await pool.rnn({ inputSize: 1, hiddenSize: 1, seed: 1 });
      await layer.forward(zeros([1, 2, 1]));
    });
  });

  it('the process exits by itself after a rejected option and an unsendable request (pool never terminated)', async () => {
    const run = await runNode(`${scriptPrelude}
const pool = await lib.WorkerPool.create({ workers: 2 });
console.log('option', await codeOf(pool.lstm({ inputSize: 2, hiddenSize: 3, onStep() {} })));
console.log('request', await codeOf(pool.call(0, { op: 'state', layer: 1, junk() {} })));
const layer = await pool.lstm({ inputSize: 2, hiddenSize: 3 });
console.log('after', await codeOf(layer.forward(x)));
`);
    expect(run.timedOut, `the process did not exit\n${run.stdout}\n${run.stderr}`).toBe(false);
    expect(run.stdout.trim().split('\n'), run.stderr).toEqual(['option E_CONFIG', 'request E_ARGUMENT', 'after resolved']);
    expect(run.code, run.stderr).toBe(0);
  });
});

describe('WorkerPool: arguments are validated before anything is sent', () => {
  type Loose = { forward(x: unknown, o?: unknown): unknown; backward(g?: unknown): unknown };

  /** The single layer's error for `f(single)` and the parallel layer's for `f(parallel)`: same code, same message after "Parallel ". */
  async function expectSameError(single: unknown, parallel: unknown, f: (l: Loose) => unknown, what: string): Promise<void> {
    let want: { code?: string; message?: string } | undefined;
    try {
      f(single as Loose);
    } catch (e) {
      want = e as typeof want;
    }
    expect(want, `${what}: the single layer accepted it`).toBeDefined();
    let got: unknown;
    try {
      await f(parallel as Loose);
    } catch (e) {
      got = e;
    }
    expect(got, what).toMatchObject({ name: 'WasmRnnError', code: want!.code, message: `Parallel ${want!.message}` });
  }

  it('forward: a wrong x, h0, c0, training or options rejects like the single layer (code and message)', async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(507);
      const options = { inputSize: 2, hiddenSize: 3, numLayers: 2, seed: 81 };
      const single = new LSTM(options);
      const parallel = await pool.lstm(options);
      const x = random([4, 3, 2], rng);
      const bad: Array<[string, (l: Loose) => unknown]> = [
        ['h0 missing a batch row', (l) => l.forward(x, { h0: zeros([2, 2, 3]) })],
        ['h0 of one layer', (l) => l.forward(x, { h0: zeros([1, 3, 3]) })],
        ['c0 missing a batch row', (l) => l.forward(x, { c0: zeros([2, 2, 3]) })],
        ['x of the wrong size', (l) => l.forward(random([4, 3, 3], rng))],
        ['x of rank 2', (l) => l.forward(zeros([4, 2]))],
        ['x not a tensor', (l) => l.forward([1, 2, 3])],
        ['x.data not float32', (l) => l.forward({ data: new Float64Array(24), shape: [4, 3, 2] })],
        ['x.data too short', (l) => l.forward({ data: new Float32Array(5), shape: [4, 3, 2] })],
        ['training not a boolean', (l) => l.forward(x, { training: 'yes' })],
        ['options not an object', (l) => l.forward(x, null)],
      ];
      for (const [what, f] of bad) await expectSameError(single, parallel, f, what);
      // c0 to a GRU; h0 of a projected LSTM.
      const gOptions = { inputSize: 2, hiddenSize: 3, seed: 82 };
      await expectSameError(new GRU(gOptions), await pool.gru(gOptions), (l) => l.forward(x, { c0: zeros([1, 3, 3]) }), 'c0 to a GRU');
      const pOptions = { inputSize: 2, hiddenSize: 4, projSize: 2, bidirectional: true, batchFirst: true, seed: 83 };
      const pParallel = await pool.lstm(pOptions);
      const xb = random([3, 4, 2], rng); // [batch 3, seq 4, 2]
      await expectSameError(new LSTM(pOptions), pParallel, (l) => l.forward(xb, { h0: zeros([2, 3, 4]) }), 'h0 of hiddenSize with projSize');
      await expectSameError(new LSTM(pOptions), pParallel, (l) => l.forward(xb, { h0: zeros([2, 2, 2]) }), 'h0 with the wrong batch (batchFirst)');
      expect(hooks(pool).pendingCalls()).toBe(0);
      // Right shapes still agree with the single layer.
      const h0 = random([2, 3, 3], rng);
      const c0 = random([2, 3, 3], rng);
      const want = single.forward(x, { h0, c0 });
      const got = await parallel.forward(x, { h0, c0 });
      expectClose(got.output, want.output, 'output');
      expectClose(got.cN!, want.cN, 'cN');
      // The shapes it validates against.
      expect(parallel).toMatchObject({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: false, projSize: 0, outputSize: 3, numDirections: 1, batchFirst: false });
      expect(pParallel).toMatchObject({ projSize: 2, outputSize: 2, numDirections: 2, batchFirst: true });
      single.dispose();
    });
  });

  it('backward: wrong gradients reject like the single layer and keep the training forward; the next valid backward equals the single layer', async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(508);
      for (const [cell, options] of [
        ['lstm', { inputSize: 2, hiddenSize: 3, seed: 91 }],
        ['gru', { inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, seed: 92 }],
      ] as const) {
        const single = cell === 'lstm' ? new LSTM(options) : new GRU(options);
        const parallel = await pool[cell](options);
        const bf = (options as unknown as { batchFirst?: boolean }).batchFirst === true;
        const x = random([5, 3, 2], rng); // batch 3 over 2 workers (batchFirst: batch 5)
        const want = (single as LSTM).forward(x, { training: true });
        await parallel.forward(x, { training: true });
        const [s0, s1, width] = want.output.shape as [number, number, number]; // [seq, batch, D·O] or [batch, seq, D·O]
        const states = want.hN.shape[0]!;
        const batch = want.hN.shape[1]!;
        const bad: Array<[string, (l: Loose) => unknown]> = [
          ['output gradient of another batch', (l) => l.backward({ output: zeros(bf ? [batch + 1, s1, width] : [s0, batch + 1, width]) })],
          ['output gradient [1, 5, 3]', (l) => l.backward({ output: zeros([1, 5, 3]) })],
          ['output gradient of another length', (l) => l.backward({ output: zeros(bf ? [s0, s1 + 1, width] : [s0 + 1, s1, width]) })],
          ['hN gradient missing a row', (l) => l.backward({ hN: zeros([states, batch - 1, 3]) })],
          ['hN gradient not a tensor', (l) => l.backward({ hN: 1 })],
          ['grads not an object', (l) => l.backward(null)],
          cell === 'lstm' ? ['cN gradient missing a row', (l) => l.backward({ cN: zeros([states, batch - 1, 3]) })] : ['a cN gradient to a GRU', (l) => l.backward({ cN: zeros([states, batch, 3]) })],
        ];
        for (const [what, f] of bad) await expectSameError(single, parallel, f, `${cell}: ${what}`);
        expect(hooks(pool).pendingCalls()).toBe(0);
        const dOut = random(want.output.shape, rng);
        const dhN = random(want.hN.shape, rng);
        const gWant = (single as LSTM).backward({ output: dOut, hN: dhN });
        const gGot = await parallel.backward({ output: dOut, hN: dhN });
        expectClose(gGot.input, gWant.input, `${cell}: d input`);
        expectClose(gGot.h0, gWant.h0, `${cell}: d h0`);
        for (const name of Object.keys(gWant.params)) expectClose(gGot.params[name]!, gWant.params[name]!, `${cell}: d ${name}`);
        // The backward consumed it, as in the single layer.
        await expectSameError(single, parallel, (l) => l.backward(), `${cell}: second backward`);
        single.dispose();
      }
    });
  });

  it('an inference forward keeps the pending training forward (as the single layer does); loadStateDict discards it', async () => {
    await withPool(2, async (pool) => {
      const rng = new Rng(509);
      const options = { inputSize: 2, hiddenSize: 3, numLayers: 2, seed: 93 };
      const single = new LSTM(options);
      const parallel = await pool.lstm(options);
      const x = random([4, 3, 2], rng);
      single.forward(x, { training: true });
      await parallel.forward(x, { training: true });
      const other = random([6, 1, 2], rng); // another length and batch: only worker 0 runs it
      expectClose((await parallel.forward(other)).output, single.forward(other).output, 'inference output');
      const dOut = random([4, 3, 3], rng);
      const gWant = single.backward({ output: dOut });
      const gGot = await parallel.backward({ output: dOut });
      expectClose(gGot.input, gWant.input, 'd input');
      for (const name of Object.keys(gWant.params)) expectClose(gGot.params[name]!, gWant.params[name]!, `d ${name}`);
      // Loading weights drops the saved activations (they belong to the old weights).
      single.forward(x, { training: true });
      await parallel.forward(x, { training: true });
      single.loadStateDict(single.stateDict());
      await parallel.loadStateDict(single.stateDict());
      await expectSameError(single, parallel, (l) => l.backward(), 'backward after loadStateDict');
      single.dispose();
    });
  });

  it('loadStateDict validates names and shapes like the single layer before sending', async () => {
    await withPool(2, async (pool) => {
      const options = { inputSize: 2, hiddenSize: 3, seed: 94 };
      const single = new GRU(options);
      const parallel = await pool.gru(options);
      const state = single.stateDict();
      const bad: Array<[string, unknown, unknown?]> = [
        ['unknown name', { ...state, nope: zeros([1]) }],
        ['missing name', { weight_ih_l0: state.weight_ih_l0 }],
        ['wrong shape', { ...state, bias_hh_l0: zeros([8]) }],
        ['not a tensor', { ...state, bias_hh_l0: [1, 2] }],
        ['not an object', 3],
      ];
      for (const [what, dict] of bad) {
        let want: { code?: string; message?: string } | undefined;
        try {
          single.loadStateDict(dict as never);
        } catch (e) {
          want = e as typeof want;
        }
        await expect(parallel.loadStateDict(dict as never), what).rejects.toMatchObject({ name: 'WasmRnnError', code: want!.code, message: `Parallel ${want!.message}` });
      }
      // strict: false loads a subset.
      const other = new GRU({ ...options, seed: 95 }).stateDict();
      single.loadStateDict({ weight_hh_l0: other.weight_hh_l0! }, { strict: false });
      await parallel.loadStateDict({ weight_hh_l0: other.weight_hh_l0! }, { strict: false });
      const got = await parallel.stateDict();
      for (const [name, t] of Object.entries(single.stateDict())) expectClose(got[name]!, t, name);
      single.dispose();
    });
  });

  it('after pool.terminate() every ParallelLayer method rejects with E_DISPOSED; dispose() is idempotent', async () => {
    const pool = await dist.WorkerPool.create({ workers: 2, variant });
    const layer = await pool.lstm({ inputSize: 2, hiddenSize: 3, seed: 96 });
    const x = zeros([2, 3, 2]);
    await layer.forward(x, { training: true });
    await pool.terminate();
    await pool.terminate();
    const disposed = { name: 'WasmRnnError', code: 'E_DISPOSED' };
    await expect(layer.forward(x)).rejects.toMatchObject(disposed);
    await expect(layer.backward()).rejects.toMatchObject(disposed);
    await expect(layer.stateDict()).rejects.toMatchObject(disposed);
    await expect(layer.loadStateDict({})).rejects.toMatchObject(disposed);
    await expect(pool.gru({ inputSize: 1, hiddenSize: 1 })).rejects.toMatchObject(disposed);
    await expect(layer.dispose()).resolves.toBeUndefined();
    await expect(layer.dispose()).resolves.toBeUndefined();
    await expect(layer.forward(x)).rejects.toMatchObject(disposed);
    // And on a live pool: dispose twice, then every method rejects with E_DISPOSED.
    await withPool(1, async (live) => {
      const l = await live.rnn({ inputSize: 1, hiddenSize: 1, seed: 1 });
      await Promise.all([l.dispose(), l.dispose()]);
      await l.dispose();
      await expect(l.forward(zeros([1, 1, 1]))).rejects.toMatchObject(disposed);
      await expect(l.backward()).rejects.toMatchObject(disposed);
      await expect(l.stateDict()).rejects.toMatchObject(disposed);
      expect(hooks(live).pendingCalls()).toBe(0);
    });
  });
});
