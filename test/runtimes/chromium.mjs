// wasm-rnn in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): serves
// the repository on 127.0.0.1 (a port the OS picks) with a tiny static server (.wasm as
// application/wasm, so the library compiles while streaming), opens
// /test/runtimes/browser/smoke.html once per mode (init() is once per page):
//   default  init() with no options must pick 'relaxed'; then the smoke checks
//   simd, scalar  forced builds; the smoke checks
//   pool     WorkerPool.create({ workers: 2 }) on module Web Workers (dist/worker.js): a batch
//            of 4 split across them equals the single-thread layer
// and collects each page's report. Also checks that each page fetched exactly its variant's
// .wasm, and that no page logged an uncaught error.
//
//   node test/runtimes/chromium.mjs           (after `npm run build`; CHROMIUM=/path overrides)
//
// Exit status 0 when every check passed, 1 otherwise, 2 when Chromium or playwright-core is
// missing (outside CI). Every wait is bounded (TIMEOUT_MS for the whole run).
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { failedReport, findExecutable, finish, requireDist, ROOT, skipOrFail, withTimeout } from './harness.mjs';

const RUNTIME = 'chromium';
const MODES = ['default', 'simd', 'scalar', 'pool'];
const PAGE_TIMEOUT_MS = 90_000;
const TIMEOUT_MS = 300_000;
const FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

requireDist();
const executablePath = findExecutable([process.env.CHROMIUM ?? '/usr/bin/chromium']);
if (executablePath === undefined) skipOrFail(RUNTIME, `${process.env.CHROMIUM ?? '/usr/bin/chromium'} is not installed (Debian: apt-get install chromium)`);
let playwright;
try {
  playwright = await import('playwright-core');
} catch (error) {
  skipOrFail(RUNTIME, `playwright-core is not installed (npm ci): ${error.message}`);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.f64': 'application/octet-stream',
};
// Only what the pages need; nothing outside these folders is served.
const SERVED = ['/dist/', '/test/runtimes/', '/test/golden/data/'];

/** GET-only static files from the repository root, on 127.0.0.1. */
function serve() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const type = TYPES[extname(path)];
    const file = join(ROOT, path);
    let ok = req.method === 'GET' && type !== undefined && SERVED.some((p) => path.startsWith(p)) && file.startsWith(ROOT);
    if (ok) {
      try {
        ok = statSync(file).isFile();
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const hardStop = setTimeout(() => {
  console.log(`runtime ${RUNTIME}: timed out after ${TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, TIMEOUT_MS);

const reports = [];
let server;
let browser;
let label = RUNTIME;
try {
  // "Chromium 156.0.8078.79 built on Debian …" (the page's user agent says only 156.0.0.0).
  const v = /(\d+\.\d+\.\d+\.\d+)/.exec(execFileSync(executablePath, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] }));
  if (v) label = `${RUNTIME}-${v[1]}`;
} catch {
  // keep the plain label
}
const profile = mkdtempSync(join(tmpdir(), 'wasm-rnn-chromium-'));
try {
  server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  // A fresh profile (user-data-dir) per run, removed afterwards.
  browser = await withTimeout(
    playwright.chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS, timeout: 60_000 }),
    90_000,
    'launching Chromium',
  );
  for (const mode of MODES) {
    const page = await browser.newPage();
    const problems = [];
    const wasmFetched = [];
    const workers = [];
    page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.url().endsWith('.wasm')) wasmFetched.push(`${new URL(r.url()).pathname} ${r.status()} ${r.headers()['content-type']}`);
    });
    try {
      await page.goto(`${origin}/test/runtimes/browser/smoke.html?variant=${mode}`, { timeout: 30_000 });
      await page.waitForFunction(() => window.__smoke !== undefined, null, { timeout: PAGE_TIMEOUT_MS });
      const report = await page.evaluate(() => window.__smoke);
      report.runtime = label;
      if (mode !== 'pool') {
        // The page's own fetch of the .wasm (workers' fetches are not the page's).
        const want = `/dist/generated/${mode === 'default' ? 'relaxed' : mode}/wasm_rnn_bg.wasm 200 application/wasm`;
        const ok = wasmFetched.length === 1 && wasmFetched[0] === want;
        report.results.push({ name: 'fetched its variant’s .wasm as application/wasm', ok, detail: wasmFetched.join(', ') || 'no .wasm fetched' });
        if (ok) report.passed++;
        else report.failed++;
      } else {
        const ok = workers.length === 2 && workers.every((w) => w === '/dist/worker.js');
        report.results.push({ name: 'the pool ran 2 module Web Workers from /dist/worker.js', ok, detail: workers.join(', ') || 'no workers' });
        if (ok) report.passed++;
        else report.failed++;
      }
      report.results.push({ name: 'no uncaught errors in the page', ok: problems.length === 0, detail: problems.join('; ') });
      if (problems.length === 0) report.passed++;
      else report.failed++;
      reports.push(report);
    } catch (error) {
      reports.push(failedReport(label, mode, `page ?variant=${mode}`, `${error}${problems.length ? `\n${problems.join('\n')}` : ''}`));
    } finally {
      await page.close().catch(() => {});
    }
  }
} catch (error) {
  reports.push(failedReport(label, 'default', 'start Chromium', error));
} finally {
  await browser?.close().catch(() => {});
  server?.close();
  server?.closeAllConnections?.();
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(hardStop);
}
process.exitCode = finish(label, reports);
