/**
 * The library as the ONNX importer sees it, imported by the package's own name: in the package,
 * dist/onnx.js shares the app's wasm instance and classes (`WasmRnnError`) instead of bundling
 * a second copy (as ts/interop/keras/core.ts). In this repository tsconfig `paths` and vitest's
 * alias map the name to ts/index.ts.
 */
import { onnxInternals } from 'wasm-rnn';

export { WasmRnnError } from 'wasm-rnn';
export type { Sequential, Tensor } from 'wasm-rnn';
export type { OnnxBindings } from './bridge';
export const { callWasm, bytesOf, describe, formatShape, registerOnnxExporter } = onnxInternals;
