/**
 * Exploding gradients: a ReLU RNN whose recurrent weights start large (U(−a, a) with a 2.5
 * times PyTorch's 1/√H) trained with plain SGD on the adding problem, from the same initial
 * weights twice: without clipping the gradient norm grows step by step until the loss is
 * non-finite (or beyond any use), with clipGradNorm the same run trains.
 */
import { Dense, RNN, SGD, Sequential, tensor } from 'wasm-rnn';
import { mulberry32 } from '../common/random.js';
import { addingBatch } from './adding.js';

function build({ hidden, seed, initScale }) {
  const model = new Sequential([new RNN({ inputSize: 2, hiddenSize: hidden, nonlinearity: 'relu', returnSequences: false }), new Dense({ inputSize: hidden, outputSize: 1 })], { seed });
  const dict = model.stateDict();
  const w = dict['0.weight_hh_l0'];
  model.loadStateDict({ '0.weight_hh_l0': tensor(w.data.map((v) => v * initScale), w.shape) }, { strict: false });
  return model;
}

export function explodingRun({ T, hidden, steps, batch, lr, clip, seed, initScale, validation, test }) {
  const model = build({ hidden, seed, initScale });
  model.compile({ loss: 'mse', optimizer: new SGD({ lr, momentum: 0.9 }), ...(clip === undefined ? {} : { clipGradNorm: clip }) });
  const random = mulberry32(seed * 104729 + T);
  const curve = [];
  let diverged = false;
  let reason = null;
  let step = 0;
  // SGD with momentum at this rate is noisy: keep the weights of the best validation check.
  let best = { mse: Infinity, weights: undefined };
  for (; step < steps; step++) {
    const { x, y } = addingBatch(T, batch, random);
    let loss;
    try {
      loss = model.trainStep(x, y);
    } catch (e) {
      if (e?.code !== 'E_NON_FINITE') throw e;
      diverged = true; // the loss or a gradient overflowed: nothing was updated
      reason = 'non-finite loss or gradient';
      curve.push({ step: step + 1, loss: null, gradNorm: null });
      break;
    }
    curve.push({ step: step + 1, loss, gradNorm: model.lastGradNorm() });
    // A loss a thousand times the constant predictor's is as good as infinite.
    if (!(loss < 1000 / 6)) {
      diverged = true;
      reason = 'loss above 1000 times the constant predictor\'s';
      break;
    }
    if ((step + 1) % 50 === 0) {
      const mse = model.evaluate(validation.x, validation.y).loss;
      if (mse < best.mse) best = { mse, weights: model.stateDict() };
    }
  }
  if (!diverged && best.weights !== undefined) model.loadStateDict(best.weights);
  const mse = diverged ? null : model.evaluate(test.x, test.y).loss;
  model.dispose();
  return { diverged, reason, mse, steps: step, curve };
}
