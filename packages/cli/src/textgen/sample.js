/**
 * Sampling text from a character model, one step at a time with `model.step` (the recurrent
 * state carried between calls): softmax of logits / temperature, restricted to the k most
 * likely characters (top-k), drawn with a seeded generator.
 */

import { mulberry32 } from '../common/random.js';

export function pickCharacter(logits, { temperature, topK, random }) {
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  const kept = order.slice(0, topK > 0 ? Math.min(topK, order.length) : order.length);
  const top = logits[kept[0]];
  const weights = kept.map((i) => Math.exp((logits[i] - top) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = random() * total;
  for (let j = 0; j < kept.length; j++) {
    u -= weights[j];
    if (u <= 0) return kept[j];
  }
  return kept[kept.length - 1];
}

/** `length` characters after `prime` (the prime's characters must be in the vocabulary). */
export function sampleText(model, vocab, { prime, length, temperature, topK, seed }) {
  const random = mulberry32(seed);
  let state = model.initialState(1);
  let logits;
  for (const id of vocab.encode(prime)) {
    const out = model.step({ data: Int32Array.of(id), shape: [1] }, state);
    state = out.state;
    logits = out.output.data;
  }
  const ids = [];
  for (let i = 0; i < length; i++) {
    const id = pickCharacter(logits, { temperature, topK, random });
    ids.push(id);
    const out = model.step({ data: Int32Array.of(id), shape: [1] }, state);
    state = out.state;
    logits = out.output.data;
  }
  return prime + vocab.decode(ids);
}

