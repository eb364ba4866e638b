// Second half of `npm run build` (after tsup): copies the committed wasm binaries next to the
// bundle, at the path the bundle asks for, and checks that the two agree.
//   ts/generated/<variant>/wasm_rnn_bg.wasm -> dist/generated/<variant>/wasm_rnn_bg.wasm
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const variants = ['relaxed', 'simd', 'scalar'];
const bundles = ['dist/index.js', 'dist/index.cjs'];

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
}
console.log('copy-wasm: bundles reference ./generated/<variant>/wasm_rnn_bg.wasm for all variants');
