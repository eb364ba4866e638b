/**
 * Time series → supervised samples: `slidingWindows` cuts a `[T, F]` series into time-major
 * input windows and the steps that follow each, and `chronologicalSplit` / `splitSeries`
 * divide a series into train / validation / test **in time order** (never shuffled: a model
 * validated on points interleaved with its training points is validated on the past it saw).
 *
 * The usual order: split the raw series, fit a scaler on the training part, scale each part,
 * then window each part:
 *
 * ```ts
 * const parts = splitSeries(series, { validation: 0.15, test: 0.15 });   // series: Tensor [T, F]
 * const scaler = new StandardScaler().fit(parts.train);
 * const train = slidingWindows(scaler.transform(parts.train), { lookback: 48, horizon: 1 });
 * const val = slidingWindows(scaler.transform(parts.validation), { lookback: 48, horizon: 1 });
 * model.fit(train.x, train.y, { validationData: [val.x, val.y], epochs: 20, batchSize: 32 });
 * // the model ends in LSTM({ …, returnSequences: false }) → Dense({ outputSize: F })
 * ```
 */
import { WasmRnnError } from '../errors';
import { type Tensor, describe, formatShape, isFloat32Array } from '../tensor';
import { checkFinite, checkSize, intArg, optionsArg, show } from './common';

export interface SlidingWindowOptions {
  /** Steps in each input window (the sequence length T of `x`). */
  lookback: number;
  /** Steps to predict after each window. @defaultValue 1 */
  horizon?: number;
  /** Steps between the starts of consecutive windows. @defaultValue 1 */
  stride?: number;
  /** The features (column indices) that make up `y`, in this order. @defaultValue every feature */
  targetFeatures?: number[];
}

/** Samples cut from a series by {@link slidingWindows}. */
export interface Windows {
  /** Inputs, time-major `[lookback, N, F]`: `x[t, n, f] = series[n·stride + t, f]`. */
  x: Tensor;
  /** Targets `[N, horizon·K]` (K = targetFeatures.length), step-major: `y[n, h·K + k] = series[n·stride + lookback + h, targetFeatures[k]]`. */
  y: Tensor;
}

interface Series {
  data: Float32Array;
  steps: number;
  features: number;
  /** How the series was passed: a bare Float32Array, a Tensor [T] or a Tensor [T, F]. */
  form: 'array' | 'vector' | 'matrix';
}

function readSeries(where: string, series: unknown): Series {
  if (isFloat32Array(series)) return { data: series, steps: series.length, features: 1, form: 'array' };
  if (series !== null && typeof series === 'object' && 'data' in series && 'shape' in series) {
    const t = series as { data: unknown; shape: unknown };
    const data = t.data;
    if (!isFloat32Array(data)) throw new WasmRnnError('E_DTYPE', `${where}: series.data must be a Float32Array, got ${describe(data)}`);
    const shape: unknown = t.shape;
    const dims = Array.isArray(shape) && (shape.length === 1 || shape.length === 2) && shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) ? (shape as number[]).map((d) => d + 0) : undefined;
    if (dims === undefined) throw new WasmRnnError('E_SHAPE', `${where}: series must be a Tensor [T, F] (or [T]), got shape ${Array.isArray(shape) ? JSON.stringify(shape) : show(shape)}`);
    const steps = dims[0]!;
    const features = dims.length === 2 ? dims[1]! : 1;
    if (steps * features !== data.length) throw new WasmRnnError('E_SHAPE', `${where}: series has shape ${formatShape(dims)} (${steps * features} elements) but its data holds ${data.length}`);
    if (features === 0) throw new WasmRnnError('E_SHAPE', `${where}: series has shape ${formatShape(dims)}: it needs at least one feature`);
    return { data, steps, features, form: dims.length === 2 ? 'matrix' : 'vector' };
  }
  throw new WasmRnnError('E_DTYPE', `${where}: series must be a Float32Array (one feature) or a Tensor { data: Float32Array, shape: [T, F] }, got ${describe(series)}`);
}

/**
 * Cuts `series` (`[T, F]`, or a Float32Array / Tensor `[T]` for one feature) into overlapping
 * windows of `lookback` steps, starting every `stride` steps, each paired with the `horizon`
 * steps that follow it. The result is ready for a `Sequential` whose recurrent layer ends with
 * `returnSequences: false` and a `Dense({ outputSize: horizon · targetFeatures.length })`.
 * There are `N = ⌊(T − lookback − horizon) / stride⌋ + 1` windows; the last steps that do not
 * fill a window are left out. NaN/±Infinity in the series throws E_NON_FINITE; a series too
 * short for one window throws E_SHAPE.
 *
 * ```ts
 * // T = 6, F = 2: rows [0, 10], [1, 11], …, [5, 15]
 * const series = tensor(new Float32Array([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]), [6, 2]);
 * const { x, y } = slidingWindows(series, { lookback: 3, horizon: 2, targetFeatures: [0] });
 * // N = ⌊(6 − 3 − 2) / 1⌋ + 1 = 2 windows, starting at steps 0 and 1
 * x.shape; // [3, 2, 2]   x[t, n, f] = series[n + t, f]: x[2, 1, :] = [3, 13]
 * y.shape; // [2, 2]      y[n, h] = series[n + 3 + h, 0]: y = [[3, 4], [4, 5]]
 * slidingWindows(series, { lookback: 2, stride: 2 }).y.shape;   // [2, 2]: windows at 0 and 2, targets rows 2 and 4
 * ```
 */
export function slidingWindows(series: Float32Array | Tensor, options: SlidingWindowOptions): Windows {
  const where = 'slidingWindows';
  const s = readSeries(where, series);
  if (options === undefined) throw new WasmRnnError('E_ARGUMENT', `${where}: options { lookback, horizon?, stride?, targetFeatures? } are required`);
  const o = optionsArg(where, options);
  const lookback = intArg(where, 'lookback', o.lookback, 1);
  const horizon = intArg(where, 'horizon', o.horizon ?? 1, 1);
  const stride = intArg(where, 'stride', o.stride ?? 1, 1);
  const F = s.features;
  let targets: number[];
  if (o.targetFeatures === undefined) {
    targets = Array.from({ length: F }, (_, i) => i);
  } else {
    const tf: unknown = o.targetFeatures;
    if (!Array.isArray(tf) || tf.length === 0) throw new WasmRnnError('E_ARGUMENT', `${where}: targetFeatures must be a non-empty array of feature indices, got ${Array.isArray(tf) ? '[]' : show(tf)}`);
    targets = tf.map((f: unknown, i) => intArg(where, `targetFeatures[${i}]`, f, 0, F - 1));
    const seen = new Set<number>();
    for (const f of targets) {
      if (seen.has(f)) throw new WasmRnnError('E_ARGUMENT', `${where}: targetFeatures lists feature ${f} twice`);
      seen.add(f);
    }
  }
  const T = s.steps;
  if (T < lookback + horizon) {
    throw new WasmRnnError('E_SHAPE', `${where}: a series of ${T} steps is too short for one window: lookback ${lookback} + horizon ${horizon} = ${lookback + horizon} steps`);
  }
  checkFinite(where, 'series', s.data, F, 'drop or impute missing values before windowing (a NaN would poison training)');
  const N = Math.floor((T - lookback - horizon) / stride) + 1;
  const K = targets.length;
  checkSize(where, 'x', [lookback, N, F]);
  checkSize(where, 'y', [N, horizon * K]);
  const d = s.data;
  const x = new Float32Array(lookback * N * F);
  for (let t = 0; t < lookback; t++) {
    for (let n = 0; n < N; n++) {
      const from = (n * stride + t) * F;
      x.set(d.subarray(from, from + F), (t * N + n) * F);
    }
  }
  const y = new Float32Array(N * horizon * K);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < horizon; h++) {
      const row = (n * stride + lookback + h) * F;
      for (let k = 0; k < K; k++) y[(n * horizon + h) * K + k] = d[row + targets[k]!]!;
    }
  }
  return { x: { data: x, shape: [lookback, N, F] }, y: { data: y, shape: [N, horizon * K] } };
}

/** The fractions of a series held out, taken from its end: test last, validation before it. */
export interface SplitFractions {
  /** @defaultValue 0 */
  validation?: number;
  /** @defaultValue 0 */
  test?: number;
}

/** Half-open index ranges `[start, end)`. */
export interface SplitRanges {
  train: [start: number, end: number];
  validation: [start: number, end: number];
  test: [start: number, end: number];
}

/** ⌊n·f⌋, but an n·f within float round-off of an integer counts as that integer (0.29 · 100 = 28.999999999999996 → 29). */
function countOf(n: number, f: number): number {
  const exact = n * f;
  const nearest = Math.round(exact);
  return Math.abs(exact - nearest) <= 1e-9 * Math.max(1, exact) ? nearest : Math.floor(exact);
}

/**
 * Splits `n` time steps (or samples in time order) into consecutive ranges: train first,
 * then validation, then test. The held-out counts are `⌊n · fraction⌋` (as `fit`'s
 * `validationSplit`); the training range keeps the rest and must not be empty.
 *
 * ```ts
 * chronologicalSplit(100, { validation: 0.15, test: 0.15 });
 * // { train: [0, 70], validation: [70, 85], test: [85, 100] }   (half-open: [start, end))
 * chronologicalSplit(10, { test: 0.25 });
 * // { train: [0, 8], validation: [8, 8], test: [8, 10] }   (⌊2.5⌋ = 2 test steps)
 * ```
 */
export function chronologicalSplit(n: number, fractions: SplitFractions = {}): SplitRanges {
  const where = 'chronologicalSplit';
  const count = intArg(where, 'n', n, 1);
  const o = optionsArg(where, fractions);
  const fraction = (name: 'validation' | 'test'): number => {
    const v: unknown = o[name] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new WasmRnnError('E_ARGUMENT', `${where}: ${name} must be a fraction in [0, 1), got ${show(v)}`);
    return v;
  };
  const validation = fraction('validation');
  const test = fraction('test');
  if (!(validation + test < 1)) throw new WasmRnnError('E_ARGUMENT', `${where}: validation + test must be below 1, got ${validation} + ${test}`);
  const nTest = countOf(count, test);
  const nVal = countOf(count, validation);
  const a = count - nVal - nTest;
  if (a < 1) throw new WasmRnnError('E_ARGUMENT', `${where}: no training steps left: ${count} steps, ${nVal} for validation and ${nTest} for test`);
  return { train: [0, a], validation: [a, a + nVal], test: [a + nVal, count] };
}

/** A series split by {@link splitSeries}: each part in the form the series was passed (copies). */
export interface SeriesSplit<S> {
  train: S;
  validation: S;
  test: S;
  /** The step ranges each part came from. */
  ranges: SplitRanges;
}

/**
 * Slices a series (`[T, F]` Tensor, `[T]` Tensor or Float32Array) along time by
 * {@link chronologicalSplit}; each part is a copy in the same form. An empty part (fraction 0)
 * has 0 steps.
 *
 * ```ts
 * const { train, validation, test } = splitSeries(tensor(data, [1000, 3]), { validation: 0.1, test: 0.2 });
 * // train [700, 3] = steps 0..699, validation [100, 3] = 700..799, test [200, 3] = 800..999
 * ```
 */
export function splitSeries(series: Float32Array, fractions: SplitFractions): SeriesSplit<Float32Array>;
export function splitSeries(series: Tensor, fractions: SplitFractions): SeriesSplit<Tensor>;
export function splitSeries(series: Float32Array | Tensor, fractions: SplitFractions): SeriesSplit<Float32Array | Tensor>;
export function splitSeries(series: Float32Array | Tensor, fractions: SplitFractions): SeriesSplit<Float32Array | Tensor> {
  const s = readSeries('splitSeries', series);
  const ranges = chronologicalSplit(s.steps, fractions);
  const part = ([start, end]: [number, number]): Float32Array | Tensor => {
    const data = s.data.slice(start * s.features, end * s.features);
    if (s.form === 'array') return data;
    return { data, shape: s.form === 'matrix' ? [end - start, s.features] : [end - start] };
  };
  return { train: part(ranges.train), validation: part(ranges.validation), test: part(ranges.test), ranges };
}
