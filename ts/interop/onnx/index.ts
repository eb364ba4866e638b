/**
 * `wasm-rnn/onnx`: run ONNX recurrent models (RNN, GRU, LSTM and the operators exporters put
 * around them) and export a `Sequential` as ONNX. A separate entry, so the protobuf runtime
 * (@bufbuild/protobuf) loads only for those who use ONNX.
 *
 * ```ts
 * import { init, tensor } from 'wasm-rnn';
 * import { loadOnnx, toOnnx } from 'wasm-rnn/onnx';
 * await init();
 * const m = await loadOnnx(bytes);
 * const out = await m.run({ X: tensor(x, [T, B, F]) });   // keyed like onnxruntime's session.run
 * m.dispose();
 * const file = toOnnx(model);              // bytes onnxruntime runs; also `model.toOnnx()` once this entry is loaded
 * ```
 */
import { decodeModel } from './decode';
import { buildGraph } from './graph';
import { OnnxModel } from './model';
import { SUPPORTED_OPS } from './ops';

export { OnnxModel } from './model';
export type { OnnxFeed, OnnxResult } from './model';

/**
 * Parses and checks an .onnx file: malformed files reject with E_FORMAT, operators or types
 * the library does not run with E_UNSUPPORTED naming them. Needs `await init()` before `run`.
 */
export async function loadOnnx(bytes: Uint8Array | ArrayBuffer): Promise<OnnxModel> {
  return loadOnnxSync(bytes);
}

/** {@link loadOnnx} without the promise. */
export function loadOnnxSync(bytes: Uint8Array | ArrayBuffer): OnnxModel {
  return new OnnxModel(buildGraph(decodeModel(bytes), SUPPORTED_OPS));
}

import { toOnnx } from './export';
import { registerOnnxExporter } from './core';

export { type ToOnnxOptions, toOnnx } from './export';

// Sequential.toOnnx() works once this entry is loaded (package.json lists it under sideEffects).
registerOnnxExporter(toOnnx);
