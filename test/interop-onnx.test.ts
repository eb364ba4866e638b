/**
 * ONNX import against the real libraries: every model in test/golden/onnx (written by
 * test/golden/onnx_generate.py — onnx.helper nodes for each attribute of RNN/GRU/LSTM run by
 * onnxruntime, torch.onnx.export models with torch's outputs, and the ONNX backend test cases)
 * runs through loadOnnx and must match within 1e-5 · max(1, max|reference|).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dense, Embedding, GRU, LSTM, LayerNorm, RNN, Sequential, WasmRnnError, tensor } from '../ts/index';
import { type OnnxFeed, loadOnnx } from '../ts/interop/onnx/index';
import { scaledDiff } from './helpers/compare';

const DIR = new URL('./golden/onnx/', import.meta.url);
const TOL = 1e-5;

interface Stored {
  dtype: 'float32' | 'int32' | 'int64';
  shape: number[];
  data: number[];
}
interface Case {
  source: string;
  inputs: Record<string, Stored>;
  outputs: Record<string, Stored>;
}

const NAMES = readdirSync(DIR)
  .filter((f) => f.endsWith('.onnx'))
  .map((f) => f.slice(0, -'.onnx'.length))
  .sort();

function feed(s: Stored): OnnxFeed {
  return s.dtype === 'float32' ? tensor(Float32Array.from(s.data), s.shape) : tensor(Int32Array.from(s.data), s.shape);
}

describe('ONNX golden models', () => {
  it('covers every family and operator', () => {
    for (const family of ['helper_rnn', 'helper_gru', 'helper_lstm', 'torch_', 'ops_', 'backend_']) expect(NAMES.some((n) => n.startsWith(family)), family).toBe(true);
    expect(NAMES.length).toBeGreaterThan(130);
  });

  it.each(NAMES)('%s matches its reference', async (name) => {
    const c = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Case;
    const m = await loadOnnx(readFileSync(new URL(`${name}.onnx`, DIR)));
    const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, feed(v)]));
    const out = await m.run(feeds, Object.keys(c.outputs));
    for (const [k, want] of Object.entries(c.outputs)) {
      expect(out[k]!.shape, `${name} ${k} shape`).toEqual(want.shape);
      const diff = scaledDiff(out[k]!.data, want.data);
      expect(diff, `${name} ${k} (${c.source})`).toBeLessThan(TOL);
    }
    m.dispose();
    await expect(m.run(feeds)).rejects.toMatchObject({ code: 'E_DISPOSED' });
  });
});

describe('ONNX feeds', () => {
  const name = 'helper_lstm_forward_layout0_initial_lens';
  const bytes = () => readFileSync(new URL(`${name}.onnx`, DIR));
  const c = () => JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Case;

  it('names the graph inputs and outputs', async () => {
    const m = await loadOnnx(bytes());
    expect(m.inputNames).toEqual(['X', 'sequence_lens', 'initial_h', 'initial_c']);
    expect(m.outputNames).toEqual(['Y', 'Y_h', 'Y_c']);
  });

  it('refuses missing, unknown, mistyped and misshapen feeds with typed errors', async () => {
    const m = await loadOnnx(bytes());
    const good = Object.fromEntries(Object.entries(c().inputs).map(([k, v]) => [k, feed(v)]));
    const x = good.X!;
    const cases: Array<[Record<string, OnnxFeed>, string]> = [
      [{ ...good, X: undefined as never }, 'E_ARGUMENT'],
      [{ ...good, Z: x }, 'E_ARGUMENT'],
      [{ ...good, X: { data: new Int32Array(x.data.length), shape: x.shape } }, 'E_DTYPE'],
      [{ ...good, sequence_lens: tensor(new Float32Array(3), [3]) }, 'E_DTYPE'],
      [{ ...good, X: { data: new Float32Array(x.data.length), shape: [x.shape[0]!, x.shape[1]!, x.shape[2]! + 1] } }, 'E_SHAPE'],
      [{ ...good, X: { data: new Float32Array(2), shape: x.shape } }, 'E_SHAPE'],
    ];
    for (const [feeds, code] of cases) {
      const e = await m.run(feeds).catch((err: unknown) => err);
      expect(e, code).toBeInstanceOf(WasmRnnError);
      expect((e as WasmRnnError).code, (e as Error).message).toBe(code);
    }
  });

  it('refuses sequence lengths past the sequence as E_FORMAT', async () => {
    const m = await loadOnnx(bytes());
    const feeds = Object.fromEntries(Object.entries(c().inputs).map(([k, v]) => [k, feed(v)]));
    feeds.sequence_lens = tensor(Int32Array.of(9, 1, 1), [3]);
    await expect(m.run(feeds)).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringContaining('sequence_lens') });
  });
});

describe('ONNX round trip', () => {
  // Exported by model.toOnnx() (checked against onnxruntime in interop-onnx-export.test.ts),
  // read back and run by loadOnnx: Gather, the three recurrent nodes, Transpose/Reshape/Squeeze,
  // MatMul/Add and LayerNormalization.
  it.each([
    ['LSTM bidirectional 2 layers + LayerNorm + Dense', () => new Sequential([new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }), new LayerNorm({ normalizedShape: 8 }), new Dense({ inputSize: 8, outputSize: 2 })], { seed: 3 }), false],
    ['batch-first GRU last step', () => new Sequential([new GRU({ inputSize: 3, hiddenSize: 5, returnSequences: false })], { seed: 4, batchFirst: true }), false],
    ['Embedding + RNN relu', () => new Sequential([new Embedding({ numEmbeddings: 6, embeddingDim: 3 }), new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' })], { seed: 5 }), true],
  ] as const)('%s', async (_, make, ids) => {
    const model = make();
    const [t, b] = [4, 3];
    const dims = model.batchFirst ? [b, t] : [t, b];
    const x = ids ? tensor(Int32Array.from({ length: t * b }, (_, i) => (i * 7) % 6), dims) : tensor(Float32Array.from({ length: t * b * 3 }, (_, i) => Math.sin(i * 1.3)), [...dims, 3]);
    const want = model.predict(x);
    const m = await loadOnnx(model.toOnnx());
    const got = (await m.run({ input: x })).output!;
    expect(got.shape).toEqual(want.shape);
    expect(scaledDiff(got.data, Array.from(want.data))).toBeLessThan(TOL);
    model.dispose();
  });
});
