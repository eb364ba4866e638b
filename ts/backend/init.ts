/**
 * Loads the WebAssembly core once per process (or page / worker).
 *
 * - picks the fastest variant the engine can run (relaxed → simd → scalar) unless told one;
 * - finds the .wasm next to this module (Node, Bun, Deno read the file; browsers fetch it and
 *   compile while downloading), or takes the caller's bytes, URL, Response or compiled
 *   `WebAssembly.Module` (Cloudflare workerd may only instantiate precompiled modules);
 * - instantiates it through that variant's wasm-bindgen glue (ts/generated/<variant>/).
 *
 * The state machine follows onnxruntime-web's wasm-factory: uninitialized → initializing →
 * ready | failed. Concurrent `init()` calls share one attempt; a failed attempt can be retried.
 */
import { WasmRnnError } from '../errors';
import * as relaxedGlue from '../generated/relaxed/wasm_rnn.js';
import * as scalarGlue from '../generated/scalar/wasm_rnn.js';
import * as simdGlue from '../generated/simd/wasm_rnn.js';
import { detectFeatures, type WasmFeatures } from './features';
import { isVariant, VARIANTS, type Variant } from './variant';
import { defaultWasmUrl } from './wasm-url';

export type { Variant } from './variant';
export { VARIANTS } from './variant';
export { detectFeatures, type WasmFeatures } from './features';

/** The wasm-bindgen glue of one variant; all three export the same API. */
export type Bindings = typeof import('../generated/simd/wasm_rnn.js');

/** Anything `init()` can turn into a compiled module. A string is a URL or, in Node, a path. */
export type WasmSource = BufferSource | URL | string | WebAssembly.Module | Response | Promise<Response>;

export interface InitOptions {
  /** Force a build instead of the fastest one the engine supports. */
  variant?: Variant;
  /**
   * The binary to use instead of the packaged one. It must be the build of `variant` (or, when
   * `variant` is not given, of the variant the engine would pick: pass both to be safe).
   */
  wasm?: WasmSource;
}

export interface InitResult {
  /** The variant that is loaded. */
  readonly variant: Variant;
}

const GLUES: Readonly<Record<Variant, Bindings>> = {
  relaxed: relaxedGlue,
  simd: simdGlue,
  scalar: scalarGlue,
};

type State =
  | { readonly kind: 'uninitialized' }
  | { readonly kind: 'initializing'; readonly promise: Promise<InitResult> }
  | { readonly kind: 'ready'; readonly result: InitResult; readonly glue: Bindings }
  | { readonly kind: 'failed'; readonly error: unknown };

let state: State = { kind: 'uninitialized' };

/**
 * Loads the wasm core. Safe to call many times: later calls resolve to the same result, and
 * calls made while loading share that load. Asking for a variant other than the loaded one
 * rejects with `E_ALREADY_INITIALIZED` (one instance per process: layers share its memory).
 * Once loaded, a later call's `wasm` option is ignored. After a failed load (for instance a
 * 404 or an unsupported variant) the next call tries again from scratch.
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const requested = options.variant;
  if (requested !== undefined && !isVariant(requested)) {
    throw new WasmRnnError(
      'E_ARGUMENT',
      `init(): unknown variant ${JSON.stringify(requested)}; expected one of ${VARIANTS.join(', ')}`,
    );
  }
  switch (state.kind) {
    case 'ready':
      return sameVariant(state.result, requested);
    case 'initializing':
      return sameVariant(await state.promise, requested);
    case 'uninitialized':
    case 'failed': {
      const promise = load(requested, options.wasm).then(
        ({ variant, glue }) => {
          const result: InitResult = Object.freeze({ variant });
          state = { kind: 'ready', result, glue };
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

async function load(
  requested: Variant | undefined,
  source: WasmSource | undefined,
): Promise<{ variant: Variant; glue: Bindings }> {
  const features = detectFeatures();
  const supported = supportedVariants(features);
  const variant = requested ?? supported[0];
  if (variant === undefined) {
    throw new WasmRnnError('E_VARIANT_UNSUPPORTED', 'this JavaScript engine has no WebAssembly support');
  }
  if (!supported.includes(variant)) {
    const missing = variant === 'relaxed' ? 'relaxed SIMD' : variant === 'simd' ? 'WebAssembly SIMD (simd128)' : 'WebAssembly';
    const hint = variant === 'relaxed' ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : '';
    throw new WasmRnnError(
      'E_VARIANT_UNSUPPORTED',
      `the "${variant}" variant needs ${missing}, which this engine lacks${hint}; ` +
        `supported here: ${supported.join(', ') || 'none'}`,
    );
  }

  let located: WasmSource;
  try {
    located = source ?? defaultWasmUrl(variant);
  } catch (error) {
    // e.g. workerd, where import.meta.url is undefined and wasm must come precompiled anyway.
    throw loadError(`locating the "${variant}" wasm binary failed (pass it with init({ variant, wasm }))`, error);
  }
  const module = await compile(located);
  const glue = GLUES[variant];
  try {
    // The async init instantiates with WebAssembly.instantiate, which browsers allow on the
    // main thread for any size (synchronous instantiation of big modules is refused there).
    await glue.default({ module_or_path: module });
  } catch (error) {
    throw loadError(`instantiating the "${variant}" wasm module failed`, error);
  }
  return { variant, glue };
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  // Checked as `unknown` since JS callers may pass anything. WebAssembly.Module is an empty
  // interface (`{}`), so isWasmModule is no type guard: it would narrow the rest away.
  const value: unknown = source;
  if (isWasmModule(value)) return value as WebAssembly.Module;
  if (isResponse(value)) return compileResponse(value);
  if (isPromiseLike(value)) return compileResponse(await value);
  if (value instanceof URL || typeof value === 'string') return compileLocation(value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return compileBytes(value as BufferSource, 'the given bytes');
  }
  throw new WasmRnnError(
    'E_ARGUMENT',
    'init(): `wasm` must be bytes, a URL or path, a Response (or a promise of one) or a WebAssembly.Module',
  );
}

async function compileLocation(location: URL | string): Promise<WebAssembly.Module> {
  const url = toUrl(location);
  const label = url?.href ?? String(location);
  if (isServerRuntime() && (url === undefined || url.protocol === 'file:')) {
    let bytes: BufferSource;
    try {
      // Imported lazily so browser bundles never need node:fs; the comments keep webpack and
      // Vite from trying to bundle it.
      const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
      // A Buffer views an ArrayBuffer (never a SharedArrayBuffer): a valid BufferSource.
      bytes = (await fs.readFile(url ?? String(location))) as Uint8Array<ArrayBuffer>;
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

async function compileResponse(response: Response): Promise<WebAssembly.Module> {
  const label = response.url || 'the given Response';
  if (!response.ok) {
    throw new WasmRnnError('E_WASM_LOAD', `fetching ${label} failed: HTTP ${response.status} ${response.statusText}`);
  }
  const mime = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  // compileStreaming compiles while the bytes arrive, but only accepts application/wasm
  // (servers with another MIME type are common), so fall back to buffering for the rest.
  if (mime === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response);
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

async function compileBytes(bytes: BufferSource, label: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
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

/** Node, Bun and Deno read `file:` URLs and paths from disk; browsers and workers fetch. */
function isServerRuntime(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; Deno?: unknown; Bun?: unknown };
  return typeof g.process?.versions?.node === 'string' || g.Deno !== undefined || g.Bun !== undefined;
}

function isWasmModule(value: unknown): boolean {
  // The tag check also accepts a module compiled in another realm (vm context, iframe).
  return value instanceof WebAssembly.Module || Object.prototype.toString.call(value) === '[object WebAssembly.Module]';
}

function isResponse(value: unknown): value is Response {
  return typeof Response === 'function' && value instanceof Response;
}

function isPromiseLike(value: unknown): value is PromiseLike<Response> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function loadError(what: string, cause: unknown): WasmRnnError {
  if (cause instanceof WasmRnnError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const error = new WasmRnnError('E_WASM_LOAD', `${what}: ${detail}`);
  (error as { cause?: unknown }).cause = cause;
  return error;
}
