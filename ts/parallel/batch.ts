/** Splitting tensors along their batch axis and joining them back (data movement only). */
import type { Tensor } from '../tensor';

/** Splits `batch` into at most `parts` contiguous, near-equal, non-empty ranges. */
export function batchRanges(batch: number, parts: number): Array<[number, number]> {
  const n = Math.min(batch, parts);
  const ranges: Array<[number, number]> = [];
  for (let i = 0, start = 0; i < n; i++) {
    const size = Math.floor(batch / n) + (i < batch % n ? 1 : 0);
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}

/** Elements [start, end) along `axis` (0 or 1) of a rank-3 tensor, as a new tensor. */
export function sliceAxis(t: Tensor, axis: 0 | 1, start: number, end: number): Tensor {
  const [d0, d1, d2] = t.shape as [number, number, number];
  if (axis === 0) return { data: t.data.slice(start * d1 * d2, end * d1 * d2), shape: [end - start, d1, d2] };
  const width = (end - start) * d2;
  const data = new Float32Array(d0 * width);
  for (let i = 0; i < d0; i++) data.set(t.data.subarray((i * d1 + start) * d2, (i * d1 + end) * d2), i * width);
  return { data, shape: [d0, end - start, d2] };
}

/** Joins rank-3 tensors along `axis` (0 or 1); the inverse of slicing with consecutive ranges. */
export function concatAxis(parts: Tensor[], axis: 0 | 1): Tensor {
  const [d0, , d2] = parts[0]!.shape as [number, number, number];
  const total = parts.reduce((n, p) => n + p.shape[axis]!, 0);
  const shape = axis === 0 ? [total, parts[0]!.shape[1]!, d2] : [d0, total, d2];
  const data = new Float32Array(shape[0]! * shape[1]! * d2);
  if (axis === 0) {
    let offset = 0;
    for (const p of parts) {
      data.set(p.data, offset);
      offset += p.data.length;
    }
  } else {
    let start = 0;
    for (const p of parts) {
      const d1 = p.shape[1]!;
      for (let i = 0; i < d0; i++) data.set(p.data.subarray(i * d1 * d2, (i + 1) * d1 * d2), (i * total + start) * d2);
      start += d1;
    }
  }
  return { data, shape };
}
