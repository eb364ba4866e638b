/** Numpy-style (multidirectional) broadcasting of shapes, as ONNX's Add, Mul, Expand, MatMul use. */
import { formatShape } from '../core';
import { type OpContext, fail } from './context';

export function broadcastShapes(ctx: OpContext, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e === d || e === 1) continue;
      if (d !== 1) fail(ctx, `shapes ${shapes.map((x) => formatShape(x)).join(' and ')} do not broadcast`);
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** Element strides of a row-major tensor of `shape` read over `out` (0 along broadcast dimensions). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const j = out.length - shape.length + i;
    strides[j] = shape[i] === 1 && out[j] !== 1 ? 0 : step;
    step *= shape[i]!;
  }
  return strides;
}

/** Calls `visit(outIndex, offsetA, offsetB)` over `out` in row-major order (TS side: integer tensors and copies). */
export function forEachBroadcast(out: readonly number[], stridesA: readonly number[], stridesB: readonly number[], visit: (i: number, a: number, b: number) => void): void {
  const total = out.reduce((p, d) => p * d, 1);
  const idx = new Array<number>(out.length).fill(0);
  let [oa, ob] = [0, 0];
  for (let i = 0; i < total; i++) {
    visit(i, oa, ob);
    for (let d = out.length - 1; d >= 0; d--) {
      idx[d]! += 1;
      oa += stridesA[d]!;
      ob += stridesB[d]!;
      if (idx[d]! < out[d]!) break;
      oa -= out[d]! * stridesA[d]!;
      ob -= out[d]! * stridesB[d]!;
      idx[d] = 0;
    }
  }
}
