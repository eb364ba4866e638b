// The comparison every parity test uses: errors relative to the reference's magnitude.
import { expect } from 'vitest';

/**
 * The worst |actual − expected| / max(1, max |expected|) and its flat index. A length mismatch or
 * a NaN anywhere is the worst error there is (Infinity), so no later value can hide it.
 */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; at: number } {
  if (actual.length !== expected.length) return { error: Infinity, at: -1 };
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let error = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!) / scale;
    if (Number.isNaN(e)) return { error: Infinity, at: i };
    if (e > error) [error, at] = [e, i];
  }
  return { error, at };
}

/** max |actual − expected| / max(1, max |expected|) (Infinity on a NaN or a length mismatch). */
export function scaledDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  return scaledError(actual, expected).error;
}

/** Expects the scaled error within `tol`, naming `what` and the worst element when it is not. */
export function expectScaledClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const { error, at } = scaledError(actual, expected);
  expect(error, `${what}: worst scaled error at flat index ${at} (${actual[at]} vs ${expected[at]})`).toBeLessThanOrEqual(tol);
}
