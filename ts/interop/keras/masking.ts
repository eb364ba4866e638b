/**
 * Keras' `Embedding(mask_zero=True)`: id 0 marks a masked step, which every recurrent layer
 * skips (its state carried unchanged). The library's equivalent is packed sequences (`lengths`:
 * a sequence's steps past its length are skipped, output zeros). Skipping a step is running on
 * the sequence without it, so each sequence is compacted: its unmasked steps moved to the front
 * in order (a stable permutation; the masked ones after them), run with lengths = the unmasked
 * count, and the outputs moved back to their steps. That covers every mask:
 *
 *   trailing padding [a b c 0 0]  → the identity, lengths = 3;
 *   leading padding  [0 0 a b c]  (pad_sequences' default) and interior gaps [a 0 b] → steps
 *     reordered. Keras' outputs at masked steps before the first unmasked one are the recurrent
 *     layer's zeros passed through the layers after it: what the library computes at the
 *     padded steps, moved back there. Later recurrent layers skip the same steps in Keras; in
 *     the compacted sequence they never see them.
 *   an all-zero sequence → E_UNSUPPORTED (Keras returns zeros; the library needs one step).
 *
 * At masked steps after the first unmasked one Keras outputs zeros when the last
 * sequence-returning recurrent layer has zero_output_for_mask=True (always inside
 * Bidirectional) and otherwise repeats that layer's last output: then the model's output at
 * the last unmasked step before it is copied there (the layers after a recurrent one work per
 * step, so this is what Keras computes).
 *
 * Training: the loss is the library's (PyTorch's packed-sequence semantics): masked steps' outputs
 * still enter the mean, where Keras leaves them out of the loss. Give crossEntropy an
 * `ignoreIndex` and set masked targets to it for Keras' loss.
 * The model class that applies this is KerasSequential (keras-sequential.ts).
 */
import { type Tensor, WasmRnnError, tensor } from './core';

export type Data = { data: Float32Array | Int32Array; shape: number[] };

/**
 * The compaction of every sequence of ids [B, T]: order[b·T + k] is the step that goes to
 * position k (the unmasked steps in order, then the masked ones), lengths[b] the unmasked count.
 */
export function maskOrder(ids: { data: Int32Array; shape: number[] }): { order: Int32Array; lengths: Int32Array } {
  const [batch, seq] = ids.shape as [number, number];
  const order = new Int32Array(batch * seq);
  const lengths = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const row = ids.data.subarray(b * seq, (b + 1) * seq);
    let k = 0;
    for (let s = 0; s < seq; s++) if (row[s] !== 0) order[b * seq + k++] = s;
    if (k === 0) throw new WasmRnnError('E_UNSUPPORTED', `mask_zero: sequence ${b} is masked at every step (Keras returns zeros there; the library needs one step at least)`);
    lengths[b] = k;
    for (let s = 0; s < seq; s++) if (row[s] === 0) order[b * seq + k++] = s;
  }
  return { order, lengths };
}

/**
 * Reorders the steps of each sequence of a batch-first tensor [B, T, …]: position k takes step
 * order[b·T + k] (`back`: step order[b·T + k] takes position k, the inverse).
 */
export function permuteSteps<T extends Data>(t: T, order: Int32Array, back: boolean): T {
  const [batch, seq] = t.shape as [number, number];
  const inner = t.data.length / (batch * seq);
  const out = new (t.data.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(t.data.length);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < seq; k++) {
      const step = order[b * seq + k]!;
      const [from, to] = back ? [k, step] : [step, k];
      out.set(t.data.subarray((b * seq + from) * inner, (b * seq + from + 1) * inner), (b * seq + to) * inner);
    }
  }
  return { ...t, data: out };
}

/** At every masked step after a sequence's first unmasked one, the output of the last unmasked step before it. */
export function carryForward(t: Tensor, ids: { data: Int32Array }): Tensor {
  const [batch, seq, width] = t.shape as [number, number, number];
  const out = t.data.slice();
  for (let b = 0; b < batch; b++) {
    let last = -1;
    for (let s = 0; s < seq; s++) {
      if (ids.data[b * seq + s] !== 0) last = s;
      else if (last >= 0) out.copyWithin((b * seq + s) * width, (b * seq + last) * width, (b * seq + last + 1) * width);
    }
  }
  return tensor(out, t.shape);
}
