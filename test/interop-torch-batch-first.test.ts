/**
 * `Sequential({ batchFirst: true })` (PyTorch's batch_first=True, Keras' layout) is the
 * time-major model with the first two axes swapped at its boundary: for the same weights,
 * predict, evaluate, trainStep (also with lengths), fit, step and save/load must give exactly
 * the time-major model's numbers on the transposed data — bit for bit, as the arithmetic is
 * the same calls into wasm.
 */
import { describe, expect, it } from 'vitest';
import { Dense, Embedding, GRU, LSTM, SGD, Sequential, loadModel, tensor } from '../ts/index';

/** [A, B, …] → [B, A, …]. */
function swap<T extends Float32Array | Int32Array>(data: T, shape: number[]): T {
  const [a, b, ...rest] = shape as [number, number, ...number[]];
  const inner = rest.reduce((x, y) => x * y, 1);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(data.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  return out;
}

function pair(batchFirst: boolean, returnSequences = true) {
  return new Sequential([new Embedding({ numEmbeddings: 7, embeddingDim: 3 }), new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, seed: 3 }), new GRU({ inputSize: 8, hiddenSize: 3, seed: 4, returnSequences }), new Dense({ inputSize: 3, outputSize: 2 })], { seed: 9, batchFirst });
}

const T = 5;
const B = 3;
const idsTB = Int32Array.from({ length: T * B }, (_, i) => (i * 5 + 1) % 7);
const yTB = Float32Array.from({ length: T * B * 2 }, (_, i) => Math.sin(i));

describe('Sequential({ batchFirst: true }) equals the time-major model on transposed data', () => {
  it('predict, evaluate and trainStep (with and without lengths)', () => {
    const tm = pair(false);
    const bf = pair(true);
    try {
      expect(bf.batchFirst).toBe(true);
      bf.loadStateDict(tm.stateDict());
      const xBT = tensor(swap(idsTB, [T, B]), [B, T]);
      const out = bf.predict(xBT);
      expect(out.shape).toEqual([B, T, 2]);
      expect(Array.from(out.data)).toEqual(Array.from(swap(tm.predict(tensor(idsTB, [T, B])).data, [T, B, 2])));
      for (const m of [tm, bf]) m.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.1 }) });
      const yBT = tensor(swap(yTB, [T, B, 2]), [B, T, 2]);
      expect(bf.evaluate(xBT, yBT).loss).toBe(tm.evaluate(tensor(idsTB, [T, B]), tensor(yTB, [T, B, 2])).loss);
      const lengths = Int32Array.of(5, 2, 4);
      expect(bf.trainStep(xBT, yBT, { lengths })).toBe(tm.trainStep(tensor(idsTB, [T, B]), tensor(yTB, [T, B, 2]), { lengths }));
      expect(bf.trainStep(xBT, yBT)).toBe(tm.trainStep(tensor(idsTB, [T, B]), tensor(yTB, [T, B, 2])));
      expect(Array.from(bf.getWeights())).toEqual(Array.from(tm.getWeights()));
    } finally {
      tm.dispose();
      bf.dispose();
    }
  });

  it('returnSequences: false gives [B, F] in both layouts; fit and step follow the layout', async () => {
    const tm = pair(false, false);
    const bf = pair(true, false);
    try {
      bf.loadStateDict(tm.stateDict());
      const xBT = tensor(swap(idsTB, [T, B]), [B, T]);
      expect(Array.from(bf.predict(xBT).data)).toEqual(Array.from(tm.predict(tensor(idsTB, [T, B])).data));
      for (const m of [tm, bf]) m.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.1 }) });
      const y = tensor(yTB.slice(0, B * 2), [B, 2]);
      const [hb, ht] = [await bf.fit(xBT, y, { epochs: 2, batchSize: 2, shuffle: true, validationSplit: 0.34 }), await tm.fit(tensor(idsTB, [T, B]), y, { epochs: 2, batchSize: 2, shuffle: true, validationSplit: 0.34 })];
      expect(hb.loss).toEqual(ht.loss);
      expect(hb.valLoss).toEqual(ht.valLoss);
      // A one-step batch-first sequence [B, 1] is the same step as ids [B].
      const s = bf.step(tensor(Int32Array.of(1, 2, 3), [B, 1]), bf.initialState(B));
      const t = tm.step(tensor(Int32Array.of(1, 2, 3), [B]), tm.initialState(B));
      expect(Array.from(s.output.data)).toEqual(Array.from(t.output.data));
    } finally {
      tm.dispose();
      bf.dispose();
    }
  });

  it('save → loadModel keeps the layout; the input is not modified', async () => {
    const bf = pair(true);
    const again = await loadModel(bf.save());
    try {
      expect(again.batchFirst).toBe(true);
      const data = swap(idsTB, [T, B]);
      const copy = data.slice();
      expect(Array.from(again.predict(tensor(data, [B, T])).data)).toEqual(Array.from(bf.predict(tensor(data, [B, T])).data));
      expect(Array.from(data)).toEqual(Array.from(copy));
    } finally {
      bf.dispose();
      again.dispose();
    }
  });

  it('a batch-first x of the wrong rank is E_SHAPE', () => {
    const bf = pair(true);
    try {
      expect(() => bf.predict(tensor(new Int32Array(7), [7]))).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    } finally {
      bf.dispose();
    }
  });
});
