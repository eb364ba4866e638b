// PLACEHOLDER (to be replaced by the real quickstart): loads the built package from dist/
// and reports which wasm build this engine runs.
import { init } from '../dist/index.js';

const { variant } = await init();
console.log(`wasm-rnn loaded the "${variant}" build`);
