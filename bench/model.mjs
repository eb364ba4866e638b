#!/usr/bin/env node
// The `model` mode of the benchmark suite: one training step of a character model
// (Embedding 65→64, LSTM 256, Dense 256→65, cross-entropy, Adam lr 2e-3, clipGradNorm 1.0;
// batch 32, sequence 64) in this library, PyTorch and TensorFlow.js, timed in the same rounds.
// See bench/README.md ("model mode").
//
//   npm run bench -- --modes model [options]     (from the repository root)
//   node bench/model.mjs [options]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArrays } from './lib/case.mjs';
import { spawnImpl } from './lib/impls.mjs';
import { ensureBenchDeps, ensureLibrary, ensurePyTorch } from './lib/install.mjs';
import { loadavg, machineInfo } from './lib/machine.mjs';
import { MODEL_SHAPE, makeModelCase, modelFlopsPerStep, writeModelCase } from './lib/model-case.mjs';
import { TIMING_OPTIONS, positiveInt, readOptions, timingValues } from './lib/options.mjs';
import { compareArrays, summarize } from './lib/stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');

/**
 * The implementations of this mode. calls: what each timed; 'check' names the call whose
 * check answer is compared with the reference (PyTorch's).
 */
export const MODEL_IMPLS = [
  { id: 'ours-relaxed', kind: 'ours', js: true, module: 'wasm-rnn-model.mjs', options: { variant: 'relaxed' }, relaxed: true, label: 'wasm-rnn relaxed-SIMD, Sequential', calls: ['step', 'loop', 'fit', 'lstm', 'copies'], check: 'step' },
  { id: 'ours-simd', kind: 'ours', js: true, module: 'wasm-rnn-model.mjs', options: { variant: 'simd' }, label: 'wasm-rnn SIMD, Sequential', calls: ['step', 'loop', 'fit', 'lstm', 'copies'], check: 'step' },
  { id: 'ours-scalar', kind: 'ours', js: true, module: 'wasm-rnn-model.mjs', options: { variant: 'scalar' }, label: 'wasm-rnn scalar, Sequential', calls: ['step', 'lstm', 'copies'], check: 'step' }, // no fit/loop rows: 15 s per round
  { id: 'pytorch', kind: 'peer', js: false, label: 'PyTorch CPU, 1 thread (nn.Embedding/LSTM/Linear, Adam, clip_grad_norm_)', calls: ['step', 'lstm'], check: 'step' },
  // Keras' LSTM has one bias vector (b_ih + b_hh): Adam moves it half as far per step as PyTorch
  // moves the sum of its two, so the losses and gradient norms after an update agree to ~1e-4
  // relative only (the initial logits, loss and norm are held to the plain tolerance).
  { id: 'tfjs-wasm', kind: 'peer', js: true, packages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'], module: 'tfjs-model.mjs', options: { backend: 'wasm' }, label: 'TF.js layers model.fit, wasm backend', calls: ['fit', 'trainOnBatch'], check: 'fit', tolScale: { losses: 10, gradNorms: 10 } },
  { id: 'peak-relaxed', kind: 'peak', js: true, packages: ['wabt'], module: 'roofline.mjs', options: { kind: 'relaxed' }, relaxed: true, label: 'wasm peak, f32x4.relaxed_madd', calls: ['train'] },
  { id: 'peak-simd', kind: 'peak', js: true, packages: ['wabt'], module: 'roofline.mjs', options: { kind: 'simd' }, label: 'wasm peak, f32x4.mul+add', calls: ['train'] },
  { id: 'peak-scalar', kind: 'peak', js: true, packages: ['wabt'], module: 'roofline.mjs', options: { kind: 'scalar' }, label: 'wasm peak, f32 mul+add', calls: ['train'] },
];
const ALIASES = {
  all: MODEL_IMPLS.map((i) => i.id),
  ours: ['ours-relaxed', 'ours-simd', 'ours-scalar'],
  tfjs: ['tfjs-wasm'],
  torch: ['pytorch'],
  peak: ['peak-relaxed', 'peak-simd', 'peak-scalar'],
};
const PEAK_OF = { 'ours-relaxed': 'peak-relaxed', 'ours-simd': 'peak-simd', 'ours-scalar': 'peak-scalar' };

const HELP = `usage: node bench/model.mjs [options]      (or: npm run bench -- --modes model [options])

One training step of the character model (Embedding ${MODEL_SHAPE.vocab}→${MODEL_SHAPE.embed}, LSTM ${MODEL_SHAPE.hidden}, Dense ${MODEL_SHAPE.hidden}→${MODEL_SHAPE.vocab}, cross-entropy,
Adam, clipping; batch ${MODEL_SHAPE.batch}, sequence ${MODEL_SHAPE.seq}): this library (trainStep, fit, the LSTM alone), PyTorch and
TF.js model.fit, in the same rounds. Writes bench/results/model.{json,md}.

  --peers LIST        ours (= ours-relaxed, ours-simd, ours-scalar), pytorch, tfjs (= tfjs-wasm),
                      peak (roofline kernels), or single ids (default: all)
  --fit-batches N     batches of our fit / bare-loop rows (default 8)
  --tfjs-batches K    batches per TF.js model.fit call (default 4; per step = call / K)
  --quick             fewer rounds, shorter warm-up
  --rounds N          minimum rounds (default 5, quick 3)
  --max-rounds N      maximum rounds (default 15, quick 3)
  --budget SEC        no new round starts after this once the minimum is reached (default 420, quick 60)
  --sample-ms MS      target duration of one timed sample (default 25; at least one call)
  --warmup-ms MS      warm-up per timed call before the rounds (default 1000, quick 300)
  --tol X             correctness tolerance: max |diff| <= X * max(1, max |reference|) (default 1e-4)
  --out PATH          output stem (default bench/results/model -> model.json, model.md)
  --rebuild           npm run build first even if dist/ exists
  --no-install        never install anything
  --report FILE.json  only re-render FILE.md from an earlier run's FILE.json
  --help`;

function parseArgs(argv) {
  const v = readOptions(
    argv,
    {
      modes: { type: 'string' }, // npm run bench -- --modes model hands its argv over
      'fit-batches': { type: 'string' },
      'tfjs-batches': { type: 'string' },
      ...TIMING_OPTIONS,
    },
    HELP,
  );
  if (v.modes !== undefined && v.modes !== 'model') throw new Error('bench/model.mjs runs --modes model only');
  const o = {
    ...timingValues(v, join(benchDir, 'results', 'model')),
    fitBatches: positiveInt('fit-batches', v['fit-batches']) ?? 8,
    tfjsBatches: positiveInt('tfjs-batches', v['tfjs-batches']) ?? 4,
  };
  o.rounds ??= o.quick ? 3 : 5;
  o.maxRounds ??= o.quick ? 3 : 15;
  o.budget ??= o.quick ? 60 : 420;
  o.sampleMs ??= 25;
  o.warmupMs ??= o.quick ? 300 : 1000;
  const ids = new Set();
  for (const p of o.peers) {
    const expanded = ALIASES[p] ?? (MODEL_IMPLS.some((i) => i.id === p) ? [p] : null);
    if (!expanded) throw new Error(`unknown peer ${p} for the model mode; known: ${[...Object.keys(ALIASES), ...MODEL_IMPLS.map((i) => i.id)].join(', ')}`);
    expanded.forEach((id) => ids.add(id));
  }
  o.peerIds = MODEL_IMPLS.filter((i) => ids.has(i.id)).map((i) => i.id);
  return o;
}

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3));
const r4 = (v) => Number(v.toPrecision(4));

export async function main(argv = process.argv.slice(2)) {
  const opts = parseArgs(argv);
  if (opts.report) {
    const { readFileSync } = await import('node:fs');
    const { renderModelMarkdown } = await import('./lib/model-report.mjs');
    const md = opts.report.replace(/\.json$/, '.md');
    const earlier = JSON.parse(readFileSync(opts.report, 'utf8'));
    earlier.derived = derive(earlier);
    writeFileSync(md, renderModelMarkdown(earlier));
    log(`bench: wrote ${md}`);
    return;
  }
  const started = Date.now();
  const workDir = join(benchDir, '.work');
  mkdirSync(join(workDir, 'cases'), { recursive: true });
  mkdirSync(join(workDir, 'out'), { recursive: true });
  mkdirSync(dirname(opts.out), { recursive: true });
  const machine = machineInfo(repoRoot);
  const loadBefore = loadavg();
  const wanted = new Set(opts.peerIds);
  const unavailable = {};
  const tryStep = (what, ids, f) => {
    try {
      return f();
    } catch (e) {
      const reason = `${what}: ${e.message.split('\n')[0]}`;
      for (const id of ids) if (wanted.has(id)) unavailable[id] = reason;
      log(`bench: ${reason}`);
      return undefined;
    }
  };

  // ---- dependencies (as bench/run.mjs) ----
  if (opts.install && opts.peerIds.some((id) => id.startsWith('tfjs') || id.startsWith('peak'))) {
    tryStep('installing bench/node_modules failed', ['tfjs-wasm', 'peak-relaxed', 'peak-simd', 'peak-scalar'], () => ensureBenchDeps(benchDir));
  }
  const ourIds = ALIASES.ours;
  let distDir;
  if (ourIds.some((id) => wanted.has(id))) {
    distDir = tryStep('building the library (dist/) failed', ourIds, () => {
      if (!opts.install && !existsSync(join(repoRoot, 'dist', 'index.js'))) throw new Error('dist/ is missing and --no-install was given');
      return dirname(opts.install ? ensureLibrary(repoRoot, { rebuild: opts.rebuild }) : join(repoRoot, 'dist', 'index.js'));
    });
  }
  let torch;
  if (wanted.has('pytorch')) {
    torch = tryStep('PyTorch (python3-torch) / OpenBLAS unavailable', ['pytorch'], () => (opts.install ? ensurePyTorch() : { python: '/usr/bin/python3', openblasDir: '/usr/lib/x86_64-linux-gnu/openblas-serial' }));
  }
  const runtime = { name: 'current', major: Number(process.versions.node.split('.')[0]), execPath: process.execPath };

  // ---- the case ----
  const kase = makeModelCase({ fitBatches: opts.fitBatches, tfjsBatches: opts.tfjsBatches });
  const casePath = join(workDir, 'cases', 'model.bin');
  writeModelCase(casePath, kase);
  const meta = kase.meta;
  const flops = modelFlopsPerStep(meta);

  // ---- processes ----
  const instances = [];
  const ctx = { benchDir, workDir, repoRoot, distDir, native: {}, torch, workers: 1, runtime };
  for (const impl of MODEL_IMPLS.filter((i) => wanted.has(i.id))) {
    const inst = { id: impl.id, impl, child: null, info: null, error: unavailable[impl.id], setup: null };
    instances.push(inst);
    if (inst.error) continue;
    try {
      inst.child = spawnImpl(impl, impl.id, ctx);
      const hello = await inst.child.request({ cmd: 'hello' }, 180_000);
      inst.info = hello.info ?? Object.fromEntries(Object.entries(hello).filter(([k]) => k !== 'ok'));
      log(`bench: started ${inst.id} ${JSON.stringify(inst.info)}`);
      inst.setup = await inst.child.request({ cmd: 'setup', meta, casePath }, 600_000);
    } catch (e) {
      inst.error = e.message.split('\n').slice(0, 3).join(' ');
      inst.child?.kill();
      inst.child = null;
      log(`bench: ${inst.id} unavailable: ${inst.error}`);
    }
  }

  const results = {
    schema: 1,
    mode: 'model',
    command: `npm run bench -- --modes model ${argv.filter((a, i) => a !== '--modes' && argv[i - 1] !== '--modes' && !a.startsWith('--modes=')).join(' ')}`.trim(),
    options: { peers: opts.peerIds, fitBatches: opts.fitBatches, tfjsBatches: meta.tfjsBatches, quick: opts.quick, rounds: opts.rounds, maxRounds: opts.maxRounds, budgetS: opts.budget, sampleMs: opts.sampleMs, warmupMs: opts.warmupMs, tol: opts.tol, node: [runtime.name] },
    model: { ...MODEL_SHAPE, lr: meta.lr, clip: meta.clip, fitBatches: meta.fitBatches, tfjsBatches: meta.tfjsBatches, flopsPerStep: flops.step, lstmFlopsPerCall: flops.lstm },
    machine,
    loadavg: { before: loadBefore },
    implementations: Object.fromEntries(instances.map((i) => [i.id, { label: i.impl.label, kind: i.impl.kind, info: i.info, unavailable: i.error }])),
    checks: {},
    entries: {},
  };
  const save = () => {
    results.elapsedS = Math.round((Date.now() - started) / 1000);
    results.loadavg.after = loadavg();
    writeFileSync(`${opts.out}.json`, `${JSON.stringify(results, null, 1)}\n`);
  };

  // ---- correctness: every peer's first steps from the same weights, against PyTorch ----
  const runCheck = async (inst) => {
    const outPath = join(workDir, 'out', `model-${inst.id}.bin`);
    const r = await inst.child.request({ cmd: 'check', mode: inst.impl.check, outPath }, 1_800_000);
    return readArrays(outPath, r.arrays);
  };
  const ref = instances.find((i) => i.id === 'pytorch' && i.child);
  let refArrays = null;
  if (ref) {
    try {
      refArrays = await runCheck(ref);
      results.checks.pytorch = { status: 'reference', losses: Array.from(refArrays.losses, r4), gradNorms: Array.from(refArrays.gradNorms, r4) };
    } catch (e) {
      results.checks.pytorch = { status: 'error', reason: e.message.split('\n')[0] };
    }
  }
  const failed = new Set();
  for (const inst of instances) {
    if (!inst.child || !inst.impl.check || inst === ref) continue;
    let got;
    try {
      got = await runCheck(inst);
    } catch (e) {
      results.checks[inst.id] = { status: 'error', reason: `check: ${e.message.split('\n').slice(0, 3).join(' ')}` };
      failed.add(inst.id);
      continue;
    }
    const c = { losses: Array.from(got.losses, r4), gradNorms: Array.from(got.gradNorms, r4) };
    if (got.fitVsLoopMaxAbsDiff) c.fitVsLoopMaxAbsDiff = got.fitVsLoopMaxAbsDiff[0];
    if (!refArrays) {
      Object.assign(c, { status: 'unchecked', reason: 'no PyTorch reference in this run' });
    } else {
      c.against = 'pytorch';
      c.errors = {};
      let ok = true;
      let worst = 0;
      for (const [name, refArr] of Object.entries(refArrays)) {
        const cmp = compareArrays(refArr, got[name] ?? new Float32Array(0));
        if (cmp.lengthMismatch) {
          c.errors[name] = cmp.lengthMismatch;
          ok = false;
          continue;
        }
        const limit = opts.tol * (inst.impl.tolScale?.[name] ?? 1) * Math.max(1, cmp.maxAbsRef);
        c.errors[name] = { maxAbsDiff: r4(cmp.maxAbsDiff), maxAbsRef: r4(cmp.maxAbsRef), limit: r4(limit) };
        worst = Math.max(worst, cmp.maxAbsDiff / limit);
        if (!(cmp.maxAbsDiff <= limit)) ok = false;
      }
      c.worstFractionOfLimit = r4(worst);
      c.status = ok ? 'ok' : 'mismatch';
      if (!ok) {
        failed.add(inst.id);
        log(`bench: ${inst.id} MISMATCH vs pytorch: ${JSON.stringify(c.errors)}`);
      }
    }
    results.checks[inst.id] = c;
    log(`bench: check ${inst.id}: ${c.status}${c.worstFractionOfLimit !== undefined ? ` (worst ${c.worstFractionOfLimit} of the limit)` : ''}; losses ${c.losses.join(', ')}`);
  }
  save();

  // ---- warm-up and calibration, then rounds: every (peer, call) once per round, rotating ----
  const participants = [];
  for (const inst of instances) {
    for (const call of inst.impl.calls) {
      const key = `${inst.id}/${call}`;
      const e = { id: inst.id, call, status: null };
      results.entries[key] = e;
      if (!inst.child) Object.assign(e, { status: 'unavailable', reason: inst.error ?? 'process not running' });
      else if (failed.has(inst.id)) Object.assign(e, { status: 'mismatch', reason: results.checks[inst.id]?.reason ?? 'differs from PyTorch' });
      else {
        const m = inst.setup?.modes?.[call];
        e.stepsPerCall = (m && typeof m === 'object' && m.stepsPerCall) || 1;
        if (inst.impl.kind === 'peak') e.flopsPerCall = inst.info.flopsPerCall;
        else if (call === 'lstm') e.flopsPerCall = flops.lstm;
        else if (call !== 'copies') e.flopsPerCall = flops.step * e.stepsPerCall;
        participants.push({ inst, call, e, mode: call });
      }
    }
  }
  const timed = [];
  for (const p of participants) {
    try {
      const req = (iters, timeout) => p.inst.child.request({ cmd: 'time', mode: p.mode, iters }, timeout);
      const t1 = (await req(1, 600_000)).ms;
      let per = t1;
      let spent = t1;
      let calls = 0;
      let best = t1;
      let stale = 0;
      const small = () => per < opts.warmupMs / 3;
      while (spent < opts.warmupMs ? small() || calls < 1 : small() && stale < 3 && spent < 5 * opts.warmupMs) {
        const n = Math.max(1, Math.min(10_000, Math.floor((2 * opts.sampleMs) / Math.max(per, 1e-4))));
        const ms = (await req(n, Math.max(120_000, n * per * 20))).ms;
        per = ms / n;
        spent += ms;
        calls++;
        if (per < 0.95 * best) {
          best = per;
          stale = 0;
        } else stale++;
      }
      p.iters = Math.max(1, Math.min(100_000, Math.round(opts.sampleMs / per)));
      p.expected = p.iters * per;
      p.samples = [];
      Object.assign(p.e, { warmupMs: Math.round(spent) });
      timed.push(p);
      log(`bench: warmed up ${p.inst.id}/${p.call}: ${fmt(per)} ms per call`);
    } catch (err) {
      Object.assign(p.e, { status: 'error', reason: `warm-up: ${err.message.split('\n')[0]}` });
    }
  }
  const t0 = Date.now();
  const roundCost = timed.reduce((s, p) => s + p.expected, 0);
  let round = 0;
  while (timed.length > 0) {
    const order = timed.map((_, i) => timed[(i + round) % timed.length]);
    for (const p of order) {
      if (p.failed) continue;
      try {
        const r = await p.inst.child.request({ cmd: 'time', mode: p.mode, iters: p.iters }, Math.max(120_000, p.expected * 20));
        p.samples.push(r.ms / p.iters);
        if (r.insideMs !== undefined) (p.inside ??= []).push(r.insideMs / p.iters);
      } catch (err) {
        p.failed = true;
        Object.assign(p.e, { status: 'error', reason: `timing: ${err.message.split('\n')[0]}` });
      }
    }
    round++;
    const elapsed = (Date.now() - t0) / 1000;
    log(`bench: round ${round} done (${elapsed.toFixed(0)} s)`);
    if (round >= opts.maxRounds) break;
    if (round >= opts.rounds && elapsed + roundCost / 1000 > opts.budget) break;
  }
  results.rounds = round;
  results.timingSeconds = Math.round((Date.now() - t0) / 100) / 10;
  for (const p of timed) {
    if (p.failed || p.samples.length === 0) continue;
    const st = summarize(p.samples);
    const perStep = summarize(p.samples.map((s) => s / p.e.stepsPerCall));
    Object.assign(p.e, {
      status: p.inst.impl.kind === 'peak' ? 'peak' : 'ok',
      ms: { median: r4(st.median), min: r4(st.min), p25: r4(st.p25), p75: r4(st.p75), max: r4(st.max), n: st.n },
      msPerStep: r4(perStep.median),
      itersPerSample: p.iters,
      samples: p.samples.map(r4), // per call, in round order (the paired per-round ratios use them)
      ...(p.inside ? { insideSamples: p.inside.map(r4) } : {}),
      ...(p.e.flopsPerCall ? { gflops: r4(p.e.flopsPerCall / st.median / 1e6), bestGflops: r4(p.e.flopsPerCall / st.min / 1e6) } : {}),
    });
  }
  for (const inst of instances) await inst.child?.close();
  results.derived = derive(results);
  save();
  const { renderModelMarkdown } = await import('./lib/model-report.mjs');
  writeFileSync(`${opts.out}.md`, renderModelMarkdown(results));
  log(`\nbench: wrote ${opts.out}.json and ${opts.out}.md in ${results.elapsedS} s`);
}

/**
 * A ratio per round from two rows timed back to back in that round (a variant's calls are adjacent
 * in every round's order), then its median and range: steadier than a ratio of medians when the
 * machine's speed drifts between rounds. Per-step values (samples / stepsPerCall).
 */
function paired(a, b, f) {
  const n = Math.min(a?.samples?.length ?? 0, b?.samples?.length ?? 0);
  if (n === 0) return undefined;
  const v = Array.from({ length: n }, (_, i) => f(a.samples[i] / a.stepsPerCall, b.samples[i] / b.stepsPerCall));
  const st = summarize(v);
  return { median: r4(st.median), min: r4(st.min), max: r4(st.max), n };
}

/** Same-run ratios and shares from the medians. */
export function derive(r) {
  const E = r.entries;
  const med = (key) => E[key]?.ms?.median;
  const step = (key) => E[key]?.msPerStep;
  const out = { perVariant: {}, peaks: {} };
  for (const [key, e] of Object.entries(E)) if (e.status === 'peak' && e.bestGflops) out.peaks[e.id] = e.bestGflops;
  const ptStep = step('pytorch/step');
  const ptLstm = med('pytorch/lstm');
  if (ptStep && ptLstm) out.pytorchNonRecurrentShare = r4(1 - ptLstm / ptStep);
  for (const v of ['ours-relaxed', 'ours-simd', 'ours-scalar']) {
    const s = step(`${v}/step`);
    if (!s) continue;
    const d = { stepMs: s };
    const lstm = med(`${v}/lstm`);
    const copies = med(`${v}/copies`);
    const loop = step(`${v}/loop`);
    const fit = step(`${v}/fit`);
    if (ptStep) d.vsPytorch = r4(ptStep / s);
    const tf = step('tfjs-wasm/fit');
    if (tf && fit) d.vsTfjsFit = r4(tf / fit);
    if (tf) d.tfjsFitOverOurStep = r4(tf / s);
    const tob = step('tfjs-wasm/trainOnBatch');
    if (tob) d.tfjsTrainOnBatchOverOurStep = r4(tob / s);
    if (lstm) {
      d.lstmMs = lstm;
      // Share of the step that is not the recurrent kernels: the standalone layer's forward +
      // backward includes its copies across the boundary, so 1 − lstm/step is a lower bound and
      // 1 − (lstm − copies)/step an upper bound.
      d.nonRecurrentShare = r4(1 - lstm / s);
      if (copies) {
        d.copiesMs = copies;
        d.nonRecurrentShareUpper = r4(1 - (lstm - copies) / s);
      }
      if (ptLstm) d.lstmVsPytorch = r4(ptLstm / lstm);
      const peak = out.peaks[PEAK_OF[v]];
      if (peak && E[`${v}/lstm`].bestGflops) d.lstmFractionOfPeak = r4(E[`${v}/lstm`].bestGflops / peak);
    }
    if (loop && fit) {
      d.loopMsPerStep = loop;
      d.fitMsPerStep = fit;
      d.fitOverLoop = r4(fit / loop - 1);
      d.fitOverLoopPaired = paired(E[`${v}/fit`], E[`${v}/loop`], (f, l) => f / l - 1);
      d.fitOverLoopBest = r4(E[`${v}/fit`].ms.min / E[`${v}/fit`].stepsPerCall / (E[`${v}/loop`].ms.min / E[`${v}/loop`].stepsPerCall) - 1);
    }
    // fit's own time per call: the call minus the time spent inside trainStep, over the latter.
    const fe = E[`${v}/fit`];
    if (fe?.insideSamples?.length) {
      const own = summarize(fe.samples.map((ms, i) => ms / fe.insideSamples[i] - 1));
      d.fitOwnOverhead = { median: r4(own.median), min: r4(own.min), max: r4(own.max), n: own.n };
      d.fitOwnMsPerStep = r4(summarize(fe.samples.map((ms, i) => (ms - fe.insideSamples[i]) / fe.stepsPerCall)).median);
    }
    if (lstm) {
      d.nonRecurrentSharePaired = paired(E[`${v}/lstm`], E[`${v}/step`], (l, st) => 1 - l / st);
      // Other processes only ever slow a call down: the fastest samples are the least disturbed.
      d.nonRecurrentShareBest = r4(1 - E[`${v}/lstm`].ms.min / E[`${v}/step`].ms.min);
    }
    if (loop) d.loopOverStep = r4(loop / s - 1);
    out.perVariant[v] = d;
  }
  if (ptStep && ptLstm) out.pytorchNonRecurrentMs = r4(ptStep - ptLstm);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`bench: ${e.stack ?? e}`);
    process.exit(1);
  });
}
