// The demo page end to end: builds examples/web with Vite, serves the build (vite preview on
// 127.0.0.1) and clicks through it in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): starts LSTM training, counts the page's animation frames while the worker
// trains, switches to GRU (training starts over) and lets it finish, trains RNN from the Start
// button, samples text from the character model, and saves a screenshot to docs/demo.png (what
// the README shows).
//
//   node examples/web/test/run.mjs      (after `npm run build`: the page uses dist/browser.js)
//
// Prints one line per check and "demo: N passed, M failed"; exit status 1 if any failed.
// Every wait is bounded.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { checklist } from '../../../test/helpers/checklist.mjs';

const CONFIG = fileURLToPath(new URL('../vite.config.mjs', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../../docs/demo.png', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WAIT_MS = 120_000;
/** The page must keep drawing while the worker trains: at least this many frames per second. */
const MIN_FPS = 20;
const FRAME_WINDOW_MS = 2000;

const { check, finish } = checklist('demo');

/** Frames per second and the longest gap between two frames, over `ms` of requestAnimationFrame. */
function countFrames(ms) {
  return new Promise((resolve) => {
    const started = performance.now();
    let frames = 0;
    let last = started;
    let longestGap = 0;
    const frame = (now) => {
      frames++;
      longestGap = Math.max(longestGap, now - last);
      last = now;
      if (now - started < ms) requestAnimationFrame(frame);
      else resolve({ fps: (frames * 1000) / (now - started), longestGap });
    };
    requestAnimationFrame(frame);
  });
}

const started = Date.now();
try {
  await build({ configFile: CONFIG, logLevel: 'error' });
  check('vite build', true, `${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  check('vite build', false, String(error?.message ?? error));
  finish();
}
const server = await preview({ configFile: CONFIG, logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
const url = server.resolvedUrls.local[0];
const profile = mkdtempSync(join(tmpdir(), 'wasm-rnn-demo-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1000, height: 680 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  timeout: 60_000,
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${new URL(r.url()).pathname}`));
  page.on('request', (r) => !r.url().startsWith(url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:') && problems.push(`off-site request ${r.url()}`));
  await page.goto(url, { timeout: WAIT_MS });
  await page.waitForFunction(() => window.demoState.ready || window.demoState.error, null, { timeout: WAIT_MS });
  const variant = await page.evaluate(() => window.demoState.variant);
  check('page loaded the library', variant !== undefined, `loadedVariant() ${variant}, shown as "${await page.textContent('#variant')}"`);

  // LSTM (the default): count frames while the worker trains.
  await page.click('#train');
  await page.waitForFunction(() => window.demoState.losses.length >= 2 || window.demoState.error, null, { timeout: WAIT_MS });
  const epochsBefore = await page.evaluate(() => window.demoState.losses.length);
  const frames = await page.evaluate(countFrames, FRAME_WINDOW_MS);
  const during = await page.evaluate(() => ({ epochs: window.demoState.losses.length, running: window.demoState.running, stepMs: window.demoState.stepMs, workerVariant: window.demoState.workerVariant }));
  check('LSTM training ran in the worker while frames were counted', during.epochs > epochsBefore, `epochs ${epochsBefore} → ${during.epochs} in ${FRAME_WINDOW_MS} ms, worker variant ${during.workerVariant}`);
  check(`page stayed responsive during training (≥ ${MIN_FPS} frames/s)`, frames.fps >= MIN_FPS, `${frames.fps.toFixed(1)} frames/s, longest gap ${frames.longestGap.toFixed(0)} ms, step time ${during.stepMs?.toFixed(2)} ms`);

  // Switch to GRU mid-training: it starts over; let it finish.
  await page.click('input[name=cell][value=GRU]');
  await page.waitForFunction(() => window.demoState.done || window.demoState.error, null, { timeout: WAIT_MS });
  const run = await page.evaluate(() => ({ ...window.demoState, losses: [...window.demoState.losses] }));
  check('switching the cell restarted training with GRU', run.cell === 'GRU' && run.losses.length === run.epochs && run.error === undefined, `${run.losses.length}/${run.epochs} epochs${run.error ? `, error ${run.error}` : ''}`);
  const [first, last] = [run.losses[0], run.losses.at(-1)];
  check('GRU training loss went down', last < run.initialLoss * 0.5 && last < first, `before training ${run.initialLoss?.toFixed(4)}, epoch 1 ${first?.toFixed(4)}, epoch ${run.losses.length} ${last?.toFixed(4)}, step time ${run.stepMs?.toFixed(2)} ms`);

  // RNN: picked while stopped (nothing starts), then started with the button.
  await page.click('input[name=cell][value=RNN]');
  const startedByPick = await page.evaluate(() => window.demoState.running);
  await page.click('#train');
  await page.waitForFunction(() => (window.demoState.done && window.demoState.cell === 'RNN') || window.demoState.error, null, { timeout: WAIT_MS });
  const rnn = await page.evaluate(() => ({ ...window.demoState, losses: [...window.demoState.losses] }));
  check('RNN trained after Start, loss went down', !startedByPick && rnn.error === undefined && rnn.losses.at(-1) < rnn.initialLoss * 0.5, `before training ${rnn.initialLoss?.toFixed(4)}, epoch ${rnn.losses.length} ${rnn.losses.at(-1)?.toFixed(4)}, step time ${rnn.stepMs?.toFixed(2)} ms${rnn.error ? `, error ${rnn.error}` : ''}`);

  // Sample from the pre-trained character model.
  await page.waitForFunction(() => !document.getElementById('sample').disabled || window.demoState.error, null, { timeout: WAIT_MS });
  await page.fill('#prompt', 'ROMEO:');
  await page.click('#sample');
  await page.waitForFunction(() => window.demoState.sample.length > 0 || window.demoState.error, null, { timeout: WAIT_MS });
  const text = await page.evaluate(() => window.demoState.sample);
  check('sampled non-empty text from the character model', text.trim().length > 0, JSON.stringify(text.slice(0, 60)));

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  check('screenshot saved', statSync(SCREENSHOT).size > 0, `docs/demo.png, ${statSync(SCREENSHOT).size} bytes`);
  check('no page errors, failed or off-site requests', problems.length === 0, problems.join('; '));
} catch (error) {
  // A wait that timed out or a page that crashed: one failure naming it, then the closing line.
  check('page clicked through', false, String(error?.message ?? error).split('\n')[0]);
} finally {
  await browser.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
  rmSync(profile, { recursive: true, force: true });
}
finish();
