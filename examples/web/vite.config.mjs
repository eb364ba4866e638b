// The demo page: Vite with `wasm-rnn` pointing at this checkout's build (from `npm run build`),
// the entries an app installed from npm gets under the `browser` condition: dist/browser.js
// references its .wasm files and worker with new URL(…, import.meta.url).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dist = (file) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    // Exact matches: the library itself imports 'wasm-rnn/onnx' (lazily, for toOnnx()).
    alias: [
      { find: /^wasm-rnn$/, replacement: dist('browser.js') },
      { find: /^wasm-rnn\/onnx$/, replacement: dist('onnx.js') },
    ],
  },
  // The training worker imports modules: build it as an ES module worker.
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
