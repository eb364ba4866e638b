/**
 * PyTorch interop against PyTorch itself. test/golden/interop_generate.py (torch part) saved
 * nn.Sequential models of every recurrent option with python/wasm_rnn_torch.py (model files)
 * and with safetensors.torch.save_file (plain state dicts), and their float64 outputs and
 * gradients (Activation modules, final states and merge modes included). Here:
 *   loadModel(file) and fromSafetensors(stateDict, architecture) give PyTorch's output within
 *     1e-5 (scaled by max(1, max|reference|)), in the model's layout (batch_first included);
 *   one trainStep (MSE, SGD lr = 1: the update is the gradient) gives PyTorch's loss and
 *     gradients, where the model has no dropout;
 *   export: model.save() → python/wasm_rnn_torch.py load_model → PyTorch gives our output
 *     (run when /usr/bin/python3 has torch; skipped, and said so, otherwise);
 *   state dicts that do not fit are E_FORMAT naming the tensor.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SGD, WasmRnnError, fromSafetensors, loadModel, tensor } from '../ts/index';
import { ACTIVATION_TYPES } from '../ts/model/layers';
import { expectScaledClose } from './helpers/compare';
import { type FixtureTensor, fixtureInput as input, sgdStepGradients } from './helpers/interop-fixture';

const DIR = new URL('./golden/interop/torch/', import.meta.url);
const HELPER = fileURLToPath(new URL('../python/wasm_rnn_torch.py', import.meta.url));
const TOL = 1e-5;

interface TorchFixture {
  name: string;
  architecture: Array<{ type: string } & Record<string, unknown>>;
  batchFirst: boolean;
  x: FixtureTensor;
  output: FixtureTensor;
  train: { y: FixtureTensor; loss: number; grads: Record<string, FixtureTensor> } | null;
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as TorchFixture);
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));

const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) => expectScaledClose(actual, expected, TOL, what);

/** /usr/bin/python3 (Debian's, with torch) if it can run the helper here. */
const python = (() => {
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(exe, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return exe;
  }
  return undefined;
})();

describe('PyTorch models load with PyTorch’s numbers', () => {
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(11));

  it('they cover every Activation type, final states and every merge mode (so both directions test them)', () => {
    const layers = fixtures.flatMap((f) => f.architecture);
    expect([...new Set(layers.filter((c) => c.type === 'Activation').map((c) => c.activation))].sort()).toEqual([...ACTIVATION_TYPES].sort());
    expect([...new Set(layers.filter((c) => c.bidirectional === true).map((c) => c.mergeMode ?? 'concat'))].sort()).toEqual(['ave', 'concat', 'mul', 'sum']);
    expect(layers.some((c) => c.finalStates === true && c.bidirectional === true && (c.numLayers as number) > 1)).toBe(true);
  });

  for (const f of fixtures) {
    describe(f.name, () => {
      it('loadModel(helper’s file) predicts PyTorch’s output', async () => {
        const model = await loadModel(bytesOf(`${f.name}.wasmrnn`));
        try {
          expect(model.batchFirst).toBe(f.batchFirst);
          expect(model.config.map((c) => c.type)).toEqual(f.architecture.map((c) => c.type));
          const out = model.predict(input(f.x));
          expect(out.shape).toEqual(f.output.shape);
          expectClose(out.data, f.output.data, 'output');
        } finally {
          model.dispose();
        }
      });

      it('fromSafetensors(save_file state dict, architecture) predicts the same', async () => {
        const model = await fromSafetensors(bytesOf(`${f.name}.safetensors`), f.architecture, { batchFirst: f.batchFirst });
        try {
          expectClose(model.predict(input(f.x)).data, f.output.data, 'output');
        } finally {
          model.dispose();
        }
      });

      if (f.train !== null) {
        it('one trainStep gives PyTorch’s loss and gradients', async () => {
          const model = await loadModel(bytesOf(`${f.name}.wasmrnn`));
          try {
            const { loss, gradients } = sgdStepGradients(model, f.x, f.train!.y);
            expectClose([loss], [f.train!.loss], 'loss');
            expect(Object.keys(f.train!.grads).sort()).toEqual(Object.keys(gradients).sort());
            for (const [name, g] of Object.entries(f.train!.grads)) expectClose(gradients[name]!, g.data, `gradient of ${name}`);
          } finally {
            model.dispose();
          }
        });
      }
    });
  }
});

describe('export: model.save() → python/wasm_rnn_torch.py → PyTorch', () => {
  it.skipIf(python === undefined)('PyTorch gives our outputs for every fixture’s model after a training step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-export-'));
    try {
      const expected: Record<string, { x: FixtureTensor; output: number[]; shape: number[] }> = {};
      for (const f of fixtures) {
        const model = await loadModel(bytesOf(`${f.name}.wasmrnn`));
        // Change the weights first, so PyTorch cannot pass by reading the fixture's own file.
        model.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.1 }) });
        const out0 = model.predict(input(f.x));
        model.trainStep(input(f.x), tensor(new Float32Array(out0.data.length).fill(0.5), out0.shape));
        const out = model.predict(input(f.x));
        writeFileSync(join(dir, `${f.name}.wasmrnn`), model.save());
        expected[f.name] = { x: f.x, output: Array.from(out.data), shape: out.shape };
        model.dispose();
      }
      writeFileSync(join(dir, 'inputs.json'), JSON.stringify(expected));
      const script = [
        'import json, sys, torch',
        `sys.path.insert(0, ${JSON.stringify(join(HELPER, '..'))})`,
        'from wasm_rnn_torch import load_model',
        `d = ${JSON.stringify(dir)}`,
        'cases = json.load(open(d + "/inputs.json"))',
        'res = {}',
        'for name, c in cases.items():',
        '    m = load_model(f"{d}/{name}.wasmrnn").double()',
        '    x = torch.tensor(c["x"]["data"]).reshape(c["x"]["shape"])',
        '    x = x.long() if c["x"]["dtype"] == "int32" else x.double()',
        '    with torch.no_grad(): y = m(x)',
        '    res[name] = {"shape": list(y.shape), "data": y.flatten().tolist()}',
        'print(json.dumps(res))',
      ].join('\n');
      const run = spawnSync(python!, ['-c', script], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
      expect(run.status, run.stderr).toBe(0);
      const got = JSON.parse(run.stdout) as Record<string, { shape: number[]; data: number[] }>;
      for (const [name, e] of Object.entries(expected)) {
        expect(got[name]!.shape, name).toEqual(e.shape);
        expectClose(e.output, got[name]!.data, `${name}: our output vs PyTorch's on our saved file`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it.runIf(python === undefined)('(skipped: no python3 with torch here; the import direction above still runs)', () => undefined);
});

describe('state dicts that do not fit: E_FORMAT naming the tensor', () => {
  const f = fixtures.find((x) => x.name === 'rnn_tanh_bi_layernorm')!;

  it('another architecture', async () => {
    const other = f.architecture.map((c) => (c.type === 'Dense' ? { ...c, outputSize: 3 } : c));
    await expect(fromSafetensors(bytesOf(`${f.name}.safetensors`), other)).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringMatching(/2\.(weight|bias)/) });
  });

  it('a missing layer', async () => {
    await expect(fromSafetensors(bytesOf(`${f.name}.safetensors`), f.architecture.slice(0, 2))).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringContaining('2.weight') });
  });

  it('float64 tensors (save_file of a .double() model)', async () => {
    const header = new TextEncoder().encode(JSON.stringify({ '0.weight': { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }));
    const file = new Uint8Array(8 + header.length + 8);
    new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
    file.set(header, 8);
    const error = await fromSafetensors(file, f.architecture).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WasmRnnError);
    expect(error).toMatchObject({ code: 'E_FORMAT', message: expect.stringContaining('F64') });
  });

  it('a truncated file', async () => {
    const bytes = bytesOf(`${f.name}.safetensors`);
    await expect(fromSafetensors(bytes.subarray(0, bytes.length - 3), f.architecture)).rejects.toMatchObject({ code: 'E_FORMAT' });
  });

  it('property: mutated PyTorch safetensors files load or give E_FORMAT, nothing else', async () => {
    const bytes = bytesOf(`${f.name}.safetensors`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.option(fc.nat(bytes.length)), async (edits, cut) => {
        const damaged = bytes.slice(0, cut ?? bytes.length);
        for (const [at, value] of edits) if (at < damaged.length) damaged[at] = value;
        const outcome = await fromSafetensors(damaged, f.architecture).then(
          (m) => m.dispose(),
          (e: unknown) => e,
        );
        if (outcome !== undefined && !(outcome instanceof WasmRnnError && outcome.code === 'E_FORMAT')) throw outcome;
      }),
      { numRuns: 300, seed: 21, endOnFailure: true },
    );
  }, 60_000);
});
