// The bundler fixtures end to end: builds app/page.js with esbuild, Vite, webpack 5 and Rollup
// (build.mjs), serves each build on 127.0.0.1 (and the Vite fixture once more from Vite's dev
// server) and opens it in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), where it runs a forward, a Sequential training step
// and a WorkerPool call with the variant init() picks; then runs the same scenario in Node with
// that variant (node-reference.mjs) and requires every number to be equal bit for bit.
//
//   node test/bundlers/run.mjs [bundler…]     (after the package is extracted into
//                                              test/bundlers/node_modules/wasm-rnn: .ci/browser.sh)
//
// Prints one line per check and "bundlers: N passed, M failed"; exit status 1 if any failed.
// Every wait is bounded.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { checklist } from '../helpers/checklist.mjs';

const HERE = fileURLToPath(new URL('./', import.meta.url));
// vite-dev: the same Vite fixture served by Vite's dev server (no build), as during development.
const BUNDLERS = process.argv.length > 2 ? process.argv.slice(2) : ['esbuild', 'vite', 'vite-dev', 'webpack', 'rollup'];
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PAGE_TIMEOUT_MS = 90_000;
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

if (!existsSync(join(HERE, 'node_modules/wasm-rnn/package.json'))) {
  console.log('test/bundlers/node_modules/wasm-rnn is missing: extract the packed package there (.ci/browser.sh does)');
  console.log('bundlers: 0 passed, 1 failed');
  process.exit(1);
}

const { check, finish } = checklist('bundlers');

/** Static files of one directory on 127.0.0.1 (a port the OS picks); GET only. */
function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(root, path === '/' ? 'index.html' : path);
    const type = TYPES[extname(file)];
    let ok = req.method === 'GET' && type !== undefined && file.startsWith(root);
    try {
      ok &&= statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Node's result for `variant` (one child process per variant, cached). */
const nodeResults = new Map();
function nodeResult(variant) {
  if (!nodeResults.has(variant)) {
    // Node 20 has relaxed SIMD behind a flag (Node 22+ accepts and ignores it).
    const flags = variant === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : [];
    const r = spawnSync(process.execPath, [...flags, join(HERE, 'node-reference.mjs'), variant], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`node-reference.mjs ${variant} failed (${r.status}): ${r.stderr}`);
    nodeResults.set(variant, JSON.parse(r.stdout.trim().split('\n').at(-1)));
  }
  return nodeResults.get(variant);
}

/** The first index where the two float lists differ (Object.is: -0 and NaN count), or -1. */
function firstDifference(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
function sameBits(name, got, want) {
  const i = firstDifference(got, want);
  return check(name, i === -1 && want.length > 0, i === -1 ? `${want.length} values` : `differs at [${i}]: ${got?.[i]} vs Node ${want?.[i]} (lengths ${got?.length}, ${want?.length})`);
}

const label = /(\d+\.\d+\.\d+\.\d+)/.exec(execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 }))?.[1] ?? '?';
console.log(`chromium ${label} (${CHROMIUM}), node ${process.version}`);
const profile = mkdtempSync(join(tmpdir(), 'wasm-rnn-bundlers-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  timeout: 60_000,
});
try {
  for (const bundler of BUNDLERS) {
    const started = Date.now();
    let url;
    let server;
    if (bundler === 'vite-dev') {
      const { createServer } = await import('vite');
      server = await createServer({ configFile: join(HERE, 'vite/vite.config.mjs'), server: { host: '127.0.0.1', port: 0, strictPort: false } });
      await server.listen();
      url = server.resolvedUrls.local[0];
      check(`${bundler}: server started`, true, `${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else {
      const build = spawnSync(process.execPath, [join(HERE, 'build.mjs'), bundler], { encoding: 'utf8', timeout: 180_000 });
      if (!check(`${bundler}: build`, build.status === 0, build.status === 0 ? `${((Date.now() - started) / 1000).toFixed(1)} s` : `${build.stdout}${build.stderr}`.trim())) continue;
      server = await serve(join(HERE, bundler, 'dist'));
      url = `http://127.0.0.1:${server.address().port}/`;
    }
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${new URL(r.url()).pathname}`));
    let result;
    try {
      await page.goto(url, { timeout: PAGE_TIMEOUT_MS });
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: PAGE_TIMEOUT_MS });
      result = await page.evaluate(() => window.__result);
    } catch (error) {
      result = { ok: false, error: String(error?.message ?? error) };
    } finally {
      await page.close();
      await server.close();
    }
    if (!check(`${bundler}: page ran forward, trainStep and WorkerPool`, result.ok && problems.length === 0, result.ok ? (problems.join('; ') || `variant ${result.variant}`) : result.error)) continue;
    // The automatic choice survives bundling: Chromium runs relaxed SIMD.
    check(`${bundler}: init() picked the fastest variant`, result.variant === 'relaxed', result.variant);
    const want = nodeResult(result.variant);
    sameBits(`${bundler}: LSTM forward equals Node's (${result.variant})`, result.forward, want.forward);
    sameBits(`${bundler}: trainStep loss and updated weights equal Node's`, [result.loss, ...result.weights], [want.loss, ...want.weights]);
    sameBits(`${bundler}: WorkerPool forward equals Node's`, result.poolForward, want.poolForward);
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
finish();
