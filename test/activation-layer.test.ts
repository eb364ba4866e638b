/**
 * The Activation layer, and the recurrent layers' finalStates / mergeMode inside a Sequential,
 * through the public API, once per wasm build:
 *  1. bad configurations throw E_CONFIG;
 *  2. Sequential.config and save() → loadModel() keep every type, predictions bit-identical;
 *  3. predict of every type against float64 formulas written here from the definitions
 *     (PyTorch's modules), on large ±, 0, the kinks (0, ±3, 6), NaN and ±Infinity;
 *  4. NaN/±Infinity give the same outputs in this build as in the scalar build of
 *     dist/index.js run in a child process (as test/nonfinite.test.ts does);
 *  5. finalStates / mergeMode: output widths and shapes, and values against the standalone
 *     layer's output and hN (each sequence run alone for lengths).
 * The activation sees its inputs exactly through an Embedding whose rows are the test values (a
 * Dense before it would mix a NaN or ±Infinity into every feature of the row).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as lib from '../ts/index';
import { Activation, type ActivationOptions, Dense, Embedding, LSTM, type MergeMode, Sequential, loadModel, tensor } from '../ts/index';
import { expectBitEqual, expectClose, expectCode, features } from './helpers/model-kit';

// ---------------------------------------------------------------------------- float64 formulas
const SELU_ALPHA = 1.6732632423543772848170429916717; // Klambauer et al. 2017, as nn.SELU
const SELU_SCALE = 1.0507009873554804934193349852946;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

type Elementwise = (x: number, o: ActivationOptions) => number;
const ELEMENTWISE: Record<string, Elementwise> = {
  relu: (x) => Math.max(0, x),
  leakyRelu: (x, o) => (x >= 0 ? x : (o.negativeSlope ?? 0.01) * x),
  elu: (x, o) => (x > 0 ? x : (o.alpha ?? 1) * Math.expm1(x)),
  selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
  sigmoid,
  hardSigmoid: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  tanh: Math.tanh,
  // log(1 + eˣ) without overflow for large x
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  softsign: (x) => x / (1 + Math.abs(x)),
  silu: (x) => x / (1 + Math.exp(-x)),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
};

/** The activation of one row (softmax and logSoftmax: along the row, shifted by its maximum). */
function expectedRow(o: ActivationOptions, row: readonly number[]): number[] {
  if (o.type === 'softmax' || o.type === 'logSoftmax') {
    const m = Math.max(...row); // NaN if any is NaN, as torch
    const sum = row.reduce((s, v) => s + Math.exp(v - m), 0);
    return row.map((v) => (o.type === 'softmax' ? Math.exp(v - m) / sum : v - m - Math.log(sum)));
  }
  return row.map((v) => ELEMENTWISE[o.type]!(v, o));
}

// Every type; leakyRelu and elu with their defaults and with other parameters.
const CASES: ActivationOptions[] = [
  ...(['relu', 'leakyRelu', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'silu', 'relu6', 'softmax', 'logSoftmax'] as const).map((type) => ({ type })),
  { type: 'leakyRelu', negativeSlope: 0.25 },
  { type: 'elu', alpha: 0.5 },
];
const name = (o: ActivationOptions): string => JSON.stringify(o);

const W = 8;
// float32 values; the kinks: 0 (relu, leakyRelu, elu, selu, relu6), ±3 (hardSigmoid), 6 (relu6).
const FINITE_ROWS = [
  [-1e30, -100, -50, -20, -6.5, -6, -3, -1.5],
  [-0.5, -1e-3, -0, 0, 1e-3, 0.5, 1.5, 2.75],
  [3, 3.25, 6, 6.5, 20, 50, 100, 1e30],
  [-3.25, -2.75, 5.75, 6.25, 0.1, -0.1, 1, -1],
];
const NONFINITE_ROWS = [
  [NaN, 1, 2, -1, 0.5, -3, 6, 0],
  [Infinity, -Infinity, 1, 2, -2, 0, 3, -3],
  [-Infinity, 1, 2, -2, 0, 3, 6, -6],
  Array<number>(W).fill(-Infinity),
];
const f32Rows = (rows: number[][]): number[][] => rows.map((r) => r.map(Math.fround));

/** Embedding(rows, W) holding `rows` → Activation(o): predict on ids 0..rows−1 is the activation of each row. */
function activationOfRows(o: ActivationOptions, rows: number[][]): Float32Array {
  const model = new Sequential([new Embedding({ numEmbeddings: rows.length, embeddingDim: W }), new Activation(o)], { seed: 1 });
  try {
    model.loadStateDict({ '0.weight': tensor(Float32Array.from(rows.flat()), [rows.length, W]) });
    return model.predict(tensor(Int32Array.from(rows.keys()), [1, rows.length])).data;
  } finally {
    model.dispose();
  }
}

/** First element outside 1e-6 relative (plus float32's smallest normal, for results that underflow to subnormals); NaN and ±Infinity exactly. */
function firstMismatch(got: ArrayLike<number>, want: readonly number[]): string | null {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= 1e-6 * Math.abs(w) + 2 ** -126;
    if (!ok) return `[${i}] = ${g}, expected ${w}`;
  }
  return null;
}

const VARIANT = process.env.WASM_RNN_VARIANT ?? 'default';

describe(`Activation layer (${VARIANT} build)`, () => {
  it('rejects bad options with E_CONFIG', () => {
    const bad: unknown[] = [
      null,
      {},
      { type: 'gelu' },
      { type: 'ReLU' },
      { type: 'leakyRelu', negativeSlope: NaN },
      { type: 'leakyRelu', negativeSlope: Infinity },
      { type: 'leakyRelu', negativeSlope: '0.1' },
      { type: 'leakyRelu', negativeSlope: null },
      { type: 'elu', alpha: -Infinity },
      { type: 'elu', alpha: '1' },
      { type: 'relu', negativeSlope: 0.1 },
      { type: 'elu', negativeSlope: 0.1 },
      { type: 'leakyRelu', alpha: 1 },
      { type: 'softmax', alpha: 1 },
    ];
    for (const o of bad) expectCode(() => new Activation(o as ActivationOptions), 'E_CONFIG');
  });

  it('a model cannot start with an Activation (it does not fix the feature size): E_CONFIG', () => {
    expectCode(() => new Sequential([new Activation({ type: 'relu' }), new Dense({ inputSize: 3, outputSize: 2 })]), 'E_CONFIG');
  });

  for (const o of CASES) {
    it(`${name(o)}: config, no parameters, and save() → loadModel() predicts bit-identically`, async () => {
      const layers = [new Embedding({ numEmbeddings: 5, embeddingDim: W }), new Activation(o), new Dense({ inputSize: W, outputSize: 3 }), new Activation(o)];
      const model = new Sequential(layers, { seed: 11 });
      const loaded = await loadModel(model.save());
      try {
        const { type, ...params } = o;
        const config = model.config[1]!;
        expect(config).toMatchObject({ type: 'Activation', activation: type, ...params });
        expect(Object.keys(config).filter((k) => !['type', 'activation', 'negativeSlope', 'alpha'].includes(k))).toEqual([]);
        if (type === 'leakyRelu') expect(config.negativeSlope ?? 0.01).toBe(o.negativeSlope ?? 0.01);
        if (type === 'elu') expect(config.alpha ?? 1).toBe(o.alpha ?? 1);
        expect(loaded.config).toEqual(model.config);
        expect(model.parameterNames()).toEqual(['0.weight', '2.weight', '2.bias']);
        const x = tensor(Int32Array.from([0, 1, 2, 3, 4, 4]), [3, 2]);
        const before = model.predict(x);
        expect(before.shape).toEqual([3, 2, 3]);
        expectBitEqual(loaded.predict(x).data, before.data, 'loaded predict');
        // not vacuous: the second activation's input differs from its output
        layers.pop();
        const noHead = new Sequential(layers, { seed: 11 });
        noHead.loadStateDict(model.stateDict());
        expect(Array.from(noHead.predict(x).data)).not.toEqual(Array.from(before.data));
        noHead.dispose();
      } finally {
        model.dispose();
        loaded.dispose();
      }
    });

    it(`${name(o)}: predict matches the float64 formula on large ±, 0, the kinks, NaN and ±Infinity`, () => {
      const rows = f32Rows([...FINITE_ROWS, ...NONFINITE_ROWS]);
      const got = activationOfRows(o, rows);
      const want = rows.flatMap((r) => expectedRow(o, r));
      expect(firstMismatch(got, want), `${name(o)} on ${JSON.stringify(rows.flat().map(String))}`).toBeNull();
    });
  }

  it('NaN/±Infinity inputs give the same outputs as the scalar build of dist/index.js (child process)', () => {
    const bundle = new URL('../dist/index.js', import.meta.url);
    expect(existsSync(fileURLToPath(bundle)), 'dist/ is missing: run `npm run build` first').toBe(true);
    // The same source runs here (lib = ts/index) and in the child (lib = dist/index.js). JSON has
    // no NaN/±Infinity: values travel as strings (and −0 as "-0").
    const source = `
      const rows = text.map((r) => r.map(Number));
      const str = (v) => (Object.is(v, -0) ? '-0' : String(v));
      return cases.map((o) => {
        const m = new lib.Sequential([new lib.Embedding({ numEmbeddings: rows.length, embeddingDim: rows[0].length }), new lib.Activation(o)], { seed: 1 });
        m.loadStateDict({ '0.weight': lib.tensor(Float32Array.from(rows.flat()), [rows.length, rows[0].length]) });
        const out = Array.from(m.predict(lib.tensor(Int32Array.from(rows.keys()), [1, rows.length])).data, str);
        m.dispose();
        return out;
      });`;
    const script = `
      const lib = await import(${JSON.stringify(bundle.href)});
      await lib.init({ variant: 'scalar' });
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      const { cases, text } = JSON.parse(input);
      const run = new Function('lib', 'cases', 'text', ${JSON.stringify(source)});
      process.stdout.write(JSON.stringify({ variant: lib.loadedVariant(), out: run(lib, cases, text) }));`;
    const text = NONFINITE_ROWS.map((r) => r.map(String));
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify({ cases: CASES, text }), encoding: 'utf8', maxBuffer: 16 << 20 });
    const child = JSON.parse(stdout) as { variant: string; out: string[][] };
    expect(child.variant).toBe('scalar');
    const run = new Function('lib', 'cases', 'text', source) as (l: typeof lib, c: ActivationOptions[], t: string[][]) => string[][];
    const mine = run(lib, CASES, text);
    CASES.forEach((o, i) => expect(mine[i], name(o)).toEqual(child.out[i]));
    // not vacuous: NaN and both infinities occur among the results
    const all = new Set(mine.flat());
    for (const v of ['NaN', 'Infinity', '-Infinity']) expect(all.has(v), v).toBe(true);
  });
});

// ---------------------------------------------------------------------------- finalStates, mergeMode
describe(`recurrent finalStates and mergeMode in a Sequential (${VARIANT} build)`, () => {
  const [T, B, I, H] = [5, 3, 3, 4];
  const base = { inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true };

  it('rejects mergeMode on a unidirectional layer, an unknown mergeMode, finalStates with returnSequences true, a non-boolean finalStates: E_CONFIG', () => {
    expectCode(() => new LSTM({ inputSize: I, hiddenSize: H, mergeMode: 'sum' }), 'E_CONFIG');
    expectCode(() => new LSTM({ ...base, mergeMode: 'max' as MergeMode }), 'E_CONFIG');
    expectCode(() => new LSTM({ ...base, finalStates: true }), 'E_CONFIG');
    expectCode(() => new LSTM({ ...base, returnSequences: true, finalStates: true }), 'E_CONFIG');
    expectCode(() => new LSTM({ ...base, returnSequences: false, finalStates: 'yes' as never }), 'E_CONFIG');
    // the defaults are accepted as explicit values
    new LSTM({ inputSize: I, hiddenSize: H, mergeMode: 'concat', returnSequences: false, finalStates: false }).dispose();
  });

  const merged = (f: ArrayLike<number>, b: ArrayLike<number>, mode: MergeMode): number[] => {
    const [fa, ba] = [Array.from(f), Array.from(b)];
    if (mode === 'concat') return [...fa, ...ba];
    return fa.map((v, i) => (mode === 'sum' ? v + ba[i]! : mode === 'ave' ? (v + ba[i]!) / 2 : v * ba[i]!));
  };
  /** Row `i` (H values) of a [rows, H] view. */
  const rowOf = (data: Float32Array, i: number): Float32Array => data.subarray(i * H, (i + 1) * H);

  for (const mode of ['concat', 'sum', 'ave', 'mul'] as const) {
    for (const rows of ['sequence', 'lastStep', 'finalStates'] as const) {
      it(`mergeMode ${mode}, ${rows}: outputWidth ${mode === 'concat' ? '2H' : 'H'}, predict shape, values from the standalone LSTM's output and hN`, () => {
        const options = { ...base, mergeMode: mode, returnSequences: rows === 'sequence', ...(rows === 'finalStates' ? { finalStates: true } : {}) };
        const model = new Sequential([new LSTM(options)], { seed: 5 });
        const layer = new LSTM({ ...base, seed: 6 });
        try {
          layer.loadStateDict(Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k.replace(/^0\./, ''), v])));
          const width = mode === 'concat' ? 2 * H : H;
          expect(model.outputWidth).toBe(width);
          const x = features(21, [T, B, I]);
          const got = model.predict(x);
          expect(got.shape).toEqual(rows === 'sequence' ? [T, B, width] : [B, width]);
          const { output, hN } = layer.forward(x); // output rows [T·B, 2H] = [f | b]; hN [4, B, H]
          const want: number[] = [];
          const outRow = (r: number): [Float32Array, Float32Array] => [output.data.subarray(r * 2 * H, r * 2 * H + H), output.data.subarray(r * 2 * H + H, (r + 1) * 2 * H)];
          if (rows === 'sequence') for (let r = 0; r < T * B; r++) want.push(...merged(...outRow(r), mode));
          if (rows === 'lastStep') for (let b = 0; b < B; b++) want.push(...merged(...outRow((T - 1) * B + b), mode));
          // the top layer's final states: hN[2] (forward, after step T−1) and hN[3] (backward, after step 0)
          if (rows === 'finalStates') for (let b = 0; b < B; b++) want.push(...merged(rowOf(hN.data, 2 * B + b), rowOf(hN.data, 3 * B + b), mode));
          expectClose(got.data, want, 1e-5, `${mode} ${rows}`);
        } finally {
          model.dispose();
          layer.dispose();
        }
      });
    }

    it(`mergeMode ${mode}, finalStates with lengths: each sequence's own final states (the standalone LSTM on that sequence alone)`, () => {
      const model = new Sequential([new LSTM({ ...base, mergeMode: mode, returnSequences: false, finalStates: true })], { seed: 7 });
      const layer = new LSTM({ ...base, seed: 8 });
      try {
        layer.loadStateDict(Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k.replace(/^0\./, ''), v])));
        const x = features(22, [T, B, I]);
        const lengths = Int32Array.from([2, T, 1]);
        const got = model.predict(x, { lengths: tensor(lengths, [B]) });
        expect(got.shape).toEqual([B, mode === 'concat' ? 2 * H : H]);
        const want: number[] = [];
        for (let b = 0; b < B; b++) {
          const alone = new Float32Array(lengths[b]! * I);
          for (let t = 0; t < lengths[b]!; t++) alone.set(x.data.subarray((t * B + b) * I, (t * B + b + 1) * I), t * I);
          const { hN } = layer.forward(tensor(alone, [lengths[b]!, 1, I]));
          want.push(...merged(rowOf(hN.data, 2), rowOf(hN.data, 3), mode));
        }
        expectClose(got.data, want, 1e-5, `${mode} finalStates with lengths`);
        // not vacuous: without lengths the shorter sequences' states differ
        expect(Math.max(...Array.from(model.predict(x).data, (v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan(1e-3);
      } finally {
        model.dispose();
        layer.dispose();
      }
    });
  }
});
