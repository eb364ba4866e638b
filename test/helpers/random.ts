/**
 * A small seeded PRNG for reproducible random test cases.
 *
 * mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit state word, full period 2^32,
 * passes gjrand/PractRand far enough for test data. Every test that draws random numbers
 * prints (or puts in its test name) the seed it used, so a failure can be replayed with
 * `new Rng(seed)`.
 */
import { type Tensor, tensor } from '../../ts/index';
import { mulberry32 } from '../../ts/model/random';

// The library's own generator (fit's shuffling): one implementation for both.
export { mulberry32 };

/** Convenience wrapper over {@link mulberry32}. */
export class Rng {
  readonly seed: number;
  readonly #next: () => number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#next = mulberry32(this.seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.#next();
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#next() * (hi - lo + 1));
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.#next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)]!;
  }

  /** A 32-bit integer, e.g. to seed a layer. */
  u32(): number {
    return Math.floor(this.#next() * 4294967296) >>> 0;
  }

  /** Float32Array of n values uniform in [lo, hi). */
  floats(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** A tensor of the given shape with entries uniform in [lo, hi). */
  tensor(shape: readonly number[], lo = -1, hi = 1): Tensor {
    return tensor(this.floats(shape.reduce((a, b) => a * b, 1), lo, hi), shape);
  }

  /** min(k, n) distinct indices of [0, n), in increasing order (partial Fisher–Yates). */
  sample(n: number, k: number): number[] {
    const idx = Array.from({ length: n }, (_, i) => i);
    const m = Math.min(k, n);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(this.#next() * (n - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, m).sort((a, b) => a - b);
  }
}

/** The product of a shape's dimensions. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A deep copy of a tensor (fresh Float32Array). */
export function cloneTensor(t: Tensor): Tensor {
  return tensor(new Float32Array(t.data), t.shape);
}
