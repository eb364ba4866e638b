/**
 * CO₂ at Mauna Loa, 1–12 months ahead, rolling origin over the last 10 years: every month of
 * the test period is an origin, and each model forecasts the 12 months after it from the data
 * up to it. Models are fit once, on the data before the test period.
 *
 * The recurrent models forecast the series through its yearly change d_t = y_t − y_{t−12}:
 * ŷ_{o+h} = y_{o+h−12} + d_o + r̂_h, i.e. the seasonal naive forecast with drift plus a
 * learned correction r̂_h of the drift. Their input is the last `lookback` months of d (taken
 * relative to d_o, so the window's level does not matter: the growth rate in the test years is
 * higher than any seen in training) and of the monthly change y_t − y_{t−1} (the seasonal
 * shape); each of the 12 outputs is one horizon. Several seeds are averaged.
 */
import { Adam, Dense, GRU, LSTM, RNN, Sequential, StandardScaler, tensor } from 'wasm-rnn';
import { firstSample } from '../common/model-file.js';
import { train } from '../common/train.js';
import { fitLinearAR, seasonalNaive } from './baselines.js';
import { mae, rmse } from './metrics.js';

const PERIOD = 12;
const HORIZON = 12;
const TEST_MONTHS = 120;
const CELLS = { lstm: LSTM, gru: GRU, rnn: RNN };

/** Inputs [lookback, origins, 2] for the given origins (scaled features, d relative to d_o). */
function inputs(scaled, origins, lookback) {
  const x = new Float32Array(lookback * origins.length * 2);
  origins.forEach((o, n) => {
    for (let k = 0; k < lookback; k++) {
      const t = o - lookback + 1 + k;
      x[(k * origins.length + n) * 2] = scaled[t * 2] - scaled[o * 2];
      x[(k * origins.length + n) * 2 + 1] = scaled[t * 2 + 1];
    }
  });
  return tensor(x, [lookback, origins.length, 2]);
}

export async function forecastCo2(data, ctx, { lookback = 48, order = 36 } = {}) {
  const { progress, quick, seed } = ctx;
  const y = data.values;
  const N = y.length;
  const testStart = N - TEST_MONTHS;
  // Origins inside the test period with all 12 targets observed (the protocol).
  const testOrigins = [];
  for (let o = testStart; o + HORIZON < N; o++) testOrigins.push(o);
  // Features from month 13 on: [d_t, y_t − y_{t−1}]; standardized on the months before the test.
  const rows = new Float32Array(N * 2);
  for (let t = PERIOD; t < N; t++) {
    rows[t * 2] = y[t] - y[t - PERIOD];
    rows[t * 2 + 1] = y[t] - y[t - 1];
  }
  const scaler = new StandardScaler().fit(tensor(rows.slice(PERIOD * 2, testStart * 2), [testStart - PERIOD, 2]));
  const scaled = scaler.transform(tensor(rows, [N, 2])).data;
  const dScale = scaler.toJSON().scale[0];
  const trainOrigins = [];
  for (let o = PERIOD + lookback; o + HORIZON < testStart; o++) trainOrigins.push(o);
  const target = new Float32Array(trainOrigins.length * HORIZON);
  trainOrigins.forEach((o, n) => {
    for (let h = 1; h <= HORIZON; h++) target[n * HORIZON + h - 1] = scaled[(o + h) * 2] - scaled[o * 2];
  });
  const xTrain = inputs(scaled, trainOrigins, lookback);
  const yTrain = tensor(target, [trainOrigins.length, HORIZON]);
  const xTest = inputs(scaled, testOrigins, lookback);
  progress.log(`co2: ${N} months (${data.dates[0]} – ${data.dates.at(-1)}); ${trainOrigins.length} training windows, ${testOrigins.length} test origins × ${HORIZON} horizons`);

  const forecasts = {};
  const trained = {};
  const seeds = quick ? [seed] : [seed, seed + 1, seed + 2];
  const hidden = quick ? 8 : 32;
  const cells = Object.keys(CELLS);
  for (const [c, name] of cells.entries()) {
    const corrections = testOrigins.map(() => new Float64Array(HORIZON));
    trained[name] = [];
    for (const [s, memberSeed] of seeds.entries()) {
      const Cell = CELLS[name];
      const model = new Sequential([new Cell({ inputSize: 2, hiddenSize: hidden, returnSequences: false }), new Dense({ inputSize: hidden, outputSize: HORIZON })], { seed: memberSeed });
      model.compile({ loss: 'mse', optimizer: new Adam({ lr: 3e-3 }), clipGradNorm: 1 });
      model.preprocessing = { features: scaler };
      const { history, seconds } = await train(model, xTrain, yTrain, {
        progress: ctx.progress, budget: ctx.budget, label: `co2 ${name} ${s + 1}/${seeds.length}`, share: 1 / (seeds.length * (cells.length - c) - s),
        epochs: quick ? 2 : 200, batchSize: 32, samples: trainOrigins.length,
        validationSplit: 0.15, earlyStopping: { patience: 30, restoreBestWeights: true },
      });
      const out = model.predict(xTest).data;
      testOrigins.forEach((_, n) => {
        for (let h = 0; h < HORIZON; h++) corrections[n][h] += (out[n * HORIZON + h] * dScale) / seeds.length;
      });
      trained[name].push({ model, epochs: history.epoch.length, bestEpoch: history.bestEpoch + 1, seconds });
    }
    forecasts[name] = (n, o, h) => seasonalNaive(y, o, h, PERIOD, true) + corrections[n][h - 1];
  }
  const ar = fitLinearAR(y, testStart, order);
  const arPaths = testOrigins.map((o) => ar.forecast(y, o, HORIZON));
  forecasts.seasonalNaive = (_n, o, h) => seasonalNaive(y, o, h, PERIOD, true);
  forecasts.linearAR = (n, _o, h) => arPaths[n][h - 1];

  // Every (origin, horizon) pair, and the errors per horizon.
  const models = {};
  const byHorizon = {};
  for (const [name, f] of Object.entries(forecasts)) {
    const actual = [], predicted = [];
    const perH = Array.from({ length: HORIZON }, () => [[], []]);
    testOrigins.forEach((o, n) => {
      for (let h = 1; h <= HORIZON; h++) {
        const p = f(n, o, h);
        actual.push(y[o + h]);
        predicted.push(p);
        perH[h - 1][0].push(y[o + h]);
        perH[h - 1][1].push(p);
      }
    });
    models[name] = { rmse: rmse(actual, predicted), mae: mae(actual, predicted) };
    byHorizon[name] = perH.map(([a, p]) => rmse(a, p));
  }
  models.seasonalNaive.drift = true;
  models.linearAR.order = order;
  for (const name of cells) {
    const runs = trained[name];
    models[name].ensemble = runs.length;
    models[name].epochs = runs.map((r) => r.epochs);
    models[name].seconds = Math.round(runs.reduce((a, r) => a + r.seconds, 0) * 10) / 10;
  }
  const lstm = trained.lstm[0].model;
  for (const name of cells) trained[name].forEach((r, i) => name !== 'lstm' || i > 0 ? r.model.dispose() : undefined);
  return {
    model: lstm,
    sampleInput: firstSample(xTest),
    summary: {
      testPeriod: { from: data.dates[testStart], to: data.dates[N - 1], origins: testOrigins.length, horizons: HORIZON },
      models,
      rmseByHorizon: byHorizon,
      training: { lookback, hidden, seeds },
    },
    plot: { dates: data.dates, y, testOrigins, forecasts },
  };
}
