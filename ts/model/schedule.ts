/**
 * Learning-rate schedules for `fit` (torch.optim.lr_scheduler's StepLR, ExponentialLR,
 * cosine annealing with linear warmup, ReduceLROnPlateau, LambdaLR). Each maps the optimizer's
 * base rate to the rate of a step; plateau also watches the validation loss at the end of each
 * epoch; lambda asks the caller's function (e.g. a schedule that follows the time left).
 */
import { WasmRnnError } from '../errors';

export type LrSchedule =
  | { type: 'step'; stepSize: number; gamma?: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; warmupSteps?: number; totalSteps?: number; minLr?: number }
  | { type: 'plateau'; factor?: number; patience?: number; minLr?: number; threshold?: number }
  /** The base rate times `factor(step)` (0-based optimizer steps; a finite number ≥ 0). */
  | { type: 'lambda'; factor: (step: number) => number };

export interface Scheduler {
  /** The rate for optimizer step `step` (0-based) of `totalSteps`. */
  lrAt(step: number, totalSteps: number): number;
  /** Called with each epoch's monitored loss (plateau only changes its rate here). */
  endEpoch(loss: number): void;
}

export function makeScheduler(spec: LrSchedule | undefined, baseLr: number): Scheduler {
  if (spec === undefined) return { lrAt: () => baseLr, endEpoch: () => undefined };
  if (spec === null || typeof spec !== 'object') throw new WasmRnnError('E_ARGUMENT', 'fit: lrSchedule must be an object');
  const positive = (name: string, v: unknown, fallback?: number): number => {
    const x = v ?? fallback;
    if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) throw new WasmRnnError('E_ARGUMENT', `fit: lrSchedule.${name} must be a positive number, got ${JSON.stringify(x)}`);
    return x;
  };
  switch (spec.type) {
    case 'step': {
      const stepSize = positive('stepSize', spec.stepSize);
      const gamma = positive('gamma', spec.gamma, 0.1);
      return { lrAt: (s) => baseLr * gamma ** Math.floor(s / stepSize), endEpoch: () => undefined };
    }
    case 'exponential': {
      const gamma = positive('gamma', spec.gamma);
      return { lrAt: (s) => baseLr * gamma ** s, endEpoch: () => undefined };
    }
    case 'cosine': {
      const warmup = spec.warmupSteps ?? 0;
      if (!Number.isInteger(warmup) || warmup < 0) throw new WasmRnnError('E_ARGUMENT', `fit: lrSchedule.warmupSteps must be a non-negative integer`);
      const minLr = spec.minLr ?? 0;
      return {
        lrAt: (s, total) => {
          const end = spec.totalSteps ?? total;
          if (s < warmup) return (baseLr * (s + 1)) / warmup;
          const progress = Math.min(1, (s - warmup) / Math.max(1, end - warmup));
          return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        },
        endEpoch: () => undefined,
      };
    }
    case 'plateau': {
      const factor = positive('factor', spec.factor, 0.1);
      const patience = spec.patience ?? 10;
      const minLr = spec.minLr ?? 0;
      const threshold = spec.threshold ?? 1e-4;
      let lr = baseLr;
      let best = Infinity;
      let bad = 0;
      return {
        lrAt: () => lr,
        endEpoch: (loss) => {
          // torch's default mode: 'min', threshold_mode 'rel'.
          if (loss < best * (1 - threshold)) {
            best = loss;
            bad = 0;
          } else if (++bad > patience) {
            lr = Math.max(minLr, lr * factor);
            bad = 0;
          }
        },
      };
    }
    case 'lambda': {
      const factor = spec.factor;
      if (typeof factor !== 'function') throw new WasmRnnError('E_ARGUMENT', 'fit: lrSchedule.factor must be a function of the step returning a multiplier of the base rate');
      return {
        lrAt: (s) => {
          const f = factor(s);
          if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) throw new WasmRnnError('E_ARGUMENT', `fit: lrSchedule.factor(${s}) returned ${typeof f === 'number' ? f : JSON.stringify(f)}; it must be a finite number ≥ 0`);
          return baseLr * f;
        },
        endEpoch: () => undefined,
      };
    }
    default:
      throw new WasmRnnError('E_ARGUMENT', `fit: unknown lrSchedule type ${JSON.stringify((spec as { type?: unknown }).type)}`);
  }
}
