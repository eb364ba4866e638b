/**
 * Part of the main bundle (exported from ts/index.ts as `onnxInternals`): the `wasm-rnn/onnx`
 * entry reaches the one wasm instance of the app through it (see core.ts).
 *
 * The ONNX entry points of the wasm core (crates/bindings/src/onnx.rs). Typed here rather than
 * through the generated glue's types, so that a build without them fails with a clear message.
 * Every call first checks that its input copies and results fit the instance's budget
 * (E_TOO_LARGE, nothing copied); a trap frees nothing of ours (these calls hold no handles)
 * and surfaces as E_INTERNAL.
 */
import { bindings } from '../../backend/init';
import { registerOnnxExporter } from '../../model/exporters';
import { isTrap, recoverFromTrap } from '../../backend/trap';
import { WasmRnnError, fromWasmError } from '../../errors';
import { describe, formatShape } from '../../tensor';

export interface OnnxBindings {
  onnx_recurrent(
    op: string,
    direction: string,
    hidden: number,
    layout: number,
    activations: string,
    alpha: Float32Array,
    beta: Float32Array,
    clip: number,
    inputForget: boolean,
    linearBeforeReset: boolean,
    seq: number,
    batch: number,
    input: number,
    present: number,
    x: Float32Array,
    w: Float32Array,
    r: Float32Array,
    b: Float32Array,
    sequenceLens: Int32Array,
    initialH: Float32Array,
    initialC: Float32Array,
    p: Float32Array,
  ): Float32Array;
  onnx_matmul(a: Float32Array, b: Float32Array, aIndex: Uint32Array, bIndex: Uint32Array, m: number, k: number, n: number): Float32Array;
  onnx_gemm(a: Float32Array, b: Float32Array, c: Float32Array, hasC: boolean, cRows: number, cCols: number, m: number, k: number, n: number, transA: boolean, transB: boolean, alpha: number, beta: number): Float32Array;
  onnx_binary(op: string, a: Float32Array, b: Float32Array, shape: Uint32Array, aStrides: Uint32Array, bStrides: Uint32Array): Float32Array;
  onnx_softmax(x: Float32Array, outer: number, axis: number, inner: number, log: boolean): Float32Array;
  onnx_layer_norm(x: Float32Array, scale: Float32Array, bias: Float32Array, hasBias: boolean, rows: number, width: number, epsilon: number): Float32Array;
  onnx_unary(op: string, x: Float32Array, alpha: number, beta: number): Float32Array;
  onnx_reduce(op: string, x: Float32Array, shape: Uint32Array, reduced: Uint8Array): Float32Array;
  bytes_in_use(): number;
  memory_budget_bytes(): number;
}

const ENTRY_POINTS = ['onnx_recurrent', 'onnx_matmul', 'onnx_gemm', 'onnx_binary', 'onnx_softmax', 'onnx_layer_norm', 'onnx_unary', 'onnx_reduce'] as const;

/** The loaded wasm core's ONNX entry points (E_NOT_INITIALIZED before `init()`). */
export function onnxBindings(): OnnxBindings {
  const api = bindings() as unknown as OnnxBindings;
  const missing = ENTRY_POINTS.filter((name) => typeof (api as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) throw new WasmRnnError('E_WASM_LOAD', `the loaded wasm build has no ONNX operators (${missing.join(', ')}); it is older than this wasm-rnn`);
  return api;
}

/**
 * Runs one wasm call for `where` that copies `inputBytes` in and returns `resultFloats` floats,
 * refusing it up front if those copies alone cannot fit (the call checks its own buffers).
 */
export function callWasm<T>(where: string, inputBytes: number, resultFloats: number, f: (api: OnnxBindings) => T): T {
  const api = onnxBindings();
  const need = inputBytes + 4 * resultFloats;
  const inUse = Number(api.bytes_in_use());
  const budget = Number(api.memory_budget_bytes());
  if (inUse + need > budget) {
    throw new WasmRnnError('E_TOO_LARGE', `${where}: this node needs at least ${need} bytes of wasm memory for its inputs and results; ${inUse} bytes are in use and the instance's budget is ${budget} bytes`);
  }
  try {
    return f(api);
  } catch (e) {
    if (!isTrap(e)) throw fromWasmError(e, where);
    recoverFromTrap();
    throw new WasmRnnError('E_INTERNAL', `${where}: the wasm module trapped (${e instanceof Error ? e.message : String(e)}); this is a bug in wasm-rnn`);
  }
}

/** Total bytes of typed arrays about to be copied into wasm. */
export function bytesOf(...arrays: readonly { byteLength: number }[]): number {
  return arrays.reduce((s, a) => s + a.byteLength, 0);
}

/** @internal What the `wasm-rnn/onnx` entry needs from the main bundle. */
export const onnxInternals = { callWasm, bytesOf, describe, formatShape, registerOnnxExporter };
