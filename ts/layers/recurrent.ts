import { bindings } from '../backend/init';
import { isTrap, recoverFromTrap, rememberStackBase } from '../backend/trap';
import { WasmRnnError, fromWasmError } from '../errors';
import { type Tensor, checkTensor, describe, tensor } from '../tensor';
import { nextDefaultSeed } from './seed';

type Bindings = ReturnType<typeof bindings>;

/** Options shared by RNN, LSTM and GRU (PyTorch's constructor arguments, camelCased). */
export interface RecurrentOptions {
  /** Features per time step of the input. */
  inputSize: number;
  /** Features of the hidden state h (and of the LSTM cell state c). */
  hiddenSize: number;
  /** Stacked layers; layer l > 0 reads layer l − 1's output. @defaultValue 1 */
  numLayers?: number;
  /** Adds a second direction reading the sequence backwards; outputs are concatenated. @defaultValue false */
  bidirectional?: boolean;
  /** Whether the layers have the two bias vectors b_ih and b_hh. @defaultValue true */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (states are not affected). @defaultValue false */
  batchFirst?: boolean;
  /**
   * Inside a `Sequential`: pass on every step's output [T, B, D·O] (true) or only the last
   * step's [B, D·O] (PyTorch's `output[-1]`). Not used by the layer on its own. @defaultValue true
   */
  returnSequences?: boolean;
  /**
   * Inside a `Sequential`, with `returnSequences: false`: pass on each direction's final hidden
   * state (PyTorch's `h_n` of the top layer, directions concatenated; Keras'
   * `return_sequences=False`) instead of the last step's output. They differ for a bidirectional
   * layer only: the backward direction ends at step 0, where `output[-1]` has read one step.
   * @defaultValue false
   */
  finalStates?: boolean;
  /**
   * Inside a `Sequential`: how a bidirectional layer combines its directions' outputs f and b
   * (Keras' `merge_mode`): concat [f, b] (PyTorch's layout), sum f + b, ave (f + b)/2, mul f ⊙ b.
   * @defaultValue 'concat'
   */
  mergeMode?: MergeMode;
  /**
   * Inside a `Sequential`: dropout on the outputs of each stacked layer but the last, in
   * training (PyTorch's `dropout`). Not used by the layer on its own. @defaultValue 0
   */
  dropout?: number;
  /**
   * Seed of the default initialization U(−1/√hiddenSize, 1/√hiddenSize).
   * @defaultValue the next value of the library-wide seed sequence (see `manualSeed`)
   */
  seed?: number;
}

export interface ForwardOptions {
  /** Initial hidden state [numLayers·D, batch, O]. @defaultValue zeros */
  h0?: Tensor;
  /** Keep the activations backward() needs; inference (false) keeps nothing. @defaultValue false */
  training?: boolean;
  /**
   * Throw `E_NON_FINITE` naming the tensor when an input (x, h0, c0) holds NaN or ±Infinity,
   * before anything runs, or when a result does (the call has then run: a training forward
   * stays pending). Without it, non-finite values propagate as in PyTorch. @defaultValue false
   */
  checkFinite?: boolean;
}

export interface BackwardOptions {
  /** Gradient of the loss w.r.t. the output sequence (the output's shape). @defaultValue zeros */
  output?: Tensor;
  /** Gradient w.r.t. the final hidden state hN. @defaultValue zeros */
  hN?: Tensor;
  /** As in forward: upstream gradients and the resulting gradients must be finite. @defaultValue false */
  checkFinite?: boolean;
}

/** The tensors of one call's result are views into one fresh buffer (none aliases the layer). */
export interface ForwardResult {
  /** [T, B, D·O] ([B, T, D·O] with batchFirst). */
  output: Tensor;
  /** Final hidden state of every layer and direction [numLayers·D, B, O]. */
  hN: Tensor;
}

export interface Gradients {
  /** Gradient w.r.t. the input sequence (the input's shape). */
  input: Tensor;
  /** Gradient w.r.t. the initial hidden state. */
  h0: Tensor;
  /** Gradient w.r.t. every parameter, by PyTorch name. */
  params: Record<string, Tensor>;
}

export interface LoadStateDictOptions {
  /** Require every parameter to be present (PyTorch's `strict`). @defaultValue true */
  strict?: boolean;
}

/**
 * Frees the wasm side of layers that were garbage-collected without dispose() (a backstop
 * only). It never throws: a failing free would otherwise surface as an uncaught exception.
 */
const finalizer: Pick<FinalizationRegistry<number>, 'register' | 'unregister'> =
  typeof FinalizationRegistry === 'undefined'
    ? { register: () => undefined, unregister: () => false } // e.g. workerd before 2025-05-05
    : new FinalizationRegistry<number>((handle) => {
        try {
          bindings().net_drop(handle);
        } catch {
          // The handle's memory is lost, nothing else: the instance stays usable.
        }
      });

interface ParamInfo {
  index: number;
  shape: number[];
}

/** See {@link RecurrentOptions.mergeMode}. */
export type MergeMode = 'concat' | 'sum' | 'ave' | 'mul';
export const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'ave', 'mul'];

type CellName = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru' | 'gru_reset_before';

/** Shapes sent by wasm as one flat list: each shape's rank, then its dimensions. */
function parseShapes(flat: Uint32Array): number[][] {
  const shapes: number[][] = [];
  for (let i = 0; i < flat.length; ) {
    const rank = flat[i++]!;
    shapes.push(Array.from(flat.subarray(i, (i += rank))));
  }
  return shapes;
}

/** The shared implementation of RNN, LSTM and GRU: validation, marshalling and lifetime. */
export abstract class RecurrentLayer {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly projSize: number;
  readonly seed: number;
  /** See {@link RecurrentOptions.returnSequences}. */
  readonly returnSequences: boolean;
  /** See {@link RecurrentOptions.finalStates}. */
  readonly finalStates: boolean;
  /** See {@link RecurrentOptions.mergeMode}. */
  readonly mergeMode: MergeMode;
  /** See {@link RecurrentOptions.dropout}. */
  readonly dropout: number;
  /** LSTM: the layer has a cell state c (c0 / cN). */
  protected readonly hasCellState: boolean;
  /** The network's handle in the wasm instance; undefined once disposed or lost. */
  #handle: number | undefined;
  readonly #cell: CellName;
  #disposed = false;
  /** Why the layer was lost to a trap, if it was. */
  #lost: string | undefined;
  readonly #params = new Map<string, ParamInfo>();
  /** Result shapes from wasm, by the call's sizes (they only change with seq and batch). */
  readonly #resultShapes = new Map<string, number[][]>();

  protected constructor(cell: CellName, options: RecurrentOptions, projSize: number) {
    const className = this.constructor.name;
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_CONFIG', `${className}: options must be an object, got ${describe(options)}`);
    }
    // The ranges are the wasm side's to check (one source of truth); here only what the
    // binding needs: integers that fit its u32 arguments.
    const int = (name: string, value: unknown, fallback: number | undefined): number => {
      const v = value ?? fallback;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1) {
        throw new WasmRnnError('E_CONFIG', `${className}: ${name} must be a non-negative integer, got ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
      }
      return v;
    };
    const bool = (name: string, value: unknown, fallback: boolean): boolean => {
      const v = value ?? fallback;
      if (typeof v !== 'boolean') throw new WasmRnnError('E_CONFIG', `${className}: ${name} must be a boolean, got ${describe(v)}`);
      return v;
    };
    this.inputSize = int('inputSize', options.inputSize, undefined);
    this.hiddenSize = int('hiddenSize', options.hiddenSize, undefined);
    this.numLayers = int('numLayers', options.numLayers, 1);
    this.bidirectional = bool('bidirectional', options.bidirectional, false);
    this.bias = bool('bias', options.bias, true);
    this.batchFirst = bool('batchFirst', options.batchFirst, false);
    this.projSize = int('projSize', projSize, 0);
    this.returnSequences = bool('returnSequences', options.returnSequences, true);
    this.finalStates = bool('finalStates', options.finalStates, false);
    if (this.finalStates && this.returnSequences) throw new WasmRnnError('E_CONFIG', `${className}: finalStates applies with returnSequences: false`);
    const merge = options.mergeMode ?? 'concat';
    if (!MERGE_MODES.includes(merge)) throw new WasmRnnError('E_CONFIG', `${className}: mergeMode must be one of ${MERGE_MODES.join(', ')}, got ${describe(merge)}`);
    if (merge !== 'concat' && !this.bidirectional) throw new WasmRnnError('E_CONFIG', `${className}: mergeMode ${merge} needs bidirectional: true`);
    this.mergeMode = merge;
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new WasmRnnError('E_CONFIG', `${className}: dropout must be a number in [0, 1], got ${JSON.stringify(dropout)}`);
    }
    this.dropout = dropout;
    this.hasCellState = cell === 'lstm';
    if (!this.hasCellState && (options as { projSize?: unknown }).projSize !== undefined && (options as { projSize?: unknown }).projSize !== 0) {
      throw new WasmRnnError('E_CONFIG', `${className}: projSize is only supported by LSTM`);
    }
    this.seed = options.seed === undefined ? nextDefaultSeed() : int('seed', options.seed, undefined);
    this.#cell = cell;
    const api = bindings();
    rememberStackBase();
    // Validated now, built on first use: a layer that only describes a Sequential's layer
    // (or is never called) holds no wasm memory.
    guarded(className, () => api.net_validate(cell, this.inputSize, this.hiddenSize, this.numLayers, this.bidirectional, this.bias, this.projSize));
  }

  /** Builds the wasm network on first use. */
  #build(): number {
    const className = this.constructor.name;
    const api = bindings();
    const handle = guarded(className, () => api.net_create(this.#cell, this.inputSize, this.hiddenSize, this.numLayers, this.bidirectional, this.bias, this.projSize, this.seed));
    try {
      const names = api.net_param_names(handle).split('\n');
      const shapes = parseShapes(api.net_param_shapes(handle));
      names.forEach((name, index) => this.#params.set(name, { index, shape: shapes[index]! }));
    } catch (e) {
      if (isTrap(e)) recoverFromTrap();
      api.net_drop(handle);
      throw fromWasmError(e, className);
    }
    this.#handle = handle;
    finalizer.register(this, handle, this);
    return handle;
  }

  /** Directions: 2 when bidirectional. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }
  /** Size of h: projSize for a projected LSTM, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }
  /** False after dispose() (or after the layer was lost to an internal error). */
  get alive(): boolean {
    return !this.#disposed && this.#lost === undefined;
  }
  /** Parameter names in PyTorch's order. */
  parameterNames(): string[] {
    this.#live();
    return [...this.#params.keys()];
  }
  /** Number of scalar parameters. */
  parameterCount(): number {
    this.#live();
    let n = 0;
    for (const { shape } of this.#params.values()) n += shape.reduce((a, b) => a * b, 1);
    return n;
  }

  /** The live handle; throws E_DISPOSED after dispose(), E_INTERNAL after a trap lost the layer. */
  #live(): number {
    if (this.#handle !== undefined) return this.#handle;
    if (!this.#disposed && this.#lost === undefined) return this.#build();
    if (this.#lost !== undefined) throw new WasmRnnError('E_INTERNAL', `${this.constructor.name} was lost to an internal error in an earlier call (${this.#lost}); create a new layer`);
    throw new WasmRnnError('E_DISPOSED', `${this.constructor.name} was disposed; create a new layer`);
  }

  /**
   * Runs `f` against this layer's network. A typed error from wasm becomes a WasmRnnError; a
   * trap (a bug) costs this layer only: the stack is restored, the network freed, and every
   * later call on this layer says so, while other layers and the instance carry on.
   * @internal (kept out of the published types: they would pull in the wasm glue's DOM types)
   */
  protected call<T>(what: string, f: (api: Bindings, handle: number) => T): T {
    const handle = this.#live();
    const api = bindings();
    try {
      return f(api, handle);
    } catch (e) {
      if (!isTrap(e)) throw fromWasmError(e, `${this.constructor.name}.${what}`);
      recoverFromTrap();
      const detail = e instanceof Error ? e.message : String(e);
      this.#lost = `${what}: ${detail}`;
      this.#handle = undefined;
      finalizer.unregister(this);
      try {
        api.net_drop(handle);
      } catch {
        // Freeing failed too: that memory is lost, the instance is not.
      }
      throw new WasmRnnError('E_INTERNAL', `${this.constructor.name}.${what}: the wasm module trapped (${detail}); this is a bug in wasm-rnn. This layer was freed and cannot be used again; other layers are unaffected`);
    }
  }

  /** Copies of every parameter by PyTorch name. */
  stateDict(): Record<string, Tensor> {
    this.#live(); // builds the network on first use
    const out: Record<string, Tensor> = {};
    for (const [name, { index, shape }] of this.#params) {
      out[name] = tensor(this.call('stateDict', (api, h) => api.net_get_param(h, index)), shape);
    }
    return out;
  }

  /**
   * Loads parameters by PyTorch name and shape (own properties of `dict` only). Everything is
   * validated before anything is written, so a rejected dict leaves the layer unchanged.
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const where = `${this.constructor.name}.loadStateDict`;
    this.#live(); // use-after-dispose check before validation
    if (dict === null || typeof dict !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: expected an object of tensors, got ${describe(dict)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: options must be an object, got ${describe(options)}`);
    }
    const strict = options.strict ?? true;
    if (typeof strict !== 'boolean') throw new WasmRnnError('E_ARGUMENT', `${where}: strict must be a boolean, got ${describe(strict)}`);
    const expected = this.parameterNames();
    const given = Object.keys(dict);
    const unknown = given.filter((k) => !this.#params.has(k));
    if (unknown.length > 0) {
      throw new WasmRnnError('E_PARAM_NAME', `${where}: unknown parameter name(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected names: ${expected.join(', ')}`);
    }
    // Own properties only, as Object.entries below reads them: an inherited key is missing.
    const missing = expected.filter((k) => !Object.prototype.hasOwnProperty.call(dict, k));
    if (strict && missing.length > 0) {
      throw new WasmRnnError('E_PARAM_NAME', `${where}: missing parameter(s) ${missing.join(', ')} (pass { strict: false } to load a subset)`);
    }
    const entries = Object.entries(dict);
    for (const [name, value] of entries) {
      const { shape } = this.#params.get(name)!;
      try {
        checkTensor(value, `${where}: ${name}`, shape);
      } catch (e) {
        if (e instanceof WasmRnnError && e.code === 'E_SHAPE') throw new WasmRnnError('E_PARAM_SIZE', e.message);
        throw e;
      }
    }
    for (const [name, value] of entries) {
      const { index } = this.#params.get(name)!;
      this.call('loadStateDict', (api, h) => api.net_set_param(h, index, value.data));
    }
  }

  /** Result shapes for a call of these sizes, asked of wasm once per distinct size. */
  #shapesOf(kind: 'forward' | 'backward', key: string, api: Bindings, handle: number): number[][] {
    const cacheKey = `${kind}:${key}`;
    let shapes = this.#resultShapes.get(cacheKey);
    if (shapes === undefined) {
      shapes = parseShapes(kind === 'forward' ? api.net_forward_result_shapes(handle) : api.net_backward_result_shapes(handle));
      if (this.#resultShapes.size > 64) this.#resultShapes.clear();
      this.#resultShapes.set(cacheKey, shapes);
    }
    return shapes;
  }

  /** Validates x and h0, runs the wasm forward, returns copies of output, hN (and cN). */
  protected runForward(x: Tensor, options: ForwardOptions & { c0?: Tensor }): ForwardResult & { cN?: Tensor } {
    const cls = this.constructor.name;
    this.#live();
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${cls}.forward: options must be an object, got ${describe(options)}`);
    }
    const c0 = options.c0;
    if (c0 !== undefined && !this.hasCellState) {
      throw new WasmRnnError('E_ARGUMENT', `${cls}.forward: c0 is only accepted by LSTM (${cls} has no cell state)`);
    }
    const [d0, d1] = checkTensor(x, `${cls}.forward: x (${this.batchFirst ? '[batch, seq, inputSize]' : '[seq, batch, inputSize]'})`, [null, null, this.inputSize]);
    const [seq, batch] = this.batchFirst ? [d1, d0] : [d0, d1];
    const states = this.numLayers * this.numDirections;
    if (options.h0 !== undefined) checkTensor(options.h0, `${cls}.forward: h0`, [states, batch, this.outputSize]);
    if (c0 !== undefined) checkTensor(c0, `${cls}.forward: c0`, [states, batch, this.hiddenSize]);
    const training = options.training ?? false;
    if (typeof training !== 'boolean') throw new WasmRnnError('E_ARGUMENT', `${cls}.forward: training must be a boolean, got ${describe(training)}`);
    const checkFinite = flag(options.checkFinite, `${cls}.forward: checkFinite`);
    if (checkFinite) requireFinite(`${cls}.forward`, { x, h0: options.h0, c0 });
    const parts = this.call('forward', (api, h) => {
      // The budget check comes before the inputs are copied into wasm memory.
      api.net_check_forward(h, seq, batch, training, options.h0 !== undefined, c0 !== undefined);
      api.net_forward(h, x.data, seq, batch, this.batchFirst, options.h0?.data, c0?.data, training);
      // One array holds every result (output, hN[, cN]): one copy out of wasm and one
      // allocation per call, which is most of a small streaming step's cost.
      return splitInto(api.net_forward_results(h), this.#shapesOf('forward', `${seq},${batch}`, api, h), `${cls}.forward`);
    });
    const [output, hN, cN] = parts;
    const result = cN === undefined ? { output: output!, hN: hN! } : { output: output!, hN: hN!, cN };
    if (checkFinite) requireFinite(`${cls}.forward result`, result);
    return result;
  }

  /** Validates the upstream gradients, runs BPTT, returns copies of all gradients. */
  protected runBackward(options: BackwardOptions & { cN?: Tensor }): Gradients & { c0?: Tensor } {
    const cls = this.constructor.name;
    this.#live();
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${cls}.backward: expected { output?, hN?${this.hasCellState ? ', cN?' : ''} }, got ${describe(options)}`);
    }
    const dcN = options.cN;
    if (dcN !== undefined && !this.hasCellState) {
      throw new WasmRnnError('E_ARGUMENT', `${cls}.backward: a cN gradient is only accepted by LSTM (${cls} has no cell state)`);
    }
    // The pending training forward is the wasm side's bookkeeping: [seq, batch, batchFirst].
    const pending = this.call('backward', (api, h) => api.net_pending_training(h));
    if (pending.length === 0) {
      throw new WasmRnnError('E_NO_TRAINING_FORWARD', `${cls}.backward: call forward(x, { training: true }) first; each backward() consumes the activations saved by one training forward`);
    }
    const [seq, batch] = [pending[0]!, pending[1]!];
    const width = this.numDirections * this.outputSize;
    const states = this.numLayers * this.numDirections;
    if (options.output !== undefined) checkTensor(options.output, `${cls}.backward: output gradient`, this.batchFirst ? [batch, seq, width] : [seq, batch, width]);
    if (options.hN !== undefined) checkTensor(options.hN, `${cls}.backward: hN gradient`, [states, batch, this.outputSize]);
    if (dcN !== undefined) checkTensor(dcN, `${cls}.backward: cN gradient`, [states, batch, this.hiddenSize]);
    const checkFinite = flag(options.checkFinite, `${cls}.backward: checkFinite`);
    if (checkFinite) requireFinite(`${cls}.backward`, { output: options.output, hN: options.hN, cN: dcN });
    const parts = this.call('backward', (api, h) => {
      api.net_check_backward(h, options.output !== undefined, options.hN !== undefined, dcN !== undefined);
      api.net_backward(h, options.output?.data, options.hN?.data, dcN?.data);
      // One array, as in runForward: input, h0[, c0], then the parameters in index order.
      return splitInto(api.net_backward_results(h), this.#shapesOf('backward', `${seq},${batch}`, api, h), `${cls}.backward`);
    });
    const [input, h0, ...rest] = parts;
    const c0 = this.hasCellState ? rest.shift() : undefined;
    const params: Record<string, Tensor> = {};
    for (const [name, { index }] of this.#params) params[name] = rest[index]!;
    const result: Gradients & { c0?: Tensor } = { input: input!, h0: h0!, params };
    if (c0 !== undefined) result.c0 = c0;
    if (checkFinite) requireFinite(`${cls}.backward result`, { input: result.input, h0: result.h0, c0, ...params });
    return result;
  }

  /** Frees the wasm memory of this layer. Further use throws E_DISPOSED; disposing twice is a no-op. */
  dispose(): void {
    this.#disposed = true;
    const handle = this.#handle;
    if (handle === undefined) return;
    this.#handle = undefined;
    finalizer.unregister(this);
    try {
      bindings().net_drop(handle);
    } catch (e) {
      // Dropping runs destructors only; should it trap anyway, the instance must stay usable.
      if (isTrap(e)) recoverFromTrap();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    const dims = `${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}, bidirectional=${this.bidirectional}, bias=${this.bias}, batchFirst=${this.batchFirst}`;
    return `${this.constructor.name}(${dims}${this.projSize ? `, projSize=${this.projSize}` : ''})`;
  }
}

/** A call outside any layer (construction): typed errors pass through, a trap is recovered from. */
function guarded<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isTrap(e)) recoverFromTrap();
    throw fromWasmError(e, where);
  }
}

function flag(value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new WasmRnnError('E_ARGUMENT', `${what} must be a boolean, got ${describe(value)}`);
  return value;
}

/** Throws E_NON_FINITE naming the first tensor (and index) holding NaN or ±Infinity. */
function requireFinite(where: string, tensors: Record<string, Tensor | undefined>): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t === undefined) continue;
    const data = t.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new WasmRnnError('E_NON_FINITE', `${where}: ${name} holds ${data[i]} at flat index ${i} (checkFinite is on)`);
      }
    }
  }
}

/** Consecutive views into `all`, one tensor per shape; `all` must hold exactly that many elements. */
function splitInto(all: Float32Array, shapes: readonly (readonly number[])[], where: string): Tensor[] {
  const sizes = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== all.length) {
    throw new WasmRnnError('E_INTERNAL', `${where}: the wasm module returned ${all.length} result values, expected ${total}; this is a bug in wasm-rnn`);
  }
  let offset = 0;
  return shapes.map((shape, i) => tensor(all.subarray(offset, (offset += sizes[i]!)), shape));
}
