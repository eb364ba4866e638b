/**
 * Loads the WebAssembly core once per process (or page / worker).
 *
 * - picks the fastest variant the engine can run (relaxed → simd → scalar) unless told one;
 * - finds the .wasm next to this module (Node, Bun, Deno read the file; browsers fetch it and
 *   compile while downloading), or takes the caller's bytes, URL, Response or compiled
 *   `WebAssembly.Module` (Cloudflare workerd may only instantiate precompiled modules);
 * - instantiates it through that variant's instance of the wasm-bindgen glue (ts/generated/glue.js).
 *
 * The state machine follows onnxruntime-web's wasm-factory: uninitialized → initializing →
 * ready | failed. Concurrent `init()` calls share one attempt; a failed attempt can be retried.
 *
 * A glue keeps the first instance it was given for the life of its module, even when that
 * instance's start-up then failed, so no module reaches a glue before module-check.ts has
 * checked its exports against what the glue uses and which build it is. Should a glue still be
 * left holding a failed instance, that variant is reported unusable instead of "loaded".
 */
import { WasmRnnError } from '../errors';
import { describe } from '../tensor';
import { createGlue } from '../generated/glue.js';
import { detectFeatures, type WasmFeatures } from './features';
import { checkExports, type ExportNeeds, glueExports, loadError, trialVariant } from './module-check';
import { isVariant, VARIANTS, type Variant } from './variant';
import { isServerRuntime, readLocalFile } from './host';
import { defaultWasmUrl } from './wasm-url';

export type { Variant } from './variant';

// Layers and models have `[Symbol.dispose]()` (for `using`). Declared here so that the published
// types need neither lib `esnext.disposable` nor @types/node (which declares it the same way);
// identical `unique symbol` declarations merge with either.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
export { VARIANTS } from './variant';
export { detectFeatures, type WasmFeatures } from './features';

/** The wasm-bindgen glue of one variant; all three export the same API. */
export type Bindings = ReturnType<typeof createGlue>;

/**
 * A compiled `WebAssembly.Module`. Written as `object` because the `WebAssembly` types come with
 * the DOM lib, which a Node-only TypeScript project does not have (`WebAssembly.Module` is an
 * empty interface there anyway); `init()` checks at run time that it is a real module.
 */
export type CompiledWasmModule = object;

/** The parts of a fetch `Response` that `init()` reads (a real `Response` is one). */
export interface WasmResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Anything `init()` can turn into a compiled module: bytes, a URL (or, in Node, a path), a
 * `Response` or a promise of one, or a `WebAssembly.Module`. Typed without DOM types (see
 * {@link CompiledWasmModule}).
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | URL | string | CompiledWasmModule | WasmResponse | PromiseLike<WasmResponse>;

export interface InitOptions {
  /** Force a build instead of the fastest one the engine supports. */
  variant?: Variant;
  /**
   * The binary to use instead of the packaged one (or a promise of it). With `variant`, it must
   * be that build (another build is refused with `E_WASM_LOAD`); without, the build it is
   * becomes the loaded variant. A module that is not a wasm-rnn build of this version is
   * refused with `E_WASM_LOAD` naming what it lacks.
   */
  wasm?: WasmSource;
}

export interface InitResult {
  /** The variant that is loaded. */
  readonly variant: Variant;
}

/**
 * One glue instance per variant, all made by the one shared glue (ts/generated/glue.js, see
 * scripts/share-glue.mjs): each keeps its own instance, so a glue left holding a failed one
 * blocks only its own variant (see the header).
 */
const GLUES: Readonly<Record<Variant, Bindings>> = {
  relaxed: createGlue(),
  simd: createGlue(),
  scalar: createGlue(),
};

type State =
  | { readonly kind: 'uninitialized' }
  | { readonly kind: 'initializing'; readonly promise: Promise<InitResult> }
  | { readonly kind: 'ready'; readonly result: InitResult; readonly glue: Bindings; readonly module: WebAssembly.Module }
  | { readonly kind: 'failed'; readonly error: unknown };

let state: State = { kind: 'uninitialized' };

/**
 * Variants whose glue holds an instance whose start-up failed (see the header): the glue
 * returns that instance to every later call, so the variant cannot be loaded again in this
 * module instance. Only a module that passed every check of module-check.ts can get here.
 */
const unusableGlues = new Map<Variant, string>();

/**
 * Loads the wasm core. Safe to call many times: later calls resolve to the same result, and
 * calls made while loading share that load. Asking for a variant other than the loaded one
 * rejects with `E_ALREADY_INITIALIZED` (one instance per process: layers share its memory).
 * Once loaded, a later call's `wasm` option is ignored. After a failed load (for instance a
 * 404 or an unsupported variant) the next call tries again from scratch.
 */
export async function init(options?: InitOptions): Promise<InitResult> {
  const { requested, source } = readOptions(options);
  switch (state.kind) {
    case 'ready':
      return sameVariant(state.result, requested);
    case 'initializing':
      return sameVariant(await state.promise, requested);
    case 'uninitialized':
    case 'failed': {
      const promise = load(requested, source).then(
        ({ variant, glue, module }) => {
          const result: InitResult = Object.freeze({ variant });
          state = { kind: 'ready', result, glue, module };
          return result;
        },
        (error: unknown) => {
          state = { kind: 'failed', error };
          throw error;
        },
      );
      state = { kind: 'initializing', promise };
      return promise;
    }
  }
}

/** Validates `init()`'s argument, reading each option once. */
function readOptions(options: unknown): { requested: Variant | undefined; source: unknown } {
  if (options === undefined) return { requested: undefined, source: undefined };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new WasmRnnError('E_ARGUMENT', `init(): options must be an object or undefined, got ${describe(options)}`);
  }
  let requested: unknown;
  let source: unknown;
  try {
    ({ variant: requested, wasm: source } = options as { variant?: unknown; wasm?: unknown });
  } catch (error) {
    const wrapped = new WasmRnnError('E_ARGUMENT', `init(): reading the options failed: ${error instanceof Error ? error.message : describe(error)}`);
    Object.defineProperty(wrapped, 'cause', { value: error, writable: true, configurable: true });
    throw wrapped;
  }
  if (requested !== undefined && !isVariant(requested)) {
    const shown = typeof requested === 'string' ? JSON.stringify(requested) : describe(requested);
    throw new WasmRnnError('E_ARGUMENT', `init(): unknown variant ${shown}; expected one of ${VARIANTS.join(', ')}`);
  }
  return { requested, source };
}

function sameVariant(result: InitResult, requested: Variant | undefined): InitResult {
  if (requested !== undefined && requested !== result.variant) {
    throw new WasmRnnError(
      'E_ALREADY_INITIALIZED',
      `init(): the "${result.variant}" variant is already loaded; cannot switch to "${requested}" ` +
        'in the same process',
    );
  }
  return result;
}

/** The glue of the loaded variant. Throws `E_NOT_INITIALIZED` before `init()` resolved. */
export function bindings(): Bindings {
  if (state.kind !== 'ready') {
    throw new WasmRnnError('E_NOT_INITIALIZED', 'call `await init()` before creating layers');
  }
  return state.glue;
}

/** @internal The compiled module of the loaded variant (WorkerPool hands it to browser workers). */
export function loadedModule(): WebAssembly.Module | undefined {
  return state.kind === 'ready' ? state.module : undefined;
}

/** The loaded variant, or `undefined` before `init()` resolved. */
export function loadedVariant(): Variant | undefined {
  return state.kind === 'ready' ? state.result.variant : undefined;
}

/** Bytes of linear memory the wasm instance holds (it only grows). */
export function wasmMemoryBytes(): number {
  return Number(bindings().memory_bytes());
}

/** The variants this engine can run, fastest first (`scalar` whenever WebAssembly exists). */
export function supportedVariants(features: WasmFeatures = detectFeatures()): Variant[] {
  return VARIANTS.filter((variant) => supports(features, variant));
}

function supports(features: WasmFeatures, variant: Variant): boolean {
  switch (variant) {
    case 'relaxed':
      return features.relaxedSimd;
    case 'simd':
      return features.simd;
    case 'scalar':
      return features.wasm;
  }
}

async function load(requested: Variant | undefined, source: unknown): Promise<{ variant: Variant; glue: Bindings; module: WebAssembly.Module }> {
  const features = detectFeatures();
  const supported = supportedVariants(features);
  if (supported.length === 0) {
    throw new WasmRnnError('E_VARIANT_UNSUPPORTED', 'this JavaScript engine has no WebAssembly support');
  }
  if (requested !== undefined && !supported.includes(requested)) {
    const missing = requested === 'relaxed' ? 'relaxed SIMD' : requested === 'simd' ? 'WebAssembly SIMD (simd128)' : 'WebAssembly';
    const hint = requested === 'relaxed' ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : '';
    throw new WasmRnnError(
      'E_VARIANT_UNSUPPORTED',
      `the "${requested}" variant needs ${missing}, which this engine lacks${hint}; ` +
        `supported here: ${supported.join(', ')}`,
    );
  }
  // The build to load: the requested one, else the packaged fastest, else (a given module
  // without a variant) whatever build that module turns out to be.
  let target: Variant | undefined = requested ?? (source === undefined ? supported[0] : undefined);
  if (target !== undefined) assertGlueUsable(target);

  let compiled: Compiled;
  let what: string;
  if (source === undefined) {
    let url: URL;
    try {
      url = defaultWasmUrl(target!);
    } catch (error) {
      // e.g. workerd, where import.meta.url is undefined and wasm must come precompiled anyway.
      throw loadError(`locating the "${target}" wasm binary failed (pass it with init({ variant, wasm }))`, error);
    }
    compiled = await compile(url, false);
    what = `the packaged "${target}" binary (${compiled.label})`;
  } else {
    compiled = await compile(source, true);
    what = `init(): the \`wasm\` option (${compiled.label})${target === undefined ? '' : ` for the "${target}" build`}`;
  }
  const { module } = compiled;

  // Nothing reaches a glue unless it has what the glue reads and is the build it claims to be.
  // Without a target, what every glue needs (which covers the trial's exports); the glue of the
  // build the module turns out to be is checked once that is known.
  checkExports(module, target === undefined ? commonNeeds() : glueExports(GLUES[target]), what);
  const { variant, lane } = await trialVariant(module, what);
  if (target !== undefined && variant !== target) {
    throw new WasmRnnError(
      'E_WASM_LOAD',
      `${what} is the "${variant}" build (lane_impl "${lane}"), not the "${target}" one: ` +
        `pass variant: "${variant}" with it, or the "${target}" binary`,
    );
  }
  if (target === undefined) {
    target = variant;
    assertGlueUsable(variant);
    checkExports(module, glueExports(GLUES[variant]), what);
  }

  const glue = GLUES[variant];
  try {
    // The async init instantiates with WebAssembly.instantiate, which browsers allow on the
    // main thread for any size (synchronous instantiation of big modules is refused there).
    await glue.default({ module_or_path: module });
  } catch (error) {
    const failure = loadError(`instantiating ${what} as the "${variant}" build failed`, error);
    if (await glueKeptFailedInstance(glue)) unusableGlues.set(variant, failure.message);
    throw failure;
  }
  return { variant, glue, module };
}

/** The exports every variant's glue needs. */
function commonNeeds(): ExportNeeds {
  const [first, ...rest] = VARIANTS.map((v) => glueExports(GLUES[v]));
  return new Map([...first!].filter(([name, kind]) => rest.every((needs) => needs.has(name) && needs.get(name) === kind)));
}

function assertGlueUsable(variant: Variant): void {
  const reason = unusableGlues.get(variant);
  if (reason === undefined) return;
  throw new WasmRnnError(
    'E_WASM_LOAD',
    `the "${variant}" build's wasm-bindgen glue is unusable: an earlier load failed after the glue had kept ` +
      `its instance (${reason}); reload the page or restart the process (or worker) to load "${variant}", ` +
      `or load another variant`,
  );
}

const PROBE = Symbol('wasm-rnn glue probe');

/**
 * Whether `glue` kept the exports of an instance whose start-up failed. A glue that has no
 * instance starts a new load for every call and here gets a promise that rejects with PROBE,
 * so the call rejects with PROBE and the glue stays as it was; a glue that kept an instance
 * returns it without looking at its argument.
 */
async function glueKeptFailedInstance(glue: Bindings): Promise<boolean> {
  const probe = Promise.reject(PROBE);
  probe.catch(() => undefined);
  try {
    await glue.default({ module_or_path: probe as unknown as WebAssembly.Module });
    return true;
  } catch (error) {
    return error !== PROBE;
  }
}

interface Compiled {
  readonly module: WebAssembly.Module;
  /** Where the module came from, for messages. */
  readonly label: string;
}

async function compile(source: unknown, allowPromise: boolean): Promise<Compiled> {
  // Checked as `unknown` since JS callers may pass anything. WebAssembly.Module is an empty
  // interface (`{}`), so isWasmModule is no type guard: it would narrow the rest away.
  const value = source;
  if (isWasmModule(value)) return { module: value as WebAssembly.Module, label: 'a WebAssembly.Module' };
  if (isResponse(value)) return compileResponse(value);
  if (allowPromise && thenOf(value) !== undefined) {
    let resolved: unknown;
    try {
      resolved = await value;
    } catch (error) {
      throw loadError('init(): the `wasm` promise rejected', error);
    }
    // `await` unwrapped every thenable: what is left is the value itself.
    return compile(resolved, false);
  }
  if (value instanceof URL || typeof value === 'string') return compileLocation(value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return compileBytes(value as BufferSource, 'the given bytes');
  }
  throw new WasmRnnError(
    'E_ARGUMENT',
    'init(): `wasm` must be bytes, a URL or path, a Response (or a promise of one) or a WebAssembly.Module, ' +
      `got ${describe(value)}`,
  );
}

async function compileLocation(location: URL | string): Promise<Compiled> {
  const url = toUrl(location);
  const label = url?.href ?? String(location);
  if (isServerRuntime() && (url === undefined || url.protocol === 'file:')) {
    let bytes: BufferSource;
    try {
      bytes = await readLocalFile(url ?? String(location));
    } catch (error) {
      throw loadError(`reading ${label} failed`, error);
    }
    return compileBytes(bytes, label);
  }
  let response: Response;
  try {
    response = await fetch(url ?? String(location));
  } catch (error) {
    throw loadError(`fetching ${label} failed`, error);
  }
  return compileResponse(response);
}

async function compileResponse(response: Response): Promise<Compiled> {
  const label = response.url || 'the given Response';
  if (!response.ok) {
    throw new WasmRnnError('E_WASM_LOAD', `fetching ${label} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const mime = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  // compileStreaming compiles while the bytes arrive, but only accepts application/wasm
  // (servers with another MIME type are common), so fall back to buffering for the rest.
  if (mime === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
    try {
      return { module: await WebAssembly.compileStreaming(response), label };
    } catch (error) {
      throw loadError(`compiling ${label} failed`, error);
    }
  }
  let bytes: ArrayBuffer;
  try {
    bytes = await response.arrayBuffer();
  } catch (error) {
    throw loadError(`reading ${label} failed`, error);
  }
  return compileBytes(bytes, label);
}

async function compileBytes(bytes: BufferSource, label: string): Promise<Compiled> {
  try {
    return { module: await WebAssembly.compile(bytes), label };
  } catch (error) {
    throw loadError(`compiling ${label} failed`, error);
  }
}

/** An absolute URL, or `undefined` for a relative reference / plain path. */
function toUrl(location: URL | string): URL | undefined {
  if (location instanceof URL) return location;
  // "C:\dir\x.wasm" parses as a URL with scheme "c:"; a real scheme has 2+ characters.
  if (/^[a-z][a-z0-9+.-]+:/i.test(location)) {
    try {
      return new URL(location);
    } catch {
      return undefined;
    }
  }
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  if (base !== undefined && !isServerRuntime()) return new URL(location, base);
  return undefined;
}

function isWasmModule(value: unknown): boolean {
  // WebAssembly.Module.exports checks the internal slot: it accepts a module compiled in
  // another realm (vm context, iframe) and refuses look-alikes (a faked Symbol.toStringTag).
  if (value === null || typeof value !== 'object') return false;
  try {
    WebAssembly.Module.exports(value as WebAssembly.Module);
    return true;
  } catch {
    return false;
  }
}

function isResponse(value: unknown): value is Response {
  return typeof Response === 'function' && value instanceof Response;
}

/** The `then` method of a thenable, else `undefined` (a throwing `then` getter is E_ARGUMENT). */
function thenOf(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  let then: unknown;
  try {
    then = (value as { then?: unknown }).then;
  } catch (error) {
    throw loadError('init(): reading `wasm.then` failed', error);
  }
  return typeof then === 'function' ? then : undefined;
}
