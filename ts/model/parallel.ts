/**
 * Data-parallel training steps on a WorkerPool: the batch is split into contiguous shards, each
 * worker's replica (built on first use from the model's architecture) takes the current weights
 * and computes its shard's loss and gradients, and this thread combines them, weighted by the
 * number of loss terms in each shard, and applies one update. The combination and the update
 * run in this thread's wasm instance (`applyGradients`).
 */
import { WasmRnnError } from '../errors';
import { batchRanges } from '../parallel/batch';
import type { WorkerPool } from '../parallel/pool';
import type { ModelInput, ModelState, Sequential } from './sequential';

type Data = { data: Float32Array | Int32Array; shape: number[] };

let nextModelId = 1;
const ids = new WeakMap<Sequential, number>();
const pools = new WeakMap<Sequential, Set<WorkerPool>>();

/** Columns [start, end) along `axis` of a row-major tensor, as a new tensor. */
function shard(t: Data, axis: number, start: number, end: number): Data {
  const shape = [...t.shape];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = shape[axis]!;
  const Ctor = t.data.constructor as new (n: number) => Float32Array | Int32Array;
  const out = new Ctor(outer * (end - start) * inner);
  for (let o = 0; o < outer; o++) out.set(t.data.subarray((o * n + start) * inner, (o * n + end) * inner), o * (end - start) * inner);
  shape[axis] = end - start;
  return { data: out, shape };
}

/**
 * Initial states sharded like the batch: each state [rows, B, width] → its rows' columns
 * [start, end) (with `states` undefined: undefined).
 */
function shardStates(model: Sequential, states: ModelState | undefined, batch: number, start: number, end: number): ModelState | undefined {
  if (states === undefined) return undefined;
  return Object.fromEntries(model.stateLayout().map((s) => [s.name, shard({ data: states[s.name]!, shape: [s.rows, batch, s.width] }, 1, start, end).data as Float32Array]));
}

/** The shards' final states joined back along the batch (the inverse of shardStates). */
function joinStates(model: Sequential, parts: ModelState[], ranges: Array<[number, number]>, batch: number): ModelState {
  return Object.fromEntries(
    model.stateLayout().map((s) => {
      const out = new Float32Array(s.rows * batch * s.width);
      parts.forEach((part, k) => {
        const [start, end] = ranges[k]!;
        const n = end - start;
        for (let r = 0; r < s.rows; r++) out.set(part[s.name]!.subarray(r * n * s.width, (r + 1) * n * s.width), (r * batch + start) * s.width);
      });
      return [s.name, out];
    }),
  );
}

export async function parallelTrainStep(model: Sequential, pool: WorkerPool, x: ModelInput, y: unknown, lengths: unknown, states: ModelState | undefined): Promise<number> {
  const where = 'Sequential.trainStep';
  if (pool === null || typeof pool !== 'object' || typeof (pool as WorkerPool).call !== 'function') throw new WasmRnnError('E_ARGUMENT', `${where}: pool must be a WorkerPool`);
  const [, batch] = model.checkBatch(x, y, lengths, states, where);
  const compiled = model.compiled!;
  let id = ids.get(model);
  if (id === undefined) ids.set(model, (id = nextModelId++));
  let used = pools.get(model);
  if (used === undefined) pools.set(model, (used = new Set()));
  used.add(pool);
  const params = model.getWeights();
  const yAxis = model.targetSampleAxis;
  const lengthData = lengths === undefined ? undefined : (lengths instanceof Int32Array ? lengths : (lengths as Data).data as Int32Array);
  const ranges = batchRanges(batch, pool.size);
  const results = (await Promise.all(
    ranges.map(([s, e], i) =>
      pool.call(i, {
        op: 'modelGrads',
        model: id!,
        config: model.config as unknown[],
        seed: model.seed,
        loss: compiled.loss,
        params,
        x: shard(x as Data, 1, s, e),
        y: shard(y as Data, yAxis, s, e),
        ...(lengthData === undefined ? {} : { lengths: lengthData.slice(s, e) }),
        ...(states === undefined ? {} : { states: shardStates(model, states, batch, s, e) }),
      }),
    ),
  )) as Array<{ loss: number; weight: number; grads: Float32Array; state?: ModelState }>;
  const n = params.length;
  const shards = new Float32Array(n * results.length);
  const weights = new Float64Array(results.length);
  let total = 0;
  let loss = 0;
  results.forEach((r, k) => {
    shards.set(r.grads, k * n);
    weights[k] = r.weight;
    total += r.weight;
  });
  // The batch's loss: the shards' means weighted by their terms (a shard without terms adds none).
  results.forEach((r) => {
    if (r.weight > 0) loss += (r.weight / total) * r.loss;
  });
  if (total === 0) loss = NaN;
  model.applyGradients(shards, weights, loss);
  if (states !== undefined) model.rememberFinalState(joinStates(model, results.map((r) => r.state!), ranges, batch));
  return loss;
}

/** Frees the replicas of `model` in every pool it trained with (best effort). */
export function disposeReplicas(model: Sequential): void {
  const id = ids.get(model);
  const used = pools.get(model);
  if (id === undefined || used === undefined) return;
  for (const pool of used) {
    for (let i = 0; i < pool.size; i++) pool.call(i, { op: 'modelDispose', model: id }).catch(() => undefined);
  }
  used.clear();
}
