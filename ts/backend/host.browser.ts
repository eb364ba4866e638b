/**
 * host.ts for the browser build (dist/browser.js, dist/browser-worker.js; see host.ts and
 * tsup.config.ts): no Node built-in, not even behind a dynamic import, so that esbuild, Vite,
 * webpack and Rollup bundle it for the web with no configuration.
 */
import { WasmRnnError } from '../errors';
import type { HostWorker, WorkerPort } from './host-types';

export type { HostWorker, WorkerPort } from './host-types';

export const HOST_BUILD: 'default' | 'browser' = 'browser';

/** Everything is fetched (also when this build runs under a server runtime, e.g. a test's jsdom). */
export function isServerRuntime(): boolean {
  return false;
}

export async function readLocalFile(location: URL | string): Promise<Uint8Array<ArrayBuffer>> {
  throw new WasmRnnError('E_WASM_LOAD', `the browser build of wasm-rnn cannot read local files (${String(location)}): pass a URL, bytes or a WebAssembly.Module`);
}

export async function defaultWorkerCount(): Promise<number> {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
}

/**
 * The default worker is written as `new Worker(new URL('./browser-worker.js', import.meta.url),
 * { type: 'module' })` in one expression, relative to the bundle dist/browser.js: the pattern
 * Vite and webpack recognise to bundle the worker and emit it with the app (and that works
 * unbundled, next to the file).
 */
export async function workerStarter(url: URL | string | undefined): Promise<() => HostWorker> {
  if (url !== undefined) return () => new Worker(url, { type: 'module' }) as unknown as HostWorker;
  return () => new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' }) as unknown as HostWorker;
}

export async function workerPort(): Promise<WorkerPort> {
  return globalThis as unknown as WorkerPort;
}

export function exitProcess(_code: number): boolean {
  return false;
}

/**
 * Yes: a bundler may put the worker and the .wasm files where the worker's own
 * `new URL(…, import.meta.url)` does not find them (Rollup copies the worker as an asset, esbuild
 * not at all), and handing over the module the page already compiled costs no second download.
 */
export const SHARE_MODULE_WITH_WORKERS = true;
