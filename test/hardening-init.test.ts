/**
 * Hardening of init() and of the tensor constructors/checks (adversarial findings 8 and 10).
 *
 * init() loads the wasm once per module graph, and test/setup.ts has already done that for the
 * graph this file imports statically. Every test that exercises a load therefore starts from a
 * fresh graph: `vi.resetModules()` and a dynamic import re-evaluate ts/index.ts and everything it
 * imports, including the shared wasm-bindgen glue (ts/generated/glue.js, one instance per variant),
 * whose module-level state is what a bad load used to poison. Errors of a fresh graph are
 * instances of that graph's WasmRnnError class, so they are checked by name and code.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import binaryen from 'binaryen';
import { describe, expect, it, vi } from 'vitest';
import type { Variant } from '../ts/backend/init';
import * as main from '../ts/index';
import { checkTensor } from '../ts/tensor';

type Lib = typeof import('../ts/index');

const VARIANT = (process.env.WASM_RNN_VARIANT || main.loadedVariant()) as Variant;
/** A build this engine can run that is not the one under test (scalar runs everywhere). */
const OTHER: Variant = VARIANT === 'scalar' ? 'simd' : 'scalar';
/** `\0asm` + version 1: a valid, empty module (the tester's input). */
const EMPTY_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

const wasmPath = (variant: Variant) => fileURLToPath(new URL(`../ts/generated/${variant}/wasm_rnn_bg.wasm`, import.meta.url));
const packagedBytes = (variant: Variant) => new Uint8Array(readFileSync(wasmPath(variant)));

/** A fresh copy of the library (and of the glue modules): nothing loaded yet. */
async function fresh(): Promise<Lib> {
  vi.resetModules();
  const lib = (await import('../ts/index')) as Lib;
  expect(lib.loadedVariant()).toBeUndefined();
  return lib;
}

interface CodedError extends Error {
  code: string;
  cause?: unknown;
}

/** Awaits a rejection and checks it is a WasmRnnError with `code` whose message holds `parts`. */
async function rejection(promise: Promise<unknown>, code: string, ...parts: string[]): Promise<CodedError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a rejection with ${code}, resolved ${JSON.stringify(value)}`);
    },
    (e: unknown) => e as CodedError,
  );
  expect(error?.name, String(error)).toBe('WasmRnnError');
  expect(error.code, error.message).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}

function thrown(fn: () => unknown, code: string, ...parts: string[]): CodedError {
  let error: CodedError | undefined;
  try {
    fn();
  } catch (e) {
    error = e as CodedError;
  }
  expect(error, `expected ${code}`).toBeDefined();
  expect(error!.name, String(error)).toBe('WasmRnnError');
  expect(error!.code, error!.message).toBe(code);
  for (const part of parts) expect(error!.message).toContain(part);
  return error!;
}

const X = new Float32Array(2 * 3 * 4).map((_, i) => Math.sin(i * 0.7));

/** One GRU forward + backward with fixed weights: the numbers a working instance must give. */
function run(lib: Lib, x: Float32Array = X): Float32Array[] {
  const gru = new lib.GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 7 });
  try {
    const { output, hN } = gru.forward(lib.tensor(x, [2, 3, 4]), { training: true });
    const g = gru.backward({ output: lib.tensor(new Float32Array(output.data.length).fill(0.25), output.shape) });
    return [output.data, hN.data, g.input.data, g.params.weight_hh_l1_reverse!.data];
  } finally {
    gru.dispose();
  }
}

/** The same numbers from the setup's instance (loaded variant VARIANT). */
const reference = () => run(main);

function expectBitEqual(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(new Uint32Array(a.buffer, a.byteOffset, a.length)).toEqual(new Uint32Array(expected[i]!.buffer, expected[i]!.byteOffset, expected[i]!.length)));
}

/** Exports and imports of the packaged module of `variant`. */
function packagedInterface(variant: Variant) {
  const module = new WebAssembly.Module(packagedBytes(variant));
  return { exports: WebAssembly.Module.exports(module), imports: WebAssembly.Module.imports(module) };
}

/**
 * The API functions of the packaged module of `variant` (wasm-rnn's own exports, not
 * wasm-bindgen's `__…` runtime ones), taken from the module so the tests follow rebuilds.
 */
function apiFunctions(variant: Variant): string[] {
  const names = packagedInterface(variant).exports.filter((e) => e.kind === 'function' && !e.name.startsWith('__') && e.name !== 'lane_impl').map((e) => e.name);
  expect(names.length).toBeGreaterThan(3);
  return names;
}

/** Whether two packaged builds have the same interface (not so while only one was rebuilt). */
function sameInterface(a: Variant, b: Variant): boolean {
  const names = (v: Variant) => JSON.stringify(packagedInterface(v).exports.map((e) => `${e.kind} ${e.name}`).sort());
  return names(a) === names(b);
}

/** What a packaged module says it is (its `lane_impl()`), read from a throwaway instance. */
function laneImpl(variant: Variant): string {
  const module = new WebAssembly.Module(packagedBytes(variant));
  const imports: Record<string, Record<string, () => void>> = {};
  for (const i of WebAssembly.Module.imports(module)) (imports[i.module] ??= {})[i.name] = () => {};
  const e = new WebAssembly.Instance(module, imports).exports as { lane_impl: () => [number, number]; memory: WebAssembly.Memory };
  const [ptr, len] = e.lane_impl();
  return new TextDecoder().decode(new Uint8Array(e.memory.buffer, ptr, len));
}

/**
 * A module with every export of the packaged `variant` module (names and kinds taken from it),
 * whose `lane_impl` reports that variant and whose `__wbindgen_start` calls the glue's
 * externref-table initialisation, but whose table has 1 slot instead of the >1024 the glue's
 * initialisation writes to. It instantiates, and its start function works on its own, but the
 * glue's own start-up throws (RangeError) after the glue has stored the instance's exports:
 * the failure mode that leaves a wasm-bindgen glue holding a broken instance.
 */
function moduleFailingInsideGlue(variant: Variant): Uint8Array {
  const { exports, imports } = packagedInterface(variant);
  const tableInit = imports.find((i) => i.name.includes('init_externref_table'));
  expect(tableInit, 'the packaged module imports the externref table initialisation').toBeDefined();
  const lane = laneImpl(variant);
  const fields = exports.map(({ name, kind }) => {
    const quoted = JSON.stringify(name);
    switch (kind) {
      case 'memory':
        return `(memory (export ${quoted}) 1)`;
      case 'table':
        return `(table (export ${quoted}) 1 externref)`;
      case 'global':
        return `(global (export ${quoted}) i32 (i32.const 0))`;
      default:
        if (name === 'lane_impl') return `(func (export ${quoted}) (result i32 i32) (i32.const 16) (i32.const ${lane.length}))`;
        if (name === '__wbindgen_start') return `(func (export ${quoted}) (call $table_init))`;
        return `(func (export ${quoted}) unreachable)`;
    }
  });
  const wat = `(module
    (import ${JSON.stringify(tableInit!.module)} ${JSON.stringify(tableInit!.name)} (func $table_init))
    ${fields.join('\n    ')}
    (data (i32.const 16) ${JSON.stringify(lane)}))`;
  const module = binaryen.parseText(wat);
  try {
    module.setFeatures(binaryen.Features.All);
    expect(module.validate()).toBeTruthy();
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

describe('init() after a bad module (finding 8)', () => {
  it('the packaged module of every variant has the interface the glue needs and reports its own variant', async () => {
    // The acceptance side of the check: none of the packaged builds may be refused, labelled
    // correctly, and the lane_impl strings map to the directory they come from.
    const lib = await fresh();
    expect(await lib.init({ variant: VARIANT, wasm: packagedBytes(VARIANT) })).toEqual({ variant: VARIANT });
    expectBitEqual(run(lib), reference());
    for (const v of (['relaxed', 'simd', 'scalar'] as const).filter((v) => WebAssembly.validate(packagedBytes(v)))) {
      const lane = laneImpl(v);
      expect(lane.includes('relaxed') ? 'relaxed' : lane.includes('simd') ? 'simd' : 'scalar').toBe(v);
    }
  });

  it('the exports required of a module are derived from each glue and are exactly the packaged interface', async () => {
    const { glueExports } = await import('../ts/backend/module-check');
    const { createGlue } = await import('../ts/generated/glue.js');
    const glues = { relaxed: createGlue(), simd: createGlue(), scalar: createGlue() };
    for (const v of (['relaxed', 'simd', 'scalar'] as const).filter((v) => WebAssembly.validate(packagedBytes(v)))) {
      const needs = glueExports(glues[v]);
      // Globals (__abort_handler, __instance_terminated) are exported but never read by the glue.
      const packaged = packagedInterface(v).exports.filter((e) => e.kind !== 'global');
      expect([...needs.keys()].sort(), v).toEqual(packaged.map((e) => e.name).sort());
      for (const { name, kind } of packaged) expect([undefined, kind], `${v} ${name}`).toContain(needs.get(name));
      for (const name of apiFunctions(v)) expect(needs.get(name), `${v} ${name}`).toBe('function');
      expect(needs.get('memory')).toBe('memory');
    }
  });

  it('a module the glue cannot link (an import it does not provide) → E_WASM_LOAD naming it; the glue stays usable', async () => {
    const lib = await fresh();
    const { exports } = packagedInterface(VARIANT);
    const lane = laneImpl(VARIANT);
    const fields = exports.map(({ name, kind }) =>
      kind === 'memory' ? `(memory (export "${name}") 1)`
      : kind === 'table' ? `(table (export "${name}") 1 externref)`
      : kind === 'global' ? `(global (export "${name}") i32 (i32.const 0))`
      : name === 'lane_impl' ? `(func (export "${name}") (result i32 i32) (i32.const 16) (i32.const ${lane.length}))`
      : name === '__wbindgen_start' ? `(func (export "${name}"))`
      : `(func (export "${name}") unreachable)`);
    const m = binaryen.parseText(`(module (import "./wasm_rnn_bg.js" "__wbg_not_in_the_glue" (func)) ${fields.join(' ')} (data (i32.const 16) ${JSON.stringify(lane)}))`);
    m.setFeatures(binaryen.Features.All);
    const bytes = m.emitBinary();
    m.dispose();
    const error = await rejection(lib.init({ variant: VARIANT, wasm: bytes }), 'E_WASM_LOAD', '__wbg_not_in_the_glue');
    expect(error.cause).toBeInstanceOf(WebAssembly.LinkError);
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
    expectBitEqual(run(lib), reference());
  });

  it('an empty module (bytes) → E_WASM_LOAD naming the missing exports; then the same variant loads and computes', async () => {
    const lib = await fresh();
    const error = await rejection(lib.init({ variant: VARIANT, wasm: EMPTY_MODULE }), 'E_WASM_LOAD', '__wbindgen_start', 'memory', ...apiFunctions(VARIANT));
    expect(error.message).toContain(`"${VARIANT}"`);
    expect(lib.loadedVariant()).toBeUndefined();
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
    expectBitEqual(run(lib), reference());
  });

  it('an empty module (compiled WebAssembly.Module) → E_WASM_LOAD; then another variant loads and computes', async () => {
    const lib = await fresh();
    await rejection(lib.init({ variant: VARIANT, wasm: new WebAssembly.Module(EMPTY_MODULE) }), 'E_WASM_LOAD', '__wbindgen_start');
    expect(await lib.init({ variant: OTHER })).toEqual({ variant: OTHER });
    expect(lib.loadedVariant()).toBe(OTHER);
    const other = run(lib);
    // Another build: same numbers up to float32 rounding differences (relaxed fuses mul+add).
    reference().forEach((r, i) => other[i]!.forEach((v, j) => expect(Math.abs(v - r[j]!)).toBeLessThan(1e-5)));
  });

  it('a foreign module with some of the exports → E_WASM_LOAD listing exactly what is missing', async () => {
    const lib = await fresh();
    const wat = binaryen.parseText('(module (memory (export "memory") 1) (func (export "lane_impl") (result i32 i32) (i32.const 0) (i32.const 0)))');
    wat.setFeatures(binaryen.Features.All);
    const bytes = wat.emitBinary();
    wat.dispose();
    const error = await rejection(lib.init({ variant: VARIANT, wasm: bytes }), 'E_WASM_LOAD', '__wbindgen_malloc', ...apiFunctions(VARIANT));
    // memory and lane_impl are there: not listed as missing.
    const missing = error.message.slice(error.message.indexOf('needs: ') + 7).split(', ');
    expect(missing).not.toContain('memory');
    expect(missing).not.toContain('lane_impl');
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
  });

  it('an export of the wrong kind → E_WASM_LOAD naming it', async () => {
    const lib = await fresh();
    const { exports } = packagedInterface(VARIANT);
    const victim = apiFunctions(VARIANT)[0]!;
    const fields = exports.map(({ name, kind }) =>
      name === victim ? `(global (export "${name}") i32 (i32.const 0))`
      : kind === 'memory' ? `(memory (export "${name}") 1)`
      : kind === 'table' ? `(table (export "${name}") 1 externref)`
      : kind === 'global' ? `(global (export "${name}") i32 (i32.const 0))`
      : `(func (export "${name}") unreachable)`);
    const m = binaryen.parseText(`(module ${fields.join(' ')})`);
    m.setFeatures(binaryen.Features.All);
    const bytes = m.emitBinary();
    m.dispose();
    await rejection(lib.init({ variant: VARIANT, wasm: bytes }), 'E_WASM_LOAD', `${victim} is a global, not a function`);
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
  });

  it(`the packaged module of another variant under the wrong label → E_WASM_LOAD naming both; the glue stays usable`, async () => {
    const lib = await fresh();
    // While only some builds have been rebuilt with a changed interface, the other build is
    // refused for what it lacks before its variant is looked at; otherwise by its variant.
    const parts = sameInterface(VARIANT, OTHER) ? [`is the "${OTHER}" build`, `not the "${VARIANT}" one`] : [`"${VARIANT}"`, 'lacks'];
    await rejection(lib.init({ variant: VARIANT, wasm: packagedBytes(OTHER) }), 'E_WASM_LOAD', ...parts);
    expect(lib.loadedVariant()).toBeUndefined();
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
    expectBitEqual(run(lib), reference());
  });

  it('without a variant, a given module is labelled as the build it is', async () => {
    const lib = await fresh();
    expect(await lib.init({ wasm: packagedBytes(OTHER) })).toEqual({ variant: OTHER });
    expect(lib.loadedVariant()).toBe(OTHER);
    await rejection(lib.init({ variant: VARIANT }), 'E_ALREADY_INITIALIZED');
  });

  it('a module that fails inside the glue after passing every check: that glue is reported unusable (never a false success), other variants load', async () => {
    const lib = await fresh();
    const bad = moduleFailingInsideGlue(VARIANT);
    await rejection(lib.init({ variant: VARIANT, wasm: bad }), 'E_WASM_LOAD', `"${VARIANT}"`);
    // Before: this resolved, and every layer then failed with E_INTERNAL "… is not a function".
    const again = await rejection(lib.init({ variant: VARIANT }), 'E_WASM_LOAD', `"${VARIANT}"`, 'unusable');
    expect(again.message).toMatch(/restart|reload/);
    expect(() => new lib.GRU({ inputSize: 1, hiddenSize: 1 })).toThrow(/init/);
    expect(await lib.init({ variant: OTHER })).toEqual({ variant: OTHER });
    expect(run(lib)[0]!.length).toBe(2 * 3 * 10);
  });

  it('the tester\'s sequence on the bundle (dist/index.js) in a child Node process', async () => {
    const bundle = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(bundle), 'npm run build first (npm test does)').toBe(true);
    const script = `
      const lib = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const out = [];
      const code = async (p) => { try { await p; return 'ok'; } catch (e) { return (e && e.name) + ':' + e.code; } };
      out.push(await code(lib.init({ variant: ${JSON.stringify(VARIANT)}, wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) })));
      out.push(await code(lib.init({ variant: ${JSON.stringify(VARIANT)} })));
      try {
        const gru = new lib.GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
        out.push(gru.forward(lib.tensor(new Float32Array(4).fill(1), [2, 1, 2])).output.data.length);
      } catch (e) { out.push(e.code + ' ' + e.message); }
      out.push(lib.loadedVariant());
      console.log(JSON.stringify(out));`;
    const flags = VARIANT === 'relaxed' ? process.execArgv.filter((a) => a.includes('relaxed-simd')) : [];
    const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--input-type=module', '-e', script]);
    expect(JSON.parse(stdout.trim())).toEqual(['WasmRnnError:E_WASM_LOAD', 'ok', 6, VARIANT]);
  });
});

describe('init() options (finding 10)', () => {
  it('null, a number, a string or an array as options → E_ARGUMENT; the next init works', async () => {
    const lib = await fresh();
    for (const bad of [null, 5, 'simd', true, []]) {
      await rejection(lib.init(bad as never), 'E_ARGUMENT', 'init()', 'options');
    }
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
    // Also once loaded: still typed, not a TypeError.
    await rejection(lib.init(null as never), 'E_ARGUMENT', 'options');
  });

  it('a rejecting `wasm` promise → E_WASM_LOAD with the cause attached; the next init works', async () => {
    const lib = await fresh();
    const cause = new Error('network down');
    const error = await rejection(lib.init({ variant: VARIANT, wasm: Promise.reject(cause) }), 'E_WASM_LOAD', 'network down');
    expect(error.cause).toBe(cause);
    expect(await lib.init({ variant: VARIANT })).toEqual({ variant: VARIANT });
  });

  it('a rejecting thenable and a promise of something unusable → E_WASM_LOAD / E_ARGUMENT, typed', async () => {
    const lib = await fresh();
    const thenable = { then: (_: unknown, reject: (e: unknown) => void) => reject('plain string reason') };
    const error = await rejection(lib.init({ variant: VARIANT, wasm: thenable as never }), 'E_WASM_LOAD', 'plain string reason');
    expect(error.cause).toBe('plain string reason');
    await rejection(lib.init({ variant: VARIANT, wasm: Promise.resolve(42) as never }), 'E_ARGUMENT', 'wasm');
    // A promise of bytes or of a module is as good as the value itself.
    expect(await lib.init({ variant: VARIANT, wasm: Promise.resolve(packagedBytes(VARIANT)) as never })).toEqual({ variant: VARIANT });
  });
});

describe('tensor sizes (finding 10)', () => {
  it('zeros() of a size no wasm32 instance can hold → E_TOO_LARGE naming the size, not a RangeError', () => {
    thrown(() => main.zeros([1e10]), 'E_TOO_LARGE', 'zeros()', '[10000000000]', '10000000000');
    thrown(() => main.zeros([2 ** 20, 2 ** 20]), 'E_TOO_LARGE', '1099511627776');
    thrown(() => main.zeros([2 ** 30 + 1]), 'E_TOO_LARGE', '1073741825');
    // The product is not a safe integer.
    thrown(() => main.zeros([2 ** 40, 2 ** 40, 2 ** 40]), 'E_TOO_LARGE', 'zeros()');
    // A zero dimension makes any product empty, however large the others.
    expect(main.zeros([0, 2 ** 50, 2 ** 50, 2 ** 50]).data.length).toBe(0);
  });

  it('tensor() with a shape of impossible size → E_TOO_LARGE', () => {
    thrown(() => main.tensor(new Float32Array(3), [1e10]), 'E_TOO_LARGE', 'tensor()', '10000000000');
    thrown(() => main.tensor(new Float32Array(3), [2 ** 40, 2 ** 40]), 'E_TOO_LARGE', 'tensor()');
    // Possible sizes that do not match the data stay E_SHAPE.
    thrown(() => main.tensor(new Float32Array(3), [2, 2]), 'E_SHAPE', 'holds 4', 'has 3');
  });
});

describe('cross-realm Float32Array (finding 10)', () => {
  const foreign = <T>(code: string): T => vm.runInNewContext(code) as T;

  it('tensor() and checkTensor() accept a Float32Array of another realm', () => {
    const data = foreign<Float32Array>('new Float32Array([1, 2, 3, 4, 5, 6])');
    expect(data instanceof Float32Array).toBe(false);
    const t = main.tensor(data, [2, 3]);
    expect(t.data).toBe(data);
    expect(checkTensor({ data, shape: [2, 3] }, 'x', [2, null])).toEqual([2, 3]);
  });

  it('a forward/backward with cross-realm tensors equals the same-realm one bit for bit', () => {
    const x = foreign<Float32Array>(`new Float32Array(${X.length})`);
    x.set(X);
    expectBitEqual(run(main, x), reference());
    // and as h0 / gradients
    const gru = new main.GRU({ inputSize: 4, hiddenSize: 5, seed: 3 });
    try {
      const h0 = foreign<Float32Array>('new Float32Array(15).map((_, i) => i / 20)');
      const a = gru.forward(main.tensor(X, [2, 3, 4]), { h0: main.tensor(h0, [1, 3, 5]), training: true });
      const ga = gru.backward({ output: main.tensor(foreign<Float32Array>('new Float32Array(30).fill(0.5)'), [2, 3, 5]) });
      const b = gru.forward(main.tensor(X, [2, 3, 4]), { h0: main.tensor(Float32Array.from(h0), [1, 3, 5]), training: true });
      const gb = gru.backward({ output: main.tensor(new Float32Array(30).fill(0.5), [2, 3, 5]) });
      expectBitEqual([a.output.data, a.hN.data, ga.input.data, ga.h0.data], [b.output.data, b.hN.data, gb.input.data, gb.h0.data]);
    } finally {
      gru.dispose();
    }
  });

  it('other typed arrays of another realm and look-alikes stay E_DTYPE', () => {
    thrown(() => main.tensor(foreign('new Float64Array(3)'), [3]), 'E_DTYPE', 'Float64Array');
    const fakeTag = { length: 3, 0: 1, 1: 2, 2: 3, [Symbol.toStringTag]: 'Float32Array' };
    thrown(() => main.tensor(fakeTag as never, [3]), 'E_DTYPE', 'Float32Array');
    const view = new DataView(new ArrayBuffer(12));
    Object.defineProperty(view, Symbol.toStringTag, { value: 'Float32Array' });
    thrown(() => main.tensor(view as never, [3]), 'E_DTYPE');
    thrown(() => checkTensor({ data: view, shape: [3] }, 'x', [3]), 'E_DTYPE', 'x.data');
    const proto = Object.create(Float32Array.prototype);
    thrown(() => main.tensor(proto, [0]), 'E_DTYPE');
  });
});

describe('shapes with holes and non-integers (finding 10)', () => {
  // eslint-disable-next-line no-sparse-arrays
  const holey = [2, , 3] as number[];

  it('tensor(), zeros() and checkTensor() reject a shape with a hole → E_SHAPE naming it', () => {
    thrown(() => main.tensor(new Float32Array(6), holey), 'E_SHAPE', 'tensor()', '[2,<empty>,3]');
    thrown(() => main.zeros(holey), 'E_SHAPE', 'zeros()', '[2,<empty>,3]');
    thrown(() => checkTensor({ data: new Float32Array(6), shape: holey }, 'x', [null, null, 3]), 'E_SHAPE', 'x', '[2, <empty>, 3]');
  });

  it('a layer given x with a holey shape → E_SHAPE (was E_ARGUMENT "batch=0"), layer unchanged', () => {
    const gru = new main.GRU({ inputSize: 3, hiddenSize: 2, seed: 1 });
    try {
      thrown(() => gru.forward({ data: new Float32Array(6), shape: holey }), 'E_SHAPE', 'GRU.forward', 'x', '[2, <empty>, 3]');
      expect(gru.forward(main.zeros([2, 1, 3])).output.shape).toEqual([2, 1, 2]);
    } finally {
      gru.dispose();
    }
  });

  it('non-arrays and entries that are not non-negative safe integers → E_SHAPE', () => {
    for (const bad of ['abc', 5, null, undefined, { length: 1, 0: 3 }, new Int32Array([3])]) {
      thrown(() => main.zeros(bad as never), 'E_SHAPE', 'zeros()', 'shape');
      thrown(() => main.tensor(new Float32Array(3), bad as never), 'E_SHAPE', 'tensor()', 'shape');
      thrown(() => checkTensor({ data: new Float32Array(3), shape: bad }, 'x', [3]), 'E_SHAPE', 'x');
    }
    for (const bad of [[2 ** 53], [1.5], ['3'], [NaN], [-1], [Infinity], [3n], [{}]]) {
      thrown(() => main.zeros(bad as never), 'E_SHAPE', 'zeros()');
      thrown(() => main.tensor(new Float32Array(3), bad as never), 'E_SHAPE', 'tensor()');
      thrown(() => checkTensor({ data: new Float32Array(3), shape: bad }, 'x', [null]), 'E_SHAPE', 'x');
    }
  });

  it('a shape read through a proxy is read once: the checked shape is the one used', () => {
    let reads = 0;
    const shape = new Proxy([2, 3], {
      get(target, key, receiver) {
        if (key === '1') return ++reads === 1 ? 3 : 999;
        return Reflect.get(target, key, receiver);
      },
    });
    const t = main.tensor(new Float32Array(6), shape);
    expect(t.shape).toEqual([2, 3]);
    expect(reads).toBe(1);
  });
});
