/**
 * The training loop the speech models share: length-bucketed batches drawn fresh every epoch
 * (so augmented variants and masks change), `trainStep` on a WorkerPool when there is one, the
 * progress display, the --max-minutes deadline, and a cosine learning-rate decay over the planned
 * steps (or the time left). There is no validation set to pick a best epoch from (the test recordings must not
 * choose anything), so the last weights are kept; the decay makes them the settled ones.
 */
import { tensor } from 'wasm-rnn';
import { lengthBuckets, padBatch } from './batches.js';

/**
 * `draw(random)` → { frames: Float32Array[] (T_i × F), targets: (class ids | Int32Array label rows), S }
 * for one epoch's samples (S = 0: one class per utterance; else the longest label row).
 * Returns { steps, epochs, seconds, history }.
 */
export async function trainLoop(model, { F, draw, epochs, batchSize, lr, random, pool, progress, budget, share = 1, label }) {
  const deadline = budget.deadlineFor(share);
  const first = draw(random);
  const batchesPerEpoch = Math.ceil(first.frames.length / batchSize);
  const display = progress.training(label, { epochs, batches: batchesPerEpoch, shouldStop: () => performance.now() > deadline, deadline });
  const started = performance.now();
  const history = [];
  let steps = 0;
  let epoch = 0;
  let stopped = false;
  try {
    for (; epoch < epochs && !stopped; epoch++) {
      const data = epoch === 0 ? first : draw(random);
      let sum = 0;
      let count = 0;
      for (const batch of lengthBuckets(data.frames.map((f) => f.length), batchSize, random)) {
        // Cosine decay from lr to lr/20 over the planned steps (warm-up: the first 3%), or over
        // the time left when the deadline comes first, so a cut run still ends with small steps.
        const t = Math.max(steps / (epochs * batchesPerEpoch), deadline === Infinity ? 0 : Math.min(1, (performance.now() - started) / (deadline - started)));
        model.setLearningRate(t < 0.03 ? (lr * (steps + 1)) / (0.03 * epochs * batchesPerEpoch + 1) : lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * t))));
        const { x, lengths } = padBatch(batch.map((i) => data.frames[i]), F);
        const y = targetRows(batch.map((i) => data.targets[i]), data.S);
        const loss = pool ? await model.trainStep(x, y, { lengths, pool }) : model.trainStep(x, y, { lengths });
        steps++;
        sum += loss * batch.length;
        count += batch.length;
        if (!display.onBatchEnd(steps, { loss })) {
          stopped = true;
          break;
        }
      }
      history.push({ epoch: epoch + 1, loss: sum / Math.max(1, count), seconds: (performance.now() - started) / 1000 });
      display.onEpochEnd(epoch, { loss: sum / Math.max(1, count) });
    }
  } finally {
    display.done();
  }
  const seconds = (performance.now() - started) / 1000;
  progress.log(`${label}: ${steps} steps, ${epoch} epochs in ${seconds.toFixed(1)} s${stopped ? ' (time budget spent)' : ''}`);
  return { steps, epochs: epoch, seconds, history };
}

/**
 * Targets as the loss wants them: class ids [B] when S = 0 (one label per utterance), else
 * label rows [B, S] padded with −1 (CTC).
 */
export function targetRows(targets, S) {
  if (S === 0) return tensor(Int32Array.from(targets), [targets.length]);
  const y = new Int32Array(targets.length * S).fill(-1);
  targets.forEach((row, b) => y.set(row, b * S));
  return tensor(y, [targets.length, S]);
}
