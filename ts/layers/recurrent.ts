import { bindings } from '../backend/init';
import { WasmRnnError, fromWasmError } from '../errors';
import { type Tensor, checkTensor, describe, tensor } from '../tensor';
import { nextDefaultSeed } from './seed';

type Bindings = ReturnType<typeof bindings>;
type WasmNet = InstanceType<Bindings['RecurrentNet']>;

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
}

export interface BackwardOptions {
  /** Gradient of the loss w.r.t. the output sequence (the output's shape). @defaultValue zeros */
  output?: Tensor;
  /** Gradient w.r.t. the final hidden state hN. @defaultValue zeros */
  hN?: Tensor;
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

/** Frees the wasm side of layers that were garbage-collected without dispose() (a backstop only). */
const finalizer: Pick<FinalizationRegistry<WasmNet>, 'register' | 'unregister'> =
  typeof FinalizationRegistry === 'undefined'
    ? { register: () => undefined, unregister: () => false } // e.g. workerd before 2025-05-05
    : new FinalizationRegistry<WasmNet>((net) => net.free());

interface ParamInfo {
  index: number;
  shape: number[];
}

type CellName = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

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
  /** LSTM: the layer has a cell state c (c0 / cN). */
  protected readonly hasCellState: boolean;
  #net: WasmNet | undefined;
  readonly #params = new Map<string, ParamInfo>();
  #lastInputShape: number[] | undefined;
  #lastBatch = 0;

  protected constructor(cell: CellName, options: RecurrentOptions, projSize: number) {
    const className = this.constructor.name;
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_CONFIG', `${className}: options must be an object, got ${describe(options)}`);
    }
    const int = (name: string, value: unknown, fallback: number | undefined, min: number, max = 2 ** 31 - 1): number => {
      const v = value ?? fallback;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        throw new WasmRnnError('E_CONFIG', `${className}: ${name} must be an integer in ${min}..${max}, got ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
      }
      return v;
    };
    const bool = (name: string, value: unknown, fallback: boolean): boolean => {
      const v = value ?? fallback;
      if (typeof v !== 'boolean') throw new WasmRnnError('E_CONFIG', `${className}: ${name} must be a boolean, got ${describe(v)}`);
      return v;
    };
    this.inputSize = int('inputSize', options.inputSize, undefined, 1);
    this.hiddenSize = int('hiddenSize', options.hiddenSize, undefined, 1);
    this.numLayers = int('numLayers', options.numLayers, 1, 1);
    this.bidirectional = bool('bidirectional', options.bidirectional, false);
    this.bias = bool('bias', options.bias, true);
    this.batchFirst = bool('batchFirst', options.batchFirst, false);
    this.projSize = int('projSize', projSize, 0, 0);
    this.hasCellState = cell === 'lstm';
    if (!this.hasCellState && (options as { projSize?: unknown }).projSize !== undefined && (options as { projSize?: unknown }).projSize !== 0) {
      throw new WasmRnnError('E_CONFIG', `${className}: projSize is only supported by LSTM`);
    }
    this.seed = options.seed === undefined ? nextDefaultSeed() : int('seed', options.seed, undefined, 0, 2 ** 32 - 1);
    const api = bindings();
    try {
      this.#net = new api.RecurrentNet(cell, this.inputSize, this.hiddenSize, this.numLayers, this.bidirectional, this.bias, this.projSize, this.seed);
    } catch (e) {
      throw fromWasmError(e, className);
    }
    const net = this.#net;
    for (let i = 0; i < net.param_count(); i++) {
      this.#params.set(net.param_name(i), { index: i, shape: Array.from(net.param_shape(i)) });
    }
    finalizer.register(this, net, this);
  }

  /** Directions: 2 when bidirectional. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }
  /** Size of h: projSize for a projected LSTM, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }
  /** False after dispose(). */
  get alive(): boolean {
    return this.#net !== undefined;
  }
  /** Parameter names in PyTorch's order. */
  parameterNames(): string[] {
    return [...this.#params.keys()];
  }
  /** Number of scalar parameters. */
  parameterCount(): number {
    let n = 0;
    for (const { shape } of this.#params.values()) n += shape.reduce((a, b) => a * b, 1);
    return n;
  }

  protected get net(): WasmNet {
    if (this.#net === undefined) {
      throw new WasmRnnError('E_DISPOSED', `${this.constructor.name} was disposed; create a new layer`);
    }
    return this.#net;
  }

  protected call<T>(what: string, f: (net: WasmNet) => T): T {
    const net = this.net;
    try {
      return f(net);
    } catch (e) {
      throw fromWasmError(e, `${this.constructor.name}.${what}`);
    }
  }

  /** Copies of every parameter by PyTorch name. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, { index, shape }] of this.#params) {
      out[name] = tensor(this.call('stateDict', (net) => net.get_param(index)), shape);
    }
    return out;
  }

  /**
   * Loads parameters by PyTorch name and shape. Everything is validated before anything is
   * written, so a rejected dict leaves the layer unchanged.
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const where = `${this.constructor.name}.loadStateDict`;
    this.net; // use-after-dispose check before validation
    if (dict === null || typeof dict !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${where}: expected an object of tensors, got ${describe(dict)}`);
    }
    const expected = this.parameterNames();
    const unknown = Object.keys(dict).filter((k) => !this.#params.has(k));
    if (unknown.length > 0) {
      throw new WasmRnnError('E_PARAM_NAME', `${where}: unknown parameter name(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected names: ${expected.join(', ')}`);
    }
    const missing = expected.filter((k) => !(k in dict));
    if ((options.strict ?? true) && missing.length > 0) {
      throw new WasmRnnError('E_PARAM_NAME', `${where}: missing parameter(s) ${missing.join(', ')} (pass { strict: false } to load a subset)`);
    }
    for (const [name, value] of Object.entries(dict)) {
      const { shape } = this.#params.get(name)!;
      try {
        checkTensor(value, `${where}: ${name}`, shape);
      } catch (e) {
        if (e instanceof WasmRnnError && e.code === 'E_SHAPE') throw new WasmRnnError('E_PARAM_SIZE', e.message);
        throw e;
      }
    }
    for (const [name, value] of Object.entries(dict)) {
      const { index } = this.#params.get(name)!;
      this.call('loadStateDict', (net) => net.set_param(index, value.data));
    }
  }

  /** Validates x and h0, runs the wasm forward, returns copies of output, hN (and cN). */
  protected runForward(x: Tensor, options: ForwardOptions & { c0?: Tensor }): ForwardResult & { cN?: Tensor } {
    const cls = this.constructor.name;
    const net = this.net;
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
    try {
      net.forward(x.data, seq, batch, this.batchFirst, options.h0?.data, c0?.data, training);
    } catch (e) {
      throw fromWasmError(e, `${cls}.forward`);
    }
    if (training) {
      this.#lastInputShape = [...x.shape];
      this.#lastBatch = batch;
    }
    const width = this.numDirections * this.outputSize;
    // One array holds every result (output, hN[, cN]): one copy out of wasm and one allocation
    // per call, which is most of a small streaming step's cost. The tensors are views into it.
    const shapes = [this.batchFirst ? [batch, seq, width] : [seq, batch, width], [states, batch, this.outputSize]];
    if (this.hasCellState) shapes.push([states, batch, this.hiddenSize]);
    const [output, hN, cN] = splitInto(net.forward_results(), shapes, `${cls}.forward`);
    return cN === undefined ? { output: output!, hN: hN! } : { output: output!, hN: hN!, cN };
  }

  /** Validates the upstream gradients, runs BPTT, returns copies of all gradients. */
  protected runBackward(options: BackwardOptions & { cN?: Tensor }): Gradients & { c0?: Tensor } {
    const cls = this.constructor.name;
    const net = this.net;
    if (options === null || typeof options !== 'object') {
      throw new WasmRnnError('E_ARGUMENT', `${cls}.backward: expected { output?, hN?${this.hasCellState ? ', cN?' : ''} }, got ${describe(options)}`);
    }
    const dcN = options.cN;
    if (dcN !== undefined && !this.hasCellState) {
      throw new WasmRnnError('E_ARGUMENT', `${cls}.backward: a cN gradient is only accepted by LSTM (${cls} has no cell state)`);
    }
    const inputShape = this.#lastInputShape;
    if (inputShape === undefined || !net.ready_for_backward()) {
      throw new WasmRnnError('E_NO_TRAINING_FORWARD', `${cls}.backward: call forward(x, { training: true }) first; each backward() consumes the activations saved by one training forward`);
    }
    const batch = this.#lastBatch;
    const seq = this.batchFirst ? inputShape[1]! : inputShape[0]!;
    const width = this.numDirections * this.outputSize;
    const states = this.numLayers * this.numDirections;
    if (options.output !== undefined) checkTensor(options.output, `${cls}.backward: output gradient`, this.batchFirst ? [batch, seq, width] : [seq, batch, width]);
    if (options.hN !== undefined) checkTensor(options.hN, `${cls}.backward: hN gradient`, [states, batch, this.outputSize]);
    if (dcN !== undefined) checkTensor(dcN, `${cls}.backward: cN gradient`, [states, batch, this.hiddenSize]);
    try {
      net.backward(options.output?.data, options.hN?.data, dcN?.data);
    } catch (e) {
      throw fromWasmError(e, `${cls}.backward`);
    }
    // One array, as in runForward: input, h0[, c0], then the parameters in index order.
    const byIndex = [...this.#params].sort(([, a], [, b]) => a.index - b.index);
    const stateShapes = [[states, batch, this.outputSize], ...(this.hasCellState ? [[states, batch, this.hiddenSize]] : [])];
    const [input, h0, ...rest] = splitInto(this.call('backward', (n) => n.backward_results()), [inputShape, ...stateShapes, ...byIndex.map(([, p]) => p.shape)], `${cls}.backward`);
    const c0 = this.hasCellState ? rest.shift() : undefined;
    const params = Object.fromEntries(byIndex.map(([name], i) => [name, rest[i]!]));
    const result: Gradients & { c0?: Tensor } = { input: input!, h0: h0!, params };
    if (c0 !== undefined) result.c0 = c0;
    return result;
  }

  /** Frees the wasm memory of this layer. Further use throws E_DISPOSED; disposing twice is a no-op. */
  dispose(): void {
    const net = this.#net;
    if (net === undefined) return;
    this.#net = undefined;
    finalizer.unregister(this);
    try {
      net.free();
    } catch {
      // Only after a trap inside wasm (a bug) can free() fail; the handle is dropped either way.
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
