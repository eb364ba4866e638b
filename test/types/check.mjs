// The published types as consumers meet them (node_modules/wasm-rnn: the packed package, which
// .ci/browser.sh extracts here):
//   1. `tsc --noEmit -p <setup>` for node16/, bundler/ and tsc-init/ (see README.md), all with
//      skipLibCheck false, so an error inside dist/*.d.ts fails;
//   2. the value exports the types declare are exactly what each build exports at run time
//      (ESM dist/index.js, CommonJS dist/index.cjs, browser dist/browser.js), so nothing
//      type-checks as a value and is then undefined (values ts/index.ts marks @internal, kept
//      out of the types on purpose, are the only exception).
// Prints one line per check and "types: N passed, M failed"; exit status 1 if any failed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { checklist } from '../helpers/checklist.mjs';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const PKG = join(HERE, 'node_modules/wasm-rnn');
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const { check, finish } = checklist('types');

for (const setup of ['node16', 'bundler', 'tsc-init']) {
  const r = spawnSync(process.execPath, [TSC, '--noEmit', '-p', join(HERE, setup)], { encoding: 'utf8', timeout: 120_000 });
  const errors = `${r.stdout}${r.stderr}`.trim();
  check(`tsc -p test/types/${setup} (skipLibCheck: false)`, r.status === 0, r.status === 0 ? `${ts.version}` : `\n${errors}`);
}

/** Names the declaration file exports as values (classes, functions, consts), per the checker. */
function valueExports(dts) {
  const program = ts.createProgram([dts], { noEmit: true, skipLibCheck: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(dts);
  const names = [];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file))) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (target.flags & ts.SymbolFlags.Value) names.push(symbol.name);
  }
  return names.sort();
}

/**
 * Values ts/index.ts exports under an `@internal` doc comment: bridges for the package's own
 * sub-entries, left out of the published types on purpose (tsup's stripInternal).
 */
function internalExports() {
  const index = readFileSync(fileURLToPath(new URL('../../ts/index.ts', import.meta.url)), 'utf8');
  return [...index.matchAll(/\/\*\*[^]*?@internal[^]*?\*\/\s*export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((n) => n.trim().split(/\s+as\s+/).at(-1)).filter(Boolean));
}
const INTERNAL = internalExports();
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const diff = (types, runtime) => {
  const missing = types.filter((n) => !runtime.includes(n));
  const extra = runtime.filter((n) => !types.includes(n));
  return `${missing.length ? `declared but not exported at run time: ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `exported but not declared: ${extra.join(', ')}` : ''}`;
};
const esmTypes = valueExports(join(PKG, 'dist/index.d.ts'));
const cjsTypes = valueExports(join(PKG, 'dist/index.d.cts'));
const builds = [
  ['dist/index.js (import)', esmTypes, async () => Object.keys(await import(pathToFileURL(join(PKG, 'dist/index.js')).href))],
  ['dist/index.cjs (require)', cjsTypes, async () => Object.keys(createRequire(import.meta.url)(join(PKG, 'dist/index.cjs'))).filter((n) => n !== '__esModule')],
  // The browser build only loads (it starts nothing at import), so Node can list its exports.
  ['dist/browser.js (browser)', esmTypes, async () => Object.keys(await import(pathToFileURL(join(PKG, 'dist/browser.js')).href))],
];
for (const [name, types, load] of builds) {
  try {
    const runtime = (await load()).filter((n) => !INTERNAL.includes(n)).sort();
    check(`${name}: run-time exports = value exports of the types`, same(types, runtime), same(types, runtime) ? `${types.length} values` : diff(types, runtime));
  } catch (error) {
    check(`${name}: run-time exports = value exports of the types`, false, String(error?.stack ?? error));
  }
}
finish();
