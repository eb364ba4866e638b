// results JSON -> Markdown report.

import { fmtMs } from './format.mjs';

const fmtX = (x) => (x === undefined ? '' : x >= 100 ? `${x.toFixed(0)}×` : x >= 10 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);
const pct = (f) => (f === undefined ? '' : `${(f * 100).toFixed(0)}%`);
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

const STATUS_MARK = {
  unavailable: 'unavail.',
  'n/a': 'n/a',
  skipped: 'skipped',
  mismatch: 'MISMATCH',
  error: 'error',
};

function cell(e) {
  if (!e) return '';
  if (e.ms) return `${fmtMs(e.ms.median)}${e.status === 'costref' ? '†' : ''}`;
  return STATUS_MARK[e.status] ?? e.status ?? '';
}

const num = (v) => (v === undefined || v === null ? '' : v >= 10 ? v.toFixed(1) : v.toFixed(2));
/** GFLOP/s of the fastest sample. */
export const bestGflops = (e) => (e?.ms && e.gflops ? (e.gflops * e.ms.median) / e.ms.min : undefined);
const PEAK_OF = { 'ours-relaxed': 'peak-relaxed', 'ours-simd': 'peak-simd', 'ours-scalar': 'peak-scalar' };
const peakBest = (g, peakId) => bestGflops(g.entries[peakId]);
/** The engine's peak: the best sample of a roofline kernel over the whole run. */
export function runPeaks(r) {
  const peaks = {};
  for (const g of r.groups) {
    for (const id of Object.keys(g.entries)) {
      const v = g.entries[id].status === 'peak' ? peakBest(g, id) : undefined;
      if (v && !(peaks[id] >= v)) peaks[id] = v;
    }
  }
  return peaks;
}
/** Best-with-best fraction of the matching roofline kernel ("ours-simd@24" → "peak-simd@24"). */
export function fractionOfPeak(peaks, g, id) {
  const base = id.split('@')[0];
  const suffix = id.includes('@') ? id.slice(id.indexOf('@')) : '';
  const peak = PEAK_OF[base] ? peaks[`${PEAK_OF[base]}${suffix}`] : undefined;
  const best = bestGflops(g.entries[id]);
  return peak && best ? best / peak : undefined;
}

export function renderMarkdown(r) {
  const L = [];
  const m = r.machine;
  const ids = Object.keys(r.implementations);
  const timedIds = ids.filter((id) => r.implementations[id].kind !== 'peak' && r.implementations[id].timed);
  const peakIds = ids.filter((id) => r.implementations[id].kind === 'peak');
  const flags = Object.entries(m.cpuFlags ?? {}).filter(([, v]) => v).map(([k]) => k).join(' ');

  L.push('# wasm-rnn benchmark results', '');
  L.push(`- date: ${m.date}; elapsed ${r.elapsedS} s`);
  L.push(`- command: \`${r.command}\``);
  L.push(`- machine: ${m.cpuModel}, ${m.logicalCores} logical cores${m.hypervisor ? ' (VM)' : ''}, ${m.memoryGiB} GiB; flags: ${flags}`);
  L.push(`- load average before / after: ${r.loadavg.before?.join(' ')} / ${r.loadavg.after?.join(' ')} (other processes share this machine: compare implementations within a run, not across runs)`);
  L.push(`- Node ${m.node} (V8 ${m.v8}) runs the suite; JS peers ran under: ${r.options.node.join(', ')}${r.options.browsers?.length ? `; in a browser page: ${r.options.browsers.join(', ')}` : ''}`);
  L.push(`- library: git ${m.git?.describe ?? '?'}${m.git?.dirty ? ' (work tree modified)' : ''}`);
  L.push(`- rounds per group: min ${r.options.rounds}, max ${r.options.maxRounds}, budget ${r.options.budgetS} s, samples ≈ ${r.options.sampleMs} ms; correctness tolerance ${r.options.tol} × max(1, max|ref|)`);
  L.push('');

  L.push('## Implementations', '');
  L.push('| id | what | versions / details | status |', '| --- | --- | --- | --- |');
  for (const id of ids) {
    const im = r.implementations[id];
    const info = im.info ?? {};
    const parts = [];
    for (const k of ['package', 'backendPackage', 'variant', 'torch', 'python', 'lane_impl', 'rustc', 'rustflags', 'backend', 'simd', 'threads', 'numThreads', 'intraOpNumThreads', 'kernel', 'chains', 'sgemm_256x768x64_gflops', 'mapped_blas', 'node']) {
      if (info[k] !== undefined) parts.push(`${k}: ${Array.isArray(info[k]) ? info[k].map((p) => p.split('/').pop()).join(', ') : info[k]}`);
    }
    L.push(`| ${id} | ${esc(im.label)} | ${esc(parts.join('; '))} | ${im.unavailable ? `unavailable: ${esc(im.unavailable)}` : im.timed ? 'timed' : 'helper'} |`);
  }
  L.push('');

  // ---- summary ----
  L.push('## Summary: median milliseconds per call', '');
  L.push('One call = infer: forward over the whole sequence; stream: one time step [1, B, I] with the state carried; train: forward + BPTT + all gradients. † = cost reference (a different function, not checked). Ratios: see the per-group tables.', '');
  L.push(`| cell | shape | mode | ${timedIds.join(' | ')} | ours best | wasm tax: best / native | best / native-host |`);
  L.push(`| --- | --- | --- | ${timedIds.map(() => '---:').join(' | ')} | --- | ---: | ---: |`);
  for (const g of r.groups) {
    const best = g.oursBest ? g.entries[g.oursBest] : null;
    const tax = (nid) => {
      const nat = g.entries[nid];
      return best && nat?.ms ? fmtX(best.ms.median / nat.ms.median) : '';
    };
    L.push(`| ${g.cell} | ${g.shape} | ${g.mode} | ${timedIds.map((id) => cell(g.entries[id])).join(' | ')} | ${g.oursBest ?? ''} | ${tax('native')} | ${tax('native-host')} |`);
  }
  L.push('');

  L.push('## Summary: speedup of our best variant over each peer (peer median / ours-best median, same run)', '');
  const peerIds = timedIds.filter((id) => r.implementations[id].kind !== 'ours');
  L.push(`| cell | shape | mode | ours best | ${peerIds.join(' | ')} |`);
  L.push(`| --- | --- | --- | --- | ${peerIds.map(() => '---:').join(' | ')} |`);
  for (const g of r.groups) {
    L.push(`| ${g.cell} | ${g.shape} | ${g.mode} | ${g.oursBest ?? ''} | ${peerIds.map((id) => (g.entries[id]?.ms ? fmtX(g.entries[id].oursBestSpeedup) + (g.entries[id].status === 'costref' ? '†' : '') : cell(g.entries[id]))).join(' | ')} |`);
  }
  L.push('');

  // With several runtimes (--node a,b, --browser): each runtime's best variant against the peers
  // of the same runtime (and the runtime-free ones: PyTorch, native), e.g. ours@chromium vs ort-web@chromium.
  const suffixOf = (id) => (id.includes('@') ? id.slice(id.indexOf('@') + 1) : null);
  const runtimesSeen = [...new Set(timedIds.map(suffixOf).filter(Boolean))];
  if (runtimesSeen.length > 1) {
    const baseOf = (id) => id.split('@')[0];
    const peerBases = [...new Set(peerIds.filter((id) => r.implementations[id].kind === 'peer' || r.implementations[id].kind === 'native').map(baseOf))];
    L.push('## Per runtime: speedup of our best variant in each runtime over the peers (peer median / ours median, same run)', '');
    L.push('Peers of another runtime are not compared; PyTorch and the native lines have no runtime and appear in every row.', '');
    L.push(`| cell | shape | mode | runtime | ours best there | ${peerBases.join(' | ')} |`);
    L.push(`| --- | --- | --- | --- | --- | ${peerBases.map(() => '---:').join(' | ')} |`);
    for (const g of r.groups) {
      for (const rt of runtimesSeen) {
        const ours = Object.entries(g.entries).filter(([id, e]) => r.implementations[id]?.kind === 'ours' && suffixOf(id) === rt && e.ms);
        const best = ours.reduce((b, x) => (!b || x[1].ms.median < b[1].ms.median ? x : b), null);
        if (!best) continue;
        const cells = peerBases.map((base) => {
          const e = g.entries[`${base}@${rt}`] ?? g.entries[base];
          if (!e?.ms) return cell(e);
          return fmtX(e.ms.median / best[1].ms.median) + (e.status === 'costref' ? '†' : '');
        });
        L.push(`| ${g.cell} | ${g.shape} | ${g.mode} | ${rt} | ${best[0]} | ${cells.join(' | ')} |`);
      }
    }
    L.push('');
  }

  const poolIds = timedIds.filter((id) => r.implementations[id].kind === 'pool');
  if (poolIds.length) {
    const workers = r.options?.workers;
    L.push(`## Worker pool: speed-up of ${workers} workers over one thread (same variant, same run)`, '');
    L.push(`ours-V median / pool-V median (> 1: the pool is faster). The pool splits the batch across ${workers} worker threads, each with its own wasm instance; the parameter gradients of a training step are summed on the calling thread.`, '');
    L.push(`| cell | shape | mode | ${poolIds.map((id) => `${id} vs ${id.replace(/^pool-/, 'ours-')}`).join(' | ')} |`);
    L.push(`| --- | --- | --- | ${poolIds.map(() => '---:').join(' | ')} |`);
    for (const g of r.groups) {
      const cells = poolIds.map((id) => {
        const single = g.entries[id.replace(/^pool-/, 'ours-')];
        const pooled = g.entries[id];
        return single?.ms && pooled?.ms ? fmtX(single.ms.median / pooled.ms.median) : cell(pooled);
      });
      L.push(`| ${g.cell} | ${g.shape} | ${g.mode} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }

  if (peakIds.length) {
    L.push('## Roofline: wasm peak GFLOP/s and the fraction of it our variants reach', '');
    const rp = runPeaks(r);
    L.push(`Engine peak (best roofline sample of the whole run): ${peakIds.map((p) => `${p} ${num(rp[p])} GFLOP/s`).join(', ')}. The per-group columns are each group's best peak sample (rounds are few in slow groups, so these vary). "best" of a variant is its fastest sample; "% peak" = best / engine peak of the same instruction set (relaxed → relaxed_madd, simd → mul+add, scalar → f32). Best-with-best because other processes only ever slow a sample down.`, '');
    const ourIds = timedIds.filter((id) => r.implementations[id].kind === 'ours');
    L.push(`| cell | shape | mode | ${peakIds.map((p) => `${p}`).join(' | ')} | ${ourIds.map((o) => `${o} median / best (% peak)`).join(' | ')} |`);
    L.push(`| --- | --- | --- | ${peakIds.map(() => '---:').join(' | ')} | ${ourIds.map(() => '---:').join(' | ')} |`);
    for (const g of r.groups) {
      L.push(`| ${g.cell} | ${g.shape} | ${g.mode} | ${peakIds.map((p) => num(peakBest(g, p))).join(' | ')} | ${ourIds.map((o) => (g.entries[o]?.ms ? `${num(g.entries[o].gflops)} / ${num(bestGflops(g.entries[o]))} (${pct(fractionOfPeak(rp, g, o))})` : '')).join(' | ')} |`);
    }
    L.push('');
  }

  // ---- details ----
  L.push('## Per group', '');
  L.push('Columns: median / p25–p75 / min–max of the per-call time over the rounds (ms); n = rounds × calls per timed sample; GFLOP/s at the median (forward 2·(I+H)·G·H per step and batch row, training 3× that); % peak = the fastest sample\'s GFLOP/s over the engine peak of the same instruction set (see Roofline); ×ours = this row\'s median / that variant\'s median (> 1: ours is faster); check = worst max|diff| as a fraction of the tolerance.', '');
  const peaks = runPeaks(r);
  for (const g of r.groups) {
    const ourIds = Object.keys(g.entries).filter((id) => r.implementations[id]?.kind === 'ours' && g.entries[id].ms);
    L.push(`### ${g.cell} ${g.shape} (B ${g.batch}, T ${g.seq}, I ${g.input}, H ${g.hidden}) ${g.mode}`, '');
    L.push(`reference: ${g.reference ?? 'none'}; ${g.rounds ?? 0} rounds in ${g.timingSeconds ?? 0} s; ${(g.flopsPerCall / 1e6).toPrecision(4)} MFLOP per call`, '');
    L.push(`| impl | status | median ms | p25–p75 | min–max | n | GFLOP/s | % peak | ×ours best | ${ourIds.map((o) => `×${o}`).join(' | ')} | check |`);
    L.push(`| --- | --- | ---: | --- | --- | --- | ---: | ---: | ---: | ${ourIds.map(() => '---:').join(' | ')} | --- |`);
    for (const [id, e] of Object.entries(g.entries)) {
      const ms = e.ms;
      const check = e.check ? `${e.check.worstFractionOfLimit} vs ${e.check.against}` : '';
      L.push(
        `| ${id} | ${e.status}${e.status === 'costref' ? ' †' : ''} | ${ms ? fmtMs(ms.median) : ''} | ${ms ? `${fmtMs(ms.p25)}–${fmtMs(ms.p75)}` : ''} | ${ms ? `${fmtMs(ms.min)}–${fmtMs(ms.max)}` : ''} | ${ms ? `${ms.n}×${e.itersPerSample}` : ''} | ${e.gflops ?? ''} | ${pct(fractionOfPeak(peaks, g, id))} | ${e.status === 'peak' ? '' : fmtX(e.oursBestSpeedup)} | ${ourIds.map((o) => (e.status === 'peak' ? '' : fmtX(e.oursSpeedup?.[o]))).join(' | ')} | ${check} |`,
      );
    }
    L.push('');
  }

  // ---- notes ----
  const notes = new Map();
  for (const g of r.groups) {
    for (const [id, e] of Object.entries(g.entries)) {
      if (!e.reason) continue;
      const key = `${id}: ${e.status}: ${e.reason}`;
      if (!notes.has(key)) notes.set(key, []);
      notes.get(key).push(`${g.cell} ${g.shape} ${g.mode}`);
    }
  }
  if (notes.size) {
    L.push('## Not timed, cost references and why', '');
    for (const [k, where] of notes) L.push(`- ${esc(k)} — ${where.length > 6 ? `${where.length} groups` : where.join(', ')}`);
    L.push('');
  }
  return `${L.join('\n')}\n`;
}
