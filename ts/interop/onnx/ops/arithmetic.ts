/**
 * The arithmetic operators around the recurrent nodes: float32 work runs in wasm
 * (crates/kernels/src/onnx/{matmul,broadcast,softmax,layer_norm}.rs); only integer tensors
 * (shape computations exporters emit) are computed here, exactly.
 */
import { WasmRnnError } from '../core';
import { formatShape } from '../core';
import { type Value, elementCount, floatValue, floats, intValue } from '../values';
import { type OpContext, axis, fail, need } from './context';
import { broadcastShapes, broadcastStrides, forEachBroadcast } from './broadcast';
import { bytesOf, callWasm } from '../core';

const INTEGER_OPS: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => (b === 0 ? 0 : Math.trunc(a / b)),
};

export function binary(ctx: OpContext): Value[] {
  const a = need(ctx, 0, 'A');
  const b = need(ctx, 1, 'B');
  if (a.dtype !== b.dtype) fail(ctx, `A is ${a.dtype} but B is ${b.dtype}`);
  const shape = broadcastShapes(ctx, [a.shape, b.shape]);
  const n = elementCount(shape, ctx.node.label);
  const [sa, sb] = [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)];
  if (a.dtype !== 'float32') {
    const f = INTEGER_OPS[ctx.node.op]!;
    const out = new Float64Array(n);
    forEachBroadcast(shape, sa, sb, (i, oa, ob) => (out[i] = f(a.data[oa]!, b.data[ob]!)));
    return [intValue(out, shape, a.dtype)];
  }
  const [fa, fb] = [floats(a, ctx.node.label), floats(b, ctx.node.label)];
  const out = callWasm(ctx.node.label, bytesOf(fa, fb), n, (api) => api.onnx_binary(ctx.node.op, fa, fb, Uint32Array.from(shape), Uint32Array.from(sa), Uint32Array.from(sb)));
  return [floatValue(out, shape)];
}

export function matMul(ctx: OpContext): Value[] {
  const a = need(ctx, 0, 'A');
  const b = need(ctx, 1, 'B');
  const [fa, fb] = [floats(a, `${ctx.node.label} A`), floats(b, `${ctx.node.label} B`)];
  if (a.shape.length === 0 || b.shape.length === 0) fail(ctx, 'MatMul takes no scalars');
  // numpy: a vector operand becomes a matrix, and that dimension is dropped from the result.
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const [m, k] = [as[as.length - 2]!, as[as.length - 1]!];
  const [k2, n] = [bs[bs.length - 2]!, bs[bs.length - 1]!];
  if (k !== k2) fail(ctx, `inner dimensions differ: ${formatShape(a.shape)} · ${formatShape(b.shape)}`);
  const batch = broadcastShapes(ctx, [as.slice(0, -2), bs.slice(0, -2)]);
  const batches = elementCount(batch, ctx.node.label);
  elementCount([batches, m, n], ctx.node.label);
  const [sa, sb] = [broadcastStrides(as.slice(0, -2), batch), broadcastStrides(bs.slice(0, -2), batch)];
  const aIndex = new Uint32Array(batches);
  const bIndex = new Uint32Array(batches);
  forEachBroadcast(batch, sa, sb, (i, oa, ob) => {
    aIndex[i] = oa;
    bIndex[i] = ob;
  });
  const out = callWasm(ctx.node.label, bytesOf(fa, fb, aIndex, bIndex), batches * m * n, (api) => api.onnx_matmul(fa, fb, aIndex, bIndex, m, k, n));
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return [floatValue(out, shape)];
}

export function gemm(ctx: OpContext): Value[] {
  const attrs = ctx.node.attrs;
  const a = need(ctx, 0, 'A');
  const b = need(ctx, 1, 'B');
  const c = ctx.inputs[2];
  if (a.shape.length !== 2 || b.shape.length !== 2) fail(ctx, `A and B must be matrices, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const [transA, transB] = [attrs.int('transA', 0) !== 0, attrs.int('transB', 0) !== 0];
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [k2, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== k2) fail(ctx, `inner dimensions differ: ${formatShape(a.shape)} · ${formatShape(b.shape)} (transA ${transA}, transB ${transB})`);
  elementCount([m, n], ctx.node.label);
  let [cRows, cCols] = [1, 1];
  if (c) {
    const s = c.shape;
    if (s.length > 2) fail(ctx, `C must have at most 2 dimensions, got ${formatShape(s)}`);
    [cRows, cCols] = s.length === 2 ? [s[0]!, s[1]!] : s.length === 1 ? [1, s[0]!] : [1, 1];
    if ((cRows !== 1 && cRows !== m) || (cCols !== 1 && cCols !== n)) fail(ctx, `C ${formatShape(s)} does not broadcast to [${m}, ${n}]`);
  }
  const [fa, fb] = [floats(a, `${ctx.node.label} A`), floats(b, `${ctx.node.label} B`)];
  const fc = c ? floats(c, `${ctx.node.label} C`) : new Float32Array(0);
  const out = callWasm(ctx.node.label, bytesOf(fa, fb, fc), m * n, (api) =>
    api.onnx_gemm(fa, fb, fc, c !== undefined, cRows, cCols, m, k, n, transA, transB, attrs.float('alpha', 1), attrs.float('beta', 1)),
  );
  return [floatValue(out, [m, n])];
}

/** Softmax / LogSoftmax: one axis from opset 13 on, the trailing dimensions from `axis` coerced into one before. */
export function softmax(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'input');
  const fx = floats(x, ctx.node.label);
  const rank = x.shape.length;
  if (rank === 0) fail(ctx, 'input must have at least one dimension');
  const modern = ctx.opset >= 13;
  const ax = axis(ctx, ctx.node.attrs.int('axis', modern ? -1 : 1), rank);
  const prod = (ds: readonly number[]) => ds.reduce((p, d) => p * d, 1);
  const outer = prod(x.shape.slice(0, ax));
  const [len, inner] = modern ? [x.shape[ax]!, prod(x.shape.slice(ax + 1))] : [prod(x.shape.slice(ax)), 1];
  const out = callWasm(ctx.node.label, fx.byteLength, fx.length, (api) => api.onnx_softmax(fx, outer, len, inner, ctx.node.op === 'LogSoftmax'));
  return [floatValue(out, x.shape)];
}

export function layerNormalization(ctx: OpContext): Value[] {
  if (ctx.node.outputs.slice(1).some((o) => o !== '')) throw new WasmRnnError('E_UNSUPPORTED', `${ctx.node.label}: the Mean and InvStdDev outputs are not supported`);
  const x = need(ctx, 0, 'X');
  const scale = need(ctx, 1, 'Scale');
  const bias = ctx.inputs[2];
  const fx = floats(x, `${ctx.node.label} X`);
  const ax = axis(ctx, ctx.node.attrs.int('axis', -1), x.shape.length);
  const width = x.shape.slice(ax).reduce((p, d) => p * d, 1);
  const rows = x.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const fs = floats(scale, `${ctx.node.label} Scale`);
  const fb = bias ? floats(bias, `${ctx.node.label} B`) : new Float32Array(0);
  for (const [what, v] of [['Scale', fs], ['B', bias ? fb : undefined]] as const) {
    if (v && v.length !== width && v.length !== 1) fail(ctx, `${what} must have the ${width} elements of the normalized dimensions ${formatShape(x.shape.slice(ax))}`);
  }
  const out = callWasm(ctx.node.label, bytesOf(fx, fs, fb), fx.length, (api) => api.onnx_layer_norm(fx, fs, fb, bias !== undefined, rows, width, ctx.node.attrs.float('epsilon', 1e-5)));
  return [floatValue(out, x.shape)];
}
