/**
 * `Sequential.fit`: epochs of shuffled mini-batches, validation on a held-out tail, early
 * stopping with best-weight restore, learning-rate schedules, truncated BPTT, callbacks and
 * cancellation. The loop is control flow only; each batch is one `trainStep` into wasm.
 */
import { WasmRnnError } from '../errors';
import { mulberry32 } from './random';
import { type LrSchedule, makeScheduler } from './schedule';
import type { ModelInput, ModelState, Sequential } from './sequential';
import type { WorkerPool } from '../parallel/pool';

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. @defaultValue 5 */
  patience?: number;
  /** Smallest decrease that counts as an improvement. @defaultValue 0 */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends. @defaultValue false */
  restoreBestWeights?: boolean;
}

export interface EpochLogs {
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  /** Seconds this epoch took. */
  seconds: number;
}

export interface FitOptions {
  /** @defaultValue 1 */
  epochs?: number;
  /** Sequences per training step. @defaultValue 32 */
  batchSize?: number;
  /** Fraction of the samples (the last ones, as Keras takes them) held out for validation. @defaultValue 0 */
  validationSplit?: number;
  /** Explicit validation data instead of a split. */
  validationData?: [ModelInput, ModelInput];
  /** Shuffle the training samples every epoch (seeded by the model's seed). @defaultValue true */
  shuffle?: boolean;
  earlyStopping?: EarlyStoppingOptions;
  lrSchedule?: LrSchedule;
  /**
   * Carry the final recurrent state of each batch into the next one (reset at every epoch):
   * sample i of batch k+1 continues sample i of batch k, so batches must be consecutive slices
   * of the same streams (shuffle is turned off and every batch must have batchSize samples).
   * @defaultValue false
   */
  stateful?: boolean;
  /** Each sample's sequence length (Int32 [N]): packed-sequence semantics, as trainStep. */
  lengths?: { data: Int32Array; shape: number[] };
  /** Truncated BPTT: train on chunks of this many steps, carrying the (detached) state between them. */
  tbptt?: number;
  /** Train data-parallel on this pool's workers (see trainStep's `pool`). */
  pool?: WorkerPool;
  /** Called after each batch; return false to stop. */
  onBatchEnd?: (batch: number, logs: { loss: number; lr: number }) => boolean | void;
  /** Called after each epoch; return false to stop. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => boolean | void | Promise<boolean | void>;
  /** Stops training after the current step. */
  signal?: AbortSignal;
}

export interface History {
  epoch: number[];
  loss: number[];
  valLoss: number[];
  valAccuracy: number[];
  lr: number[];
  /** The epoch whose weights the model holds at the end (the best one with restoreBestWeights). */
  bestEpoch: number;
  /** Why training ended before `epochs`, if it did. */
  stopped?: 'earlyStopping' | 'callback' | 'signal';
}

type Data = { data: Float32Array | Int32Array; shape: number[] };

/** Samples `idx` of `t` along `axis` (1 for [T, N, …] sequences, 0 for [N, …]). */
function take(t: Data, axis: 0 | 1, idx: ArrayLike<number>): Data {
  const shape = [...t.shape];
  const outer = axis === 0 ? 1 : shape[0]!;
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const Ctor = t.data.constructor as new (n: number) => Float32Array | Int32Array;
  const out = new Ctor(outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const src = (o * n + idx[j]!) * inner;
      out.set(t.data.subarray(src, src + inner), (o * idx.length + j) * inner);
    }
  }
  shape[axis] = idx.length;
  return { data: out, shape };
}

/** Time steps [start, end) of a [T, …] tensor. */
function steps(t: Data, start: number, end: number): Data {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data.subarray(start * per, end * per), shape: [end - start, ...t.shape.slice(1)] };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function fitModel(model: Sequential, x: ModelInput, y: ModelInput, options: FitOptions = {}): Promise<History> {
  try {
    return await fitLoop(model, x, y, options);
  } finally {
    // Whatever ends training (success, a typed error, a throwing callback), the optimizer gets
    // its own learning rate back: a schedule's last rate must not leak into later trainSteps.
    const compiled = model.compiled;
    if (compiled !== undefined && model.alive) model.setLearningRate(compiled.optimizer.lr);
  }
}

async function fitLoop(model: Sequential, x: ModelInput, y: ModelInput, options: FitOptions): Promise<History> {
  if (options === null || typeof options !== 'object') throw new WasmRnnError('E_ARGUMENT', 'fit: options must be an object');
  const compiled = model.compiled;
  if (compiled === undefined) throw new WasmRnnError('E_ARGUMENT', 'fit: call compile({ loss, optimizer }) first');
  const int = (name: string, v: unknown, fallback: number, min: number): number => {
    const n = v ?? fallback;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new WasmRnnError('E_ARGUMENT', `fit: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(n)}`);
    return n;
  };
  const epochs = int('epochs', options.epochs, 1, 1);
  const batchSize = int('batchSize', options.batchSize, 32, 1);
  const split = options.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new WasmRnnError('E_ARGUMENT', `fit: validationSplit must be in [0, 1), got ${JSON.stringify(split)}`);
  const tbptt = options.tbptt === undefined ? undefined : int('tbptt', options.tbptt, 1, 1);
  const stateful = options.stateful ?? false;
  if (typeof stateful !== 'boolean') throw new WasmRnnError('E_ARGUMENT', 'fit: stateful must be a boolean');
  const shuffle = stateful ? false : (options.shuffle ?? true);
  const xs = x as Data;
  const ys = y as Data;
  // Validate shapes once on the whole data (trainStep re-checks each batch).
  if (!xs || !Array.isArray(xs.shape) || xs.shape.length < 2) throw new WasmRnnError('E_SHAPE', 'fit: x must be [T, N, F] (or Int32 ids [T, N])');
  const total = xs.shape[1]!;
  const yAxis = model.targetSampleAxis;
  if (!ys || !Array.isArray(ys.shape) || ys.shape[yAxis] !== total) {
    throw new WasmRnnError('E_SHAPE', `fit: y must hold the same ${total} samples as x along axis ${yAxis}, got shape ${JSON.stringify(ys?.shape)}`);
  }
  const lengths = options.lengths as Data | undefined;
  if (lengths !== undefined && (!lengths.shape || lengths.shape[0] !== total)) throw new WasmRnnError('E_SHAPE', `fit: lengths must hold one length per sample (${total})`);
  if (stateful && (options.shuffle === true || lengths !== undefined)) throw new WasmRnnError('E_ARGUMENT', 'fit: stateful carries state between consecutive batches: it cannot be combined with shuffle or lengths');
  if (lengths !== undefined && tbptt !== undefined) throw new WasmRnnError('E_ARGUMENT', 'fit: lengths and tbptt together are not supported');
  if (tbptt !== undefined && !model.returnsSequences) throw new WasmRnnError('E_ARGUMENT', 'fit: tbptt needs a model whose output keeps the time axis (returnSequences: true)');
  // As chronologicalSplit: ⌊N·split⌋, tolerant of float round-off (0.29·100 = 28.999…).
  const valCount = options.validationData ? 0 : Math.floor(total * split + 1e-9);
  const trainCount = total - valCount;
  if (trainCount < 1) throw new WasmRnnError('E_ARGUMENT', `fit: no training samples left after validationSplit ${split}`);
  if (stateful && trainCount < batchSize) throw new WasmRnnError('E_ARGUMENT', `fit: stateful needs at least one full batch of ${batchSize} training samples`);
  const all = Array.from({ length: total }, (_, i) => i);
  const valIdx = all.slice(trainCount);
  const valLengths = lengths === undefined || valCount === 0 ? undefined : take(lengths, 0, valIdx);
  const validation: [Data, Data] | undefined = options.validationData
    ? (options.validationData as [Data, Data])
    : valCount > 0
      ? [take(xs, 1, valIdx), take(ys, yAxis, valIdx)]
      : undefined;
  const es = options.earlyStopping;
  const patience = es === undefined ? Infinity : int('earlyStopping.patience', es.patience, 5, 0);
  const minDelta = es?.minDelta ?? 0;
  const scheduler = makeScheduler(options.lrSchedule, compiled.optimizer.lr);
  const stepsPerEpoch = Math.ceil(trainCount / batchSize) * (tbptt === undefined ? 1 : Math.ceil(xs.shape[0]! / tbptt));
  const history: History = { epoch: [], loss: [], valLoss: [], valAccuracy: [], lr: [], bestEpoch: -1 };
  const random = mulberry32(model.seed ^ 0x5eed);
  let best = Infinity;
  let bestWeights: Float32Array | undefined;
  let sinceBest = 0;
  let step = 0;
  const order = all.slice(0, trainCount);
  const stop = (why: History['stopped']): History => {
    history.stopped = why;
    return finish();
  };
  const finish = (): History => {
    if (es?.restoreBestWeights && bestWeights !== undefined) model.setWeights(bestWeights);
    else history.bestEpoch = history.epoch.length - 1;
    return history;
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const started = performance.now();
    if (shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    let sum = 0;
    let count = 0;
    let lr = scheduler.lrAt(step, stepsPerEpoch * epochs);
    let carried: ModelState | undefined; // stateful: the previous batch's final state
    for (let start = 0; start < trainCount; start += batchSize) {
      if (options.signal?.aborted) return stop('signal');
      const idx = order.slice(start, start + batchSize);
      const bx = take(xs, 1, idx);
      const by = take(ys, yAxis, idx);
      const chunks = tbptt === undefined ? [[0, bx.shape[0]!]] : Array.from({ length: Math.ceil(bx.shape[0]! / tbptt) }, (_, c) => [c * tbptt, Math.min(bx.shape[0]!, (c + 1) * tbptt)]);
      if (stateful && idx.length !== batchSize) break; // a short last batch has no stream to continue
      // Zero states stand for none, so that a data-parallel step too leaves final states to carry.
      let state: ModelState | undefined = carried ?? (tbptt !== undefined || stateful ? model.initialState(idx.length) : undefined);
      for (const [s, e] of chunks) {
        lr = scheduler.lrAt(step, stepsPerEpoch * epochs);
        model.setLearningRate(lr);
        const cx = tbptt === undefined ? bx : steps(bx, s!, e!);
        const cy = tbptt === undefined ? by : steps(by, s!, e!);
        // A non-finite loss throws E_NON_FINITE from wasm, before any update: the weights
        // stay those of the last good step.
        const stepOptions = { ...(state === undefined ? {} : { states: state }), ...(lengths === undefined ? {} : { lengths: take(lengths, 0, idx) as never }) };
        const loss = options.pool === undefined ? model.trainStep(cx as ModelInput, cy as never, stepOptions) : await model.trainStep(cx as ModelInput, cy as never, { ...stepOptions, pool: options.pool });
        if (tbptt !== undefined || stateful) state = model.lastFinalState(idx.length);
        step++;
        sum += loss * idx.length;
        count += idx.length;
        if (options.onBatchEnd?.(step, { loss, lr }) === false) return stop('callback');
      }
      if (stateful) carried = state;
    }
    const logs: EpochLogs = { loss: sum / count, lr, seconds: (performance.now() - started) / 1000 };
    if (validation !== undefined) {
      const v = model.evaluate(validation[0] as ModelInput, validation[1] as never, valLengths === undefined ? {} : { lengths: valLengths as never });
      logs.valLoss = v.loss;
      if (v.accuracy !== undefined) logs.valAccuracy = v.accuracy;
    }
    history.epoch.push(epoch);
    history.loss.push(logs.loss);
    history.lr.push(lr);
    if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
    if (logs.valAccuracy !== undefined) history.valAccuracy.push(logs.valAccuracy);
    const monitored = logs.valLoss ?? logs.loss;
    scheduler.endEpoch(monitored);
    if (monitored < best - minDelta) {
      best = monitored;
      sinceBest = 0;
      history.bestEpoch = epoch;
      if (es?.restoreBestWeights) bestWeights = model.getWeights();
    } else {
      sinceBest++;
    }
    if ((await options.onEpochEnd?.(epoch, logs)) === false) return stop('callback');
    if (sinceBest >= patience) return stop('earlyStopping');
    await yieldToEventLoop();
  }
  return finish();
}
