// A Cloudflare Worker serving a trained wasm-rnn model (src/model.bin, made by make-model.mjs).
//
//   POST /predict  { "x": [[f, …], …] }                 a sequence of T steps of F features
//              →   { "output": [[o, …], …] }            the model's output at every step
//   POST /step     { "x": [f, …], "state"?: {…} }       one step of a session
//              →   { "output": [o, …], "state": {…} }   the output and the state to send next time
//
// /step keeps nothing between requests: the recurrent state (model.step's state, as JSON arrays
// of float32 values, exact through JSON) travels in the request and the response, so any isolate
// can serve a session's next step and any number of sessions stream at once. A request without
// `state` starts a session. Bad input (not JSON, wrong fields, wrong shapes, another model's
// state) is a 400 with { "error": { "code", "message" } }, the code a WasmRnnError code.
//
// Workers may not compile wasm from bytes: the binary is imported as a precompiled module (the
// package exports it as `wasm-rnn/wasm/<variant>.wasm`) and handed to init().
import { init, loadModel, tensor, WasmRnnError } from 'wasm-rnn';
import wasm from 'wasm-rnn/wasm/simd.wasm';
import modelFile from './model.bin';

/** One model per isolate, loaded on the first request (init() is once per isolate). */
let ready;
function model() {
  if (ready === undefined) {
    ready = init({ variant: 'simd', wasm }).then(() => loadModel(new Uint8Array(modelFile)));
    // A failed load is retried by the next request rather than cached.
    ready.catch(() => (ready = undefined));
  }
  return ready;
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const bad = (code, message) => new WasmRnnError(code, message);

/** A list of finite numbers as a Float32Array, or E_ARGUMENT naming `what`. */
function numbers(value, what) {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw bad('E_ARGUMENT', `${what} must be an array of finite numbers`);
  }
  return Float32Array.from(value);
}

/** [[f, …] × T] → tensor [T, 1, F] (one sequence: batch 1). */
function sequence(x) {
  if (!Array.isArray(x) || x.length === 0) throw bad('E_ARGUMENT', '"x" must be a non-empty array of steps, each an array of features');
  const rows = x.map((row, t) => numbers(row, `x[${t}]`));
  const F = rows[0].length;
  const at = rows.findIndex((r) => r.length !== F);
  if (at !== -1) throw bad('E_SHAPE', `x[${at}] has ${rows[at].length} features, x[0] has ${F}`);
  const data = new Float32Array(rows.length * F);
  rows.forEach((r, t) => data.set(r, t * F));
  return tensor(data, [rows.length, 1, F]);
}

/** Rows of `output` ([T, 1, O] or [1, O]) as plain arrays. */
function rows(output) {
  const width = output.shape.at(-1);
  const out = [];
  for (let i = 0; i < output.data.length; i += width) out.push(Array.from(output.data.subarray(i, i + width)));
  return out;
}

async function predict(body) {
  const m = await model();
  return { output: rows(m.predict(sequence(body.x))) };
}

async function step(body) {
  const m = await model();
  const x = numbers(body.x, '"x"');
  let state;
  if (body.state === undefined) state = m.initialState(1);
  else if (body.state === null || typeof body.state !== 'object' || Array.isArray(body.state)) throw bad('E_ARGUMENT', '"state" must be the object a previous /step returned');
  else state = Object.fromEntries(Object.entries(body.state).map(([name, v]) => [name, numbers(v, `state.${name}`)]));
  const { output, state: next } = m.step(tensor(x, [1, x.length]), state);
  return { output: rows(output)[0], state: Object.fromEntries(Object.entries(next).map(([name, v]) => [name, Array.from(v)])) };
}

const ROUTES = { '/predict': predict, '/step': step };

export default {
  async fetch(request) {
    const route = ROUTES[new URL(request.url).pathname];
    if (route === undefined) return json(404, { error: { code: 'E_NOT_FOUND', message: 'POST /predict or /step' } });
    if (request.method !== 'POST') return json(405, { error: { code: 'E_METHOD', message: 'use POST' } });
    try {
      let body;
      try {
        body = await request.json();
      } catch {
        throw bad('E_ARGUMENT', 'the request body is not JSON');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('E_ARGUMENT', 'the request body must be a JSON object');
      return json(200, await route(body));
    } catch (error) {
      // The library's typed errors are the client's fault except the two that are ours.
      if (error instanceof WasmRnnError && error.code !== 'E_INTERNAL' && error.code !== 'E_WASM_LOAD') {
        return json(400, { error: { code: error.code, message: error.message } });
      }
      return json(500, { error: { code: error?.code ?? 'E_INTERNAL', message: String(error?.message ?? error) } });
    }
  },
};
