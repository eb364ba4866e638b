/**
 * What differs between hosts: reading a local file, counting cores, starting WorkerPool's
 * workers and, inside a worker, the port to the pool.
 *
 * This file belongs to the default build (dist/index.js, dist/index.cjs, dist/worker.js) used by
 * Node, Deno and Bun, which also still runs in a browser: it imports node: built-ins lazily and
 * only where a Node-like runtime is detected. The browser build (dist/browser.js and
 * dist/browser-worker.js, export condition `browser`) gets host.browser.ts in its place
 * (tsup.config.ts swaps the file), which has no Node built-in at all, so no bundler meets one.
 * Both files export the same names with the same types.
 */
import type { HostWorker, WorkerPort } from './host-types';

export type { HostWorker, WorkerPort } from './host-types';

/** Which implementation this is (the browser build's says 'browser'). */
export const HOST_BUILD: 'default' | 'browser' = 'default';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Node, Bun and Deno read `file:` URLs and paths from disk; browsers and workers fetch. */
export function isServerRuntime(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; Deno?: unknown; Bun?: unknown };
  return typeof g.process?.versions?.node === 'string' || g.Deno !== undefined || g.Bun !== undefined;
}

/** The bytes of a local file (a `file:` URL or a path). Only called where isServerRuntime(). */
export async function readLocalFile(location: URL | string): Promise<Uint8Array<ArrayBuffer>> {
  // Imported lazily so that a browser never loads node:fs; the comments keep webpack and Vite
  // from trying to bundle it should someone bundle this (non-browser) build.
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  // A Buffer views an ArrayBuffer (never a SharedArrayBuffer).
  return (await fs.readFile(location)) as Uint8Array<ArrayBuffer>;
}

/** os.availableParallelism() in Node, navigator.hardwareConcurrency elsewhere. */
export async function defaultWorkerCount(): Promise<number> {
  if (isNode) {
    const os = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
}

/**
 * A function that starts one worker running `url` (default: worker.js next to this bundle).
 * Resolved once per pool, so that a replacement worker starts synchronously (no idle gap in
 * which Node could exit).
 */
export async function workerStarter(url: URL | string | undefined): Promise<() => HostWorker> {
  const script = url ?? new URL('./worker.js', import.meta.url);
  if (isNode) {
    const { Worker } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads');
    return () => new Worker(script) as unknown as HostWorker;
  }
  return () => new Worker(script, { type: 'module' }) as unknown as HostWorker;
}

/** Inside a worker: the channel to the pool (worker_threads' parentPort, or the worker's global scope). */
export async function workerPort(): Promise<WorkerPort> {
  if (isNode) {
    const { parentPort } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:worker_threads');
    return parentPort as unknown as WorkerPort;
  }
  return globalThis as unknown as WorkerPort;
}

/** Ends the process where that exists (Node); returns false elsewhere. Tests only (a worker fault). */
export function exitProcess(code: number): boolean {
  if (!isNode) return false;
  process.exit(code);
}

/**
 * Whether WorkerPool hands its workers this thread's compiled module by default. Here no:
 * Node's workers read the packaged file themselves (Deno and Bun may not clone a module).
 */
export const SHARE_MODULE_WITH_WORKERS = false;
