/**
 * Operators that only move, select or describe data (no arithmetic): done here in TypeScript.
 * Every output's element count is checked before its buffer is allocated.
 */
import { WasmRnnError } from '../core';
import { formatShape } from '../core';
import { type DType, ONNX_DTYPE, type Value, allocate, elementCount, floatValue, intValue, ints } from '../values';
import { type OpContext, axis, fail, need } from './context';
import { broadcastShapes, broadcastStrides, forEachBroadcast } from './broadcast';

function withShape(v: Value, shape: readonly number[]): Value {
  return { dtype: v.dtype, shape, data: v.data };
}

/** Integer list from input `i` (opset ≥ 13 style) or attribute `name` (before). */
function intList(ctx: OpContext, i: number, name: string): number[] | undefined {
  const v = ctx.inputs[i];
  if (v !== undefined) return ints(v, `${ctx.node.label} ${name}`);
  return ctx.node.attrs.ints(name);
}

export function identity(ctx: OpContext): Value[] {
  return [need(ctx, 0, 'input')];
}

export function constant(ctx: OpContext): Value[] {
  const a = ctx.node.attrs;
  const t = a.tensor('value');
  if (t) return [t];
  const f = a.float('value_float');
  if (f !== undefined) return [floatValue(Float32Array.of(f), [])];
  const fs = a.floats('value_floats');
  if (fs) return [floatValue(Float32Array.from(fs), [fs.length])];
  const i = a.int('value_int');
  if (i !== undefined) return [intValue([i], [])];
  const is = a.ints('value_ints');
  if (is) return [intValue(is, [is.length])];
  throw new WasmRnnError('E_UNSUPPORTED', `${ctx.node.label}: only tensor, float(s) and int(s) constants are supported (attributes: ${a.names().join(', ') || 'none'})`);
}

export function shape(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const r = x.shape.length;
  const clampAxis = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clampAxis(ctx.node.attrs.int('start', 0));
  const end = clampAxis(ctx.node.attrs.int('end', r));
  const dims = x.shape.slice(start, Math.max(start, end));
  return [intValue(dims, [dims.length])];
}

export function gather(ctx: OpContext): Value[] {
  const data = need(ctx, 0, 'data');
  const idx = need(ctx, 1, 'indices');
  const ax = axis(ctx, ctx.node.attrs.int('axis', 0), data.shape.length);
  const dim = data.shape[ax]!;
  const indices = ints(idx, `${ctx.node.label} indices`).map((i) => {
    const j = i < 0 ? i + dim : i;
    if (j < 0 || j >= dim) fail(ctx, `index ${i} is out of range for dimension ${dim}`);
    return j;
  });
  const outer = data.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = data.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const shape = [...data.shape.slice(0, ax), ...idx.shape, ...data.shape.slice(ax + 1)];
  const out = allocate(data.dtype, elementCount(shape, ctx.node.label));
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const j of indices) {
      out.set(data.data.subarray((a * dim + j) * inner, (a * dim + j + 1) * inner), o);
      o += inner;
    }
  }
  return [{ dtype: data.dtype, shape, data: out }];
}

export function unsqueeze(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const axes = intList(ctx, 1, 'axes');
  if (!axes) fail(ctx, 'axes are missing');
  const rank = x.shape.length + axes.length;
  const set = new Set(axes.map((a) => axis(ctx, a, rank, 'axes entry')));
  if (set.size !== axes.length) fail(ctx, `axes ${formatShape(axes)} repeat an axis`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[k++]!);
  return [withShape(x, shape)];
}

export function squeeze(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const axes = intList(ctx, 1, 'axes');
  const drop = new Set(axes ? axes.map((a) => axis(ctx, a, x.shape.length, 'axes entry')) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.shape[a] !== 1) fail(ctx, `cannot squeeze axis ${a} of ${formatShape(x.shape)}`);
  return [withShape(x, x.shape.filter((_, i) => !drop.has(i)))];
}

export function concat(ctx: OpContext): Value[] {
  const parts = ctx.inputs.filter((v): v is Value => v !== undefined);
  if (parts.length === 0) fail(ctx, 'no inputs');
  const first = parts[0]!;
  const ax = axis(ctx, ctx.node.attrs.int('axis') ?? fail(ctx, 'the axis attribute is missing'), first.shape.length);
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.shape.length !== first.shape.length || p.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      fail(ctx, `inputs ${parts.map((q) => `${q.dtype}${formatShape(q.shape)}`).join(', ')} do not concatenate along axis ${ax}`);
    }
  }
  const shape = first.shape.slice();
  shape[ax] = parts.reduce((s, p) => s + p.shape[ax]!, 0);
  const out = allocate(first.dtype, elementCount(shape, ctx.node.label));
  const outer = first.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = first.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const p of parts) {
      const len = p.shape[ax]! * inner;
      out.set(p.data.subarray(a * len, (a + 1) * len), o);
      o += len;
    }
  }
  return [{ dtype: first.dtype, shape, data: out }];
}

export function slice(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const r = x.shape.length;
  const modern = ctx.opset >= 10;
  const starts = modern ? ints(need(ctx, 1, 'starts'), 'starts') : ctx.node.attrs.ints('starts');
  const ends = modern ? ints(need(ctx, 2, 'ends'), 'ends') : ctx.node.attrs.ints('ends');
  if (!starts || !ends || starts.length !== ends.length) fail(ctx, 'starts and ends must be given with the same length');
  const axes = (modern ? (ctx.inputs[3] ? ints(ctx.inputs[3], 'axes') : undefined) : ctx.node.attrs.ints('axes')) ?? starts.map((_, i) => i);
  const steps = (modern && ctx.inputs[4] ? ints(ctx.inputs[4], 'steps') : undefined) ?? starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length) fail(ctx, 'starts, ends, axes and steps must have the same length');
  const begin = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const count = x.shape.slice();
  const seen = new Set<number>();
  starts.forEach((s0, i) => {
    const a = axis(ctx, axes[i]!, r, 'axes entry');
    if (seen.has(a)) fail(ctx, `axis ${a} is sliced twice`);
    seen.add(a);
    const d = x.shape[a]!;
    const st = steps[i]!;
    if (st === 0) fail(ctx, 'a step is 0');
    const norm = (v: number) => (v < 0 ? v + d : v);
    // ONNX's clamping: [0, d] for positive steps, [−1, d − 1] for negative ones.
    const [lo, hi] = st > 0 ? [0, d] : [-1, d - 1];
    const s = Math.min(Math.max(norm(s0), lo), hi);
    const e = Math.min(Math.max(norm(ends[i]!), lo), hi);
    begin[a] = s;
    step[a] = st;
    count[a] = st > 0 ? Math.max(0, Math.ceil((e - s) / st)) : Math.max(0, Math.ceil((s - e) / -st));
  });
  const out = allocate(x.dtype, elementCount(count, ctx.node.label));
  const srcStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const idx = count.map(() => 0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += (begin[d]! + idx[d]! * step[d]!) * srcStrides[d]!;
    out[o] = x.data[src]!;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < count[d]!) break;
      idx[d] = 0;
    }
  }
  return [{ dtype: x.dtype, shape: count, data: out }];
}

export function reshape(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const target = ctx.opset >= 5 ? ints(need(ctx, 1, 'shape'), `${ctx.node.label} shape`) : ctx.node.attrs.ints('shape') ?? fail(ctx, 'shape is missing');
  const allowZero = ctx.node.attrs.int('allowzero', 0) !== 0;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? (x.shape[i] ?? fail(ctx, `shape entry ${i} is 0 but the input has rank ${x.shape.length}`)) : d));
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => d < -1)) fail(ctx, `invalid target shape ${formatShape(target)}`);
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const total = x.data.length;
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) fail(ctx, `cannot reshape ${formatShape(x.shape)} to ${formatShape(target)}`);
    shape[shape.indexOf(-1)] = total / known;
  }
  if (elementCount(shape, ctx.node.label) !== total) fail(ctx, `cannot reshape ${formatShape(x.shape)} (${total} elements) to ${formatShape(shape)}`);
  return [withShape(x, shape)];
}

export function transpose(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const r = x.shape.length;
  const perm = ctx.node.attrs.ints('perm') ?? x.shape.map((_, i) => r - 1 - i);
  if (perm.length !== r || new Set(perm.map((p) => axis(ctx, p, r, 'perm entry'))).size !== r) fail(ctx, `perm ${formatShape(perm)} is not a permutation of ${r} axes`);
  const p = perm.map((v) => (v < 0 ? v + r : v));
  const shape = p.map((a) => x.shape[a]!);
  const srcStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((q, d) => q * d, 1));
  const strides = p.map((a) => srcStrides[a]!);
  const out = allocate(x.dtype, x.data.length);
  const zeros = shape.map(() => 0);
  forEachBroadcast(shape, strides, zeros, (i, src) => (out[i] = x.data[src]!));
  return [{ dtype: x.dtype, shape, data: out }];
}

export function constantOfShape(ctx: OpContext): Value[] {
  const shape = ints(need(ctx, 0, 'input'), `${ctx.node.label} input`);
  const value = ctx.node.attrs.tensor('value') ?? floatValue(Float32Array.of(0), [1]);
  if (value.data.length !== 1) fail(ctx, 'value must hold one element');
  const out = allocate(value.dtype, elementCount(shape, ctx.node.label));
  out.fill(value.data[0]!);
  return [{ dtype: value.dtype, shape, data: out }];
}

export function expand(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'input');
  const target = ints(need(ctx, 1, 'shape'), `${ctx.node.label} shape`);
  const shape = broadcastShapes(ctx, [x.shape, target]);
  const out = allocate(x.dtype, elementCount(shape, ctx.node.label));
  const strides = broadcastStrides(x.shape, shape);
  forEachBroadcast(shape, strides, strides, (i, src) => (out[i] = x.data[src]!));
  return [{ dtype: x.dtype, shape, data: out }];
}

export function cast(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'input');
  const code = ctx.node.attrs.int('to') ?? fail(ctx, 'the "to" attribute is missing');
  const to: DType | undefined = ONNX_DTYPE[code];
  if (to === undefined) throw new WasmRnnError('E_UNSUPPORTED', `${ctx.node.label}: casting to element type ${code} is not supported (float32, int32, int64 and bool are)`);
  if (to === x.dtype) return [x];
  const out = allocate(to, x.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = x.data[i]!;
    out[i] = to === 'bool' ? (v !== 0 ? 1 : 0) : to === 'float32' ? v : Math.trunc(v);
  }
  return [{ dtype: to, shape: x.shape, data: out }];
}

export function flatten(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'input');
  const r = x.shape.length;
  const a0 = ctx.node.attrs.int('axis', 1);
  const a = a0 < 0 ? a0 + r : a0;
  if (a < 0 || a > r) fail(ctx, `axis ${a0} is out of range for rank ${r}`);
  const prod = (ds: readonly number[]) => ds.reduce((p, d) => p * d, 1);
  return [withShape(x, [prod(x.shape.slice(0, a)), prod(x.shape.slice(a))])];
}
