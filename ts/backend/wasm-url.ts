import type { Variant } from './variant';

/**
 * Where each variant's .wasm lies relative to the running module, for when `init()` is given
 * no `wasm` option.
 *
 * The paths are written relative to this source file (ts/backend/ → ts/generated/). The
 * published bundle is dist/index.js with the binaries copied to dist/generated/, so
 * tsup.config.ts rewrites `'../generated/` to `'./generated/` in this one file while bundling
 * (and scripts/copy-wasm.mjs checks the result). The URLs stay string literals in
 * `new URL(literal, import.meta.url)` form on purpose: that is the pattern bundlers (Vite,
 * webpack, esbuild, Parcel) recognise to emit the .wasm as an asset of the app.
 */
export function defaultWasmUrl(variant: Variant): URL {
  switch (variant) {
    case 'relaxed':
      return new URL('../generated/relaxed/wasm_rnn_bg.wasm', import.meta.url);
    case 'simd':
      return new URL('../generated/simd/wasm_rnn_bg.wasm', import.meta.url);
    case 'scalar':
      return new URL('../generated/scalar/wasm_rnn_bg.wasm', import.meta.url);
  }
}
