/**
 * A pool of workers (Node worker_threads or module Web Workers), each with its own wasm
 * instance, for throughput: a layer created through the pool has one replica per worker, and
 * forward/backward split the batch across them. Parameter gradients are summed, so a
 * data-parallel training step sees the same gradients as one layer over the whole batch.
 *
 * Failed workers. A worker that exits, throws an uncaught exception or sends a message that
 * cannot be read (Node: 'exit', 'error', 'messageerror'; browsers: 'error', 'messageerror') is
 * dropped at once: every call it was running or had queued rejects with `E_WORKER`, and a
 * replacement worker is started in its place. Calls made for that slot meanwhile wait for the
 * replacement. The replacement gets every layer back — from the layer's seed when its weights
 * were never loaded, otherwise from a surviving replica's weights — so later calls work as
 * before; a training forward that had a part on the failed worker is lost (its `backward()`
 * rejects with `E_NO_TRAINING_FORWARD`). A loaded layer with no surviving replica (a one-worker
 * pool, or every worker failed at once) is lost: its calls reject with `E_WORKER`. If the
 * replacement itself cannot start, the pool is broken: every pending and later call rejects
 * with `E_WORKER`, and `terminate()` still works. (A browser worker that closes itself sends
 * no event; the library's worker never does.)
 */
import { defaultWorkerCount, type HostWorker, SHARE_MODULE_WITH_WORKERS, workerStarter } from '../backend/host';
import { bindings, type CompiledWasmModule, init, loadedModule, type Variant } from '../backend/init';
import { WasmRnnError, type WasmRnnErrorCode } from '../errors';
import type { CellKind, Request, ResponseEnvelope, WireOptions, WireTensor } from './protocol';
import { ParallelLayer, type ParallelLayerOptions } from './parallel-layer';

export interface WorkerPoolOptions {
  /** Number of workers. @defaultValue the number of cores (os.availableParallelism(), navigator.hardwareConcurrency) */
  workers?: number;
  /** The wasm build the workers load. @defaultValue the build loaded on this thread by `init()` */
  variant?: Variant;
  /**
   * Where the worker script is.
   * @defaultValue the package's worker: `worker.js` next to this bundle (Node, Deno, Bun), or in the
   * browser build `new URL('./browser-worker.js', import.meta.url)`, which bundlers emit with the app
   */
  workerUrl?: URL | string;
  /**
   * The wasm binary the workers load, for when they cannot find it themselves: a compiled
   * `WebAssembly.Module` (structured-cloned to each worker, not downloaded again), or its URL.
   * It must be the build of `variant`.
   * @defaultValue in the browser build, the module this thread's `init()` compiled; elsewhere
   * each worker loads the packaged binary of `variant` next to its script
   */
  wasm?: CompiledWasmModule | URL | string;
}

type WorkerLike = HostWorker;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** The worker the request was posted to: its failure rejects this call. */
  worker: WorkerLike;
}

interface Slot {
  worker: WorkerLike;
  /** False from the moment the worker is seen to fail (or is terminated). */
  alive: boolean;
  /** Bumped whenever the slot's worker fails: its replicas' saved activations are gone. */
  generation: number;
  /** While a replacement worker is being started and given the layers; calls wait for it. */
  restoring: Promise<void> | undefined;
}

/** @internal What the pool needs to rebuild a layer's replica on a replacement worker. */
export interface LayerRecord {
  readonly cell: CellKind;
  readonly options: WireOptions;
  /** Weights were loaded: the seed no longer reproduces them. */
  loaded: boolean;
  /** Why the layer's replicas are gone, once they are. */
  lost: string | undefined;
}

/** Internal test hooks, reachable as `pool[Symbol.for('wasm-rnn.WorkerPool.testHooks')]`. */
const TEST_HOOKS = Symbol.for('wasm-rnn.WorkerPool.testHooks');

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  const m = (error as { message?: unknown } | null)?.message;
  return typeof m === 'string' && m !== '' ? m : String(error);
}

export class WorkerPool {
  readonly #slots: Slot[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #layers = new Map<number, LayerRecord>();
  readonly #newWorker: () => HostWorker;
  /** What each worker's `init` request carries as its `wasm` option. */
  readonly #wasm: CompiledWasmModule | URL | string | undefined;
  #nextId = 1;
  #nextLayer = 1;
  #started = false;
  #terminated = false;
  #broken: string | undefined;
  /** The wasm build every worker runs. */
  readonly variant: Variant;

  private constructor(variant: Variant, newWorker: () => HostWorker, wasm: CompiledWasmModule | URL | string | undefined) {
    this.variant = variant;
    this.#newWorker = newWorker;
    this.#wasm = wasm;
    Object.defineProperty(this, TEST_HOOKS, {
      enumerable: false,
      value: Object.freeze({
        /** The worker object of slot `index` (to fail it behind the pool's back). */
        worker: (index: number): unknown => this.#slots[index]?.worker,
        /** Calls posted to a worker and not yet settled. */
        pendingCalls: (): number => this.#pending.size,
      }),
    });
  }

  /** Starts the workers and loads the wasm core in each (and on this thread, for gradient sums). */
  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const { variant } = await init(options.variant === undefined ? {} : { variant: options.variant });
    const count = options.workers ?? (await defaultWorkerCount());
    if (!Number.isInteger(count) || count < 1) {
      throw new WasmRnnError('E_ARGUMENT', `WorkerPool.create: workers must be an integer ≥ 1, got ${count}`);
    }
    const given = options.wasm ?? (SHARE_MODULE_WITH_WORKERS ? loadedModule() : undefined);
    // A URL object does not survive structured cloning (it arrives as {}): send its text.
    const wasm = given instanceof URL ? given.href : given;
    const pool = new WorkerPool(variant, await workerStarter(options.workerUrl), wasm);
    try {
      for (let i = 0; i < count; i++) pool.#slots.push({ worker: pool.#spawn(i), alive: true, generation: 0, restoring: undefined });
      await Promise.all(pool.#slots.map((_, i) => pool.#send(i, pool.#initRequest())));
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    pool.#started = true;
    return pool;
  }

  /** The first request every worker (also a replacement) gets. */
  #initRequest(): Request {
    return this.#wasm === undefined ? { op: 'init', variant: this.variant } : { op: 'init', variant: this.variant, wasm: this.#wasm };
  }

  /** A new worker for slot `index`, its listeners attached (the slot is not touched). */
  #spawn(index: number): WorkerLike {
    const w = this.#newWorker();
    const onMessage = (data: unknown): void => {
      const response = data as ResponseEnvelope;
      const pending = this.#pending.get(response?.id);
      if (pending === undefined) return;
      this.#pending.delete(response.id);
      this.#keepAlive();
      if (response.ok) pending.resolve(response.value);
      else pending.reject(new WasmRnnError(response.code as WasmRnnErrorCode, response.message));
    };
    const fail = (what: string) => (detail: unknown) => this.#fail(index, w, `${what}: ${messageOf(detail)}`);
    if (w.on) {
      w.on('message', onMessage);
      w.on('error', fail('failed'));
      w.on('messageerror', fail('sent a message that could not be read'));
      w.on('exit', (code) => this.#fail(index, w, `exited (exit code ${String(code)})`));
      w.unref?.(); // an idle pool does not keep the process alive (see #keepAlive)
    } else {
      w.addEventListener?.('message', (event) => onMessage((event as MessageEvent).data));
      w.addEventListener?.('error', (event) => {
        const e = event as ErrorEvent;
        this.#fail(index, w, `failed: ${e.message || (e.error === undefined ? 'its script could not be loaded or threw' : messageOf(e.error))}`);
      });
      w.addEventListener?.('messageerror', () => this.#fail(index, w, 'sent a message that could not be read'));
    }
    return w;
  }

  /** Worker `w` of slot `index` failed: reject what it held, then replace it (or, while starting, let create() fail). */
  #fail(index: number, w: WorkerLike, reason: string): void {
    const slot = this.#slots[index];
    if (this.#terminated || slot === undefined || slot.worker !== w || !slot.alive) return; // stale, or terminated by us
    slot.alive = false;
    slot.generation++;
    const error = new WasmRnnError('E_WORKER', `WorkerPool: worker ${index} ${reason}; the calls it was running are lost`);
    for (const [id, p] of this.#pending) {
      if (p.worker !== w) continue;
      this.#pending.delete(id);
      p.reject(error);
    }
    this.#stop(w);
    this.#keepAlive();
    // Before create() finished, create() fails; during a replacement, #replace sees its own
    // calls fail and breaks the pool (a replacement that dies does not get replaced in turn).
    if (!this.#started || this.#broken !== undefined || slot.restoring !== undefined) return;
    const restoring = this.#replace(index, `worker ${index} ${reason}`);
    slot.restoring = restoring;
    void restoring.finally(() => {
      if (slot.restoring === restoring) slot.restoring = undefined;
    });
  }

  /** Starts a replacement in slot `index` and rebuilds the replicas of the layers that existed when it failed. Never rejects. */
  async #replace(index: number, reason: string): Promise<void> {
    const slot = this.#slots[index]!;
    const layers = [...this.#layers];
    try {
      slot.worker = this.#spawn(index);
      slot.alive = true;
      await this.#send(index, this.#initRequest());
      for (const [id, record] of layers) {
        if (!this.#layers.has(id) || record.lost !== undefined) continue;
        let state: Record<string, WireTensor> | undefined;
        if (record.loaded) {
          state = await this.#stateFromSurvivor(index, id);
          if (state === undefined) {
            record.lost = `its replicas were lost: ${reason}, and no other worker held its loaded weights`;
            continue;
          }
        }
        try {
          await this.#send(index, { op: 'create', layer: id, cell: record.cell, options: record.options });
          if (state !== undefined) await this.#send(index, { op: 'load', layer: id, state, strict: true });
        } catch (e) {
          if (!slot.alive || this.#terminated) throw e; // the replacement failed
          record.lost = `its replica could not be rebuilt after ${reason}: ${messageOf(e)}`;
        }
      }
    } catch (e) {
      if (!this.#terminated) this.#break(`${reason}, and its replacement failed: ${messageOf(e)}`);
    }
  }

  /** Layer `id`'s weights from a worker other than `index` that is alive and not being replaced. */
  async #stateFromSurvivor(index: number, id: number): Promise<Record<string, WireTensor> | undefined> {
    for (let j = 0; j < this.#slots.length; j++) {
      const s = this.#slots[j]!;
      if (j === index || !s.alive || s.restoring !== undefined) continue;
      try {
        return (await this.#send(j, { op: 'state', layer: id })) as Record<string, WireTensor>;
      } catch {
        // That one failed too (or no longer has the layer): try the next.
      }
    }
    return undefined;
  }

  /** No worker can be replaced: every pending and later call rejects with E_WORKER. */
  #break(reason: string): void {
    if (this.#broken !== undefined || this.#terminated) return;
    this.#broken = reason;
    const error = this.#unusable()!;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    for (const slot of this.#slots) {
      if (!slot.alive) continue;
      slot.alive = false;
      this.#stop(slot.worker);
    }
  }

  #stop(w: WorkerLike): void {
    try {
      void Promise.resolve(w.terminate()).catch(() => undefined);
    } catch {
      // already gone
    }
  }

  /** Node: workers keep the process alive exactly while calls are pending. */
  #keepAlive(): void {
    const busy = this.#pending.size > 0;
    for (const { worker, alive } of this.#slots) if (alive) (busy ? worker.ref : worker.unref)?.call(worker);
  }

  /** The error every call gets now, if any: E_DISPOSED after terminate(), E_WORKER once broken. */
  #unusable(): WasmRnnError | undefined {
    if (this.#terminated) return new WasmRnnError('E_DISPOSED', 'WorkerPool was terminated');
    if (this.#broken !== undefined) return new WasmRnnError('E_WORKER', `WorkerPool is broken: ${this.#broken}; terminate it and create a new pool`);
    return undefined;
  }

  /** Posts one request to slot `index`'s current worker. */
  #send(index: number, request: Request, transfer: object[] = []): Promise<unknown> {
    const unusable = this.#unusable();
    if (unusable !== undefined) return Promise.reject(unusable);
    const slot = this.#slots[index];
    if (slot === undefined) return Promise.reject(new WasmRnnError('E_ARGUMENT', `WorkerPool: no worker ${index} (the pool has ${this.#slots.length})`));
    if (!slot.alive) return Promise.reject(new WasmRnnError('E_WORKER', `WorkerPool: worker ${index} is not running`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const worker = slot.worker;
      this.#pending.set(id, { resolve, reject, worker });
      try {
        worker.postMessage({ id, request }, transfer);
      } catch (e) {
        this.#pending.delete(id);
        reject(new WasmRnnError('E_ARGUMENT', `WorkerPool: the '${String(request?.op)}' request could not be sent to a worker: ${messageOf(e)}`));
      }
      this.#keepAlive();
    });
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * @internal Sends one request to worker `index` (after its replacement, if one is starting).
   * Rejects with E_DISPOSED after terminate(), E_WORKER if the worker fails or the pool is
   * broken, E_ARGUMENT if the request cannot be cloned.
   */
  call(index: number, request: Request, transfer: object[] = []): Promise<unknown> {
    const restoring = this.#unusable() === undefined ? this.#slots[index]?.restoring : undefined;
    if (restoring !== undefined) return restoring.then(() => this.call(index, request, transfer));
    return this.#send(index, request, transfer);
  }

  /** @internal The error every call gets now (terminated: E_DISPOSED; broken: E_WORKER), if any. */
  unusable(): WasmRnnError | undefined {
    return this.#unusable();
  }

  /** @internal Changes whenever worker `index` is replaced (its replicas' saved activations are gone). */
  generation(index: number): number {
    return this.#slots[index]?.generation ?? -1;
  }

  /** @internal A fresh layer id. */
  layerId(): number {
    return this.#nextLayer++;
  }

  /** @internal Registers a layer so that replacement workers rebuild its replica. */
  registerLayer(id: number, record: LayerRecord): void {
    this.#layers.set(id, record);
  }

  /** @internal */
  unregisterLayer(id: number): void {
    this.#layers.delete(id);
  }

  /** @internal dst += src, computed by this thread's wasm instance. */
  addInto(dst: Float32Array, src: Float32Array): void {
    bindings().add_assign(dst, src);
  }

  /** An RNN replicated on every worker; options as `new RNN(…)` (validated here, before anything is sent). */
  rnn(options: ParallelLayerOptions): Promise<ParallelLayer> {
    return ParallelLayer.create(this, 'rnn', options);
  }
  /** An LSTM replicated on every worker; options as `new LSTM(…)`. */
  lstm(options: ParallelLayerOptions): Promise<ParallelLayer> {
    return ParallelLayer.create(this, 'lstm', options);
  }
  /** A GRU replicated on every worker; options as `new GRU(…)`. */
  gru(options: ParallelLayerOptions): Promise<ParallelLayer> {
    return ParallelLayer.create(this, 'gru', options);
  }

  /** Stops the workers; pending calls reject with E_DISPOSED, later ones too. Calling it again is a no-op. */
  async terminate(): Promise<void> {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const p of this.#pending.values()) p.reject(new WasmRnnError('E_DISPOSED', 'WorkerPool was terminated'));
    this.#pending.clear();
    this.#layers.clear();
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.alive = false;
        try {
          await slot.worker.terminate();
        } catch {
          // already gone
        }
      }),
    );
  }
}

export type { CellKind };
