/**
 * Keras' `Embedding(mask_zero=True)`: id 0 marks a masked step, which every recurrent layer
 * skips (its state carried unchanged). The library's equivalent is packed sequences (`lengths`:
 * a sequence's steps past its length are skipped, output zeros), which covers masks that are
 * one run of unmasked steps per sequence:
 *
 *   trailing padding [a b c 0 0]  → lengths = 3, as it is;
 *   leading padding  [0 0 a b c]  (pad_sequences' default) → each sequence is rotated so its
 *     run starts at step 0, run with lengths, and its outputs rotated back. Keras' outputs at
 *     the leading masked steps are the recurrent layer's zeros passed through the layers after
 *     it, which is what the library computes at the padded steps (moved to the front);
 *   an interior gap [a 0 b] → E_UNSUPPORTED naming the sequence and step (packed sequences
 *     cannot resume after a gap); an all-zero sequence → E_UNSUPPORTED too.
 *
 * At trailing masked steps Keras outputs zeros when the last sequence-returning recurrent layer
 * has zero_output_for_mask=True (always inside Bidirectional) and otherwise repeats that
 * layer's last output: then the model's output at the last unmasked step is copied forward
 * (the layers after a recurrent one work per step, so this is what Keras computes).
 *
 * Training: the loss is the library's (PyTorch's packed-sequence semantics): masked steps' outputs
 * still enter the mean, where Keras leaves them out of the loss. Give crossEntropy an
 * `ignoreIndex` and set masked targets to it for Keras' loss.
 * The model class that applies this is KerasSequential (keras-sequential.ts).
 */
import { type Tensor, WasmRnnError, tensor } from './core';

export type Data = { data: Float32Array | Int32Array; shape: number[] };

/** Each sequence's unmasked run [start, end) in ids [B, T]; throws on gaps and empty sequences. */
export function maskRuns(ids: { data: Int32Array; shape: number[] }): { start: Int32Array; lengths: Int32Array } {
  const [batch, seq] = ids.shape as [number, number];
  const start = new Int32Array(batch);
  const lengths = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const row = ids.data.subarray(b * seq, (b + 1) * seq);
    let first = 0;
    while (first < seq && row[first] === 0) first++;
    if (first === seq) throw new WasmRnnError('E_UNSUPPORTED', `mask_zero: sequence ${b} is masked at every step (Keras returns zeros there; the library needs one step at least)`);
    let end = seq;
    while (row[end - 1] === 0) end--;
    const gap = row.subarray(first, end).indexOf(0);
    if (gap >= 0) throw new WasmRnnError('E_UNSUPPORTED', `mask_zero: sequence ${b} has a masked step at ${first + gap} between unmasked ones; only leading and trailing padding is supported`);
    start[b] = first;
    lengths[b] = end - first;
  }
  return { start, lengths };
}

/** Rotates each sequence of a batch-first tensor [B, T, …] left by shift[b] (right with `back`). */
export function rotate<T extends Data>(t: T, shift: Int32Array, back: boolean): T {
  if (shift.every((s) => s === 0)) return t;
  const [batch, seq] = t.shape as [number, number];
  const inner = t.data.length / (batch * seq);
  const out = new (t.data.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(t.data.length);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const from = back ? s : (s + shift[b]!) % seq;
      const to = back ? (s + shift[b]!) % seq : s;
      out.set(t.data.subarray((b * seq + from) * inner, (b * seq + from + 1) * inner), (b * seq + to) * inner);
    }
  }
  return { ...t, data: out };
}

/** Repeats each sequence's output at its last unmasked step over the trailing masked steps. */
export function carryForward(t: Tensor, start: Int32Array, lengths: Int32Array): Tensor {
  const [batch, seq, width] = t.shape as [number, number, number];
  const out = t.data.slice();
  for (let b = 0; b < batch; b++) {
    const last = start[b]! + lengths[b]! - 1;
    const row = out.subarray((b * seq + last) * width, (b * seq + last + 1) * width);
    for (let s = last + 1; s < seq; s++) out.set(row, (b * seq + s) * width);
  }
  return tensor(out, t.shape);
}
