// Quickstart: an LSTM learns to continue sine waves (next-value prediction). Run with
// `npm start` (builds dist/ first). The whole model — LSTM, Dense readout, MSE loss, Adam,
// gradient clipping — trains in wasm; `fit` handles batches, validation and early stopping.
import { init, Sequential, LSTM, Dense, Adam, tensor, loadModel } from '../dist/index.js';

const { variant } = await init();
console.log(`wasm-rnn: using the "${variant}" wasm build`);

const T = 40, N = 512;

// N sine waves with random phase and frequency, time-major [T, N, 1]: x_t → target x_{t+1}.
function waves(count, seed) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(T * count), y = new Float32Array(T * count);
  for (let n = 0; n < count; n++) {
    const phase = rand() * 2 * Math.PI, freq = 0.15 + rand() * 0.2;
    for (let t = 0; t < T; t++) {
      x[t * count + n] = Math.sin(phase + freq * t);
      y[t * count + n] = Math.sin(phase + freq * (t + 1));
    }
  }
  return { x: tensor(x, [T, count, 1]), y: tensor(y, [T, count, 1]) };
}

const model = new Sequential([
  new LSTM({ inputSize: 1, hiddenSize: 32 }),   // every step's output [T, B, 32]
  new Dense({ inputSize: 32, outputSize: 1 }),   // applied at every step
], { seed: 7 });
model.compile({ loss: 'mse', optimizer: new Adam({ lr: 1e-2 }), clipGradNorm: 1.0 });

const train = waves(N, 1), test = waves(64, 999);
console.log(`before training: test MSE ${model.evaluate(test.x, test.y).loss.toFixed(5)}`);
const started = performance.now();
const history = await model.fit(train.x, train.y, {
  epochs: 30, batchSize: 32, validationSplit: 0.1,
  earlyStopping: { patience: 5, restoreBestWeights: true },
  lrSchedule: { type: 'cosine', warmupSteps: 20 },
  onEpochEnd: (epoch, logs) => {
    if (epoch % 5 === 4) console.log(`epoch ${String(epoch + 1).padStart(2)}  loss ${logs.loss.toFixed(5)}  val ${logs.valLoss.toFixed(5)}`);
  },
});
const steps = history.epoch.length * Math.ceil((N * 0.9) / 32);
console.log(`${steps} training steps in ${((performance.now() - started) / 1000).toFixed(1)} s; best epoch ${history.bestEpoch + 1}`);
console.log(`after training: test MSE ${model.evaluate(test.x, test.y).loss.toFixed(5)}`);

// Stream one wave step by step: the same numbers as the whole-sequence forward.
let state = model.initialState(1);
let x = 0.5;
const streamed = [];
for (let t = 0; t < 8; t++) {
  const out = model.step(tensor(new Float32Array([x]), [1, 1]), state);
  state = out.state;
  x = out.output.data[0];
  streamed.push(x.toFixed(3));
}
console.log(`free-running continuation from 0.5: ${streamed.join(' ')}`);

// Save (a safetensors file Python can read) and load back.
const again = await loadModel(model.save());
console.log(`reloaded model: test MSE ${again.evaluate(test.x, test.y).loss.toFixed(5)}`);
model.dispose();
again.dispose();
