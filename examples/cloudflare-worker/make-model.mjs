// Trains the small model the Worker serves and writes it to src/model.bin (model.save(): a
// safetensors file): an LSTM(1→16) + Dense(16→1) that continues sine waves one step ahead, as in
// examples/quickstart.mjs but small and short. Deterministic (seeded).
//   node examples/cloudflare-worker/make-model.mjs     (after `npm run build`)
import { writeFile } from 'node:fs/promises';
import { Adam, Dense, init, LSTM, Sequential, tensor } from '../../dist/index.js';

await init({ variant: 'scalar' }); // any build gives a model file every build can serve
const T = 24;
const N = 256;
let s = 1;
const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
const x = new Float32Array(T * N);
const y = new Float32Array(T * N);
for (let n = 0; n < N; n++) {
  const phase = rand() * 2 * Math.PI;
  const freq = 0.15 + rand() * 0.2;
  for (let t = 0; t < T; t++) {
    x[t * N + n] = Math.sin(phase + freq * t);
    y[t * N + n] = Math.sin(phase + freq * (t + 1));
  }
}
const model = new Sequential([new LSTM({ inputSize: 1, hiddenSize: 16 }), new Dense({ inputSize: 16, outputSize: 1 })], { seed: 5 });
model.compile({ loss: 'mse', optimizer: new Adam({ lr: 1e-2 }) });
const history = await model.fit(tensor(x, [T, N, 1]), tensor(y, [T, N, 1]), { epochs: 15, batchSize: 32 });
const bytes = model.save();
await writeFile(new URL('src/model.bin', import.meta.url), bytes);
console.log(`model.bin: ${bytes.byteLength} bytes, final training loss ${history.loss.at(-1).toFixed(5)}`);
