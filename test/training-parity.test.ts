/**
 * Training parity with PyTorch: every fixture in test/golden/train (written by
 * test/golden/train_generate.py, float64 PyTorch) describes a small Sequential model, a loss, an
 * optimizer and gradient clipping, its initial weights and 5 training steps. Here the model is
 * built through the public API of the wasm build under test, the initial weights are loaded (as
 * float32), the 5 steps run with `trainStep`, and then
 *
 *   every step's loss (returned by trainStep, before its update)        within 1e-4
 *   every parameter of stateDict() after step 5                         within 1e-4
 *
 * errors scaled by max(1, max|reference|) (per loss value, per parameter tensor). The failure
 * message names the worst loss and the worst parameter of the fixture.
 *
 * The models-and-training API (`Sequential`, `Embedding`, `Dense`, `LayerNorm`, `Activation`,
 * recurrent layers with `finalStates` / `mergeMode`, optimizers …; every layer is built as
 * `new <type>(options)` from the fixture)
 * may not be exported yet: then the parity suite is skipped (only the fixture check runs). The
 * API is reached through a loose view of `import * as api` so this file type-checks either way.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../ts/index';
import { scaledDiff } from './helpers/compare';

const TOL = 1e-4;
const VARIANT = process.env.WASM_RNN_VARIANT ?? 'default';
const TRAIN_DIR = fileURLToPath(new URL('./golden/train/', import.meta.url));

// ---------------------------------------------------------------------------- fixtures
interface FixtureTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: number[];
}

interface LayerSpec {
  type: string;
  options: Record<string, unknown>;
}

interface Step {
  x: FixtureTensor;
  y: FixtureTensor;
  lengths: FixtureTensor | null;
  loss: number;
  gradNorm: number;
}

interface Fixture {
  name: string;
  description: string;
  layers: LayerSpec[];
  sequentialOptions: Record<string, unknown>;
  loss: unknown;
  optimizer: { type: string; options: Record<string, unknown> };
  clipGradNorm: number | null;
  clipGradValue: number | null;
  initialState: Record<string, FixtureTensor>;
  steps: Step[];
  finalState: Record<string, FixtureTensor>;
  float32TorchError: { loss: number; params: number };
}

function listFixtures(): string[] {
  return readdirSync(TRAIN_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(TRAIN_DIR, `${name}.json`), 'utf8')) as Fixture;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------- loose API view
type ApiTensor = unknown;
interface OutTensor {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}
interface ModelLike {
  compile(options: Record<string, unknown>): void;
  loadStateDict(dict: Record<string, ApiTensor>): void;
  trainStep(x: ApiTensor, y: ApiTensor, options?: { lengths?: ApiTensor }): number;
  stateDict(): Record<string, OutTensor>;
  dispose?: () => void;
}
type Ctor = new (options: Record<string, unknown>) => unknown;
type SequentialCtor = new (layers: unknown[], options: Record<string, unknown>) => ModelLike;

const API = api as unknown as Record<string, unknown>;
const HAS_API = typeof API.Sequential === 'function';

function ctor(name: string): Ctor {
  const c = API[name];
  if (typeof c !== 'function') throw new Error(`'${name}' is not exported from ts/index`);
  return c as Ctor;
}

function toApiTensor(t: FixtureTensor): ApiTensor {
  const make = API.tensor as (data: Float32Array | Int32Array, shape: number[]) => ApiTensor;
  const data = t.dtype === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data);
  return make(data, t.shape.slice());
}

function buildModel(fx: Fixture): ModelLike {
  const layers = fx.layers.map((l) => new (ctor(l.type))({ ...l.options }));
  const Sequential = API.Sequential as SequentialCtor;
  const model = new Sequential(layers, { ...fx.sequentialOptions });
  const compileOptions: Record<string, unknown> = {
    loss: fx.loss,
    optimizer: new (ctor(fx.optimizer.type))({ ...fx.optimizer.options }),
  };
  if (fx.clipGradNorm !== null) compileOptions.clipGradNorm = fx.clipGradNorm;
  if (fx.clipGradValue !== null) compileOptions.clipGradValue = fx.clipGradValue;
  model.compile(compileOptions);
  return model;
}

// ---------------------------------------------------------------------------- comparison

const fmt = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : String(x));

const fixtureNames = listFixtures();

describe('training fixtures', () => {
  it('are present and well-formed', () => {
    expect(fixtureNames.length).toBeGreaterThan(0);
    for (const name of fixtureNames) {
      const fx = loadFixture(name);
      expect(fx.name).toBe(name);
      expect(fx.steps.length).toBe(5);
      for (const t of [
        ...Object.values(fx.initialState),
        ...Object.values(fx.finalState),
        ...fx.steps.flatMap((s) => (s.lengths ? [s.x, s.y, s.lengths] : [s.x, s.y])),
      ]) {
        expect(t.data.length, `${name}: tensor [${t.shape.join(', ')}]`).toBe(numel(t.shape));
      }
      expect(Object.keys(fx.finalState)).toEqual(Object.keys(fx.initialState));
    }
  });
});

const parity = HAS_API ? describe : describe.skip;
const title = HAS_API
  ? `training parity with PyTorch (${VARIANT})`
  : `training parity with PyTorch (${VARIANT}) — SKIPPED: Sequential is not exported from ` +
    `ts/index yet (models-and-training API pending)`;

parity(title, () => {
  for (const name of fixtureNames) {
    const fx = loadFixture(name);
    it(`${name}: ${fx.description}`, () => {
      const failures: string[] = [];
      let worstLoss = { err: 0, what: 'none' };
      let worstParam = { err: 0, what: 'none' };

      const model = buildModel(fx);
      try {
        const init: Record<string, ApiTensor> = {};
        for (const [p, t] of Object.entries(fx.initialState)) init[p] = toApiTensor(t);
        model.loadStateDict(init);

        fx.steps.forEach((step, i) => {
          const x = toApiTensor(step.x);
          const y = toApiTensor(step.y);
          const loss = step.lengths
            ? model.trainStep(x, y, { lengths: toApiTensor(step.lengths) })
            : model.trainStep(x, y);
          const err =
            typeof loss === 'number' && Number.isFinite(loss)
              ? Math.abs(loss - step.loss) / Math.max(1, Math.abs(step.loss))
              : Infinity;
          const what = `step ${i + 1} loss ${String(loss)} vs ${step.loss}`;
          if (!(err <= worstLoss.err)) worstLoss = { err, what };
          if (!(err <= TOL)) failures.push(`${what}: scaled error ${fmt(err)}`);
        });

        const sd = model.stateDict();
        const got = Object.keys(sd).sort();
        const want = Object.keys(fx.finalState).sort();
        if (got.join(',') !== want.join(',')) {
          failures.push(`stateDict names [${got.join(', ')}] != reference [${want.join(', ')}]`);
        }
        for (const [p, ref] of Object.entries(fx.finalState)) {
          const t = sd[p];
          if (!t) continue;
          if (t.shape.join(',') !== ref.shape.join(',')) {
            failures.push(`${p}: shape [${t.shape.join(', ')}] != reference [${ref.shape.join(', ')}]`);
            worstParam = { err: Infinity, what: p };
            continue;
          }
          const err = scaledDiff(t.data, ref.data);
          if (!(err <= worstParam.err)) worstParam = { err, what: p };
          if (!(err <= TOL)) failures.push(`${p} after step 5: scaled max error ${fmt(err)}`);
        }
      } finally {
        model.dispose?.();
      }

      const summary =
        `${name}: worst loss ${fmt(worstLoss.err)} (${worstLoss.what}), ` +
        `worst parameter ${fmt(worstParam.err)} (${worstParam.what}); tolerance ${TOL}; ` +
        `float32 PyTorch: loss ${fmt(fx.float32TorchError.loss)}, params ${fmt(fx.float32TorchError.params)}`;
      expect(failures, [summary, ...failures].join('\n')).toEqual([]);
    });
  }
});
