// Smoke test of the built package (dist/index.js) in a server runtime: Deno, Bun (or Node).
//
//   deno run --allow-read test/runtimes/smoke.mjs [default|relaxed|simd|scalar] [expected default]
//   bun test/runtimes/smoke.mjs simd
//   bun test/runtimes/smoke.mjs pool     (WorkerPool with 2 worker_threads, default build)
//
// init() loads the wasm once per process, so each variant is one process: the first argument
// picks it. 'default' calls init() with no options and asserts the engine picks the second
// argument (default 'relaxed'). Arguments, not environment variables, so that Deno needs only
// --allow-read. The wasm is found by the library
// itself, next to dist/index.js (read from disk in these runtimes). Prints one line per check
// and "runtime <name> variant <v>: N passed, M failed"; exits 1 on any failure.
import { readFile } from 'node:fs/promises';
import { formatReport, runPoolSmoke, runSmoke } from './checks.mjs';

const g = globalThis;
const runtime = g.Deno ? `deno-${g.Deno.version.deno}` : g.Bun ? `bun-${g.Bun.version}` : `node-${process.versions.node}`;
const mode = process.argv[2] ?? 'default';
const expectDefault = process.argv[3] ?? 'relaxed';

let report;
try {
  if (!['default', 'relaxed', 'simd', 'scalar', 'pool'].includes(mode)) throw new Error(`unknown variant ${mode}`);
  const lib = await import('../../dist/index.js');
  if (mode === 'pool') {
    // WorkerPool on worker_threads (dist/worker.js), on the default build.
    await lib.init();
    report = await runPoolSmoke({ lib, runtime });
  } else {
    const data = new URL('../golden/data/', import.meta.url);
    const readCase = async (name) => ({
      manifest: JSON.parse(await readFile(new URL(`${name}.json`, data), 'utf8')),
      bytes: await readFile(new URL(`${name}.f64`, data)),
    });
    report = await runSmoke({ lib, mode, expectDefault, readCase, runtime });
  }
} catch (error) {
  // Loading the bundle itself failed: one failed check.
  report = { runtime, mode, variant: null, passed: 0, failed: 1, results: [{ name: 'import dist/index.js', ok: false, detail: String(error?.stack ?? error) }] };
}
for (const line of formatReport(report)) console.log(line);
process.exitCode = report.failed === 0 && report.passed > 0 ? 0 : 1;
