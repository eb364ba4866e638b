/** What an operator implementation receives, and helpers to read its inputs. */
import { WasmRnnError } from '../core';
import type { GraphNode } from '../graph';
import type { Value } from '../values';

export interface OpContext {
  readonly node: GraphNode;
  readonly opset: number;
  /** One per node input; undefined for an omitted optional input (""). */
  readonly inputs: readonly (Value | undefined)[];
}

/** Returns one value per node output (undefined for outputs it does not produce). */
export type Operator = (ctx: OpContext) => (Value | undefined)[];

/** Input `i`, required (E_FORMAT naming the node when absent). */
export function need(ctx: OpContext, i: number, what: string): Value {
  const v = ctx.inputs[i];
  if (v === undefined) throw new WasmRnnError('E_FORMAT', `${ctx.node.label}: input ${i} (${what}) is missing`);
  return v;
}

/** Normalizes a possibly negative axis against `rank` (E_FORMAT when out of range). */
export function axis(ctx: OpContext, a: number, rank: number, what = 'axis'): number {
  const n = a < 0 ? a + rank : a;
  if (!Number.isInteger(n) || n < 0 || n >= rank) throw new WasmRnnError('E_FORMAT', `${ctx.node.label}: ${what} ${a} is out of range for rank ${rank}`);
  return n;
}

export function fail(ctx: OpContext, message: string): never {
  throw new WasmRnnError('E_FORMAT', `${ctx.node.label}: ${message}`);
}
