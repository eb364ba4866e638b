// The smoke checks every non-Node runtime runs (Deno, Bun, workerd, Chromium): plain JavaScript
// with no imports, so each host passes in the library's module namespace (dist/index.js) and a
// way to read the PyTorch goldens (test/golden/data/<case>.json + .f64; format: see
// test/helpers/golden.ts).
//
//   const report = await runSmoke({ lib, mode, expectDefault, wasm, readCase });
//   // { runtime, mode, variant, passed, failed, results: [{ name, ok, detail }] }
//
// mode 'default' calls init() with no variant (and asserts the engine picks `expectDefault`);
// 'relaxed' | 'simd' | 'scalar' force that build. init() is once per process/page/isolate, so a
// host runs runSmoke once per fresh process (page, isolate) and mode.

/** Small cases, chosen to cover a bidirectional 2-layer LSTM with projSize, a bidirectional GRU
 * and batchFirst (LSTM and GRU), with initial states and upstream gradients of every output. */
export const SMOKE_CASES = ['lstm_i3_h5_p2_l2_t5_b3_bi', 'gru_i5_h7_l2_t6_b3_bi', 'lstm_i5_h3_l2_t5_b3_bf', 'gru_i3_h3_l3_t3_b5_bi_bf'];

// The parity test's tolerances (test/parity.test.ts), scaled by max(1, max|reference|).
export const FORWARD_TOL = 1e-5;
export const GRAD_TOL = 1e-4;

/** Decodes one golden case: manifest (parsed JSON) + the little-endian float64 blob. */
export function decodeCase(manifest, bytes) {
  const buf = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength % 8 !== 0) throw new Error(`golden ${manifest.name}.f64: ${buf.byteLength} bytes is not a multiple of 8`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const all = new Float64Array(buf.byteLength / 8);
  for (let i = 0; i < all.length; i++) all[i] = view.getFloat64(i * 8, true);
  const tensors = {};
  for (const [name, t] of Object.entries(manifest.tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.length || t.offset + t.length > all.length) throw new Error(`golden ${manifest.name}: bad entry ${name}`);
    tensors[name] = { shape: t.shape.slice(), data: all.subarray(t.offset, t.offset + t.length) };
  }
  const paramNames = Object.keys(tensors).filter((k) => k.startsWith('param.')).map((k) => k.slice(6));
  return { ...manifest, tensors, paramNames };
}

/** max|a − r| / max(1, max|r|); Infinity on a length mismatch or a non-finite value. */
export function scaledMaxError(actual, ref) {
  if (!actual || actual.length !== ref.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(actual[i])) return Infinity;
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - ref[i]));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return maxDiff / Math.max(1, maxRef);
}

const fmt = (x) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/**
 * Runs the checks; never throws (a thrown error is one failed check).
 * @param {object} o
 * @param {object} o.lib          the namespace of dist/index.js
 * @param {string} o.mode         'default' | 'relaxed' | 'simd' | 'scalar'
 * @param {string} [o.expectDefault] variant init() must pick in mode 'default'
 * @param {object} [o.wasm]       the `wasm` option for init() (workerd: a WebAssembly.Module)
 * @param {(name: string) => Promise<{ manifest: object, bytes: ArrayBuffer | Uint8Array }>} o.readCase
 * @param {string} [o.runtime]    label for the report
 */
export async function runSmoke({ lib, mode, expectDefault, wasm, readCase, runtime = 'unknown' }) {
  const results = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      results.push({ name, ok: true, detail: detail ?? '' });
    } catch (error) {
      results.push({ name, ok: false, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  };
  const assert = (cond, message) => {
    if (!cond) throw new Error(message);
  };

  let variant;
  await check(`init(${mode === 'default' ? '' : `{ variant: '${mode}' }`})`, async () => {
    const options = {};
    if (mode !== 'default') options.variant = mode;
    if (wasm !== undefined) options.wasm = wasm;
    const r = await lib.init(options);
    variant = r.variant;
    assert(lib.loadedVariant() === variant, `loadedVariant() ${lib.loadedVariant()} !== init()'s ${variant}`);
    if (mode === 'default') {
      assert(expectDefault === undefined || variant === expectDefault, `init() picked "${variant}", expected "${expectDefault}"`);
    } else {
      assert(variant === mode, `init({ variant: '${mode}' }) loaded "${variant}"`);
    }
    return `loaded ${variant}`;
  });
  if (variant === undefined) return summarize(runtime, mode, variant, results);

  for (const name of SMOKE_CASES) {
    let gc;
    await check(`${name}: read golden`, async () => {
      const { manifest, bytes } = await readCase(name);
      gc = decodeCase(manifest, bytes);
    });
    if (gc === undefined) continue;
    const isLstm = gc.cell === 'lstm';
    const t = (n) => {
      const g = gc.tensors[n];
      if (g === undefined) throw new Error(`golden ${name}: no tensor ${n}`);
      return lib.tensor(Float32Array.from(g.data), g.shape.slice());
    };
    const compare = (label, actual, tol) => {
      const ref = gc.tensors[label];
      if (actual === undefined) throw new Error(`${label}: missing from the result`);
      if (actual.shape.join(',') !== ref.shape.join(',')) throw new Error(`${label}: shape [${actual.shape}] != [${ref.shape}]`);
      const err = scaledMaxError(actual.data, ref.data);
      if (!(err <= tol)) throw new Error(`${label}: scaled max error ${fmt(err)} > ${tol}`);
      return err;
    };
    const c = gc.config;
    const common = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional, bias: c.bias, batchFirst: c.batchFirst, seed: 1 };
    let layer;
    await check(`${name}: new ${isLstm ? 'LSTM' : 'GRU'} + loadStateDict`, () => {
      layer = isLstm ? new lib.LSTM({ ...common, projSize: c.projSize }) : new lib.GRU(common);
      const sd = {};
      for (const p of gc.paramNames) sd[p] = t(`param.${p}`);
      layer.loadStateDict(sd);
      return `${gc.paramNames.length} parameters`;
    });
    if (layer === undefined) continue;
    const x = t('input');
    const states = isLstm ? { h0: t('h0'), c0: t('c0') } : { h0: t('h0') };
    let inference;
    await check(`${name}: forward (inference)`, () => {
      inference = layer.forward(x, { ...states, training: false });
      return `output ${fmt(compare('output', inference.output, FORWARD_TOL))}`;
    });
    await check(`${name}: forward (training) output/hN${isLstm ? '/cN' : ''} vs PyTorch`, () => {
      const r = layer.forward(x, { ...states, training: true });
      let worst = Math.max(compare('output', r.output, FORWARD_TOL), compare('hN', r.hN, FORWARD_TOL));
      if (isLstm) worst = Math.max(worst, compare('cN', r.cN, FORWARD_TOL));
      if (inference !== undefined) {
        const d = scaledMaxError(inference.output.data, Float64Array.from(r.output.data));
        assert(d <= FORWARD_TOL, `inference vs training output: ${fmt(d)}`);
      }
      return `max scaled error ${fmt(worst)}`;
    });
    await check(`${name}: backward, every gradient vs PyTorch`, () => {
      const up = isLstm ? { output: t('dOutput'), hN: t('dhN'), cN: t('dcN') } : { output: t('dOutput'), hN: t('dhN') };
      const g = layer.backward(up);
      let worst = Math.max(compare('grad.input', g.input, GRAD_TOL), compare('grad.h0', g.h0, GRAD_TOL));
      if (isLstm) worst = Math.max(worst, compare('grad.c0', g.c0, GRAD_TOL));
      for (const p of gc.paramNames) worst = Math.max(worst, compare(`grad.param.${p}`, g.params[p], GRAD_TOL));
      const extra = Object.keys(g.params).filter((p) => !gc.paramNames.includes(p));
      assert(extra.length === 0, `unexpected gradients ${extra.join(', ')}`);
      return `${gc.paramNames.length + (isLstm ? 3 : 2)} tensors, max scaled error ${fmt(worst)}`;
    });
    await check(`${name}: wrong input shape throws WasmRnnError E_SHAPE, layer unchanged`, () => {
      const bad = lib.tensor(new Float32Array(x.data.length / c.inputSize * (c.inputSize + 1)), [...x.shape.slice(0, 2), c.inputSize + 1]);
      let caught;
      try {
        layer.forward(bad);
      } catch (e) {
        caught = e;
      }
      assert(caught !== undefined, 'no error thrown');
      assert(caught instanceof lib.WasmRnnError, `not a WasmRnnError: ${caught}`);
      assert(caught.name === 'WasmRnnError' && caught.code === 'E_SHAPE', `got ${caught.name} ${caught.code}: ${caught.message}`);
      const again = layer.forward(x, { ...states });
      compare('output', again.output, FORWARD_TOL);
      return caught.message;
    });
    await check(`${name}: dispose, then use throws E_DISPOSED`, () => {
      assert(layer.alive === true, 'alive before dispose');
      layer.dispose();
      assert(layer.alive === false, 'still alive after dispose');
      let code;
      try {
        layer.forward(x);
      } catch (e) {
        code = e instanceof lib.WasmRnnError ? e.code : String(e);
      }
      assert(code === 'E_DISPOSED', `forward after dispose: ${code ?? 'no error'}`);
    });
  }
  await check('wasmMemoryBytes() > 0', () => {
    const bytes = lib.wasmMemoryBytes();
    assert(bytes > 0, `wasmMemoryBytes() = ${bytes}`);
    return `${bytes} bytes`;
  });
  return summarize(runtime, mode, variant, results);
}

/**
 * WorkerPool: a pool of `workers` workers (module Web Workers in browsers, worker_threads in
 * server runtimes) must give the single-thread layer's results for a batch of 4 split across
 * them: LSTM (bidirectional, 2 layers) and GRU, forward and backward (parameter gradients summed
 * over the replicas). Call after init(); never throws.
 */
export async function runPoolSmoke({ lib, runtime = 'unknown', workers = 2, workerUrl, label = 'pool' }) {
  const results = [];
  const check = async (name, fn) => {
    try {
      results.push({ name, ok: true, detail: (await fn()) ?? '' });
    } catch (error) {
      results.push({ name, ok: false, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  };
  let seed = 12345;
  const random = (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      data[i] = (seed / 2 ** 32) * 2 - 1;
    }
    return lib.tensor(data, shape);
  };
  const close = (what, got, want) => {
    if (got === undefined || got.shape.join(',') !== want.shape.join(',')) throw new Error(`${what}: shape [${got?.shape}] != [${want.shape}]`);
    let worst = 0;
    for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]));
    if (!(worst < 1e-5)) throw new Error(`${what}: max abs difference ${fmt(worst)} ≥ 1e-5`);
    return worst;
  };

  let pool;
  await check(`WorkerPool.create({ workers: ${workers} })`, async () => {
    pool = await lib.WorkerPool.create(workerUrl === undefined ? { workers } : { workers, workerUrl });
    if (pool.size !== workers) throw new Error(`size ${pool.size}`);
    if (pool.variant !== lib.loadedVariant()) throw new Error(`pool variant ${pool.variant} != loaded ${lib.loadedVariant()}`);
    return `${pool.size} workers, variant ${pool.variant}`;
  });
  if (pool !== undefined) {
    const T = 6;
    const B = 4;
    const cases = [
      ['lstm', { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 3 }],
      ['gru', { inputSize: 4, hiddenSize: 7, numLayers: 1, seed: 4 }],
    ];
    for (const [cell, options] of cases) {
      await check(`${label} ${cell} batch ${B}: forward + backward equal the single-thread layer`, async () => {
        const single = cell === 'lstm' ? new lib.LSTM(options) : new lib.GRU(options);
        const parallel = await pool[cell]({ ...options, seed: options.seed + 100 });
        try {
          await parallel.loadStateDict(single.stateDict());
          const d = options.bidirectional ? 2 : 1;
          const states = (options.numLayers ?? 1) * d;
          const x = random([T, B, options.inputSize]);
          const h0 = random([states, B, options.hiddenSize]);
          const s = cell === 'lstm' ? { h0, c0: random([states, B, options.hiddenSize]) } : { h0 };
          const want = single.forward(x, { ...s, training: true });
          const got = await parallel.forward(x, { ...s, training: true });
          let worst = Math.max(close('output', got.output, want.output), close('hN', got.hN, want.hN));
          if (cell === 'lstm') worst = Math.max(worst, close('cN', got.cN, want.cN));
          const up = { output: random(want.output.shape), hN: random(want.hN.shape) };
          const gWant = single.backward(up);
          const gGot = await parallel.backward(up);
          worst = Math.max(worst, close('d input', gGot.input, gWant.input), close('d h0', gGot.h0, gWant.h0));
          const names = Object.keys(gWant.params);
          if (Object.keys(gGot.params).join() !== names.join()) throw new Error(`gradient names ${Object.keys(gGot.params)} != ${names}`);
          for (const n of names) worst = Math.max(worst, close(`d ${n}`, gGot.params[n], gWant.params[n]));
          return `max abs difference ${fmt(worst)}`;
        } finally {
          single.dispose();
          await parallel.dispose();
        }
      });
    }
    await check('WorkerPool.terminate()', async () => {
      await pool.terminate();
      let code;
      try {
        await pool.lstm({ inputSize: 1, hiddenSize: 1 });
      } catch (e) {
        code = e?.code;
      }
      if (code !== 'E_DISPOSED') throw new Error(`use after terminate: ${code ?? 'no error'}`);
    });
  }
  const failed = results.filter((r) => !r.ok).length;
  return { runtime, mode: label, variant: lib.loadedVariant() ?? null, passed: results.length - failed, failed, results };
}

function summarize(runtime, mode, variant, results) {
  const failed = results.filter((r) => !r.ok).length;
  return { runtime, mode, variant: variant ?? null, passed: results.length - failed, failed, results };
}

/** The report's lines: failures in full, then the plain summary line. */
export function formatReport(report) {
  const lines = [];
  for (const r of report.results) lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? ` — ${r.detail}` : ''}`);
  const label =
    report.mode === 'default' ? `${report.variant ?? 'none'} (default init)` : report.mode === 'pool' ? `${report.variant ?? 'none'} (WorkerPool)` : report.mode;
  lines.push(`runtime ${report.runtime} variant ${label}: ${report.passed} passed, ${report.failed} failed`);
  return lines;
}
