/** Types shared by host.ts and host.browser.ts (no Node or DOM types: both builds use them). */

/** Node's Worker (an EventEmitter) or a Web Worker (an EventTarget). */
export interface HostWorker {
  postMessage(message: unknown, transfer?: readonly object[]): void;
  terminate(): unknown;
  /** Node only: whether the worker keeps the process alive. */
  ref?(): void;
  unref?(): void;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  addEventListener?(event: string, listener: (event: unknown) => void): unknown;
}

/** Inside a worker: worker_threads' parentPort or the worker's global scope. */
export interface WorkerPort {
  postMessage(message: unknown, transfer?: readonly object[]): void;
  on?(event: 'message' | 'messageerror', listener: (data: unknown) => void): void;
  addEventListener?(event: 'message' | 'messageerror', listener: (event: { data: unknown }) => void): void;
}
