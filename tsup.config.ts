import { readFile, rm } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';

type OnLoad = (options: { filter: RegExp }, callback: (args: { path: string }) => Promise<{ contents: string; loader: 'ts' }>) => void;

/**
 * ts/backend/wasm-url.ts locates the .wasm files relative to itself ('../generated/<variant>/…',
 * i.e. ts/generated/). In the package every bundle (dist/index.{js,cjs}, dist/worker.js,
 * dist/browser.js, dist/browser-worker.js) lies in dist/ and scripts/copy-wasm.mjs puts the
 * binaries in dist/generated/, so while bundling that one file gets './generated/…' instead.
 * Rewriting the literal (rather than a runtime switch) keeps `new URL('<literal>',
 * import.meta.url)` intact for bundlers that emit the .wasm as an asset of the app, and leaves
 * no dead '../generated' reference in dist for them to trip over.
 */
const distWasmUrls = {
  name: 'wasm-rnn-dist-wasm-urls',
  setup(build: { onLoad: OnLoad }) {
    build.onLoad({ filter: /[\\/]ts[\\/]backend[\\/]wasm-url\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replaceAll("'../generated/", "'./generated/");
      if (contents === source) throw new Error(`${path}: no '../generated/ URL to rewrite`);
      return { contents, loader: 'ts' };
    });
  },
};

/** The browser build: ts/backend/host.ts is replaced by host.browser.ts (no Node built-ins). */
const browserHost = {
  name: 'wasm-rnn-browser-host',
  setup(build: { onLoad: OnLoad }) {
    build.onLoad({ filter: /[\\/]ts[\\/]backend[\\/]host\.ts$/ }, async ({ path }) => ({
      contents: await readFile(path.replace(/host\.ts$/, 'host.browser.ts'), 'utf8'),
      loader: 'ts',
    }));
  },
};

const common: Options = {
  target: 'es2022',
  // The package runs in browsers, workers, Node, Deno and Bun: assume no platform, but leave
  // node: builtins (only imported lazily, in Node-like runtimes) to the runtime.
  platform: 'neutral',
  external: [/^node:/],
  // tsup's shim turns import.meta.url into `new URL(\`file:${__filename}\`)`, which breaks on
  // paths with '#' or '%': the CommonJS build gets its own (see cjs-import-meta-url.ts).
  shims: false,
  clean: false,
  splitting: false,
  sourcemap: false,
};

export default defineConfig(async (): Promise<Options[]> => {
  // The configurations below build in parallel into dist/: clean it once, before all of them.
  await rm('dist', { recursive: true, force: true });
  return [
    {
      // The default build (export conditions node, import, require, default): Node, Deno, Bun,
      // workerd, and browsers that load dist/index.js unbundled.
      ...common,
      entry: { index: 'ts/index.ts' },
      format: ['esm', 'cjs'],
      dts: { compilerOptions: { stripInternal: true } },
      esbuildPlugins: [distWasmUrls],
      esbuildOptions(options, { format }) {
        if (format !== 'cjs') return;
        options.define = { ...options.define, 'import.meta.url': 'importMetaUrl' };
        options.inject = [...(options.inject ?? []), 'ts/backend/cjs-import-meta-url.ts'];
      },
    },
    {
      // WorkerPool's worker for the default build: module workers and worker_threads load ESM
      // (package.json has "type": "module"), from the ESM and the CommonJS build alike.
      ...common,
      entry: { worker: 'ts/parallel/worker.ts' },
      format: ['esm'],
      esbuildPlugins: [distWasmUrls],
    },
    {
      // The browser build (export condition browser): no Node built-in anywhere; its worker is
      // referenced as new Worker(new URL('./browser-worker.js', import.meta.url), …).
      ...common,
      entry: { browser: 'ts/index.ts', 'browser-worker': 'ts/parallel/worker.ts' },
      format: ['esm'],
      platform: 'browser',
      esbuildPlugins: [distWasmUrls, browserHost],
    },
    {
      // wasm-rnn/keras: the Keras importer with its zip and HDF5 readers (dependencies, left
      // external). It imports the library as 'wasm-rnn' (ts/interop/keras/core.ts), so it shares
      // the app's instance of whichever build the app's conditions select.
      ...common,
      entry: { keras: 'ts/interop/keras/index.ts' },
      format: ['esm', 'cjs'],
      dts: { compilerOptions: { stripInternal: true } },
      external: [/^node:/, 'wasm-rnn', 'fflate', 'jsfive'],
    },
    {
      // wasm-rnn/onnx: the ONNX graph interpreter with its protobuf runtime (a dependency, left
      // external); it imports the library as 'wasm-rnn' (ts/interop/onnx/core.ts), as keras does.
      ...common,
      entry: { onnx: 'ts/interop/onnx/index.ts' },
      format: ['esm', 'cjs'],
      dts: { compilerOptions: { stripInternal: true } },
      external: [/^node:/, 'wasm-rnn', /^@bufbuild\/protobuf/],
    },
  ];
});
