/** Loss specifications (PyTorch semantics, mean reduction); the arithmetic runs in wasm. */
import { WasmRnnError } from '../errors';

export type LossName = 'mse' | 'l1' | 'huber' | 'crossEntropy';
export type LossSpec =
  | LossName
  | { type: 'mse' }
  | { type: 'l1' }
  | { type: 'huber'; delta?: number }
  | { type: 'crossEntropy'; ignoreIndex?: number; labelSmoothing?: number };

/** The validated loss, as plain data (saved with the model). */
export interface ResolvedLoss {
  type: LossName;
  delta: number;
  ignoreIndex: number;
  labelSmoothing: number;
}

export function resolveLoss(spec: unknown): ResolvedLoss {
  const o = (typeof spec === 'string' ? { type: spec } : spec) as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') throw new WasmRnnError('E_CONFIG', `compile: loss must be a name or { type, ...options }, got ${JSON.stringify(spec)}`);
  const type = o.type;
  if (type !== 'mse' && type !== 'l1' && type !== 'huber' && type !== 'crossEntropy') {
    throw new WasmRnnError('E_CONFIG', `compile: unknown loss ${JSON.stringify(type)}; expected 'mse', 'l1', 'huber' or 'crossEntropy'`);
  }
  const delta = o.delta ?? 1.0;
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new WasmRnnError('E_CONFIG', `compile: huber delta must be a positive number, got ${JSON.stringify(delta)}`);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex) || Math.abs(ignoreIndex) > 2 ** 31 - 1) throw new WasmRnnError('E_CONFIG', `compile: ignoreIndex must be an integer, got ${JSON.stringify(ignoreIndex)}`);
  const labelSmoothing = o.labelSmoothing ?? 0;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new WasmRnnError('E_CONFIG', `compile: labelSmoothing must be in [0, 1], got ${JSON.stringify(labelSmoothing)}`);
  return { type, delta, ignoreIndex, labelSmoothing };
}

/** The wire form for wasm: [code, delta, ignoreIndex, labelSmoothing]. */
export function encodeLoss(loss: ResolvedLoss): number[] {
  const code = { mse: 0, l1: 1, huber: 2, crossEntropy: 3 }[loss.type];
  return [code, loss.delta, loss.ignoreIndex, loss.labelSmoothing];
}
