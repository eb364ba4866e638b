/**
 * The spoken-digit classifier: a bidirectional GRU over the whole (variable-length) utterance,
 * then a forward GRU whose state at each utterance's own last frame (`returnSequences: false`,
 * with `lengths`) summarizes it, then Dense → 10 digits, cross-entropy.
 *
 * The second layer reads every frame, each with context from both sides, so its last state sees
 * the whole utterance. The one-layer alternative — the bidirectional GRU's two final states
 * (`finalStates: true`), as the PyTorch reference of the issue — measured 96.7% on the official
 * split against this model's 98.0% (same seed, features and augmentation; 2026-12-03).
 */
import { Adam, Dense, Dropout, GRU, Sequential } from 'wasm-rnn';
import { inOrder, padBatch } from './batches.js';

export function classifierModel({ F, hidden, seed, lr, dropout = 0 }) {
  // Dropout (when on) after each recurrent layer: on every frame between them, on the summary before the readout.
  const drop = () => (dropout > 0 ? [new Dropout({ p: dropout })] : []);
  const model = new Sequential(
    [
      new GRU({ inputSize: F, hiddenSize: hidden, bidirectional: true }),
      ...drop(),
      new GRU({ inputSize: 2 * hidden, hiddenSize: hidden, returnSequences: false }),
      ...drop(),
      new Dense({ inputSize: hidden, outputSize: 10 }),
    ],
    { seed },
  );
  model.compile({ loss: 'crossEntropy', optimizer: new Adam({ lr }), clipGradNorm: 1 });
  return model;
}

/** Softmax probabilities [N × 10] (row-major Float64Array) of every utterance (`frames`: Float32Array[] of T_i × F). */
export function probabilities(model, frames, F, batchSize = 64) {
  const out = new Float64Array(frames.length * 10);
  // Sorted by length so batches carry little padding.
  const order = frames.map((f, i) => [f.length, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  for (const batch of inOrder(order.length, batchSize)) {
    const ids = batch.map((k) => order[k]);
    const { x, lengths } = padBatch(ids.map((i) => frames[i]), F);
    const logits = model.predict(x, { lengths }).data; // [B, 10]
    ids.forEach((i, b) => {
      const row = logits.subarray(b * 10, b * 10 + 10);
      const top = Math.max(...row);
      let sum = 0;
      for (let c = 0; c < 10; c++) sum += (out[i * 10 + c] = Math.exp(row[c] - top));
      for (let c = 0; c < 10; c++) out[i * 10 + c] /= sum;
    });
  }
  return out;
}

/**
 * The predicted digit of every utterance by an ensemble of classifiers (one model or several):
 * the digit of highest mean probability.
 */
export function classify(models, frames, F) {
  const mean = new Float64Array(frames.length * 10);
  for (const model of [models].flat()) probabilities(model, frames, F).forEach((p, j) => (mean[j] += p));
  const out = new Int32Array(frames.length);
  for (let i = 0; i < out.length; i++) {
    let arg = 0;
    for (let c = 1; c < 10; c++) if (mean[i * 10 + c] > mean[i * 10 + arg]) arg = c;
    out[i] = arg;
  }
  return out;
}

/** Accuracy, the confusion matrix counts[true][predicted], and the predictions. */
export function score(predicted, truth) {
  const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  let right = 0;
  predicted.forEach((p, i) => {
    confusion[truth[i]][p]++;
    if (p === truth[i]) right++;
  });
  return { accuracy: right / Math.max(1, truth.length), confusion, predicted };
}
