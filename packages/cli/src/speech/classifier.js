/**
 * The spoken-digit classifier: a bidirectional GRU over the whole (variable-length) utterance,
 * whose two final states (`returnSequences: false, finalStates: true`, with `lengths`: the
 * forward direction at each utterance's own last frame, the backward direction after reading
 * back to the first) summarize it, then Dense → 10 digits, cross-entropy.
 *
 * `finalStates` matters: plain `returnSequences: false` passes on PyTorch's `output[-1]`, where
 * the backward direction has read only the last frame.
 */
import { Adam, Dense, GRU, Sequential } from 'wasm-rnn';
import { inOrder, padBatch } from './batches.js';

export function classifierModel({ F, hidden, seed, lr }) {
  const model = new Sequential(
    [
      new GRU({ inputSize: F, hiddenSize: hidden, bidirectional: true, returnSequences: false, finalStates: true }),
      new Dense({ inputSize: 2 * hidden, outputSize: 10 }),
    ],
    { seed },
  );
  model.compile({ loss: 'crossEntropy', optimizer: new Adam({ lr }), clipGradNorm: 1 });
  return model;
}

/** The predicted digit of every utterance (`frames`: Float32Array[] of T_i × F). */
export function classify(model, frames, F, batchSize = 64) {
  const out = new Int32Array(frames.length);
  // Sorted by length so batches carry little padding.
  const order = frames.map((f, i) => [f.length, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  for (const batch of inOrder(order.length, batchSize)) {
    const ids = batch.map((k) => order[k]);
    const { x, lengths } = padBatch(ids.map((i) => frames[i]), F);
    const logits = model.predict(x, { lengths }).data; // [B, 10]
    ids.forEach((i, b) => {
      let arg = 0;
      for (let c = 1; c < 10; c++) if (logits[b * 10 + c] > logits[b * 10 + arg]) arg = c;
      out[i] = arg;
    });
  }
  return out;
}

/** Accuracy and the confusion matrix counts[true][predicted]. */
export function score(predicted, truth) {
  const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  let right = 0;
  predicted.forEach((p, i) => {
    confusion[truth[i]][p]++;
    if (p === truth[i]) right++;
  });
  return { accuracy: right / Math.max(1, truth.length), confusion };
}
