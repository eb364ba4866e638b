/** A layer replicated on every worker of a WorkerPool; the batch is split across replicas. */
import type { RecurrentOptions } from '../layers/recurrent';
import { nextDefaultSeed } from '../layers/seed';
import { WasmRnnError } from '../errors';
import { checkTensor, type Tensor } from '../tensor';
import { batchRanges, concatAxis, sliceAxis } from './batch';
import type { CellKind, WireTensor } from './protocol';
import type { WorkerPool } from './pool';

/** The options of RNN, LSTM or GRU (`nonlinearity` for RNN, `projSize` for LSTM). */
export interface ParallelLayerOptions extends RecurrentOptions {
  /** RNN only. @defaultValue 'tanh' */
  nonlinearity?: 'tanh' | 'relu';
  /** LSTM only. @defaultValue 0 */
  projSize?: number;
}

export interface ParallelForwardResult {
  output: Tensor;
  hN: Tensor;
  /** LSTM only. */
  cN?: Tensor;
}

export interface ParallelGradients {
  input: Tensor;
  h0: Tensor;
  /** LSTM only. */
  c0?: Tensor;
  /** Summed over the replicas: the gradient of the whole batch. */
  params: Record<string, Tensor>;
}

interface Split {
  ranges: Array<[number, number]>;
}

export class ParallelLayer {
  readonly #pool: WorkerPool;
  readonly #id: number;
  readonly cell: CellKind;
  readonly options: Readonly<ParallelLayerOptions>;
  #lastSplit: Split | undefined;
  #disposed = false;

  private constructor(pool: WorkerPool, id: number, cell: CellKind, options: ParallelLayerOptions) {
    this.#pool = pool;
    this.#id = id;
    this.cell = cell;
    this.options = options;
  }

  /** @internal Use `pool.lstm(…)`, `pool.gru(…)` or `pool.rnn(…)`. */
  static async create(pool: WorkerPool, cell: CellKind, options: ParallelLayerOptions): Promise<ParallelLayer> {
    // Every replica must start from the same weights: fix the seed here.
    const resolved = { ...options, seed: options?.seed ?? nextDefaultSeed() };
    const layer = new ParallelLayer(pool, pool.layerId(), cell, resolved);
    await Promise.all(Array.from({ length: pool.size }, (_, i) => pool.call(i, { op: 'create', layer: layer.#id, cell, options: resolved })));
    return layer;
  }

  #check(): void {
    if (this.#disposed) throw new WasmRnnError('E_DISPOSED', `Parallel ${this.cell} layer was disposed`);
  }

  get #batchAxis(): 0 | 1 {
    return this.options.batchFirst ? 0 : 1;
  }

  /** Loads the same parameters into every replica. */
  async loadStateDict(state: Record<string, Tensor>): Promise<void> {
    this.#check();
    await Promise.all(Array.from({ length: this.#pool.size }, (_, i) => this.#pool.call(i, { op: 'load', layer: this.#id, state })));
  }

  /** The parameters (of the first replica; all are equal). */
  async stateDict(): Promise<Record<string, Tensor>> {
    this.#check();
    return (await this.#pool.call(0, { op: 'state', layer: this.#id })) as Record<string, Tensor>;
  }

  /** Like `layer.forward`, with the batch split across the workers. */
  async forward(x: Tensor, options: { h0?: Tensor; c0?: Tensor; training?: boolean } = {}): Promise<ParallelForwardResult> {
    this.#check();
    const shape = checkTensor(x, `Parallel ${this.cell}.forward: x`, [null, null, this.options.inputSize]);
    const axis = this.#batchAxis;
    const ranges = batchRanges(shape[axis]!, this.#pool.size);
    const part = (t: Tensor | undefined, ax: 0 | 1, [s, e]: [number, number]): WireTensor | undefined => (t === undefined ? undefined : sliceAxis(t, ax, s, e));
    const results = (await Promise.all(
      ranges.map((r, i) =>
        this.#pool.call(i, { op: 'forward', layer: this.#id, x: sliceAxis(x, axis, r[0], r[1]), h0: part(options.h0, 1, r), c0: part(options.c0, 1, r), training: options.training ?? false }),
      ),
    )) as ParallelForwardResult[];
    if (options.training) this.#lastSplit = { ranges };
    const out: ParallelForwardResult = {
      output: concatAxis(results.map((r) => r.output), axis),
      hN: concatAxis(results.map((r) => r.hN), 1),
    };
    if (results[0]!.cN !== undefined) out.cN = concatAxis(results.map((r) => r.cN!), 1);
    return out;
  }

  /** Like `layer.backward`; parameter gradients are summed over the replicas. */
  async backward(grads: { output?: Tensor; hN?: Tensor; cN?: Tensor } = {}): Promise<ParallelGradients> {
    this.#check();
    const split = this.#lastSplit;
    if (split === undefined) {
      throw new WasmRnnError('E_NO_TRAINING_FORWARD', `Parallel ${this.cell}.backward: call forward(x, { training: true }) first`);
    }
    this.#lastSplit = undefined;
    const axis = this.#batchAxis;
    const part = (t: Tensor | undefined, ax: 0 | 1, [s, e]: [number, number]): WireTensor | undefined => (t === undefined ? undefined : sliceAxis(t, ax, s, e));
    const results = (await Promise.all(
      split.ranges.map((r, i) => this.#pool.call(i, { op: 'backward', layer: this.#id, output: part(grads.output, axis, r), hN: part(grads.hN, 1, r), cN: part(grads.cN, 1, r) })),
    )) as ParallelGradients[];
    const params = results[0]!.params;
    for (const other of results.slice(1)) {
      for (const [name, g] of Object.entries(other.params)) this.#pool.addInto(params[name]!.data, g.data);
    }
    const out: ParallelGradients = { input: concatAxis(results.map((r) => r.input), axis), h0: concatAxis(results.map((r) => r.h0), 1), params };
    if (results[0]!.c0 !== undefined) out.c0 = concatAxis(results.map((r) => r.c0!), 1);
    return out;
  }

  /** Frees the replicas. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.all(Array.from({ length: this.#pool.size }, (_, i) => this.#pool.call(i, { op: 'dispose', layer: this.#id }).catch(() => undefined)));
  }
}
