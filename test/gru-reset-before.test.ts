/**
 * The GRU with its reset gate before the recurrent product (`resetAfter: false`: Keras'
 * `reset_after=False`, ONNX's `linear_before_reset=0`), on every wasm build:
 *   n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
 * forward against a float64 reference at odd sizes (stacked, bidirectional, no bias, padded
 * batches); the gradients are checked by finite differences in test/gradcheck.test.ts (cell
 * 'gru_reset_before'). Inside a Sequential: streaming equals the full forward, the option is
 * saved with the model, and it really differs from PyTorch's GRU.
 */
import { describe, expect, it } from 'vitest';
import { Dense, GRU, Sequential, WasmRnnError, loadModel, tensor } from '../ts/index';
import { expectBitEqual, expectClose, features, stepThrough } from './helpers/model-kit';
import { Rng } from './helpers/random';
import { referenceForward } from './helpers/reference64';

const CONFIGS = [
  { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false, bias: true, seq: 4, batch: 2 },
  { inputSize: 1, hiddenSize: 7, numLayers: 2, bidirectional: true, bias: true, seq: 3, batch: 1 },
  { inputSize: 5, hiddenSize: 9, numLayers: 2, bidirectional: false, bias: false, seq: 6, batch: 3 },
  { inputSize: 4, hiddenSize: 13, numLayers: 3, bidirectional: true, bias: true, seq: 2, batch: 5 },
  { inputSize: 2, hiddenSize: 1, numLayers: 1, bidirectional: false, bias: true, seq: 9, batch: 1 },
];

describe('GRU({ resetAfter: false }) forward equals the float64 reference', () => {
  for (const [k, c] of CONFIGS.entries()) {
    it(`I${c.inputSize} H${c.hiddenSize} L${c.numLayers}${c.bidirectional ? ' bi' : ''}${c.bias ? '' : ' nobias'} T${c.seq} B${c.batch}`, () => {
      const { seq, batch, ...options } = c;
      const layer = new GRU({ ...options, resetAfter: false, seed: 10 + k });
      const rng = new Rng(20 + k);
      const D = c.bidirectional ? 2 : 1;
      const x = rng.tensor([seq, batch, c.inputSize]);
      const h0 = rng.tensor([c.numLayers * D, batch, c.hiddenSize]);
      const ref = referenceForward('gru_reset_before', options, layer.stateDict(), x, h0);
      for (const training of [false, true]) {
        const out = layer.forward(x, { h0, training });
        expectClose(out.output.data, ref.output, 2e-6, `output (training ${training})`);
        expectClose(out.hN.data, ref.hN, 2e-6, `hN (training ${training})`);
      }
      // The same weights under PyTorch's GRU give another function: the option is not ignored.
      const torchGru = new GRU({ ...options, seed: 10 + k });
      torchGru.loadStateDict(layer.stateDict());
      const other = referenceForward('gru', options, layer.stateDict(), x, h0);
      expectClose(torchGru.forward(x, { h0 }).output.data, other.output, 2e-6, 'resetAfter: true');
      expect(Math.max(...ref.output.map((v, i) => Math.abs(v - other.output[i]!)))).toBeGreaterThan(1e-3);
      layer.dispose();
      torchGru.dispose();
    });
  }

  it('packed batches (Sequential lengths): each sequence is its own shorter sequence', () => {
    const model = new Sequential([new GRU({ inputSize: 3, hiddenSize: 6, bidirectional: true, resetAfter: false })], { seed: 4 });
    const params = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k.replace(/^0\./, ''), v]));
    const rng = new Rng(5);
    const lengths = [5, 2, 4];
    const x = rng.tensor([5, 3, 3]);
    const out = model.predict(x, { lengths: tensor(Int32Array.from(lengths), [3]) });
    for (const [b, n] of lengths.entries()) {
      const xb = new Float32Array(n * 3);
      for (let t = 0; t < n; t++) xb.set(x.data.subarray((t * 3 + b) * 3, (t * 3 + b) * 3 + 3), t * 3);
      const ref = referenceForward('gru_reset_before', { inputSize: 3, hiddenSize: 6, bidirectional: true }, params, { data: xb, shape: [n, 1, 3] });
      for (let t = 0; t < 5; t++) {
        const got = out.data.subarray((t * 3 + b) * 12, (t * 3 + b) * 12 + 12);
        expectClose(got, t < n ? ref.output.subarray(t * 12, t * 12 + 12) : new Float64Array(12), 2e-6, `sequence ${b} step ${t}`);
      }
    }
    model.dispose();
  });

  it('rejects a non-boolean resetAfter with E_CONFIG', () => {
    expect(() => new GRU({ inputSize: 1, hiddenSize: 1, resetAfter: 0 as never })).toThrow(WasmRnnError);
  });
});

describe('GRU({ resetAfter: false }) in a Sequential', () => {
  it('step over T equals predict; save → loadModel keeps the option and the outputs bit for bit', async () => {
    const model = new Sequential([new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, resetAfter: false }), new Dense({ inputSize: 5, outputSize: 2 })], { seed: 8 });
    const x = features(9, [6, 2, 3]);
    const full = model.predict(x);
    expectClose(stepThrough(model, x).output, full.data, 1e-6, 'step vs predict');
    const again = await loadModel(model.save());
    expect(again.config[0]).toMatchObject({ type: 'GRU', cell: 'gru_reset_before', resetAfter: false });
    expectBitEqual(again.predict(x).data, full.data, 'reloaded predict');
    model.dispose();
    again.dispose();
  });
});
