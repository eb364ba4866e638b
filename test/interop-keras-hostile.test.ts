/**
 * Hostile and malformed `.keras` files: every one gives a WasmRnnError (E_FORMAT, or
 * E_UNSUPPORTED for a valid construct we do not compute) naming the problem — never another
 * exception, a hang or a large allocation. Hand-made cases for each kind of damage, then
 * fast-check mutating valid files: their bytes (the zip and the HDF5 inside) and their config.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { WasmRnnError } from '../ts/index';
import { loadKeras } from '../ts/interop/keras';

const DIR = new URL('./golden/interop/keras/', import.meta.url);
const valid = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.keras`, DIR)));
const VALID = ['lstm_dense', 'bidirectional_sum_gru', 'mask_lstm_carry', 'simple_rnn_relu_nobias_layernorm'].map(valid);

/** Loads, disposing a model if the damage happened to be harmless; returns the error otherwise. */
async function outcome(bytes: Uint8Array): Promise<unknown> {
  try {
    (await loadKeras(bytes)).dispose();
    return undefined;
  } catch (e) {
    return e;
  }
}

function expectRefused(error: unknown, code: 'E_FORMAT' | 'E_UNSUPPORTED', mentions: RegExp): void {
  expect(error, 'a WasmRnnError').toBeInstanceOf(WasmRnnError);
  expect((error as WasmRnnError).code).toBe(code);
  expect((error as WasmRnnError).message).toMatch(mentions);
}

/** The archive again with config.json replaced (and the weights as they were). */
function withConfig(bytes: Uint8Array, edit: (config: Record<string, unknown>) => unknown): Uint8Array {
  const files = unzipSync(bytes);
  const config = JSON.parse(new TextDecoder().decode(files['config.json']));
  const edited = edit(config);
  return zipSync({ ...files, 'config.json': new TextEncoder().encode(typeof edited === 'string' ? edited : JSON.stringify(edited ?? config)) });
}

/** The first recurrent layer config of a Keras Sequential config. */
const recurrentOf = (config: Record<string, unknown>) => ((config.config as { layers: Array<{ class_name: string; config: Record<string, unknown> }> }).layers.find((l) => l.class_name === 'LSTM')!).config;

describe('malformed .keras files: typed errors naming the problem', () => {
  it('not a zip / a legacy .h5 model', async () => {
    expectRefused(await outcome(new TextEncoder().encode('{"class_name": "Sequential"}')), 'E_FORMAT', /not a zip archive/);
    expectRefused(await outcome(unzipSync(VALID[0]!)['model.weights.h5']!), 'E_FORMAT', /not a zip archive/);
  });

  it('truncated anywhere', async () => {
    const bytes = VALID[0]!;
    for (const keep of [10, 100, bytes.length >> 2, bytes.length >> 1, bytes.length - 30, bytes.length - 1]) {
      expectRefused(await outcome(bytes.subarray(0, keep)), 'E_FORMAT', /\.keras file|zip/);
    }
  });

  it('an archive without config.json or without weights', async () => {
    const files = unzipSync(VALID[0]!);
    expectRefused(await outcome(zipSync({ 'model.weights.h5': files['model.weights.h5']! })), 'E_FORMAT', /no config\.json/);
    expectRefused(await outcome(zipSync({ 'config.json': files['config.json']! })), 'E_FORMAT', /no model\.weights\.h5/);
  });

  it('bad JSON, and JSON of the wrong shape', async () => {
    expectRefused(await outcome(withConfig(VALID[0]!, () => '{"class_name": "Sequential", "config": {"layers": [')), 'E_FORMAT', /config\.json: not valid UTF-8 JSON/);
    expectRefused(await outcome(withConfig(VALID[0]!, () => ({ class_name: 'Sequential', config: { layers: 7 } }))), 'E_FORMAT', /layers must be a non-empty array/);
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => (recurrentOf(c).units = '4', c))), 'E_FORMAT', /units must be an integer/);
  });

  it('a config that does not match the weights (inconsistent shapes)', async () => {
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => (recurrentOf(c).units = 5, c))), 'E_FORMAT', /layers\/lstm\/cell\/vars\/0 has shape \[3,16\], the config implies \[3, 20\]/);
  });

  it('huge declared sizes are checked against the weights before anything is allocated', async () => {
    const before = process.memoryUsage().rss;
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => (recurrentOf(c).units = 1_000_000, c))), 'E_FORMAT', /the config implies/);
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => (recurrentOf(c).units = 2 ** 40, c))), 'E_FORMAT', /units must be an integer in 1\.\.=1048576/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
  });

  it('zip bombs: a huge declared size, an impossible ratio, a lying size', async () => {
    const bytes = VALID[0]!;
    // Declare config.json 4 GB uncompressed in its central directory entry.
    const bomb = bytes.slice();
    const view = new DataView(bomb.buffer);
    for (let at = bomb.length - 22; at >= 0; at--) {
      if (view.getUint32(at, true) !== 0x02014b50) continue;
      const name = new TextDecoder().decode(bomb.subarray(at + 46, at + 46 + view.getUint16(at + 28, true)));
      if (name === 'config.json') view.setUint32(at + 24, 0xfffffff0, true);
    }
    expectRefused(await outcome(bomb), 'E_FORMAT', /config\.json declares \d+ bytes uncompressed/);
    // A real deflate stream of 64 MB of zeros claiming more than deflate's ratio allows.
    const zeros = zipSync({ 'config.json': new Uint8Array(1 << 20), 'model.weights.h5': new Uint8Array(64) }, { level: 9 });
    const lying = zeros.slice();
    const lv = new DataView(lying.buffer);
    for (let at = lying.length - 22; at >= 0; at--) if (lv.getUint32(at, true) === 0x02014b50 && lv.getUint16(at + 28, true) === 11) lv.setUint32(at + 24, 900 << 20, true);
    expectRefused(await outcome(lying), 'E_FORMAT', /ratio|zip|declares/);
    // Declared smaller than it inflates to: inflated into the declared size only.
    const small = zeros.slice();
    const sv = new DataView(small.buffer);
    for (let at = small.length - 22; at >= 0; at--) if (sv.getUint32(at, true) === 0x02014b50 && sv.getUint16(at + 28, true) === 11) sv.setUint32(at + 24, 10, true);
    expectRefused(await outcome(small), 'E_FORMAT', /config\.json|zip/);
  });

  it('HDF5 that Keras does not write: compressed (filtered) datasets, integer weights — refused unread', async () => {
    const hostile = new URL('./golden/interop/keras/hostile/', import.meta.url);
    expectRefused(await outcome(new Uint8Array(readFileSync(new URL('compressed_weights.keras', hostile)))), 'E_UNSUPPORTED', /layers\/lstm\/cell\/vars\/0 is stored with HDF5 filters/);
    expectRefused(await outcome(new Uint8Array(readFileSync(new URL('int_weights.keras', hostile)))), 'E_UNSUPPORTED', /layers\/lstm\/cell\/vars\/0 has dtype "<i4"/);
  });

  it('valid but unsupported model types and layers', async () => {
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => ({ ...c, class_name: 'Functional' }))), 'E_UNSUPPORTED', /"Functional" models/);
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => (recurrentOf(c).activation = { class_name: 'MyActivation' }, c))), 'E_UNSUPPORTED', /MyActivation/);
    expectRefused(await outcome(withConfig(VALID[0]!, (c) => (recurrentOf(c).return_state = true, c))), 'E_UNSUPPORTED', /return_state/);
  });
});

describe('property: mutated .keras files never crash, hang or allocate', () => {
  const accepted = (e: unknown) => e === undefined || (e instanceof WasmRnnError && (e.code === 'E_FORMAT' || e.code === 'E_UNSUPPORTED'));

  it('random byte damage (zip structure and HDF5 alike)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(VALID.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        async (which, edits, cut) => {
          const bytes = VALID[which]!.slice();
          for (const [where, value] of edits) bytes[Math.min(bytes.length - 1, Math.floor(where * bytes.length))] = value;
          const damaged = cut === null ? bytes : bytes.subarray(0, Math.floor(cut * bytes.length));
          const e = await outcome(damaged);
          if (!accepted(e)) throw e;
        },
      ),
      { numRuns: 300, seed: 12, endOnFailure: true },
    );
  }, 120_000);

  it('damage inside model.weights.h5 (re-zipped, so the zip is intact)', async () => {
    const files = VALID.map((v) => unzipSync(v));
    await fc.assert(
      fc.asyncProperty(fc.nat(VALID.length - 1), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), async (which, edits) => {
        const h5 = files[which]!['model.weights.h5']!.slice();
        for (const [where, value] of edits) h5[Math.min(h5.length - 1, Math.floor(where * h5.length))] = value;
        const e = await outcome(zipSync({ ...files[which]!, 'model.weights.h5': h5 }));
        if (!accepted(e)) throw e;
      }),
      { numRuns: 300, seed: 13, endOnFailure: true },
    );
  }, 120_000);

  it('config values replaced by arbitrary JSON', async () => {
    const files = unzipSync(VALID[0]!);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    const paths: string[][] = [];
    const walk = (o: unknown, path: string[]) => {
      if (o === null || typeof o !== 'object') return paths.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, [...path, k]);
    };
    walk(config, []);
    await fc.assert(
      fc.asyncProperty(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 2 }), async (which, value) => {
        const copy = structuredClone(config);
        const path = paths[which]!;
        let at = copy as Record<string, unknown>;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
        at[path[path.length - 1]!] = value;
        const e = await outcome(zipSync({ ...files, 'config.json': new TextEncoder().encode(JSON.stringify(copy)) }));
        if (!accepted(e)) throw e;
      }),
      { numRuns: 300, seed: 14, endOnFailure: true },
    );
  }, 120_000);
});
