/**
 * The non-recurrent layers of a `Sequential` (PyTorch's nn.Embedding, nn.Linear,
 * nn.LayerNorm, nn.Dropout). They describe a layer; its weights live in the model's arena.
 * Recurrent layers are the library's RNN, LSTM and GRU, with `returnSequences` and `dropout`.
 */
import { WasmRnnError } from '../errors';

function int(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 20) {
    throw new WasmRnnError('E_CONFIG', `${where}: ${name} must be an integer in 1..=1048576, got ${JSON.stringify(value)}`);
  }
  return value;
}
function options<T>(where: string, o: T): T {
  if (o === null || typeof o !== 'object') throw new WasmRnnError('E_CONFIG', `${where}: options must be an object`);
  return o;
}

export interface EmbeddingOptions {
  /** Vocabulary size: ids are 0..numEmbeddings−1. */
  numEmbeddings: number;
  /** Features per id. */
  embeddingDim: number;
}

/** Ids [T, B] (Int32) → vectors [T, B, embeddingDim]; weight [numEmbeddings, embeddingDim], N(0, 1) init. Must be the first layer. */
export class Embedding {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  constructor(o: EmbeddingOptions) {
    options('Embedding', o);
    this.numEmbeddings = int('Embedding', 'numEmbeddings', o.numEmbeddings);
    this.embeddingDim = int('Embedding', 'embeddingDim', o.embeddingDim);
  }
  toJSON() {
    return { type: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
  }
}

export interface DenseOptions {
  inputSize: number;
  outputSize: number;
  /** @defaultValue true */
  bias?: boolean;
}

/** nn.Linear applied at every time step (or to [B, F] after returnSequences: false): weight [out, in], bias [out]. */
export class Dense {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly bias: boolean;
  constructor(o: DenseOptions) {
    options('Dense', o);
    this.inputSize = int('Dense', 'inputSize', o.inputSize);
    this.outputSize = int('Dense', 'outputSize', o.outputSize);
    const bias = o.bias ?? true;
    if (typeof bias !== 'boolean') throw new WasmRnnError('E_CONFIG', `Dense: bias must be a boolean, got ${JSON.stringify(bias)}`);
    this.bias = bias;
  }
  toJSON() {
    return { type: 'Dense', inputSize: this.inputSize, outputSize: this.outputSize, bias: this.bias };
  }
}

export interface LayerNormOptions {
  /** Features normalized together (the last dimension). */
  normalizedShape: number;
  /** @defaultValue 1e-5 */
  eps?: number;
  /** Learnable weight (ones) and bias (zeros). @defaultValue true */
  elementwiseAffine?: boolean;
}

/** nn.LayerNorm over the feature dimension of every step. */
export class LayerNorm {
  readonly normalizedShape: number;
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  constructor(o: LayerNormOptions) {
    options('LayerNorm', o);
    this.normalizedShape = int('LayerNorm', 'normalizedShape', o.normalizedShape);
    const eps = o.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new WasmRnnError('E_CONFIG', `LayerNorm: eps must be a positive number, got ${JSON.stringify(eps)}`);
    this.eps = eps;
    const affine = o.elementwiseAffine ?? true;
    if (typeof affine !== 'boolean') throw new WasmRnnError('E_CONFIG', `LayerNorm: elementwiseAffine must be a boolean`);
    this.elementwiseAffine = affine;
  }
  toJSON() {
    return { type: 'LayerNorm', normalizedShape: this.normalizedShape, eps: this.eps, elementwiseAffine: this.elementwiseAffine };
  }
}

export interface DropoutOptions {
  /** Probability of zeroing an element in training. @defaultValue 0.5 */
  p?: number;
}

/** Inverted dropout (kept elements scaled by 1/(1 − p)); the identity outside training. */
export class Dropout {
  readonly p: number;
  constructor(o: DropoutOptions = {}) {
    options('Dropout', o);
    const p = o.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new WasmRnnError('E_CONFIG', `Dropout: p must be a number in [0, 1], got ${JSON.stringify(p)}`);
    this.p = p;
  }
  toJSON() {
    return { type: 'Dropout', p: this.p };
  }
}

/** The functions of {@link Activation}, as PyTorch's modules and Keras' activation names define them. */
export const ACTIVATION_TYPES = ['relu', 'leakyRelu', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softplus', 'softsign', 'silu', 'relu6', 'softmax', 'logSoftmax'] as const;
export type ActivationType = (typeof ACTIVATION_TYPES)[number];

export interface ActivationOptions {
  /**
   * relu, leakyRelu (x if x > 0 else negativeSlope·x), elu (x if x > 0 else alpha·(eˣ − 1)),
   * selu, sigmoid, hardSigmoid (relu6(x + 3)/6, nn.Hardsigmoid), tanh, softplus (log(1 + eˣ)),
   * softsign (x/(1 + |x|)), silu (x·σ(x)), relu6 (min(max(x, 0), 6)); softmax and logSoftmax
   * along the features of each row (nn.Softmax(dim=-1)).
   */
  type: ActivationType;
  /** leakyRelu only. @defaultValue 0.01 (PyTorch's; Keras 3's LeakyReLU is 0.2) */
  negativeSlope?: number;
  /** elu only. @defaultValue 1 */
  alpha?: number;
}

/** An activation function of every feature (or of each row, for softmax): PyTorch's nn.ReLU, nn.Sigmoid, …; Keras' Dense(activation=…) is Dense then Activation. No parameters. */
export class Activation {
  readonly type: ActivationType;
  readonly negativeSlope?: number;
  readonly alpha?: number;
  constructor(o: ActivationOptions) {
    options('Activation', o);
    if (!(ACTIVATION_TYPES as readonly unknown[]).includes(o.type)) throw new WasmRnnError('E_CONFIG', `Activation: type must be one of ${ACTIVATION_TYPES.join(', ')}, got ${JSON.stringify(o.type)}`);
    this.type = o.type;
    const param = (name: 'negativeSlope' | 'alpha', applies: boolean, fallback: number): number | undefined => {
      const v = o[name];
      if (!applies) {
        if (v !== undefined) throw new WasmRnnError('E_CONFIG', `Activation: ${name} applies to ${name === 'alpha' ? 'elu' : 'leakyRelu'} only, not ${o.type}`);
        return undefined;
      }
      if (v === undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new WasmRnnError('E_CONFIG', `Activation: ${name} must be a finite number, got ${JSON.stringify(v)}`);
      return v;
    };
    const slope = param('negativeSlope', o.type === 'leakyRelu', 0.01);
    const alpha = param('alpha', o.type === 'elu', 1);
    if (slope !== undefined) this.negativeSlope = slope;
    if (alpha !== undefined) this.alpha = alpha;
  }
  toJSON() {
    return { type: 'Activation', activation: this.type, ...(this.negativeSlope !== undefined ? { negativeSlope: this.negativeSlope } : {}), ...(this.alpha !== undefined ? { alpha: this.alpha } : {}) };
  }
}
