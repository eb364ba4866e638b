// The page side of test/runtimes/chromium.mjs: imports the built package (/dist/index.js, which
// fetches its .wasm next to itself and compiles it while streaming), runs the smoke checks of
// one mode (?variant=…; init() is once per page) and publishes the report as
// window.__smoke (and as text in the page).
import { formatReport, runPoolSmoke, runSmoke } from '../checks.mjs';

const params = new URLSearchParams(location.search);
const mode = params.get('variant') ?? 'default';
const expectDefault = params.get('expectDefault') ?? 'relaxed';
const runtime = `chromium-${/Chrome\/([\d.]+)/.exec(navigator.userAgent)?.[1] ?? '?'}`;

async function readCase(name) {
  const get = async (ext) => {
    const r = await fetch(`/test/golden/data/${name}.${ext}`);
    if (!r.ok) throw new Error(`GET ${r.url}: HTTP ${r.status}`);
    return r;
  };
  return { manifest: await (await get('json')).json(), bytes: await (await get('f64')).arrayBuffer() };
}

let report;
try {
  const lib = await import('/dist/index.js');
  if (mode === 'pool') {
    await lib.init();
    report = await runPoolSmoke({ lib, runtime, workers: 2 });
  } else {
    report = await runSmoke({ lib, mode, expectDefault, readCase, runtime });
  }
} catch (error) {
  report = { runtime, mode, variant: null, passed: 0, failed: 1, results: [{ name: 'import /dist/index.js', ok: false, detail: String(error?.stack ?? error) }] };
}
document.getElementById('out').textContent = formatReport(report).join('\n');
window.__smoke = report;
