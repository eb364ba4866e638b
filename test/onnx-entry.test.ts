/**
 * model.toOnnx() needs the `wasm-rnn/onnx` entry, which registers the exporter when it loads:
 * before, a typed error naming the entry; after, the same bytes as the entry's toOnnx(model).
 * (Its own file: vitest isolates files, so no other test has loaded the entry here.)
 */
import { describe, expect, it } from 'vitest';
import { Dense, LSTM, Sequential, WasmRnnError } from '../ts/index';

describe('Sequential.toOnnx and the wasm-rnn/onnx entry', () => {
  it('throws E_UNSUPPORTED naming the entry until it is loaded, then exports', async () => {
    const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3 }), new Dense({ inputSize: 3, outputSize: 1 })], { seed: 1 });
    let caught: unknown;
    try {
      model.toOnnx();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WasmRnnError);
    expect(caught).toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringContaining("import 'wasm-rnn/onnx'") });
    const { toOnnx } = await import('wasm-rnn/onnx');
    expect(model.toOnnx()).toEqual(toOnnx(model));
    model.dispose();
  });
});
