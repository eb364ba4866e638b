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

export { scaledDiff } from './compare';
