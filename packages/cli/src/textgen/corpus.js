/**
 * A character corpus for language modelling: the customary split (first 90% of the text for
 * training, last 10% for validation), the vocabulary of the whole text, and the text cut into
 * windows of `seq + 1` characters: ids x[t] = c[i+t], targets y[t] = c[i+t+1].
 */
import { CharVocab } from 'wasm-rnn';
import { fileError } from '../common/errors.js';
import { readText } from '../common/files.js';

export function readCorpus(file, { minChars = 1000 } = {}) {
  const text = readText(file);
  const chars = [...text].length;
  if (chars === 0) throw fileError(file, 'is empty: a language model needs text to learn from');
  if (chars < minChars) throw fileError(file, `holds ${chars} characters; training needs at least ${minChars}`);
  const vocab = CharVocab.fromText(text);
  const ids = vocab.encode(text);
  const cut = Math.floor(ids.length * 0.9);
  return { vocab, train: ids.subarray(0, cut), validation: ids.subarray(cut) };
}

/**
 * Non-overlapping windows of `ids` starting at `offset`, time-major: { x: [seq, N], y: [seq, N] }
 * (Int32 ids), y being x shifted by one character.
 */
export function windows(ids, seq, offset = 0) {
  const N = Math.floor((ids.length - 1 - offset) / seq);
  const x = new Int32Array(seq * N);
  const y = new Int32Array(seq * N);
  for (let n = 0; n < N; n++) {
    const start = offset + n * seq;
    for (let t = 0; t < seq; t++) {
      x[t * N + n] = ids[start + t];
      y[t * N + n] = ids[start + t + 1];
    }
  }
  return { x: { data: x, shape: [seq, N] }, y: { data: y, shape: [seq, N] } };
}

/**
 * Training windows cut at `cuts` offsets spaced seq/cuts apart (shifted by `offset`): every
 * character is seen at `cuts` different positions in its window, so the passes over the text
 * do not repeat the same windows (each starting from a zero state at the same character).
 */
export function cutWindows(ids, seq, cuts, offset = 0) {
  const parts = Array.from({ length: cuts }, (_, c) => windows(ids, seq, (offset + Math.floor((c * seq) / cuts)) % seq));
  const N = parts.reduce((n, p) => n + p.x.shape[1], 0);
  const join = (key) => {
    const out = new Int32Array(seq * N);
    for (let t = 0; t < seq; t++) {
      let at = t * N;
      for (const p of parts) {
        const n = p[key].shape[1];
        out.set(p[key].data.subarray(t * n, (t + 1) * n), at);
        at += n;
      }
    }
    return { data: out, shape: [seq, N] };
  };
  return { x: join('x'), y: join('y') };
}

/**
 * Windows for stateful training (fit's `stateful`): the text as `count` streams, each a contiguous
 * stretch of it, read `seq` characters at a time; sample k·count + b is window k of stream b, so
 * each batch of `count` continues the one before it. The streams are read `passes` times, each
 * pass cut at another offset (seq/passes apart, shifted by `offset`), so the gradient's
 * truncation points move. Time-major { x: [seq, N], y: [seq, N] }.
 */
export function streamWindows(ids, seq, count, passes, offset = 0) {
  const length = Math.floor((ids.length - 1) / count);
  // Every pass reads the same number of windows: room for the largest offset (< seq).
  const K = Math.floor((length - seq) / seq);
  if (K < 1) throw new RangeError(`streamWindows: ${ids.length} characters cannot hold ${count} streams of two ${seq}-character windows`);
  const N = passes * K * count;
  const x = new Int32Array(seq * N);
  const y = new Int32Array(seq * N);
  for (let p = 0; p < passes; p++) {
    const shift = (offset + Math.floor((p * seq) / passes)) % seq;
    for (let k = 0; k < K; k++) {
      for (let b = 0; b < count; b++) {
        const n = (p * K + k) * count + b;
        const start = b * length + shift + k * seq;
        for (let t = 0; t < seq; t++) {
          x[t * N + n] = ids[start + t];
          y[t * N + n] = ids[start + t + 1];
        }
      }
    }
  }
  return { x: { data: x, shape: [seq, N] }, y: { data: y, shape: [seq, N] } };
}

/**
 * `count` stretches of `length` + 1 consecutive characters spread evenly over `ids`, the first at
 * its start and the last at its end, time-major { x: [length, count], y: [length, count] }.
 */
export function streams(ids, count, length) {
  const room = ids.length - 1 - length;
  if (room < 0) throw new RangeError(`streams: ${ids.length} characters cannot hold a stream of ${length}`);
  const x = new Int32Array(length * count);
  const y = new Int32Array(length * count);
  for (let n = 0; n < count; n++) {
    const start = count === 1 ? 0 : Math.floor((n * room) / (count - 1));
    for (let t = 0; t < length; t++) {
      x[t * count + n] = ids[start + t];
      y[t * count + n] = ids[start + t + 1];
    }
  }
  return { x: { data: x, shape: [length, count] }, y: { data: y, shape: [length, count] } };
}

/**
 * Nats per character of streams read as a stateful model reads text: chunk by chunk, each chunk
 * starting from the state the previous one ended in, so every character is predicted from all
 * the text before it in its stream (only a stream's first character has no context).
 */
export function evaluateStreaming(model, s, chunk = 64) {
  const [length, count] = s.x.shape;
  let state = model.initialState(count);
  let sum = 0;
  for (let from = 0; from < length; from += chunk) {
    const to = Math.min(length, from + chunk);
    const part = (t) => ({ data: t.data.subarray(from * count, to * count), shape: [to - from, count] });
    const r = model.evaluate(part(s.x), part(s.y), { states: state });
    sum += r.loss * (to - from);
    state = r.state;
  }
  return sum / length;
}

/** Sequences [from, to) of time-major windows. */
export function slice(w, from, to) {
  const [seq, N] = w.x.shape;
  const take = (t) => {
    const out = new Int32Array(seq * (to - from));
    for (let s = 0; s < seq; s++) out.set(t.data.subarray(s * N + from, s * N + to), s * (to - from));
    return { data: out, shape: [seq, to - from] };
  };
  return { x: take(w.x), y: take(w.y) };
}

/** Mean cross-entropy (nats per character) over all windows, in chunks that fit wasm memory. */
export function evaluateNats(model, w, chunk = 128) {
  const N = w.x.shape[1];
  let sum = 0;
  for (let from = 0; from < N; from += chunk) {
    const to = Math.min(N, from + chunk);
    const part = slice(w, from, to);
    sum += model.evaluate(part.x, part.y).loss * (to - from);
  }
  return sum / N;
}
