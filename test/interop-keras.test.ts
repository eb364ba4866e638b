/**
 * Keras import against Keras itself: every fixture in test/golden/interop/keras (written by
 * test/golden/interop_generate.py from real Keras 3 `.keras` files, references in float64) is
 * loaded with `loadKeras` and must give Keras' outputs within 1e-5 (scaled by
 * max(1, max|reference|)), batch-first as in Keras. Where the fixture has gradients, one
 * trainStep (MSE, SGD lr = 1: the update is the gradient) must give Keras' loss and gradients,
 * in the library's PyTorch names. The fixtures must cover every Activation the import makes
 * (Dense(activation=…), Activation/ReLU/LeakyReLU/ELU/Softmax layers) and every Bidirectional
 * merge_mode with and without return_sequences. Files the library cannot compute exactly are refused with
 * E_UNSUPPORTED naming the option; hostile files are in interop-keras-hostile.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SGD, WasmRnnError, loadModel, tensor } from '../ts/index';
import { KerasSequential, loadKeras } from '../ts/interop/keras';
import { ACTIVATION_TYPES } from '../ts/model/layers';
import { expectScaledClose } from './helpers/compare';
import { type FixtureTensor, fixtureInput as input, sgdStepGradients } from './helpers/interop-fixture';

const DIR = new URL('./golden/interop/keras/', import.meta.url);
const TOL = 1e-5;

interface KerasFixture {
  name: string;
  x: FixtureTensor;
  output: FixtureTensor;
  train: { y: FixtureTensor; loss: number; grads: Record<string, FixtureTensor> } | null;
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as KerasFixture);
const fileOf = (dir: URL, name: string) => new Uint8Array(readFileSync(new URL(`${name}.keras`, dir)));

const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) => expectScaledClose(actual, expected, TOL, what);

describe('loadKeras matches Keras', () => {
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(30));

  for (const f of fixtures) {
    describe(f.name, () => {
      it('predict gives Keras’ output (batch-first)', async () => {
        const model = await loadKeras(fileOf(DIR, f.name));
        try {
          expect(model.batchFirst).toBe(true);
          const out = model.predict(input(f.x));
          expect(out.shape).toEqual(f.output.shape);
          expectClose(out.data, f.output.data, 'output');
        } finally {
          model.dispose();
        }
      });

      if (f.train !== null) {
        it('one trainStep gives Keras’ loss and gradients', async () => {
          const model = await loadKeras(fileOf(DIR, f.name));
          try {
            const { loss, gradients } = sgdStepGradients(model, f.x, f.train!.y);
            expectClose([loss], [f.train!.loss], 'loss');
            expect(Object.keys(f.train!.grads).sort()).toEqual(Object.keys(gradients).filter((k) => k in f.train!.grads).sort());
            // Only a LayerNorm's identity half (center/scale off) has no Keras gradient: any other
            // parameter left out means the fixture's layer indexes and the import's disagree.
            const unmatched = Object.keys(gradients).filter((k) => !(k in f.train!.grads));
            expect(unmatched.filter((k) => model.config[Number(k.split('.')[0])]?.type !== 'LayerNorm'), 'parameters without a Keras gradient').toEqual([]);
            for (const [name, g] of Object.entries(f.train!.grads)) expectClose(gradients[name]!, g.data, `gradient of ${name}`);
          } finally {
            model.dispose();
          }
        });
      }
    });
  }
});

describe('the fixtures cover what the import maps', () => {
  it('every Activation type, and every merge mode over every step and as final states', async () => {
    const activations = new Set<string>();
    const heads = new Set<string>();
    for (const f of fixtures) {
      const model = await loadKeras(fileOf(DIR, f.name));
      for (const c of model.config) {
        if (c.type === 'Activation') activations.add(c.activation as string);
        if (c.bidirectional === true) heads.add(`${(c.mergeMode as string | undefined) ?? 'concat'}${c.finalStates === true ? ' final states' : ''}`);
      }
      model.dispose();
    }
    expect([...activations].sort()).toEqual([...ACTIVATION_TYPES].sort());
    expect([...heads].sort()).toEqual(['ave', 'ave final states', 'concat', 'concat final states', 'mul', 'mul final states', 'sum', 'sum final states']);
  });
});

describe('what an imported model keeps', () => {
  it('save → loadModel keeps the weights and the batch-first layout', async () => {
    const f = fixtures.find((x) => x.name === 'bidirectional_concat_lstm_stack')!;
    const model = await loadKeras(fileOf(DIR, f.name));
    const again = await loadModel(model.save());
    try {
      expect(again.batchFirst).toBe(true);
      expect(Array.from(again.predict(input(f.x)).data)).toEqual(Array.from(model.predict(input(f.x)).data));
    } finally {
      model.dispose();
      again.dispose();
    }
  });

  it('fit trains it further on batch-first data (the loss falls)', async () => {
    const f = fixtures.find((x) => x.name === 'lstm_dense')!;
    const model = await loadKeras(fileOf(DIR, f.name));
    try {
      model.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.05 }) });
      const x = input(f.x);
      const y = tensor(new Float32Array(f.output.data.length).fill(0.25), f.output.shape);
      const first = model.evaluate(x, y).loss;
      const history = await model.fit(x, y, { epochs: 15, batchSize: 2, shuffle: false });
      expect(history.loss.length).toBe(15);
      expect(model.evaluate(x, y).loss).toBeLessThan(first);
    } finally {
      model.dispose();
    }
  });

  it('a mask_zero model is a KerasSequential; a fixture row has an interior gap; explicit lengths switch the derivation off', async () => {
    const f = fixtures.find((x) => x.name === 'mask_lstm_carry')!;
    const model = await loadKeras(fileOf(DIR, f.name));
    try {
      expect(model).toBeInstanceOf(KerasSequential);
      const [batch, seq] = f.x.shape as [number, number];
      // The fixtures' masks (mask_ids in the generator) include a gap between unmasked steps,
      // so 'predict gives Keras’ output' above covers it.
      const rows = Array.from({ length: batch }, (_, b) => Array.from(f.x.data.slice(b * seq, (b + 1) * seq)));
      expect(rows.some((r) => r.some((v, s) => v === 0 && r.slice(0, s).some((u) => u !== 0) && r.slice(s).some((u) => u !== 0)))).toBe(true);
      // An all-masked sequence has no step to run: named.
      expect(() => model.predict(tensor(new Int32Array(batch * seq), [batch, seq]))).toThrow(/sequence 0 is masked at every step/);
      // Explicit lengths switch the derivation off: the same trailing-padded result.
      const trailing = Int32Array.from(f.x.data.slice(0, seq));
      const auto = model.predict(tensor(trailing, [1, seq]));
      const lengths = Int32Array.of(trailing.indexOf(0) === -1 ? seq : trailing.indexOf(0));
      const manual = model.predict(tensor(trailing, [1, seq]), { lengths });
      const width = f.output.shape[2]!;
      expect(Array.from(manual.data.subarray(0, lengths[0]! * width))).toEqual(Array.from(auto.data.subarray(0, lengths[0]! * width)));
    } finally {
      model.dispose();
    }
  });
});

describe('KerasSequential trains on what it predicts on', () => {
  it('fit on a mask_zero + go_backwards model: masks derived per batch, the loss falls; validationData is refused', async () => {
    const f = fixtures.find((x) => x.name === 'mask_go_backwards_simple_rnn')!;
    const model = await loadKeras(fileOf(DIR, f.name));
    try {
      expect(model).toBeInstanceOf(KerasSequential);
      expect((model as KerasSequential).reverseInput).toBe(true);
      model.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.05 }) });
      const x = input(f.x);
      const y = tensor(new Float32Array(f.output.data.length).fill(0.1), f.output.shape);
      const first = model.evaluate(x, y).loss;
      await model.fit(x, y, { epochs: 10, batchSize: 2, shuffle: true, validationSplit: 0.25 });
      expect(model.evaluate(x, y).loss).toBeLessThan(first);
      await expect(model.fit(x, y, { validationData: [x, y] })).rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringContaining('validationSplit') });
    } finally {
      model.dispose();
    }
  });
});

describe('valid Keras files the library cannot compute exactly: E_UNSUPPORTED naming the option', () => {
  const dir = new URL('./golden/interop/keras/unsupported/', import.meta.url);
  const cases = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { name: string; expect: string; mentions: string });
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const c of cases) {
    it(`${c.name} → ${c.expect} mentioning ${c.mentions}`, async () => {
      const error = await loadKeras(fileOf(dir, c.name)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WasmRnnError);
      expect((error as WasmRnnError).code).toBe(c.expect);
      expect((error as WasmRnnError).message).toContain(c.mentions);
    });
  }
});
