/** Loss specifications (PyTorch semantics, mean reduction); the arithmetic runs in wasm. */
import { WasmRnnError } from '../errors';

export type LossName = 'mse' | 'l1' | 'huber' | 'crossEntropy' | 'ctc';
export type LossSpec =
  | LossName
  | { type: 'mse' }
  | { type: 'l1' }
  | { type: 'huber'; delta?: number }
  | { type: 'crossEntropy'; ignoreIndex?: number; labelSmoothing?: number }
  /**
   * nn.CTCLoss on log_softmax of the model's logits [T, B, C] (mean reduction: each sequence's
   * loss over its target length, then the batch mean). Targets are Int32 label ids [B, S], a row
   * ending at its first negative entry (pad with −1); the model's `lengths` are the input lengths.
   */
  | { type: 'ctc'; blank?: number; zeroInfinity?: boolean };

/** The validated loss, as plain data (saved with the model). */
export interface ResolvedLoss {
  type: LossName;
  delta: number;
  ignoreIndex: number;
  labelSmoothing: number;
  /** ctc: the blank class. */
  blank: number;
  /** ctc: an impossible alignment counts 0 (and no gradient) instead of +∞. */
  zeroInfinity: boolean;
}

export function resolveLoss(spec: unknown): ResolvedLoss {
  const o = (typeof spec === 'string' ? { type: spec } : spec) as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') throw new WasmRnnError('E_CONFIG', `compile: loss must be a name or { type, ...options }, got ${JSON.stringify(spec)}`);
  const type = o.type;
  if (type !== 'mse' && type !== 'l1' && type !== 'huber' && type !== 'crossEntropy' && type !== 'ctc') {
    throw new WasmRnnError('E_CONFIG', `compile: unknown loss ${JSON.stringify(type)}; expected 'mse', 'l1', 'huber', 'crossEntropy' or 'ctc'`);
  }
  const delta = o.delta ?? 1.0;
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new WasmRnnError('E_CONFIG', `compile: huber delta must be a positive number, got ${JSON.stringify(delta)}`);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex) || Math.abs(ignoreIndex) > 2 ** 31 - 1) throw new WasmRnnError('E_CONFIG', `compile: ignoreIndex must be an integer, got ${JSON.stringify(ignoreIndex)}`);
  const labelSmoothing = o.labelSmoothing ?? 0;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new WasmRnnError('E_CONFIG', `compile: labelSmoothing must be in [0, 1], got ${JSON.stringify(labelSmoothing)}`);
  const blank = o.blank ?? 0;
  if (typeof blank !== 'number' || !Number.isInteger(blank) || blank < 0 || blank > 2 ** 31 - 1) throw new WasmRnnError('E_CONFIG', `compile: ctc blank must be a non-negative integer, got ${JSON.stringify(blank)}`);
  const zeroInfinity = o.zeroInfinity ?? false;
  if (typeof zeroInfinity !== 'boolean') throw new WasmRnnError('E_CONFIG', `compile: ctc zeroInfinity must be a boolean, got ${JSON.stringify(zeroInfinity)}`);
  return { type, delta, ignoreIndex, labelSmoothing, blank, zeroInfinity };
}

/** The wire form for wasm: [code, delta, ignoreIndex, labelSmoothing], or [4, blank, zeroInfinity, 0] for ctc. */
export function encodeLoss(loss: ResolvedLoss): number[] {
  if (loss.type === 'ctc') return [4, loss.blank, loss.zeroInfinity ? 1 : 0, 0];
  const code = { mse: 0, l1: 1, huber: 2, crossEntropy: 3 }[loss.type];
  return [code, loss.delta, loss.ignoreIndex, loss.labelSmoothing];
}
