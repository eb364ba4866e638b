/**
 * Feature scaling with scikit-learn's semantics: `MinMaxScaler` and `StandardScaler`.
 *
 * Data is rows × features: a `Float32Array` in row-major order with the feature count passed
 * to `fit`, or a `Tensor` whose **last** dimension is the features (`[T, F]` series,
 * `[T, N, F]` windows…; every other dimension counts as rows). Statistics and arithmetic are
 * float64; results are new Float32Arrays (or Tensors of the same shape). Fit on the training
 * data only and transform validation and test data with the training statistics, or the
 * evaluation leaks information from the future:
 *
 * ```ts
 * const { train, validation, test } = splitSeries(series, { validation: 0.15, test: 0.15 });
 * const scaler = new StandardScaler().fit(train);      // train: Tensor [T, F]
 * const trainScaled = scaler.transform(train);
 * const valScaled = scaler.transform(validation);       // the training mean and std
 * const prediction = scaler.inverseTransform(scaledPrediction);   // back to data units
 * const saved = JSON.stringify({ scaler });            // toJSON(); revivePreprocessing() reads it back
 * ```
 *
 * NaN or ±Infinity in the data throws `E_NON_FINITE` naming its index: a missing value scaled
 * silently would poison every training step that sees it. Drop or impute missing values first.
 */
import { WasmRnnError } from '../errors';
import type { Tensor } from '../tensor';
import { type FeatureData, checkFinite, like, optionsArg, readFeatureData, show } from './common';

const NON_FINITE_ADVICE = 'drop or impute missing values before scaling (a NaN would poison training)';

/** The plain-data form of a fitted {@link MinMaxScaler} (`toJSON()`). */
export interface MinMaxScalerJSON {
  type: 'MinMaxScaler';
  featureRange: [number, number];
  /** Number of features fitted. */
  features: number;
  /** Rows seen by `fit` (sklearn's `n_samples_seen_`). */
  nSamplesSeen: number;
  /** Per-feature minimum and maximum of the training data (`data_min_`, `data_max_`). */
  dataMin: number[];
  dataMax: number[];
  /** `transform(x) = x · scale + min`, per feature (sklearn's `min_` and `scale_`). */
  min: number[];
  scale: number[];
}

/** The plain-data form of a fitted {@link StandardScaler} (`toJSON()`). */
export interface StandardScalerJSON {
  type: 'StandardScaler';
  features: number;
  nSamplesSeen: number;
  /** Per-feature mean and population variance (ddof 0) of the training data. */
  mean: number[];
  var: number[];
  /** `transform(x) = (x − mean) / scale`; `sqrt(var)`, or 1 for a constant feature. */
  scale: number[];
}

export interface MinMaxScalerOptions {
  /** The range the training data is mapped onto. @defaultValue [0, 1] */
  featureRange?: [number, number];
}

function notFitted(where: string): never {
  throw new WasmRnnError('E_ARGUMENT', `${where}: call fit() first`);
}

/** `x` (fitted to `features`) with `f(value, feature)` applied to each element: `transform`'s and `inverseTransform`'s common path. */
function mapFeatures(where: string, x: Float32Array | Tensor, features: number, f: (v: number, feature: number) => number): Float32Array | Tensor {
  const input = readFeatureData(where, 'x', x, undefined, features);
  checkFinite(where, 'x', input.data, input.features, NON_FINITE_ADVICE);
  return like(input, map(where, input, f));
}

/** Applies `f(value, feature)` to every element, in float64, into a new Float32Array; refuses float32 overflow. */
function map(where: string, input: FeatureData, f: (v: number, feature: number) => number): Float32Array {
  const { data, features } = input;
  const out = new Float32Array(data.length);
  for (let i = 0, j = 0; i < data.length; i++) {
    out[i] = f(data[i]!, j);
    if (++j === features) j = 0;
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      const row = Math.floor(i / features);
      throw new WasmRnnError('E_NON_FINITE', `${where}: the result at flat index ${i} (row ${row}, feature ${i - row * features}) is ${out[i]}: ${data[i]} overflows float32 after scaling`);
    }
  }
  return out;
}

// ---- fromJSON validation ----

function jsonObject(where: string, json: unknown, type: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new WasmRnnError('E_FORMAT', `${where}: expected an object from toJSON(), got ${show(json)}`);
  const o = json as Record<string, unknown>;
  if (o.type !== type) throw new WasmRnnError('E_FORMAT', `${where}: type is ${show(o.type)}, expected "${type}"`);
  return o;
}

function jsonInt(where: string, o: Record<string, unknown>, name: string, min: number): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new WasmRnnError('E_FORMAT', `${where}: ${name} must be an integer ≥ ${min}, got ${show(v)}`);
  return v;
}

function jsonNumbers(where: string, o: Record<string, unknown>, name: string, length: number, ok: (v: number) => boolean = () => true, rule = 'a finite number'): number[] {
  const v = o[name];
  if (!Array.isArray(v) || v.length !== length) throw new WasmRnnError('E_FORMAT', `${where}: ${name} must be an array of ${length} numbers, got ${Array.isArray(v) ? `${v.length} entries` : show(v)}`);
  return v.map((x: unknown, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) throw new WasmRnnError('E_FORMAT', `${where}: ${name}[${i}] must be ${rule}, got ${show(x)}`);
    return x;
  });
}

function checkRange(where: string, range: unknown, code: 'E_ARGUMENT' | 'E_FORMAT'): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(range[0] < range[1])) {
    throw new WasmRnnError(code, `${where}: featureRange must be [min, max] with finite min < max, got ${Array.isArray(range) ? JSON.stringify(range) : show(range)}`);
  }
  return [range[0] + 0, range[1] + 0];
}

/**
 * Scales each feature to `featureRange` (default [0, 1]) by the training minimum and maximum,
 * as sklearn's `MinMaxScaler`: `scale = (max_r − min_r) / (dataMax − dataMin)`,
 * `min = min_r − dataMin · scale`, `transform(x) = x · scale + min`. A constant feature (zero
 * range) gets range 1, so it maps to `min_r`. Values outside the training range map outside
 * `featureRange` (no clipping).
 *
 * ```ts
 * const s = new MinMaxScaler({ featureRange: [-1, 1] }).fit(new Float32Array([0, 10, 2, 20, 4, 30]), 2);
 * s.transform(new Float32Array([1, 25]));          // Float32Array [-0.5, 0.5]
 * s.inverseTransform(new Float32Array([0, 0.5]));  // Float32Array [2, 25]
 * ```
 */
export class MinMaxScaler {
  readonly featureRange: [number, number];
  #fit: { features: number; nSamplesSeen: number; dataMin: number[]; dataMax: number[]; min: number[]; scale: number[] } | undefined;

  constructor(options?: MinMaxScalerOptions) {
    const o = optionsArg('MinMaxScaler', options);
    this.featureRange = o.featureRange === undefined ? [0, 1] : checkRange('MinMaxScaler', o.featureRange, 'E_ARGUMENT');
  }

  /** Whether `fit` has run (or the scaler came from `fromJSON`). */
  get fitted(): boolean {
    return this.#fit !== undefined;
  }

  /** The number of features fitted (`undefined` before `fit`). */
  get features(): number | undefined {
    return this.#fit?.features;
  }

  /**
   * Learns each feature's minimum and maximum from `data` (the training data only): a
   * Float32Array of rows × `features` (row-major), or a Tensor whose last dimension is the
   * features. Refitting replaces the statistics. Returns `this`.
   */
  fit(data: Float32Array, features: number): this;
  fit(data: Tensor): this;
  fit(data: Float32Array | Tensor, features?: number): this;
  fit(data: Float32Array | Tensor, features?: number): this {
    const where = 'MinMaxScaler.fit';
    const input = readFeatureData(where, 'data', data, features, undefined);
    if (input.rows === 0) throw new WasmRnnError('E_SHAPE', `${where}: data has no rows; fitting needs at least one`);
    checkFinite(where, 'data', input.data, input.features, NON_FINITE_ADVICE);
    const F = input.features;
    const dataMin = new Array<number>(F).fill(Infinity);
    const dataMax = new Array<number>(F).fill(-Infinity);
    const d = input.data;
    for (let i = 0, j = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v < dataMin[j]!) dataMin[j] = v;
      if (v > dataMax[j]!) dataMax[j] = v;
      if (++j === F) j = 0;
    }
    const [lo, hi] = this.featureRange;
    const scale = dataMin.map((mn, j) => {
      const range = dataMax[j]! - mn;
      // sklearn's _handle_zeros_in_scale: a range below 10·eps counts as zero and becomes 1.
      return (hi - lo) / (range < 10 * Number.EPSILON ? 1 : range);
    });
    const min = dataMin.map((mn, j) => lo - mn * scale[j]!);
    this.#fit = { features: F, nSamplesSeen: input.rows, dataMin, dataMax, min, scale };
    return this;
  }

  /** Maps `x` (same form as `fit`'s data, the fitted feature count) into `featureRange`; returns a new array/tensor. */
  transform(x: Float32Array): Float32Array;
  transform(x: Tensor): Tensor;
  transform(x: Float32Array | Tensor): Float32Array | Tensor;
  transform(x: Float32Array | Tensor): Float32Array | Tensor {
    const where = 'MinMaxScaler.transform';
    const { features, min, scale } = this.#fit ?? notFitted(where);
    return mapFeatures(where, x, features, (v, j) => v * scale[j]! + min[j]!);
  }

  /** The inverse of `transform`: `(x − min) / scale`, back to the data's units. */
  inverseTransform(x: Float32Array): Float32Array;
  inverseTransform(x: Tensor): Tensor;
  inverseTransform(x: Float32Array | Tensor): Float32Array | Tensor;
  inverseTransform(x: Float32Array | Tensor): Float32Array | Tensor {
    const where = 'MinMaxScaler.inverseTransform';
    const { features, min, scale } = this.#fit ?? notFitted(where);
    return mapFeatures(where, x, features, (v, j) => (v - min[j]!) / scale[j]!);
  }

  /** `fit(data, features)` then `transform(data)`. */
  fitTransform(data: Float32Array, features: number): Float32Array;
  fitTransform(data: Tensor): Tensor;
  fitTransform(data: Float32Array | Tensor, features?: number): Float32Array | Tensor;
  fitTransform(data: Float32Array | Tensor, features?: number): Float32Array | Tensor {
    this.fit(data, features);
    return this.transform(data);
  }

  /** Plain data (numbers exact through JSON) for saving; throws E_ARGUMENT before `fit`. */
  toJSON(): MinMaxScalerJSON {
    const s = this.#fit ?? notFitted('MinMaxScaler.toJSON');
    return { type: 'MinMaxScaler', featureRange: [...this.featureRange], features: s.features, nSamplesSeen: s.nSamplesSeen, dataMin: [...s.dataMin], dataMax: [...s.dataMax], min: [...s.min], scale: [...s.scale] };
  }

  /** Rebuilds a fitted scaler from `toJSON()`'s data; anything malformed throws E_FORMAT. */
  static fromJSON(json: unknown): MinMaxScaler {
    const where = 'MinMaxScaler.fromJSON';
    const o = jsonObject(where, json, 'MinMaxScaler');
    const featureRange = checkRange(where, o.featureRange, 'E_FORMAT');
    const features = jsonInt(where, o, 'features', 1);
    const nSamplesSeen = jsonInt(where, o, 'nSamplesSeen', 1);
    const dataMin = jsonNumbers(where, o, 'dataMin', features);
    const dataMax = jsonNumbers(where, o, 'dataMax', features);
    dataMax.forEach((mx, j) => {
      if (mx < dataMin[j]!) throw new WasmRnnError('E_FORMAT', `${where}: dataMax[${j}] (${mx}) is below dataMin[${j}] (${dataMin[j]})`);
    });
    const min = jsonNumbers(where, o, 'min', features);
    const scale = jsonNumbers(where, o, 'scale', features, (v) => v !== 0, 'a finite non-zero number');
    const scaler = new MinMaxScaler({ featureRange });
    scaler.#fit = { features, nSamplesSeen, dataMin, dataMax, min, scale };
    return scaler;
  }
}

/**
 * Standardizes each feature to zero mean and unit variance with the training statistics, as
 * sklearn's `StandardScaler`: `transform(x) = (x − mean) / scale`, `scale = sqrt(var)` with the
 * **population** variance (ddof 0, numpy's default; not pandas'). A constant feature (zero
 * variance, detected as sklearn does) gets scale 1, so it maps to 0.
 *
 * ```ts
 * const s = new StandardScaler().fit(tensor(new Float32Array([1, 2, 3, 4]), [4, 1]));
 * s.toJSON().mean;   // [2.5]
 * s.toJSON().scale;  // [1.118033988749895]  (sqrt(1.25))
 * ```
 */
export class StandardScaler {
  #fit: { features: number; nSamplesSeen: number; mean: number[]; var: number[]; scale: number[] } | undefined;

  constructor() {
    this.#fit = undefined;
  }

  /** Whether `fit` has run (or the scaler came from `fromJSON`). */
  get fitted(): boolean {
    return this.#fit !== undefined;
  }

  /** The number of features fitted (`undefined` before `fit`). */
  get features(): number | undefined {
    return this.#fit?.features;
  }

  /**
   * Learns each feature's mean and population variance from `data` (the training data
   * only), in float64 (two passes, with the compensation term of sklearn's
   * `_incremental_mean_and_var`). Same forms as {@link MinMaxScaler.fit}. Returns `this`.
   */
  fit(data: Float32Array, features: number): this;
  fit(data: Tensor): this;
  fit(data: Float32Array | Tensor, features?: number): this;
  fit(data: Float32Array | Tensor, features?: number): this {
    const where = 'StandardScaler.fit';
    const input = readFeatureData(where, 'data', data, features, undefined);
    if (input.rows === 0) throw new WasmRnnError('E_SHAPE', `${where}: data has no rows; fitting needs at least one`);
    checkFinite(where, 'data', input.data, input.features, NON_FINITE_ADVICE);
    const F = input.features;
    const n = input.rows;
    const d = input.data;
    const sum = new Array<number>(F).fill(0);
    for (let i = 0, j = 0; i < d.length; i++) {
      sum[j] += d[i]!;
      if (++j === F) j = 0;
    }
    const mean = sum.map((s) => s / n);
    const sq = new Array<number>(F).fill(0);
    const dev = new Array<number>(F).fill(0);
    for (let i = 0, j = 0; i < d.length; i++) {
      const delta = d[i]! - mean[j]!;
      sq[j] += delta * delta;
      dev[j] += delta;
      if (++j === F) j = 0;
    }
    const variance = sq.map((s, j) => Math.max(0, (s - (dev[j]! * dev[j]!) / n) / n));
    const eps = Number.EPSILON;
    const scale = variance.map((v, j) => {
      // sklearn's _is_constant_feature: a variance within float64 round-off of zero is zero.
      const bound = n * eps * v + (n * mean[j]! * eps) ** 2;
      return v <= bound ? 1 : Math.sqrt(v);
    });
    this.#fit = { features: F, nSamplesSeen: n, mean, var: variance, scale };
    return this;
  }

  /** `(x − mean) / scale` with the training statistics; returns a new array/tensor of x's form. */
  transform(x: Float32Array): Float32Array;
  transform(x: Tensor): Tensor;
  transform(x: Float32Array | Tensor): Float32Array | Tensor;
  transform(x: Float32Array | Tensor): Float32Array | Tensor {
    const where = 'StandardScaler.transform';
    const { features, mean, scale } = this.#fit ?? notFitted(where);
    return mapFeatures(where, x, features, (v, j) => (v - mean[j]!) / scale[j]!);
  }

  /** The inverse of `transform`: `x · scale + mean`, back to the data's units. */
  inverseTransform(x: Float32Array): Float32Array;
  inverseTransform(x: Tensor): Tensor;
  inverseTransform(x: Float32Array | Tensor): Float32Array | Tensor;
  inverseTransform(x: Float32Array | Tensor): Float32Array | Tensor {
    const where = 'StandardScaler.inverseTransform';
    const { features, mean, scale } = this.#fit ?? notFitted(where);
    return mapFeatures(where, x, features, (v, j) => v * scale[j]! + mean[j]!);
  }

  /** `fit(data, features)` then `transform(data)`. */
  fitTransform(data: Float32Array, features: number): Float32Array;
  fitTransform(data: Tensor): Tensor;
  fitTransform(data: Float32Array | Tensor, features?: number): Float32Array | Tensor;
  fitTransform(data: Float32Array | Tensor, features?: number): Float32Array | Tensor {
    this.fit(data, features);
    return this.transform(data);
  }

  /** Plain data (numbers exact through JSON) for saving; throws E_ARGUMENT before `fit`. */
  toJSON(): StandardScalerJSON {
    const s = this.#fit ?? notFitted('StandardScaler.toJSON');
    return { type: 'StandardScaler', features: s.features, nSamplesSeen: s.nSamplesSeen, mean: [...s.mean], var: [...s.var], scale: [...s.scale] };
  }

  /** Rebuilds a fitted scaler from `toJSON()`'s data; anything malformed throws E_FORMAT. */
  static fromJSON(json: unknown): StandardScaler {
    const where = 'StandardScaler.fromJSON';
    const o = jsonObject(where, json, 'StandardScaler');
    const features = jsonInt(where, o, 'features', 1);
    const nSamplesSeen = jsonInt(where, o, 'nSamplesSeen', 1);
    const mean = jsonNumbers(where, o, 'mean', features);
    const variance = jsonNumbers(where, o, 'var', features, (v) => v >= 0, 'a finite number ≥ 0');
    const scale = jsonNumbers(where, o, 'scale', features, (v) => v > 0, 'a finite number > 0');
    const scaler = new StandardScaler();
    scaler.#fit = { features, nSamplesSeen, mean, var: variance, scale };
    return scaler;
  }
}
