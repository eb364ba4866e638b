// The entry every bundler builds: runs the scenario with the package's browser build and
// publishes the result (or the error) as window.__result for test/bundlers/run.mjs.
// (No top-level await: the app must not need a bundler option for it.)
import * as lib from 'wasm-rnn';
import { scenario } from './scenario.js';

scenario(lib).then(
  (result) => ({ ok: true, ...result }),
  (error) => ({ ok: false, error: String(error?.stack ?? error) }),
).then((result) => {
  window.__result = result;
  document.body.textContent = JSON.stringify(result).slice(0, 200);
});
