// The published package's size budget (issue 11): each .wasm binary (raw and gzip) and each JS
// entry of dist/ (raw and gzip) must stay within scripts/size-budget.json, which holds the sizes
// measured when the budget was set plus a small margin (5 %, rounded up to a KiB). A real size
// regression then fails CI; a deliberate growth updates the budget in the same commit:
//   node scripts/size-budget.mjs            check (after `npm run build`)
//   node scripts/size-budget.mjs --update   re-measure and write the budget (review the diff)
// Prints one line per file and "size: N passed, M failed".
import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const budgetFile = new URL('size-budget.json', import.meta.url);
const FILES = [
  'dist/generated/relaxed/wasm_rnn_bg.wasm',
  'dist/generated/simd/wasm_rnn_bg.wasm',
  'dist/generated/scalar/wasm_rnn_bg.wasm',
  'dist/index.js',
  'dist/index.cjs',
  'dist/worker.js',
  'dist/browser.js',
  'dist/browser-worker.js',
  // The importer entries, without their dependencies (@bufbuild/protobuf; fflate, jsfive),
  // which stay external and are the app's to bundle.
  'dist/onnx.js',
  'dist/keras.js',
];
const MARGIN = 1.05;
const KIB = 1024;

async function measure(file) {
  const bytes = await readFile(new URL(file, root));
  // Level 9: the level static servers and CDNs typically use for precompressed assets.
  return { raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
}

const sizes = Object.fromEntries(await Promise.all(FILES.map(async (f) => [f, await measure(f)])));
if (process.argv.includes('--update')) {
  const allowance = (n) => Math.ceil((n * MARGIN) / KIB) * KIB;
  const budget = Object.fromEntries(FILES.map((f) => [f, { raw: allowance(sizes[f].raw), gzip: allowance(sizes[f].gzip), measured: sizes[f] }]));
  await writeFile(budgetFile, `${JSON.stringify(budget, null, 2)}\n`);
  console.log(`size: wrote ${budgetFile.pathname}`);
}

const budget = JSON.parse(await readFile(budgetFile, 'utf8'));
let passed = 0;
let failed = 0;
const kib = (n) => `${(n / KIB).toFixed(1)} KiB`;
for (const file of FILES) {
  const limit = budget[file];
  const { raw, gzip } = sizes[file];
  const ok = limit !== undefined && raw <= limit.raw && gzip <= limit.gzip;
  if (ok) passed++;
  else failed++;
  const detail = limit === undefined ? 'no budget' : `raw ${kib(raw)} / ${kib(limit.raw)}, gzip ${kib(gzip)} / ${kib(limit.gzip)}`;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${file}: ${detail}`);
}
console.log(`size: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
