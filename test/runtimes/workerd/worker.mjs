// The workerd side of test/runtimes/workerd.mjs (see config.capnp): GET /<mode> runs the smoke
// checks (test/runtimes/checks.mjs) in this isolate and answers their report as JSON.
import * as lib from './index.js';
import { runSmoke } from './checks.mjs';
import relaxed from './relaxed.wasm';
import simd from './simd.wasm';
import scalar from './scalar.wasm';

const MODULES = { relaxed, simd, scalar };
const MODES = ['default', 'relaxed', 'simd', 'scalar'];
// init() without `wasm` currently rejects with a plain TypeError ("Invalid URL string", from
// new URL(<relative>, import.meta.url) with import.meta.url undefined), not a WasmRnnError:
// set to true once the loader wraps that error, to hold it to the typed-error contract.
const STRICT_INIT_ERROR = true;
let report; // init() is once per isolate: run once, then answer the same report

async function readCase(name) {
  const manifest = (await import(`./golden/${name}.json`)).default;
  const bytes = (await import(`./golden/${name}.f64`)).default;
  return { manifest, bytes };
}

async function smoke(mode, expectDefault) {
  const results = [];
  if (mode === 'default') {
    // Without `wasm`, the library locates the .wasm next to the bundle, which workerd cannot
    // load (import.meta.url is undefined here, and compiling fetched bytes is forbidden): init()
    // must reject, and a later init({ wasm }) must still work (below).
    try {
      await lib.init();
      results.push({ name: 'init() without wasm rejects', ok: false, detail: `resolved (${lib.loadedVariant()})` });
    } catch (e) {
      const typed = e instanceof lib.WasmRnnError && e.code === 'E_WASM_LOAD';
      results.push({
        name: `init() without wasm rejects${STRICT_INIT_ERROR ? ' with WasmRnnError E_WASM_LOAD' : ''}`,
        ok: typed || !STRICT_INIT_ERROR,
        detail: `${e?.name}${e?.code ? ` ${e.code}` : ''}: ${e?.message}${typed ? '' : ' (untyped; README: every error is a WasmRnnError)'}`,
      });
    }
  }
  // mode 'default': no variant, only the module of the build the engine should pick.
  const wasm = MODULES[mode === 'default' ? expectDefault : mode];
  const r = await runSmoke({ lib, mode, expectDefault, wasm, readCase, runtime: 'workerd' });
  r.results.unshift(...results);
  r.passed += results.filter((x) => x.ok).length;
  r.failed += results.filter((x) => !x.ok).length;
  return r;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const mode = url.pathname.slice(1);
    if (!MODES.includes(mode)) return new Response(`unknown path ${url.pathname}`, { status: 404 });
    if (env.MODE === 'router') return env[mode].fetch(request);
    if (env.MODE !== mode) return new Response(`this worker runs ${env.MODE}, not ${mode}`, { status: 500 });
    try {
      report ??= await smoke(mode, url.searchParams.get('expectDefault') ?? 'relaxed');
    } catch (e) {
      report = { runtime: 'workerd', mode, variant: null, passed: 0, failed: 1, results: [{ name: 'smoke', ok: false, detail: String(e?.stack ?? e) }] };
    }
    return Response.json(report);
  },
};
