// The process a peer runs in under `--browser chromium`: a Node.js process that speaks the same
// stdio protocol as lib/node-child.mjs but runs the peer module in a headless Chromium page
// (Debian's /usr/bin/chromium driven by playwright-core, never a downloaded browser):
//
//   node lib/browser-child.mjs <peer module> <json options> <json {executablePath, roots}>
//
// A static server on 127.0.0.1 serves the page, the peer modules, dist/ and bench/node_modules
// (GET /fs/<absolute path>, only below `roots`), with cross-origin isolation headers so that
// performance.now() has its fine resolution. Each request is relayed to lib/browser/page.mjs,
// which runs lib/peer-driver.mjs, i.e. the very loop the Node peers run, timed in the page. A
// check's arrays come back as one POST of raw float32 bytes, written to the request's outPath.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serveLines } from './line-protocol.mjs';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const [modulePath, optionsJson, hostJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson || '{}');
const { executablePath, roots } = JSON.parse(hostJson);

const FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm' };
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };

const served = (path) => `/fs${path.split(sep).map(encodeURIComponent).join('/')}`;
const log = (line) => process.stderr.write(`${line}\n`);

function pageHtml() {
  const imports = { 'onnxruntime-web': served(join(benchDir, 'node_modules', 'onnxruntime-web', 'dist', 'ort.bundle.min.mjs')) };
  return `<!doctype html><html><head><meta charset="utf-8"><title>wasm-rnn bench peer</title><link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module" src="${served(join(benchDir, 'lib', 'browser', 'page.mjs'))}"></script></head><body></body></html>`;
}

let upload = null; // {path, resolve, reject}: the outPath of the check in flight

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'GET' && url.pathname === '/page.html') {
      res.writeHead(200, { 'content-type': TYPES['.html'], ...ISOLATION }).end(pageHtml());
      return;
    }
    if (req.method === 'POST' && url.pathname === '/upload' && upload) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const u = upload;
        upload = null;
        try {
          writeFileSync(u.path, Buffer.concat(chunks));
          res.writeHead(204, ISOLATION).end();
          u.resolve();
        } catch (e) {
          res.writeHead(500, ISOLATION).end(String(e));
          u.reject(e);
        }
      });
      return;
    }
    const path = url.pathname.startsWith('/fs/') ? normalize(decodeURIComponent(url.pathname.slice(3))) : '';
    let ok = req.method === 'GET' && roots.some((r) => path.startsWith(r + sep));
    if (ok) {
      try {
        ok = statSync(path).isFile();
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      res.writeHead(404, { 'content-type': 'text/plain', ...ISOLATION }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...ISOLATION });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** file:// URLs in the options (the library's dist/index.js) → the server's URLs. */
function servedOptions(value) {
  if (typeof value === 'string' && value.startsWith('file://')) return served(fileURLToPath(value));
  if (Array.isArray(value)) return value.map(servedOptions);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, servedOptions(v)]));
  return value;
}

let server, context, page, profile, browserVersion;

async function start() {
  const playwright = await import('playwright-core');
  // Peers that need Node for part of their setup (the roofline compiles its kernels with wabt) export browserOptions().
  const mod = await import(pathToFileURL(modulePath).href);
  const extra = mod.browserOptions ? await mod.browserOptions(options) : {};
  server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  profile = mkdtempSync(join(tmpdir(), 'wasm-rnn-bench-chromium-'));
  context = await playwright.chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS, timeout: 60_000 });
  browserVersion = context.browser()?.version();
  page = await context.newPage();
  page.on('console', (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log(`[page uncaught] ${e.stack ?? e.message}`));
  await page.goto(`${origin}/page.html`, { timeout: 60_000 });
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  await page.evaluate(([url, opts]) => window.benchStart(url, opts), [served(modulePath), { ...servedOptions(options), ...extra }]);
}

async function handle(req) {
  if (req.cmd === 'quit') {
    if (page) await page.evaluate((r) => window.benchHandle(r), req).catch(() => {});
    return {};
  }
  if (req.cmd === 'hello') {
    await start();
    const res = await page.evaluate((r) => window.benchHandle(r), req);
    res.info = { browser: `chromium ${browserVersion ?? '?'}`, ...res.info };
    return res;
  }
  if (req.cmd === 'check') {
    const done = new Promise((resolve, reject) => {
      upload = { path: req.outPath, resolve, reject };
    });
    done.catch(() => {}); // awaited below; a failed upload must not also surface as unhandled
    const res = await page.evaluate((r) => window.benchHandle(r), req);
    await done;
    return res;
  }
  return page.evaluate((r) => window.benchHandle(r), req);
}

async function shutdown(code) {
  await context?.close().catch(() => {});
  server?.close();
  server?.closeAllConnections?.();
  if (profile) rmSync(profile, { recursive: true, force: true });
  process.exit(code);
}

serveLines(async (req) => {
  try {
    return await handle(req);
  } catch (error) {
    upload = null;
    throw error;
  }
}, () => shutdown(0));
