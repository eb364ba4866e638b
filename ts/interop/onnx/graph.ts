/**
 * A ModelProto checked and put in execution order: operator support (E_UNSUPPORTED naming
 * every unsupported operator), names defined once and before use, initializers decoded, and a
 * topological order (Kahn's algorithm; a cycle is E_FORMAT naming a node on it).
 */
import { WasmRnnError } from './core';
import { Attributes } from './attributes';
import type { ModelProto, ValueInfoProto } from './proto/onnx_pb';
import { type DType, ONNX_DTYPE, type Value, fromTensorProto, int64ToNumber } from './values';

/**
 * The opsets the operators here follow (LSTM/GRU/RNN 7, 14 and 22, Squeeze 13, Slice 10, …;
 * the versions after 17 of the supported operators only add element types, up to ONNX 1.23's
 * opset 28).
 */
export const MIN_OPSET = 7;
export const MAX_OPSET = 28;

export interface GraphInput {
  readonly name: string;
  readonly dtype: DType;
  /** Declared dimensions; null where symbolic or unknown. */
  readonly shape: readonly (number | null)[] | undefined;
}

export interface GraphNode {
  readonly op: string;
  /** For messages: `LSTM node "name"` (or its index). */
  readonly label: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attributes;
}

export interface Graph {
  readonly opset: number;
  readonly inputs: readonly GraphInput[];
  readonly outputs: readonly string[];
  readonly initializers: ReadonlyMap<string, Value>;
  /** In execution order. */
  readonly nodes: readonly GraphNode[];
}

function inputInfo(v: ValueInfoProto): GraphInput {
  const where = `graph input "${v.name}"`;
  if (v.type?.value.case !== 'tensorType') throw new WasmRnnError('E_UNSUPPORTED', `${where}: only tensor inputs are supported`);
  const t = v.type.value.value;
  const dtype = ONNX_DTYPE[t.elemType];
  if (dtype === undefined) throw new WasmRnnError('E_UNSUPPORTED', `${where}: element type ${t.elemType} is not supported (float32, int32, int64 and bool are)`);
  const shape = t.shape?.dim.map((d) => (d.value.case === 'dimValue' && d.value.value >= 0n ? int64ToNumber(d.value.value) : null));
  return { name: v.name, dtype, shape };
}

export function buildGraph(model: ModelProto, supported: ReadonlySet<string>): Graph {
  const g = model.graph;
  if (g === undefined) throw new WasmRnnError('E_FORMAT', 'loadOnnx: the model has no graph');
  let opset: number | undefined;
  for (const o of model.opsetImport) {
    if (o.domain === '' || o.domain === 'ai.onnx') opset = int64ToNumber(o.version);
  }
  // IR version 3 files without opset_import mean opset 1; nothing that old is supported.
  if (opset === undefined) throw new WasmRnnError('E_FORMAT', 'loadOnnx: the model imports no ONNX operator set (opset_import)');
  if (opset < MIN_OPSET || opset > MAX_OPSET) throw new WasmRnnError('E_UNSUPPORTED', `loadOnnx: ONNX opset ${opset} is not supported (${MIN_OPSET} to ${MAX_OPSET} are)`);

  const initializers = new Map<string, Value>();
  for (const t of g.initializer) {
    if (!t.name) throw new WasmRnnError('E_FORMAT', 'loadOnnx: an initializer has no name');
    if (initializers.has(t.name)) throw new WasmRnnError('E_FORMAT', `loadOnnx: initializer "${t.name}" is defined twice`);
    initializers.set(t.name, fromTensorProto(t, 'initializer'));
  }
  if (g.sparseInitializer.length > 0) throw new WasmRnnError('E_UNSUPPORTED', 'loadOnnx: sparse initializers are not supported');

  // Older exporters list initializers among the inputs too: those are not feeds.
  const inputs = g.input.filter((v) => !initializers.has(v.name)).map(inputInfo);
  const defined = new Map<string, number>(); // name → producing node index, −1 for inputs and initializers
  for (const name of [...initializers.keys(), ...inputs.map((i) => i.name)]) {
    if (!name) throw new WasmRnnError('E_FORMAT', 'loadOnnx: a graph input has no name');
    if (defined.has(name) && !initializers.has(name)) throw new WasmRnnError('E_FORMAT', `loadOnnx: graph input "${name}" is declared twice`);
    defined.set(name, -1);
  }

  const unsupported = new Set<string>();
  const nodes: GraphNode[] = g.node.map((n, i) => {
    const label = `${n.opType || '<no op_type>'} node ${n.name ? JSON.stringify(n.name) : `#${i}`}`;
    if (n.domain !== '' && n.domain !== 'ai.onnx') unsupported.add(`${n.domain}.${n.opType}`);
    else if (!supported.has(n.opType)) unsupported.add(n.opType || '<empty op_type>');
    for (const out of n.output) {
      if (out === '') continue;
      if (defined.has(out)) throw new WasmRnnError('E_FORMAT', `loadOnnx: ${label} writes "${out}", which is already defined`);
      defined.set(out, i);
    }
    return { op: n.opType, label, inputs: n.input, outputs: n.output, attrs: new Attributes(n.attribute, label) };
  });
  if (unsupported.size > 0) {
    throw new WasmRnnError('E_UNSUPPORTED', `loadOnnx: unsupported operator(s) ${[...unsupported].sort().join(', ')} (supported: ${[...supported].sort().join(', ')})`);
  }
  for (const n of nodes) {
    for (const name of n.inputs) {
      if (name !== '' && !defined.has(name)) throw new WasmRnnError('E_FORMAT', `loadOnnx: ${n.label} reads "${name}", which nothing defines`);
    }
  }
  const outputs = g.output.map((o) => o.name);
  if (outputs.length === 0) throw new WasmRnnError('E_FORMAT', 'loadOnnx: the graph has no outputs');
  for (const name of outputs) {
    if (!defined.has(name)) throw new WasmRnnError('E_FORMAT', `loadOnnx: graph output "${name}" is never computed`);
  }
  return { opset, inputs, outputs, initializers, nodes: topologicalOrder(nodes, defined) };
}

/** Kahn's algorithm over the producer edges, keeping file order among ready nodes. */
function topologicalOrder(nodes: readonly GraphNode[], producer: ReadonlyMap<string, number>): GraphNode[] {
  const waiting = nodes.map(() => 0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const name of new Set(n.inputs)) {
      const p = name === '' ? -1 : producer.get(name)!;
      if (p >= 0) {
        waiting[i]! += 1;
        consumers[p]!.push(i);
      }
    }
  });
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: GraphNode[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k]!;
    order.push(nodes[i]!);
    for (const c of consumers[i]!) {
      waiting[c]! -= 1;
      if (waiting[c] === 0) ready.push(c);
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((_, i) => waiting[i]! > 0)!;
    throw new WasmRnnError('E_FORMAT', `loadOnnx: the graph has a cycle (through ${stuck.label}); an ONNX graph must be acyclic`);
  }
  return order;
}
