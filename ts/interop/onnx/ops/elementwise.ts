/**
 * Element-wise activations (Relu … Selu, Clip) and the Reduce* reductions — what follows a
 * recurrent layer in exported models (ours among them): a Dense's activation, a bidirectional
 * sum, average or product. The arithmetic runs in wasm (crates/kernels/src/onnx/elementwise.rs).
 */
import { bytesOf, callWasm, formatShape } from '../core';
import { type Value, floatValue, floats, ints } from '../values';
import { type OpContext, axis, fail, need } from './context';

/** Relu, Tanh, Sigmoid, LeakyRelu, Elu, Selu, HardSigmoid, Softplus, Softsign. */
export function unary(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'X');
  const fx = floats(x, ctx.node.label);
  const attrs = ctx.node.attrs;
  // The kernel takes an absent attribute as NaN and puts the operator's default in its place.
  const alpha = attrs.float('alpha') ?? NaN;
  const beta = attrs.float(ctx.node.op === 'Selu' ? 'gamma' : 'beta') ?? NaN;
  const out = callWasm(ctx.node.label, fx.byteLength, fx.length, (api) => api.onnx_unary(ctx.node.op, fx, alpha, beta));
  return [floatValue(out, x.shape)];
}

/** Clip: bounds from the optional inputs min and max (opset 11 on) or the attributes (before). */
export function clip(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'input');
  const fx = floats(x, ctx.node.label);
  const bound = (i: number, name: string, fallback: number): number => {
    if (ctx.opset < 11) return ctx.node.attrs.float(name) ?? fallback;
    const v = ctx.inputs[i];
    if (v === undefined) return fallback;
    const f = floats(v, `${ctx.node.label} ${name}`);
    if (f.length !== 1) fail(ctx, `${name} must be a scalar, got shape ${formatShape(v.shape)}`);
    return f[0]!;
  };
  const [lo, hi] = [bound(1, 'min', -Infinity), bound(2, 'max', Infinity)];
  const out = callWasm(ctx.node.label, fx.byteLength, fx.length, (api) => api.onnx_unary('Clip', fx, lo, hi));
  return [floatValue(out, x.shape)];
}

/**
 * ReduceSum, ReduceMean, ReduceProd, ReduceMax, ReduceMin. The axes are an input from opset 13
 * on for ReduceSum and from opset 18 on for the others (an attribute before); no axes reduce
 * every axis, or nothing with noop_with_empty_axes.
 */
export function reduce(ctx: OpContext): Value[] {
  const x = need(ctx, 0, 'data');
  const fx = floats(x, ctx.node.label);
  const attrs = ctx.node.attrs;
  const axesAsInput = ctx.opset >= (ctx.node.op === 'ReduceSum' ? 13 : 18);
  const axesValue = axesAsInput ? ctx.inputs[1] : undefined;
  const listed = axesAsInput ? (axesValue === undefined ? [] : ints(axesValue, `${ctx.node.label} axes`)) : (attrs.ints('axes') ?? []);
  if (listed.length === 0 && attrs.int('noop_with_empty_axes', 0) !== 0) return [x];
  const rank = x.shape.length;
  const axes = new Set(listed.length === 0 ? x.shape.map((_, i) => i) : listed.map((a) => axis(ctx, a, rank, 'axes entry')));
  if (axes.size !== (listed.length === 0 ? rank : listed.length)) fail(ctx, `axes ${formatShape(listed)} repeat an axis`);
  const flags = Uint8Array.from(x.shape, (_, i) => (axes.has(i) ? 1 : 0));
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const count = kept.reduce((p, d) => p * d, 1);
  const shape = Uint32Array.from(x.shape);
  const out = callWasm(ctx.node.label, bytesOf(fx, shape, flags), count, (api) => api.onnx_reduce(ctx.node.op, fx, shape, flags));
  return [floatValue(out, attrs.int('keepdims', 1) !== 0 ? kept : x.shape.filter((_, i) => !axes.has(i)))];
}
