/**
 * Training one cell on the adding problem: a fresh batch every step (the data is unlimited, so
 * nothing to overfit), the validation MSE every `evalEvery` steps, and a stop when the task is
 * solved (validation MSE below `solvedAt`), the step budget is used or the time share is spent.
 */
import { Adam, Dense, GRU, LSTM, RNN, Sequential } from 'wasm-rnn';
import { mulberry32 } from '../common/random.js';
import { addingBatch } from './adding.js';

const CELLS = { lstm: LSTM, gru: GRU, rnn: RNN };

export async function trainAdding({ cell, T, hidden, steps, batch, evalEvery, solvedAt, seed, deadline, progress, pool, validation, forgetBias = 0 }) {
  const Cell = CELLS[cell];
  const model = new Sequential([new Cell({ inputSize: 2, hiddenSize: hidden, returnSequences: false }), new Dense({ inputSize: hidden, outputSize: 1 })], { seed });
  if (cell === 'lstm' && forgetBias !== 0) addForgetBias(model, hidden, forgetBias);
  model.compile({ loss: 'mse', optimizer: new Adam({ lr: 1e-3 }), clipGradNorm: 1 });
  const random = mulberry32(seed * 7919 + T);
  const display = progress.training(`T=${T} ${cell}`, { epochs: Math.ceil(steps / evalEvery), batches: evalEvery, deadline });
  const curve = [];
  const started = performance.now();
  let step = 0;
  let solvedStep;
  let stopped = 'step budget';
  try {
    while (step < steps) {
      const { x, y } = addingBatch(T, batch, random);
      const loss = pool ? await model.trainStep(x, y, { pool }) : model.trainStep(x, y);
      step++;
      display.onBatchEnd(step, { loss });
      if (step % evalEvery === 0 || step === steps) {
        const mse = model.evaluate(validation.x, validation.y).loss;
        curve.push({ step, mse });
        display.onEpochEnd(Math.ceil(step / evalEvery) - 1, { loss, valLoss: mse });
        if (solvedStep === undefined && mse < 0.01) solvedStep = step;
        if (mse < solvedAt) {
          stopped = 'solved';
          break;
        }
        if (performance.now() > deadline) {
          stopped = 'time budget spent';
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    display.done();
  }
  const seconds = (performance.now() - started) / 1000;
  return { model, curve, steps: step, seconds, msPerStep: (seconds * 1000) / step, solvedStep, stopped };
}

/**
 * Adds `value` to the LSTM's forget-gate bias (rows H..2H of bias_ih_l0, PyTorch's gate order
 * i, f, g, o): a forget gate that starts open keeps the cell state, and its gradient, over long
 * lags from the first step (Gers et al. 2000; Jozefowicz et al. 2015; Keras' unit_forget_bias).
 */
function addForgetBias(model, hidden, value) {
  const name = '0.bias_ih_l0';
  const bias = model.stateDict()[name];
  const data = Float32Array.from(bias.data);
  for (let i = hidden; i < 2 * hidden; i++) data[i] += value;
  model.loadStateDict({ [name]: { data, shape: bias.shape } }, { strict: false });
}
