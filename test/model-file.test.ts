/**
 * Model files (safetensors) from outside: loadModel refuses every malformed or hostile file
 * with a WasmRnnError E_FORMAT that names the problem (never another error, never a large
 * allocation), a fuzz property over mutated valid files, and interoperability with Python's
 * `safetensors` (read our files; write files we read).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adam, Dense, Embedding, GRU, LSTM, Sequential, WasmRnnError, loadModel, memoryUsage, wasmMemoryBytes } from '../ts/index';
import { expectBitEqual, features, ids } from './helpers/model-kit';
import { cloneHeader, entries, join, split, withoutTensor } from './helpers/safetensors-craft';

function smallModel(): Sequential {
  return new Sequential([new Dense({ inputSize: 2, outputSize: 2 })], { seed: 1 });
}
function richModel(): Sequential {
  const m = new Sequential([new Embedding({ numEmbeddings: 5, embeddingDim: 3 }), new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 }), new Dense({ inputSize: 4, outputSize: 5 })], { seed: 2 });
  m.compile({ loss: { type: 'crossEntropy', labelSmoothing: 0.1 }, optimizer: new Adam({ lr: 0.01 }), clipGradNorm: 1 });
  return m;
}

let SMALL: Uint8Array;
let RICH: Uint8Array;
beforeAll(() => {
  const s = smallModel();
  SMALL = s.save();
  s.dispose();
  const r = richModel();
  RICH = r.save();
  r.dispose();
});

/** What loadModel did with a file: 'ok' (the model is disposed), or the WasmRnnError, or anything else thrown. */
async function outcome(bytes: Uint8Array | ArrayBuffer): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const m = await loadModel(bytes);
    m.dispose();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

async function expectFormatError(bytes: Uint8Array, message?: RegExp, what = 'file'): Promise<WasmRnnError> {
  const r = await outcome(bytes);
  if (r.ok) expect.fail(`${what}: loadModel accepted it`);
  const e = r.error;
  if (!(e instanceof WasmRnnError)) expect.fail(`${what}: expected WasmRnnError E_FORMAT, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  expect(e.code, `${what}: ${e.message}`).toBe('E_FORMAT');
  if (message) expect(e.message, what).toMatch(message);
  return e;
}

/** RICH with its header changed by `edit` (data unchanged). */
function editHeader(edit: (h: Record<string, Record<string, unknown>>) => void, base = () => RICH): Uint8Array {
  const { header, data } = split(base());
  const h = cloneHeader(header);
  edit(h);
  return join(h, data);
}
function editMetadata(edit: (m: Record<string, unknown>) => void): Uint8Array {
  return editHeader((h) => edit(h.__metadata__ as Record<string, unknown>));
}
function architecture(): Array<Record<string, unknown>> {
  return JSON.parse((split(RICH).header.__metadata__ as Record<string, string>).architecture!) as Array<Record<string, unknown>>;
}
function withArchitecture(arch: unknown): Uint8Array {
  return editMetadata((m) => {
    m.architecture = typeof arch === 'string' ? arch : JSON.stringify(arch);
  });
}

describe('8. hostile model files → E_FORMAT', () => {
  it('the valid files load (and a file inside a larger buffer at an odd offset, its ArrayBuffer, and a Node Buffer view)', async () => {
    const ref = richModel();
    const x = ids(3, [4, 2], 5);
    const m = await loadModel(RICH);
    expectBitEqual(m.predict(x).data, ref.predict(x).data);
    const big = new Uint8Array(RICH.length + 11);
    big.set(RICH, 3);
    const m2 = await loadModel(big.subarray(3, 3 + RICH.length));
    expectBitEqual(m2.predict(x).data, ref.predict(x).data);
    const m3 = await loadModel(RICH.slice().buffer);
    expectBitEqual(m3.predict(x).data, ref.predict(x).data);
    // A Node Buffer view at an offset (what readFileSync and Buffer.concat give): its slice() is
    // a view, not a copy.
    const buffer = Buffer.concat([Buffer.alloc(5), Buffer.from(RICH), Buffer.alloc(7)]).subarray(5, 5 + RICH.length);
    const m4 = await loadModel(buffer);
    expectBitEqual(m4.predict(x).data, ref.predict(x).data);
    for (const mm of [m, m2, m3, m4, ref]) mm.dispose();
    expect((await outcome(SMALL)).ok).toBe(true);
  });

  it('every proper prefix of a small valid file (all lengths 0..size−1) → E_FORMAT', async () => {
    expect(SMALL.length).toBeLessThan(2000);
    for (let n = 0; n < SMALL.length; n++) await expectFormatError(SMALL.subarray(0, n), undefined, `prefix of ${n} bytes`);
  });

  it('a sampled set of prefixes of a larger file, and the file with bytes appended → E_FORMAT', async () => {
    for (let n = 0; n < RICH.length; n += 37) await expectFormatError(RICH.subarray(0, n), undefined, `prefix of ${n} bytes`);
    await expectFormatError(RICH.subarray(0, RICH.length - 1), /cover|data/, 'one byte short');
    const longer = new Uint8Array(RICH.length + 4);
    longer.set(RICH);
    await expectFormatError(longer, /cover|data/, 'four extra bytes');
  });

  it('header length: larger than the file, 2^60, 2^64 − 1, and 0 → E_FORMAT at once (no allocation of that size)', async () => {
    const { header, data } = split(SMALL);
    const text = JSON.stringify(header);
    const before = wasmMemoryBytes();
    const t0 = performance.now();
    await expectFormatError(join(header, data, { declared: BigInt(text.length + data.length + 1) }), /truncated|header declares/, 'length + 1');
    await expectFormatError(join(header, data, { declared: 2n ** 60n }), /header declares/, '2^60');
    await expectFormatError(join(header, data, { declared: 2n ** 64n - 1n }), /header declares/, '2^64 − 1');
    await expectFormatError(join(header, data, { declared: 0n }), /JSON/, '0');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(wasmMemoryBytes()).toBe(before);
  });

  it('a header that is not JSON, not UTF-8, or not a JSON object → E_FORMAT', async () => {
    const data = split(SMALL).data;
    await expectFormatError(join('{"0.weight": {"dtype": "F32", ', data), /JSON/, 'cut JSON');
    await expectFormatError(join(undefined, data, { rawHeader: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }), /UTF-8|JSON/, 'invalid UTF-8');
    for (const v of ['[]', 'null', '42', '"model"', 'true']) await expectFormatError(join(v, data), /not a JSON object|__metadata__|format/, v);
  });

  it('tensor entries: unknown dtype (F16, F64, BF16), not an object, bad shape, bad offsets → E_FORMAT', async () => {
    const first = () => entries(split(RICH).header)[0]![0];
    for (const dtype of ['F16', 'F64', 'BF16', 'f32', 7]) {
      await expectFormatError(
        editHeader((h) => {
          h[first()]!.dtype = dtype;
        }),
        /dtype/,
        `dtype ${JSON.stringify(dtype)}`,
      );
    }
    // I32 is a safetensors dtype this reader knows, but not a parameter dtype.
    await expectFormatError(
      editHeader((h) => {
        h[first()]!.dtype = 'I32';
      }),
      /dtype/,
      'dtype I32',
    );
    await expectFormatError(editHeader((h) => void (h[first()] = 'x' as never)), /not an object/, 'entry is a string');
    await expectFormatError(editHeader((h) => void (h[first()] = null as never)), /not an object/, 'entry is null');
    for (const shape of [[-1, 3], [1.5, 2], '[5,3]', [2 ** 40, 2 ** 40], [1, 2, 3, 4, 5, 6, 7, 8, 9], null]) {
      await expectFormatError(
        editHeader((h) => {
          h[first()]!.shape = shape;
        }),
        /shape|bytes/,
        `shape ${JSON.stringify(shape)}`,
      );
    }
    for (const offsets of [[0], [0, 60, 120], [-4, 56], [0.5, 60.5], ['0', '60'], null, [60, 0]]) {
      await expectFormatError(
        editHeader((h) => {
          h[first()]!.data_offsets = offsets;
        }),
        /data_offsets|bytes/,
        `data_offsets ${JSON.stringify(offsets)}`,
      );
    }
  });

  it('shape and offsets that disagree, overlapping offsets, gaps, offsets past the end → E_FORMAT', async () => {
    const { header, data } = split(RICH);
    const list = entries(header);
    const [n0, e0] = list[0]!;
    const [n1] = list[1]!;
    // Shape/offsets mismatch: one row fewer in the shape.
    await expectFormatError(
      editHeader((h) => {
        (h[n0]!.shape as number[])[0] = e0.shape[0]! - 1;
      }),
      /needs \d+ bytes but data_offsets span/,
      'shape one row short',
    );
    // Overlap: the second tensor starts 4 bytes early and ends 4 bytes early.
    await expectFormatError(
      editHeader((h) => {
        const o = h[n1]!.data_offsets as number[];
        h[n1]!.data_offsets = [o[0]! - 4, o[1]! - 4];
      }),
      /overlapping|gap|cover/,
      'overlap',
    );
    // Two tensors on the same bytes.
    await expectFormatError(
      editHeader((h) => {
        h[n1]!.data_offsets = [...(h[n0]!.data_offsets as number[])];
        h[n1]!.shape = [...(h[n0]!.shape as number[])];
      }),
      /overlapping|gap|cover/,
      'aliasing',
    );
    // Gap: every tensor after the first moves 8 bytes on, with 8 more bytes of data.
    {
      const h = cloneHeader(header);
      for (const [name, e] of entries(h).slice(1)) (h[name] as { data_offsets: number[] }).data_offsets = [e.data_offsets[0] + 8, e.data_offsets[1] + 8];
      const more = new Uint8Array(data.length + 8);
      more.set(data.subarray(0, e0.data_offsets[1]), 0);
      more.set(data.subarray(e0.data_offsets[1]), e0.data_offsets[1] + 8);
      await expectFormatError(join(h, more), /overlapping or gapped/, 'gap');
    }
    // Past the end.
    await expectFormatError(
      editHeader((h) => {
        const last = entries(h).at(-1)!;
        h[last[0]]!.data_offsets = [last[1].data_offsets[0] + 4, last[1].data_offsets[1] + 4];
      }),
      /pass the end/,
      'past the end',
    );
    await expectFormatError(
      editHeader((h) => {
        h[n0]!.data_offsets = [2 ** 52, 2 ** 52 + e0.data_offsets[1]];
      }),
      /pass the end|overlapping|gap/,
      'far past the end',
    );
  });

  it('__metadata__: missing, not an object, a non-string value, no format, wrong format, wrong version → E_FORMAT', async () => {
    await expectFormatError(editHeader((h) => void delete h.__metadata__), /format/, 'no __metadata__');
    await expectFormatError(editHeader((h) => void (h.__metadata__ = [] as never)), /__metadata__/, '__metadata__ is an array');
    await expectFormatError(editHeader((h) => void (h.__metadata__ = 'wasm-rnn' as never)), /__metadata__/, '__metadata__ is a string');
    await expectFormatError(editMetadata((m) => void (m.seed = 2)), /__metadata__\.seed/, 'a number value');
    await expectFormatError(editMetadata((m) => void delete m.format), /format/, 'no format');
    await expectFormatError(editMetadata((m) => void (m.format = 'pt')), /format/, 'format "pt"');
    await expectFormatError(editMetadata((m) => void delete m.version), /version/, 'no version');
    await expectFormatError(editMetadata((m) => void (m.version = '2')), /version/, 'version "2"');
    await expectFormatError(editMetadata((m) => void (m.version = '1.0')), /version/, 'version "1.0"');
  });

  it('architecture: missing, not JSON, not an array, empty, with a non-object or untyped layer → E_FORMAT', async () => {
    await expectFormatError(editMetadata((m) => void delete m.architecture), /architecture/, 'missing');
    await expectFormatError(withArchitecture('[{"type":'), /architecture/, 'not JSON');
    for (const a of [{}, { type: 'Dense' }, 'Dense', 3, null, [], [null], [3], [{}], [{ type: 7 }]]) {
      await expectFormatError(withArchitecture(JSON.stringify(a)), /architecture/, `architecture ${JSON.stringify(a)}`);
    }
  });

  it('an architecture that cannot be built → E_FORMAT (mismatched sizes, unknown type, bad options, Embedding not first, batchFirst)', async () => {
    const arch = architecture();
    const cases: Array<[string, unknown]> = [
      ['Dense input size ≠ GRU output', arch.map((l, i) => (i === 2 ? { ...l, inputSize: 7 } : l))],
      ['unknown layer type', [...arch.slice(0, 2), { type: 'Conv2d', inputSize: 4, outputSize: 5 }]],
      ['GRU without hiddenSize', arch.map((l, i) => (i === 1 ? { ...l, hiddenSize: undefined } : l))],
      ['GRU hiddenSize as a string', arch.map((l, i) => (i === 1 ? { ...l, hiddenSize: '4' } : l))],
      ['GRU hiddenSize 0', arch.map((l, i) => (i === 1 ? { ...l, hiddenSize: 0 } : l))],
      ['GRU bidirectional "yes"', arch.map((l, i) => (i === 1 ? { ...l, bidirectional: 'yes' } : l))],
      ['GRU batchFirst', arch.map((l, i) => (i === 1 ? { ...l, batchFirst: true } : l))],
      ['GRU dropout 2', arch.map((l, i) => (i === 1 ? { ...l, dropout: 2 } : l))],
      ['Embedding not first', [arch[2], arch[0], arch[1]]],
      ['Dropout p "0.5"', [...arch, { type: 'Dropout', p: '0.5' }]],
      ['LayerNorm eps −1', [...arch, { type: 'LayerNorm', normalizedShape: 5, eps: -1, elementwiseAffine: true }]],
      ['Dense outputSize 2^21', arch.map((l, i) => (i === 2 ? { ...l, outputSize: 2 ** 21 } : l))],
    ];
    for (const [what, a] of cases) await expectFormatError(withArchitecture(a), /architecture|tensors|layer type/, what);
  });

  it('tensors that do not fit the architecture: one missing, one extra, one of the wrong shape (same size) → E_FORMAT', async () => {
    const names = entries(split(RICH).header).map(([n]) => n);
    await expectFormatError(withoutTensor(RICH, names.at(-1)!), /tensors do not fit|missing/, `without ${names.at(-1)}`);
    await expectFormatError(withoutTensor(RICH, names[0]!), /tensors do not fit|missing/, `without ${names[0]}`);
    // An extra tensor "9.weight" of 4 floats at the end.
    {
      const { header, data } = split(RICH);
      const h = cloneHeader(header);
      h['9.weight'] = { dtype: 'F32', shape: [4], data_offsets: [data.length, data.length + 16] };
      const more = new Uint8Array(data.length + 16);
      more.set(data);
      await expectFormatError(join(h, more), /tensors do not fit|unknown/, 'extra tensor');
    }
    // The Dense weight [5, 4] declared as [4, 5].
    await expectFormatError(
      editHeader((h) => {
        h['2.weight']!.shape = [4, 5];
      }),
      /tensors do not fit|shape/,
      'transposed weight',
    );
    // The Dense bias declared as [5, 1].
    await expectFormatError(
      editHeader((h) => {
        h['2.bias']!.shape = [5, 1];
      }),
      /tensors do not fit|shape/,
      'bias of rank 2',
    );
  });

  it('compile settings: not JSON, not an object, no optimizer, null optimizer, unknown optimizer, bad hyperparameters, unknown loss → E_FORMAT', async () => {
    const compile = JSON.parse((split(RICH).header.__metadata__ as Record<string, string>).compile!) as Record<string, unknown>;
    const cases: Array<[string, string]> = [
      ['not JSON', '{"loss":'],
      ['null', 'null'],
      ['a number', '3'],
      ['no optimizer', JSON.stringify({ ...compile, optimizer: undefined })],
      ['no loss', JSON.stringify({ ...compile, loss: undefined })],
      ['optimizer null', JSON.stringify({ ...compile, optimizer: null })],
      ['optimizer a string', JSON.stringify({ ...compile, optimizer: 'Adam' })],
      ['unknown optimizer', JSON.stringify({ ...compile, optimizer: { type: 'Adagrad', lr: 0.1 } })],
      ['negative lr', JSON.stringify({ ...compile, optimizer: { ...(compile.optimizer as object), lr: -1 } })],
      ['unknown loss', JSON.stringify({ ...compile, loss: { type: 'hinge' } })],
      ['loss null', JSON.stringify({ ...compile, loss: null })],
      ['clipGradNorm −1', JSON.stringify({ ...compile, clipGradNorm: -1 })],
    ];
    const wrong: string[] = [];
    for (const [what, text] of cases) {
      const r = await outcome(
        editMetadata((m) => {
          m.compile = text;
        }),
      );
      if (r.ok) wrong.push(`${what}: loaded`);
      else if (!(r.error instanceof WasmRnnError) || r.error.code !== 'E_FORMAT') wrong.push(`${what}: ${r.error instanceof Error ? `${r.error.name}: ${r.error.message}` : String(r.error)}`);
      else if (!/compile|model file/.test(r.error.message)) wrong.push(`${what}: message ${r.error.message}`);
    }
    expect(wrong).toEqual([]);
  });

  it('not bytes at all → a WasmRnnError (E_ARGUMENT or E_FORMAT), never a TypeError', async () => {
    for (const v of [null, undefined, 'wasm-rnn', 42, {}, [1, 2, 3], new Float32Array(4)]) {
      const r = await outcome(v as never);
      expect(r.ok).toBe(false);
      const e = (r as { error: unknown }).error;
      expect(e, `loadModel(${String(v)})`).toBeInstanceOf(WasmRnnError);
      expect(['E_ARGUMENT', 'E_FORMAT']).toContain((e as WasmRnnError).code);
    }
  });

  it('a tiny file whose architecture asks for a huge model (Dense 1048576 → 16, no tensors) is refused without growing wasm memory by more than 16 MB', async () => {
    const file = join({ __metadata__: { format: 'wasm-rnn', version: '1', architecture: JSON.stringify([{ type: 'Dense', inputSize: 1048576, outputSize: 16, bias: true }]) } }, new Uint8Array(0));
    expect(file.length).toBeLessThan(200);
    const before = wasmMemoryBytes();
    await expectFormatError(file, /tensors|architecture/, 'huge architecture');
    const grown = wasmMemoryBytes() - before;
    expect(grown, `wasm memory grew by ${grown} bytes for a ${file.length}-byte file`).toBeLessThanOrEqual(16 << 20);
  });

  it('loadModel frees what it allocates: after the loaded model is disposed, and after a rejected file, memoryUsage().bytesInUse is back where it was', async () => {
    const noOptimizer = editMetadata((m) => {
      m.compile = JSON.stringify({ loss: { type: 'mse', delta: 1, ignoreIndex: -100, labelSmoothing: 0 } });
    });
    const missing = withoutTensor(RICH, '2.bias');
    const cases: Array<[string, Uint8Array]> = [
      ['a valid file (the model disposed after loading)', RICH],
      ['a file missing a tensor', missing],
      ['a file whose compile settings lack the optimizer', noOptimizer],
    ];
    const leaks: string[] = [];
    for (const [what, file] of cases) {
      await outcome(file); // warm-up: one-time allocations do not count
      const before = memoryUsage().bytesInUse;
      await outcome(file);
      const after = memoryUsage().bytesInUse;
      if (after - before > 256) leaks.push(`${what}: ${after - before} bytes still in use`);
    }
    expect(leaks).toEqual([]);
  });

  it('fuzz: byte flips, truncations, length edits and header value edits of a valid file either load or give E_FORMAT, nothing else', async () => {
    const { header } = split(RICH);
    const headerEnd = 8 + JSON.stringify(header).length;
    const value = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.double({ noDefaultInfinity: false }), fc.string({ maxLength: 6 }), fc.constant(null), fc.boolean(), fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 4 }), fc.constant({}));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }), inHeader: fc.boolean() }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('length' as const), delta: fc.integer({ min: -64, max: 64 }) }),
      fc.record({ kind: fc.constant('value' as const), entry: fc.nat(), field: fc.nat(), value }),
      fc.record({ kind: fc.constant('meta' as const), key: fc.constantFrom('format', 'version', 'architecture', 'seed', 'compile'), value }),
      fc.record({ kind: fc.constant('layer' as const), layer: fc.nat(), field: fc.nat(), value }),
      fc.record({ kind: fc.constant('compile' as const), field: fc.constantFrom('loss', 'optimizer', 'clipGradNorm', 'clipGradValue'), sub: fc.option(fc.constantFrom('type', 'lr', 'betas', 'eps', 'labelSmoothing', 'ignoreIndex')), value }),
    );
    type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
    const apply = (m: Mutation): Uint8Array => {
      switch (m.kind) {
        case 'flip': {
          const out = RICH.slice();
          const at = m.inHeader ? 8 + (m.at % (headerEnd - 8)) : m.at % out.length;
          out[at]! ^= 1 << m.bit;
          return out;
        }
        case 'truncate':
          return RICH.slice(0, m.at % RICH.length);
        case 'length': {
          const out = RICH.slice();
          const view = new DataView(out.buffer);
          view.setBigUint64(0, BigInt(Math.max(0, Number(view.getBigUint64(0, true)) + m.delta)), true);
          return out;
        }
        case 'value':
          return editHeader((h) => {
            const list = entries(h);
            const [name, e] = list[m.entry % list.length]!;
            const fields = Object.keys(e);
            (h[name] as Record<string, unknown>)[fields[m.field % fields.length]!] = m.value;
          });
        case 'meta':
          return editMetadata((meta) => {
            meta[m.key] = m.value;
          });
        case 'layer': {
          const arch = architecture();
          const layer = arch[m.layer % arch.length]!;
          const fields = Object.keys(layer);
          layer[fields[m.field % fields.length]!] = m.value;
          return withArchitecture(arch);
        }
        case 'compile':
          return editMetadata((meta) => {
            const c = JSON.parse(meta.compile as string) as Record<string, unknown>;
            const target = c[m.field];
            if (m.sub !== null && target !== null && typeof target === 'object') (target as Record<string, unknown>)[m.sub] = m.value;
            else c[m.field] = m.value;
            meta.compile = JSON.stringify(c);
          });
      }
    };
    const before = wasmMemoryBytes();
    const t0 = performance.now();
    const seen = { loaded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const r = await outcome(apply(m));
        seen[r.ok ? 'loaded' : 'refused']++;
        if (r.ok) return;
        const e = r.error;
        if (!(e instanceof WasmRnnError)) throw new Error(`${JSON.stringify(m)}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        if (e.code !== 'E_FORMAT') throw new Error(`${JSON.stringify(m)}: ${e.code}: ${e.message}`);
      }),
      { numRuns: 3000, seed: 20240901, interruptAfterTimeLimit: 9000 },
    );
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(wasmMemoryBytes() - before).toBeLessThanOrEqual(16 << 20);
    // Both outcomes occur: the mutations reach past the first check.
    expect(seen.loaded, JSON.stringify(seen)).toBeGreaterThan(50);
    expect(seen.refused, JSON.stringify(seen)).toBeGreaterThan(500);
  });
});

// ---------------------------------------------------------------------------------------------
// 9. Python's safetensors reads our files and writes files we read

/** A Python that imports safetensors.numpy: /usr/bin/python3, the pyenv python3, or the latter after pip install. */
function findPython(): { python?: string; why: string } {
  const candidates = ['/usr/bin/python3', 'python3'];
  const works = (py: string) => spawnSync(py, ['-c', 'import safetensors.numpy, numpy'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  for (const py of candidates) if (works(py)) return { python: py, why: '' };
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'safetensors', 'numpy'], { encoding: 'utf8', timeout: 240_000 });
  if (works('python3')) return { python: 'python3', why: '' };
  return { why: `neither /usr/bin/python3 nor python3 imports safetensors.numpy, and "python3 -m pip install safetensors numpy" failed (status ${pip.status}): ${(pip.stderr ?? '').slice(-500)}` };
}

const READ_PY = `
import json, sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file
path = sys.argv[1]
tensors = load_file(path)
with safe_open(path, framework="np") as f:
    meta = f.metadata()
    keys = list(f.keys())
print(json.dumps({
    "keys": keys,
    "metadata": meta,
    "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.astype(np.float64).ravel().tolist()} for k, v in tensors.items()},
}))
`;

const WRITE_PY = `
import json, sys
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
src, dst = sys.argv[1], sys.argv[2]
with safe_open(src, framework="np") as f:
    meta = f.metadata()
tensors = load_file(src)
# Reverse the values of every tensor so the written file is not a byte copy of ours.
save_file({k: v[::-1].copy() if v.ndim == 1 else v for k, v in tensors.items()}, dst, metadata=meta)
`;

describe('9. interoperability with Python safetensors', () => {
  let python: string | undefined;
  let why = '';
  let dir = '';
  beforeAll(() => {
    ({ python, why } = findPython());
    dir = mkdtempSync(joinPath(tmpdir(), 'wasm-rnn-st-'));
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('safetensors.numpy reads a saved model: the same names (in order), shapes, F32 values and metadata (format, version, architecture, compile)', async (ctx) => {
    if (python === undefined) {
      console.warn(`skipping the Python safetensors check: ${why}`);
      ctx.skip();
      return;
    }
    const m = new Sequential([new Embedding({ numEmbeddings: 6, embeddingDim: 3 }), new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, projSize: 2 }), new Dense({ inputSize: 2, outputSize: 6 })], { seed: 9 });
    m.compile({ loss: 'crossEntropy', optimizer: new Adam({ lr: 0.003 }) });
    const file = joinPath(dir, 'model.safetensors');
    writeFileSync(file, m.save());
    const out = JSON.parse(execFileSync(python, ['-c', READ_PY, file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as {
      keys: string[];
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };
    const dict = m.stateDict();
    expect(out.keys.slice().sort()).toEqual(m.parameterNames().slice().sort());
    for (const name of m.parameterNames()) {
      const t = out.tensors[name]!;
      expect(t.dtype, name).toBe('float32');
      expect(t.shape, name).toEqual(dict[name]!.shape);
      expect(t.values, name).toEqual(Array.from(dict[name]!.data));
    }
    expect(out.metadata.format).toBe('wasm-rnn');
    expect(out.metadata.version).toBe('1');
    expect(JSON.parse(out.metadata.architecture!)).toEqual(m.config);
    expect(JSON.parse(out.metadata.compile!).optimizer).toEqual(m.compiled!.optimizer.toJSON());
    m.dispose();
  });

  it('loadModel reads a file written by safetensors.numpy.save_file (its own layout and header)', async (ctx) => {
    if (python === undefined) {
      console.warn(`skipping the Python safetensors check: ${why}`);
      ctx.skip();
      return;
    }
    const m = new Sequential([new Dense({ inputSize: 3, outputSize: 5 }), new GRU({ inputSize: 5, hiddenSize: 4 }), new Dense({ inputSize: 4, outputSize: 2 })], { seed: 10 });
    const src = joinPath(dir, 'ours.safetensors');
    const dst = joinPath(dir, 'python.safetensors');
    writeFileSync(src, m.save());
    execFileSync(python, ['-c', WRITE_PY, src, dst]);
    const bytes = new Uint8Array(readFileSync(dst));
    const loaded = await loadModel(bytes);
    const dict = m.stateDict();
    const got = loaded.stateDict();
    for (const name of m.parameterNames()) {
      const want = dict[name]!.shape.length === 1 ? Float32Array.from(dict[name]!.data).reverse() : dict[name]!.data;
      expectBitEqual(got[name]!.data, want, name);
    }
    // With the 1-D tensors reversed back, it predicts as the original.
    loaded.loadStateDict(dict);
    const x = features(4, [3, 2, 3]);
    expectBitEqual(loaded.predict(x).data, m.predict(x).data);
    m.dispose();
    loaded.dispose();
  });
});
