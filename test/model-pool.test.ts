/**
 * Data-parallel training: trainStep/fit with a WorkerPool split the batch across workers and
 * apply one update with the gradients of the whole batch — the same as one thread, to 1e-5
 * (only float summation order differs). Runs the built bundle (dist/), as the pool tests do.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Variant } from '../ts/backend/init';
import { Rng } from './helpers/random';

const distEntry = new URL('../dist/index.js', import.meta.url);
type Dist = typeof import('../ts/index');
let dist: Dist;
let pool: Awaited<ReturnType<Dist['WorkerPool']['create']>>;

beforeAll(async () => {
  if (!existsSync(distEntry)) throw new Error('dist/ is missing: run `npm run build` first');
  dist = (await import(distEntry.href)) as Dist;
  await dist.init({ variant: process.env.WASM_RNN_VARIANT as Variant });
  pool = await dist.WorkerPool.create({ workers: 2 });
});
afterAll(async () => {
  await pool?.terminate();
});

function maxScaledDiff(a: Record<string, { data: Float32Array }>, b: Record<string, { data: Float32Array }>): number {
  let worst = 0;
  for (const [name, t] of Object.entries(a)) {
    const u = b[name]!.data;
    const scale = Math.max(1, ...Array.from(t.data, Math.abs));
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i]! - u[i]!) / scale);
  }
  return worst;
}

describe('data-parallel training on a WorkerPool', () => {
  it('char model, cross-entropy with ignored targets (uneven shards), Adam + clipping: 3 steps equal one thread', async () => {
    const rng = new Rng(21);
    const [T, B, V] = [7, 5, 11];
    const make = () => {
      const m = new dist.Sequential([new dist.Embedding({ numEmbeddings: V, embeddingDim: 6 }), new dist.LSTM({ inputSize: 6, hiddenSize: 9, numLayers: 2 }), new dist.LayerNorm({ normalizedShape: 9 }), new dist.Dense({ inputSize: 9, outputSize: V })], { seed: 3 });
      m.compile({ loss: { type: 'crossEntropy', ignoreIndex: -1 }, optimizer: new dist.Adam({ lr: 0.01 }), clipGradNorm: 0.5 });
      return m;
    };
    const single = make();
    const parallel = make();
    for (let step = 0; step < 3; step++) {
      const ids = Int32Array.from({ length: T * B }, () => Math.floor(rng.uniform(0, V)));
      // Batch rows 0–2 go to worker 0, rows 3–4 to worker 1; ignore most of worker 1's targets.
      const targets = Int32Array.from({ length: T * B }, (_, i) => (i % B >= 3 && i % 3 !== 0 ? -1 : Math.floor(rng.uniform(0, V))));
      const x = dist.tensor(ids, [T, B]);
      const y = dist.tensor(targets, [T, B]);
      const a = single.trainStep(x, y);
      const b = await parallel.trainStep(x, y, { pool });
      expect(Math.abs(a - b), `step ${step} loss ${a} vs ${b}`).toBeLessThan(1e-5);
    }
    const diff = maxScaledDiff(single.stateDict(), parallel.stateDict());
    expect(diff, `max parameter difference ${diff}`).toBeLessThan(1e-5);
    single.dispose();
    parallel.dispose();
  });

  it('ctc with label rows [B, S] (split by sample, not by step) and packed input lengths: 2 steps equal one thread', async () => {
    const rng = new Rng(23);
    const [T, B, F, C, S] = [9, 5, 3, 5, 3];
    const make = () => {
      const m = new dist.Sequential([new dist.GRU({ inputSize: F, hiddenSize: 6, bidirectional: true, resetAfter: false }), new dist.Dense({ inputSize: 12, outputSize: C })], { seed: 4 });
      m.compile({ loss: 'ctc', optimizer: new dist.Adam({ lr: 0.01 }) });
      return m;
    };
    const single = make();
    const parallel = make();
    const lengths = dist.tensor(Int32Array.from([9, 7, 8, 9, 6]), [B]);
    for (let step = 0; step < 2; step++) {
      const x = dist.tensor(Float32Array.from({ length: T * B * F }, () => rng.uniform(-1, 1)), [T, B, F]);
      // Rows of different lengths (−1 pads), labels 1..C−1.
      const y = dist.tensor(Int32Array.from({ length: B * S }, (_, i) => (i % S <= (Math.floor(i / S) % S) ? 1 + Math.floor(rng.uniform(0, C - 1)) : -1)), [B, S]);
      const a = single.trainStep(x, y, { lengths });
      const b = await parallel.trainStep(x, y, { lengths, pool });
      expect(Math.abs(a - b), `step ${step} loss ${a} vs ${b}`).toBeLessThan(1e-5);
    }
    const diff = maxScaledDiff(single.stateDict(), parallel.stateDict());
    expect(diff, `max parameter difference ${diff}`).toBeLessThan(1e-5);
    single.dispose();
    parallel.dispose();
  });

  it('regression with packed variable-length batches (GRU, bidirectional), SGD momentum: fit with a pool equals fit without', async () => {
    const rng = new Rng(22);
    const [T, N, F] = [6, 12, 3];
    const x = dist.tensor(Float32Array.from({ length: T * N * F }, () => rng.uniform(-1, 1)), [T, N, F]);
    const y = dist.tensor(Float32Array.from({ length: T * N * 2 }, () => rng.uniform(-1, 1)), [T, N, 2]);
    const lengths = dist.tensor(Int32Array.from({ length: N }, (_, i) => 1 + (i * 5) % T), [N]);
    const make = () => {
      const m = new dist.Sequential([new dist.GRU({ inputSize: F, hiddenSize: 5, bidirectional: true }), new dist.Dense({ inputSize: 10, outputSize: 2 })], { seed: 8 });
      m.compile({ loss: 'mse', optimizer: new dist.SGD({ lr: 0.1, momentum: 0.9 }) });
      return m;
    };
    const single = make();
    const parallel = make();
    const h1 = await single.fit(x, y, { epochs: 2, batchSize: 5, shuffle: false, lengths });
    const h2 = await parallel.fit(x, y, { epochs: 2, batchSize: 5, shuffle: false, lengths, pool });
    h1.loss.forEach((l, i) => expect(Math.abs(l - h2.loss[i]!)).toBeLessThan(1e-5));
    const diff = maxScaledDiff(single.stateDict(), parallel.stateDict());
    expect(diff, `max parameter difference ${diff}`).toBeLessThan(1e-5);
    single.dispose();
    parallel.dispose();
  });

  it('initial states (2-layer LSTM, then a GRU): trainStep from given states equals one thread, and so do the final states it leaves', async () => {
    const rng = new Rng(24);
    const [T, B, V] = [6, 5, 9];
    const make = () => {
      const m = new dist.Sequential([new dist.Embedding({ numEmbeddings: V, embeddingDim: 4 }), new dist.LSTM({ inputSize: 4, hiddenSize: 7, numLayers: 2 }), new dist.GRU({ inputSize: 7, hiddenSize: 5 }), new dist.Dense({ inputSize: 5, outputSize: V })], { seed: 5 });
      m.compile({ loss: 'crossEntropy', optimizer: new dist.Adam({ lr: 0.02 }), clipGradNorm: 1 });
      return m;
    };
    const single = make();
    const parallel = make();
    // Non-zero states, different in every row, so a shard given the wrong rows would show.
    const states: Record<string, Float32Array> = Object.fromEntries(Object.entries(single.initialState(B)).map(([name, v]) => [name, Float32Array.from(v, () => rng.uniform(-1, 1))]));
    let [sa, sb] = [states, states];
    for (let step = 0; step < 3; step++) {
      const x = dist.tensor(Int32Array.from({ length: T * B }, () => Math.floor(rng.uniform(0, V))), [T, B]);
      const y = dist.tensor(Int32Array.from({ length: T * B }, () => Math.floor(rng.uniform(0, V))), [T, B]);
      const a = single.trainStep(x, y, { states: sa });
      const b = await parallel.trainStep(x, y, { states: sb, pool });
      expect(Math.abs(a - b), `step ${step} loss ${a} vs ${b}`).toBeLessThan(1e-5);
      [sa, sb] = [single.lastFinalState(B), parallel.lastFinalState(B)];
      for (const name of Object.keys(states)) {
        expect(sb[name]!.length).toBe(sa[name]!.length);
        sa[name]!.forEach((v, i) => expect(Math.abs(v - sb[name]![i]!), `${name}[${i}] after step ${step}`).toBeLessThan(1e-5));
      }
    }
    expect(maxScaledDiff(single.stateDict(), parallel.stateDict())).toBeLessThan(1e-5);
    // The gathered states stand until the model's next wasm call, then the model's own again.
    parallel.predict(dist.tensor(new Int32Array(2 * B), [2, B]));
    expect(parallel.lastFinalState(B)['1.h']).not.toEqual(sb['1.h']);
    single.dispose();
    parallel.dispose();
  });

  it('stateful fit with truncated BPTT: a pool equals one thread', async () => {
    const rng = new Rng(25);
    const [T, N, V] = [8, 12, 7];
    const x = dist.tensor(Int32Array.from({ length: T * N }, () => Math.floor(rng.uniform(0, V))), [T, N]);
    const y = dist.tensor(Int32Array.from({ length: T * N }, () => Math.floor(rng.uniform(0, V))), [T, N]);
    const make = () => {
      const m = new dist.Sequential([new dist.Embedding({ numEmbeddings: V, embeddingDim: 3 }), new dist.LSTM({ inputSize: 3, hiddenSize: 6 }), new dist.Dense({ inputSize: 6, outputSize: V })], { seed: 6 });
      m.compile({ loss: 'crossEntropy', optimizer: new dist.Adam({ lr: 0.02 }) });
      return m;
    };
    const single = make();
    const parallel = make();
    const h1 = await single.fit(x, y, { epochs: 2, batchSize: 4, stateful: true, tbptt: 3 });
    const h2 = await parallel.fit(x, y, { epochs: 2, batchSize: 4, stateful: true, tbptt: 3, pool });
    h1.loss.forEach((l, i) => expect(Math.abs(l - h2.loss[i]!)).toBeLessThan(1e-5));
    expect(maxScaledDiff(single.stateDict(), parallel.stateDict())).toBeLessThan(1e-5);
    single.dispose();
    parallel.dispose();
  });

  it('rejects what a pool cannot do, with typed errors and nothing changed', async () => {
    const m = new dist.Sequential([new dist.LSTM({ inputSize: 2, hiddenSize: 3 }), new dist.Dense({ inputSize: 3, outputSize: 1 })], { seed: 1 });
    m.compile({ loss: 'mse', optimizer: new dist.SGD({ lr: 0.1 }) });
    const before = m.stateDict();
    const x = dist.tensor(new Float32Array(2 * 4 * 2), [2, 4, 2]);
    const y = dist.tensor(new Float32Array(2 * 4), [2, 4, 1]);
    await expect(m.trainStep(x, y, { pool, states: m.initialState(3) })).rejects.toMatchObject({ code: 'E_SHAPE' });
    await expect(m.trainStep(x, y, { pool, states: { '0.h': new Float32Array(12) } })).rejects.toMatchObject({ code: 'E_ARGUMENT' });
    await expect(m.trainStep(x, dist.tensor(new Float32Array(3), [3]) as never, { pool })).rejects.toMatchObject({ code: 'E_SHAPE' });
    await expect(m.trainStep(x, y, { pool: {} as never })).rejects.toMatchObject({ code: 'E_ARGUMENT' });
    expect(m.stateDict()).toEqual(before);
    m.dispose();
  });
});
