/**
 * Checks a compiled module before it is handed to a wasm-bindgen glue.
 *
 * Why: the glue (ts/generated/glue.js, one instance per variant) stores the instance's exports in a
 * module-level variable *before* it calls the module's `__wbindgen_start`, and every later
 * `default()` call returns early once that variable is set. A module that instantiates but is
 * not a wasm-rnn build (the empty module `\0asm\1\0\0\0`, another library's wasm, a truncated
 * export list) therefore used to leave that glue "initialised" with a broken instance for the
 * rest of the process: init() reported success and every layer then failed with E_INTERNAL.
 *
 * So a module reaches the glue only after
 *  1. its exports cover, by name and kind, everything the glue reads from them: the names are
 *     read off the glue's own code (see {@link glueExports}), so they follow the glue whenever
 *     the wasm is rebuilt, plus the few wasm-bindgen start-up exports the glue uses internally
 *     (typed against the generated declaration of the packaged module);
 *  2. a throwaway instance of it, with inert imports, runs its `__wbindgen_start` without
 *     trapping and says through `lane_impl()` which build it is, which must be the variant the
 *     caller asked for (or, when none was asked for, becomes the loaded variant).
 * Instantiation failures (missing imports: LinkError; a trapping start section) happen inside
 * `WebAssembly.instantiate`, before the glue stores anything, so they never poison it.
 */
import type * as CoreExports from '../generated/wasm_rnn_bg.wasm.js';
import { WasmRnnError } from '../errors';
import { isVariant, type Variant } from './variant';

type ExportKind = WebAssembly.ImportExportKind;

/**
 * Exports the glue uses only in its private start-up and helper code, which is not reachable
 * through the functions it exports (so {@link glueExports} cannot see them). These are
 * wasm-bindgen's runtime ABI, not wasm-rnn's API; `satisfies` keeps each name a real export of
 * the generated declaration, and test/hardening-init.test.ts checks the whole expected set
 * against the exports of every packaged module.
 */
const RUNTIME_EXPORTS = {
  memory: 'memory',
  __wbindgen_start: 'function',
  __wbindgen_externrefs: 'table',
  __externref_table_dealloc: 'function',
} as const satisfies Partial<Record<keyof typeof CoreExports, ExportKind>>;

/** What a glue needs from a module's exports: name → kind (`undefined`: any kind). */
export type ExportNeeds = ReadonlyMap<string, ExportKind | undefined>;

const needsCache = new WeakMap<object, ExportNeeds>();

/**
 * The exports a glue module reads, found in the source text of every function and class it
 * exports (`Function.prototype.toString`): each is a thin wrapper around `<exports>.<name>(…)`.
 * The identifier that holds the exports (`wasm` in the generated file, renamed by bundlers and
 * minifiers) is recognised as the receiver of `__wbindgen_malloc` / `__wbindgen_free`, which
 * every wrapper passing arrays or strings uses. Where the source text is not available (an
 * engine that hides it) only {@link RUNTIME_EXPORTS} are required.
 */
export function glueExports(glue: object): ExportNeeds {
  const cached = needsCache.get(glue);
  if (cached !== undefined) return cached;
  const sources: string[] = [];
  for (const value of Object.values(glue)) {
    if (typeof value !== 'function') continue;
    try {
      sources.push(Function.prototype.toString.call(value));
    } catch {
      // e.g. a revoked proxy: nothing to learn from it
    }
  }
  const text = sources.join('\n');
  const receivers = new Set<string>();
  for (const m of text.matchAll(/([A-Za-z_$][\w$]*)\s*\.\s*__wbindgen_(?:malloc|free)\b/g)) {
    if (m[1] !== 'this') receivers.add(m[1]!);
  }
  const needs = new Map<string, ExportKind | undefined>();
  for (const receiver of receivers) {
    const access = new RegExp(`(?<![\\w$.])${receiver.replace(/\$/g, '\\$')}\\s*\\.\\s*([A-Za-z_$][\\w$]*)(\\s*\\()?`, 'g');
    for (const m of text.matchAll(access)) {
      const [, name, call] = m;
      // Called: a function. Otherwise (memory.buffer, a callback argument) any kind will do
      // here; the runtime list below pins the kinds that matter.
      if (call !== undefined) needs.set(name!, 'function');
      else if (!needs.has(name!)) needs.set(name!, undefined);
    }
  }
  for (const [name, kind] of Object.entries(RUNTIME_EXPORTS)) needs.set(name, kind);
  needsCache.set(glue, needs);
  return needs;
}

/** Throws E_WASM_LOAD naming every export `module` lacks or has with the wrong kind. */
export function checkExports(module: WebAssembly.Module, needs: ExportNeeds, what: string): void {
  const have = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const missing: string[] = [];
  const wrongKind: string[] = [];
  for (const [name, kind] of needs) {
    const actual = have.get(name);
    if (actual === undefined) missing.push(name);
    else if (kind !== undefined && actual !== kind) wrongKind.push(`${name} is a ${actual}, not a ${kind}`);
  }
  if (missing.length === 0 && wrongKind.length === 0) return;
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`it lacks ${missing.length} of the ${needs.size} exports the wasm-bindgen glue needs: ${missing.join(', ')}`);
  if (wrongKind.length > 0) problems.push(wrongKind.join('; '));
  throw new WasmRnnError('E_WASM_LOAD', `${what} is not a wasm-rnn module: ${problems.join('; ')}`);
}

type TrialExports = Pick<typeof CoreExports, 'memory' | 'lane_impl' | '__wbindgen_start'>;

/**
 * Instantiates `module` once with inert imports (every imported function does nothing), runs
 * its `__wbindgen_start` and returns the variant its `lane_impl()` names. The instance is
 * dropped afterwards: it shares nothing with the glue. Imports other than functions are not
 * provided (the glue provides none either), so such a module fails here with the engine's
 * LinkError naming the import.
 */
export async function trialVariant(module: WebAssembly.Module, what: string): Promise<{ variant: Variant; lane: string }> {
  const imports: Record<string, Record<string, () => void>> = Object.create(null);
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') continue;
    (imports[from] ??= Object.create(null))[name] = () => undefined;
  }
  let exports: TrialExports;
  try {
    const instance = await WebAssembly.instantiate(module, imports);
    exports = instance.exports as unknown as TrialExports;
  } catch (error) {
    throw loadError(`${what} cannot be instantiated`, error);
  }
  let lane: string;
  try {
    exports.__wbindgen_start();
    const result: unknown = exports.lane_impl();
    if (!Array.isArray(result) || result.length !== 2 || !result.every((v) => typeof v === 'number')) {
      throw new Error(`lane_impl() returned ${Object.prototype.toString.call(result)}, not a (pointer, length) pair`);
    }
    const [ptr, len] = result as [number, number];
    lane = new TextDecoder().decode(new Uint8Array(exports.memory.buffer, ptr >>> 0, len >>> 0));
  } catch (error) {
    throw loadError(`${what} is not a working wasm-rnn module (its start-up or lane_impl() failed)`, error);
  }
  const variant = variantOfLane(lane);
  if (variant === undefined) {
    throw new WasmRnnError('E_WASM_LOAD', `${what} is not a wasm-rnn module: lane_impl() says ${JSON.stringify(lane)}`);
  }
  return { variant, lane };
}

/**
 * The variant of a build from its `lane_impl()` ("wasm32-relaxed-simd", "wasm32-simd128",
 * "scalar"; crates/bindings/src/lib.rs). Matched loosely so a renamed string still sorts into
 * the right build; the tests check each packaged module maps to its own directory.
 */
function variantOfLane(lane: string): Variant | undefined {
  if (lane.length === 0 || lane.length > 100) return undefined;
  const variant = /relaxed/i.test(lane) ? 'relaxed' : /simd/i.test(lane) ? 'simd' : /scalar|portable|fallback/i.test(lane) ? 'scalar' : undefined;
  return isVariant(variant) ? variant : undefined;
}

/** An E_WASM_LOAD naming `what`, with `cause` attached; WasmRnnErrors pass through unchanged. */
export function loadError(what: string, cause: unknown): WasmRnnError {
  if (cause instanceof WasmRnnError) return cause;
  let detail: string;
  try {
    detail = cause instanceof Error ? cause.message : String(cause);
  } catch {
    detail = Object.prototype.toString.call(cause);
  }
  const error = new WasmRnnError('E_WASM_LOAD', `${what}: ${detail}`);
  Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  return error;
}
