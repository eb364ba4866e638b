// Rollup: resolving packages at all needs @rollup/plugin-node-resolve (here with the `browser`
// export condition), and Rollup emits files referenced as new URL('./x', import.meta.url) only
// with a plugin: the one line of configuration the README documents is importMetaAssets().
// The worker is emitted as such an asset; it gets the compiled .wasm from the page (WorkerPool
// hands its module over), so it needs no bundling of its own.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';

export default {
  input: new URL('../app/page.js', import.meta.url).pathname,
  output: { dir: new URL('dist/', import.meta.url).pathname, format: 'es', entryFileNames: 'main.js' },
  plugins: [nodeResolve({ browser: true }), importMetaAssets()],
};
