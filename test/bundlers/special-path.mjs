// The packed package installed under a path with '#', '%' and a space (/tmp/…/c#/50%/a b/), then
// loaded with require() (dist/index.cjs) and import (dist/index.js) in child Node processes: each
// must find its .wasm and run a forward. tsup's CommonJS shim built import.meta.url as
// `file:${__filename}`, which cuts such a path at the '#' (issue 11).
//   node test/bundlers/special-path.mjs      (after .ci/browser.sh extracted the package)
// Prints one line per check and "special-path: N passed, M failed".
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('./node_modules/wasm-rnn', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'wasm-rnn-path-'));
const project = join(base, 'c#', '50%', 'a b');
cpSync(PKG, join(project, 'node_modules', 'wasm-rnn'), { recursive: true });

const body = `
  await lib.init({ variant: 'scalar' });
  const gru = new lib.GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const { output } = gru.forward(lib.tensor(new Float32Array(4).fill(0.5), [2, 1, 2]));
  console.log(output.data.length);`;
const programs = {
  'require() (dist/index.cjs)': ['x.cjs', `const lib = require('wasm-rnn'); (async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`],
  'import (dist/index.js)': ['x.mjs', `import * as lib from 'wasm-rnn'; ${body}`],
};
let passed = 0;
let failed = 0;
try {
  for (const [name, [file, code]] of Object.entries(programs)) {
    writeFileSync(join(project, file), code);
    const r = spawnSync(process.execPath, [join(project, file)], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    const ok = r.status === 0 && r.stdout.trim() === '6';
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} from ${project}${ok ? '' : `: exit ${r.status}\n${r.stdout}${r.stderr}`}`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
console.log(`special-path: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
