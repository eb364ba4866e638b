/**
 * Preprocessing (ts/data): scalers against scikit-learn's numbers and their own inverse, fit on
 * training data only, sliding windows element by element, chronological splits, character and
 * word vocabularies (Unicode, unknown tokens, ordering), JSON round trips, and every error path
 * with its code. Nothing here needs the wasm except the one check that windows feed a
 * Sequential as they are.
 */
import { describe, expect, it } from 'vitest';
import type { WasmRnnErrorCode } from '../ts/errors';
import { Dense, LSTM, SGD, Sequential, type Tensor, WasmRnnError, tensor } from '../ts/index';
import {
  CharVocab,
  MinMaxScaler,
  StandardScaler,
  WordVocab,
  chronologicalSplit,
  revivePreprocessing,
  slidingWindows,
  splitSeries,
  tokenizeWords,
} from '../ts/data/index';
import { Rng } from './helpers/random';

function expectError(f: () => unknown, code: WasmRnnErrorCode, ...parts: (string | RegExp)[]): WasmRnnError {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(WasmRnnError);
  const e = error as WasmRnnError;
  expect(e.code, e.message).toBe(code);
  for (const p of parts) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  return e;
}

/** Float32 values close to float64 references (float32 rounding of the result only). */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)));
  }
}

const f32 = (values: number[]) => new Float32Array(values);
const BAD: unknown = 'bad';
const loose = <T>(v: unknown) => v as T;

// scikit-learn's user guide (preprocessing.html, "Standardization" and "Scaling features to a
// range") on X_train = [[1, -1, 2], [2, 0, 0], [0, 1, -1]]; every number re-derived by hand below.
const X_TRAIN = f32([1, -1, 2, 2, 0, 0, 0, 1, -1]);

describe('StandardScaler', () => {
  it('matches sklearn on the user-guide example', () => {
    const s = new StandardScaler().fit(X_TRAIN, 3);
    const j = s.toJSON();
    // mean: (1+2+0)/3 = 1, (−1+0+1)/3 = 0, (2+0−1)/3 = 1/3
    expect(j.mean[0]).toBe(1);
    expect(j.mean[1]).toBe(0);
    expect(j.mean[2]).toBeCloseTo(1 / 3, 15);
    // var (ddof 0): (0+1+1)/3 = 2/3, 2/3, ((5/3)²+(1/3)²+(4/3)²)/3 = 14/9
    expect(j.var[0]).toBeCloseTo(2 / 3, 15);
    expect(j.var[1]).toBeCloseTo(2 / 3, 15);
    expect(j.var[2]).toBeCloseTo(14 / 9, 15);
    // sklearn: scale_ = [0.81649658, 0.81649658, 1.24721913]
    expectClose(j.scale, [Math.sqrt(2 / 3), Math.sqrt(2 / 3), Math.sqrt(14) / 3], 1e-14);
    expectClose(j.scale, [0.81649658, 0.81649658, 1.24721913], 1e-8);
    expect(j.nSamplesSeen).toBe(3);
    expect(j.features).toBe(3);
    // sklearn: [[0, -1.22474487, 1.33630621], [1.22474487, 0, -0.26726124], [-1.22474487, 1.22474487, -1.06904497]]
    expectClose(s.transform(X_TRAIN), [0, -1.22474487, 1.33630621, 1.22474487, 0, -0.26726124, -1.22474487, 1.22474487, -1.06904497], 1e-7);
    // sklearn docs: StandardScaler on [[0,0],[0,0],[1,1],[1,1]] → mean [0.5, 0.5]; transform([[2, 2]]) = [[3, 3]]
    const t = new StandardScaler().fit(tensor(f32([0, 0, 0, 0, 1, 1, 1, 1]), [4, 2]));
    expect(t.toJSON().mean).toEqual([0.5, 0.5]);
    expect(t.toJSON().scale).toEqual([0.5, 0.5]);
    expect(Array.from(t.transform(f32([2, 2])))).toEqual([3, 3]);
  });

  it('uses the training statistics for validation data (fit on train only)', () => {
    const train = tensor(f32([0, 10, 2, 10, 4, 10, 6, 10]), [4, 2]); // feature 1 constant
    const validation = tensor(f32([10, 10, 3, 11, -2, 9]), [3, 2]);
    const s = new StandardScaler().fit(train);
    const before = s.toJSON();
    const v = s.transform(validation);
    // feature 0: mean 3, var (9+1+1+9)/4 = 5; feature 1: constant 10 → scale 1
    expect(before.mean).toEqual([3, 10]);
    expect(before.var).toEqual([5, 0]);
    expect(before.scale).toEqual([Math.sqrt(5), 1]);
    expect(v.shape).toEqual([3, 2]);
    expectClose(v.data, [7 / Math.sqrt(5), 0, 0, 1, -5 / Math.sqrt(5), -1], 1e-7);
    // transforming validation data did not refit
    expect(s.toJSON()).toEqual(before);
    // the validation data's own statistics would give different numbers
    const own = new StandardScaler().fit(validation).transform(validation);
    expect(Math.abs(own.data[0]! - v.data[0]!)).toBeGreaterThan(0.1);
  });

  it('gives a constant feature scale 1 (maps it to 0) and inverts it', () => {
    const s = new StandardScaler().fit(f32([5, 1, 5, 2, 5, 3]), 2);
    expect(s.toJSON().scale[0]).toBe(1);
    expect(s.toJSON().var[0]).toBe(0);
    expect(Array.from(s.transform(f32([5, 2, 7, 2])))).toEqual([0, 0, 2, 0]);
    expect(Array.from(s.inverseTransform(f32([0, 0, 2, 0])))).toEqual([5, 2, 7, 2]);
    // a constant feature of large magnitude: exactly zero variance in float64, scale 1
    const big = new StandardScaler().fit(f32([16777216, 16777216, 16777216]), 1);
    expect(big.toJSON().scale).toEqual([1]);
    // the documented example
    const doc = new StandardScaler().fit(tensor(f32([1, 2, 3, 4]), [4, 1])).toJSON();
    expect(doc.mean).toEqual([2.5]);
    expect(doc.scale).toEqual([1.118033988749895]);
  });
});

describe('MinMaxScaler', () => {
  it('matches sklearn on the user-guide example', () => {
    const s = new MinMaxScaler();
    const scaled = s.fitTransform(X_TRAIN, 3);
    // sklearn: [[0.5, 0, 1], [1, 0.5, 0.33333333], [0, 1, 0]]
    expectClose(scaled, [0.5, 0, 1, 1, 0.5, 1 / 3, 0, 1, 0], 1e-7);
    const j = s.toJSON();
    // sklearn: min_ = [0, 0.5, 0.33333333], scale_ = [0.5, 0.5, 0.33333333]
    expect(j.dataMin).toEqual([0, -1, -1]);
    expect(j.dataMax).toEqual([2, 1, 2]);
    expectClose(j.min, [0, 0.5, 1 / 3], 1e-15);
    expectClose(j.scale, [0.5, 0.5, 1 / 3], 1e-15);
    expect(j.featureRange).toEqual([0, 1]);
    // sklearn: X_test = [[-3, -1, 4]] → [[-1.5, 0, 1.66666667]] (outside the range: no clipping)
    expectClose(s.transform(f32([-3, -1, 4])), [-1.5, 0, 5 / 3], 1e-7);
  });

  it('maps to a custom featureRange and uses training statistics only', () => {
    const s = new MinMaxScaler({ featureRange: [-1, 1] }).fit(f32([0, 10, 2, 20, 4, 30]), 2);
    // feature 0: range 4 → scale 2/4 = 0.5, min = −1 − 0·0.5 = −1; feature 1: scale 0.1, min = −1 − 10·0.1 = −2
    expect(s.toJSON().scale).toEqual([0.5, 0.1]);
    expect(s.toJSON().min).toEqual([-1, -2]);
    expectClose(s.transform(f32([1, 25])), [-0.5, 0.5]);
    expectClose(s.inverseTransform(f32([0, 0.5])), [2, 25]);
    // validation data past the training maximum goes past 1
    expectClose(s.transform(f32([8, 40])), [3, 2]);
  });

  it('gives a constant feature range 1 as sklearn does (it maps to featureRange[0])', () => {
    const s = new MinMaxScaler().fit(f32([7, 0, 7, 1]), 2);
    expect(s.toJSON().scale).toEqual([1, 1]);
    expect(s.toJSON().min).toEqual([-7, 0]);
    expect(Array.from(s.transform(f32([7, 0.5, 8, 0])))).toEqual([0, 0.5, 1, 0]);
    // sklearn: data_range 0 → 1, so scale_ = (max_r − min_r) / 1
    const r = new MinMaxScaler({ featureRange: [-1, 1] }).fit(f32([3, 3, 3]), 1);
    expect(r.toJSON().scale).toEqual([2]);
    expect(Array.from(r.transform(f32([3, 4])))).toEqual([-1, 1]);
    expect(Array.from(r.inverseTransform(f32([-1, 1])))).toEqual([3, 4]);
  });
});

describe('scalers (both)', () => {
  const makers: Array<[string, () => MinMaxScaler | StandardScaler]> = [
    ['StandardScaler', () => new StandardScaler()],
    ['MinMaxScaler', () => new MinMaxScaler()],
    ['MinMaxScaler [-3, 0.5]', () => new MinMaxScaler({ featureRange: [-3, 0.5] })],
  ];

  for (const [name, make] of makers) {
    it(`${name}: inverseTransform(transform(x)) ≈ x over random data with constant features`, () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const rng = new Rng(seed);
        const rows = rng.int(1, 60);
        const F = rng.int(1, 6);
        const kinds = Array.from({ length: F }, () => rng.pick(['uniform', 'constant', 'offset', 'wide', 'tiny'] as const));
        kinds[rng.int(0, F - 1)] = 'constant'; // every case has one
        const colValue = (kind: (typeof kinds)[number], c: number): number => {
          switch (kind) {
            case 'uniform':
              return rng.uniform(-1, 1);
            case 'constant':
              return 3.25 + c;
            case 'offset':
              return 1e4 + rng.uniform(-0.5, 0.5);
            case 'wide':
              return rng.uniform(-1e6, 1e6);
            case 'tiny':
              return rng.uniform(-1e-6, 1e-6);
          }
        };
        const data = new Float32Array(rows * F);
        for (let r = 0; r < rows; r++) for (let c = 0; c < F; c++) data[r * F + c] = colValue(kinds[c]!, c);
        const colMax = Array.from({ length: F }, (_, c) => Math.max(...Array.from({ length: rows }, (_, r) => Math.abs(data[r * F + c]!))));
        const s = make().fit(data, F);
        const back = s.inverseTransform(s.transform(data));
        for (let i = 0; i < data.length; i++) {
          const c = i % F;
          // relative to the feature's magnitude (a value near 0 in a wide feature has the feature's error)
          expect(Math.abs(back[i]! - data[i]!), `seed ${seed}, index ${i}, feature kind ${kinds[c]}`).toBeLessThanOrEqual(1e-6 * colMax[c]!);
        }
        // the tensor form gives the same numbers, with the shape kept
        const t = make().fit(tensor(data, [rows, F]));
        const tt = t.transform(tensor(data, [rows, F]));
        expect(tt.shape).toEqual([rows, F]);
        expect(Array.from(tt.data)).toEqual(Array.from(s.transform(data)));
      }
    });

    it(`${name}: takes [T, N, F] tensors (last dim = features) and returns new arrays`, () => {
      const rng = new Rng(11);
      const x = rng.tensor([4, 3, 2], -5, 5);
      const copy = x.data.slice();
      const s = make().fit(x);
      expect(s.features).toBe(2);
      expect(s.fitted).toBe(true);
      const flat = make().fit(x.data, 2);
      expect(s.toJSON()).toEqual(flat.toJSON());
      const y = s.transform(x);
      expect(y.shape).toEqual([4, 3, 2]);
      expect(y.shape).not.toBe(x.shape);
      expect(y.data).not.toBe(x.data);
      expect(Array.from(x.data)).toEqual(Array.from(copy));
      // rank-1 tensor: one row of F features
      expect(s.transform({ data: f32([1, 2]), shape: [2] }).shape).toEqual([2]);
      // zero rows transform to zero rows
      expect(s.transform(new Float32Array(0)).length).toBe(0);
      expect(s.transform({ data: new Float32Array(0), shape: [0, 2] }).shape).toEqual([0, 2]);
      expect(make().fitTransform(x).data).toEqual(y.data);
    });

    it(`${name}: JSON round trip is exact`, () => {
      const rng = new Rng(21);
      const data = rng.floats(37 * 3, -100, 100);
      data.fill(4.5, 0, 1); // just to have odd values
      const s = make().fit(data, 3);
      const json = JSON.parse(JSON.stringify(s)) as unknown;
      const r = (s instanceof MinMaxScaler ? MinMaxScaler.fromJSON(json) : StandardScaler.fromJSON(json)) as MinMaxScaler | StandardScaler;
      expect(r.toJSON()).toEqual(s.toJSON());
      expect(JSON.stringify(r)).toBe(JSON.stringify(s));
      const probe = rng.floats(30, -200, 200);
      expect(Array.from(r.transform(probe))).toEqual(Array.from(s.transform(probe)));
      expect(Array.from(r.inverseTransform(probe))).toEqual(Array.from(s.inverseTransform(probe)));
      // toJSON returns copies
      const j = s.toJSON() as { scale: number[] };
      j.scale[0] = 123;
      expect(s.toJSON().scale[0]).not.toBe(123);
    });

    it(`${name}: refuses bad input with typed errors`, () => {
      const s = make();
      expect(s.fitted).toBe(false);
      expect(s.features).toBeUndefined();
      expectError(() => s.transform(f32([1])), 'E_ARGUMENT', 'call fit() first');
      expectError(() => s.inverseTransform(f32([1])), 'E_ARGUMENT', 'call fit() first');
      expectError(() => s.toJSON(), 'E_ARGUMENT', 'call fit() first');
      expectError(() => JSON.stringify({ s }), 'E_ARGUMENT', 'call fit() first');
      expectError(() => s.fit(f32([1, 2])), 'E_ARGUMENT', 'number of features');
      expectError(() => s.fit(f32([1, 2]), 0), 'E_ARGUMENT', 'features');
      expectError(() => s.fit(f32([1, 2]), 1.5), 'E_ARGUMENT', 'features');
      expectError(() => s.fit(f32([1, 2, 3]), 2), 'E_SHAPE', 'not a whole number of rows of 2');
      expectError(() => s.fit(new Float32Array(0), 2), 'E_SHAPE', 'no rows');
      expectError(() => s.fit({ data: new Float32Array(0), shape: [0, 3] }), 'E_SHAPE', 'no rows');
      expectError(() => s.fit(loose(new Float64Array(4)), 2), 'E_DTYPE', 'Float64Array');
      expectError(() => s.fit(loose([1, 2, 3, 4]), 2), 'E_DTYPE', 'Array');
      expectError(() => s.fit(loose({ data: new Int32Array(4), shape: [2, 2] })), 'E_DTYPE', 'Int32Array');
      expectError(() => s.fit({ data: f32([1, 2, 3]), shape: [2, 2] }), 'E_SHAPE', '[2, 2] (4 elements) but its data holds 3');
      expectError(() => s.fit({ data: f32([1]), shape: [] }), 'E_SHAPE', 'non-empty array');
      expectError(() => s.fit({ data: f32([1, 2]), shape: [2, -1] }), 'E_SHAPE', '-1');
      expectError(() => s.fit({ data: new Float32Array(0), shape: [3, 0] }), 'E_SHAPE', 'last dimension');
      expectError(() => s.fit({ data: f32([1, 2]), shape: [1, 2] }, 3), 'E_SHAPE', 'last dimension (the features) is 2');
      expectError(() => s.fit(f32([1, NaN, 2, 3]), 2), 'E_NON_FINITE', 'NaN at flat index 1 (row 0, feature 1)');
      expectError(() => s.fit(f32([1, 2, 3, -Infinity]), 2), 'E_NON_FINITE', '-Infinity at flat index 3 (row 1, feature 1)');
      expect(s.fitted).toBe(false); // a rejected fit fits nothing
      s.fit(f32([1, 2, 3, 5]), 2);
      expectError(() => s.transform(f32([1, 2, 3])), 'E_SHAPE', 'not a whole number of rows of 2');
      expectError(() => s.transform({ data: f32([1, 2, 3]), shape: [1, 3] }), 'E_SHAPE', 'fitted on 2');
      expectError(() => s.inverseTransform({ data: f32([1, 2, 3]), shape: [3] }), 'E_SHAPE', 'fitted on 2');
      expectError(() => s.transform(loose(BAD)), 'E_DTYPE', 'string');
      expectError(() => s.transform(f32([1, 2, Infinity, 0])), 'E_NON_FINITE', 'Infinity at flat index 2 (row 1, feature 0)');
      expectError(() => s.inverseTransform(f32([NaN, 0])), 'E_NON_FINITE', 'NaN at flat index 0');
      // a refit on bad data keeps the previous statistics
      const before = s.toJSON();
      expectError(() => s.fit(f32([NaN, 1]), 2), 'E_NON_FINITE');
      expect(s.toJSON()).toEqual(before);
    });
  }

  it('refuses results that overflow float32', () => {
    const s = new MinMaxScaler().fit(f32([0, 1e-14]), 1); // scale ≈ 1e14 (ranges below 10·eps count as 0, as in sklearn)
    expectError(() => s.transform(f32([1e30])), 'E_NON_FINITE', 'overflows float32');
    expect(new MinMaxScaler().fit(f32([0, 1e-30]), 1).toJSON().scale).toEqual([1]);
    const t = new StandardScaler().fit(f32([0, 1e38]), 1);
    expectError(() => t.inverseTransform(f32([1e6])), 'E_NON_FINITE', 'overflows float32');
  });

  it('refuses bad options and malformed JSON', () => {
    expectError(() => new MinMaxScaler({ featureRange: [1, 0] }), 'E_ARGUMENT', 'min < max');
    expectError(() => new MinMaxScaler({ featureRange: [0, 0] }), 'E_ARGUMENT', 'featureRange');
    expectError(() => new MinMaxScaler({ featureRange: loose([0, NaN]) }), 'E_ARGUMENT', 'featureRange');
    expectError(() => new MinMaxScaler({ featureRange: loose([0]) }), 'E_ARGUMENT', 'featureRange');
    expectError(() => new MinMaxScaler(loose(null)), 'E_ARGUMENT', 'options');

    const mm = new MinMaxScaler().fit(X_TRAIN, 3).toJSON();
    const st = new StandardScaler().fit(X_TRAIN, 3).toJSON();
    const bad = <T extends object>(base: T, patch: Record<string, unknown>) => ({ ...base, ...patch });
    for (const j of [null, 3, 'x', [], { type: 'StandardScaler' }]) expectError(() => MinMaxScaler.fromJSON(j), 'E_FORMAT');
    expectError(() => MinMaxScaler.fromJSON(st), 'E_FORMAT', 'expected "MinMaxScaler"');
    expectError(() => StandardScaler.fromJSON(mm), 'E_FORMAT', 'expected "StandardScaler"');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { featureRange: [1, 1] })), 'E_FORMAT', 'featureRange');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { features: 0 })), 'E_FORMAT', 'features');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { features: 4 })), 'E_FORMAT', 'array of 4 numbers');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { nSamplesSeen: -1 })), 'E_FORMAT', 'nSamplesSeen');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { scale: [1, 0, 1] })), 'E_FORMAT', 'scale[1]', 'non-zero');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { min: [1, null, 1] })), 'E_FORMAT', 'min[1]');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { dataMax: [-5, 1, 2] })), 'E_FORMAT', 'dataMax[0]');
    expectError(() => MinMaxScaler.fromJSON(bad(mm, { dataMin: undefined })), 'E_FORMAT', 'dataMin');
    expectError(() => StandardScaler.fromJSON(bad(st, { var: [1, -1, 1] })), 'E_FORMAT', 'var[1]');
    expectError(() => StandardScaler.fromJSON(bad(st, { scale: [1, 0, 1] })), 'E_FORMAT', 'scale[1]');
    expectError(() => StandardScaler.fromJSON(bad(st, { mean: [1, 2] })), 'E_FORMAT', 'mean');
    expectError(() => StandardScaler.fromJSON(bad(st, { mean: [1, 2, '3'] })), 'E_FORMAT', 'mean[2]');
  });
});

describe('slidingWindows', () => {
  // series[t, f] = 100·t + f: every value names its step and feature
  const series = (T: number, F: number): Tensor => {
    const d = new Float32Array(T * F);
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) d[t * F + f] = 100 * t + f;
    return tensor(d, [T, F]);
  };
  const at = (x: Tensor, ...idx: number[]) => {
    let flat = 0;
    idx.forEach((i, k) => (flat = flat * x.shape[k]! + i));
    return x.data[flat];
  };

  it('cuts time-major windows and the following steps (lookback, horizon, stride, targets)', () => {
    const cases = [
      { T: 10, F: 2, lookback: 3, horizon: 1, stride: 1, targets: [0, 1] },
      { T: 10, F: 2, lookback: 3, horizon: 2, stride: 2, targets: [1] },
      { T: 11, F: 3, lookback: 4, horizon: 3, stride: 3, targets: [2, 0] },
      { T: 5, F: 1, lookback: 4, horizon: 1, stride: 7, targets: [0] },
      { T: 20, F: 4, lookback: 1, horizon: 5, stride: 4, targets: [3, 1, 2] },
    ];
    for (const c of cases) {
      const { x, y } = slidingWindows(series(c.T, c.F), { lookback: c.lookback, horizon: c.horizon, stride: c.stride, targetFeatures: c.targets });
      const N = Math.floor((c.T - c.lookback - c.horizon) / c.stride) + 1;
      const K = c.targets.length;
      expect(x.shape, JSON.stringify(c)).toEqual([c.lookback, N, c.F]);
      expect(y.shape, JSON.stringify(c)).toEqual([N, c.horizon * K]);
      for (let t = 0; t < c.lookback; t++) for (let n = 0; n < N; n++) for (let f = 0; f < c.F; f++) expect(at(x, t, n, f)).toBe(100 * (n * c.stride + t) + f);
      for (let n = 0; n < N; n++) for (let h = 0; h < c.horizon; h++) for (let k = 0; k < K; k++) expect(at(y, n, h * K + k)).toBe(100 * (n * c.stride + c.lookback + h) + c.targets[k]!);
      // the targets follow the window directly: y's first step is the step after x's last
      expect(at(y, N - 1, 0)).toBe(100 * ((N - 1) * c.stride + c.lookback) + c.targets[0]!);
    }
  });

  it('gives the documented numbers on specific elements', () => {
    const s = tensor(f32([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]), [6, 2]);
    const { x, y } = slidingWindows(s, { lookback: 3, horizon: 2, targetFeatures: [0] });
    expect(x.shape).toEqual([3, 2, 2]);
    expect(Array.from(x.data)).toEqual([0, 10, 1, 11, /* t=1 */ 1, 11, 2, 12, /* t=2 */ 2, 12, 3, 13]);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([3, 4, 4, 5]);
    const strided = slidingWindows(s, { lookback: 2, stride: 2 });
    expect(strided.x.shape).toEqual([2, 2, 2]);
    expect(Array.from(strided.y.data)).toEqual([2, 12, 4, 14]);
    // all targets by default, step-major: y[n, h·F + f]
    const all = slidingWindows(s, { lookback: 4, horizon: 2 });
    expect(all.y.shape).toEqual([1, 4]);
    expect(Array.from(all.y.data)).toEqual([4, 14, 5, 15]);
  });

  it('takes a Float32Array or a [T] tensor as one feature', () => {
    const d = f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = slidingWindows(d, { lookback: 4 });
    expect(a.x.shape).toEqual([4, 6, 1]);
    expect(a.y.shape).toEqual([6, 1]);
    expect(Array.from(a.y.data)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(at(a.x, 3, 5, 0)).toBe(8); // window 5 = steps 5..8
    const b = slidingWindows(tensor(d, [10]), { lookback: 4 });
    expect(b).toEqual(a);
    // exactly one window
    const one = slidingWindows(d, { lookback: 7, horizon: 3 });
    expect(one.x.shape).toEqual([7, 1, 1]);
    expect(Array.from(one.y.data)).toEqual([7, 8, 9]);
  });

  it('feeds a Sequential as it is ([lookback, N, F] in, [N, horizon·K] out)', () => {
    const { x, y } = slidingWindows(series(30, 2), { lookback: 5, horizon: 2, stride: 3, targetFeatures: [1] });
    const scaledX = new StandardScaler().fit(x).transform(x);
    const scaledY = new StandardScaler().fit(y).transform(y);
    const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 4, returnSequences: false }), new Dense({ inputSize: 4, outputSize: 2 })], { seed: 3 });
    try {
      model.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.01 }) });
      const loss = model.trainStep(scaledX, scaledY);
      expect(Number.isFinite(loss)).toBe(true);
      expect(model.predict(scaledX).shape).toEqual(y.shape);
    } finally {
      model.dispose();
    }
  });

  it('refuses bad input with typed errors', () => {
    const s = series(10, 2);
    expectError(() => slidingWindows(s, { lookback: 8, horizon: 3 }), 'E_SHAPE', '10 steps is too short', 'lookback 8 + horizon 3 = 11');
    expectError(() => slidingWindows(s, { lookback: 0 }), 'E_ARGUMENT', 'lookback');
    expectError(() => slidingWindows(s, { lookback: 2.5 }), 'E_ARGUMENT', 'lookback');
    expectError(() => slidingWindows(s, { lookback: 2, horizon: 0 }), 'E_ARGUMENT', 'horizon');
    expectError(() => slidingWindows(s, { lookback: 2, stride: 0 }), 'E_ARGUMENT', 'stride');
    expectError(() => slidingWindows(s, loose({})), 'E_ARGUMENT', 'lookback');
    expectError(() => slidingWindows(s, loose(undefined)), 'E_ARGUMENT', 'options');
    expectError(() => slidingWindows(s, loose(5)), 'E_ARGUMENT', 'options');
    expectError(() => slidingWindows(s, { lookback: 2, targetFeatures: [2] }), 'E_ARGUMENT', 'targetFeatures[0]', '0..=1');
    expectError(() => slidingWindows(s, { lookback: 2, targetFeatures: [-1] }), 'E_ARGUMENT', 'targetFeatures[0]');
    expectError(() => slidingWindows(s, { lookback: 2, targetFeatures: [] }), 'E_ARGUMENT', 'non-empty');
    expectError(() => slidingWindows(s, { lookback: 2, targetFeatures: [1, 1] }), 'E_ARGUMENT', 'twice');
    expectError(() => slidingWindows(tensor(new Float32Array(8), [2, 2, 2]), { lookback: 1 }), 'E_SHAPE', '[T, F]');
    expectError(() => slidingWindows({ data: new Float32Array(5), shape: [3, 2] }, { lookback: 1 }), 'E_SHAPE', 'holds 5');
    expectError(() => slidingWindows({ data: new Float32Array(0), shape: [3, 0] }, { lookback: 1 }), 'E_SHAPE', 'at least one feature');
    expectError(() => slidingWindows(loose(new Int32Array(5)), { lookback: 1 }), 'E_DTYPE', 'Int32Array');
    expectError(() => slidingWindows(loose({ data: [1, 2], shape: [2] }), { lookback: 1 }), 'E_DTYPE', 'Array');
    const withNaN = series(10, 2);
    withNaN.data[7] = NaN;
    expectError(() => slidingWindows(withNaN, { lookback: 2 }), 'E_NON_FINITE', 'NaN at flat index 7 (row 3, feature 1)');
  });
});

describe('chronologicalSplit and splitSeries', () => {
  it('splits in time order with ⌊n·fraction⌋ held out', () => {
    expect(chronologicalSplit(100, { validation: 0.15, test: 0.15 })).toEqual({ train: [0, 70], validation: [70, 85], test: [85, 100] });
    expect(chronologicalSplit(10, { test: 0.25 })).toEqual({ train: [0, 8], validation: [8, 8], test: [8, 10] });
    expect(chronologicalSplit(10, { validation: 0.25 })).toEqual({ train: [0, 8], validation: [8, 10], test: [10, 10] });
    expect(chronologicalSplit(7)).toEqual({ train: [0, 7], validation: [7, 7], test: [7, 7] });
    expect(chronologicalSplit(3, { validation: 0.5, test: 0.4 })).toEqual({ train: [0, 1], validation: [1, 2], test: [2, 3] });
    expect(chronologicalSplit(1, { validation: 0.5 })).toEqual({ train: [0, 1], validation: [1, 1], test: [1, 1] });
    // 0.29 · 100 = 28.999999999999996 in float64: still 29
    expect(chronologicalSplit(100, { validation: 0.29 }).validation).toEqual([71, 100]);
    expect(chronologicalSplit(1000, { validation: 0.1, test: 0.2 })).toEqual({ train: [0, 700], validation: [700, 800], test: [800, 1000] });
    // ranges tile [0, n)
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const n = rng.int(1, 500);
      const v = rng.uniform(0, 0.5);
      const t = rng.uniform(0, 0.49);
      const r = chronologicalSplit(n, { validation: v, test: t });
      expect(r.train[0]).toBe(0);
      expect(r.train[1]).toBe(r.validation[0]);
      expect(r.validation[1]).toBe(r.test[0]);
      expect(r.test[1]).toBe(n);
      expect(r.train[1]).toBeGreaterThanOrEqual(1);
      expect(r.validation[1] - r.validation[0]).toBe(Math.floor(n * v + 1e-9));
      expect(r.test[1] - r.test[0]).toBe(Math.floor(n * t + 1e-9));
    }
  });

  it('slices series in the form they came in (copies)', () => {
    const data = Float32Array.from({ length: 20 }, (_, i) => i);
    const m = splitSeries(tensor(data, [10, 2]), { validation: 0.2, test: 0.3 });
    expect(m.ranges).toEqual({ train: [0, 5], validation: [5, 7], test: [7, 10] });
    expect(m.train.shape).toEqual([5, 2]);
    expect(m.validation.shape).toEqual([2, 2]);
    expect(m.test.shape).toEqual([3, 2]);
    expect(Array.from(m.train.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(m.validation.data)).toEqual([10, 11, 12, 13]);
    expect(Array.from(m.test.data)).toEqual([14, 15, 16, 17, 18, 19]);
    m.train.data[0] = 99;
    expect(data[0]).toBe(0);
    const a = splitSeries(data.slice(0, 10), { test: 0.2 });
    expect(a.train).toBeInstanceOf(Float32Array);
    expect(Array.from(a.train)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a.validation.length).toBe(0);
    expect(Array.from(a.test)).toEqual([8, 9]);
    const v = splitSeries(tensor(data.slice(0, 10), [10]), { validation: 0.5 });
    expect(v.validation.shape).toEqual([5]);
    expect(Array.from(v.validation.data)).toEqual([5, 6, 7, 8, 9]);
    // an empty part still has the feature dimension
    expect(m.train.shape.length).toBe(2);
    expect(splitSeries(tensor(data, [10, 2]), { test: 0.2 }).validation.shape).toEqual([0, 2]);
  });

  it('refuses bad input with typed errors', () => {
    expectError(() => chronologicalSplit(0), 'E_ARGUMENT', 'n must be');
    expectError(() => chronologicalSplit(-3), 'E_ARGUMENT', 'n must be');
    expectError(() => chronologicalSplit(2.5), 'E_ARGUMENT', 'n must be');
    expectError(() => chronologicalSplit(10, { validation: 1 }), 'E_ARGUMENT', 'validation', '[0, 1)');
    expectError(() => chronologicalSplit(10, { test: -0.1 }), 'E_ARGUMENT', 'test');
    expectError(() => chronologicalSplit(10, { test: NaN }), 'E_ARGUMENT', 'test');
    expectError(() => chronologicalSplit(10, { test: loose('0.1') }), 'E_ARGUMENT', 'test');
    expectError(() => chronologicalSplit(10, { validation: 0.5, test: 0.5 }), 'E_ARGUMENT', 'below 1');
    expectError(() => chronologicalSplit(10, { validation: 0.5, test: 0.49999999999999 }), 'E_ARGUMENT', 'no training steps left');
    expectError(() => chronologicalSplit(10, loose(null)), 'E_ARGUMENT', 'options');
    expectError(() => splitSeries(new Float32Array(0), { test: 0.1 }), 'E_ARGUMENT', 'n must be');
    expectError(() => splitSeries(loose([1, 2, 3]), { test: 0.1 }), 'E_DTYPE');
    expectError(() => splitSeries(tensor(new Float32Array(8), [2, 2, 2]), { test: 0.1 }), 'E_SHAPE');
  });
});

describe('CharVocab', () => {
  it('is the sorted unique characters (char-rnn) and round-trips text', () => {
    const text = 'hello world';
    const v = CharVocab.fromText(text);
    expect(v.tokens).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(v.size).toBe(8);
    expect(v.unknown).toBeUndefined();
    expect(v.unknownId).toBeUndefined();
    const ids = v.encode(text);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([3, 2, 4, 4, 5, 0, 7, 5, 6, 4, 1]);
    expect(v.decode(ids)).toBe(text);
    expect(v.decode([3, 2, 4, 4, 5])).toBe('hello');
    expect(v.encode('')).toEqual(new Int32Array(0));
    expect(v.decode([])).toBe('');
    // the documented example
    const e = CharVocab.fromText('hello 😀');
    expect(Array.from(e.encode('hole 😀'))).toEqual([2, 4, 3, 1, 0, 5]);
  });

  it('treats code points, not UTF-16 halves, as characters', () => {
    const text = 'a😀b🎉\u{10FFFF}\uFFFDe\u0301';
    const v = CharVocab.fromText(text);
    // code-point order: U+FFFD before the astral ones (UTF-16 unit order would put 😀's 0xD83D first)
    expect(v.tokens).toEqual(['a', 'b', 'e', '\u0301', '\uFFFD', '🎉', '😀', '\u{10FFFF}']);
    expect(v.size).toBe(8);
    const ids = v.encode(text);
    expect(ids.length).toBe(8); // 8 code points, 11 UTF-16 units
    expect(text.length).toBe(11);
    expect(v.decode(ids)).toBe(text);
    expect(v.decode(v.encode('😀😀🎉'))).toBe('😀😀🎉');
    // a lone surrogate is a character of its own and survives JSON
    const lone = CharVocab.fromText('x\uD800y\uDC00');
    expect(lone.size).toBe(4);
    expect(lone.decode(lone.encode('\uDC00\uD800'))).toBe('\uDC00\uD800');
    const back = CharVocab.fromJSON(JSON.parse(JSON.stringify(lone)));
    expect(back.tokens).toEqual(lone.tokens);
  });

  it('handles unknown characters: throws naming them, or maps them to the unknown id', () => {
    const v = CharVocab.fromText('abc');
    expectError(() => v.encode('ab😀x'), 'E_ARGUMENT', '"😀" (U+1F600) at position 2 (UTF-16 offset 2)', 'no unknown token');
    expectError(() => CharVocab.fromText('ab😀').encode('a😀bx'), 'E_ARGUMENT', '"x" (U+0078) at position 3 (UTF-16 offset 4)');
    const u = CharVocab.fromText('abc', { unknown: '?' });
    expect(u.tokens).toEqual(['?', 'a', 'b', 'c']);
    expect(u.unknownId).toBe(0);
    expect(Array.from(u.encode('abx😀c'))).toEqual([1, 2, 0, 0, 3]);
    expect(u.decode(u.encode('abx😀c'))).toBe('ab??c');
    // an unknown character that occurs in the text is id 0 only
    const q = CharVocab.fromText('a?b', { unknown: '?' });
    expect(q.tokens).toEqual(['?', 'a', 'b']);
    expect(Array.from(q.encode('?a'))).toEqual([0, 1]);
    // a multi-character unknown token
    const w = CharVocab.fromText('ab', { unknown: '<unk>' });
    expect(w.size).toBe(3);
    expect(w.decode(w.encode('azb'))).toBe('a<unk>b');
  });

  it('round-trips through JSON with the same ids', () => {
    for (const v of [CharVocab.fromText('The quick brown 🦊 jumps.'), CharVocab.fromText('xyz', { unknown: '\uFFFD' })]) {
      const json = JSON.parse(JSON.stringify(v)) as unknown;
      const r = CharVocab.fromJSON(json);
      expect(r.toJSON()).toEqual(v.toJSON());
      expect(r.tokens).toEqual(v.tokens);
      expect(r.unknown).toBe(v.unknown);
      const sample = v.decode(Array.from({ length: v.size }, (_, i) => v.size - 1 - i));
      expect(Array.from(r.encode(sample))).toEqual(Array.from(v.encode(sample)));
    }
    expect(CharVocab.fromText('ba').toJSON()).toEqual({ type: 'CharVocab', chars: ['a', 'b'], unknown: null });
    expect(CharVocab.fromText('ba', { unknown: '~' }).toJSON()).toEqual({ type: 'CharVocab', chars: ['a', 'b'], unknown: '~' });
  });

  it('refuses bad input with typed errors', () => {
    const v = CharVocab.fromText('abc');
    expectError(() => CharVocab.fromText(loose(42)), 'E_ARGUMENT', 'text must be a string');
    expectError(() => CharVocab.fromText('a', { unknown: '' }), 'E_ARGUMENT', 'unknown');
    expectError(() => CharVocab.fromText('a', loose({ unknown: 1 })), 'E_ARGUMENT', 'unknown');
    expectError(() => CharVocab.fromText('a', loose('x')), 'E_ARGUMENT', 'options');
    expectError(() => v.encode(loose(null)), 'E_ARGUMENT', 'text must be a string');
    expectError(() => v.decode([0, 3]), 'E_ARGUMENT', 'ids[1] is 3', '0..2');
    expectError(() => v.decode([-1]), 'E_ARGUMENT', 'ids[0] is -1');
    expectError(() => v.decode([1.5]), 'E_ARGUMENT', 'ids[0] is 1.5');
    expectError(() => v.decode(loose(['a'])), 'E_ARGUMENT', 'ids[0]');
    expectError(() => v.decode(loose(5)), 'E_ARGUMENT', 'array-like');
    expectError(() => CharVocab.fromJSON(null), 'E_FORMAT');
    expectError(() => CharVocab.fromJSON({ type: 'WordVocab', chars: [], unknown: null }), 'E_FORMAT', 'expected "CharVocab"');
    expectError(() => CharVocab.fromJSON({ type: 'CharVocab', chars: 'abc', unknown: null }), 'E_FORMAT', 'chars');
    expectError(() => CharVocab.fromJSON({ type: 'CharVocab', chars: ['ab'], unknown: null }), 'E_FORMAT', 'chars[0]', 'one character');
    expectError(() => CharVocab.fromJSON({ type: 'CharVocab', chars: ['a', ''], unknown: null }), 'E_FORMAT', 'chars[1]');
    expectError(() => CharVocab.fromJSON({ type: 'CharVocab', chars: ['a', 'a'], unknown: null }), 'E_FORMAT', 'twice');
    expectError(() => CharVocab.fromJSON({ type: 'CharVocab', chars: ['a', '?'], unknown: '?' }), 'E_FORMAT', 'unknown token');
    expectError(() => CharVocab.fromJSON({ type: 'CharVocab', chars: ['a'] }), 'E_FORMAT', 'unknown');
  });
});

describe('WordVocab', () => {
  it('tokenizes words, apostrophes, punctuation and symbols as documented', () => {
    expect(tokenizeWords("Don't panic—it's 4:30 p.m. 😀!")).toEqual(["Don't", 'panic', '—', "it's", '4', ':', '30', 'p', '.', 'm', '.', '😀', '!']);
    expect(tokenizeWords('state-of-the-art, l’homme  café\tnaïve\ne\u0301t\u00e9')).toEqual(['state', '-', 'of', '-', 'the', '-', 'art', ',', 'l’homme', 'café', 'naïve', 'e\u0301t\u00e9']);
    expect(tokenizeWords('Hello World', { lowercase: true })).toEqual(['hello', 'world']);
    expect(tokenizeWords('  \n ')).toEqual([]);
    expect(tokenizeWords("'quoted'")).toEqual(["'", 'quoted', "'"]);
  });

  it('orders ids by frequency, then code point, with id 0 unknown', () => {
    const v = WordVocab.fromText('the cat sat on the mat. The end.', { lowercase: true });
    expect(v.tokens).toEqual(['<unk>', 'the', '.', 'cat', 'end', 'mat', 'on', 'sat']);
    expect(v.unknownId).toBe(0);
    expect(v.unknown).toBe('<unk>');
    expect(Array.from(v.encode('The dog sat.'))).toEqual([1, 0, 7, 2]);
    expect(v.decode([1, 3, 7, 2])).toBe('the cat sat .');
    expect(v.decodeTokens([1, 3, 0])).toEqual(['the', 'cat', '<unk>']);
    // case kept: 'The' and 'the' differ, upper case first among equal counts
    const c = WordVocab.fromText('b a B a b A');
    expect(c.tokens).toEqual(['<unk>', 'a', 'b', 'A', 'B']);
    expect(Array.from(c.encode('A a'))).toEqual([3, 1]);
  });

  it('prunes with minCount and maxSize, and takes a custom unknown token', () => {
    const text = 'a a a a b b b c c d e e';
    expect(WordVocab.fromText(text).tokens).toEqual(['<unk>', 'a', 'b', 'c', 'e', 'd']);
    expect(WordVocab.fromText(text, { minCount: 2 }).tokens).toEqual(['<unk>', 'a', 'b', 'c', 'e']);
    expect(WordVocab.fromText(text, { minCount: 3 }).tokens).toEqual(['<unk>', 'a', 'b']);
    expect(WordVocab.fromText(text, { maxSize: 3 }).tokens).toEqual(['<unk>', 'a', 'b']);
    expect(WordVocab.fromText(text, { maxSize: 1 }).tokens).toEqual(['<unk>']);
    const p = WordVocab.fromText(text, { maxSize: 4, minCount: 2 });
    expect(Array.from(p.encode('a d e c'))).toEqual([1, 0, 0, 3]);
    const u = WordVocab.fromText('UNK x UNK y x', { unknown: 'UNK' });
    expect(u.tokens).toEqual(['UNK', 'x', 'y']);
    expect(Array.from(u.encode('UNK z x'))).toEqual([0, 0, 1]);
    const t = WordVocab.fromTokens(['New York', 'is', 'New York'], { unknown: '[UNK]' });
    expect(t.tokens).toEqual(['[UNK]', 'New York', 'is']);
    expect(Array.from(t.encode(['is', 'New York', 'Paris']))).toEqual([2, 1, 0]);
    const lower = WordVocab.fromTokens(['A', 'a'], { lowercase: true });
    expect(lower.tokens).toEqual(['<unk>', 'a']);
    expect(Array.from(lower.encode(['A']))).toEqual([1]);
    expect(lower.tokenize('A B')).toEqual(['a', 'b']);
  });

  it('round-trips text through encode/decode as its tokens joined by spaces, and through JSON', () => {
    const text = 'It was the best of times, it was the worst of times; it was the age of wisdom…';
    const v = WordVocab.fromText(text);
    expect(v.decode(v.encode(text))).toBe(tokenizeWords(text).join(' '));
    const json = JSON.parse(JSON.stringify(v)) as unknown;
    const r = WordVocab.fromJSON(json);
    expect(r.tokens).toEqual(v.tokens);
    expect(r.lowercase).toBe(false);
    expect(Array.from(r.encode(text))).toEqual(Array.from(v.encode(text)));
    const l = WordVocab.fromJSON(JSON.parse(JSON.stringify(WordVocab.fromText(text, { lowercase: true }))));
    expect(l.lowercase).toBe(true);
    expect(Array.from(l.encode('IT WAS'))).toEqual(Array.from(l.encode('it was')));
  });

  it('refuses bad input with typed errors', () => {
    const v = WordVocab.fromText('a b c');
    expectError(() => WordVocab.fromText(loose(1)), 'E_ARGUMENT', 'text must be a string');
    expectError(() => WordVocab.fromText('a', { minCount: 0 }), 'E_ARGUMENT', 'minCount');
    expectError(() => WordVocab.fromText('a', { minCount: 1.5 }), 'E_ARGUMENT', 'minCount');
    expectError(() => WordVocab.fromText('a', { maxSize: 0 }), 'E_ARGUMENT', 'maxSize');
    expectError(() => WordVocab.fromText('a', { unknown: '' }), 'E_ARGUMENT', 'unknown');
    expectError(() => WordVocab.fromText('a', loose({ lowercase: 'yes' })), 'E_ARGUMENT', 'lowercase');
    expectError(() => WordVocab.fromText('a', loose(null)), 'E_ARGUMENT', 'options');
    expectError(() => WordVocab.fromTokens(loose('a b')), 'E_ARGUMENT', 'tokens must be an array');
    expectError(() => WordVocab.fromTokens(loose(['a', 3])), 'E_ARGUMENT', 'tokens[1]');
    expectError(() => WordVocab.fromTokens(['a', '']), 'E_ARGUMENT', 'tokens[1]');
    expectError(() => v.encode(loose(5)), 'E_ARGUMENT', 'text must be a string or an array');
    expectError(() => v.encode(loose(['a', null])), 'E_ARGUMENT', 'tokens[1]');
    expectError(() => v.decode([4]), 'E_ARGUMENT', 'ids[0] is 4', '0..3');
    expectError(() => v.decodeTokens(Int32Array.of(0, -2)), 'E_ARGUMENT', 'ids[1] is -2');
    expectError(() => tokenizeWords(loose(undefined)), 'E_ARGUMENT', 'text must be a string');
    expectError(() => tokenizeWords('a', loose({ lowercase: 1 })), 'E_ARGUMENT', 'lowercase');
    const good = v.toJSON();
    expectError(() => WordVocab.fromJSON([]), 'E_FORMAT');
    expectError(() => WordVocab.fromJSON({ ...good, type: 'CharVocab' }), 'E_FORMAT', 'expected "WordVocab"');
    expectError(() => WordVocab.fromJSON({ ...good, tokens: [] }), 'E_FORMAT', 'non-empty array');
    expectError(() => WordVocab.fromJSON({ ...good, tokens: ['a', '<unk>'] }), 'E_FORMAT', 'tokens[0] must be the unknown token');
    expectError(() => WordVocab.fromJSON({ ...good, tokens: ['<unk>', 'a', 'a'] }), 'E_FORMAT', 'tokens[2]', 'twice');
    expectError(() => WordVocab.fromJSON({ ...good, tokens: ['<unk>', 7] }), 'E_FORMAT', 'tokens[1]');
    expectError(() => WordVocab.fromJSON({ ...good, lowercase: undefined }), 'E_FORMAT', 'lowercase');
    expectError(() => WordVocab.fromJSON({ ...good, unknown: '' }), 'E_FORMAT', 'unknown');
  });
});

describe('revivePreprocessing', () => {
  it('rebuilds every kind from JSON by type', () => {
    const data = new Rng(8).floats(40, -3, 9);
    const saved = {
      minmax: new MinMaxScaler({ featureRange: [-1, 1] }).fit(data, 4),
      standard: new StandardScaler().fit(data, 2),
      chars: CharVocab.fromText('abc😀', { unknown: '?' }),
      words: WordVocab.fromText('to be or not to be', { maxSize: 3 }),
    };
    const text = JSON.stringify(saved);
    const back = revivePreprocessing(JSON.parse(text) as Record<string, unknown>);
    expect(Object.keys(back)).toEqual(['minmax', 'standard', 'chars', 'words']);
    expect(back.minmax).toBeInstanceOf(MinMaxScaler);
    expect(back.standard).toBeInstanceOf(StandardScaler);
    expect(back.chars).toBeInstanceOf(CharVocab);
    expect(back.words).toBeInstanceOf(WordVocab);
    expect(JSON.stringify(back)).toBe(text);
    expect(Array.from((back.minmax as MinMaxScaler).transform(data))).toEqual(Array.from(saved.minmax.transform(data)));
    expect(Array.from((back.words as WordVocab).encode('to be or'))).toEqual([2, 1, 0]); // ['<unk>', 'be', 'to']: be and to twice each
    expect(revivePreprocessing({})).toEqual({});
    // "__proto__" from JSON.parse is a plain key
    const proto = revivePreprocessing(JSON.parse(`{"__proto__": ${JSON.stringify(saved.chars)}}`) as Record<string, unknown>);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });

  it('refuses unknown types and malformed entries with E_FORMAT naming the key', () => {
    expectError(() => revivePreprocessing(loose(null)), 'E_FORMAT', 'expected an object');
    expectError(() => revivePreprocessing(loose([])), 'E_FORMAT', 'expected an object');
    expectError(() => revivePreprocessing({ s: { type: 'RobustScaler' } }), 'E_FORMAT', '"s" has type "RobustScaler"', 'MinMaxScaler, StandardScaler, CharVocab, WordVocab');
    expectError(() => revivePreprocessing({ s: 3 }), 'E_FORMAT', '"s"');
    expectError(() => revivePreprocessing({ s: { type: 'toString' } }), 'E_FORMAT', '"s"');
    expectError(() => revivePreprocessing({ v: { type: 'WordVocab', tokens: [], lowercase: false, unknown: '<unk>' } }), 'E_FORMAT', 'revivePreprocessing: "v": WordVocab.fromJSON');
  });
});
