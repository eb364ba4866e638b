#!/usr/bin/env node
// Runs one Rust test binary built for wasm32-wasip1 (a libtest harness) under node:wasi.
// Used by scripts/test-wasm-kernels.sh, both directly and as cargo's target runner:
//
//   node scripts/wasi-test-runner.mjs path/to/test.wasm [libtest args...]
//
// The module gets the libtest arguments (argv[0] is the file name), the environment variables
// RUST_BACKTRACE / RUST_TEST_* / WASM_RNN_* and no file system. Exit status: the module's
// own (libtest exits 101 when a test fails); a trap (an `unreachable` after a panic that did not
// unwind, an out-of-bounds access, a stack overflow) prints the error and exits 134, so a crash
// always counts as a failure even though libtest could not print its summary.
//
// Relaxed SIMD: Node 20 (V8 11.3) has it behind --experimental-wasm-relaxed-simd, Node 22+ on
// by default. When the module does not compile and the engine lacks relaxed SIMD, the runner
// turns the V8 flag on (v8.setFlagsFromString, before compiling) and tries again.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setFlagsFromString } from 'node:v8';

// Loading node:wasi prints "ExperimentalWarning: WASI is an experimental feature" (Node 20-24):
// noise in every test binary's output, so that one warning is dropped.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (!/WASI is an experimental feature/.test(String(warning?.message ?? warning))) emitWarning.call(this, warning, ...rest);
};
const { WASI } = await import('node:wasi');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node wasi-test-runner.mjs <test.wasm> [libtest args...]');
  process.exit(2);
}

// (module (func (result v128) v128.const i64x2 0 0 v128.const i64x2 0 0 v128.const i64x2 0 0
//   f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 133, 2, 11,
]);

const bytes = await readFile(file);
let module;
try {
  module = await WebAssembly.compile(bytes);
} catch (err) {
  if (!(err instanceof WebAssembly.CompileError) || WebAssembly.validate(RELAXED_PROBE)) throw err;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  if (!WebAssembly.validate(RELAXED_PROBE)) throw err;
  module = await WebAssembly.compile(bytes);
}

const env = {};
for (const [k, v] of Object.entries(process.env)) {
  if (/^(RUST_BACKTRACE|RUST_TEST_.*|WASM_RNN_.*)$/.test(k)) env[k] = v;
}
const wasi = new WASI({ version: 'preview1', args: [basename(file), ...args], env, returnOnExit: true });
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });

let code;
try {
  code = wasi.start(instance); // returns the exit code given to proc_exit, or 0 when main returns
} catch (err) {
  console.error(`wasi-test-runner: ${basename(file)} trapped: ${err && err.stack ? err.stack : err}`);
  code = 134;
}
process.exitCode = code;
