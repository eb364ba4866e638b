import { WasmRnnError } from './errors';

/**
 * A dense row-major tensor: float32 by default; `Tensor<Int32Array>` holds ids or class
 * targets (an Embedding's input, cross-entropy targets).
 */
export interface Tensor<D extends Float32Array | Int32Array = Float32Array> {
  data: D;
  shape: number[];
}

/** The element types a tensor can hold. */
export type Dtype = 'float32' | 'int32';

/**
 * The most float32 elements one tensor can have: a wasm32 instance addresses 4 GiB in all, so a
 * tensor of more could never be copied into it.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 30;

/** Formats a shape as `[2, 3, 4]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Formats whatever was passed as a shape: holes as `<empty>`, other non-numbers by type, so a
 * message shows what was wrong (`[2, <empty>, 3]`, `["3"]`).
 */
function showDims(shape: ArrayLike<unknown>, separator = ', '): string {
  const parts: string[] = [];
  const n = Math.min(shape.length, 16);
  for (let i = 0; i < n; i++) {
    if (!(i in shape)) parts.push('<empty>');
    else parts.push(showDim((shape as Record<number, unknown>)[i]));
  }
  if (shape.length > n) parts.push(`… ${shape.length - n} more`);
  return `[${parts.join(separator)}]`;
}

function showDim(d: unknown): string {
  if (typeof d === 'number') return Object.is(d, -0) ? '-0' : String(d);
  if (typeof d === 'string') return JSON.stringify(d);
  if (typeof d === 'bigint') return `${d}n`;
  return describe(d);
}

/**
 * The entries of `shape` read once each (a Proxy or getters cannot change them between the
 * check and the use), or `undefined` if `shape` is not an array or an entry is not a
 * non-negative safe integer (holes included: they read as `undefined`).
 */
function readDims(shape: unknown, min: number): number[] | undefined {
  if (!Array.isArray(shape)) return undefined;
  const length = shape.length;
  const dims: number[] = [];
  for (let i = 0; i < length; i++) {
    if (!(i in shape)) return undefined;
    const d: unknown = shape[i];
    if (!Number.isSafeInteger(d) || (d as number) < min) return undefined;
    dims.push((d as number) + 0); // + 0 turns -0 into 0
  }
  return dims;
}

/** The element count of validated `dims` (0 if any is 0, however large the rest). */
function product(dims: readonly number[]): number {
  if (dims.includes(0)) return 0;
  return dims.reduce((a, b) => a * b, 1);
}

function checkShape(where: string, shape: unknown): number[] {
  const dims = readDims(shape, 0);
  if (dims === undefined) {
    const got = Array.isArray(shape) ? showDims(shape, ',') : describe(shape);
    throw new WasmRnnError('E_SHAPE', `${where}: shape must be an array of non-negative integers (safe integers), got ${got}`);
  }
  const size = product(dims);
  if (!Number.isSafeInteger(size) || size > MAX_TENSOR_ELEMENTS) {
    throw new WasmRnnError(
      'E_TOO_LARGE',
      `${where}: shape ${formatShape(dims)} holds ${Number.isSafeInteger(size) ? size : `about ${size.toPrecision(3)}`} elements, ` +
        `more than a wasm32 instance can address (at most ${MAX_TENSOR_ELEMENTS} float32 elements, 4 GiB)`,
    );
  }
  return dims;
}

const typedArrayPrototype = Object.getPrototypeOf(Float32Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'length')!.get!;

/**
 * Whether `value` is a genuine Float32Array, from this realm or another (a vm context, an
 * iframe, a worker's transferred array deserialised elsewhere). Uses the built-in
 * %TypedArray%.prototype[Symbol.toStringTag] getter, which reads the array's internal type
 * slot: it answers for any realm's typed arrays and cannot be faked by an own
 * `Symbol.toStringTag` property or a prototype chain.
 */
export function isFloat32Array(value: unknown): value is Float32Array {
  return ArrayBuffer.isView(value) && typedArrayTag.call(value) === 'Float32Array';
}

/** Whether `value` is a genuine Int32Array of any realm (as {@link isFloat32Array}). */
export function isInt32Array(value: unknown): value is Int32Array {
  return ArrayBuffer.isView(value) && typedArrayTag.call(value) === 'Int32Array';
}

function isOfDtype(value: unknown, dtype: Dtype): boolean {
  return dtype === 'float32' ? isFloat32Array(value) : isInt32Array(value);
}

const ARRAY_NAME: Record<Dtype, string> = { float32: 'Float32Array', int32: 'Int32Array' };

/**
 * The element count of a genuine Float32Array read through the built-in getter (an own
 * `length` property cannot misstate it).
 */
function lengthOf(data: Float32Array | Int32Array, what: string): number {
  const length = typedArrayLength.call(data) as number;
  if (data.length !== length) {
    // The wasm glue sizes its copy by `.length`: a shadowing property would misstate it.
    throw new WasmRnnError('E_DTYPE', `${what} is a ${describe(data)} of ${length} elements whose length property says ${String(data.length)}`);
  }
  return length;
}

/**
 * Creates a tensor, checking that `data` holds exactly `shape`'s elements: a Float32Array, or
 * an Int32Array for ids and class targets.
 */
// The Float32 overload last: it is what `ReturnType<typeof tensor>` means.
export function tensor(data: Int32Array, shape: readonly number[]): Tensor<Int32Array>;
export function tensor(data: Float32Array, shape: readonly number[]): Tensor;
export function tensor(data: Float32Array | Int32Array, shape: readonly number[]): Tensor<Float32Array | Int32Array> {
  if (!isFloat32Array(data) && !isInt32Array(data)) {
    throw new WasmRnnError('E_DTYPE', `tensor(): data must be a Float32Array (or an Int32Array of ids), got ${describe(data)}`);
  }
  const dims = checkShape('tensor()', shape);
  const size = product(dims);
  const length = lengthOf(data, 'tensor(): data');
  if (size !== length) {
    throw new WasmRnnError('E_SHAPE', `tensor(): shape ${formatShape(dims)} holds ${size} elements but data has ${length}`);
  }
  return { data, shape: dims };
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  const dims = checkShape('zeros()', shape);
  const size = product(dims);
  let data: Float32Array;
  try {
    data = new Float32Array(size);
  } catch (error) {
    // Below the wasm32 limit but more than this engine will allocate.
    const wrapped = new WasmRnnError('E_TOO_LARGE', `zeros(): shape ${formatShape(dims)} holds ${size} elements, which this engine could not allocate (${size * 4} bytes)`);
    Object.defineProperty(wrapped, 'cause', { value: error, writable: true, configurable: true });
    throw wrapped;
  }
  return { data, shape: dims };
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) {
    const tag = typedArrayTag.call(value) as string | undefined;
    return tag ?? 'DataView';
  }
  if (Array.isArray(value)) return 'Array';
  if (typeof value !== 'object') return typeof value;
  let name: unknown;
  try {
    name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/**
 * Checks that `value` is a Tensor with Float32Array data of exactly `expected` shape
 * (`null` entries match any size) and returns its shape (a copy, read once).
 */
export function checkTensor(value: unknown, what: string, expected: readonly (number | null)[], dtype: Dtype = 'float32'): number[] {
  const t = value as Partial<Tensor<Float32Array | Int32Array>> | null | undefined;
  const name = ARRAY_NAME[dtype];
  if (t === null || typeof t !== 'object' || !('data' in t) || !('shape' in t)) {
    throw new WasmRnnError('E_DTYPE', `${what} must be a Tensor { data: ${name}, shape: number[] }, got ${describe(value)}`);
  }
  const data: unknown = t.data;
  if (!isOfDtype(data, dtype)) {
    throw new WasmRnnError('E_DTYPE', `${what}.data must be a ${name}, got ${describe(data)}`);
  }
  const shape: unknown = t.shape;
  const want = formatShape(expected.map((d) => (d === null ? '*' : d)) as unknown as number[]);
  const dims = Array.isArray(shape) && shape.length === expected.length ? readDims(shape, 1) : undefined;
  if (dims === undefined || dims.some((d, i) => expected[i] !== null && d !== expected[i])) {
    throw new WasmRnnError('E_SHAPE', `${what} must have shape ${want}, got ${Array.isArray(shape) ? showDims(shape) : describe(shape)}`);
  }
  const size = product(dims);
  const length = lengthOf(data as Float32Array | Int32Array, `${what}.data`);
  if (size !== length) {
    throw new WasmRnnError('E_SHAPE', `${what} has shape ${formatShape(dims)} (${size} elements) but its data holds ${length}`);
  }
  return dims;
}
