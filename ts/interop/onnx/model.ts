/**
 * A loaded ONNX graph: `run(feeds)` evaluates the nodes in order, like onnxruntime's
 * `session.run` (feeds and results keyed by the graph's own names). Holds no wasm memory
 * between calls; `dispose()` releases the weights and makes later calls fail with E_DISPOSED.
 */
import { WasmRnnError } from './core';
import { type Tensor, describe, formatShape } from './core';
import type { Graph, GraphInput } from './graph';
import { OPERATORS } from './ops';
import { MAX_ELEMENTS, type Value, elementCount } from './values';

/**
 * Elements all the values of one run may add up to (each tensor is also capped at
 * MAX_ELEMENTS): a graph that piles up large intermediates is refused with E_TOO_LARGE instead
 * of exhausting the JavaScript heap.
 */
const MAX_RUN_ELEMENTS = 2 * MAX_ELEMENTS;

/** A feed: float32 data for float inputs, Int32Array (or BigInt64Array) for integer ones. */
export type OnnxFeed = Tensor | Tensor<Int32Array> | { data: BigInt64Array; shape: number[] };
/** A result: float32 outputs as Float32Array tensors, integer ones as Int32Array tensors. */
export type OnnxResult = Tensor | Tensor<Int32Array>;

export class OnnxModel {
  #graph: Graph | undefined;
  /** The graph's inputs to feed (initializers excluded), in file order. */
  readonly inputNames: readonly string[];
  /** The graph's outputs, in file order. */
  readonly outputNames: readonly string[];
  /** The ONNX operator set the file imports. */
  readonly opset: number;

  /** @internal Use `loadOnnx`. */
  constructor(graph: Graph) {
    this.#graph = graph;
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.slice();
    this.opset = graph.opset;
  }

  get alive(): boolean {
    return this.#graph !== undefined;
  }

  /**
   * Evaluates the graph. `feeds` holds one tensor per name of {@link inputNames}; `outputs`
   * selects results (default: every graph output). Resolves with copies keyed by output name.
   */
  async run(feeds: Record<string, OnnxFeed>, outputs?: readonly string[]): Promise<Record<string, OnnxResult>> {
    return this.runSync(feeds, outputs);
  }

  /** {@link run} without the promise. */
  runSync(feeds: Record<string, OnnxFeed>, outputs: readonly string[] = this.outputNames): Record<string, OnnxResult> {
    const g = this.#graph;
    if (g === undefined) throw new WasmRnnError('E_DISPOSED', 'OnnxModel was disposed');
    if (feeds === null || typeof feeds !== 'object') throw new WasmRnnError('E_ARGUMENT', `OnnxModel.run: feeds must be an object keyed by input name, got ${describe(feeds)}`);
    for (const name of outputs) {
      if (!g.outputs.includes(name)) throw new WasmRnnError('E_ARGUMENT', `OnnxModel.run: "${name}" is not an output of the graph (outputs: ${g.outputs.join(', ')})`);
    }
    const unknown = Object.keys(feeds).filter((k) => !this.inputNames.includes(k));
    if (unknown.length > 0) throw new WasmRnnError('E_ARGUMENT', `OnnxModel.run: unknown input(s) ${unknown.join(', ')} (inputs: ${this.inputNames.join(', ')})`);
    const env = new Map<string, Value>(g.initializers);
    for (const input of g.inputs) env.set(input.name, readFeed(input, feeds[input.name]));
    // Counted once per buffer: Reshape, Squeeze, Identity… return views of their input's data.
    const seen = new Set<Float32Array | Float64Array>([...env.values()].map((v) => v.data));
    let created = 0;
    for (const node of g.nodes) {
      const inputs = node.inputs.map((name) => (name === '' ? undefined : env.get(name)));
      const results = OPERATORS.get(node.op)!({ node, opset: g.opset, inputs });
      node.outputs.forEach((name, i) => {
        const v = results[i];
        if (name === '') return;
        if (v === undefined) throw new WasmRnnError('E_UNSUPPORTED', `${node.label}: output ${i} ("${name}") is not supported`);
        if (!seen.has(v.data)) {
          seen.add(v.data);
          created += v.data.length;
        }
        env.set(name, v);
      });
      if (created > MAX_RUN_ELEMENTS) throw new WasmRnnError('E_TOO_LARGE', `OnnxModel.run: after ${node.label} the graph's values hold ${created} elements, more than the ${MAX_RUN_ELEMENTS} one run may create`);
    }
    const out: Record<string, OnnxResult> = {};
    for (const name of outputs) out[name] = toResult(env.get(name)!);
    return out;
  }

  dispose(): void {
    this.#graph = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function readFeed(input: GraphInput, feed: OnnxFeed | undefined): Value {
  const where = `OnnxModel.run: input "${input.name}"`;
  if (feed === undefined) throw new WasmRnnError('E_ARGUMENT', `${where} is missing`);
  if (feed === null || typeof feed !== 'object' || !Array.isArray(feed.shape)) throw new WasmRnnError('E_ARGUMENT', `${where}: expected a tensor ({ data, shape }), got ${describe(feed)}`);
  const shape = feed.shape.slice();
  let n: number;
  try {
    n = elementCount(shape, where);
  } catch (e) {
    throw new WasmRnnError('E_SHAPE', e instanceof Error ? e.message : String(e));
  }
  if (input.shape && (input.shape.length !== shape.length || input.shape.some((d, i) => d !== null && d !== shape[i]))) {
    throw new WasmRnnError('E_SHAPE', `${where}: the graph declares shape ${formatShape(input.shape.map((d) => d ?? -1))} (−1: any), got ${formatShape(shape)}`);
  }
  const data = feed.data as unknown;
  if (input.dtype === 'float32') {
    if (!(data instanceof Float32Array)) throw new WasmRnnError('E_DTYPE', `${where} is float32: pass a Float32Array, got ${describe(data)}`);
    if (data.length !== n) throw new WasmRnnError('E_SHAPE', `${where}: shape ${formatShape(shape)} needs ${n} elements, data has ${data.length}`);
    return { dtype: 'float32', shape, data: data.slice() };
  }
  if (!(data instanceof Int32Array) && !(data instanceof BigInt64Array)) throw new WasmRnnError('E_DTYPE', `${where} is ${input.dtype}: pass an Int32Array or BigInt64Array, got ${describe(data)}`);
  if (data.length !== n) throw new WasmRnnError('E_SHAPE', `${where}: shape ${formatShape(shape)} needs ${n} elements, data has ${data.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(data[i]!);
  return { dtype: input.dtype, shape, data: out };
}

function toResult(v: Value): OnnxResult {
  if (v.dtype === 'float32') return { data: Float32Array.from(v.data), shape: v.shape.slice() };
  return { data: Int32Array.from(v.data), shape: v.shape.slice() };
}
