/**
 * Guards what the per-variant vitest projects claim (vitest.config.ts, test/setup.ts): each
 * project really runs its wasm build, under the Node scripts/test-runtimes.sh asked for, and
 * from Node 22 on the relaxed build runs without --experimental-wasm-relaxed-simd.
 * (Runs in every vitest run, the plain `npm test` one under the system Node included.)
 */
import { describe, expect, it } from 'vitest';
import { detectFeatures } from '../../ts/backend/features';
import { loadedVariant } from '../../ts/index';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const major = Number(process.versions.node.split('.')[0]);
const variant = process.env.WASM_RNN_VARIANT;

describe(`runtime: node ${process.versions.node}, project ${variant}`, () => {
  it('the loaded wasm build is the project’s variant', () => {
    expect(variant, 'WASM_RNN_VARIANT (set by vitest.config.ts)').toMatch(/^(relaxed|simd|scalar)$/);
    expect(loadedVariant()).toBe(variant);
  });

  it('runs under the Node that scripts/test-runtimes.sh asked for', () => {
    const wanted = process.env.WASM_RNN_EXPECT_NODE;
    if (wanted) expect(process.versions.node).toBe(wanted);
  });

  it('relaxed SIMD needs a flag only before Node 22', () => {
    const flagged = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes(RELAXED_FLAG);
    if (major >= 22) {
      expect(flagged, `${RELAXED_FLAG} on Node ${process.versions.node}`).toBe(false);
      expect(detectFeatures().relaxedSimd).toBe(true);
    } else if (variant === 'relaxed') {
      expect(flagged).toBe(true);
    } else {
      expect(flagged).toBe(false);
    }
  });
});
