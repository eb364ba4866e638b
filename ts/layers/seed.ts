/**
 * The library-wide seed sequence for layers created without `seed` (like PyTorch's global
 * generator): deterministic per process, reset with {@link manualSeed}.
 */
let state = 0x2545f491;

/** Resets the sequence that gives layers created without `seed` their seeds. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new TypeError(`manualSeed: seed must be an integer, got ${seed}`);
  state = seed >>> 0;
}

/** The next seed (a 32-bit xorshift step, so consecutive layers get unrelated streams). */
export function nextDefaultSeed(): number {
  let x = state || 0x9e3779b9;
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  state = x >>> 0;
  return state;
}
