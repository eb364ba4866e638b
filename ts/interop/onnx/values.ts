/**
 * The tensors a graph computes with: float32 data in a Float32Array, integers and booleans as
 * exact numbers in a Float64Array (shapes, indices and lengths stay far below 2^53).
 */
import { WasmRnnError } from './core';
import { formatShape } from './core';
import { TensorProto_DataLocation, type TensorProto } from './proto/onnx_pb';

/** Element types the interpreter handles. */
export type DType = 'float32' | 'int64' | 'int32' | 'bool';

export interface Value {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/**
 * The most elements one tensor of a graph may have (1 GiB of float32): anything a file
 * declares beyond it is refused before anything is allocated.
 */
export const MAX_ELEMENTS = 2 ** 28;

/** ONNX's TensorProto.DataType numbers of the types above. */
export const ONNX_DTYPE: Readonly<Record<number, DType>> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool' };
export const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 1, int32: 6, int64: 7, bool: 9 };

/** The element count of `shape`, refused (E_FORMAT) past {@link MAX_ELEMENTS} or if not a shape. */
export function elementCount(shape: readonly number[], where: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new WasmRnnError('E_FORMAT', `${where}: invalid dimension ${d} in shape ${formatShape(shape)}`);
    n *= d;
    if (n > MAX_ELEMENTS) break;
  }
  if (shape.includes(0)) return 0;
  if (n > MAX_ELEMENTS) throw new WasmRnnError('E_FORMAT', `${where}: shape ${formatShape(shape)} has more than ${MAX_ELEMENTS} elements`);
  return n;
}

export function floatValue(data: Float32Array, shape: readonly number[]): Value {
  return { dtype: 'float32', shape, data };
}

export function intValue(data: Float64Array | readonly number[], shape: readonly number[], dtype: DType = 'int64'): Value {
  return { dtype, shape, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** A fresh buffer of `dtype`'s storage type. */
export function allocate(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** The float data of `v`, or E_FORMAT naming the input that is not float32. */
export function floats(v: Value, where: string): Float32Array {
  if (v.dtype !== 'float32' || !(v.data instanceof Float32Array)) throw new WasmRnnError('E_FORMAT', `${where}: expected a float32 tensor, got ${v.dtype}`);
  return v.data;
}

/** The integers of `v` (int32, int64 or bool), or E_FORMAT. */
export function ints(v: Value, where: string): number[] {
  if (v.dtype === 'float32') throw new WasmRnnError('E_FORMAT', `${where}: expected an integer tensor, got float32`);
  return Array.from(v.data);
}

/** Converts an int64 read from the file to a number: exact within 2^53, clamped beyond (slice ends use INT64_MAX). */
export function int64ToNumber(x: bigint): number {
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (x < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(x);
}

/** A TensorProto (initializer, Constant, attribute) as a Value: refuses inconsistent or huge ones. */
export function fromTensorProto(t: TensorProto, where: string): Value {
  const name = t.name ? `${where} "${t.name}"` : where;
  const dtype = ONNX_DTYPE[t.dataType];
  if (dtype === undefined) throw new WasmRnnError('E_UNSUPPORTED', `${name}: tensor element type ${t.dataType} is not supported (float32, int32, int64 and bool are)`);
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) throw new WasmRnnError('E_UNSUPPORTED', `${name}: tensors stored in external files are not supported; save the model with its weights inside`);
  if (t.segment !== undefined) throw new WasmRnnError('E_UNSUPPORTED', `${name}: segmented tensors are not supported`);
  const shape = t.dims.map((d) => {
    if (d < 0n || d > BigInt(MAX_ELEMENTS)) throw new WasmRnnError('E_FORMAT', `${name}: invalid dimension ${d}`);
    return Number(d);
  });
  const n = elementCount(shape, name);
  const size = dtype === 'int64' ? 8 : dtype === 'bool' ? 1 : 4;
  const data = allocate(dtype, 0);
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * size) throw new WasmRnnError('E_FORMAT', `${name}: shape ${formatShape(shape)} of ${dtype} needs ${n * size} bytes of raw data, the file has ${t.rawData.length}`);
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    const out = allocate(dtype, n);
    for (let i = 0; i < n; i++) {
      if (dtype === 'float32') out[i] = view.getFloat32(4 * i, true);
      else if (dtype === 'int32') out[i] = view.getInt32(4 * i, true);
      else if (dtype === 'int64') out[i] = int64ToNumber(view.getBigInt64(8 * i, true));
      else out[i] = view.getUint8(i) === 0 ? 0 : 1;
    }
    return { dtype, shape, data: out };
  }
  const typed: ArrayLike<number> | readonly bigint[] = dtype === 'float32' ? t.floatData : dtype === 'int64' ? t.int64Data : t.int32Data;
  if (typed.length !== n) throw new WasmRnnError('E_FORMAT', `${name}: shape ${formatShape(shape)} needs ${n} values, the file has ${typed.length}`);
  if (n === 0) return { dtype, shape, data };
  const out = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = typed[i]!;
    out[i] = typeof v === 'bigint' ? int64ToNumber(v) : dtype === 'bool' ? (v === 0 ? 0 : 1) : v;
  }
  return { dtype, shape, data: out };
}
