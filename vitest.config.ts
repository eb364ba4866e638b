import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { detectFeatures } from './ts/backend/features';

const VARIANTS = ['relaxed', 'simd', 'scalar'] as const;

// Node 20 (V8 11.3) ships relaxed SIMD behind a flag; Node 22+ has it on by default, and
// there the flag is not needed. Passed to the forked test workers only.
const RELAXED_FLAGS = detectFeatures().relaxedSimd ? [] : ['--experimental-wasm-relaxed-simd'];

/**
 * The whole suite runs once per wasm build: one vitest project per variant, each with
 * WASM_RNN_VARIANT set, which test/setup.ts passes to `init()` (forcing that variant, so an
 * engine that cannot run it fails loudly instead of silently falling back).
 */
export default defineConfig({
  // The importers import the library by its package name (ts/interop/keras/core.ts), and
  // Sequential.toOnnx the ONNX entry by its name: the sources under test, not a built dist/.
  resolve: {
    alias: [
      { find: /^wasm-rnn$/, replacement: fileURLToPath(new URL('./ts/index.ts', import.meta.url)) },
      { find: /^wasm-rnn\/onnx$/, replacement: fileURLToPath(new URL('./ts/interop/onnx/index.ts', import.meta.url)) },
    ],
  },
  test: {
    projects: VARIANTS.map((variant) => ({
      extends: true,
      test: {
        name: variant,
        include: ['test/**/*.test.ts'],
        env: { WASM_RNN_VARIANT: variant },
        setupFiles: ['./test/setup.ts'],
        pool: 'forks',
        execArgv: variant === 'relaxed' ? RELAXED_FLAGS : [],
        testTimeout: 60_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
