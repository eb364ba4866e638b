import { WasmRnnError } from './errors';

/** A dense row-major float32 tensor. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

/** Formats a shape as `[2, 3, 4]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Creates a tensor, checking that `data` is a Float32Array holding exactly `shape`'s elements. */
export function tensor(data: Float32Array, shape: readonly number[]): Tensor {
  if (!(data instanceof Float32Array)) {
    throw new WasmRnnError('E_DTYPE', `tensor(): data must be a Float32Array, got ${describe(data)}`);
  }
  checkShape('tensor()', shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new WasmRnnError('E_SHAPE', `tensor(): shape ${formatShape(shape)} holds ${size} elements but data has ${data.length}`);
  }
  return { data, shape: [...shape] };
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  checkShape('zeros()', shape);
  return tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
}

function checkShape(where: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new WasmRnnError('E_SHAPE', `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return 'Array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/**
 * Checks that `value` is a Tensor with Float32Array data of exactly `expected` shape
 * (`null` entries match any size) and returns its shape.
 */
export function checkTensor(value: unknown, what: string, expected: readonly (number | null)[]): number[] {
  const t = value as Partial<Tensor> | null | undefined;
  if (t === null || typeof t !== 'object' || !('data' in t) || !('shape' in t)) {
    throw new WasmRnnError('E_DTYPE', `${what} must be a Tensor { data: Float32Array, shape: number[] }, got ${describe(value)}`);
  }
  if (!(t.data instanceof Float32Array)) {
    throw new WasmRnnError('E_DTYPE', `${what}.data must be a Float32Array, got ${describe(t.data)}`);
  }
  const shape = t.shape;
  const want = formatShape(expected.map((d) => (d === null ? '*' : d)) as unknown as number[]);
  if (!Array.isArray(shape) || shape.length !== expected.length || shape.some((d, i) => !Number.isInteger(d) || d < 1 || (expected[i] !== null && d !== expected[i]))) {
    throw new WasmRnnError('E_SHAPE', `${what} must have shape ${want}, got ${Array.isArray(shape) ? formatShape(shape) : describe(shape)}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== t.data.length) {
    throw new WasmRnnError('E_SHAPE', `${what} has shape ${formatShape(shape)} (${size} elements) but its data holds ${t.data.length}`);
  }
  return shape;
}
