/**
 * ONNX export of the Activation layer (every type) and of the recurrent heads Keras'
 * Bidirectional has (finalStates: PyTorch's h_n of the top layer; mergeMode sum/ave/mul/concat),
 * run in onnxruntime-node and read back by our own `loadOnnx` (its element-wise activations,
 * Clip and Reduce* operators), both compared with `model.predict` within 1e-5 · max(1, max|ref|),
 * time-major and batch-first. The inputs are large enough (|x| up to 10) to reach relu6's and
 * hardSigmoid's flat parts and softplus' linear tail.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Activation, type ActivationOptions, type ActivationType, Dense, Embedding, GRU, LSTM, RNN, Sequential, tensor } from '../ts/index';
import { loadOnnx, toOnnx } from '../ts/interop/onnx/index';
import { scaledDiff, uniform } from './helpers/onnx-export';

const T = 5;
const B = 3;
const F = 4;

/** onnxruntime's output and our loadOnnx's for the model's input x, against model.predict(x). */
async function expectOnnxMatches(model: Sequential, kind: 'ids' | 'features', inputScale = 1): Promise<void> {
  const dims = model.batchFirst ? [B, T] : [T, B];
  const x = kind === 'ids' ? tensor(Int32Array.from(uniform(T * B, 9, 1), (v) => Math.floor((v + 1) * 3.5) % 7), dims) : tensor(uniform(T * B * F, 11, inputScale), [...dims, F]);
  const want = model.predict(x);
  const bytes = toOnnx(model);
  const session = await ort.InferenceSession.create(bytes);
  const input = x.data instanceof Int32Array ? new ort.Tensor('int32', x.data, x.shape) : new ort.Tensor('float32', x.data, x.shape);
  const got = (await session.run({ input })).output!;
  expect(Array.from(got.dims)).toEqual(want.shape);
  expect(scaledDiff(got.data as Float32Array, want.data), 'onnxruntime').toBeLessThan(1e-5);
  const ours = await loadOnnx(bytes);
  try {
    const back = (await ours.run({ input: x })).output!;
    expect(back.shape).toEqual(want.shape);
    expect(scaledDiff(back.data as Float32Array, want.data), 'loadOnnx').toBeLessThan(1e-5);
  } finally {
    ours.dispose();
  }
}

// Every type, spelt out here (not read from the library), with non-default parameters too.
const ACTIVATIONS: Array<Omit<ActivationOptions, 'type'> & { type: ActivationType }> = [
  { type: 'relu' },
  { type: 'leakyRelu' },
  { type: 'leakyRelu', negativeSlope: 0.3 },
  { type: 'elu' },
  { type: 'elu', alpha: 0.5 },
  { type: 'selu' },
  { type: 'sigmoid' },
  { type: 'hardSigmoid' },
  { type: 'tanh' },
  { type: 'softplus' },
  { type: 'softsign' },
  { type: 'silu' },
  { type: 'relu6' },
  { type: 'softmax' },
  { type: 'logSoftmax' },
];

describe('toOnnx: Activation layers in onnxruntime-node', () => {
  it.each(ACTIVATIONS.map((a) => [JSON.stringify(a), a] as const))('%s on every step, time-major and batch-first', async (_, a) => {
    for (const batchFirst of [false, true]) {
      // Activation first on the input itself (|x| ≤ 10), then again after a recurrent layer.
      const model = new Sequential([new Dense({ inputSize: F, outputSize: F }), new Activation(a), new GRU({ inputSize: F, hiddenSize: 4 }), new Dense({ inputSize: 4, outputSize: 3 }), new Activation(a)], { seed: 3, batchFirst });
      try {
        await expectOnnxMatches(model, 'features', 10);
      } finally {
        model.dispose();
      }
    }
  });

  it('on one row per sequence (after returnSequences: false)', async () => {
    const model = new Sequential([new LSTM({ inputSize: F, hiddenSize: 5, returnSequences: false }), new Activation({ type: 'logSoftmax' }), new Dense({ inputSize: 5, outputSize: 4 }), new Activation({ type: 'silu' })], { seed: 4 });
    try {
      await expectOnnxMatches(model, 'features', 3);
    } finally {
      model.dispose();
    }
  });
});

const HEADS: Array<[string, () => Sequential, 'ids' | 'features']> = [
  ['LSTM final states, concat', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, bidirectional: true, returnSequences: false, finalStates: true }), new Dense({ inputSize: 8, outputSize: 2 })], { seed: 1 }), 'features'],
  ['LSTM final states, sum', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, bidirectional: true, returnSequences: false, finalStates: true, mergeMode: 'sum' })], { seed: 2 }), 'features'],
  ['GRU 2 layers final states, ave, batch-first', () => new Sequential([new GRU({ inputSize: F, hiddenSize: 4, numLayers: 2, bidirectional: true, returnSequences: false, finalStates: true, mergeMode: 'ave' })], { seed: 3, batchFirst: true }), 'features'],
  ['RNN relu final states, mul, batch-first', () => new Sequential([new RNN({ inputSize: F, hiddenSize: 4, nonlinearity: 'relu', bidirectional: true, returnSequences: false, finalStates: true, mergeMode: 'mul' }), new Activation({ type: 'sigmoid' })], { seed: 4, batchFirst: true }), 'features'],
  ['GRU reset before final states, concat, batch-first', () => new Sequential([new GRU({ inputSize: F, hiddenSize: 3, resetAfter: false, bidirectional: true, returnSequences: false, finalStates: true } as never)], { seed: 5, batchFirst: true }), 'features'],
  ['unidirectional LSTM 2 layers final states', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, numLayers: 2, returnSequences: false, finalStates: true })], { seed: 6 }), 'features'],
  ['LSTM every step, mul', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, bidirectional: true, mergeMode: 'mul' }), new Dense({ inputSize: 4, outputSize: 2 })], { seed: 7 }), 'features'],
  ['GRU 2 layers every step, sum, batch-first', () => new Sequential([new GRU({ inputSize: F, hiddenSize: 4, numLayers: 2, bidirectional: true, mergeMode: 'sum' }), new Activation({ type: 'softmax' })], { seed: 8, batchFirst: true }), 'features'],
  ['RNN every step, ave, batch-first', () => new Sequential([new RNN({ inputSize: F, hiddenSize: 4, bidirectional: true, mergeMode: 'ave' })], { seed: 9, batchFirst: true }), 'features'],
  ['LSTM last step (not final states), sum', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, bidirectional: true, returnSequences: false, mergeMode: 'sum' })], { seed: 10 }), 'features'],
  ['GRU last step, mul, batch-first', () => new Sequential([new GRU({ inputSize: F, hiddenSize: 4, bidirectional: true, returnSequences: false, mergeMode: 'mul' })], { seed: 11, batchFirst: true }), 'features'],
  ['Embedding + GRU final states, ave + Dense, batch-first', () => new Sequential([new Embedding({ numEmbeddings: 7, embeddingDim: 3 }), new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, returnSequences: false, finalStates: true, mergeMode: 'ave' }), new Dense({ inputSize: 4, outputSize: 2 })], { seed: 12, batchFirst: true }), 'ids'],
  ['stacked: LSTM every step ave → GRU final states mul', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, bidirectional: true, mergeMode: 'ave' }), new GRU({ inputSize: 4, hiddenSize: 3, bidirectional: true, returnSequences: false, finalStates: true, mergeMode: 'mul' })], { seed: 13 }), 'features'],
];

describe('toOnnx: final states and merge modes in onnxruntime-node', () => {
  it.each(HEADS)('%s', async (_, make, kind) => {
    const model = make();
    try {
      await expectOnnxMatches(model, kind);
    } finally {
      model.dispose();
    }
  });

  it('final states and the last step differ for a bidirectional layer (the cases above can tell them apart)', () => {
    const make = (finalStates: boolean) => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, bidirectional: true, returnSequences: false, finalStates })], { seed: 1 });
    const [a, b] = [make(true), make(false)];
    try {
      const x = tensor(uniform(T * B * F, 11, 1), [T, B, F]);
      expect(scaledDiff(a.predict(x).data, b.predict(x).data)).toBeGreaterThan(1e-3);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
