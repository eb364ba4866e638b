/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): a sequence of T
 * steps, each a value from U(0, 1) and a marker; exactly two steps are marked, one in each half,
 * and the target is the sum of their two values. Always answering 1 scores MSE 1/6 ≈ 0.167, so
 * a model below that has carried information across up to T steps.
 */
import { tensor } from 'wasm-rnn';

/** `batch` sequences of length `T`: x [T, batch, 2] (value, marker), y [batch, 1]. */
export function addingBatch(T, batch, random) {
  const x = new Float32Array(T * batch * 2);
  const y = new Float32Array(batch);
  const half = Math.max(1, Math.floor(T / 2));
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) x[(t * batch + b) * 2] = random();
    const first = Math.floor(random() * half);
    const second = half + Math.floor(random() * (T - half));
    for (const t of [first, second]) {
      x[(t * batch + b) * 2 + 1] = 1;
      y[b] += x[(t * batch + b) * 2];
    }
  }
  return { x: tensor(x, [T, batch, 2]), y: tensor(y, [batch, 1]) };
}
