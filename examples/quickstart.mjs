// Quickstart: an LSTM learns to continue sine waves (next-value prediction), trained with
// plain SGD through wasm-rnn's forward/backward. Run with `npm start` (builds dist/ first).
//
// The library computes the recurrent layer and its gradients (BPTT); this example adds a tiny
// linear readout and the SGD update in JavaScript to stay self-contained.
import { init, LSTM, tensor } from '../dist/index.js';

const { variant } = await init();
console.log(`wasm-rnn: using the "${variant}" wasm build`);

const T = 40, B = 16, H = 24, EPOCHS = 300, LR = 0.3;
const lstm = new LSTM({ inputSize: 1, hiddenSize: H, seed: 7 });
const readout = { w: new Float32Array(H).map((_, i) => Math.sin(i + 1) * 0.2), b: 0 };

// A batch of sine waves with random phase and frequency: x_t → target x_{t+1}.
function batch(seed) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(T * B), y = new Float32Array(T * B);
  for (let b = 0; b < B; b++) {
    const phase = rand() * 2 * Math.PI, freq = 0.15 + rand() * 0.2;
    for (let t = 0; t < T; t++) {
      x[t * B + b] = Math.sin(phase + freq * t);
      y[t * B + b] = Math.sin(phase + freq * (t + 1));
    }
  }
  return { x: tensor(x, [T, B, 1]), y };
}

function step(x, y, train) {
  const { output } = lstm.forward(x, { training: train }); // [T, B, H]
  const dOutput = new Float32Array(output.data.length);
  let loss = 0, gw = new Float32Array(H), gb = 0;
  for (let r = 0; r < T * B; r++) {
    const h = output.data.subarray(r * H, r * H + H);
    let pred = readout.b;
    for (let j = 0; j < H; j++) pred += readout.w[j] * h[j];
    const err = pred - y[r];
    loss += err * err / (T * B);
    const g = 2 * err / (T * B); // d loss / d pred
    gb += g;
    for (let j = 0; j < H; j++) { gw[j] += g * h[j]; dOutput[r * H + j] = g * readout.w[j]; }
  }
  if (!train) return loss;
  const grads = lstm.backward({ output: tensor(dOutput, output.shape) });
  const params = lstm.stateDict();
  for (const [name, p] of Object.entries(params)) {
    const g = grads.params[name].data;
    for (let i = 0; i < p.data.length; i++) p.data[i] -= LR * g[i];
  }
  lstm.loadStateDict(params);
  for (let j = 0; j < H; j++) readout.w[j] -= LR * gw[j];
  readout.b -= LR * gb;
  return loss;
}

const test = batch(999);
console.log(`before training: test MSE ${step(test.x, test.y, false).toFixed(5)}`);
const started = performance.now();
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const { x, y } = batch(epoch);
  const loss = step(x, y, true);
  if (epoch % 50 === 0) console.log(`epoch ${String(epoch).padStart(3)}  train MSE ${loss.toFixed(5)}  test MSE ${step(test.x, test.y, false).toFixed(5)}`);
}
const ms = (performance.now() - started) / EPOCHS;
console.log(`${EPOCHS} training steps (LSTM 1→${H}, T=${T}, B=${B}) at ${ms.toFixed(2)} ms per step`);
lstm.dispose();
