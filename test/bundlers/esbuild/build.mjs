// esbuild: bundles the app with no option beyond --bundle/--format/--platform. esbuild does not
// emit files referenced as new URL('./x', import.meta.url) (evanw/esbuild#795), so the one line
// of configuration the README documents copies the package's .wasm files and its worker next to
// the bundle, where the bundled code looks for them:
//   cp -R node_modules/wasm-rnn/dist/generated node_modules/wasm-rnn/dist/browser-worker.js out/
import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const here = new URL('./', import.meta.url);
const out = new URL('dist/', here);
const pkg = new URL('../node_modules/wasm-rnn/dist/', here);
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../app/page.js', here).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: new URL('main.js', out).pathname,
  logLevel: 'warning',
});
// The documented line.
await cp(new URL('generated', pkg), new URL('generated', out), { recursive: true });
await cp(new URL('browser-worker.js', pkg), new URL('browser-worker.js', out));
await cp(new URL('../app/index.html', here), new URL('index.html', out));
