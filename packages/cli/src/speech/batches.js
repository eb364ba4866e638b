/**
 * Variable-length utterances as padded, time-major batches ([T, B, F] with `lengths` [B]) and
 * batches of similar lengths, so little of each batch is padding: the order is sorted by length
 * with a random jitter, cut into batches, and the batches are shuffled.
 */
import { tensor } from 'wasm-rnn';

/** `frames`: Float32Arrays [T_i × F] (row-major). Returns { x [T, B, F], lengths [B] }. */
export function padBatch(frames, F) {
  const B = frames.length;
  const lengths = Int32Array.from(frames, (f) => f.length / F);
  const T = Math.max(...lengths);
  const x = new Float32Array(T * B * F);
  for (let b = 0; b < B; b++) {
    const f = frames[b];
    for (let t = 0; t < lengths[b]; t++) x.set(f.subarray(t * F, (t + 1) * F), (t * B + b) * F);
  }
  return { x: tensor(x, [T, B, F]), lengths: tensor(lengths, [B]) };
}

/** Indexes of `sizes` grouped into batches of about `batchSize` similar sizes, in random order. */
export function lengthBuckets(sizes, batchSize, random) {
  const order = sizes.map((s, i) => [s * (1 + 0.2 * (random() - 0.5)), i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const batches = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  shuffle(batches, random);
  return batches;
}

/** Fisher–Yates, in place. */
export function shuffle(array, random) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

/** Batches in input order (evaluation): `count` items in chunks of `batchSize`. */
export function inOrder(count, batchSize) {
  const out = [];
  for (let i = 0; i < count; i += batchSize) out.push(Array.from({ length: Math.min(batchSize, count - i) }, (_, k) => i + k));
  return out;
}
