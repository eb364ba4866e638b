/**
 * Optimizers with PyTorch's hyperparameters and defaults (torch.optim). They only describe the
 * update: the arithmetic runs in wasm over the model's parameter arena.
 */
import { WasmRnnError } from '../errors';

export interface SGDOptions {
  /** Learning rate. @defaultValue 1e-3 (torch ≥ 2.0) */
  lr?: number;
  /** @defaultValue 0 */
  momentum?: number;
  /** @defaultValue 0 */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). @defaultValue false */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. @defaultValue 0 */
  weightDecay?: number;
}

export interface AdamOptions {
  /** @defaultValue 1e-3 */
  lr?: number;
  /** @defaultValue [0.9, 0.999] */
  betas?: [number, number];
  /** @defaultValue 1e-8 */
  eps?: number;
  /** Adam: L2 added to the gradient; AdamW: decoupled decay. @defaultValue 0 (Adam), 1e-2 (AdamW) */
  weightDecay?: number;
  /** @defaultValue false */
  amsgrad?: boolean;
}

export interface RMSpropOptions {
  /** @defaultValue 1e-2 */
  lr?: number;
  /** @defaultValue 0.99 */
  alpha?: number;
  /** @defaultValue 1e-8 */
  eps?: number;
  /** @defaultValue 0 */
  momentum?: number;
  /** @defaultValue false */
  centered?: boolean;
  /** @defaultValue 0 */
  weightDecay?: number;
}

/** The wire form: a code and the hyperparameters in a fixed order (see crates/bindings/src/model.rs). */
export interface OptimizerEncoding {
  readonly code: number;
  readonly values: readonly number[];
}

/** The base of every optimizer: its name, hyperparameters and learning rate. */
export abstract class Optimizer {
  /** The learning rate this optimizer starts from (schedules scale it per step). */
  abstract readonly lr: number;
  /** @internal */
  abstract encode(): OptimizerEncoding;
  /** The hyperparameters as plain data (saved with the model). */
  abstract toJSON(): { type: string } & Record<string, unknown>;
}

function num(where: string, name: string, value: unknown, fallback: number, check: (v: number) => boolean, range: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) {
    throw new WasmRnnError('E_CONFIG', `${where}: ${name} must be a number ${range}, got ${JSON.stringify(v)}`);
  }
  return v;
}
function bool(where: string, name: string, value: unknown, fallback: boolean): boolean {
  const v = value ?? fallback;
  if (typeof v !== 'boolean') throw new WasmRnnError('E_CONFIG', `${where}: ${name} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}
function object<T>(where: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new WasmRnnError('E_CONFIG', `${where}: options must be an object`);
  return options;
}
const nonNegative = (v: number): boolean => v >= 0;
const positive = (v: number): boolean => v > 0;
const unit = (v: number): boolean => v >= 0 && v < 1;

/** torch.optim.SGD. */
export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(options?: SGDOptions) {
    super();
    const o = object('SGD', options);
    this.lr = num('SGD', 'lr', o.lr, 1e-3, nonNegative, '≥ 0');
    this.momentum = num('SGD', 'momentum', o.momentum, 0, nonNegative, '≥ 0');
    this.dampening = num('SGD', 'dampening', o.dampening, 0, (v) => v >= 0 && v <= 1, 'in [0, 1]');
    this.nesterov = bool('SGD', 'nesterov', o.nesterov, false);
    this.weightDecay = num('SGD', 'weightDecay', o.weightDecay, 0, nonNegative, '≥ 0');
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new WasmRnnError('E_CONFIG', 'SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }
  encode(): OptimizerEncoding {
    return { code: 0, values: [this.lr, this.momentum, this.dampening, this.nesterov ? 1 : 0, this.weightDecay] };
  }
  toJSON() {
    return { type: 'SGD', lr: this.lr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }
}

/** torch.optim.Adam (`weightDecay` is L2 added to the gradient). */
export class Adam extends Optimizer {
  readonly lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  protected readonly decoupled: boolean = false;
  constructor(options?: AdamOptions, defaultWeightDecay = 0) {
    super();
    const name = this.constructor.name;
    const o = object(name, options);
    this.lr = num(name, 'lr', o.lr, 1e-3, nonNegative, '≥ 0');
    const betas = o.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new WasmRnnError('E_CONFIG', `${name}: betas must be [beta1, beta2]`);
    this.betas = [num(name, 'betas[0]', betas[0], 0.9, unit, 'in [0, 1)'), num(name, 'betas[1]', betas[1], 0.999, unit, 'in [0, 1)')];
    this.eps = num(name, 'eps', o.eps, 1e-8, positive, '> 0');
    this.weightDecay = num(name, 'weightDecay', o.weightDecay, defaultWeightDecay, nonNegative, '≥ 0');
    this.amsgrad = bool(name, 'amsgrad', o.amsgrad, false);
  }
  encode(): OptimizerEncoding {
    return { code: 1, values: [this.lr, this.betas[0], this.betas[1], this.eps, this.weightDecay, this.amsgrad ? 1 : 0, this.decoupled ? 1 : 0] };
  }
  toJSON() {
    return { type: this.decoupled ? 'AdamW' : 'Adam', lr: this.lr, betas: this.betas, eps: this.eps, weightDecay: this.weightDecay, amsgrad: this.amsgrad };
  }
}

/** torch.optim.AdamW: decoupled weight decay (p ← p·(1 − lr·λ) before the Adam step), default 1e-2. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(options?: AdamOptions) {
    super(options, 1e-2);
  }
}

/** torch.optim.RMSprop. */
export class RMSprop extends Optimizer {
  readonly lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;
  constructor(options?: RMSpropOptions) {
    super();
    const o = object('RMSprop', options);
    this.lr = num('RMSprop', 'lr', o.lr, 1e-2, nonNegative, '≥ 0');
    this.alpha = num('RMSprop', 'alpha', o.alpha, 0.99, nonNegative, '≥ 0');
    this.eps = num('RMSprop', 'eps', o.eps, 1e-8, positive, '> 0');
    this.momentum = num('RMSprop', 'momentum', o.momentum, 0, nonNegative, '≥ 0');
    this.centered = bool('RMSprop', 'centered', o.centered, false);
    this.weightDecay = num('RMSprop', 'weightDecay', o.weightDecay, 0, nonNegative, '≥ 0');
  }
  encode(): OptimizerEncoding {
    return { code: 2, values: [this.lr, this.alpha, this.eps, this.momentum, this.centered ? 1 : 0, this.weightDecay] };
  }
  toJSON() {
    return { type: 'RMSprop', lr: this.lr, alpha: this.alpha, eps: this.eps, momentum: this.momentum, centered: this.centered, weightDecay: this.weightDecay };
  }
}

/** Rebuilds an optimizer from `toJSON()` (used by loadModel). */
export function optimizerFromJSON(json: { type: string } & Record<string, unknown>): Optimizer {
  switch (json.type) {
    case 'SGD':
      return new SGD(json as SGDOptions);
    case 'Adam':
      return new Adam(json as AdamOptions);
    case 'AdamW':
      return new AdamW(json as AdamOptions);
    case 'RMSprop':
      return new RMSprop(json as RMSpropOptions);
    default:
      throw new WasmRnnError('E_FORMAT', `unknown optimizer type ${JSON.stringify(json.type)}`);
  }
}
