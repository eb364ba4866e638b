// The CO₂ forecaster's data and model (used by the training worker): the monthly series is
// differenced (the trend would otherwise push the test months outside the range the scaler saw),
// standardized on the training months, cut into sliding windows of LOOKBACK months, and a
// recurrent cell + Dense learns the next month's change. A prediction in ppm is the previous
// month's measurement plus the predicted change (one step ahead).
import { Adam, Dense, GRU, LSTM, RNN, Sequential, StandardScaler, slidingWindows } from 'wasm-rnn';
import co2 from './co2.json';

export const LOOKBACK = 24;
export const HIDDEN = 32;
/** The last fifth of the months is held out: validation loss and the predictions chart. */
const TEST_FRACTION = 0.2;
const CELLS = { RNN, LSTM, GRU };

/** Windows of the scaled monthly changes: training and held-out parts, and what the chart needs. */
export function prepareData() {
  const ppm = Float32Array.from(co2.ppm);
  // change[i] = ppm[i + 1] − ppm[i] (the few missing months make some changes two-month ones).
  const change = ppm.subarray(1).map((v, i) => v - ppm[i]);
  const testStart = Math.round(change.length * (1 - TEST_FRACTION));
  const scaler = new StandardScaler().fit(change.subarray(0, testStart), 1);
  const scaled = scaler.transform(change);
  const train = slidingWindows(scaled.subarray(0, testStart), { lookback: LOOKBACK });
  // The held-out windows start LOOKBACK months early, so their targets are exactly the test months.
  const test = slidingWindows(scaled.subarray(testStart - LOOKBACK), { lookback: LOOKBACK });
  // Target k of `test` is change[testStart + k] = ppm[testStart + k + 1] − ppm[testStart + k].
  const months = co2.months.slice(testStart + 1);
  const previous = ppm.subarray(testStart, testStart + months.length);
  const actual = ppm.subarray(testStart + 1);
  return { train, test, scaler, months, previous, actual };
}

/** A fresh model with `cell` ('RNN' | 'LSTM' | 'GRU'), compiled for mean squared error. */
export function buildModel(cell) {
  const Cell = CELLS[cell];
  if (Cell === undefined) throw new Error(`unknown cell ${JSON.stringify(cell)}: expected RNN, LSTM or GRU`);
  const model = new Sequential([new Cell({ inputSize: 1, hiddenSize: HIDDEN, returnSequences: false }), new Dense({ inputSize: HIDDEN, outputSize: 1 })], { seed: 1 });
  model.compile({ loss: 'mse', optimizer: new Adam({ lr: 5e-3 }), clipGradNorm: 1 });
  return model;
}

/** One-step-ahead predictions for the held-out months, in ppm. */
export function predictPpm(model, data) {
  const change = data.scaler.inverseTransform(model.predict(data.test.x).data);
  return data.previous.map((p, k) => p + change[k]);
}
