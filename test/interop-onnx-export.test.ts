/**
 * ONNX export: `model.toOnnx()` (the exporter `toOnnx` of 'wasm-rnn/onnx', registered when that entry loads) files run in
 * onnxruntime-node (the real runtime) with the model's own outputs within 1e-5 · max(1, max|ref|),
 * for every layer type and option that has an ONNX counterpart, batch-first models taking and
 * returning [B, T, …]; read back by our parser, they list the same graph; a projection is
 * E_UNSUPPORTED.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Dense, Dropout, Embedding, GRU, LSTM, LayerNorm, RNN, Sequential, WasmRnnError, tensor } from '../ts/index';
import { decodeModel } from '../ts/interop/onnx/decode';
import { toOnnx } from '../ts/interop/onnx/index';
import { scaledDiff, uniform } from './helpers/onnx-export';

const T = 5;
const B = 3;
const F = 4;

const MODELS: Array<[string, () => Sequential, 'ids' | 'features']> = [
  ['LSTM 2 layers bidirectional + Dense', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 6, numLayers: 2, bidirectional: true }), new Dense({ inputSize: 12, outputSize: 3 })], { seed: 1 }), 'features'],
  ['GRU (reset after) last step + LayerNorm', () => new Sequential([new GRU({ inputSize: F, hiddenSize: 5, returnSequences: false }), new LayerNorm({ normalizedShape: 5 })], { seed: 2 }), 'features'],
  ['GRU reset before, no bias', () => new Sequential([new GRU({ inputSize: F, hiddenSize: 5, resetAfter: false, bias: false } as never)], { seed: 3 }), 'features'],
  ['RNN relu bidirectional + Dropout + LayerNorm without affine', () => new Sequential([new RNN({ inputSize: F, hiddenSize: 4, nonlinearity: 'relu', bidirectional: true }), new Dropout({ p: 0.3 }), new LayerNorm({ normalizedShape: 8, elementwiseAffine: false, eps: 1e-3 })], { seed: 4 }), 'features'],
  ['Embedding + RNN tanh 2 layers + Dense no bias', () => new Sequential([new Embedding({ numEmbeddings: 7, embeddingDim: 3 }), new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2 }), new Dense({ inputSize: 4, outputSize: 2, bias: false })], { seed: 5 }), 'ids'],
  ['batch-first LSTM', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 3 })], { seed: 6, batchFirst: true }), 'features'],
  ['batch-first LSTM bidirectional 2 layers + Dense', () => new Sequential([new LSTM({ inputSize: F, hiddenSize: 4, numLayers: 2, bidirectional: true }), new Dense({ inputSize: 8, outputSize: 2 })], { seed: 8, batchFirst: true }), 'features'],
  ['batch-first Embedding + GRU last step', () => new Sequential([new Embedding({ numEmbeddings: 9, embeddingDim: 4 }), new GRU({ inputSize: 4, hiddenSize: 3, returnSequences: false, bidirectional: true })], { seed: 7, batchFirst: true }), 'ids'],
];

describe('toOnnx in onnxruntime-node', () => {
  it.each(MODELS)('%s', async (_, make, kind) => {
    const model = make();
    const dims = model.batchFirst ? [B, T] : [T, B];
    const x =
      kind === 'ids'
        ? tensor(Int32Array.from(uniform(T * B, 9, 2), (v) => Math.floor((v + 2) * 1.7) % 7), dims)
        : tensor(uniform(T * B * F, 11, 2), [...dims, F]);
    const want = model.predict(x);
    const bytes = model.toOnnx();
    expect(toOnnx(model)).toEqual(bytes);
    const session = await ort.InferenceSession.create(bytes);
    const input = x.data instanceof Int32Array ? new ort.Tensor('int32', x.data, x.shape) : new ort.Tensor('float32', x.data, x.shape);
    const got = (await session.run({ input })).output!;
    expect(Array.from(got.dims)).toEqual(want.shape);
    expect(scaledDiff(got.data as Float32Array, want.data)).toBeLessThan(1e-5);
    // Our own parser reads the file our writer made.
    const proto = decodeModel(bytes);
    expect(proto.graph!.input.map((i) => i.name)).toEqual(['input']);
    expect(proto.graph!.output.map((o) => o.name)).toEqual(['output']);
    // The declared input layout is the model's: [batch, seq, …] when batch-first.
    const inType = proto.graph!.input[0]!.type!.value;
    const inDims = inType.case === 'tensorType' ? inType.value.shape!.dim.map((d) => d.value.value) : [];
    expect(inDims.slice(0, 2)).toEqual(model.batchFirst ? ['batch', 'seq'] : ['seq', 'batch']);
    model.dispose();
  });

  it('refuses a projection with E_UNSUPPORTED', async () => {
    const m = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, projSize: 2 })]);
    expect(() => m.toOnnx()).toThrow(WasmRnnError);
    expect(() => m.toOnnx()).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringContaining('projSize') }));
    expect(() => toOnnx(m)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    m.dispose();
  });
});
