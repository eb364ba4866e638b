/**
 * `wasm-rnn forecast`: S&P 500 next-day prices and CO₂ 1–12 months ahead, each recurrent model
 * against the baselines it must beat. Writes plots, the CO₂ LSTM as model.safetensors, the S&P
 * LSTM as sp500-lstm.safetensors and summary.json.
 */
import { Command } from 'commander';
import { CliError } from '../common/errors.js';
import { saveModelFile } from '../common/model-file.js';
import { lineSpec, writePlot } from '../common/plot.js';
import { action, withCommonOptions } from '../common/run.js';
import { forecastCo2 } from './co2.js';
import { defaultFile, readCo2, readSp500 } from './data.js';
import { forecastSp500 } from './sp500.js';

const fmt = (v) => v.toFixed(3);

export function forecastCommand() {
  return withCommonOptions(new Command('forecast'), { out: 'runs/forecast' })
    .description('forecast S&P 500 closes (next day) and CO₂ (1–12 months ahead) with LSTM/GRU/RNN against honest baselines')
    .option('--sp500 <file>', 'daily OHLCV CSV (date,open,high,low,close,volume)', defaultFile('sp500-2000.csv'))
    .option('--co2 <file>', 'monthly CSV with Date and CO2 columns', defaultFile('co2-concentration.csv'))
    .option('--series <names>', 'which series to run: sp500, co2 or both', 'sp500,co2')
    .action(action(runForecast));
}

async function runForecast(opts, ctx) {
  const wanted = new Set(opts.series.split(',').map((s) => s.trim()));
  const unknown = [...wanted].filter((s) => s !== 'sp500' && s !== 'co2');
  if (unknown.length > 0 || wanted.size === 0) throw new CliError(`--series: expected sp500, co2 or both, got ${JSON.stringify(opts.series)}`);
  // Read every input first: a bad file fails before any training.
  const sp = wanted.has('sp500') ? readSp500(opts.sp500) : undefined;
  const co = wanted.has('co2') ? readCo2(opts.co2) : undefined;
  const series = {};
  const { progress, out } = ctx;
  if (sp) {
    const r = await forecastSp500(sp, ctx);
    series.sp500 = r.summary;
    saveModelFile(out, 'sp500-lstm', r.model, r.sampleInput);
    r.model.dispose();
    const last = Math.max(0, r.plot.dates.length - 120);
    const points = (values) => values.slice(last).map((v, i) => ({ x: r.plot.dates[last + i], y: v }));
    await writePlot(out, 'sp500-test', lineSpec({
      title: 'S&P 500, last 120 test days: close and next-day forecasts', x: 'date', y: 'close', xType: 'temporal',
      series: { actual: points(r.plot.actual), lstm: points(r.plot.lstm), 'random walk': points(r.plot.walk) },
    }));
    const m = r.summary.models;
    progress.log(`sp500 test (${r.summary.testPeriod.days} days): RMSE lstm ${fmt(m.lstm.rmse)} random walk ${fmt(m.randomWalk.rmse)} moving average ${fmt(m.movingAverage.rmse)}; MASE lstm ${fmt(m.lstm.mase)}; direction lstm ${fmt(m.lstm.directionalAccuracy)} vs always up ${fmt(r.summary.directionalBaselines.alwaysUp)}`);
  }
  if (co) {
    const r = await forecastCo2(co, ctx);
    series.co2 = r.summary;
    saveModelFile(out, 'model', r.model, r.sampleInput);
    r.model.dispose();
    const { dates, y, testOrigins, forecasts } = r.plot;
    const h = 12;
    const plotted = { actual: testOrigins.map((o) => ({ x: dates[o + h], y: y[o + h] })) };
    for (const [name, f] of Object.entries(forecasts)) plotted[name] = testOrigins.map((o, n) => ({ x: dates[o + h], y: f(n, o, h) }));
    await writePlot(out, 'co2-forecasts', lineSpec({ title: 'CO₂ at Mauna Loa: actual and 12-month-ahead forecasts (rolling origin)', x: 'month', y: 'CO₂ (ppm)', xType: 'temporal', series: plotted }));
    const byH = Object.fromEntries(Object.entries(r.summary.rmseByHorizon).map(([name, v]) => [name, v.map((e, i) => ({ x: i + 1, y: e }))]));
    await writePlot(out, 'co2-rmse-by-horizon', lineSpec({ title: 'CO₂: RMSE by forecast horizon over the last 10 years', x: 'months ahead', y: 'RMSE (ppm)', series: byH, yScale: { zero: true }, xFormat: 'd' }));
    progress.log(`co2 RMSE (ppm): ${Object.entries(r.summary.models).map(([n, m]) => `${n} ${fmt(m.rmse)}`).join(', ')}`);
  }
  return { series };
}
