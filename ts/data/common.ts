/**
 * Input checks shared by the preprocessing helpers (scalers, windows): reading a
 * `Float32Array` or a `Tensor` once, and refusing NaN/±Infinity before it reaches training.
 */
import { WasmRnnError } from '../errors';
import { type Tensor, MAX_TENSOR_ELEMENTS, describe, formatShape, isFloat32Array } from '../tensor';

/** A value shown in a message: numbers and strings as JSON, everything else by type. */
export function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'boolean' || value === undefined) return String(value);
  return describe(value);
}

/** `value` as an integer in [min, max], or E_ARGUMENT naming it. */
export function intArg(where: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in ${min}..=${max}`;
    throw new WasmRnnError('E_ARGUMENT', `${where}: ${name} must be ${range}, got ${show(value)}`);
  }
  return value + 0;
}

/** An options argument: `undefined` → `{}`, a non-object → E_ARGUMENT. */
export function optionsArg<T extends object>(where: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new WasmRnnError('E_ARGUMENT', `${where}: options must be an object, got ${show(options)}`);
  }
  return options;
}

/** Rows × features data read from a Float32Array or a Tensor whose last dimension is the features. */
export interface FeatureData {
  data: Float32Array;
  /** The tensor's shape (a copy), or `undefined` when a bare Float32Array was passed. */
  shape: number[] | undefined;
  rows: number;
  features: number;
}

function readShape(where: string, what: string, shape: unknown, length: number): number[] {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new WasmRnnError('E_SHAPE', `${where}: ${what}.shape must be a non-empty array of non-negative integers, got ${Array.isArray(shape) ? '[]' : show(shape)}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new WasmRnnError('E_SHAPE', `${where}: ${what}.shape must hold non-negative integers, got ${show(d)} at index ${i}`);
    }
    dims.push(d + 0);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length) throw new WasmRnnError('E_SHAPE', `${where}: ${what} has shape ${formatShape(dims)} (${size} elements) but its data holds ${length}`);
  return dims;
}

/**
 * Reads `x` as rows × features. `features` is the caller's explicit count (required with a
 * bare Float32Array unless `expected` is known); `expected` is the fitted feature count.
 */
export function readFeatureData(where: string, what: string, x: unknown, features: unknown, expected: number | undefined): FeatureData {
  if (isFloat32Array(x)) {
    let f: number;
    if (features === undefined) {
      if (expected === undefined) throw new WasmRnnError('E_ARGUMENT', `${where}: pass the number of features with a Float32Array (rows × features, row-major), or pass a Tensor whose last dimension is the features`);
      f = expected;
    } else {
      f = intArg(where, 'features', features, 1);
      if (expected !== undefined && f !== expected) throw new WasmRnnError('E_SHAPE', `${where}: ${what} has ${f} features but the scaler was fitted on ${expected}`);
    }
    if (x.length % f !== 0) throw new WasmRnnError('E_SHAPE', `${where}: ${what} holds ${x.length} values, not a whole number of rows of ${f} features`);
    return { data: x, shape: undefined, rows: x.length / f, features: f };
  }
  if (x !== null && typeof x === 'object' && 'data' in x && 'shape' in x) {
    const t = x as { data: unknown; shape: unknown };
    const data = t.data;
    if (!isFloat32Array(data)) throw new WasmRnnError('E_DTYPE', `${where}: ${what}.data must be a Float32Array, got ${describe(data)}`);
    const shape = readShape(where, what, t.shape, data.length);
    const f = shape[shape.length - 1]!;
    if (f === 0) throw new WasmRnnError('E_SHAPE', `${where}: ${what} has shape ${formatShape(shape)}: its last dimension (the features) must be at least 1`);
    if (features !== undefined && features !== f) {
      throw new WasmRnnError('E_SHAPE', `${where}: features is ${show(features)} but ${what}'s last dimension (the features) is ${f}; a Tensor needs no features argument`);
    }
    if (expected !== undefined && f !== expected) {
      throw new WasmRnnError('E_SHAPE', `${where}: ${what} has shape ${formatShape(shape)}: its last dimension is ${f} features but the scaler was fitted on ${expected}`);
    }
    return { data, shape, rows: data.length / f, features: f };
  }
  throw new WasmRnnError('E_DTYPE', `${where}: ${what} must be a Float32Array (rows × features, row-major) or a Tensor { data: Float32Array, shape } whose last dimension is the features, got ${describe(x)}`);
}

/** Throws E_NON_FINITE naming the first NaN/±Infinity in `data` (flat index, row and feature). */
export function checkFinite(where: string, what: string, data: ArrayLike<number>, features: number, advice: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      const row = Math.floor(i / features);
      throw new WasmRnnError('E_NON_FINITE', `${where}: ${what} holds ${v} at flat index ${i} (row ${row}, feature ${i - row * features}); ${advice}`);
    }
  }
}

/** The same form as the input: a bare Float32Array, or a Tensor of the input's shape. */
export function like(input: FeatureData, data: Float32Array): Float32Array | Tensor {
  return input.shape === undefined ? data : { data, shape: input.shape.slice() };
}

/** Refuses results a wasm32 instance could never take (as `tensor()` does). */
export function checkSize(where: string, what: string, shape: readonly number[]): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new WasmRnnError('E_TOO_LARGE', `${where}: ${what} would have shape ${formatShape(shape)}, ${size} elements, more than a wasm32 instance can address (at most ${MAX_TENSOR_ELEMENTS} float32 elements)`);
  }
}
