/**
 * A pool of workers (Node worker_threads or module Web Workers), each with its own wasm
 * instance, for throughput: a layer created through the pool has one replica per worker, and
 * forward/backward split the batch across them. Parameter gradients are summed, so a
 * data-parallel training step sees the same gradients as one layer over the whole batch.
 */
import { bindings, init, type Variant } from '../backend/init';
import { WasmRnnError, type WasmRnnErrorCode } from '../errors';
import type { CellKind, Request, ResponseEnvelope } from './protocol';
import { ParallelLayer, type ParallelLayerOptions } from './parallel-layer';

export interface WorkerPoolOptions {
  /** Number of workers. @defaultValue the number of cores (os.availableParallelism(), navigator.hardwareConcurrency) */
  workers?: number;
  /** The wasm build the workers load. @defaultValue the build loaded on this thread by `init()` */
  variant?: Variant;
  /** Where the worker script is. @defaultValue `worker.js` next to this bundle */
  workerUrl?: URL | string;
}

interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): unknown;
  /** Node only: whether the worker keeps the process alive. */
  ref?(): void;
  unref?(): void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function defaultWorkerCount(): Promise<number> {
  if (isNode) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
}

export class WorkerPool {
  readonly #workers: WorkerLike[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #nextLayer = 1;
  #terminated = false;
  /** The wasm build every worker runs. */
  readonly variant: Variant;

  private constructor(workers: WorkerLike[], variant: Variant) {
    this.#workers = workers;
    this.variant = variant;
  }

  /** Starts the workers and loads the wasm core in each (and on this thread, for gradient sums). */
  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const { variant } = await init(options.variant === undefined ? {} : { variant: options.variant });
    const count = options.workers ?? (await defaultWorkerCount());
    if (!Number.isInteger(count) || count < 1) {
      throw new WasmRnnError('E_ARGUMENT', `WorkerPool.create: workers must be an integer ≥ 1, got ${count}`);
    }
    const url = options.workerUrl ?? new URL('./worker.js', import.meta.url);
    const workers: WorkerLike[] = [];
    const pool = new WorkerPool(workers, variant);
    for (let i = 0; i < count; i++) workers.push(await pool.#spawn(url));
    try {
      await Promise.all(workers.map((_, i) => pool.call(i, { op: 'init', variant })));
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  async #spawn(url: URL | string): Promise<WorkerLike> {
    const onMessage = (data: unknown): void => {
      const response = data as ResponseEnvelope;
      const pending = this.#pending.get(response.id);
      if (pending === undefined) return;
      this.#pending.delete(response.id);
      this.#keepAlive();
      if (response.ok) pending.resolve(response.value);
      else pending.reject(new WasmRnnError(response.code as WasmRnnErrorCode, response.message));
    };
    const onError = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
      for (const p of this.#pending.values()) p.reject(new WasmRnnError('E_INTERNAL', `WorkerPool: a worker failed: ${message}`));
      this.#pending.clear();
      this.#keepAlive();
    };
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      const w = new Worker(url);
      w.on('message', onMessage);
      w.on('error', onError);
      w.unref(); // an idle pool does not keep the process alive (see #keepAlive)
      return w as unknown as WorkerLike;
    }
    const w = new Worker(url, { type: 'module' });
    w.addEventListener('message', (event) => onMessage(event.data));
    w.addEventListener('error', (event) => onError(event));
    return w;
  }

  /** Node: workers keep the process alive exactly while calls are pending. */
  #keepAlive(): void {
    const busy = this.#pending.size > 0;
    for (const w of this.#workers) (busy ? w.ref : w.unref)?.call(w);
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** @internal Sends one request to worker `index`. */
  call(index: number, request: Request, transfer: Transferable[] = []): Promise<unknown> {
    if (this.#terminated) return Promise.reject(new WasmRnnError('E_DISPOSED', 'WorkerPool was terminated'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#keepAlive();
      this.#workers[index]!.postMessage({ id, request }, transfer);
    });
  }

  /** @internal A fresh layer id. */
  layerId(): number {
    return this.#nextLayer++;
  }

  /** @internal dst += src, computed by this thread's wasm instance. */
  addInto(dst: Float32Array, src: Float32Array): void {
    bindings().add_assign(dst, src);
  }

  rnn(options: ParallelLayerOptions): Promise<ParallelLayer> {
    return ParallelLayer.create(this, 'rnn', options);
  }
  lstm(options: ParallelLayerOptions): Promise<ParallelLayer> {
    return ParallelLayer.create(this, 'lstm', options);
  }
  gru(options: ParallelLayerOptions): Promise<ParallelLayer> {
    return ParallelLayer.create(this, 'gru', options);
  }

  /** Stops the workers; pending calls reject with E_DISPOSED. */
  async terminate(): Promise<void> {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const p of this.#pending.values()) p.reject(new WasmRnnError('E_DISPOSED', 'WorkerPool was terminated'));
    this.#pending.clear();
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

export type { CellKind };
