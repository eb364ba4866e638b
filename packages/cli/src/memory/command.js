/**
 * `wasm-rnn memory`: why LSTMs learn long-term dependencies that plain RNNs lose. The adding
 * problem at several lags T with a tanh RNN, an LSTM and a GRU (same hidden size, step budget,
 * optimizer); the test MSE against T; ‖∂L/∂h_t‖ against t for each trained cell; then exploding
 * gradients, a ReLU RNN trained with and without gradient clipping.
 */
import { Command, Option } from 'commander';
import { WorkerPool } from 'wasm-rnn';
import { CliError } from '../common/errors.js';
import { saveModelFile, firstSample } from '../common/model-file.js';
import { lineSpec, writePlot } from '../common/plot.js';
import { mulberry32 } from '../common/random.js';
import { action, withCommonOptions } from '../common/run.js';
import { addingBatch } from './adding.js';
import { explodingRun } from './exploding.js';
import { hiddenGradientNorms } from './gradients.js';
import { trainAdding } from './train.js';

const CELLS = ['rnn', 'lstm', 'gru'];

const lagList = (v) => {
  const lags = v.split(',').map((s) => Number(s.trim()));
  if (lags.length === 0 || lags.some((T) => !Number.isInteger(T) || T < 2 || T > 10000)) throw new CliError(`--lags must be a comma-separated list of integers in 2..10000, got ${JSON.stringify(v)}`);
  return lags;
};
const cellList = (v) => {
  const cells = v.split(',').map((s) => s.trim());
  if (cells.length === 0 || cells.some((c) => !CELLS.includes(c))) throw new CliError(`--cells must list some of ${CELLS.join(', ')}, got ${JSON.stringify(v)}`);
  return cells;
};
const positiveInt = (name) => (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};

const finiteNumber = (name) => (v) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
};

export function memoryCommand() {
  return withCommonOptions(new Command('memory'), { out: 'runs/memory' })
    .description('the adding problem at several lags: tanh RNN vs LSTM vs GRU, gradient norms over time, exploding gradients and clipping')
    .addOption(new Option('--lags <list>', 'sequence lengths T').default([10, 50, 100, 200, 400], '10,50,100,200,400').argParser(lagList))
    .addOption(new Option('--cells <list>', 'which cells to train').default(CELLS, CELLS.join(',')).argParser(cellList))
    .addOption(new Option('--steps <n>', 'training steps per cell and lag (stops early once solved)').default(6000).argParser(positiveInt('--steps')))
    .addOption(new Option('--hidden <n>', 'hidden size of every cell').default(64).argParser(positiveInt('--hidden')))
    .addOption(new Option('--batch <n>', 'sequences per step').default(50).argParser(positiveInt('--batch')))
    .addOption(new Option('--forget-bias <b>', "added to the LSTM's forget-gate bias at initialization (0: PyTorch's initialization)").default(1).argParser(finiteNumber('--forget-bias')))
    .addOption(new Option('--workers <n>', 'train data-parallel on this many workers (1: on this thread)').default(1).argParser(positiveInt('--workers')))
    .action(action(runMemory));
}

async function runMemory(opts, ctx) {
  const { progress, budget, out, seed, quick } = ctx;
  const lags = quick ? opts.lags.filter((T) => T <= 20).concat(opts.lags.some((T) => T <= 20) ? [] : [10]) : opts.lags;
  const hidden = quick ? 8 : opts.hidden;
  const steps = quick ? 20 : opts.steps;
  const evalEvery = quick ? 10 : 100;
  const pool = opts.workers > 1 ? await WorkerPool.create({ workers: opts.workers }) : undefined;
  const lagResults = {};
  const gradientCurves = {};
  const cells = opts.cells;
  const runs = lags.length * cells.length;
  let done = 0;
  try {
    for (const T of lags) {
      const validation = addingBatch(T, 500, mulberry32(seed + 1_000_003 * T));
      const test = addingBatch(T, quick ? 100 : 1000, mulberry32(seed + 2_000_003 * T));
      lagResults[T] = {};
      for (const cell of cells) {
        // An equal share of the time left for each training; 5% is kept for the exploding-gradient runs (seconds).
        const deadline = budget.deadlineFor(0.95 / (runs - done++));
        const r = await trainAdding({ cell, T, hidden, steps, batch: opts.batch, evalEvery, solvedAt: 1e-3, seed, deadline, progress, pool, validation, forgetBias: opts.forgetBias });
        const mse = r.model.evaluate(test.x, test.y).loss;
        lagResults[T][cell] = { mse, steps: r.steps, seconds: round(r.seconds), msPerStep: round(r.msPerStep), stepsToMseBelow001: r.solvedStep ?? null, stopped: r.stopped };
        progress.log(`T=${T} ${cell}: test MSE ${mse.toFixed(4)} after ${r.steps} steps (${r.seconds.toFixed(1)} s, ${r.msPerStep.toFixed(1)} ms/step, ${r.stopped})`);
        // Gradient norms at the longest lag that has all three cells (computed on 100 test sequences).
        if (T === Math.max(...lags)) {
          const sample = addingBatch(T, quick ? 10 : 100, mulberry32(seed + 3_000_017));
          gradientCurves[cell] = hiddenGradientNorms(r.model, cell, hidden, sample.x, sample.y);
          if (cell === 'lstm') saveModelFile(out, 'model', r.model, firstSample(test.x));
        }
        r.model.dispose();
      }
    }
  } finally {
    await pool?.terminate();
  }
  const explodeLag = 30;
  const explodeOptions = { T: explodeLag, hidden, steps: quick ? 20 : 1000, batch: opts.batch, lr: 0.05, seed, initScale: 2.5, validation: addingBatch(explodeLag, 500, mulberry32(seed + 4_000_037)), test: addingBatch(explodeLag, 1000, mulberry32(seed + 5_000_011)) };
  const unclipped = explodingRun({ ...explodeOptions, clip: undefined });
  const clipped = explodingRun({ ...explodeOptions, clip: 1 });
  progress.log(`exploding gradients (ReLU RNN, T=${explodeLag}, SGD): unclipped ${unclipped.diverged ? `diverged at step ${unclipped.steps + 1}` : `MSE ${unclipped.mse?.toFixed(4)}`}; clipped (norm 1) MSE ${clipped.mse === null ? 'diverged' : clipped.mse.toFixed(4)}`);

  await writePlot(out, 'memory-mse-by-lag', {
    ...lineSpec({ title: 'Adding problem: test MSE against the lag T (0.167 = always answering 1)', x: 'T (steps between the marked values and the answer)', y: 'test MSE', series: Object.fromEntries(cells.map((c) => [c, lags.map((T) => ({ x: T, y: lagResults[T][c].mse }))])), yScale: { type: 'log' }, xFormat: 'd' }),
    mark: { type: 'line', point: true },
  });
  await writePlot(out, 'memory-gradient-norms', lineSpec({
    title: `‖∂L/∂h_t‖ against t at T=${Math.max(...lags)}: how much of the loss reaches step t`, x: 't', y: '‖∂L/∂h_t‖',
    series: Object.fromEntries(Object.entries(gradientCurves).map(([c, pts]) => [c, pts.map((p) => ({ x: p.t, y: Math.max(p.norm, 1e-30) }))])), yScale: { type: 'log' },
  }));
  await writePlot(out, 'memory-exploding', lineSpec({
    title: `ReLU RNN, large initialization, SGD, T=${explodeLag}: training loss${unclipped.diverged ? ` (unclipped: ${unclipped.reason} at step ${unclipped.steps + 1})` : ''}`, x: 'step', y: 'training loss (MSE)',
    series: { 'no clipping': unclipped.curve.filter((p) => p.loss !== null).map((p) => ({ x: p.step, y: Math.max(p.loss, 1e-6) })), 'clipGradNorm 1': clipped.curve.map((p) => ({ x: p.step, y: Math.max(p.loss, 1e-6) })) },
    yScale: { type: 'log' },
  }));
  return {
    lags: lagResults,
    exploding: {
      unclipped: { diverged: unclipped.diverged, reason: unclipped.reason, steps: unclipped.steps, mse: unclipped.mse },
      clipped: { diverged: clipped.diverged, mse: clipped.mse, steps: clipped.steps, clipGradNorm: 1 },
      lag: explodeLag,
    },
    gradientNorms: { T: Math.max(...lags), ...Object.fromEntries(Object.entries(gradientCurves).map(([c, pts]) => [c, pts])) },
    settings: { hidden, batch: opts.batch, steps, optimizer: 'Adam 1e-3', clipGradNorm: 1, workers: opts.workers, lstmForgetBias: opts.forgetBias },
  };
}

const round = (v) => Math.round(v * 100) / 100;
