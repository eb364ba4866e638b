// Helpers shared by the runtime runners (workerd.mjs, chromium.mjs), which run under the
// system Node. Plain ESM, node: builtins only.
import { accessSync, constants, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatReport } from './checks.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The first of `candidates` (paths relative to the repo root, or absolute) that is executable. */
export function findExecutable(candidates) {
  for (const c of candidates) {
    const path = c.startsWith('/') ? c : `${ROOT}${c}`;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Exits with status 2 (scripts/test-runtimes.sh prints SKIP) or, in CI, fails. */
export function skipOrFail(runtime, why) {
  if (process.env.CI === 'true') {
    console.log(`runtime ${runtime}: cannot run in CI: ${why}`);
    console.log(`runtime ${runtime}: 0 passed, 1 failed`);
    process.exit(1);
  }
  console.log(`SKIP runtime ${runtime}: ${why}`);
  process.exit(2);
}

export function requireDist() {
  for (const f of ['dist/index.js', 'dist/worker.js', 'dist/generated/relaxed/wasm_rnn_bg.wasm', 'dist/generated/simd/wasm_rnn_bg.wasm', 'dist/generated/scalar/wasm_rnn_bg.wasm']) {
    if (!existsSync(`${ROOT}${f}`)) {
      console.log(`${f} is missing: run \`npm run build\` first`);
      process.exit(1);
    }
  }
}

/** Rejects after `ms` (the runners' every wait is bounded). */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A report for a step that failed before any check ran. */
export function failedReport(runtime, mode, name, error) {
  return { runtime, mode, variant: null, passed: 0, failed: 1, results: [{ name, ok: false, detail: String(error?.stack ?? error) }] };
}

/** Prints every report and the runner's closing line; returns the exit status. */
export function finish(runtime, reports) {
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    for (const line of formatReport(r)) console.log(line);
    passed += r.passed;
    failed += r.failed;
  }
  if (passed + failed === 0) failed = 1;
  console.log(`runtime ${runtime}: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
