/**
 * Batch-first layout for a `Sequential` (Keras' and PyTorch's `batch_first=True`): the model
 * computes time-major ([T, B, …]); these copies swap the first two axes at the boundary. Pure
 * data movement, no arithmetic: what a batch-first caller passes in and gets back.
 */
import { WasmRnnError } from '../errors';

type Data = { data: Float32Array | Int32Array; shape: number[] };

/** [A, B, …rest] → [B, A, …rest] as a fresh copy (same dtype); rank < 2 is returned as is. */
export function swapLeadingAxes<T extends Data>(t: T, what: string): T {
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape)) throw new WasmRnnError('E_SHAPE', `${what}: expected a tensor { data, shape }`);
  if (t.shape.length < 2) return t;
  const [a, b, ...rest] = t.shape as [number, number, ...number[]];
  const inner = rest.reduce((x, y) => x * y, 1);
  if (!(t.data instanceof Float32Array || t.data instanceof Int32Array) || t.data.length !== a * b * inner) {
    // Leave the precise complaint (dtype, shape) to the model's own checks on the original.
    return t;
  }
  const out = new (t.data.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(t.data.length);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) out.set(t.data.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  }
  return { ...t, data: out, shape: [b, a, ...rest] };
}
