import { readFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

/**
 * ts/backend/wasm-url.ts locates the .wasm files relative to itself ('../generated/<variant>/…',
 * i.e. ts/generated/). In the package the bundle is dist/index.{js,cjs} and
 * scripts/copy-wasm.mjs puts the binaries in dist/generated/, so while bundling that one file
 * gets './generated/…' instead. Rewriting the literal (rather than a runtime switch) keeps
 * `new URL('<literal>', import.meta.url)` intact for bundlers that emit the .wasm as an asset,
 * and leaves no dead '../generated' reference in dist for them to trip over.
 */
const distWasmUrls = {
  name: 'wasm-rnn-dist-wasm-urls',
  setup(build: { onLoad: (options: { filter: RegExp }, callback: (args: { path: string }) => Promise<{ contents: string; loader: 'ts' }>) => void }) {
    build.onLoad({ filter: /[\\/]ts[\\/]backend[\\/]wasm-url\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replaceAll("'../generated/", "'./generated/");
      if (contents === source) throw new Error(`${path}: no '../generated/ URL to rewrite`);
      return { contents, loader: 'ts' };
    });
  },
};

export default defineConfig({
  // worker.js: the entry of WorkerPool's workers (resolved next to the bundle at run time).
  entry: { index: 'ts/index.ts', worker: 'ts/parallel/worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'es2022',
  // The package runs in browsers, workers, Node, Deno and Bun: assume no platform, but leave
  // node: builtins (only imported lazily, in Node-like runtimes) to the runtime.
  platform: 'neutral',
  external: [/^node:/],
  // import.meta.url in the CommonJS build (tsup rewrites it from __filename).
  shims: true,
  clean: true,
  splitting: false,
  sourcemap: false,
  esbuildPlugins: [distWasmUrls],
});
