// Second half of `npm run build` (after tsup): copies the committed wasm binaries next to the
// bundle, at the path the bundle asks for, and checks that the two agree.
//   ts/generated/<variant>/wasm_rnn_bg.wasm -> dist/generated/<variant>/wasm_rnn_bg.wasm
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const variants = ['relaxed', 'simd', 'scalar'];
const bundles = ['dist/index.js', 'dist/index.cjs', 'dist/worker.js', 'dist/browser.js', 'dist/browser-worker.js'];
// The browser build must name no Node built-in, or bundlers targeting the web fail on it.
const browserBundles = ['dist/browser.js', 'dist/browser-worker.js'];

for (const variant of variants) {
  const relative = `generated/${variant}/wasm_rnn_bg.wasm`;
  const from = new URL(`ts/${relative}`, root);
  const to = new URL(`dist/${relative}`, root);
  await mkdir(new URL('.', to), { recursive: true });
  await copyFile(from, to);
  console.log(`copy-wasm: ${fileURLToPath(from)} -> dist/${relative}`);
}

// The bundle must reference exactly these files (see the plugin in tsup.config.ts).
for (const bundle of bundles) {
  const code = await readFile(new URL(bundle, root), 'utf8');
  for (const variant of variants) {
    const literal = `"./generated/${variant}/wasm_rnn_bg.wasm"`;
    if (!code.includes(literal)) throw new Error(`${bundle} does not reference ${literal}`);
  }
  if (code.includes('../generated/')) throw new Error(`${bundle} still references ../generated/`);
  if (browserBundles.includes(bundle)) {
    const builtin = /["'](?:node:)?(?:fs|fs\/promises|os|url|path|worker_threads|child_process)["']/.exec(code);
    if (builtin !== null) throw new Error(`${bundle} (browser build) references the Node built-in ${builtin[0]}`);
  }
}
if (!(await readFile(new URL('dist/browser.js', root), 'utf8')).includes('new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" })')) {
  throw new Error('dist/browser.js does not start its worker as new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" })');
}
console.log('copy-wasm: bundles reference ./generated/<variant>/wasm_rnn_bg.wasm for all variants');

// dist/ ships only what is loaded: every file is a target of package.json's exports map or is
// referenced as new URL('./<file>', import.meta.url) by a shipped bundle (a worker.cjs that no
// build ever starts would fail here), and every export target exists.
const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));
const targets = [];
(function collect(value) {
  if (typeof value === 'string') targets.push(value.replace(/^\.\//, ''));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
})(pkg.exports);
const shipped = (await readdir(new URL('dist/', root), { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => relative(fileURLToPath(root), join(e.parentPath ?? e.path, e.name)).split(sep).join('/'))
  .sort();
const patterns = targets.filter((t) => t.startsWith('dist/')).map((t) => new RegExp(`^${t.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`));
const referenced = new Set();
for (const file of shipped.filter((f) => /\.(c?js)$/.test(f))) {
  const code = await readFile(new URL(file, root), 'utf8');
  for (const m of code.matchAll(/new URL\("\.\/([^"]+)", import(?:_meta\.url|\.meta\.url|MetaUrl)\)/g)) referenced.add(`dist/${m[1]}`);
}
const unloaded = shipped.filter((f) => !patterns.some((r) => r.test(f)) && !referenced.has(f));
if (unloaded.length > 0) throw new Error(`dist/ ships files no export or bundle loads: ${unloaded.join(', ')}`);
const missing = patterns.filter((r) => !shipped.some((f) => r.test(f)));
if (missing.length > 0) throw new Error(`package.json exports name files dist/ lacks: ${missing.join(', ')}`);
console.log(`copy-wasm: dist/ holds ${shipped.length} files, each exported or loaded by a bundle`);
