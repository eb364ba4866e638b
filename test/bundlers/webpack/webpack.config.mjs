// webpack 5: no configuration beyond entry and output (the worker and the .wasm files are
// found through new Worker(new URL(…)) and new URL(…, import.meta.url) in the package).
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  target: 'web',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: '../app/page.js',
  output: { path: fileURLToPath(new URL('dist/', import.meta.url)), filename: 'main.js', clean: true },
  performance: { hints: false },
};
