/**
 * Non-finite values (NaN, +Infinity, −Infinity) propagate as in PyTorch, identically in every
 * wasm build (runs once per vitest project: relaxed, simd, scalar).
 *
 * The bug this guards against: the relaxed build's vector exp/sigmoid/tanh clamps turned NaN
 * into finite numbers (an LSTM fed x = NaN gave output 0.7616 instead of NaN, and with NaN in
 * weight_hh its forward was finite while its backward was NaN), while simd and scalar
 * propagated NaN.
 *
 *  1. The reproducer.
 *  2. Forward against a float64 reference (test/helpers/reference64.ts) at sizes with partial
 *     SIMD lanes, with NaN / +Inf / −Inf injected into x, h0, c0, weight_hh, weight_ih and a
 *     bias: NaN positions and ±Infinity must be exactly the reference's, finite values within
 *     1e-4 (absolute).
 *  3. The same build-independence for forward AND backward: a child Node process runs the
 *     scalar build from the bundle (dist/index.js, `npm run build` first) on a seeded case list
 *     (RNN tanh/relu, LSTM, GRU; one layer and two bidirectional layers; NaN / ±Inf in x, h0,
 *     weight_hh and the output gradient); this process (the project's build) must give the
 *     same NaN masks and infinities, finite values within 1e-4 · max(1, |scalar|).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as lib from '../ts/index';
import { GRU, LSTM, RNN, loadedVariant, tensor, type Tensor } from '../ts/index';
import { referenceForward, type RefCell } from './helpers/reference64';
import { Rng } from './helpers/random';

const VARIANT = process.env.WASM_RNN_VARIANT ?? 'default';
const INJECTED = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY] as const;
const label = (v: number): string => (Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf');

type Layer = RNN | LSTM | GRU;

function makeLayer(cell: RefCell, config: { inputSize: number; hiddenSize: number; numLayers?: number; bidirectional?: boolean }): Layer {
  const options = { ...config, seed: 1 };
  switch (cell) {
    case 'lstm':
      return new LSTM(options);
    case 'gru':
      return new GRU(options);
    case 'gru_reset_before':
      return new GRU({ ...options, resetAfter: false });
    case 'rnn_tanh':
      return new RNN({ ...options, nonlinearity: 'tanh' });
    case 'rnn_relu':
      return new RNN({ ...options, nonlinearity: 'relu' });
  }
}

/**
 * The first difference between `actual` (float32, from wasm) and `expected`, or null: NaN
 * where and only where expected is NaN, ±Infinity exactly where expected has it, finite values
 * within `tol` (absolute, or scaled by max(1, |expected|) when `relative`).
 */
function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, relative: boolean): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return `[${i}] = ${a}, expected ${e}`;
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return `[${i}] = ${a}, expected ${e}`;
    } else if (Math.abs(a - e) > tol * (relative ? Math.max(1, Math.abs(e)) : 1)) {
      return `[${i}] = ${a}, expected ${e} (error ${Math.abs(a - e).toExponential(2)})`;
    }
  }
  return null;
}

const countNonFinite = (data: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) n++;
  return n;
};

describe(`non-finite values (${VARIANT} build)`, () => {
  it('the reproducer: LSTM(1, 2, seed 1) on x = NaN gives NaN output, hN and cN', () => {
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 2, seed: 1 });
    try {
      const { output, hN, cN } = lstm.forward(tensor(new Float32Array([Number.NaN]), [1, 1, 1]));
      // Before the fix the relaxed build gave [0.7616, 0.7616].
      expect(Array.from(output.data)).toEqual([Number.NaN, Number.NaN]);
      expect(Array.from(hN.data)).toEqual([Number.NaN, Number.NaN]);
      expect(Array.from(cN.data)).toEqual([Number.NaN, Number.NaN]);
      // Training forward (the path that keeps activations) and its backward: NaN too.
      const f = lstm.forward(tensor(new Float32Array([Number.NaN]), [1, 1, 1]), { training: true });
      expect(Array.from(f.output.data)).toEqual([Number.NaN, Number.NaN]);
      const g = lstm.backward({ output: tensor(new Float32Array([1, 1]), [1, 1, 2]) });
      expect(Number.isNaN(g.input.data[0]!)).toBe(true);
      expect(countNonFinite(g.params.weight_ih_l0!.data)).toBeGreaterThan(0);
    } finally {
      lstm.dispose();
    }
  });

  // ---------------------------------------------------------------------------------------
  // 2. Forward against the float64 reference.
  const CELLS: RefCell[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'gru_reset_before'];
  const T = 4;
  const B = 3;
  const I = 3;
  for (const cell of CELLS) {
    for (const hiddenSize of [5, 1]) {
      for (const shape of [{ numLayers: 1, bidirectional: false }, { numLayers: 2, bidirectional: true }]) {
        // Odd sizes (partial SIMD lanes: 4·5 + 3 gate rows, hidden 1); the two-layer bidirectional
        // case also sends non-finite layer-0 outputs into layer 1 (weights poked in layer 0, forward).
        if (shape.numLayers === 2 && hiddenSize === 1) continue;
        const seed = 1000 + CELLS.indexOf(cell) * 10 + hiddenSize + shape.numLayers * 100;
        const sites = ['x', 'h0', ...(cell === 'lstm' ? ['c0'] : []), 'weight_hh_l0', 'weight_ih_l0', 'bias'];
        const name = `${cell} I=${I} H=${hiddenSize} L=${shape.numLayers}${shape.bidirectional ? ' bidirectional' : ''} T=${T} B=${B} (seed ${seed}): NaN/+Inf/-Inf in ${sites.join(', ')} match the float64 reference (inference and training forward)`;
        it(name, () => {
          const config = { inputSize: I, hiddenSize, ...shape };
          const states = shape.numLayers * (shape.bidirectional ? 2 : 1);
          const rng = new Rng(seed);
          const layer = makeLayer(cell, config);
          const mismatches: string[] = [];
          let nonFiniteSeen = 0;
          let compared = 0;
          try {
            const base = layer.stateDict();
            for (const site of ['none', ...sites]) {
              for (const value of site === 'none' ? [0] : INJECTED) {
                const params: Record<string, Tensor> = {};
                for (const [k, v] of Object.entries(base)) params[k] = tensor(new Float32Array(v.data), v.shape);
                const x = rng.tensor([T, B, I]);
                const h0 = rng.tensor([states, B, hiddenSize]);
                const c0 = cell === 'lstm' ? rng.tensor([states, B, hiddenSize]) : undefined;
                let where = site;
                const poke = (t: Tensor): void => {
                  const i = rng.int(0, t.data.length - 1);
                  t.data[i] = value;
                  where += `[${i}]`;
                };
                if (site === 'x') poke(x);
                else if (site === 'h0') poke(h0);
                else if (site === 'c0') poke(c0!);
                else if (site === 'weight_hh_l0' || site === 'weight_ih_l0') poke(params[site]!);
                else if (site === 'bias') {
                  where = rng.pick(['bias_ih_l0', 'bias_hh_l0']);
                  poke(params[where]!);
                }
                layer.loadStateDict(params);
                const ref = referenceForward(cell, config, params, x, h0, c0);
                for (const training of [false, true]) {
                  const out: { output: Tensor; hN: Tensor; cN?: Tensor } =
                    layer instanceof LSTM ? layer.forward(x, { h0, c0, training }) : layer.forward(x, { h0, training });
                  const got: Record<string, ArrayLike<number>> = { output: out.output.data, hN: out.hN.data };
                  const want: Record<string, ArrayLike<number>> = { output: ref.output, hN: ref.hN };
                  if (ref.cN) {
                    got.cN = out.cN?.data ?? [];
                    want.cN = ref.cN;
                  }
                  for (const key of Object.keys(want)) {
                    const m = firstMismatch(got[key]!, want[key]!, 1e-4, false);
                    if (m) mismatches.push(`${site === 'none' ? 'no injection' : `${label(value)} in ${where}`}, training ${training}: ${key}${m}`);
                    nonFiniteSeen += countNonFinite(want[key]!);
                    compared += want[key]!.length;
                  }
                }
              }
            }
          } finally {
            layer.dispose();
          }
          expect(mismatches).toEqual([]);
          // Not vacuous: the injections did reach the outputs.
          expect(nonFiniteSeen).toBeGreaterThan(compared / 20);
        });
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // 3. Forward and backward identical to the scalar build (a child process on dist/).
  it('forward and backward with NaN/+Inf/-Inf in x, h0, weight_hh and the output gradient match the scalar build of dist/index.js run in a child process (seed 7)', () => {
    const bundle = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(bundle), 'dist/ is missing: run `npm run build` first').toBe(true);
    expect(loadedVariant()).toBe(VARIANT);
    const cases = crossBuildCases(7);

    const script = `
      const lib = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      await lib.init({ variant: 'scalar' });
      const runCase = new Function('lib', 'c', ${JSON.stringify(RUN_CASE_SOURCE)});
      let text = '';
      for await (const chunk of process.stdin) text += chunk;
      const results = JSON.parse(text).map((c) => runCase(lib, c));
      process.stdout.write(JSON.stringify({ variant: lib.loadedVariant(), results }));`;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      input: JSON.stringify(cases),
      maxBuffer: 64 << 20,
      encoding: 'utf8',
    });
    const child = JSON.parse(stdout) as { variant: string; results: Record<string, string>[] };
    expect(child.variant).toBe('scalar');
    expect(child.results.length).toBe(cases.length);

    const runCase = new Function('lib', 'c', RUN_CASE_SOURCE) as (l: typeof lib, c: CaseSpec) => Record<string, string>;
    const mismatches: string[] = [];
    let nonFinite = 0;
    let compared = 0;
    cases.forEach((c, k) => {
      const mine = runCase(lib, c);
      const theirs = child.results[k]!;
      expect(Object.keys(mine).sort(), c.label).toEqual(Object.keys(theirs).sort());
      let caseNonFinite = 0;
      for (const key of Object.keys(theirs)) {
        const want = decode(theirs[key]!);
        const m = firstMismatch(decode(mine[key]!), want, 1e-4, true);
        if (m) mismatches.push(`${c.label}: ${key}${m}`);
        caseNonFinite += countNonFinite(want);
        compared += want.length;
      }
      // Every injection reaches some result (forward or gradient) in the scalar build, except
      // an infinite output gradient at a relu unit that is off: PyTorch's relu backward is a
      // select (threshold_backward: where(output <= 0, 0, grad)), not a product, so ±∞ · 0
      // gives 0 there and the gradients stay finite, as they must here.
      if (c.injected) {
        const dead = c.cell === 'rnn_relu' && c.site === 'dOutput' && !Number.isNaN(c.value) && !(decode(theirs.output!)[c.index]! > 0);
        if (dead && caseNonFinite !== 0) mismatches.push(`${c.label}: ±Inf output gradient at a relu unit that is off made ${caseNonFinite} results non-finite (PyTorch: 0)`);
        if (!dead && caseNonFinite === 0) mismatches.push(`${c.label}: no non-finite value anywhere in the scalar results`);
      }
      nonFinite += caseNonFinite;
    });
    expect(mismatches).toEqual([]);
    expect(nonFinite).toBeGreaterThan(compared / 20);
    expect(compared - nonFinite).toBeGreaterThan(compared / 5);
  });
});

// -----------------------------------------------------------------------------------------
// The cross-build cases: plain JSON (tensors as base64 float32 bytes), run by the same source
// (RUN_CASE_SOURCE) in this process and in the child.

interface EncodedTensor {
  shape: number[];
  data: string;
}

interface CaseSpec {
  label: string;
  injected: boolean;
  /** Where the injected value went ('none' for the clean case), its flat index and the value. */
  site: string;
  index: number;
  value: number;
  cell: RefCell;
  config: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; nonlinearity?: 'tanh' | 'relu' };
  params: Record<string, EncodedTensor>;
  x: EncodedTensor;
  h0: EncodedTensor;
  c0?: EncodedTensor;
  dOutput: EncodedTensor;
  dhN: EncodedTensor;
  dcN?: EncodedTensor;
}

function encode(t: { data: Float32Array; shape: readonly number[] }): EncodedTensor {
  return { shape: [...t.shape], data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
}

function decode(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Runs one CaseSpec with the library namespace `lib`: loads the weights, a training forward
 * with h0 (and c0), backward with the given upstream gradients; returns every result tensor
 * (output, hN, cN, grad.*) as base64 float32 bytes. Plain JS, evaluated with `new Function`
 * here (lib = ts/index) and in the child (lib = dist/index.js), so both run the same code.
 */
const RUN_CASE_SOURCE = `
  const dec = (s) => { const b = Buffer.from(s, 'base64'); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
  const enc = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const t = (e) => (e === undefined ? undefined : lib.tensor(dec(e.data), e.shape));
  const Layer = { lstm: lib.LSTM, gru: lib.GRU, rnn_tanh: lib.RNN, rnn_relu: lib.RNN }[c.cell];
  const layer = new Layer({ ...c.config, seed: 1 });
  try {
    const dict = {};
    for (const [name, e] of Object.entries(c.params)) dict[name] = t(e);
    layer.loadStateDict(dict);
    const fwd = { h0: t(c.h0), training: true };
    if (c.c0) fwd.c0 = t(c.c0);
    const f = layer.forward(t(c.x), fwd);
    const bwd = { output: t(c.dOutput), hN: t(c.dhN) };
    if (c.dcN) bwd.cN = t(c.dcN);
    const g = layer.backward(bwd);
    const all = { output: f.output, hN: f.hN, cN: f.cN, 'grad.input': g.input, 'grad.h0': g.h0, 'grad.c0': g.c0 };
    for (const [name, v] of Object.entries(g.params)) all['grad.' + name] = v;
    const out = {};
    for (const [name, v] of Object.entries(all)) if (v !== undefined) out[name] = enc(v.data);
    return out;
  } finally {
    layer.dispose();
  }
`;

/** The seeded case list: every cell, one layer and two bidirectional layers, every site × value. */
function crossBuildCases(seed: number): CaseSpec[] {
  const rng = new Rng(seed);
  const cases: CaseSpec[] = [];
  const T = 4;
  const B = 3;
  const I = 3;
  const H = 5;
  for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
    for (const [numLayers, bidirectional] of [[1, false], [2, true]] as const) {
      const D = bidirectional ? 2 : 1;
      const config = {
        inputSize: I,
        hiddenSize: H,
        numLayers,
        bidirectional,
        ...(cell === 'rnn_tanh' ? { nonlinearity: 'tanh' as const } : cell === 'rnn_relu' ? { nonlinearity: 'relu' as const } : {}),
      };
      const layer = makeLayer(cell, config);
      const base = layer.stateDict();
      layer.dispose();
      const hhNames = Object.keys(base).filter((k) => k.startsWith('weight_hh'));
      for (const site of ['none', 'x', 'h0', 'weight_hh', 'dOutput']) {
        for (const value of site === 'none' ? [0] : INJECTED) {
          const params: Record<string, Tensor> = {};
          for (const [k, v] of Object.entries(base)) params[k] = tensor(new Float32Array(v.data), v.shape);
          const x = rng.tensor([T, B, I]);
          const h0 = rng.tensor([numLayers * D, B, H]);
          const c0 = cell === 'lstm' ? rng.tensor([numLayers * D, B, H]) : undefined;
          const dOutput = rng.tensor([T, B, D * H]);
          const dhN = rng.tensor([numLayers * D, B, H]);
          const dcN = cell === 'lstm' ? rng.tensor([numLayers * D, B, H]) : undefined;
          let where = site;
          let index = -1;
          const poke = (t: Tensor): void => {
            index = rng.int(0, t.data.length - 1);
            t.data[index] = value;
            where += `[${index}]`;
          };
          if (site === 'x') poke(x);
          else if (site === 'h0') poke(h0);
          else if (site === 'dOutput') poke(dOutput);
          else if (site === 'weight_hh') {
            where = rng.pick(hhNames);
            poke(params[where]!);
          }
          const spec: CaseSpec = {
            label: `${cell} L=${numLayers}${bidirectional ? ' bidirectional' : ''}: ${site === 'none' ? 'no injection' : `${label(value)} in ${where}`}`,
            injected: site !== 'none',
            site,
            index,
            value,
            cell,
            config,
            params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encode(v)])),
            x: encode(x),
            h0: encode(h0),
            dOutput: encode(dOutput),
            dhN: encode(dhN),
          };
          if (c0) spec.c0 = encode(c0);
          if (dcN) spec.dcN = encode(dcN);
          cases.push(spec);
        }
      }
    }
  }
  return cases;
}
