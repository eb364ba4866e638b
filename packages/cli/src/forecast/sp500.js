/**
 * S&P 500, next day: an LSTM reads the last `lookback` days of OHLCV features and predicts the
 * next day's log return. Features are stationary transforms of the prices (returns and ranges,
 * not price levels, which the test period leaves far behind), standardized on the training
 * period only. Split in time order: 70% train, 15% validation (early stopping), 15% test.
 */
import { Adam, Dense, LSTM, Sequential, StandardScaler, chronologicalSplit, slidingWindows, tensor } from 'wasm-rnn';
import { firstSample } from '../common/model-file.js';
import { train } from '../common/train.js';
import { movingAverage, randomWalk } from './baselines.js';
import { directionalAccuracy, mae, mase, rmse } from './metrics.js';

export const FEATURES = ['logReturn', 'gap', 'high', 'low', 'logVolumeChange'];

/** Row t (t ≥ 1): the day's log return, opening gap, high and low relative to the close, volume change. */
function features(d) {
  const T = d.close.length - 1;
  const rows = new Float32Array(T * FEATURES.length);
  for (let t = 1; t <= T; t++) {
    const r = (t - 1) * FEATURES.length;
    rows[r] = Math.log(d.close[t] / d.close[t - 1]);
    rows[r + 1] = Math.log(d.open[t] / d.close[t - 1]);
    rows[r + 2] = Math.log(d.high[t] / d.close[t]);
    rows[r + 3] = Math.log(d.low[t] / d.close[t]);
    rows[r + 4] = Math.log(d.volume[t] / d.volume[t - 1]);
  }
  return tensor(rows, [T, FEATURES.length]);
}

/** Windows whose target (feature row) index lies in [from, to). */
function select(windows, lookback, from, to) {
  const F = FEATURES.length;
  const N = windows.y.shape[0];
  const idx = [];
  for (let n = 0; n < N; n++) if (n + lookback >= from && n + lookback < to) idx.push(n);
  const x = new Float32Array(lookback * idx.length * F);
  for (let t = 0; t < lookback; t++) {
    idx.forEach((n, j) => x.set(windows.x.data.subarray((t * N + n) * F, (t * N + n + 1) * F), (t * idx.length + j) * F));
  }
  const y = Float32Array.from(idx, (n) => windows.y.data[n]);
  return { x: tensor(x, [lookback, idx.length, F]), y: tensor(y, [idx.length, 1]), targets: idx.map((n) => n + lookback) };
}

export async function forecastSp500(data, ctx, { lookback = 20, maWindow = 5 } = {}) {
  const { progress, quick, seed } = ctx;
  const rows = features(data);
  const T = rows.shape[0];
  const split = chronologicalSplit(T, { validation: 0.15, test: 0.15 });
  const scaler = new StandardScaler().fit(tensor(rows.data.slice(0, split.train[1] * FEATURES.length), [split.train[1], FEATURES.length]));
  const windows = slidingWindows(scaler.transform(rows), { lookback, horizon: 1, targetFeatures: [0] });
  const trainSet = select(windows, lookback, 0, split.train[1]);
  const valSet = select(windows, lookback, split.validation[0], split.validation[1]);
  const testSet = select(windows, lookback, split.test[0], split.test[1]);
  progress.log(`sp500: ${data.close.length} days (${data.dates[0]} – ${data.dates.at(-1)}); windows: ${trainSet.targets.length} train, ${valSet.targets.length} validation, ${testSet.targets.length} test`);

  const hidden = quick ? 8 : 32;
  const model = new Sequential([new LSTM({ inputSize: FEATURES.length, hiddenSize: hidden, returnSequences: false }), new Dense({ inputSize: hidden, outputSize: 1 })], { seed });
  model.compile({ loss: 'mse', optimizer: new Adam({ lr: 1e-3 }), clipGradNorm: 1 });
  model.preprocessing = { features: scaler };
  const { history, seconds } = await train(model, trainSet.x, trainSet.y, {
    progress: ctx.progress, budget: ctx.budget, label: 'sp500 lstm', share: 0.25,
    epochs: quick ? 2 : 40, batchSize: 64, samples: trainSet.targets.length,
    validationData: [valSet.x, valSet.y],
    earlyStopping: { patience: 6, restoreBestWeights: true },
  });

  // Back from standardized returns to prices: the close of day t+1 implied by the return forecast.
  const predicted = model.predict(testSet.x).data;
  const { mean: [mean], scale: [scale] } = scaler.toJSON();
  // Feature row t describes day t+1 of the price series (row 0 is the first return).
  const previous = [], actual = [], lstm = [], walk = [], average = [];
  testSet.targets.forEach((row, j) => {
    const day = row + 1;
    previous.push(data.close[day - 1]);
    actual.push(data.close[day]);
    lstm.push(data.close[day - 1] * Math.exp(predicted[j] * scale + mean));
    walk.push(randomWalk(data.close, day - 1));
    average.push(movingAverage(data.close, day - 1, maWindow));
  });
  const trainCloses = data.close.slice(0, split.train[1] + 1);
  const measure = (p) => ({ rmse: rmse(actual, p), mae: mae(actual, p), mase: mase(actual, p, trainCloses), directionalAccuracy: directionalAccuracy(previous, actual, p) });
  const alwaysUp = actual.filter((a, i) => a > previous[i]).length / actual.length;
  const testDates = testSet.targets.map((row) => data.dates[row + 1]);
  return {
    model,
    sampleInput: firstSample(testSet.x),
    summary: {
      testPeriod: { from: testDates[0], to: testDates.at(-1), days: actual.length },
      models: { lstm: measure(lstm), randomWalk: measure(walk), movingAverage: { ...measure(average), window: maWindow } },
      directionalBaselines: { coinFlip: 0.5, alwaysUp },
      training: { epochs: history.epoch.length, bestEpoch: history.bestEpoch + 1, seconds, lookback, hidden, features: FEATURES },
    },
    plot: { dates: testDates, actual, lstm, walk },
  };
}
