// The Worker (src/worker.js) in workerd on 127.0.0.1, as Cloudflare runs it (test/config.capnp):
//   1. N one-step requests, the state carried by the client, equal one /predict over N steps;
//   2. concurrent sessions (interleaved steps) do not mix: each equals its own /predict;
//   3. bad JSON, wrong fields, wrong shapes and a foreign state get a 400 with the error code;
//   4. a bounded local load test (loopback only, fixed request counts): latency per /step and
//      /predict request (p50, p99) and requests per second.
//   node examples/cloudflare-worker/test/run.mjs      (after `npm run build`)
// Prints one line per check, the numbers, and "cloudflare-worker: N passed, M failed".
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { checklist } from '../../../test/helpers/checklist.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKERD = `${ROOT}node_modules/workerd/bin/workerd`;
const TOLERANCE = 1e-6; // step vs whole-sequence forward (test/model.test.ts uses the same)

const { check, finish } = checklist('cloudflare-worker');

const child = spawn(WORKERD, ['serve', fileURLToPath(new URL('config.capnp', import.meta.url)), '--control-fd', '3'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
let log = '';
child.stdout.on('data', (d) => (log += d));
child.stderr.on('data', (d) => (log += d));
const hardStop = setTimeout(() => {
  console.log(`cloudflare-worker: timed out\n${log}`);
  child.kill('SIGKILL');
  process.exit(1);
}, 120_000);

try {
  const port = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`workerd exited (${code}):\n${log}`)));
    createInterface({ input: child.stdio[3] }).on('line', (line) => {
      const msg = JSON.parse(line);
      if (msg.event === 'listen' && msg.socket === 'http') resolve(msg.port);
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const post = async (path, body) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    return { status: r.status, body: await r.json() };
  };
  const series = (n, phase) => Array.from({ length: n }, (_, t) => [Math.fround(Math.sin(phase + 0.3 * t))]);
  const maxDiff = (a, b) => (a.length !== b.length ? Infinity : Math.max(0, ...a.flat().map((v, i) => Math.abs(v - b.flat()[i]))));

  // 1. One session step by step = one forward over the whole sequence.
  const N = 12;
  const x = series(N, 0.7);
  const whole = await post('/predict', { x });
  check('POST /predict', whole.status === 200 && whole.body.output.length === N, `HTTP ${whole.status}`);
  let state;
  const stepped = [];
  for (const xt of x) {
    const r = await post('/step', state === undefined ? { x: xt } : { x: xt, state });
    if (r.status !== 200) throw new Error(`/step: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    stepped.push(r.body.output);
    state = r.body.state;
  }
  const d1 = maxDiff(stepped, whole.body.output);
  check(`${N} one-step requests equal one /predict over ${N} steps`, d1 <= TOLERANCE, `max |diff| ${d1.toExponential(2)}`);

  // 2. Concurrent sessions, their steps interleaved.
  const S = 8;
  const sessions = Array.from({ length: S }, (_, k) => ({ x: series(N, k), state: undefined, out: [] }));
  for (let t = 0; t < N; t++) {
    await Promise.all(sessions.map(async (s) => {
      const r = await post('/step', s.state === undefined ? { x: s.x[t] } : { x: s.x[t], state: s.state });
      s.out.push(r.body.output);
      s.state = r.body.state;
    }));
  }
  const wholes = await Promise.all(sessions.map((s) => post('/predict', { x: s.x })));
  const d2 = Math.max(...sessions.map((s, k) => maxDiff(s.out, wholes[k].body.output)));
  check(`${S} concurrent sessions do not mix`, d2 <= TOLERANCE, `max |diff| ${d2.toExponential(2)}`);

  // 3. Bad input: 400 with the error code, never a 500.
  const BAD = [
    ['/predict', 'not json', 'E_ARGUMENT'],
    ['/predict', [1, 2], 'E_ARGUMENT'],
    ['/predict', { x: 'abc' }, 'E_ARGUMENT'],
    ['/predict', { x: [[1], [2, 3]] }, 'E_SHAPE'],
    ['/predict', { x: [[1, 2]] }, 'E_SHAPE'], // 2 features, the model takes 1
    ['/predict', { x: [[1], [null]] }, 'E_ARGUMENT'],
    ['/step', { x: [1, 2] }, 'E_SHAPE'],
    ['/step', { x: [1], state: { someone: [1, 2] } }, 'E_ARGUMENT'],
    ['/step', { x: [1], state: Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.slice(1)])) }, 'E_SHAPE'],
  ];
  for (const [path, body, code] of BAD) {
    const r = await post(path, body);
    check(`${path} ${JSON.stringify(body).slice(0, 60)} → 400 ${code}`, r.status === 400 && r.body.error?.code === code, `HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
  }

  // 4. Bounded load: fixed counts, `concurrency` requests in flight, loopback only.
  async function load(path, makeBody, count, concurrency) {
    const latencies = [];
    let next = 0;
    let errors = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t0 = performance.now();
        const r = await post(path, makeBody());
        latencies.push(performance.now() - t0);
        if (r.status !== 200) errors++;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
    return { errors, line: `${count} requests, ${concurrency} in flight: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, ${(count / seconds).toFixed(0)} req/s` };
  }
  // One in flight: the latency of a step; 8 in flight: the throughput of one workerd process.
  const stepLatency = await load('/step', () => ({ x: [0.5], state }), 500, 1);
  check(`load POST /step (${stepLatency.line})`, stepLatency.errors === 0, `${stepLatency.errors} errors`);
  const stepLoad = await load('/step', () => ({ x: [0.5], state }), 2000, 8);
  check(`load POST /step (${stepLoad.line})`, stepLoad.errors === 0, `${stepLoad.errors} errors`);
  const predictLoad = await load('/predict', () => ({ x: series(24, 0.1) }), 500, 8);
  check(`load POST /predict T=24 (${predictLoad.line})`, predictLoad.errors === 0, `${predictLoad.errors} errors`);
} catch (error) {
  check('run', false, `${error?.stack ?? error}\n${log}`);
} finally {
  clearTimeout(hardStop);
  child.kill('SIGTERM');
}
finish();
