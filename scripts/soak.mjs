#!/usr/bin/env node
/**
 * Soak test for wasm-rnn (not part of `npm test` or CI): an endless loop of mixed valid and
 * invalid calls against the built bundle (dist/index.js) and a WorkerPool of 2 workers, for a
 * given time, watching memory and failing on anything unexpected.
 *
 *   npm run build
 *   node --expose-gc scripts/soak.mjs --minutes 1 --out target/soak.json
 *   node --expose-gc --experimental-wasm-relaxed-simd scripts/soak.mjs --variant relaxed   # Node 20
 *
 * Options (all optional):
 *   --minutes N          how long to run (default 60; fractions allowed)
 *   --variant V          relaxed | simd | scalar (default: what init() picks)
 *   --out PATH           the JSON summary (default target/soak.json): options, samples, counts, failures
 *   --seed N             the random sequence of calls (default 1)
 *   --workers N          WorkerPool size (default 2; 0 = no pool)
 *   --sample-seconds N   sampling period (default 10)
 *   --warmup-seconds N   growth is measured from the first sample after this (default: 20% of the
 *                        run, between 10 and 300 s)
 *   --max-wasm-growth-mb N   fail if wasm memory grows more than this after the warm-up (default 32)
 *   --max-rss-growth-mb N    fail if the process RSS grows more than this after the warm-up (default 256)
 *   --no-oversized       skip the oversized inputs (x of 2^28 floats, which must give E_TOO_LARGE)
 *   --simulate-hang N    (to check the watchdog) block the soak process after N s: must end in a
 *                        "hang" failure and exit 1 about 60 s later
 *
 * What runs: layers of every cell (RNN tanh/relu, LSTM with and without projSize, GRU; sizes
 * 1–24, 1–3 layers, bidirectional, batchFirst) are created and disposed, and some are dropped
 * without dispose() (the library's FinalizationRegistry must free them; with --expose-gc the
 * script calls gc() at every sample, and counts how many dropped layers were collected). Calls:
 * training and inference forwards (with and without h0/c0), backward (with and without a
 * pending training forward), stateDict/loadStateDict round trips, and a catalogue of invalid
 * calls, each of which must throw a WasmRnnError with a known code. Rarely, a forward with x of
 * 2^28 floats (1 GiB) must throw E_TOO_LARGE without copying it into wasm memory. Pool layers
 * get the same mix and are compared with a single-thread twin (within 1e-5 scaled). A sentinel
 * layer's training step must stay bit-identical for the whole run.
 *
 * Fails (exit 1) on: an unexpected error type or code, a wrong result, an unhandled rejection or
 * uncaught exception, a hang (no progress for 60 s; a supervisor process watches the worker
 * process and kills it), or growth of wasm memory or RSS beyond the bounds after the warm-up.
 * Every ~10 s it samples wasm memory (`wasmMemoryBytes()`), RSS, heap, call and error counts;
 * at the end it prints a short table and writes the JSON summary. Where the build has
 * `memoryUsage()`, it also samples the live wasm allocations (`bytesInUse`) and, once every layer
 * has been disposed or collected at the end, requires them back at their starting value (within
 * 64 KiB): the precise leak check. The linear memory itself follows the peak of live allocations
 * plus fragmentation (in 10-minute runs: ~24 MB after 10 s, creeping to ~45 MB, while the live
 * allocations stayed under ~30 MB and returned to the start), hence the looser growth bound.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { number, readOptions } from '../bench/lib/options.mjs';
import { mulberry32 } from '../bench/lib/random.mjs';

const HANG_SECONDS = 60;


// ---------------------------------------------------------------------------------------------
// Options.

function parseArgs(argv) {
  const v = readOptions(
    argv,
    {
      minutes: { type: 'string' },
      variant: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'sample-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      'max-wasm-growth-mb': { type: 'string' },
      'max-rss-growth-mb': { type: 'string' },
      'no-oversized': { type: 'boolean' },
      'simulate-hang': { type: 'string' },
    },
    'usage: node --expose-gc scripts/soak.mjs [--minutes N] [--variant relaxed|simd|scalar] [--out PATH] [--seed N] [--workers N] [--sample-seconds S] [--warmup-seconds S] [--max-wasm-growth-mb MB] [--max-rss-growth-mb MB] [--no-oversized] [--simulate-hang S] (see the top of the file)',
  );
  const o = {
    minutes: number('minutes', v.minutes) ?? 60,
    variant: v.variant,
    out: v.out ?? 'target/soak.json',
    seed: number('seed', v.seed) ?? 1,
    workers: number('workers', v.workers) ?? 2,
    sampleSeconds: Math.max(1, number('sample-seconds', v['sample-seconds']) ?? 10),
    warmupSeconds: number('warmup-seconds', v['warmup-seconds']),
    maxWasmGrowthMb: number('max-wasm-growth-mb', v['max-wasm-growth-mb']) ?? 32,
    maxRssGrowthMb: number('max-rss-growth-mb', v['max-rss-growth-mb']) ?? 256,
    oversized: v['no-oversized'] !== true,
    simulateHang: number('simulate-hang', v['simulate-hang']),
  };
  if (o.variant !== undefined && !['relaxed', 'simd', 'scalar'].includes(o.variant)) throw new Error(`soak: --variant must be relaxed, simd or scalar, got ${o.variant}`);
  o.warmupSeconds ??= Math.min(300, Math.max(10, o.minutes * 60 * 0.2));
  o.out = resolve(process.cwd(), o.out);
  return o;
}

const MB = 2 ** 20;
const fmtMb = (b) => (b / MB).toFixed(1);

function printTable(summary) {
  const rows = [['t (s)', 'wasm MB', 'in use MB', 'rss MB', 'heap MB', 'calls', 'errors', 'unexpected', 'live', 'dropped', 'collected']];
  for (const s of summary.samples) {
    rows.push([s.t.toFixed(0), fmtMb(s.wasmBytes), s.wasmBytesInUse === undefined ? '-' : fmtMb(s.wasmBytesInUse), fmtMb(s.rss), fmtMb(s.heapUsed), String(s.calls), String(s.errors), String(s.unexpected), String(s.liveLayers), String(s.dropped), String(s.collected)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => v.padStart(widths[c])).join('  '));
  const codes = Object.entries(summary.counts.errorsByCode).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`calls by kind: ${Object.entries(summary.counts.callsByKind).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`expected errors by code: ${codes || 'none'}`);
  if (summary.failures.length > 0) {
    console.log(`FAILURES (${summary.counts.unexpected}; by kind: ${Object.entries(summary.counts.failuresByKind ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}; first ones):`);
    for (const f of summary.failures.slice(0, 20)) console.log(`  - ${f}`);
  }
  console.log(`soak ${summary.result.toUpperCase()}: ${summary.durationSeconds.toFixed(0)} s, variant ${summary.variant}, ${summary.counts.calls} calls; summary written to ${summary.out}`);
}

function writeSummary(summary) {
  mkdirSync(dirname(summary.out), { recursive: true });
  writeFileSync(summary.out, `${JSON.stringify(summary, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Supervisor: runs the soak in a child process and kills it if it stops making progress.

async function supervise(argv) {
  const opts = parseArgs(argv);
  const child = fork(fileURLToPath(import.meta.url), argv, { execArgv: process.execArgv, env: { ...process.env, WASM_RNN_SOAK_CHILD: '1' }, stdio: 'inherit' });
  let last = { progress: -1, at: Date.now(), summary: undefined };
  child.on('message', (m) => {
    if (m?.type === 'heartbeat') {
      if (m.progress !== last.progress) last = { ...last, progress: m.progress, at: Date.now() };
    } else if (m?.type === 'sample') last.summary = m.summary;
  });
  const watchdog = setInterval(() => {
    if (Date.now() - last.at > HANG_SECONDS * 1000) {
      clearInterval(watchdog);
      const message = `hang: no progress for ${HANG_SECONDS} s (last completed call #${last.progress}); the soak process was killed`;
      console.error(`soak: ${message}`);
      const summary = last.summary ?? { out: opts.out, samples: [], counts: { calls: 0, callsByKind: {}, errorsByCode: {} }, failures: [], variant: opts.variant ?? '?', durationSeconds: 0 };
      summary.failures = [...(summary.failures ?? []), message];
      summary.result = 'fail';
      writeSummary(summary);
      child.kill('SIGKILL');
      process.exit(1);
    }
  }, 1000);
  const code = await new Promise((res) => child.on('exit', (c, signal) => res(c ?? (signal ? 1 : 0))));
  clearInterval(watchdog);
  process.exit(code === 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------------------------
// The soak itself (child process).

async function soak(argv) {
  const opts = parseArgs(argv);
  const lib = await import(new URL('../dist/index.js', import.meta.url).href).catch((e) => {
    throw new Error(`soak: cannot import dist/index.js (run \`npm run build\` first): ${e.message}`);
  });
  const { init, wasmMemoryBytes, RNN, LSTM, GRU, WorkerPool, WasmRnnError, tensor, zeros } = lib;
  // Live wasm allocations, where the build has it (memoryUsage().bytesInUse): tells a leak from
  // fragmentation when the linear memory grows.
  const bytesInUse = typeof lib.memoryUsage === 'function' ? () => lib.memoryUsage().bytesInUse : () => undefined;
  const { variant } = await init(opts.variant === undefined ? {} : { variant: opts.variant });
  const rand = mulberry32(opts.seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (items) => items[Math.floor(rand() * items.length)];
  const chance = (p) => rand() < p;
  const floats = (n, scale = 1) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rand() * 2 - 1) * scale;
    return a;
  };
  const numel = (s) => s.reduce((a, b) => a * b, 1);
  const rt = (shape, scale) => tensor(floats(numel(shape), scale), shape);

  const t0 = performance.now();
  const deadline = t0 + opts.minutes * 60_000;
  const counts = { calls: 0, callsByKind: {}, errorsByCode: {}, unexpected: 0, oversized: 0 };
  const failures = [];
  const samples = [];
  let progress = 0;
  let stopping = false;

  const failuresByKind = {};
  /** Records a failure (the first 5 messages of each kind, e.g. "pool.backward"; all are counted). */
  const fail = (message) => {
    counts.unexpected++;
    const kind = message.split(':')[0];
    failuresByKind[kind] = (failuresByKind[kind] ?? 0) + 1;
    if (failuresByKind[kind] <= 5 && failures.length < 200) failures.push(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${message}`);
  };
  process.on('unhandledRejection', (e) => fail(`unhandled rejection: ${e?.stack ?? e}`));
  process.on('uncaughtException', (e) => fail(`uncaught exception: ${e?.stack ?? e}`));

  const describeError = (e) => (e instanceof Error ? `${e.constructor.name}${e.code ? ` ${e.code}` : ''}: ${e.message}` : `non-Error ${String(e)}`);
  const count = (kind) => {
    counts.calls++;
    counts.callsByKind[kind] = (counts.callsByKind[kind] ?? 0) + 1;
    progress++;
  };
  /** A call that must succeed. */
  const ok = (kind, f) => {
    count(kind);
    try {
      return f();
    } catch (e) {
      fail(`${kind}: expected success, got ${describeError(e)}`);
      return undefined;
    }
  };
  const okAsync = async (kind, f) => {
    count(kind);
    try {
      return await f();
    } catch (e) {
      fail(`${kind}: expected success, got ${describeError(e)}`);
      return undefined;
    }
  };
  const checkError = (kind, e, codes) => {
    if (!(e instanceof WasmRnnError) || e.name !== 'WasmRnnError') return fail(`${kind}: expected WasmRnnError ${codes.join('|')}, got ${describeError(e)}`);
    if (!codes.includes(e.code)) return fail(`${kind}: expected ${codes.join('|')}, got ${describeError(e)}`);
    counts.errorsByCode[e.code] = (counts.errorsByCode[e.code] ?? 0) + 1;
  };
  /** A call that must throw a WasmRnnError with one of `codes`. */
  const rejects = (kind, codes, f) => {
    count(kind);
    try {
      f();
    } catch (e) {
      return checkError(kind, e, codes);
    }
    fail(`${kind}: expected ${codes.join('|')}, but the call succeeded`);
  };
  const rejectsAsync = async (kind, codes, f) => {
    count(kind);
    try {
      await f();
    } catch (e) {
      return checkError(kind, e, codes);
    }
    fail(`${kind}: expected ${codes.join('|')}, but the call succeeded`);
  };

  // -- configurations and geometry ------------------------------------------------------------
  const CELLS = ['rnn_tanh', 'rnn_relu', 'lstm', 'lstm_proj', 'gru'];
  function randomConfig() {
    const cell = pick(CELLS);
    const hiddenSize = int(cell === 'lstm_proj' ? 2 : 1, 24);
    return {
      cell,
      inputSize: int(1, 24),
      hiddenSize,
      projSize: cell === 'lstm_proj' ? int(1, hiddenSize - 1) : 0,
      numLayers: int(1, 3),
      bidirectional: chance(0.5),
      bias: chance(0.8),
      batchFirst: chance(0.3),
      seed: int(0, 1e6),
    };
  }
  const isLstm = (c) => c.cell === 'lstm' || c.cell === 'lstm_proj';
  const options = (c) => ({
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    bias: c.bias,
    batchFirst: c.batchFirst,
    seed: c.seed,
    ...(isLstm(c) ? { projSize: c.projSize } : {}),
    ...(c.cell.startsWith('rnn') ? { nonlinearity: c.cell === 'rnn_tanh' ? 'tanh' : 'relu' } : {}),
  });
  const build = (c) => (isLstm(c) ? new LSTM(options(c)) : c.cell === 'gru' ? new GRU(options(c)) : new RNN(options(c)));
  const geo = (c) => {
    const D = c.bidirectional ? 2 : 1;
    const O = c.projSize || c.hiddenSize;
    return { D, O, S: c.numLayers * D };
  };
  const xShape = (c, T, B) => (c.batchFirst ? [B, T, c.inputSize] : [T, B, c.inputSize]);
  const outShape = (c, T, B) => (c.batchFirst ? [B, T, geo(c).D * geo(c).O] : [T, B, geo(c).D * geo(c).O]);
  const hShape = (c, B) => [geo(c).S, B, geo(c).O];
  const cShape = (c, B) => [geo(c).S, B, c.hiddenSize];
  const sameShape = (t, shape) => t && t.data instanceof Float32Array && Array.isArray(t.shape) && t.shape.join() === shape.join() && t.data.length === numel(shape);
  const finite = (t) => t.data.every(Number.isFinite);
  const closeTo = (a, b, tol = 1e-5) => {
    let scale = 1;
    for (const v of b.data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < a.data.length; i++) if (!(Math.abs(a.data[i] - b.data[i]) <= tol * scale)) return false;
    return true;
  };
  /**
   * ReLU's derivative jumps at 0: when the pool and its twin sum a pre-activation in a different
   * order and it lands on different sides of 0, their gradients differ by a whole term, and both
   * are right. The output shows every step's activation of a one-layer RNN, so a flip is seen
   * exactly (one side 0, the other not); a lower layer's steps are not visible, so stacked relu
   * layers are not compared after backward (counted as unchecked).
   */
  const reluKink = (c, a, b) => {
    if (c.cell !== 'rnn_relu') return false;
    if (c.numLayers > 1) return true;
    for (let i = 0; i < a.data.length; i++) if ((a.data[i] === 0) !== (b.data[i] === 0)) return true;
    return false;
  };
  const sameBits = (a, b) => {
    if (a.length !== b.length) return false;
    const x = new Int32Array(a.buffer, a.byteOffset, a.length);
    const y = new Int32Array(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };

  // -- the sentinel: its training step must stay bit-identical ---------------------------------
  const sentinel = new LSTM({ inputSize: 7, hiddenSize: 11, projSize: 5, numLayers: 2, bidirectional: true, seed: 77 });
  const sx = rt([6, 3, 7], 1);
  const sdy = rt([6, 3, 10], 1);
  const sentinelStep = () => {
    const f = sentinel.forward(sx, { training: true });
    const g = sentinel.backward({ output: sdy });
    return [f.output.data, f.hN.data, f.cN.data, g.input.data, ...Object.values(g.params).map((t) => t.data)].map((d) => new Float32Array(d));
  };
  const sentinelRef = sentinelStep();
  const checkSentinel = () => {
    count('sentinel');
    try {
      const now = sentinelStep();
      if (!now.every((d, i) => sameBits(d, sentinelRef[i]))) fail('sentinel: the training step is no longer bit-identical to the start of the run');
    } catch (e) {
      fail(`sentinel: ${describeError(e)}`);
    }
  };

  // -- single layers ---------------------------------------------------------------------------
  /** @type {{ c: object, layer: any, pending?: { T: number, B: number } }[]} */
  const live = [];
  const disposed = [];
  let dropped = 0;
  let collected = 0;
  const dropWatch = new FinalizationRegistry(() => collected++);
  const MAX_LIVE = 8;

  function createLayer() {
    const c = randomConfig();
    const layer = ok('create', () => build(c));
    if (layer) live.push({ c, layer, pending: undefined });
  }
  function removeLayer() {
    if (live.length === 0) return;
    const i = int(0, live.length - 1);
    const [s] = live.splice(i, 1);
    if (chance(0.25)) {
      // Forgotten without dispose(): only the FinalizationRegistry can free it.
      dropWatch.register(s.layer, undefined);
      dropped++;
    } else {
      ok('dispose', () => s.layer.dispose());
      disposed.push(s.layer);
      if (disposed.length > 4) disposed.shift();
    }
  }

  function validForward(s) {
    const { c } = s;
    const T = int(1, 16);
    const B = int(1, 8);
    const training = chance(0.6);
    const o = { training };
    if (chance(0.5)) o.h0 = rt(hShape(c, B), 0.5);
    if (isLstm(c) && chance(0.5)) o.c0 = rt(cShape(c, B), 0.5);
    const x = rt(xShape(c, T, B), 1);
    const r = ok(training ? 'forward.training' : 'forward.inference', () => s.layer.forward(x, o));
    if (!r) return;
    if (!sameShape(r.output, outShape(c, T, B)) || !sameShape(r.hN, hShape(c, B)) || (isLstm(c) && !sameShape(r.cN, cShape(c, B)))) fail(`forward: wrong result shapes for ${JSON.stringify(c)} T=${T} B=${B}`);
    else if (!finite(r.output) || !finite(r.hN)) fail(`forward: non-finite output for ${JSON.stringify(c)}`);
    if (training) s.pending = { T, B };
    // Now and then: the same call again must give the same bits (results are copies, no state leaks).
    if (chance(0.1)) {
      const again = ok('forward.repeat', () => s.layer.forward(x, { ...o, training: false }));
      if (again && !sameBits(again.output.data, r.output.data)) fail(`forward: repeating a call changed the output (${JSON.stringify(c)})`);
    }
  }
  function validBackward(s) {
    const { c } = s;
    if (!s.pending) {
      rejects('backward.no-forward', ['E_NO_TRAINING_FORWARD'], () => s.layer.backward());
      return;
    }
    const { T, B } = s.pending;
    const g = {};
    if (chance(0.8)) g.output = rt(outShape(c, T, B), 1);
    if (chance(0.5)) g.hN = rt(hShape(c, B), 1);
    if (isLstm(c) && chance(0.5)) g.cN = rt(cShape(c, B), 1);
    const r = ok('backward', () => s.layer.backward(g));
    s.pending = undefined;
    if (r && (!sameShape(r.input, xShape(c, T, B)) || !sameShape(r.h0, hShape(c, B)) || !finite(r.input))) fail(`backward: wrong input-gradient shape or values for ${JSON.stringify(c)}`);
  }
  function stateRoundTrip(s) {
    const sd = ok('stateDict', () => s.layer.stateDict());
    if (!sd) return;
    for (const t of Object.values(sd)) for (let i = 0; i < t.data.length; i++) t.data[i] *= 0.999;
    const strict = chance(0.7);
    const dict = strict ? sd : Object.fromEntries(Object.entries(sd).filter(() => chance(0.5)));
    ok('loadStateDict', () => s.layer.loadStateDict(dict, { strict }));
    if (Object.keys(dict).length > 0) s.pending = undefined; // loading invalidates a pending training forward
    const back = ok('stateDict', () => s.layer.stateDict());
    if (back && !Object.entries(dict).every(([k, t]) => sameBits(back[k].data, t.data))) fail('loadStateDict: stateDict() does not return what was loaded');
  }

  /** The invalid-call catalogue: [name, expected codes, call]. */
  function invalidCall(s) {
    const { c, layer } = s;
    const T = int(1, 6);
    const B = int(1, 4);
    const x = rt(xShape(c, T, B), 1);
    const cases = [
      ['forward.x-feature-size', ['E_SHAPE'], () => layer.forward(zeros(c.batchFirst ? [B, T, c.inputSize + 1] : [T, B, c.inputSize + 1]))],
      ['forward.x-float64', ['E_DTYPE'], () => layer.forward({ data: new Float64Array(numel(x.shape)), shape: x.shape })],
      ['forward.x-null', ['E_DTYPE'], () => layer.forward(null)],
      ['forward.x-rank-2', ['E_SHAPE'], () => layer.forward({ data: x.data, shape: [T * B, c.inputSize] })],
      ['forward.x-length', ['E_SHAPE'], () => layer.forward({ data: new Float32Array(numel(x.shape) + 1), shape: x.shape })],
      ['forward.h0-batch', ['E_SHAPE'], () => layer.forward(x, { h0: zeros(hShape(c, B + 1)) })],
      ['forward.options-number', ['E_ARGUMENT'], () => layer.forward(x, 42)],
      ['forward.training-string', ['E_ARGUMENT'], () => layer.forward(x, { training: 'yes' })],
      ['backward.grads-number', ['E_ARGUMENT'], () => layer.backward(7)],
      ['loadStateDict.unknown-name', ['E_PARAM_NAME'], () => layer.loadStateDict({ bogus_l0: zeros([1]) }, { strict: false })],
      ['loadStateDict.missing', ['E_PARAM_NAME'], () => layer.loadStateDict({})],
      ['loadStateDict.wrong-size', ['E_PARAM_SIZE'], () => layer.loadStateDict({ weight_hh_l0: zeros([1, 1, 1]) }, { strict: false })],
      ['loadStateDict.null', ['E_ARGUMENT'], () => layer.loadStateDict(null)],
      ['tensor.size', ['E_SHAPE'], () => tensor(new Float32Array(5), [2, 3])],
      ['constructor.hidden-0', ['E_CONFIG'], () => build({ ...c, hiddenSize: 0, projSize: 0, cell: c.cell === 'lstm_proj' ? 'lstm' : c.cell })],
    ];
    if (isLstm(c)) cases.push(['forward.c0-shape', ['E_SHAPE'], () => layer.forward(x, { c0: zeros([geo(c).S + 1, B, c.hiddenSize]) })]);
    else cases.push(['forward.c0-not-lstm', ['E_ARGUMENT'], () => layer.forward(x, { c0: zeros(cShape(c, B)) })]);
    if (s.pending) {
      const { T: pT, B: pB } = s.pending;
      const bad = outShape(c, pT, pB);
      bad[2] += 1;
      cases.push(['backward.output-shape', ['E_SHAPE'], () => layer.backward({ output: zeros(bad) })]); // keeps the pending forward
    }
    const [name, codes, f] = pick(cases);
    rejects(name, codes, f);
  }

  function useAfterDispose() {
    if (disposed.length === 0) return;
    const layer = pick(disposed);
    const f = pick([() => layer.forward(zeros([1, 1, layer.inputSize])), () => layer.backward(), () => layer.stateDict(), () => layer.loadStateDict({})]);
    rejects('use-after-dispose', ['E_DISPOSED'], f);
  }

  // -- oversized inputs: x of 2^28 floats must give E_TOO_LARGE without being copied -----------
  let huge;
  const bigLayer = new GRU({ inputSize: 4, hiddenSize: 4, seed: 5 });
  bigLayer.forward(zeros([2, 1, 4]));
  // Bookkeeping that keeps its capacity (e.g. a table of layer handles sized by the most layers
  // ever alive at once) is not a leak: grow it to more layers than the run keeps alive before
  // the baseline for the leak check at the end.
  const prefill = Array.from({ length: 1024 }, (_, i) => new GRU({ inputSize: 1, hiddenSize: 1, seed: i }));
  for (const l of prefill) l.dispose();
  const inUseAtStart = bytesInUse(); // the sentinel and bigLayer only
  function oversized() {
    huge ??= new Float32Array(2 ** 28); // 1 GiB of untouched zero pages
    const before = wasmMemoryBytes();
    counts.oversized++;
    rejects('forward.oversized', ['E_TOO_LARGE'], () => bigLayer.forward({ data: huge, shape: [2 ** 26, 1, 4] }));
    const grown = wasmMemoryBytes() - before;
    if (grown > 64 * MB) fail(`forward.oversized: wasm memory grew by ${fmtMb(grown)} MB (the input must be refused before it is copied)`);
  }

  // -- WorkerPool ------------------------------------------------------------------------------
  const pool = opts.workers > 0 ? await WorkerPool.create({ workers: opts.workers, variant }) : undefined;
  /** @type {{ c: object, layer: any, twin: any, pending?: { T: number, B: number } }[]} */
  const poolLive = [];
  async function poolStep() {
    if (poolLive.length < 2 || chance(0.05)) {
      const c = randomConfig();
      // Stacked relu layers hide their lower layers' kinks (see reluKink): compare one-layer ones.
      c.numLayers = c.cell === 'rnn_relu' ? 1 : Math.min(c.numLayers, 2);
      const cellKind = isLstm(c) ? 'lstm' : c.cell === 'gru' ? 'gru' : 'rnn';
      const layer = await okAsync('pool.create', () => pool[cellKind](options(c)));
      if (layer) poolLive.push({ c, layer, twin: build(c), pending: undefined });
      if (poolLive.length > 3) {
        const [s] = poolLive.splice(int(0, poolLive.length - 1), 1);
        await okAsync('pool.dispose', () => s.layer.dispose());
        s.twin.dispose();
        await rejectsAsync('pool.use-after-dispose', ['E_DISPOSED'], () => s.layer.forward(zeros([1, 1, s.c.inputSize])));
      }
      return;
    }
    const s = pick(poolLive);
    const { c } = s;
    const r = rand();
    if (r < 0.45) {
      const T = int(1, 12);
      const B = int(1, 8);
      const training = chance(0.6);
      const o = { training };
      if (chance(0.5)) o.h0 = rt(hShape(c, B), 0.5);
      if (isLstm(c) && chance(0.5)) o.c0 = rt(cShape(c, B), 0.5);
      const x = rt(xShape(c, T, B), 1);
      const got = await okAsync('pool.forward', () => s.layer.forward(x, o));
      const want = ok('pool.twin.forward', () => s.twin.forward(x, o));
      if (got && want && !(closeTo(got.output, want.output) && closeTo(got.hN, want.hN))) fail(`pool.forward: differs from the single-thread twin (${JSON.stringify(c)} T=${T} B=${B})`);
      if (training) s.pending = { T, B, reluKink: got && want ? reluKink(c, got.output, want.output) : false };
    } else if (r < 0.7) {
      if (!s.pending) {
        await rejectsAsync('pool.backward.no-forward', ['E_NO_TRAINING_FORWARD'], () => s.layer.backward());
        return;
      }
      const { T, B } = s.pending;
      const g = { output: rt(outShape(c, T, B), 1) };
      if (chance(0.3)) {
        // A rejected backward (wrong hN gradient) must keep the pending forward.
        const bad = hShape(c, B);
        bad[2] += 1;
        await rejectsAsync('pool.backward.bad-grad', ['E_SHAPE'], () => s.layer.backward({ ...g, hN: zeros(bad) }));
      }
      const got = await okAsync('pool.backward', () => s.layer.backward(g));
      const want = ok('pool.twin.backward', () => s.twin.backward(g));
      const { reluKink: kinked } = s.pending;
      s.pending = undefined;
      if (kinked) {
        count('pool.backward.relu-kink-unchecked');
        return;
      }
      if (got && want && !(closeTo(got.input, want.input) && Object.keys(want.params).every((k) => closeTo(got.params[k], want.params[k])))) fail(`pool.backward: differs from the single-thread twin (${JSON.stringify(c)})`);
    } else if (r < 0.8) {
      const sd = ok('pool.twin.stateDict', () => s.twin.stateDict());
      if (!sd) return;
      for (const t of Object.values(sd)) for (let i = 0; i < t.data.length; i++) t.data[i] *= 0.999;
      await okAsync('pool.loadStateDict', () => s.layer.loadStateDict(sd));
      ok('pool.twin.loadStateDict', () => s.twin.loadStateDict(sd));
      s.pending = undefined;
    } else {
      const T = int(1, 4);
      const B = int(1, 4);
      const x = rt(xShape(c, T, B), 1);
      const [name, codes, f] = pick([
        ['pool.forward.x-feature-size', ['E_SHAPE'], () => s.layer.forward(zeros(c.batchFirst ? [B, T, c.inputSize + 1] : [T, B, c.inputSize + 1]))],
        ['pool.forward.x-float64', ['E_DTYPE'], () => s.layer.forward({ data: new Float64Array(numel(x.shape)), shape: x.shape })],
        ['pool.forward.h0-shape', ['E_SHAPE'], () => s.layer.forward(x, { h0: zeros([geo(c).S + 1, B, geo(c).O]) })],
        ['pool.forward.training-string', ['E_ARGUMENT'], () => s.layer.forward(x, { training: 'yes' })],
        ['pool.loadStateDict.unknown-name', ['E_PARAM_NAME'], () => s.layer.loadStateDict({ bogus_l0: zeros([1]) })],
        ['pool.loadStateDict.null', ['E_ARGUMENT'], () => s.layer.loadStateDict(null)],
      ]);
      await rejectsAsync(name, codes, f);
    }
  }

  // -- sampling, heartbeat ----------------------------------------------------------------------
  const heartbeat = setInterval(() => process.send?.({ type: 'heartbeat', progress }), 1000);
  const gc = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;
  const summaryNow = (result) => ({
    tool: 'scripts/soak.mjs',
    result,
    variant,
    options: opts,
    node: process.version,
    execArgv: process.execArgv,
    gcExposed: gc !== undefined,
    out: opts.out,
    durationSeconds: (performance.now() - t0) / 1000,
    samples,
    counts: { ...counts, errors: Object.values(counts.errorsByCode).reduce((a, b) => a + b, 0), liveLayers: live.length, dropped, collected, failuresByKind },
    failures,
  });
  let baseline;
  function sample() {
    if (gc) gc();
    checkSentinel();
    const m = process.memoryUsage();
    const s = {
      t: (performance.now() - t0) / 1000,
      wasmBytes: wasmMemoryBytes(),
      wasmBytesInUse: bytesInUse(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      calls: counts.calls,
      errors: Object.values(counts.errorsByCode).reduce((a, b) => a + b, 0),
      unexpected: counts.unexpected,
      liveLayers: live.length,
      poolLayers: poolLive.length,
      dropped,
      collected,
    };
    samples.push(s);
    if (baseline === undefined && s.t >= opts.warmupSeconds) baseline = s;
    if (baseline !== undefined && s !== baseline) {
      if (s.wasmBytes - baseline.wasmBytes > opts.maxWasmGrowthMb * MB) fail(`wasm memory grew from ${fmtMb(baseline.wasmBytes)} MB (at ${baseline.t.toFixed(0)} s) to ${fmtMb(s.wasmBytes)} MB (bound +${opts.maxWasmGrowthMb} MB)`);
      if (s.rss - baseline.rss > opts.maxRssGrowthMb * MB) fail(`RSS grew from ${fmtMb(baseline.rss)} MB (at ${baseline.t.toFixed(0)} s) to ${fmtMb(s.rss)} MB (bound +${opts.maxRssGrowthMb} MB)`);
    }
    process.send?.({ type: 'sample', summary: summaryNow('running') });
    console.log(`[soak ${s.t.toFixed(0).padStart(5)} s] wasm ${fmtMb(s.wasmBytes)} MB${s.wasmBytesInUse === undefined ? '' : ` (${fmtMb(s.wasmBytesInUse)} in use)`}, rss ${fmtMb(s.rss)} MB, heap ${fmtMb(s.heapUsed)} MB, ${s.calls} calls, ${s.errors} expected errors, ${s.unexpected} unexpected, ${s.liveLayers} live / ${dropped} dropped / ${collected} collected`);
  }

  // -- the loop ---------------------------------------------------------------------------------
  console.log(`soak: variant ${variant}, ${opts.minutes} min, seed ${opts.seed}, pool of ${opts.workers}, gc ${gc ? 'exposed' : 'not exposed (run with --expose-gc)'}, warm-up ${opts.warmupSeconds} s`);
  let nextSample = performance.now();
  let nextOversized = performance.now() + 5_000;
  let iteration = 0;
  while (!stopping && performance.now() < deadline) {
    iteration++;
    const now = performance.now();
    if (now >= nextSample) {
      sample();
      nextSample = now + opts.sampleSeconds * 1000;
    }
    if (opts.oversized && now >= nextOversized) {
      oversized();
      nextOversized = now + 20_000 + rand() * 20_000;
    }
    if (live.length < 3 || (live.length < MAX_LIVE && chance(0.05))) createLayer();
    else if (live.length >= MAX_LIVE || chance(0.03)) removeLayer();
    else {
      const s = pick(live);
      const r = rand();
      if (r < 0.4) validForward(s);
      else if (r < 0.6) validBackward(s);
      else if (r < 0.67) stateRoundTrip(s);
      else if (r < 0.97) invalidCall(s);
      else useAfterDispose();
    }
    if (pool && iteration % 4 === 0) await poolStep();
    if (opts.simulateHang !== undefined && now - t0 > opts.simulateHang * 1000) {
      console.log('soak: --simulate-hang: blocking the event loop');
      for (;;); // the supervisor must notice and kill this process
    }
    // Let timers (heartbeat), worker messages and finalizers run.
    if (iteration % 16 === 0) await new Promise((r) => setImmediate(r));
    // Keep the dropped-but-not-yet-collected layers well below the 1024 prefilled above.
    if (gc && dropped - collected > 300) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    if (counts.unexpected >= 10_000) stopping = true;
  }
  sample();
  clearInterval(heartbeat);
  for (const s of live) s.layer.dispose();
  live.length = 0;
  for (const s of poolLive) {
    await s.layer.dispose();
    s.twin.dispose();
  }
  await pool?.terminate();
  // Leak check: with every soak layer (and the pool twins) disposed or collected, the live wasm
  // allocations must be back to what the sentinel and bigLayer held at the start.
  if (gc && inUseAtStart !== undefined) {
    for (let i = 0; i < 50 && collected < dropped; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 200)); // the library's own finalizers may run a task later
    const inUseAtEnd = bytesInUse();
    if (collected < dropped) fail(`${dropped - collected} dropped layers were never collected (FinalizationRegistry)`);
    else if (inUseAtEnd - inUseAtStart > 64 * 1024) fail(`leak: ${inUseAtEnd - inUseAtStart} bytes of wasm allocations still in use after every layer was freed (${inUseAtStart} at the start, ${inUseAtEnd} at the end)`);
    counts.inUseAtStart = inUseAtStart;
    counts.inUseAtEnd = inUseAtEnd;
  }
  const summary = summaryNow(failures.length === 0 ? 'pass' : 'fail');
  writeSummary(summary);
  printTable(summary);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

if (process.env.WASM_RNN_SOAK_CHILD === '1') {
  soak(process.argv.slice(2)).catch((e) => {
    console.error(`soak: ${e?.stack ?? e}`);
    if (e?.code === 'E_VARIANT_UNSUPPORTED') console.error('soak: Node 20 runs the relaxed build only with --experimental-wasm-relaxed-simd');
    process.exit(1);
  });
} else {
  supervise(process.argv.slice(2)).catch((e) => {
    console.error(e?.message ?? e);
    process.exit(1);
  });
}

