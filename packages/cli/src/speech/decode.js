/**
 * CTC decoding of per-frame logits [T, C] (class 0 = blank): greedy (best class per frame,
 * merge repeats, drop blanks) and a small prefix beam search (Hannun et al. 2014, no language
 * model), and the digit error rate's edit distance.
 */
import { BLANK } from './connected.js';

/** Log-softmax of each frame's C logits (row-major [T, C]). */
function logSoftmax(logits, T, C) {
  const out = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[t * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits[t * C + c] - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < C; c++) out[t * C + c] = logits[t * C + c] - lse;
  }
  return out;
}

/** Greedy decoding: labels (without the blank's shift: class c → c − 1). */
export function greedy(logits, T, C) {
  const out = [];
  let prev = BLANK;
  for (let t = 0; t < T; t++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (logits[t * C + c] > logits[t * C + best]) best = c;
    if (best !== BLANK && best !== prev) out.push(best - 1);
    prev = best;
  }
  return out;
}

const logAdd = (a, b) => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/** Prefix beam search keeping `width` prefixes, each with P(ends in blank) and P(ends in its last label). */
export function beamSearch(logits, T, C, width = 8) {
  const lp = logSoftmax(logits, T, C);
  let beams = new Map([['', { prefix: [], blank: 0, label: -Infinity }]]);
  for (let t = 0; t < T; t++) {
    const next = new Map();
    const entry = (prefix) => {
      const key = prefix.join(',');
      let e = next.get(key);
      if (!e) next.set(key, (e = { prefix, blank: -Infinity, label: -Infinity }));
      return e;
    };
    for (const b of beams.values()) {
      const total = logAdd(b.blank, b.label);
      const stay = entry(b.prefix);
      stay.blank = logAdd(stay.blank, total + lp[t * C + BLANK]);
      const last = b.prefix.length ? b.prefix[b.prefix.length - 1] : -1;
      for (let c = 1; c < C; c++) {
        const p = lp[t * C + c];
        if (c === last) {
          // Repeating the last label without a blank between extends nothing…
          stay.label = logAdd(stay.label, b.label + p);
          // …after a blank it is a new occurrence.
          const e = entry([...b.prefix, c]);
          e.label = logAdd(e.label, b.blank + p);
        } else {
          const e = entry([...b.prefix, c]);
          e.label = logAdd(e.label, total + p);
        }
      }
    }
    beams = new Map([...next.entries()].sort((a, b) => logAdd(b[1].blank, b[1].label) - logAdd(a[1].blank, a[1].label)).slice(0, width));
  }
  const best = beams.values().next().value;
  return best.prefix.map((c) => c - 1);
}

/** Levenshtein distance between two label sequences. */
export function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

/** Logits [T, B, C] of a batch → per utterance its own [T_b, C] rows (row-major). */
export function perUtterance(logits, T, B, C, lengths) {
  return Array.from({ length: B }, (_, b) => {
    const out = new Float32Array(lengths[b] * C);
    for (let t = 0; t < lengths[b]; t++) out.set(logits.subarray((t * B + b) * C, (t * B + b + 1) * C), t * C);
    return out;
  });
}
