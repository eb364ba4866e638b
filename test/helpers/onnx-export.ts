// Inputs and the comparison of the ONNX export tests (test/interop-onnx-export*.test.ts).

/** Uniform in [-scale, scale), seeded (an LCG: the same inputs on every run). */
export function uniform(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** max |got − want| / max(1, max |want|). */
export function scaledDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1;
  let diff = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
  return diff / scale;
}
