/**
 * Keras' `config.json` → the layers of a `Sequential` and, per layer, where its weights are in
 * `model.weights.h5` and how they become PyTorch-named parameters. Everything is decided from
 * the config (activations included: never assumed) before a weight is read; what the library
 * cannot compute exactly is E_UNSUPPORTED naming the layer and the option.
 *
 * Weight conversions (Keras stores kernels [in, out], PyTorch [out, in]):
 *   SimpleRNN  kernel [F,H], recurrent [H,H], bias [H]       → weight_ih, weight_hh, bias_ih (bias_hh = 0)
 *   LSTM       gates i,f,c,o = PyTorch's i,f,g,o; bias [4H]  → bias_ih (bias_hh = 0)
 *   GRU        gates z,r,h → PyTorch's r,z,n; reset_after: bias [2,3H] = (bias_ih, bias_hh);
 *              reset_after=False: bias [3H] → bias_ih and the GRU option resetAfter: false
 *   Dense      kernel [in,out] → weight [out,in]; LayerNormalization gamma, beta → weight, bias
 * One Keras bias becomes bias_ih with bias_hh = 0: the same function and the same gradient
 * (both biases receive the Keras bias' gradient), so training continues from the same point,
 * with PyTorch's two-bias parameterization.
 *
 * Accepted without a counterpart, as they do not change inference: a recurrent layer's
 * `dropout`/`recurrent_dropout` (Keras' per-sequence masks; the imported model then trains
 * without them — add Dropout layers for regularization), `unroll`, initializers, regularizers
 * and constraints (training-time only in Keras; not imported).
 */
import { type LayerConfig, WasmRnnError } from './core';
import type { KerasWeights, WeightArray } from './hdf5';

type Json = Record<string, unknown>;

/** One recurrent direction's Keras variables → PyTorch tensors (suffix "" or "_reverse"). */
type Params = Record<string, WeightArray>;

export interface KerasPlan {
  /** The library's layers, in order. */
  layers: LayerConfig[];
  /** Reads and converts the weights into a state dict (after the whole config was accepted). */
  readWeights: (weights: KerasWeights) => Params;
  /** The first layer is an Embedding with mask_zero: id 0 marks masked steps. */
  maskZero: boolean;
  /**
   * The last sequence-returning recurrent layer passes on its last output at masked steps
   * (Keras' zero_output_for_mask = false) instead of zeros.
   */
  carryMaskedOutput: boolean;
  /** The first recurrent layer has go_backwards=True (see keras-sequential.ts). */
  reverseInput: boolean;
}

function unsupported(where: string, message: string): WasmRnnError {
  return new WasmRnnError('E_UNSUPPORTED', `loadKeras: ${where}: ${message}`);
}
function malformed(message: string): WasmRnnError {
  return new WasmRnnError('E_FORMAT', `.keras file: config.json: ${message}`);
}

function object(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(`${what} must be an object`);
  return value as Json;
}
function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 20) throw malformed(`${what} must be an integer in 1..=1048576, got ${JSON.stringify(value)}`);
  return value;
}
function bool(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw malformed(`${what} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}
function number(value: unknown, what: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw malformed(`${what} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

/** An activation as Keras serializes it: a name, or { class_name: 'function', config: name }. */
function activationName(value: unknown, where: string, option: string): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'linear';
  const o = value as Json;
  if (typeof o === 'object' && typeof o.config === 'string') return o.config;
  if (typeof o === 'object' && typeof (o.config as Json | undefined)?.name === 'string') return (o.config as Json).name as string;
  throw unsupported(where, `${option} ${JSON.stringify(value)} is not a built-in activation`);
}
function requireActivation(c: Json, option: string, allowed: readonly string[], where: string, fallback: string): string {
  const name = activationName(c[option] ?? fallback, where, option);
  if (!allowed.includes(name)) throw unsupported(where, `${option} ${JSON.stringify(name)} is not supported (supported: ${allowed.join(', ')})`);
  return name;
}

/**
 * Keras activation names → the library's Activation layer config ('linear': none). Keras 3's
 * definitions: leaky_relu's default slope 0.2, hard_sigmoid relu6(x + 3)/6, swish = silu.
 */
const KERAS_ACTIVATIONS: Record<string, Json | null> = {
  linear: null,
  relu: { activation: 'relu' },
  leaky_relu: { activation: 'leakyRelu', negativeSlope: 0.2 },
  elu: { activation: 'elu', alpha: 1 },
  selu: { activation: 'selu' },
  sigmoid: { activation: 'sigmoid' },
  hard_sigmoid: { activation: 'hardSigmoid' },
  tanh: { activation: 'tanh' },
  softplus: { activation: 'softplus' },
  softsign: { activation: 'softsign' },
  silu: { activation: 'silu' },
  swish: { activation: 'silu' },
  relu6: { activation: 'relu6' },
  softmax: { activation: 'softmax' },
  log_softmax: { activation: 'logSoftmax' },
};

/** The Activation layer of a Keras activation name, or null for linear. */
function activationLayer(value: unknown, where: string, option: string): LayerConfig | null {
  const name = activationName(value, where, option);
  if (!Object.hasOwn(KERAS_ACTIVATIONS, name)) throw unsupported(where, `${option} ${JSON.stringify(name)} is not supported (supported: ${Object.keys(KERAS_ACTIVATIONS).join(', ')})`);
  const f = KERAS_ACTIVATIONS[name]!;
  return f === null ? null : ({ type: 'Activation', ...f } as LayerConfig);
}

/** Keras' naming.to_snake_case: the weights file groups layers by class name, numbered per class. */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function transpose(w: WeightArray): WeightArray {
  const [rows, cols] = w.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w.data[r * cols + c]!;
  return { data: out, shape: [cols, rows] };
}
/** Rows of a [G·H, …] gate-stacked tensor reordered: block i of the result is block order[i]. */
function reorderGates(w: WeightArray, order: readonly number[]): WeightArray {
  const block = w.data.length / order.length;
  const out = new Float32Array(w.data.length);
  order.forEach((from, to) => out.set(w.data.subarray(from * block, (from + 1) * block), to * block));
  return { data: out, shape: w.shape };
}
function zerosLike(w: WeightArray): WeightArray {
  return { data: new Float32Array(w.data.length), shape: [...w.shape] };
}
function row(w: WeightArray, r: number): WeightArray {
  const n = w.shape[1]!;
  return { data: w.data.slice(r * n, (r + 1) * n), shape: [n] };
}

const GATES = { SimpleRNN: 1, LSTM: 4, GRU: 3 } as const;
type RecurrentKind = keyof typeof GATES;
/** Keras GRU z,r,h → PyTorch r,z,n. */
const GRU_ORDER = [1, 0, 2];

interface RecurrentInfo {
  kind: RecurrentKind;
  units: number;
  cell: string;
  bias: boolean;
  resetAfter: boolean;
  returnSequences: boolean;
  zeroOutputForMask: boolean;
  goBackwards: boolean;
}

/**
 * Validates one SimpleRNN/LSTM/GRU config. go_backwards: 'required' for a Bidirectional's
 * backward layer, 'forbidden' for its forward one and for layers after another recurrent one
 * (reversing between layers is not something the library's model does), else 'allowed'.
 */
function recurrentInfo(layer: Json, where: string, goBackwards: 'required' | 'forbidden' | 'allowed'): RecurrentInfo {
  const kind = layer.class_name as RecurrentKind;
  const c = object(layer.config, `${where}.config`);
  const units = positiveInt(c.units, `${where}.units`);
  if (bool(c.return_state, `${where}.return_state`, false)) throw unsupported(where, 'return_state=True (a Sequential passes on one tensor)');
  const backwards = bool(c.go_backwards, `${where}.go_backwards`, false);
  if (goBackwards === 'required' && !backwards) throw unsupported(where, 'the backward layer of a Bidirectional must have go_backwards=True');
  if (goBackwards === 'forbidden' && backwards) throw unsupported(where, 'go_backwards=True after another recurrent layer (only the first recurrent layer may read its input reversed)');
  if (bool(c.stateful, `${where}.stateful`, false)) throw unsupported(where, 'stateful=True (carry states with Sequential.step or fit({ stateful: true }) instead)');
  if (c.use_cudnn === true) throw unsupported(where, 'use_cudnn=True');
  let cell: string;
  if (kind === 'SimpleRNN') {
    const a = requireActivation(c, 'activation', ['tanh', 'relu'], where, 'tanh');
    cell = a === 'relu' ? 'rnn_relu' : 'rnn_tanh';
  } else {
    requireActivation(c, 'activation', ['tanh'], where, 'tanh');
    requireActivation(c, 'recurrent_activation', ['sigmoid'], where, 'sigmoid');
    cell = kind === 'LSTM' ? 'lstm' : 'gru';
  }
  return {
    kind,
    units,
    cell,
    bias: bool(c.use_bias, `${where}.use_bias`, true),
    resetAfter: kind === 'GRU' ? bool(c.reset_after, `${where}.reset_after`, true) : true,
    returnSequences: bool(c.return_sequences, `${where}.return_sequences`, false),
    zeroOutputForMask: bool(c.zero_output_for_mask, `${where}.zero_output_for_mask`, false),
    goBackwards: backwards,
  };
}

/** The expected Keras variable shapes of one direction. */
function recurrentShapes(r: RecurrentInfo, input: number): number[][] {
  const g = GATES[r.kind] * r.units;
  const shapes = [[input, g], [r.units, g]];
  if (r.bias) shapes.push(r.kind === 'GRU' && r.resetAfter ? [2, g] : [g]);
  return shapes;
}

/** One direction's Keras variables → PyTorch's parameters of layer `index`, direction suffix `s`. */
function convertRecurrent(r: RecurrentInfo, vars: WeightArray[], index: number, s: string): Params {
  const order = r.kind === 'GRU' ? GRU_ORDER : null;
  const gates = (w: WeightArray): WeightArray => (order === null ? w : reorderGates(w, order));
  const out: Params = {
    [`${index}.weight_ih_l0${s}`]: gates(transpose(vars[0]!)),
    [`${index}.weight_hh_l0${s}`]: gates(transpose(vars[1]!)),
  };
  if (r.bias) {
    const b = vars[2]!;
    const [bih, bhh] = b.shape.length === 2 ? [row(b, 0), row(b, 1)] : [b, zerosLike(b)];
    out[`${index}.bias_ih_l0${s}`] = gates(bih);
    out[`${index}.bias_hh_l0${s}`] = gates(bhh);
  }
  return out;
}

function recurrentConfig(r: RecurrentInfo, inputSize: number, bidirectional: boolean): LayerConfig {
  const config: LayerConfig = {
    type: r.kind === 'SimpleRNN' ? 'RNN' : r.kind,
    cell: r.cell,
    inputSize,
    hiddenSize: r.units,
    numLayers: 1,
    bidirectional,
    bias: r.bias,
    projSize: 0,
    returnSequences: r.returnSequences,
    dropout: 0,
  };
  if (!r.resetAfter) config.resetAfter = false;
  return config;
}

/** The feature size of the model's input, from the InputLayer or the first layer's build_config. */
function inputShape(layers: Json[]): unknown[] | undefined {
  const first = layers[0];
  if (first?.class_name === 'InputLayer') {
    const c = object(first.config, 'InputLayer.config');
    return (c.batch_shape ?? c.batch_input_shape) as unknown[] | undefined;
  }
  const build = first?.build_config as Json | undefined;
  return (build?.input_shape ?? (first?.config as Json | undefined)?.batch_input_shape) as unknown[] | undefined;
}

/** Parses config.json (bytes) into a plan; nothing of the weights file is read here. */
export function planFromConfig(bytes: Uint8Array): KerasPlan {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw malformed(`not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const model = object(root, 'the top level');
  if (model.class_name !== 'Sequential') throw unsupported('the model', `${JSON.stringify(model.class_name)} models are not supported (only keras.Sequential)`);
  const list = object(model.config, 'config').layers;
  if (!Array.isArray(list) || list.length === 0 || list.length > 10_000) throw malformed('config.layers must be a non-empty array');
  const keras = list.map((l, i) => object(l, `layer ${i}`));
  const shape = inputShape(keras);

  const layers: LayerConfig[] = [];
  const readers: Array<(w: KerasWeights) => Params> = [];
  const used = new Map<string, number>();
  /** The h5 group of the next layer of this class (Keras numbers groups per class name). */
  const groupOf = (className: string): string => {
    const base = snakeCase(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return `layers/${n === undefined ? base : `${base}_${n + 1}`}`;
  };
  let width: number | undefined = Array.isArray(shape) && typeof shape[shape.length - 1] === 'number' ? (shape[shape.length - 1] as number) : undefined;
  let sequence = true;
  let maskZero = false;
  let carryMaskedOutput = false;
  let reverseInput = false;
  let seenRecurrent = false;

  /** Dense (alone or inside TimeDistributed): kernel [in, units] → weight [units, in]. */
  const addDense = (c: Json, where: string, group: string): void => {
    const index = layers.length;
    const units = positiveInt(c.units, `${where}.units`);
    const activation = activationLayer(c.activation ?? 'linear', where, 'activation');
    if (c.quantization_config !== undefined && c.quantization_config !== null) throw unsupported(where, 'quantized kernels');
    if (c.lora_rank !== undefined && c.lora_rank !== null) throw unsupported(where, 'LoRA');
    if (width === undefined) throw unsupported(where, 'the input feature size is unknown (give the Keras model an Input(shape=(T, F)) or build it)');
    const input = width;
    const bias = bool(c.use_bias, `${where}.use_bias`, true);
    layers.push({ type: 'Dense', inputSize: input, outputSize: units, bias });
    readers.push((w) => {
      const vars = w.variables(group, bias ? [[input, units], [units]] : [[input, units]]);
      return { [`${index}.weight`]: transpose(vars[0]!), ...(bias ? { [`${index}.bias`]: vars[1]! } : {}) };
    });
    width = units;
    // Dense(activation=f) is Dense then Activation(f): one more layer, without weights.
    if (activation !== null) addActivation(activation);
  };
  const addActivation = (activation: LayerConfig): void => {
    if (layers.length === 0) throw unsupported('the model', `it starts with an activation (${String(activation.activation)}); the library's first layer must fix the feature size`);
    layers.push(activation);
    readers.push(() => ({}));
  };

  keras.forEach((layer, k) => {
    const className = layer.class_name;
    const c = layer.config === undefined ? {} : object(layer.config, `layer ${k}.config`);
    const where = `layer ${k} (${String(className)} ${JSON.stringify(c.name ?? '')})`;
    if (typeof className !== 'string') throw malformed(`layer ${k} has no class_name`);
    if (layer.registered_name !== undefined && layer.registered_name !== null && layer.registered_name !== className) {
      throw unsupported(where, `custom layer ${JSON.stringify(layer.registered_name)}`);
    }
    const index = layers.length;
    const needWidth = (): number => {
      if (width === undefined) throw unsupported(where, 'the input feature size is unknown (give the Keras model an Input(shape=(T, F)) or build it)');
      return width;
    };
    switch (className) {
      case 'InputLayer':
        if (k !== 0) throw unsupported(where, 'an InputLayer after the first layer');
        groupOf(className);
        return;
      case 'Embedding': {
        if (index !== 0) throw unsupported(where, 'an Embedding must be the first layer');
        if (c.quantization_config !== undefined && c.quantization_config !== null) throw unsupported(where, 'quantized embeddings');
        const num = positiveInt(c.input_dim, `${where}.input_dim`);
        const dim = positiveInt(c.output_dim, `${where}.output_dim`);
        maskZero = bool(c.mask_zero, `${where}.mask_zero`, false);
        const group = groupOf(className);
        layers.push({ type: 'Embedding', numEmbeddings: num, embeddingDim: dim });
        readers.push((w) => ({ [`${index}.weight`]: w.variables(group, [[num, dim]])[0]! }));
        width = dim;
        return;
      }
      case 'Dense':
        addDense(c, where, groupOf(className));
        return;
      case 'TimeDistributed': {
        // TimeDistributed(Dense) is Dense: the library's Dense already works on every step.
        const inner = object(c.layer, `${where}.layer`);
        if (inner.class_name !== 'Dense') throw unsupported(where, `TimeDistributed(${JSON.stringify(inner.class_name)}) (only TimeDistributed(Dense) is supported)`);
        addDense(object(inner.config, `${where}.layer.config`), where, `${groupOf(className)}/layer`);
        return;
      }
      case 'LayerNormalization': {
        const n = needWidth();
        const axis = c.axis;
        const rank = sequence ? 3 : 2;
        const axes = Array.isArray(axis) ? axis : [axis ?? -1];
        if (axes.length !== 1 || !(axes[0] === -1 || axes[0] === rank - 1)) throw unsupported(where, `axis ${JSON.stringify(axis)} (only the last axis is normalized)`);
        if (c.rms_scaling === true) throw unsupported(where, 'rms_scaling=True');
        const center = bool(c.center, `${where}.center`, true);
        const scale = bool(c.scale, `${where}.scale`, true);
        const eps = number(c.epsilon, `${where}.epsilon`, 1e-3);
        if (!(eps > 0)) throw malformed(`${where}.epsilon must be positive`);
        const group = groupOf(className);
        // center ≠ scale: the missing half is imported at identity (ones / zeros) — the same
        // outputs, but it then trains with the rest (the library's LayerNorm has both or neither).
        const affine = center || scale;
        layers.push({ type: 'LayerNorm', normalizedShape: n, eps, elementwiseAffine: affine });
        readers.push((w) => {
          if (!affine) return {};
          const vars = w.variables(group, [...(scale ? [[n]] : []), ...(center ? [[n]] : [])]);
          const weight = scale ? vars[0]! : { data: new Float32Array(n).fill(1), shape: [n] };
          const bias = center ? vars[scale ? 1 : 0]! : { data: new Float32Array(n), shape: [n] };
          return { [`${index}.weight`]: weight, [`${index}.bias`]: bias };
        });
        return;
      }
      case 'Activation': {
        groupOf(className);
        const activation = activationLayer(c.activation, where, 'activation');
        if (activation !== null) addActivation(activation);
        return;
      }
      case 'ReLU': {
        groupOf(className);
        const slope = number(c.negative_slope, `${where}.negative_slope`, 0);
        const max = c.max_value === undefined || c.max_value === null ? null : number(c.max_value, `${where}.max_value`, 0);
        if (number(c.threshold, `${where}.threshold`, 0) !== 0) throw unsupported(where, 'threshold ≠ 0');
        if (max !== null && !(max === 6 && slope === 0)) throw unsupported(where, `max_value ${max} (only 6 without negative_slope, as relu6)`);
        addActivation({ type: 'Activation', ...(max === 6 ? { activation: 'relu6' } : slope !== 0 ? { activation: 'leakyRelu', negativeSlope: slope } : { activation: 'relu' }) });
        return;
      }
      case 'LeakyReLU':
        groupOf(className);
        addActivation({ type: 'Activation', activation: 'leakyRelu', negativeSlope: number(c.negative_slope, `${where}.negative_slope`, 0.3) });
        return;
      case 'ELU':
        groupOf(className);
        addActivation({ type: 'Activation', activation: 'elu', alpha: number(c.alpha, `${where}.alpha`, 1) });
        return;
      case 'Softmax': {
        groupOf(className);
        const axis = c.axis ?? -1;
        const rank = sequence ? 3 : 2;
        if (!(axis === -1 || axis === rank - 1)) throw unsupported(where, `axis ${JSON.stringify(axis)} (only the last axis)`);
        addActivation({ type: 'Activation', activation: 'softmax' });
        return;
      }
      case 'Dropout': {
        if (c.noise_shape !== undefined && c.noise_shape !== null) throw unsupported(where, 'noise_shape');
        const rate = number(c.rate, `${where}.rate`, 0.5);
        groupOf(className);
        layers.push({ type: 'Dropout', p: rate });
        readers.push(() => ({}));
        return;
      }
      case 'SimpleRNN':
      case 'LSTM':
      case 'GRU': {
        if (!sequence) throw unsupported(where, 'a recurrent layer after return_sequences=False');
        const r = recurrentInfo(layer, where, seenRecurrent ? 'forbidden' : 'allowed');
        reverseInput ||= r.goBackwards;
        seenRecurrent = true;
        const input = needWidth();
        const group = groupOf(className);
        layers.push(recurrentConfig(r, input, false));
        readers.push((w) => convertRecurrent(r, w.variables(`${group}/cell`, recurrentShapes(r, input)), index, ''));
        width = r.units;
        sequence = r.returnSequences;
        if (r.returnSequences) carryMaskedOutput = !r.zeroOutputForMask;
        return;
      }
      case 'Bidirectional': {
        if (!sequence) throw unsupported(where, 'a recurrent layer after return_sequences=False');
        const forward = object(c.layer, `${where}.layer`);
        const backward = c.backward_layer === undefined || c.backward_layer === null ? undefined : object(c.backward_layer, `${where}.backward_layer`);
        if (!(forward.class_name === 'SimpleRNN' || forward.class_name === 'LSTM' || forward.class_name === 'GRU')) throw unsupported(where, `a Bidirectional ${JSON.stringify(forward.class_name)}`);
        const f = recurrentInfo(forward, `${where} forward layer`, 'forbidden');
        seenRecurrent = true;
        // Without backward_layer Keras builds the backward one from the forward config.
        const b = backward === undefined ? { ...f } : recurrentInfo(backward, `${where} backward layer`, 'required');
        if (backward !== undefined && backward.class_name !== forward.class_name) throw unsupported(where, 'forward and backward layers of different classes');
        if (backward === undefined) b.goBackwards = true;
        for (const key of ['units', 'cell', 'bias', 'resetAfter', 'returnSequences'] as const) {
          if (f[key] !== b[key]) throw unsupported(where, `forward and backward layers differ in ${key} (${JSON.stringify(f[key])} vs ${JSON.stringify(b[key])})`);
        }
        const merge = c.merge_mode === undefined ? 'concat' : c.merge_mode;
        if (merge === null) throw unsupported(where, 'merge_mode None (Keras then returns two tensors; a Sequential passes on one)');
        if (merge !== 'concat' && merge !== 'sum' && merge !== 'ave' && merge !== 'mul') throw unsupported(where, `merge_mode ${JSON.stringify(merge)} (supported: concat, sum, ave, mul)`);
        const input = needWidth();
        const group = groupOf(className);
        // return_sequences=False: Keras passes on each direction's final state (finalStates).
        layers.push({ ...recurrentConfig(f, input, true), ...(f.returnSequences ? {} : { finalStates: true }), ...(merge !== 'concat' ? { mergeMode: merge } : {}) });
        readers.push((w) => ({
          ...convertRecurrent(f, w.variables(`${group}/forward_layer/cell`, recurrentShapes(f, input)), index, ''),
          ...convertRecurrent(b, w.variables(`${group}/backward_layer/cell`, recurrentShapes(b, input)), index, '_reverse'),
        }));
        width = merge === 'concat' ? 2 * f.units : f.units;
        sequence = f.returnSequences;
        if (f.returnSequences) carryMaskedOutput = false; // Bidirectional forces zero_output_for_mask when returning sequences
        return;
      }
      default:
        throw unsupported(where, `the layer ${JSON.stringify(className)} is not supported (supported: InputLayer, Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed(Dense), LayerNormalization, Dropout, Activation, ReLU, LeakyReLU, ELU, Softmax)`);
    }
  });
  if (layers.length === 0) throw unsupported('the model', 'it has no layers');
  if (layers.every((l) => l.type === 'Dropout' || l.type === 'Activation')) throw unsupported('the model', 'it has no layer with weights');
  return {
    layers,
    readWeights: (w) => Object.assign({}, ...readers.map((read) => read(w))) as Params,
    maskZero,
    carryMaskedOutput,
    reverseInput,
  };
}
