// Node's side of the comparison: the same scenario (app/scenario.js) with the packed package's
// default build (export condition node → dist/index.js) and the variant the page picked.
// Prints the result as one JSON line.   node [--experimental-wasm-relaxed-simd] node-reference.mjs <variant>
import * as lib from 'wasm-rnn';
import { scenario } from './app/scenario.js';

const variant = process.argv[2];
console.log(JSON.stringify(await scenario(lib, { variant })));
