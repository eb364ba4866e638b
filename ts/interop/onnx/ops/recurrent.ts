/**
 * ONNX `RNN`, `GRU` and `LSTM`: attributes and input shapes checked here (E_FORMAT naming the
 * node and input), the computation in one wasm call (crates/kernels/src/onnx/recurrent.rs).
 */
import { WasmRnnError } from '../core';
import { formatShape } from '../core';
import { type Value, floatValue, floats, ints } from '../values';
import { type OpContext, fail, need } from './context';
import { bytesOf, callWasm } from '../core';

const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const ACTIVATIONS = new Set(['relu', 'tanh', 'sigmoid', 'affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'hardsigmoid', 'elu', 'softsign', 'softplus']);
const HAS_B = 1;
const HAS_SEQUENCE_LENS = 2;
const HAS_INITIAL_H = 4;
const HAS_INITIAL_C = 8;
const HAS_P = 16;
const EMPTY = new Float32Array(0);

function checkShape(ctx: OpContext, what: string, v: Value, want: readonly number[]): void {
  if (v.shape.length !== want.length || v.shape.some((d, i) => d !== want[i])) {
    fail(ctx, `${what} must have shape ${formatShape(want)}, got ${formatShape(v.shape)}`);
  }
}

export function recurrent(ctx: OpContext): (Value | undefined)[] {
  const op = ctx.node.op;
  const a = ctx.node.attrs;
  const gates = GATES[op]!;
  const lstm = op === 'LSTM';
  const direction = a.string('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) fail(ctx, `direction must be forward, reverse or bidirectional, got ${JSON.stringify(direction)}`);
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const layout = a.int('layout', 0);
  if (layout !== 0 && layout !== 1) fail(ctx, `layout must be 0 or 1, got ${layout}`);
  const names = a.strings('activations') ?? [];
  const unknown = names.filter((n) => !ACTIVATIONS.has(n.toLowerCase()));
  if (unknown.length > 0) throw new WasmRnnError('E_UNSUPPORTED', `${ctx.node.label}: unsupported activation function(s) ${unknown.join(', ')}`);
  const x = need(ctx, 0, 'X');
  const w = need(ctx, 1, 'W');
  const r = need(ctx, 2, 'R');
  if (x.shape.length !== 3) fail(ctx, `X must have 3 dimensions, got ${formatShape(x.shape)}`);
  const [seq, batch] = layout === 0 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
  const input = x.shape[2]!;
  if (r.shape.length !== 3) fail(ctx, `R must have 3 dimensions, got ${formatShape(r.shape)}`);
  const hidden = a.int('hidden_size') ?? r.shape[2]!;
  if (!(hidden > 0)) fail(ctx, `hidden_size must be positive, got ${hidden}`);
  checkShape(ctx, 'W', w, [dirs, gates * hidden, input]);
  checkShape(ctx, 'R', r, [dirs, gates * hidden, hidden]);
  const state = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  const [b, lens, h0, c0, p] = [3, 4, 5, 6, 7].map((i) => ctx.inputs[i]);
  if (b) checkShape(ctx, 'B', b, [dirs, 2 * gates * hidden]);
  if (lens) checkShape(ctx, 'sequence_lens', lens, [batch]);
  if (h0) checkShape(ctx, 'initial_h', h0, state);
  if (c0) checkShape(ctx, 'initial_c', c0, state);
  if (p) checkShape(ctx, 'P', p, [dirs, 3 * hidden]);
  if (!lstm && (c0 || p)) fail(ctx, `${op} takes no initial_c or P`);
  const lensData = lens ? Int32Array.from(ints(lens, `${ctx.node.label} sequence_lens`)) : new Int32Array(0);
  const bad = lensData.find((l) => l < 0 || l > seq);
  if (bad !== undefined) fail(ctx, `sequence_lens must be in 0..=${seq}, got ${bad}`);
  const clip = a.float('clip');
  const present = (b ? HAS_B : 0) | (lens ? HAS_SEQUENCE_LENS : 0) | (h0 ? HAS_INITIAL_H : 0) | (c0 ? HAS_INITIAL_C : 0) | (p ? HAS_P : 0);
  const f = (v: Value | undefined, what: string) => (v ? floats(v, `${ctx.node.label} ${what}`) : EMPTY);
  const arrays = [f(x, 'X'), f(w, 'W'), f(r, 'R'), f(b, 'B'), f(h0, 'initial_h'), f(c0, 'initial_c'), f(p, 'P')] as const;
  const stateLen = dirs * batch * hidden;
  const yLen = seq * stateLen;
  const total = yLen + stateLen + (lstm ? stateLen : 0);
  const out = callWasm(ctx.node.label, bytesOf(...arrays, lensData), total, (api) =>
    api.onnx_recurrent(
      op,
      direction,
      hidden,
      layout,
      names.join(','),
      Float32Array.from(a.floats('activation_alpha') ?? []),
      Float32Array.from(a.floats('activation_beta') ?? []),
      clip ?? Number.NaN,
      a.int('input_forget', 0) !== 0,
      a.int('linear_before_reset', 0) !== 0,
      seq,
      batch,
      input,
      present,
      arrays[0],
      arrays[1],
      arrays[2],
      arrays[3],
      lensData,
      arrays[4],
      arrays[5],
      arrays[6],
    ),
  );
  const yShape = layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
  const results: (Value | undefined)[] = [floatValue(out.subarray(0, yLen), yShape), floatValue(out.subarray(yLen, yLen + stateLen), state)];
  if (lstm) results.push(floatValue(out.subarray(yLen + stateLen), state));
  return results;
}
