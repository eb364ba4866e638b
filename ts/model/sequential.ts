/**
 * A stack of layers trained as one model: the weights, gradients and optimizer state live in
 * one wasm arena, and `trainStep` (forward, loss, BPTT, clipping, update) is one call into
 * wasm. State dicts use PyTorch's nn.Sequential names ("<index>.<param>").
 */
import { bindings } from '../backend/init';
import { isTrap, recoverFromTrap, rememberStackBase } from '../backend/trap';
import { WasmRnnError, fromWasmError } from '../errors';
import { GRU } from '../layers/gru';
import { LSTM } from '../layers/lstm';
import { MERGE_MODES, type MergeMode, type RecurrentLayer } from '../layers/recurrent';
import { RNN } from '../layers/rnn';
import { nextDefaultSeed } from '../layers/seed';
import { type Tensor, checkTensor, describe, tensor } from '../tensor';
import { ACTIVATION_TYPES, Activation, Dense, Dropout, Embedding, LayerNorm } from './layers';
import { type LossSpec, type ResolvedLoss, encodeLoss, resolveLoss } from './losses';
import type { Optimizer } from './optimizers';
import { type FitOptions, type History, fitModel } from './fit';
import { saveModel } from './persist';
import { swapLeadingAxes } from './layout';
import { onnxExporter } from './exporters';
import type { Preprocessor } from '../data';
import { parallelTrainStep, disposeReplicas } from './parallel';
import type { WorkerPool } from '../parallel/pool';

type Bindings = ReturnType<typeof bindings>;

/** Any layer a Sequential takes. */
export type Layer = Embedding | Dense | LayerNorm | Dropout | Activation | LSTM | GRU | RNN;

/** A layer as plain data (the architecture saved with a model). */
export type LayerConfig = { type: string } & Record<string, unknown>;

export interface SequentialOptions {
  /** Fixes initialization, dropout masks and shuffling, bit for bit per wasm variant. @defaultValue the library's seed sequence */
  seed?: number;
  /**
   * Inputs, targets and outputs are batch-first ([B, T, F], Int32 ids [B, T]) as in Keras and
   * PyTorch's `batch_first=True`; the model swaps the two axes at its boundary (copies) and
   * computes time-major. States, `lengths` and `step`'s [B, F] are the same in both layouts.
   * @defaultValue false
   */
  batchFirst?: boolean;
}

export interface CompileOptions {
  loss: LossSpec;
  optimizer: Optimizer;
  /** Scale gradients to this global L2 norm at most (torch's clip_grad_norm_). */
  clipGradNorm?: number;
  /** Clamp every gradient to [−v, v] (torch's clip_grad_value_). */
  clipGradValue?: number;
}

/** Recurrent states by name ("<index>.h", and "<index>.c" for an LSTM), each [L·D, B, O|H]. */
export type ModelState = Record<string, Float32Array>;

/** Ids (Int32) or features (Float32), as tensors. */
export type ModelInput = Tensor | { data: Int32Array; shape: number[] };

const ENCODED_SLOTS = 12;
const CELL_CODES: Record<string, number> = { rnn_tanh: 0, rnn_relu: 1, lstm: 2, gru: 3, gru_reset_before: 4 };

const finalizer: Pick<FinalizationRegistry<number>, 'register' | 'unregister'> =
  typeof FinalizationRegistry === 'undefined'
    ? { register: () => undefined, unregister: () => false }
    : new FinalizationRegistry<number>((handle) => {
        try {
          bindings().model_drop(handle);
        } catch {
          // never throw from a finalizer
        }
      });

/** The architecture of one layer as plain data. */
export function layerConfig(layer: unknown, index: number): LayerConfig {
  if (layer instanceof Embedding || layer instanceof Dense || layer instanceof LayerNorm || layer instanceof Dropout || layer instanceof Activation) return layer.toJSON();
  if (layer instanceof LSTM || layer instanceof GRU || layer instanceof RNN) {
    const r = layer as RecurrentLayer;
    if (r.batchFirst) throw new WasmRnnError('E_CONFIG', `Sequential: layer ${index} has batchFirst: true; a Sequential is time-major ([T, B, F])`);
    const cell = layer instanceof LSTM ? 'lstm' : layer instanceof GRU ? (layer.resetAfter ? 'gru' : 'gru_reset_before') : (layer as RNN).nonlinearity === 'relu' ? 'rnn_relu' : 'rnn_tanh';
    // The type is spelt out, never read from constructor.name: minifiers rename classes.
    const type = layer instanceof LSTM ? 'LSTM' : layer instanceof GRU ? 'GRU' : 'RNN';
    // finalStates and mergeMode only when set: files of models without them stay as they were.
    const common = {
      type, cell, inputSize: r.inputSize, hiddenSize: r.hiddenSize, numLayers: r.numLayers, bidirectional: r.bidirectional, bias: r.bias, projSize: r.projSize, returnSequences: r.returnSequences, dropout: r.dropout,
      ...(r.finalStates ? { finalStates: true } : {}),
      ...(r.mergeMode !== 'concat' ? { mergeMode: r.mergeMode } : {}),
    };
    return layer instanceof GRU ? { ...common, resetAfter: layer.resetAfter } : common;
  }
  throw new WasmRnnError('E_CONFIG', `Sequential: layer ${index} is not a layer of this library (Embedding, LSTM, GRU, RNN, Dense, LayerNorm, Dropout, Activation), got ${describe(layer)}`);
}

/** The wire form of the architecture for wasm: twelve numbers per layer (crates/bindings/src/model.rs). */
function encodeArchitecture(configs: readonly LayerConfig[]): Float64Array {
  const out = new Float64Array(configs.length * ENCODED_SLOTS);
  configs.forEach((c, i) => {
    const slots: number[] = (() => {
      switch (c.type) {
        case 'Embedding':
          return [0, c.numEmbeddings as number, c.embeddingDim as number];
        case 'LSTM':
        case 'GRU':
        case 'RNN':
          // Slot 8: 0 the last step, 1 every step, 2 the final states; slot 10: the merge mode.
          return [1, CELL_CODES[c.cell as string]!, c.inputSize as number, c.hiddenSize as number, c.numLayers as number, c.bidirectional ? 1 : 0, c.bias ? 1 : 0, c.projSize as number, c.finalStates ? 2 : c.returnSequences ? 1 : 0, c.dropout as number, MERGE_MODES.indexOf((c.mergeMode ?? 'concat') as MergeMode)];
        case 'Dense':
          return [2, c.inputSize as number, c.outputSize as number, c.bias ? 1 : 0];
        case 'LayerNorm':
          return [3, c.normalizedShape as number, c.eps as number, c.elementwiseAffine ? 1 : 0];
        case 'Dropout':
          return [4, c.p as number];
        case 'Activation':
          // crates/kernels/src/model/activation.rs: Activation::from_code (code, parameter).
          return [5, ACTIVATION_TYPES.indexOf(c.activation as never), (c.negativeSlope ?? c.alpha ?? 0) as number];
        default:
          throw new WasmRnnError('E_CONFIG', `Sequential: unknown layer type ${JSON.stringify(c.type)}`);
      }
    })();
    out.set(slots, i * ENCODED_SLOTS);
  });
  return out;
}

/** Rebuilds layer objects from their plain-data configs (loadModel). */
export function layerFromConfig(c: LayerConfig): Layer {
  switch (c.type) {
    case 'Embedding':
      return new Embedding(c as never);
    case 'Dense':
      return new Dense(c as never);
    case 'LayerNorm':
      return new LayerNorm(c as never);
    case 'Dropout':
      return new Dropout(c as never);
    case 'Activation':
      return new Activation({ type: c.activation, ...(c.negativeSlope !== undefined ? { negativeSlope: c.negativeSlope } : {}), ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) } as never);
    case 'LSTM':
      return new LSTM(c as never);
    case 'GRU':
      return new GRU({ ...(c as object), resetAfter: c.cell !== 'gru_reset_before' } as never);
    case 'RNN':
      return new RNN({ ...(c as object), nonlinearity: c.cell === 'rnn_relu' ? 'relu' : 'tanh' } as never);
    default:
      throw new WasmRnnError('E_FORMAT', `unknown layer type ${JSON.stringify(c.type)}`);
  }
}

interface ParamInfo {
  index: number;
  shape: number[];
  offset: number;
  size: number;
}

interface Compiled {
  loss: ResolvedLoss;
  optimizer: Optimizer;
  clipGradNorm: number | undefined;
  clipGradValue: number | undefined;
}

/** Options of `trainStep`. */
export interface TrainStepOptions {
  /** Initial recurrent states (truncated BPTT: the previous chunk's final state). */
  states?: ModelState;
  /** Each sequence's length (packed sequences). */
  lengths?: LengthsInput;
  /**
   * Split the batch across this pool's workers (data parallelism): each computes the gradients
   * of its shard, this thread combines them (weighted by each shard's loss terms) and applies
   * one update — the same update as one thread, up to float rounding. Returns a Promise.
   */
  pool?: WorkerPool;
}

/** Each sequence's length: an Int32 tensor [B] (or a plain Int32Array). */
export type LengthsInput = { data: Int32Array; shape: number[] } | Int32Array;

const NO_LENGTHS = new Int32Array(0);

/** Validates packed-sequence lengths: B integers in 1..=seq. */
function checkLengths(lengths: unknown, seq: number, batch: number, where: string): Int32Array {
  if (lengths === undefined) return NO_LENGTHS;
  const data = isInt32(lengths) ? lengths : (lengths as { data?: unknown } | null)?.data;
  if (!isInt32(data)) throw new WasmRnnError('E_DTYPE', `${where}: lengths must be an Int32 tensor [${batch}], got ${describe(data ?? lengths)}`);
  if (!isInt32(lengths)) checkTensor(lengths, `${where}: lengths`, [batch], 'int32');
  if (data.length !== batch) throw new WasmRnnError('E_SHAPE', `${where}: lengths must hold ${batch} values (one per sequence), got ${data.length}`);
  for (let b = 0; b < batch; b++) {
    if (data[b]! < 1 || data[b]! > seq) throw new WasmRnnError('E_ARGUMENT', `${where}: lengths[${b}] = ${data[b]} is outside 1..${seq}`);
  }
  return data;
}

function isInt32(data: unknown): data is Int32Array {
  return Object.prototype.toString.call(data) === '[object Int32Array]';
}

export class Sequential {
  /** The layers as plain data (what `save()` writes as the architecture). */
  readonly config: readonly LayerConfig[];
  readonly seed: number;
  /** See {@link SequentialOptions.batchFirst}. */
  readonly batchFirst: boolean;
  /** True while a batch-first call runs its time-major body (nothing to swap any more). */
  #inTimeMajor = false;
  #handle: number | undefined;
  #lost: string | undefined;
  readonly #params = new Map<string, ParamInfo>();
  #compiled: Compiled | undefined;
  readonly #states: Array<{ name: string; rows: number; width: number }> = [];
  #pooledFinalState: ModelState | undefined;
  /**
   * Preprocessing saved with the model (scalers, vocabularies: anything from wasm-rnn's data
   * utilities): `save()` writes it, `loadModel` revives it.
   */
  preprocessing: Record<string, Preprocessor> = {};

  constructor(layers: readonly Layer[], options: SequentialOptions = {}) {
    if (!Array.isArray(layers) || layers.length === 0) throw new WasmRnnError('E_CONFIG', 'Sequential: expected a non-empty array of layers');
    if (options === null || typeof options !== 'object') throw new WasmRnnError('E_CONFIG', 'Sequential: options must be an object');
    this.config = Object.freeze(layers.map((l, i) => Object.freeze(layerConfig(l, i))));
    const seed = options.seed ?? nextDefaultSeed();
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new WasmRnnError('E_CONFIG', `Sequential: seed must be an integer in 0..2^32−1, got ${JSON.stringify(seed)}`);
    this.seed = seed;
    const batchFirst = options.batchFirst ?? false;
    if (typeof batchFirst !== 'boolean') throw new WasmRnnError('E_CONFIG', `Sequential: batchFirst must be a boolean, got ${JSON.stringify(batchFirst)}`);
    this.batchFirst = batchFirst;
    const api = bindings();
    rememberStackBase();
    let handle: number;
    try {
      handle = api.model_create(encodeArchitecture(this.config), seed);
    } catch (e) {
      if (isTrap(e)) recoverFromTrap();
      throw fromWasmError(e, 'Sequential');
    }
    this.#handle = handle;
    finalizer.register(this, handle, this);
    const names = this.#call('Sequential', (a, h) => a.model_param_names(h)).split('\n').filter((n) => n !== '');
    const flat = this.#call('Sequential', (a, h) => a.model_param_shapes(h));
    let at = 0;
    let offset = 0;
    names.forEach((name, index) => {
      const rank = flat[at++]!;
      const shape = Array.from(flat.subarray(at, (at += rank)));
      const size = shape.reduce((x, y) => x * y, 1);
      this.#params.set(name, { index, shape, offset, size });
      offset += size;
    });
    this.config.forEach((c, i) => {
      if (c.type !== 'LSTM' && c.type !== 'GRU' && c.type !== 'RNN') return;
      const states = (c.numLayers as number) * (c.bidirectional ? 2 : 1);
      const out = (c.projSize as number) > 0 ? (c.projSize as number) : (c.hiddenSize as number);
      this.#states.push({ name: `${i}.h`, rows: states, width: out });
      if (c.type === 'LSTM') this.#states.push({ name: `${i}.c`, rows: states, width: c.hiddenSize as number });
    });
  }

  /** Runs `f` on this model's wasm handle; a trap loses this model only (see RecurrentLayer). */
  #call<T>(what: string, f: (api: Bindings, handle: number) => T): T {
    if (this.#handle === undefined) {
      if (this.#lost !== undefined) throw new WasmRnnError('E_INTERNAL', `Sequential was lost to an internal error in an earlier call (${this.#lost})`);
      throw new WasmRnnError('E_DISPOSED', 'Sequential was disposed');
    }
    const handle = this.#handle;
    // Any call here supersedes the final states of a data-parallel step (rememberFinalState).
    this.#pooledFinalState = undefined;
    const api = bindings();
    try {
      return f(api, handle);
    } catch (e) {
      if (!isTrap(e)) throw fromWasmError(e, `Sequential.${what}`);
      recoverFromTrap();
      this.#lost = `${what}: ${e instanceof Error ? e.message : String(e)}`;
      this.#handle = undefined;
      finalizer.unregister(this);
      try {
        api.model_drop(handle);
      } catch {
        // that memory is lost, the instance is not
      }
      throw new WasmRnnError('E_INTERNAL', `Sequential.${what}: the wasm module trapped (${this.#lost}); this is a bug in wasm-rnn. The model was freed`);
    }
  }

  /** False after dispose() (or after the model was lost to an internal error). */
  get alive(): boolean {
    return this.#handle !== undefined;
  }

  /** Parameter names in order (PyTorch's nn.Sequential state-dict order). */
  parameterNames(): string[] {
    return [...this.#params.keys()];
  }
  /** Scalars in all parameters. */
  parameterCount(): number {
    let n = 0;
    for (const p of this.#params.values()) n += p.size;
    return n;
  }
  /** The compile options, once compiled. */
  get compiled(): Readonly<Compiled> | undefined {
    return this.#compiled;
  }

  /** Sets the loss, the optimizer and clipping; (re)starts the optimizer state. */
  compile(options: CompileOptions): void {
    if (options === null || typeof options !== 'object') throw new WasmRnnError('E_CONFIG', 'compile: expected { loss, optimizer, clipGradNorm?, clipGradValue? }');
    const loss = resolveLoss(options.loss);
    const optimizer = options.optimizer;
    if (optimizer === null || typeof optimizer !== 'object' || typeof (optimizer as Optimizer).encode !== 'function') {
      throw new WasmRnnError('E_CONFIG', 'compile: optimizer must be new SGD(…), Adam(…), AdamW(…) or RMSprop(…)');
    }
    const clip = (name: string, v: unknown): number | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new WasmRnnError('E_CONFIG', `compile: ${name} must be a positive number, got ${JSON.stringify(v)}`);
      return v;
    };
    const clipGradNorm = clip('clipGradNorm', options.clipGradNorm);
    const clipGradValue = clip('clipGradValue', options.clipGradValue);
    if (loss.type === 'crossEntropy' && this.outputWidth < 2) throw new WasmRnnError('E_CONFIG', 'compile: crossEntropy needs at least 2 classes (output features)');
    const enc = optimizer.encode();
    this.#call('compile', (a, h) => a.model_compile(h, new Float64Array(encodeLoss(loss)), enc.code, new Float64Array(enc.values), clipGradNorm ?? NaN, clipGradValue ?? NaN));
    this.#compiled = { loss, optimizer, clipGradNorm, clipGradValue };
  }

  /** Features of the model's output per row. */
  get outputWidth(): number {
    for (let i = this.config.length - 1; i >= 0; i--) {
      const c = this.config[i]!;
      if (c.type === 'Dense') return c.outputSize as number;
      if (c.type === 'LayerNorm') return c.normalizedShape as number;
      if (c.type === 'Embedding') return c.embeddingDim as number;
      if (c.type === 'LSTM' || c.type === 'GRU' || c.type === 'RNN') return (c.bidirectional && (c.mergeMode ?? 'concat') === 'concat' ? 2 : 1) * ((c.projSize as number) > 0 ? (c.projSize as number) : (c.hiddenSize as number));
    }
    return 0;
  }

  /** Whether the output keeps the time axis (no recurrent layer with returnSequences: false). */
  get returnsSequences(): boolean {
    return this.config.every((c) => !('returnSequences' in c) || c.returnSequences !== false);
  }

  /** The axis of y that indexes samples: 1 for per-step targets [T, B, …], else 0 ([B, …]: last-step targets, ctc label rows). */
  get targetSampleAxis(): 0 | 1 {
    return this.returnsSequences && this.#compiled?.loss.type !== 'ctc' ? 1 : 0;
  }

  /** Validates x: Int32 ids [T, B] for an Embedding first layer, else Float32 [T, B, F]. Returns [seq, batch]. */
  #checkInput(x: unknown, where: string): [number, number] {
    const first = this.config[0]!;
    if (first.type === 'Embedding') {
      const t = x as { data?: unknown; shape?: unknown } | null;
      if (t === null || typeof t !== 'object' || !isInt32(t.data)) throw new WasmRnnError('E_DTYPE', `${where}: x must be Int32 ids [seq, batch] (the first layer is an Embedding), got ${describe(t?.data ?? x)}`);
      const [seq, batch] = checkTensor(x, `${where}: x ([seq, batch] ids)`, [null, null], 'int32');
      return [seq!, batch!];
    }
    const width = first.type === 'Dense' ? (first.inputSize as number) : first.type === 'LayerNorm' ? (first.normalizedShape as number) : (first.inputSize as number | undefined);
    if (width === undefined) throw new WasmRnnError('E_CONFIG', `${where}: the first layer must fix the feature size`);
    const [seq, batch] = checkTensor(x, `${where}: x ([seq, batch, ${width}])`, [null, null, width]);
    return [seq!, batch!];
  }

  /** Validates y against the output of x's sizes; returns [Float32 targets, Int32 targets]. */
  #checkTargets(y: unknown, seq: number, batch: number, where: string): [Float32Array, Int32Array] {
    const loss = this.#compiled?.loss;
    if (loss === undefined) throw new WasmRnnError('E_ARGUMENT', `${where}: call compile({ loss, optimizer }) first`);
    const rows = this.returnsSequences ? [seq, batch] : [batch];
    if (loss.type === 'ctc') {
      const t = y as { data?: unknown } | null;
      if (t === null || typeof t !== 'object' || !isInt32(t.data)) throw new WasmRnnError('E_DTYPE', `${where}: ctc takes Int32 label sequences [${batch}, S] (rows padded with -1), got ${describe(t?.data ?? y)}`);
      checkTensor(y, `${where}: y (label sequences)`, [batch, null], 'int32');
      return [new Float32Array(0), (y as { data: Int32Array }).data];
    }
    if (loss.type === 'crossEntropy') {
      const t = y as { data?: unknown } | null;
      if (t === null || typeof t !== 'object' || !isInt32(t.data)) throw new WasmRnnError('E_DTYPE', `${where}: crossEntropy takes Int32 class targets ${JSON.stringify(rows)}, got ${describe(t?.data ?? y)}`);
      checkTensor(y, `${where}: y (class ids)`, rows, 'int32');
      return [new Float32Array(0), (y as { data: Int32Array }).data];
    }
    checkTensor(y, `${where}: y`, [...rows, this.outputWidth]);
    return [(y as Tensor).data, new Int32Array(0)];
  }

  /**
   * The inputs of a call are copied into wasm memory before the model can check anything:
   * refuse (E_TOO_LARGE) inputs that cannot fit the instance's budget next to what it holds,
   * before they are copied. The model's own buffers are checked in wasm as they grow.
   */
  #checkFits(where: string, seq: number, batch: number, ...arrays: ReadonlyArray<{ byteLength: number } | undefined>): void {
    const api = bindings();
    // The copies of the inputs, plus a lower bound of what the model then holds: its copy of
    // the input and every layer's output (and a recurrent layer's gates), then the result.
    let rows = seq * batch;
    let layers = 0;
    for (const c of this.config) {
      const width = (c.embeddingDim ?? c.outputSize ?? c.normalizedShape ?? 0) as number;
      if (c.type === 'LSTM' || c.type === 'GRU' || c.type === 'RNN') {
        const gates = c.type === 'LSTM' ? 4 : c.type === 'GRU' ? 3 : 1;
        const out = (c.bidirectional ? 2 : 1) * ((c.projSize as number) || (c.hiddenSize as number));
        layers += rows * (out + gates * (c.hiddenSize as number));
        if (c.returnSequences === false) rows = batch;
      } else {
        layers += rows * width;
      }
    }
    const inputs = arrays.reduce((n, a) => n + (a?.byteLength ?? 0), 0);
    const need = 2 * inputs + 4 * layers + 4 * rows * this.outputWidth;
    const inUse = api.bytes_in_use();
    const budget = api.memory_budget_bytes();
    if (inUse + need > budget) {
      throw new WasmRnnError('E_TOO_LARGE', `${where}: this call needs at least ${need} bytes of wasm memory (inputs ${inputs}); ${inUse} bytes are in use and the instance's budget is ${budget} bytes (use smaller batches)`);
    }
  }

  static #parts(x: ModelInput): [Float32Array, Int32Array] {
    return isInt32(x.data) ? [new Float32Array(0), x.data] : [x.data as Float32Array, new Int32Array(0)];
  }

  /** Whether this call's tensors are batch-first and still need swapping to time-major. */
  get #swaps(): boolean {
    return this.batchFirst && !this.#inTimeMajor;
  }

  /**
   * Runs `f` with the swap done: the model's own calls inside take time-major tensors. Those
   * calls name this class's methods (`Sequential.prototype.x.call`): a subclass's override
   * works on the caller's batch-first tensors and must not see the swapped ones.
   */
  #asTimeMajor<T>(f: () => T): T {
    const was = this.#inTimeMajor;
    this.#inTimeMajor = true;
    try {
      return f();
    } finally {
      this.#inTimeMajor = was;
    }
  }

  /** Targets in the time-major layout: only per-step targets have a time axis to swap (not last-step targets, not ctc label rows). */
  #timeMajorTargets<T>(y: T): T {
    return this.targetSampleAxis === 1 ? (swapLeadingAxes(y as never, 'y') as T) : y;
  }

  /**
   * This model seen by `fit`'s loop as time-major: the loop slices time-major data, and its
   * calls (which may interleave with the user's own batch-first calls between awaits) run
   * time-major one by one.
   */
  #timeMajorView(): Sequential {
    const wrap = new Set<PropertyKey>(['trainStep', 'evaluate', 'predict', 'step']);
    return new Proxy(this, {
      get: (target, key) => {
        // The loop's data is final (a subclass prepared it before calling fit): its calls go to
        // this class's own methods, not to a subclass's overrides.
        const value = (wrap.has(key) ? Reflect.get(Sequential.prototype, key) : Reflect.get(target, key, target)) as unknown;
        if (typeof value !== 'function') return value;
        if (wrap.has(key)) return (...args: unknown[]) => target.#asTimeMajor(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  }

  /**
   * Forward, loss, backpropagation through time, clipping and one optimizer update. Returns the
   * loss before the update. A NaN/Infinity loss or gradient throws E_NON_FINITE and updates nothing.
   */
  trainStep(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options: TrainStepOptions & { pool: WorkerPool }): Promise<number>;
  trainStep(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options?: TrainStepOptions): number;
  trainStep(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options: TrainStepOptions = {}): number | Promise<number> {
    if (options === null || typeof options !== 'object') throw new WasmRnnError('E_ARGUMENT', 'Sequential.trainStep: options must be an object');
    if (this.#swaps) {
      const [tx, ty] = [swapLeadingAxes(x, 'Sequential.trainStep: x'), this.#timeMajorTargets(y)];
      return this.#asTimeMajor(() => Sequential.prototype.trainStep.call(this, tx, ty, options as TrainStepOptions));
    }
    if (options.pool !== undefined) {
      // With a pool every failure is a rejection, as the call is asynchronous.
      return parallelTrainStep(this, options.pool, x, y, options.lengths, options.states);
    }
    const [seq, batch] = this.#checkInput(x, 'Sequential.trainStep');
    const [yf, yi] = this.#checkTargets(y, seq, batch, 'Sequential.trainStep');
    const states = options.states === undefined ? undefined : this.#packState(options.states, batch, 'Sequential.trainStep');
    const lengths = checkLengths(options.lengths, seq, batch, 'Sequential.trainStep');
    const [xf, xi] = Sequential.#parts(x);
    this.#checkFits('Sequential.trainStep', seq, batch, xf, xi, yf, yi, states, lengths);
    return this.#call('trainStep', (a, h) => a.model_train_step(h, xf, xi, seq, batch, yf, yi, states, lengths));
  }

  /**
   * @internal Data parallelism, on a replica: forward, loss and backward without an update.
   * Returns the loss, its weight (the terms it averages) and a copy of the gradient arena.
   */
  computeGradients(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options: { lengths?: LengthsInput; states?: ModelState } = {}): { loss: number; weight: number; grads: Float32Array; state?: ModelState } {
    const [seq, batch] = this.#checkInput(x, 'Sequential.computeGradients');
    const [yf, yi] = this.#checkTargets(y, seq, batch, 'Sequential.computeGradients');
    const states = options.states === undefined ? undefined : this.#packState(options.states, batch, 'Sequential.computeGradients');
    const lengths = checkLengths(options.lengths, seq, batch, 'Sequential.computeGradients');
    const [xf, xi] = Sequential.#parts(x);
    this.#checkFits('Sequential.computeGradients', seq, batch, xf, xi, yf, yi, states, lengths);
    const [result, final] = this.#call('computeGradients', (a, h) => {
      const [loss, weight] = Array.from(a.model_compute_gradients(h, xf, xi, seq, batch, yf, yi, states, lengths)) as [number, number];
      return [{ loss, weight, grads: a.model_grads(h) }, states === undefined ? undefined : a.model_final_states(h)] as const;
    });
    return final === undefined ? result : { ...result, state: this.#unpackState(final, batch) };
  }

  /** @internal Data parallelism, on the main model: combine the shards' gradients and update. */
  applyGradients(shards: Float32Array, weights: Float64Array, loss: number): void {
    this.#call('applyGradients', (a, h) => a.model_apply_gradients(h, shards, weights, loss));
  }

  /** @internal Checks x, y, lengths and states for a trainStep (used by the data-parallel path). */
  checkBatch(x: ModelInput, y: unknown, lengths: unknown, states: ModelState | undefined, where: string): [number, number] {
    const [seq, batch] = this.#checkInput(x, where);
    this.#checkTargets(y, seq, batch, where);
    checkLengths(lengths, seq, batch, where);
    if (states !== undefined) this.#packState(states, batch, where);
    return [seq, batch];
  }

  /** @internal The recurrent states' names and shapes [rows, B, width] (sharding them by batch). */
  stateLayout(): ReadonlyArray<{ name: string; rows: number; width: number }> {
    return this.#states;
  }

  /**
   * @internal A data-parallel trainStep ran on the workers, not here: the final states they
   * gathered stand for this model's until its next wasm call (see lastFinalState).
   */
  rememberFinalState(state: ModelState): void {
    this.#pooledFinalState = state;
  }

  /** The model's output for x (inference: dropout off): [T, B, F], or [B, F] after returnSequences: false. */
  predict(x: ModelInput, options: { lengths?: LengthsInput } = {}): Tensor {
    if (this.#swaps) {
      const out = this.#asTimeMajor(() => Sequential.prototype.predict.call(this, swapLeadingAxes(x, 'Sequential.predict: x'), options));
      return this.returnsSequences ? swapLeadingAxes(out, 'output') : out;
    }
    const [seq, batch] = this.#checkInput(x, 'Sequential.predict');
    const lengths = checkLengths(options?.lengths, seq, batch, 'Sequential.predict');
    const [xf, xi] = Sequential.#parts(x);
    this.#checkFits('Sequential.predict', seq, batch, xf, xi, lengths);
    const out = this.#call('predict', (a, h) => {
      a.model_forward(h, xf, xi, seq, batch, undefined, false, lengths);
      return a.model_output(h);
    });
    return tensor(out, this.returnsSequences ? [seq, batch, this.outputWidth] : [batch, this.outputWidth]);
  }

  /**
   * The loss on (x, y) without training, and for crossEntropy the accuracy over the targets not
   * ignored. With `states` (from initialState(), step() or a previous evaluate) the sequences
   * start from them and the result carries their final `state`: a long stream evaluated chunk
   * by chunk scores every step with all the context before it, as a stateful model reads it.
   */
  evaluate(x: ModelInput, y: Tensor | { data: Int32Array; shape: number[] }, options: { lengths?: LengthsInput; states?: ModelState } = {}): { loss: number; accuracy?: number; state?: ModelState } {
    if (options === null || typeof options !== 'object') throw new WasmRnnError('E_ARGUMENT', 'Sequential.evaluate: options must be an object');
    if (this.#swaps) {
      const [tx, ty] = [swapLeadingAxes(x, 'Sequential.evaluate: x'), this.#timeMajorTargets(y)];
      return this.#asTimeMajor(() => Sequential.prototype.evaluate.call(this, tx, ty, options));
    }
    const [seq, batch] = this.#checkInput(x, 'Sequential.evaluate');
    const [yf, yi] = this.#checkTargets(y, seq, batch, 'Sequential.evaluate');
    const states = options.states === undefined ? undefined : this.#packState(options.states, batch, 'Sequential.evaluate');
    const lengths = checkLengths(options.lengths, seq, batch, 'Sequential.evaluate');
    const [xf, xi] = Sequential.#parts(x);
    this.#checkFits('Sequential.evaluate', seq, batch, xf, xi, yf, yi, states, lengths);
    const [loss, accuracy, next] = this.#call('evaluate', (a, h) => {
      const [l, acc] = Array.from(a.model_evaluate(h, xf, xi, seq, batch, yf, yi, states, lengths));
      return [l!, acc!, states === undefined ? undefined : a.model_final_states(h)] as const;
    });
    const result: { loss: number; accuracy?: number; state?: ModelState } = this.#compiled!.loss.type === 'crossEntropy' ? { loss, accuracy } : { loss };
    if (next !== undefined) result.state = this.#unpackState(next, batch);
    return result;
  }

  /** Zero recurrent states for `batch` sequences: a plain object of Float32Arrays by name. */
  initialState(batch: number): ModelState {
    if (!Number.isInteger(batch) || batch < 1) throw new WasmRnnError('E_ARGUMENT', `initialState: batch must be a positive integer, got ${JSON.stringify(batch)}`);
    return Object.fromEntries(this.#states.map((s) => [s.name, new Float32Array(s.rows * batch * s.width)]));
  }

  #packState(state: ModelState, batch: number, where: string): Float32Array {
    if (state === null || typeof state !== 'object') throw new WasmRnnError('E_ARGUMENT', `${where}: state must be an object from initialState() or step()`);
    const names = new Set(this.#states.map((s) => s.name));
    const unknown = Object.keys(state).filter((k) => !names.has(k));
    if (unknown.length > 0) throw new WasmRnnError('E_ARGUMENT', `${where}: the state has names this model does not (${unknown.join(', ')}): is it another model's?`);
    const total = this.#states.reduce((n, s) => n + s.rows * batch * s.width, 0);
    const out = new Float32Array(total);
    let at = 0;
    for (const s of this.#states) {
      const v = state[s.name];
      const want = s.rows * batch * s.width;
      if (v === undefined) throw new WasmRnnError('E_ARGUMENT', `${where}: the state lacks ${s.name}: is it another model's?`);
      if (Object.prototype.toString.call(v) !== '[object Float32Array]') throw new WasmRnnError('E_DTYPE', `${where}: state ${s.name} must be a Float32Array, got ${describe(v)}`);
      if (v.length !== want) throw new WasmRnnError('E_SHAPE', `${where}: state ${s.name} must hold [${s.rows}, ${batch}, ${s.width}] = ${want} values, got ${v.length}`);
      out.set(v, at);
      at += want;
    }
    return out;
  }

  #unpackState(flat: Float32Array, batch: number): ModelState {
    const state: ModelState = {};
    let at = 0;
    for (const s of this.#states) {
      const n = s.rows * batch * s.width;
      state[s.name] = flat.slice(at, at + n);
      at += n;
    }
    return state;
  }

  /**
   * One time step: xT [B, F] (or Int32 ids [B]) with the state from initialState()/step().
   * A one-step sequence, [1, B, F] (or ids [1, B]), is accepted as well.
   * The same numbers as forward over the sequence. Returns the output [B, F] and the new state.
   */
  step(xT: ModelInput, state: ModelState): { output: Tensor; state: ModelState } {
    const shape = (xT as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(shape) || shape.length < 1) throw new WasmRnnError('E_SHAPE', 'Sequential.step: xT must be [batch, features] (or Int32 ids [batch])');
    const sequenceRank = this.config[0]!.type === 'Embedding' ? 2 : 3;
    // A batch-first one-step sequence [B, 1, F] (ids [B, 1]) holds the same data as [1, B, F].
    if (this.#swaps && shape.length === sequenceRank) return this.#asTimeMajor(() => Sequential.prototype.step.call(this, swapLeadingAxes(xT, 'Sequential.step: xT'), state));
    const oneStep = shape.length === sequenceRank && shape[0] === 1;
    const x = { data: xT.data, shape: oneStep ? shape : [1, ...shape] } as ModelInput;
    const [, batch] = this.#checkInput(x, 'Sequential.step');
    const packed = this.#packState(state, batch, 'Sequential.step');
    const [xf, xi] = Sequential.#parts(x);
    const [out, next] = this.#call('step', (a, h) => {
      a.model_forward(h, xf, xi, 1, batch, packed, false, NO_LENGTHS);
      return [a.model_output(h), a.model_final_states(h)] as const;
    });
    return { output: tensor(out, [batch, this.outputWidth]), state: this.#unpackState(next, batch) };
  }

  /** Copies of every parameter by name. */
  stateDict(): Record<string, Tensor> {
    const all = this.#call('stateDict', (a, h) => a.model_get_params(h));
    const out: Record<string, Tensor> = {};
    for (const [name, p] of this.#params) out[name] = tensor(all.slice(p.offset, p.offset + p.size), p.shape);
    return out;
  }

  /** Loads parameters by name (own properties only); validates everything before writing. */
  loadStateDict(dict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const where = 'Sequential.loadStateDict';
    if (dict === null || typeof dict !== 'object') throw new WasmRnnError('E_ARGUMENT', `${where}: expected an object of tensors, got ${describe(dict)}`);
    if (options === null || typeof options !== 'object') throw new WasmRnnError('E_ARGUMENT', `${where}: options must be an object`);
    const unknown = Object.keys(dict).filter((k) => !this.#params.has(k));
    if (unknown.length > 0) throw new WasmRnnError('E_PARAM_NAME', `${where}: unknown parameter name(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected names: ${this.parameterNames().join(', ')}`);
    const missing = this.parameterNames().filter((k) => !Object.prototype.hasOwnProperty.call(dict, k));
    if ((options.strict ?? true) && missing.length > 0) throw new WasmRnnError('E_PARAM_NAME', `${where}: missing parameter(s) ${missing.join(', ')} (pass { strict: false } to load a subset)`);
    for (const [name, value] of Object.entries(dict)) {
      try {
        checkTensor(value, `${where}: ${name}`, this.#params.get(name)!.shape);
      } catch (e) {
        if (e instanceof WasmRnnError && e.code === 'E_SHAPE') throw new WasmRnnError('E_PARAM_SIZE', e.message);
        throw e;
      }
    }
    const all = this.#call('loadStateDict', (a, h) => a.model_get_params(h));
    for (const [name, value] of Object.entries(dict)) all.set(value.data, this.#params.get(name)!.offset);
    this.#call('loadStateDict', (a, h) => a.model_set_params(h, all));
  }

  /**
   * Trains for `epochs` over mini-batches of x [T, N, F] (or Int32 ids [T, N]) and y (samples on
   * the same axis); see FitOptions. Resolves with the history; a NaN/Infinity loss rejects with
   * E_NON_FINITE, the weights being those of the last good step.
   */
  fit(x: ModelInput, y: ModelInput, options: FitOptions = {}): Promise<History> {
    if (this.batchFirst) {
      const validation = options?.validationData;
      const timeMajor = validation === undefined ? options : { ...options, validationData: [swapLeadingAxes(validation[0], 'fit: validationData x'), this.#timeMajorTargets(validation[1])] as [ModelInput, ModelInput] };
      return fitModel(this.#timeMajorView(), swapLeadingAxes(x, 'fit: x'), this.#timeMajorTargets(y), timeMajor);
    }
    return fitModel(this, x, y, options);
  }

  /**
   * The model as ONNX bytes (opset 17) that onnxruntime runs with the same outputs, in the
   * model's own layout. The exporter and its protobuf runtime live in the `wasm-rnn/onnx` entry,
   * which registers itself when loaded (`import 'wasm-rnn/onnx'`, or `toOnnx(model)` from it):
   * the main bundle refers to it neither statically nor lazily.
   */
  toOnnx(options: { name?: string } = {}): Uint8Array {
    const exporter = onnxExporter();
    if (exporter === undefined) throw new WasmRnnError('E_UNSUPPORTED', "Sequential.toOnnx: load the ONNX entry first (import 'wasm-rnn/onnx'): the exporter and its protobuf runtime live there");
    return exporter(this, options);
  }

  /** The model as a safetensors file (weights, architecture, compile settings); see loadModel. */
  save(): Uint8Array {
    return saveModel(this, this.batchFirst ? { batchFirst: 'true' } : {});
  }

  /** @internal The final recurrent states of the last forward (truncated BPTT carries them). */
  lastFinalState(batch: number): ModelState {
    if (this.#pooledFinalState !== undefined) return this.#pooledFinalState;
    return this.#unpackState(this.#call('lastFinalState', (a, h) => a.model_final_states(h)), batch);
  }

  /** @internal The whole parameter arena (restoreBestWeights). */
  getWeights(): Float32Array {
    return this.#call('getWeights', (a, h) => a.model_get_params(h));
  }
  /** @internal */
  setWeights(all: Float32Array): void {
    this.#call('setWeights', (a, h) => a.model_set_params(h, all));
  }
  /** @internal Sets the optimizer's learning rate for the next steps (schedules). */
  setLearningRate(lr: number): void {
    this.#call('setLearningRate', (a, h) => a.model_set_lr(h, lr));
  }
  /** The global gradient norm of the last trainStep (before clipping). */
  lastGradNorm(): number {
    return this.#call('lastGradNorm', (a, h) => a.model_last_grad_norm(h));
  }

  /** Frees the model's wasm memory (and its replicas in pools it trained with); later use throws E_DISPOSED. */
  dispose(): void {
    const handle = this.#handle;
    if (handle === undefined) return;
    disposeReplicas(this);
    this.#handle = undefined;
    finalizer.unregister(this);
    try {
      bindings().model_drop(handle);
    } catch (e) {
      if (isTrap(e)) recoverFromTrap();
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
