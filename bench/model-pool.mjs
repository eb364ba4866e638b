// Data-parallel training speed-up: the character model of the `model` mode (Embedding 65→64,
// LSTM 256, Dense 256→65, cross-entropy, Adam, clipping; sequence 64) trained one step at a time
// on this thread vs split across a WorkerPool, alternating within each round (same-run ratios).
//
//   npm run build && node bench/model-pool.mjs [--batch 64] [--workers 2] [--rounds 7]
//
// Writes bench/results/model-pool.json and model-pool.md.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as lib from '../dist/index.js';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '64' }, workers: { type: 'string', default: '2' }, rounds: { type: 'string', default: '7' }, variant: { type: 'string' } } });
const [B, W, R, T, V] = [Number(values.batch), Number(values.workers), Number(values.rounds), 64, 65];
const { variant } = await lib.init(values.variant ? { variant: values.variant } : {});
const pool = await lib.WorkerPool.create({ workers: W, variant });

function model() {
  const m = new lib.Sequential([new lib.Embedding({ numEmbeddings: V, embeddingDim: 64 }), new lib.LSTM({ inputSize: 64, hiddenSize: 256 }), new lib.Dense({ inputSize: 256, outputSize: V })], { seed: 1 });
  m.compile({ loss: 'crossEntropy', optimizer: new lib.Adam({ lr: 2e-3 }), clipGradNorm: 1.0 });
  return m;
}
let s = 7;
const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const x = lib.tensor(Int32Array.from({ length: T * B }, () => Math.floor(rand() * V)), [T, B]);
const y = lib.tensor(Int32Array.from({ length: T * B }, () => Math.floor(rand() * V)), [T, B]);
const single = model();
const parallel = model();
const time = async (f) => { const t0 = performance.now(); await f(); return performance.now() - t0; };
await time(() => single.trainStep(x, y));
await time(() => parallel.trainStep(x, y, { pool }));
const one = [], many = [];
const before = loadavg();
for (let r = 0; r < R; r++) {
  one.push(await time(() => single.trainStep(x, y)));
  many.push(await time(() => parallel.trainStep(x, y, { pool })));
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const result = { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, variant, batch: B, seq: T, workers: W, rounds: R, loadavg: { before, after: loadavg() }, msOneThread: one, msPool: many, medianOneThread: median(one), medianPool: median(many), speedup: median(one) / median(many) };
writeFileSync(new URL('./results/model-pool.json', import.meta.url), JSON.stringify(result, null, 1));
const md = `# Data-parallel training step (WorkerPool) vs one thread

- date ${result.date}; ${result.cpu}, ${result.cores} logical cores; Node ${result.node}; variant ${variant}
- char model (Embedding 65→64, LSTM 256, Dense 256→65, cross-entropy, Adam, clipGradNorm 1), sequence ${T}, batch ${B}; ${W} workers; ${R} rounds alternating; load average before ${before.map((v) => v.toFixed(2)).join(' ')}
- command: \`node bench/model-pool.mjs --batch ${B} --workers ${W} --rounds ${R}\`

| | median ms per step | all rounds (ms) |
| --- | ---: | --- |
| one thread | ${result.medianOneThread.toFixed(1)} | ${one.map((v) => v.toFixed(0)).join(', ')} |
| pool of ${W} | ${result.medianPool.toFixed(1)} | ${many.map((v) => v.toFixed(0)).join(', ')} |
| speed-up | **${result.speedup.toFixed(2)}×** | |
`;
writeFileSync(new URL('./results/model-pool.md', import.meta.url), md);
console.log(md);
single.dispose();
parallel.dispose();
await pool.terminate();
