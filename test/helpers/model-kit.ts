/**
 * Shared pieces of test/model.test.ts and test/model-file.test.ts: seeded data, comparisons
 * and error assertions for the Sequential API.
 */
import { expect } from 'vitest';
import type { WasmRnnErrorCode } from '../../ts/errors';
import { type Sequential, type Tensor, WasmRnnError, tensor } from '../../ts/index';
import { Rng } from './random';

export type Ids = { data: Int32Array; shape: number[] };

/** Largest |a[i] − b[i]| (Infinity on a length mismatch, NaN-aware: NaN vs non-NaN is Infinity). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
      continue;
    }
    m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

/** Bit-for-bit equality of two Float32Arrays (NaN payloads included), as a readable assertion. */
export function expectBitEqual(actual: Float32Array, expected: Float32Array, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) expect.fail(`${what}: first difference at ${i}: ${actual[i]} vs ${expected[i]} (max |diff| ${maxAbsDiff(actual, expected)})`);
  }
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'values'): void {
  const d = maxAbsDiff(actual, expected);
  expect(d, `${what}: max |diff| ${d} > ${tol}`).toBeLessThanOrEqual(tol);
}

/** `f()` throws a WasmRnnError with `code` (and nothing else); returns it. */
export function expectCode(f: () => unknown, code: WasmRnnErrorCode, message?: RegExp): WasmRnnError {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) expect.fail(`expected a WasmRnnError ${code}, but nothing was thrown`);
  if (!(thrown instanceof WasmRnnError)) expect.fail(`expected a WasmRnnError ${code}, got ${String(thrown)}`);
  expect(thrown.code, thrown.message).toBe(code);
  if (message) expect(thrown.message).toMatch(message);
  return thrown;
}

/** The promise rejects with a WasmRnnError with `code`; returns it. */
export async function expectRejectCode(p: Promise<unknown>, code: WasmRnnErrorCode, message?: RegExp): Promise<WasmRnnError> {
  let thrown: unknown;
  let resolved = false;
  try {
    await p;
    resolved = true;
  } catch (e) {
    thrown = e;
  }
  if (resolved) expect.fail(`expected a rejection with WasmRnnError ${code}, but the promise resolved`);
  if (!(thrown instanceof WasmRnnError)) expect.fail(`expected a WasmRnnError ${code}, got ${String(thrown)}`);
  expect(thrown.code, thrown.message).toBe(code);
  if (message) expect(thrown.message).toMatch(message);
  return thrown;
}

/** Float features [T, N, F] uniform in [−1, 1). */
export function features(seed: number, shape: [number, number, number] | number[], lo = -1, hi = 1): Tensor {
  return new Rng(seed).tensor(shape, lo, hi);
}

/** Int32 ids in 0..vocab−1 of the given shape. */
export function ids(seed: number, shape: number[], vocab: number): Ids {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.int(0, vocab - 1);
  return tensor(data, shape) as Ids;
}

/** Time steps t of [T, …] (a copy). */
export function stepOf<T extends { data: Float32Array | Int32Array; shape: number[] }>(x: T, t: number): T {
  const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = x.data.slice(t * per, (t + 1) * per);
  return { data, shape: x.shape.slice(1) } as T;
}

/** Time steps [s, e) of [T, …] (a copy). */
export function stepsOf<T extends { data: Float32Array | Int32Array; shape: number[] }>(x: T, s: number, e: number): T {
  const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: x.data.slice(s * per, e * per), shape: [e - s, ...x.shape.slice(1)] } as T;
}

/** Samples [s, e) along axis 1 of [T, N, …] (a copy), as fit's mini-batches take them. */
export function samplesOf<T extends { data: Float32Array | Int32Array; shape: number[] }>(x: T, s: number, e: number, axis: 0 | 1 = 1): T {
  const shape = [...x.shape];
  const outer = axis === 0 ? 1 : shape[0]!;
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const Ctor = x.data.constructor as new (n: number) => Float32Array | Int32Array;
  const out = new Ctor(outer * (e - s) * inner);
  for (let o = 0; o < outer; o++) out.set(x.data.subarray((o * n + s) * inner, (o * n + e) * inner), o * (e - s) * inner);
  shape[axis] = e - s;
  return { data: out, shape } as T;
}

/** A state dict copy (fresh arrays). */
export function cloneDict(d: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, tensor(new Float32Array(v.data), v.shape)]));
}

/** Runs `model.step` over every step of x from `state` (zeros by default); returns the outputs [T, B, F] and the last state. */
export function stepThrough(model: Sequential, x: { data: Float32Array | Int32Array; shape: number[] }, state = model.initialState(x.shape[1]!)) {
  const T = x.shape[0]!;
  const outs: Float32Array[] = [];
  let s = state;
  for (let t = 0; t < T; t++) {
    const r = model.step(stepOf(x, t) as never, s);
    outs.push(r.output.data);
    s = r.state;
  }
  const width = outs[0]!.length;
  const all = new Float32Array(T * width);
  outs.forEach((o, t) => all.set(o, t * width));
  return { output: all, state: s };
}
