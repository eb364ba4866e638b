/**
 * The CTC loss ({ type: 'ctc' }) against PyTorch's nn.CTCLoss in float64
 * (test/golden/ctc_generate.py): Sequential([Dense(C → C)]) → log_softmax → CTC, mean
 * reduction; the loss and the Dense weight and bias gradients within 1e-5 (scaled), for packed
 * input lengths, padded label rows, an empty target, a non-zero blank and an impossible
 * alignment (+∞: a typed error and no update; with zeroInfinity: counted as 0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dense, GRU, SGD, Sequential, WasmRnnError, tensor } from '../ts/index';
import { expectClose } from './helpers/model-kit';

interface Case {
  name: string;
  T: number;
  B: number;
  C: number;
  S: number;
  blank: number;
  zeroInfinity: boolean;
  x: number[];
  weight: number[];
  bias: number[];
  targets: number[];
  lengths: number[];
  loss: number | null;
  gradWeight?: number[];
  gradBias?: number[];
}

const { cases } = JSON.parse(readFileSync(new URL('./golden/ctc/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };
const scaled = (want: ArrayLike<number>) => 1e-5 * Math.max(1, ...Array.from(want, Math.abs));

function build(c: Case): Sequential {
  const model = new Sequential([new Dense({ inputSize: c.C, outputSize: c.C })], { seed: 1 });
  model.loadStateDict({ '0.weight': tensor(Float32Array.from(c.weight), [c.C, c.C]), '0.bias': tensor(Float32Array.from(c.bias), [c.C]) });
  model.compile({ loss: { type: 'ctc', blank: c.blank, zeroInfinity: c.zeroInfinity }, optimizer: new SGD({ lr: 0.1 }) });
  return model;
}

const inputs = (c: Case) => ({
  x: tensor(Float32Array.from(c.x), [c.T, c.B, c.C]),
  y: tensor(Int32Array.from(c.targets), [c.B, c.S]),
  lengths: tensor(Int32Array.from(c.lengths), [c.B]),
});

describe('ctc loss matches torch.nn.CTCLoss (float64)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const model = build(c);
      const { x, y, lengths } = inputs(c);
      if (c.loss === null) {
        const before = model.stateDict();
        let caught: unknown;
        try {
          model.trainStep(x, y, { lengths });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(WasmRnnError);
        expect((caught as WasmRnnError).code).toBe('E_NON_FINITE');
        expect(model.evaluate(x, y, { lengths }).loss).toBe(Infinity);
        const after = model.stateDict();
        for (const k of Object.keys(before)) expect(Array.from(after[k]!.data)).toEqual(Array.from(before[k]!.data));
      } else {
        const { loss, grads } = model.computeGradients(x, y, { lengths });
        expect(Math.abs(loss - c.loss)).toBeLessThanOrEqual(scaled([c.loss]));
        const weight = grads.subarray(0, c.C * c.C);
        const bias = grads.subarray(c.C * c.C, c.C * c.C + c.C);
        expectClose(weight, c.gradWeight!, scaled(c.gradWeight!), 'grad weight');
        expectClose(bias, c.gradBias!, scaled(c.gradBias!), 'grad bias');
        expect(Math.abs(model.evaluate(x, y, { lengths }).loss - c.loss)).toBeLessThanOrEqual(scaled([c.loss]));
      }
      model.dispose();
    });
  }
});

describe('ctc in training', () => {
  it('a bidirectional GRU learns to emit a label sequence; fit splits label rows by sample', async () => {
    // Each sample: 3 one-hot "sounds" of 4 steps; the target is the sound sequence.
    const T = 12;
    const N = 24;
    const C = 4; // blank + 3 labels
    const x = new Float32Array(T * N * 3);
    const y = new Int32Array(N * 3);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < 3; k++) {
        const label = ((n * 7 + k * 5) % 3) + 1;
        y[n * 3 + k] = label;
        for (let t = 4 * k; t < 4 * k + 3; t++) x[(t * N + n) * 3 + label - 1] = 1;
      }
    }
    const model = new Sequential([new GRU({ inputSize: 3, hiddenSize: 8, bidirectional: true }), new Dense({ inputSize: 16, outputSize: C })], { seed: 3 });
    model.compile({ loss: 'ctc', optimizer: new SGD({ lr: 0.5, momentum: 0.9 }), clipGradNorm: 5 });
    const xs = tensor(x, [T, N, 3]);
    const ys = tensor(y, [N, 3]);
    const first = model.evaluate(xs, ys).loss;
    const history = await model.fit(xs, ys, { epochs: 60, batchSize: 8, shuffle: true });
    const last = model.evaluate(xs, ys).loss;
    expect(history.loss.length).toBe(60);
    expect(last).toBeLessThan(first / 4);
    model.dispose();
  });

  it('a batch-first model takes x [B, T, F] and the same label rows [B, S]: the loss and update of the time-major model', () => {
    const c = cases[0]!;
    const timeMajor = build(c);
    const batchFirst = new Sequential([new Dense({ inputSize: c.C, outputSize: c.C })], { seed: 1, batchFirst: true });
    batchFirst.loadStateDict(timeMajor.stateDict());
    batchFirst.compile({ loss: 'ctc', optimizer: new SGD({ lr: 0.1 }) });
    const { x, y, lengths } = inputs(c);
    const xb = new Float32Array(x.data.length);
    for (let t = 0; t < c.T; t++) for (let b = 0; b < c.B; b++) xb.set(x.data.subarray((t * c.B + b) * c.C, (t * c.B + b + 1) * c.C), (b * c.T + t) * c.C);
    const a = timeMajor.trainStep(x, y, { lengths });
    const b = batchFirst.trainStep(tensor(xb, [c.B, c.T, c.C]), y, { lengths });
    expect(b).toBe(a);
    expect(Array.from(batchFirst.stateDict()['0.weight']!.data)).toEqual(Array.from(timeMajor.stateDict()['0.weight']!.data));
    timeMajor.dispose();
    batchFirst.dispose();
  });

  it('rejects labels equal to the blank or outside the classes, and float targets, leaving the model unchanged', () => {
    const model = new Sequential([new Dense({ inputSize: 2, outputSize: 3 })], { seed: 1 });
    model.compile({ loss: 'ctc', optimizer: new SGD({ lr: 0.1 }) });
    const x = tensor(new Float32Array(4 * 2 * 2).fill(0.5), [4, 2, 2]);
    const before = model.stateDict()['0.weight']!.data.slice();
    for (const [labels, code] of [
      [[1, 0, 2, -1], 'E_ARGUMENT'],
      [[1, 3, 2, -1], 'E_ARGUMENT'],
    ] as const) {
      expect(() => model.trainStep(x, tensor(Int32Array.from(labels), [2, 2]))).toThrow(expect.objectContaining({ code }));
    }
    expect(() => model.trainStep(x, tensor(new Float32Array(4), [2, 2]))).toThrow(expect.objectContaining({ code: 'E_DTYPE' }));
    expect(() => model.trainStep(x, tensor(Int32Array.from([1, 2, 1]), [3, 1]))).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    expect(Array.from(model.stateDict()['0.weight']!.data)).toEqual(Array.from(before));
    model.dispose();
  });
});
