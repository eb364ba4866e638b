// Order statistics of a sample (linear interpolation between closest ranks).
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    min: s[0],
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    max: s[s.length - 1],
  };
}

/** Max |a − b| over the common length, and max |ref|. */
export function compareArrays(ref, got) {
  if (ref.length !== got.length) return { lengthMismatch: `${got.length} values, expected ${ref.length}` };
  let maxAbsDiff = 0;
  let maxAbsRef = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Infinity : d;
    const r = Math.abs(ref[i]);
    if (r > maxAbsRef) maxAbsRef = r;
  }
  return { maxAbsDiff, maxAbsRef };
}
