/**
 * WorkerPool: layers replicated on worker threads, the batch split across them, must give the
 * results of one layer over the whole batch (parameter gradients summed over the replicas).
 * Workers run the built bundle (dist/worker.js): `npm test` builds dist/ first.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type ParallelLayerOptions, type Tensor, type WorkerPool, tensor } from '../ts/index';
import type { Variant } from '../ts/backend/init';
import { Rng } from './helpers/random';

const distEntry = new URL('../dist/index.js', import.meta.url);
type Dist = typeof import('../ts/index');

let dist: Dist;
let pool: WorkerPool;

beforeAll(async () => {
  if (!existsSync(distEntry)) throw new Error('dist/ is missing: run `npm run build` before the pool tests');
  dist = (await import(distEntry.href)) as Dist;
  pool = await dist.WorkerPool.create({ workers: 2, variant: process.env.WASM_RNN_VARIANT as Variant });
});
afterAll(async () => {
  await pool?.terminate();
});

function random(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => rng.uniform(-1, 1)), shape);
}

function expectClose(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  let worst = 0;
  for (let i = 0; i < actual.data.length; i++) worst = Math.max(worst, Math.abs(actual.data[i]! - expected.data[i]!));
  // Splitting the batch only reorders float32 sums (weight gradients: per-replica partial sums).
  expect(worst, `${what}: max abs difference`).toBeLessThan(1e-5);
}

const cases: Array<{ cell: 'lstm' | 'gru' | 'rnn'; options: ParallelLayerOptions; batch: number }> = [
  { cell: 'lstm', options: { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 3 }, batch: 5 },
  { cell: 'lstm', options: { inputSize: 4, hiddenSize: 6, projSize: 3, batchFirst: true, seed: 4 }, batch: 3 },
  { cell: 'gru', options: { inputSize: 2, hiddenSize: 7, numLayers: 3, seed: 5 }, batch: 4 },
  { cell: 'rnn', options: { inputSize: 5, hiddenSize: 4, nonlinearity: 'relu', bidirectional: true, seed: 6 }, batch: 2 },
  { cell: 'lstm', options: { inputSize: 2, hiddenSize: 3, seed: 7 }, batch: 1 }, // fewer rows than workers
];

describe('WorkerPool', () => {
  for (const [n, { cell, options, batch }] of cases.entries()) {
    it(`${cell} ${JSON.stringify(options)} batch ${batch}: forward and backward equal one layer`, async () => {
      const rng = new Rng(100 + n);
      const single = cell === 'lstm' ? new LSTM(options) : cell === 'gru' ? new GRU(options) : new RNN(options);
      const parallel = await pool[cell](options);
      const T = 6;
      const x = random(options.batchFirst ? [batch, T, options.inputSize] : [T, batch, options.inputSize], rng);
      const d = options.bidirectional ? 2 : 1;
      const o = options.projSize || options.hiddenSize;
      const states = (options.numLayers ?? 1) * d;
      const h0 = random([states, batch, o], rng);
      const c0 = cell === 'lstm' ? random([states, batch, options.hiddenSize], rng) : undefined;
      const want = (single as LSTM).forward(x, { h0, c0, training: true });
      const got = await parallel.forward(x, { h0, c0, training: true });
      expectClose(got.output, want.output, 'output');
      expectClose(got.hN, want.hN, 'hN');
      if (c0) expectClose(got.cN!, want.cN, 'cN');
      const dOut = random(want.output.shape, rng);
      const dhN = random(want.hN.shape, rng);
      const gWant = (single as LSTM).backward({ output: dOut, hN: dhN });
      const gGot = await parallel.backward({ output: dOut, hN: dhN });
      expectClose(gGot.input, gWant.input, 'd input');
      expectClose(gGot.h0, gWant.h0, 'd h0');
      if (c0) expectClose(gGot.c0!, gWant.c0, 'd c0');
      expect(Object.keys(gGot.params)).toEqual(Object.keys(gWant.params));
      for (const name of Object.keys(gWant.params)) expectClose(gGot.params[name]!, gWant.params[name]!, `d ${name}`);
      single.dispose();
      await parallel.dispose();
    });
  }

  it('loadStateDict reaches every replica; errors are typed; backward needs a training forward', async () => {
    const options = { inputSize: 2, hiddenSize: 3, seed: 9 };
    const single = new GRU(options);
    const parallel = await pool.gru({ ...options, seed: 10 });
    await parallel.loadStateDict(single.stateDict());
    const x = random([4, 4, 2], new Rng(1));
    expectClose((await parallel.forward(x)).output, single.forward(x).output, 'output after load');
    await expect(parallel.backward()).rejects.toMatchObject({ code: 'E_NO_TRAINING_FORWARD' });
    await expect(parallel.forward(random([4, 4, 3], new Rng(2)))).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_SHAPE' });
    await expect(parallel.loadStateDict({ nope: random([1, 1, 1], new Rng(3)) })).rejects.toMatchObject({ code: 'E_PARAM_NAME' });
    await parallel.dispose();
    await expect(parallel.forward(x)).rejects.toMatchObject({ code: 'E_DISPOSED' });
    single.dispose();
  });
});
