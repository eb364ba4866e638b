/**
 * A layer replicated on every worker of a WorkerPool; the batch is split across replicas.
 *
 * Everything is validated on the calling thread before anything is sent, with the codes and
 * messages of the single layer (prefixed `Parallel `): options (E_CONFIG, including unknown and
 * non-data options, which could not be sent), x, h0, c0, `training`, the upstream gradients
 * against the pending training forward, and state dicts. A rejected call changes nothing: a
 * rejected backward leaves the pending training forward in place, and an inference forward keeps
 * it too (as in the single layer); loading weights drops it (its activations belong to the old
 * weights). See pool.ts for what happens when a worker fails.
 */
import type { LoadStateDictOptions, RecurrentOptions } from '../layers/recurrent';
import { nextDefaultSeed } from '../layers/seed';
import { WasmRnnError } from '../errors';
import { checkTensor, describe, type Tensor } from '../tensor';
import { batchRanges, concatAxis, sliceAxis } from './batch';
import type { CellKind, ParamShapes, WireOptions, WireTensor } from './protocol';
import type { LayerRecord, WorkerPool } from './pool';

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

/** What a training forward left on the replicas, until a backward consumes it. */
interface TrainingForward {
  /** Batch rows per worker (worker i ran ranges[i]). */
  ranges: Array<[number, number]>;
  /** The workers' generations when it was sent: a worker replaced since then lost its part. */
  generations: number[];
  inputShape: number[];
  seq: number;
  batch: number;
}

const CLASS_NAMES: Readonly<Record<CellKind, string>> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };
const COMMON_OPTIONS = ['inputSize', 'hiddenSize', 'numLayers', 'bidirectional', 'bias', 'batchFirst', 'seed'] as const;

/** A value for a message: numbers and strings as written, anything else by type. */
function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? JSON.stringify(v) : describe(v);
}

/**
 * Validates the options of `pool.<cell>(…)` as the single layer's constructor does, and also
 * rejects what the single layer would ignore but a worker could not receive: unknown names and
 * values that are not plain data. Returns a fresh plain object (what is sent to the workers).
 */
function resolveOptions(cell: CellKind, options: unknown): WireOptions {
  const where = `WorkerPool.${cell}`;
  const cls = CLASS_NAMES[cell];
  const config = (message: string) => new WasmRnnError('E_CONFIG', `${where}: ${message}`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw config(`options must be an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  // The single layers' options; projSize: 0 is accepted by all three (as by PyTorch).
  const known: readonly string[] = [...COMMON_OPTIONS, ...(cell === 'rnn' ? ['nonlinearity'] : []), ...(cell === 'lstm' ? ['projSize'] : [])];
  for (const key of Object.keys(o)) {
    if (known.includes(key) || key === 'projSize') continue;
    if (key === 'nonlinearity') throw config(`nonlinearity is only supported by RNN (${cls} has no nonlinearity option)`);
    throw config(`unknown option ${JSON.stringify(key)} (${show(o[key])}); ${cls} options: ${known.join(', ')}`);
  }
  const int = (name: string, fallback: number | undefined, min: number, max = 2 ** 31 - 1): number => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw config(`${name} must be an integer in ${min}..${max}, got ${show(v)}`);
    return v;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'boolean') throw config(`${name} must be a boolean, got ${show(v)}`);
    return v;
  };
  const resolved: WireOptions = {
    inputSize: int('inputSize', undefined, 1),
    hiddenSize: int('hiddenSize', undefined, 1),
    numLayers: int('numLayers', 1, 1),
    bidirectional: bool('bidirectional', false),
    bias: bool('bias', true),
    batchFirst: bool('batchFirst', false),
    seed: 0,
  };
  const projSize = int('projSize', 0, 0);
  if (cell === 'lstm') {
    if (projSize > 0 && projSize >= resolved.hiddenSize) throw config(`projSize (${projSize}) must be smaller than hiddenSize (${resolved.hiddenSize})`);
    resolved.projSize = projSize;
  } else if (projSize !== 0) {
    throw config('projSize is only supported by LSTM');
  }
  if (cell === 'rnn') {
    const nonlinearity = o.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw config(`nonlinearity must be 'tanh' or 'relu', got ${show(nonlinearity)}`);
    resolved.nonlinearity = nonlinearity;
  }
  // Every replica must start from the same weights: fix the seed here (last, so that rejected
  // options do not advance the library-wide sequence).
  resolved.seed = o.seed === undefined ? nextDefaultSeed() : int('seed', undefined, 0, 2 ** 32 - 1);
  return resolved;
}

/** A Float32Array that clones only its own elements (a view into a larger buffer would clone all of it). */
function compact(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

export class ParallelLayer {
  readonly #pool: WorkerPool;
  readonly #id: number;
  readonly #record: LayerRecord;
  /** Parameter shapes by PyTorch name, in PyTorch's order. */
  readonly #params: ReadonlyMap<string, number[]>;
  /** `Parallel LSTM` etc.: the prefix of every error message. */
  readonly #name: string;
  #training: TrainingForward | undefined;
  #disposed = false;

  readonly cell: CellKind;
  /** The validated options (with the seed every replica was built from). */
  readonly options: Readonly<ParallelLayerOptions>;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** LSTM projection size; 0 otherwise. */
  readonly projSize: number;
  readonly seed: number;

  private constructor(pool: WorkerPool, id: number, cell: CellKind, options: WireOptions, params: ParamShapes, record: LayerRecord) {
    this.#pool = pool;
    this.#id = id;
    this.#record = record;
    this.#params = new Map(params);
    this.#name = `Parallel ${CLASS_NAMES[cell]}`;
    this.cell = cell;
    this.options = Object.freeze({ ...options });
    this.inputSize = options.inputSize;
    this.hiddenSize = options.hiddenSize;
    this.numLayers = options.numLayers;
    this.bidirectional = options.bidirectional;
    this.bias = options.bias;
    this.batchFirst = options.batchFirst;
    this.projSize = options.projSize ?? 0;
    this.seed = options.seed;
  }

  /**
   * @internal Use `pool.lstm(…)`, `pool.gru(…)` or `pool.rnn(…)`. Options are validated here
   * (E_CONFIG) before anything is sent.
   */
  static async create(pool: WorkerPool, cell: CellKind, options: ParallelLayerOptions): Promise<ParallelLayer> {
    const unusable = pool.unusable();
    if (unusable !== undefined) throw unusable;
    const resolved = resolveOptions(cell, options);
    const id = pool.layerId();
    // Registered from the start, so that a worker replaced while this runs rebuilds it too.
    const record: LayerRecord = { cell, options: resolved, loaded: false, lost: undefined };
    pool.registerLayer(id, record);
    const all = Array.from({ length: pool.size }, (_, i) => i);
    let params: ParamShapes;
    try {
      params = (await Promise.all(all.map((i) => pool.call(i, { op: 'create', layer: id, cell, options: resolved }))))[0] as ParamShapes;
    } catch (e) {
      pool.unregisterLayer(id);
      await Promise.all(all.map((i) => pool.call(i, { op: 'dispose', layer: id }).catch(() => undefined)));
      throw e;
    }
    return new ParallelLayer(pool, id, cell, resolved, params, record);
  }

  /** Directions: 2 when bidirectional. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }
  /** Size of h: projSize for a projected LSTM, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }
  /** False after dispose(), after the pool was terminated or broke, or once the replicas were lost. */
  get alive(): boolean {
    return !this.#disposed && this.#pool.unusable() === undefined && this.#record.lost === undefined;
  }
  /** Parameter names in PyTorch's order. */
  parameterNames(): string[] {
    return [...this.#params.keys()];
  }

  /** Throws what any call would reject with now: E_DISPOSED (layer disposed, pool terminated), E_WORKER (pool broken, replicas lost). */
  #check(): void {
    const unusable = this.#pool.unusable();
    if (unusable?.code === 'E_DISPOSED') throw new WasmRnnError('E_DISPOSED', `${this.#name}: its WorkerPool was terminated`);
    if (this.#disposed) throw new WasmRnnError('E_DISPOSED', `${this.#name} was disposed; create a new layer`);
    if (unusable !== undefined) throw unusable;
    if (this.#record.lost !== undefined) throw new WasmRnnError('E_WORKER', `${this.#name}: ${this.#record.lost}; dispose it and create the layer again`);
  }

  #workers(): number[] {
    return Array.from({ length: this.#pool.size }, (_, i) => i);
  }

  /** Loads the same parameters into every replica; validated like `layer.loadStateDict` first. */
  async loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): Promise<void> {
    this.#check();
    const where = `${this.#name}.loadStateDict`;
    if (state === null || typeof state !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: expected an object of tensors, got ${describe(state)}`);
    }
    const expected = this.parameterNames();
    const unknown = Object.keys(state).filter((k) => !this.#params.has(k));
    if (unknown.length > 0) {
      throw new WasmRnnError('E_PARAM_NAME', `${where}: unknown parameter name(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected names: ${expected.join(', ')}`);
    }
    // Own properties only, as the single layer (an inherited key is missing).
    const missing = expected.filter((k) => !Object.prototype.hasOwnProperty.call(state, k));
    if ((options?.strict ?? true) && missing.length > 0) {
      throw new WasmRnnError('E_PARAM_NAME', `${where}: missing parameter(s) ${missing.join(', ')} (pass { strict: false } to load a subset)`);
    }
    const wire: Record<string, WireTensor> = {};
    for (const [name, value] of Object.entries(state)) {
      const shape = this.#params.get(name)!;
      try {
        checkTensor(value, `${where}: ${name}`, shape);
      } catch (e) {
        if (e instanceof WasmRnnError && e.code === 'E_SHAPE') throw new WasmRnnError('E_PARAM_SIZE', e.message);
        throw e;
      }
      wire[name] = { data: compact(value.data), shape: [...shape] };
    }
    if (Object.keys(wire).length === 0) return;
    // The replicas' saved activations belong to the old weights (the single layer drops them too).
    this.#training = undefined;
    this.#record.loaded = true;
    await Promise.all(this.#workers().map((i) => this.#pool.call(i, { op: 'load', layer: this.#id, state: wire, strict: false })));
  }

  /** The parameters (of the first replica; all are equal). */
  async stateDict(): Promise<Record<string, Tensor>> {
    this.#check();
    return (await this.#pool.call(0, { op: 'state', layer: this.#id })) as Record<string, Tensor>;
  }

  /** Like `layer.forward`, with the batch split across the workers. */
  async forward(x: Tensor, options: { h0?: Tensor; c0?: Tensor; training?: boolean } = {}): Promise<ParallelForwardResult> {
    this.#check();
    const cls = CLASS_NAMES[this.cell];
    const where = `${this.#name}.forward`;
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: options must be an object, got ${describe(options)}`);
    }
    const { h0, c0 } = options;
    if (c0 !== undefined && this.cell !== 'lstm') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: c0 is only accepted by LSTM (${cls} has no cell state)`);
    }
    const shape = checkTensor(x, `${where}: x (${this.batchFirst ? '[batch, seq, inputSize]' : '[seq, batch, inputSize]'})`, [null, null, this.inputSize]);
    const [seq, batch] = this.batchFirst ? [shape[1]!, shape[0]!] : [shape[0]!, shape[1]!];
    const states = this.numLayers * this.numDirections;
    if (h0 !== undefined) checkTensor(h0, `${where}: h0`, [states, batch, this.outputSize]);
    if (c0 !== undefined) checkTensor(c0, `${where}: c0`, [states, batch, this.hiddenSize]);
    const training = options.training ?? false;
    if (typeof training !== 'boolean') throw new WasmRnnError('E_ARGUMENT', `${where}: training must be a boolean, got ${describe(training)}`);

    const axis = this.batchFirst ? 0 : 1;
    const ranges = batchRanges(batch, this.#pool.size);
    const part = (t: Tensor | undefined, ax: 0 | 1, [s, e]: [number, number]): WireTensor | undefined => (t === undefined ? undefined : sliceAxis(t, ax, s, e));
    const generations = ranges.map((_, i) => this.#pool.generation(i));
    const calls = ranges.map((r, i) =>
      this.#pool.call(i, { op: 'forward', layer: this.#id, x: sliceAxis(x, axis, r[0], r[1]), h0: part(h0, 1, r), c0: part(c0, 1, r), training }),
    );
    // Recorded when sent (each worker handles its requests in order, so a backward sent now
    // follows this forward); an inference forward leaves the pending training forward alone.
    let pending: TrainingForward | undefined;
    if (training) this.#training = pending = { ranges, generations, inputShape: [...shape], seq, batch };
    let results: ParallelForwardResult[];
    try {
      results = (await Promise.all(calls)) as ParallelForwardResult[];
    } catch (e) {
      // Some replicas may have saved this forward's activations and others not.
      if (pending !== undefined && this.#training === pending) this.#training = undefined;
      throw e;
    }
    const out: ParallelForwardResult = {
      output: concatAxis(results.map((r) => r.output), axis),
      hN: concatAxis(results.map((r) => r.hN), 1),
    };
    if (results[0]!.cN !== undefined) out.cN = concatAxis(results.map((r) => r.cN!), 1);
    return out;
  }

  /**
   * Like `layer.backward`; parameter gradients are summed over the replicas. The gradients are
   * checked against the pending training forward first; a rejected call keeps it.
   */
  async backward(grads: { output?: Tensor; hN?: Tensor; cN?: Tensor } = {}): Promise<ParallelGradients> {
    this.#check();
    const cls = CLASS_NAMES[this.cell];
    const where = `${this.#name}.backward`;
    const lstm = this.cell === 'lstm';
    if (grads === null || typeof grads !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: expected { output?, hN?${lstm ? ', cN?' : ''} }, got ${describe(grads)}`);
    }
    const { output, hN, cN } = grads;
    if (cN !== undefined && !lstm) {
      throw new WasmRnnError('E_ARGUMENT', `${where}: a cN gradient is only accepted by LSTM (${cls} has no cell state)`);
    }
    const pending = this.#training;
    if (pending === undefined) {
      throw new WasmRnnError('E_NO_TRAINING_FORWARD', `${where}: call forward(x, { training: true }) first; each backward() consumes the activations saved by one training forward`);
    }
    if (pending.generations.some((g, i) => this.#pool.generation(i) !== g)) {
      this.#training = undefined;
      throw new WasmRnnError('E_NO_TRAINING_FORWARD', `${where}: the activations of the last training forward were lost with a worker that failed; run forward(x, { training: true }) again`);
    }
    const { seq, batch, ranges } = pending;
    const width = this.numDirections * this.outputSize;
    const states = this.numLayers * this.numDirections;
    if (output !== undefined) checkTensor(output, `${where}: output gradient`, this.batchFirst ? [batch, seq, width] : [seq, batch, width]);
    if (hN !== undefined) checkTensor(hN, `${where}: hN gradient`, [states, batch, this.outputSize]);
    if (cN !== undefined) checkTensor(cN, `${where}: cN gradient`, [states, batch, this.hiddenSize]);

    this.#training = undefined; // consumed, whatever the workers answer
    const axis = this.batchFirst ? 0 : 1;
    const part = (t: Tensor | undefined, ax: 0 | 1, [s, e]: [number, number]): WireTensor | undefined => (t === undefined ? undefined : sliceAxis(t, ax, s, e));
    const results = (await Promise.all(
      ranges.map((r, i) => this.#pool.call(i, { op: 'backward', layer: this.#id, output: part(output, axis, r), hN: part(hN, 1, r), cN: part(cN, 1, r) })),
    )) as ParallelGradients[];
    const params = results[0]!.params;
    for (const other of results.slice(1)) {
      for (const [name, g] of Object.entries(other.params)) this.#pool.addInto(params[name]!.data, g.data);
    }
    const out: ParallelGradients = { input: concatAxis(results.map((r) => r.input), axis), h0: concatAxis(results.map((r) => r.h0), 1), params };
    if (results[0]!.c0 !== undefined) out.c0 = concatAxis(results.map((r) => r.c0!), 1);
    return out;
  }

  /** Frees the replicas. Later calls reject with E_DISPOSED; disposing again (or after `pool.terminate()`) is a no-op. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#training = undefined;
    this.#pool.unregisterLayer(this.#id);
    if (this.#pool.unusable() !== undefined) return;
    await Promise.all(this.#workers().map((i) => this.#pool.call(i, { op: 'dispose', layer: this.#id }).catch(() => undefined)));
  }
}
