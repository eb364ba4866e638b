// The `wasm-rnn` command line (packages/cli) end to end: every command's --quick mode writes its
// plots, model and summary; the saved model reloads with loadModel and predicts what the trained
// model predicted; bad input ends with one line naming the file, exit code 1 and no stack.
// The CLI runs dist/ (as any user of the package), so this needs `npm run build` first, as
// scripts/test.sh does. It runs in the simd project only: the CLI picks its own wasm build, so
// the three projects would run the same thing three times.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { cli, expectFinite, expectReloads, repoRoot as root } from './helpers/cli';

const work = mkdtempSync(join(tmpdir(), 'wasm-rnn-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function quick(command: string, ...args: string[]) {
  const out = join(work, command.replace(/\s+/g, '-'));
  const r = cli(...command.split(' '), '--quick', '--quiet', '--json', '--out', out, ...args);
  expect(r.stderr.replace(/^WARN .*\n/gm, '')).toBe('');
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
  expectFinite(summary, command);
  return { out, summary };
}

describe.runIf(process.env.WASM_RNN_VARIANT === 'simd')('wasm-rnn CLI', () => {
  it('forecast --quick: S&P 500 and CO₂ metrics of every model and baseline, plots, two models that reload', async () => {
    const { out, summary } = quick('forecast');
    for (const m of ['lstm', 'randomWalk', 'movingAverage']) {
      for (const k of ['rmse', 'mae', 'mase', 'directionalAccuracy']) expect(typeof summary.series.sp500.models[m][k], `sp500 ${m}.${k}`).toBe('number');
    }
    for (const m of ['lstm', 'gru', 'rnn', 'seasonalNaive', 'linearAR']) {
      for (const k of ['rmse', 'mae']) expect(summary.series.co2.models[m][k], `co2 ${m}.${k}`).toBeGreaterThan(0);
    }
    // The baselines are deterministic: the measurements of this protocol.
    expect(summary.series.co2.models.seasonalNaive.rmse).toBeCloseTo(0.80, 2);
    expect(summary.series.co2.models.linearAR.rmse).toBeCloseTo(0.69, 2);
    for (const f of ['sp500-test.svg', 'co2-forecasts.svg', 'co2-rmse-by-horizon.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'co2-forecasts.svg'), 'utf8')).toMatch(/^<svg/);
    await expectReloads(out, 'model');
    await expectReloads(out, 'sp500-lstm');
  });

  it('memory --quick: MSE per lag and cell, exploding with and without clipping, gradient norms', async () => {
    const { out, summary } = quick('memory', '--lags', '10');
    for (const cell of ['lstm', 'gru', 'rnn']) expect(summary.lags['10'][cell].mse).toBeGreaterThan(0);
    expect(typeof summary.exploding.unclipped.diverged).toBe('boolean');
    expect(summary.exploding.clipped.diverged).toBe(false);
    expect(summary.gradientNorms.lstm.length).toBeGreaterThan(1);
    for (const f of ['memory-mse-by-lag.svg', 'memory-gradient-norms.svg', 'memory-exploding.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    await expectReloads(out, 'model');
  });

  it('textgen --quick, then textgen sample --model', async () => {
    const text = join(work, 'corpus.txt');
    writeFileSync(text, 'To be, or not to be, that is the question:\n'.repeat(60));
    const { out, summary } = quick('textgen', '--text', text, '--length', '40');
    expect(summary.valBitsPerChar).toBeCloseTo(summary.valNats / Math.LN2, 10);
    // Read statefully, the validation text scores no worse than in windows from a zero state.
    expect(summary.valNats).toBeLessThan(summary.valNatsWindows + 1e-3);
    expect(summary.settings.cuts).toBe(2);
    expect(summary.settings.inputDropout).toBe(0.1);
    expect(summary.steps).toBe(20);
    expect(typeof summary.sample).toBe('string');
    expect(existsSync(join(out, 'textgen-loss.svg'))).toBe(true);
    await expectReloads(out, 'model');
    const r = cli('textgen', 'sample', '--model', join(out, 'model.safetensors'), '--length', '30', '--prime', 'To be');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('To be')).toBe(true);
    expect([...r.stdout.trimEnd()].length).toBe(35);
  });

  describe('bad input: one line naming the file, exit code 1, no stack', () => {
    const bad = (file: string, content: string | Buffer) => {
      const path = join(work, file);
      writeFileSync(path, content);
      return path;
    };
    const cases: Array<[string, () => string[], RegExp]> = [
      ['a missing CSV', () => ['forecast', '--co2', join(work, 'nope.csv'), '--quiet'], /nope\.csv: no such file/],
      ['a CSV with a non-number', () => ['forecast', '--quiet', '--series', 'co2', '--co2', bad('bad.csv', 'Date,CO2\n2000-01-01,315.1\n2000-02-01,abc\n')], /bad\.csv: line 3, column "CO2": "abc" is not a number/],
      ['a CSV without the column', () => ['forecast', '--quiet', '--series', 'sp500', '--sp500', bad('cols.csv', 'date,price\n2000-01-01,1\n')], /cols\.csv: has no column "open"/],
      ['a missing text', () => ['textgen', '--text', join(work, 'missing.txt'), '--quiet'], /missing\.txt: no such file/],
      ['an empty corpus', () => ['textgen', '--quiet', '--text', bad('empty.txt', '')], /empty\.txt: is empty/],
      ['a text that is not UTF-8', () => ['textgen', '--quiet', '--text', bad('latin1.bin', Buffer.from([0x66, 0xff, 0xfe, 0x80]))], /latin1\.bin: is not UTF-8 text/],
      ['an unreadable model file', () => ['textgen', 'sample', '--model', bad('model.bin', 'not a model at all')], /model\.bin: not a readable wasm-rnn model/],
      ['a missing model file', () => ['textgen', 'sample', '--model', join(work, 'none.safetensors')], /none\.safetensors: no such file/],
    ];
    it.each(cases)('%s', (_name, args, message) => {
      const r = cli(...args());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
  });
});
