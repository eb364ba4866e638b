// Text from the pre-trained character model (public/char-model.bin, made by
// scripts/train-char-model.mjs): the prompt is fed one character at a time through model.step,
// carrying the LSTM state, then each next character is drawn from softmax(logits / temperature).
import { loadModel } from 'wasm-rnn';

/** Loads the model file; its vocabulary travels in the file as preprocessing. */
export async function loadCharModel(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const model = await loadModel(await response.arrayBuffer());
  const vocab = model.preprocessing.vocab;
  if (vocab === undefined) throw new Error(`${url}: the model file carries no vocabulary`);
  return { model, vocab };
}

/** An index drawn from softmax(logits / temperature); `random` returns numbers in [0, 1). */
function drawIndex(logits, temperature, random) {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const weights = Array.from(logits, (v) => Math.exp((v - max) / temperature));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** `length` characters following `prompt` (characters the vocabulary lacks are skipped). */
export function sample({ model, vocab }, prompt, { length = 200, temperature = 0.8, random = Math.random } = {}) {
  const known = [...prompt].filter((c) => vocab.tokens.includes(c)).join('') || '\n';
  let state = model.initialState(1);
  let logits;
  for (const id of vocab.encode(known)) {
    ({ output: { data: logits }, state } = model.step({ data: Int32Array.of(id), shape: [1] }, state));
  }
  const ids = [];
  for (let i = 0; i < length; i++) {
    const id = drawIndex(logits, temperature, random);
    ids.push(id);
    ({ output: { data: logits }, state } = model.step({ data: Int32Array.of(id), shape: [1] }, state));
  }
  return vocab.decode(ids);
}
