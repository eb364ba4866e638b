/**
 * `toOnnx(model)`: a `Sequential` as an ONNX model (opset 17) that onnxruntime runs with the
 * same outputs: Embedding → Gather; RNN/LSTM/GRU → one ONNX node per layer, with PyTorch's gate
 * blocks reordered to ONNX's (LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h; `resetAfter` is
 * `linear_before_reset = 1`) and the directions' outputs joined as PyTorch does; Dense →
 * MatMul + Add; LayerNorm → LayerNormalization; Dropout (inference) → nothing.
 *
 * Input "input": [T, B, F] float32 or [T, B] int32 ids ([B, T, …] when the model is
 * batch-first); output "output" in the model's own layout. A recurrent layer with a projection
 * (`projSize`) has no ONNX counterpart: E_UNSUPPORTED. Batch-first models get a Transpose at
 * each end of the graph rather than the recurrent ops' `layout = 1`, which onnxruntime does not
 * implement for every operator.
 *
 * The file is a ModelProto built and serialized by @bufbuild/protobuf, which is why export
 * lives in this entry (which registers it for `Sequential.toOnnx()` when loaded), keeping the
 * protobuf runtime out of the main bundle.
 */
import { type MessageInitShape, create, toBinary } from '@bufbuild/protobuf';
import { type Sequential, type Tensor, WasmRnnError } from './core';
import {
  type AttributeProtoSchema,
  AttributeProto_AttributeType as AttributeType,
  ModelProtoSchema,
  type NodeProtoSchema,
  TensorProto_DataType as DataType,
  type TensorProtoSchema,
  type ValueInfoProtoSchema,
} from './proto/onnx_pb';

/** Options of {@link toOnnx}. */
export interface ToOnnxOptions {
  /** The graph's name. @defaultValue "wasm-rnn" */
  name?: string;
}

const OPSET = 17n;
// IR version 8: the one ONNX 1.12 released with opset 17 (onnxruntime 1.12+ runs both).
const IR_VERSION = 8n;

type Attr = MessageInitShape<typeof AttributeProtoSchema>;
type Node = MessageInitShape<typeof NodeProtoSchema>;
type Initializer = MessageInitShape<typeof TensorProtoSchema>;

const utf8 = new TextEncoder();
const int = (name: string, i: number): Attr => ({ name, type: AttributeType.INT, i: BigInt(i) });
const float = (name: string, f: number): Attr => ({ name, type: AttributeType.FLOAT, f });
const string = (name: string, s: string): Attr => ({ name, type: AttributeType.STRING, s: utf8.encode(s) });
const ints = (name: string, values: number[]): Attr => ({ name, type: AttributeType.INTS, ints: values.map(BigInt) });
const strings = (name: string, values: string[]): Attr => ({ name, type: AttributeType.STRINGS, strings: values.map((v) => utf8.encode(v)) });

/** The graph as it is built: nodes and initializers with fresh names. */
class Builder {
  readonly nodes: Node[] = [];
  readonly inits: Initializer[] = [];
  #n = 0;

  fresh(stem: string): string {
    return `${stem}_${this.#n++}`;
  }
  floats(stem: string, data: Float32Array, dims: number[]): string {
    const name = this.fresh(stem);
    // raw_data is little-endian, as Float32Array memory is on every engine wasm runs on.
    const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.inits.push({ name, dims: dims.map(BigInt), dataType: DataType.FLOAT, rawData });
    return name;
  }
  int64s(stem: string, data: number[], dims: number[] = [data.length]): string {
    const name = this.fresh(stem);
    this.inits.push({ name, dims: dims.map(BigInt), dataType: DataType.INT64, int64Data: data.map(BigInt) });
    return name;
  }
  node(opType: string, input: string[], attribute: Attr[] = [], outputCount = 1): string[] {
    const output = Array.from({ length: outputCount }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ name: `${opType}_${this.nodes.length}`, opType, input, output, attribute });
    return output;
  }
}

/** Rows of `w` ([G·H, …] as G blocks of `rows` rows) in the block order `order`. */
function reorderBlocks(w: Float32Array, blocks: number, order: readonly number[]): Float32Array {
  const size = w.length / blocks;
  const out = new Float32Array(w.length);
  order.forEach((src, dst) => out.set(w.subarray(src * size, (src + 1) * size), dst * size));
  return out;
}

const GATE_ORDER: Record<string, readonly number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function param(sd: Record<string, Tensor>, name: string): Float32Array {
  const t = sd[name];
  if (t === undefined) throw new WasmRnnError('E_INTERNAL', `toOnnx: the model has no parameter ${name}`);
  return t.data;
}

/** The stacked recurrent layers of config c; returns the top layer's Y [T, D, B, H] and Y_h [D, B, H]. */
function recurrentLayer(b: Builder, x: string, c: Record<string, unknown>, i: number, sd: Record<string, Tensor>): [string, string] {
  const type = c.type as 'LSTM' | 'GRU' | 'RNN';
  if ((c.projSize as number) > 0) throw new WasmRnnError('E_UNSUPPORTED', `toOnnx: layer ${i} (${type}) has projSize ${c.projSize as number}; ONNX's LSTM has no projection`);
  const gates = { LSTM: 4, GRU: 3, RNN: 1 }[type];
  const order = GATE_ORDER[type]!;
  const hidden = c.hiddenSize as number;
  const dirs = c.bidirectional ? 2 : 1;
  let cur = x;
  const layers = c.numLayers as number;
  for (let l = 0; l < layers; l++) {
    const w: Float32Array[] = [];
    const r: Float32Array[] = [];
    const bias: Float32Array[] = [];
    for (let d = 0; d < dirs; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      w.push(reorderBlocks(param(sd, `${i}.weight_ih${sfx}`), gates, order));
      r.push(reorderBlocks(param(sd, `${i}.weight_hh${sfx}`), gates, order));
      if (c.bias) bias.push(reorderBlocks(param(sd, `${i}.bias_ih${sfx}`), gates, order), reorderBlocks(param(sd, `${i}.bias_hh${sfx}`), gates, order));
    }
    const inSize = w[0]!.length / (gates * hidden);
    const inputs = [cur, b.floats(`${i}.W_l${l}`, concat(w), [dirs, gates * hidden, inSize]), b.floats(`${i}.R_l${l}`, concat(r), [dirs, gates * hidden, hidden])];
    if (c.bias) inputs.push(b.floats(`${i}.B_l${l}`, concat(bias), [dirs, 2 * gates * hidden]));
    const attrs: Attr[] = [int('hidden_size', hidden)];
    if (dirs === 2) attrs.push(string('direction', 'bidirectional'));
    if (type === 'GRU') attrs.push(int('linear_before_reset', c.cell === 'gru_reset_before' ? 0 : 1));
    if (type === 'RNN') attrs.push(strings('activations', Array<string>(dirs).fill(c.cell === 'rnn_relu' ? 'Relu' : 'Tanh')));
    if (l === layers - 1) {
      const [y, yh] = b.node(type, inputs, attrs, 2);
      return [y!, yh!];
    }
    const [y] = b.node(type, inputs, attrs); // [T, D, B, H]
    if (dirs === 1) {
      [cur] = b.node('Squeeze', [y!, b.int64s('axes', [1])]);
    } else {
      // [T, B, D, H] → [T, B, D·H]: forward features first, as PyTorch concatenates them.
      const [t] = b.node('Transpose', [y!], [ints('perm', [0, 2, 1, 3])]);
      [cur] = b.node('Reshape', [t!, b.int64s('shape', [0, 0, -1])]);
    }
  }
  throw new WasmRnnError('E_INTERNAL', `toOnnx: layer ${i} has no stacked layers`);
}

/**
 * What the recurrent node passes on, from its top layer's Y [T, D, B, H] and Y_h [D, B, H]: every
 * step, the last step (Y[-1]) or the final states (Y_h); then the directions concatenated
 * (forward features first, as PyTorch) or merged over the D axis (sum, mean, product).
 */
function recurrentOutput(b: Builder, y: string, yh: string, c: Record<string, unknown>): string {
  const rows = c.returnSequences ? 'sequence' : c.finalStates ? 'finalStates' : 'lastStep';
  // [T, D, B, H], or [D, B, H] for one row per sequence.
  const [z] = rows === 'sequence' ? [y] : rows === 'finalStates' ? [yh] : b.node('Gather', [y, b.int64s('last', [-1], [])], [int('axis', 0)]);
  const dAxis = rows === 'sequence' ? 1 : 0;
  const merge = (c.mergeMode ?? 'concat') as string;
  if (!c.bidirectional) return b.node('Squeeze', [z!, b.int64s('axes', [dAxis])])[0]!;
  if (merge === 'concat') {
    const perm = rows === 'sequence' ? [0, 2, 1, 3] : [1, 0, 2];
    const [t] = b.node('Transpose', [z!], [ints('perm', perm)]);
    return b.node('Reshape', [t!, b.int64s('shape', rows === 'sequence' ? [0, 0, -1] : [0, -1])])[0]!;
  }
  const op = { sum: 'ReduceSum', ave: 'ReduceMean', mul: 'ReduceProd' }[merge];
  if (op === undefined) throw new WasmRnnError('E_UNSUPPORTED', `toOnnx: merge mode ${JSON.stringify(merge)}`);
  // Opset 17: ReduceSum takes its axes as an input, ReduceMean and ReduceProd as an attribute.
  return op === 'ReduceSum' ? b.node(op, [z!, b.int64s('axes', [dAxis])], [int('keepdims', 0)])[0]! : b.node(op, [z!], [ints('axes', [dAxis]), int('keepdims', 0)])[0]!;
}

/** The model as ONNX bytes (see the module comment for the mapping). */
export function toOnnx(model: Sequential, options: ToOnnxOptions = {}): Uint8Array {
  const configs = model.config;
  const sd = model.stateDict();
  const b = new Builder();
  const ids = configs[0]?.type === 'Embedding';
  let cur = 'input';
  let sequence = true;
  if (model.batchFirst) [cur] = b.node('Transpose', [cur], [ints('perm', ids ? [1, 0] : [1, 0, 2])]);
  let width = 0;
  configs.forEach((c, i) => {
    switch (c.type) {
      case 'Embedding':
        [cur] = b.node('Gather', [b.floats(`${i}.weight`, param(sd, `${i}.weight`), [c.numEmbeddings as number, c.embeddingDim as number]), cur!], [int('axis', 0)]);
        width = c.embeddingDim as number;
        break;
      case 'LSTM':
      case 'GRU':
      case 'RNN': {
        const [y, yh] = recurrentLayer(b, cur!, c, i, sd);
        cur = recurrentOutput(b, y, yh, c);
        width = (c.hiddenSize as number) * (c.bidirectional && (c.mergeMode ?? 'concat') === 'concat' ? 2 : 1);
        if (!c.returnSequences) sequence = false;
        break;
      }
      case 'Dense': {
        const [inSize, outSize] = [c.inputSize as number, c.outputSize as number];
        const w = param(sd, `${i}.weight`);
        const wt = new Float32Array(w.length);
        for (let o = 0; o < outSize; o++) for (let k = 0; k < inSize; k++) wt[k * outSize + o] = w[o * inSize + k]!;
        [cur] = b.node('MatMul', [cur!, b.floats(`${i}.weight_t`, wt, [inSize, outSize])]);
        if (c.bias) [cur] = b.node('Add', [cur!, b.floats(`${i}.bias`, param(sd, `${i}.bias`), [outSize])]);
        width = outSize;
        break;
      }
      case 'LayerNorm': {
        const n = c.normalizedShape as number;
        const scale = c.elementwiseAffine ? param(sd, `${i}.weight`) : new Float32Array(n).fill(1);
        const shift = c.elementwiseAffine ? param(sd, `${i}.bias`) : new Float32Array(n);
        [cur] = b.node('LayerNormalization', [cur!, b.floats(`${i}.weight`, scale, [n]), b.floats(`${i}.bias`, shift, [n])], [
          int('axis', -1),
          float('epsilon', c.eps as number),
        ]);
        break;
      }
      case 'Dropout':
        break;
      case 'Activation':
        [cur] = activationNodes(b, `${i}`, c, cur!);
        break;
      default:
        throw new WasmRnnError('E_UNSUPPORTED', `toOnnx: layer ${i} has type ${JSON.stringify(c.type)}, which has no ONNX export`);
    }
  });
  if (model.batchFirst && sequence) [cur] = b.node('Transpose', [cur!], [ints('perm', [1, 0, 2])]);
  // The graph output gets its public name through an Identity.
  b.nodes.push({ name: `Identity_${b.nodes.length}`, opType: 'Identity', input: [cur!], output: ['output'] });
  const inDims = model.batchFirst ? ['batch', 'seq'] : ['seq', 'batch'];
  const inFeatures = ids ? [] : [configs[0]!.inputSize as number];
  const outDims = sequence ? (model.batchFirst ? ['batch', 'seq', width] : ['seq', 'batch', width]) : ['batch', width];
  return encode(b, options.name ?? 'wasm-rnn', { name: 'input', type: ids ? DataType.INT32 : DataType.FLOAT, dims: [...inDims, ...inFeatures] }, { name: 'output', type: DataType.FLOAT, dims: outDims });
}

/** The ONNX operators of an Activation layer (opset 17), applied to `x`. */
function activationNodes(b: Builder, prefix: string, c: Sequential['config'][number], x: string): string[] {
  switch (c.activation) {
    case 'relu':
      return b.node('Relu', [x]);
    case 'leakyRelu':
      return b.node('LeakyRelu', [x], [float('alpha', c.negativeSlope as number)]);
    case 'elu':
      return b.node('Elu', [x], [float('alpha', c.alpha as number)]);
    case 'selu':
      return b.node('Selu', [x]); // ONNX's default alpha and gamma are nn.SELU's constants
    case 'sigmoid':
      return b.node('Sigmoid', [x]);
    case 'hardSigmoid':
      return b.node('HardSigmoid', [x], [float('alpha', 1 / 6), float('beta', 0.5)]);
    case 'tanh':
      return b.node('Tanh', [x]);
    case 'softplus':
      return b.node('Softplus', [x]);
    case 'softsign':
      return b.node('Softsign', [x]);
    case 'silu': {
      const [s] = b.node('Sigmoid', [x]);
      return b.node('Mul', [x, s!]);
    }
    case 'relu6':
      return b.node('Clip', [x, b.floats(`${prefix}.min`, new Float32Array([0]), []), b.floats(`${prefix}.max`, new Float32Array([6]), [])]);
    case 'softmax':
      return b.node('Softmax', [x], [int('axis', -1)]);
    case 'logSoftmax':
      return b.node('LogSoftmax', [x], [int('axis', -1)]);
    default:
      throw new WasmRnnError('E_UNSUPPORTED', `toOnnx: activation ${JSON.stringify(c.activation)} has no ONNX export`);
  }
}

interface IO {
  name: string;
  type: DataType;
  /** Sizes, or names of symbolic dimensions. */
  dims: (number | string)[];
}

function valueInfo(io: IO): MessageInitShape<typeof ValueInfoProtoSchema> {
  const dim = io.dims.map((d) => ({ value: typeof d === 'number' ? { case: 'dimValue' as const, value: BigInt(d) } : { case: 'dimParam' as const, value: d } }));
  return { name: io.name, type: { value: { case: 'tensorType', value: { elemType: io.type, shape: { dim } } } } };
}

function encode(b: Builder, name: string, input: IO, output: IO): Uint8Array {
  const model = create(ModelProtoSchema, {
    irVersion: IR_VERSION,
    producerName: 'wasm-rnn',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: { name, node: b.nodes, initializer: b.inits, input: [valueInfo(input)], output: [valueInfo(output)] },
  });
  return toBinary(ModelProtoSchema, model);
}
