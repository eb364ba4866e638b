/**
 * Connected digits for CTC: utterances of 2–6 digits made by concatenating recordings with
 * random gaps (0.05–0.4 s) and a random gain per digit, over a faint noise floor so the gaps are
 * not digital silence. Labels are digit + 1 (class 0 is CTC's blank).
 */
import { Adam, Dense, GRU, Sequential } from 'wasm-rnn';
import { changeSpeed, features, FEATURES } from './front-end.js';

export const BLANK = 0;

/**
 * `count` utterances from the recordings `pool` (indexes into `waves`); with `augment` each
 * digit also gets a random speed (0.85–1.15) and the noise floor varies more (20–50 dB below).
 * `minDigits`: 1 for training (single digits make the first alignments easy to find), 2 for testing.
 * Returns { frames: Float32Array[] (T × nMels, normalized), targets: Int32Array[], digits: number[][] }.
 */
export function buildUtterances(waves, digits, pool, { count, random, augment = false, minDigits = 2 }) {
  const rate = FEATURES.sampleRate;
  const frames = [];
  const targets = [];
  const labels = [];
  for (let u = 0; u < count; u++) {
    const n = minDigits + Math.floor(random() * (7 - minDigits));
    const parts = [];
    const seq = [];
    const gap = () => new Float32Array(Math.round(rate * (0.05 + 0.35 * random())));
    parts.push(gap());
    let power = 0;
    let samples = 0;
    for (let k = 0; k < n; k++) {
      const i = pool[Math.floor(random() * pool.length)];
      let w = waves[i];
      if (augment) w = changeSpeed(w, 0.85 + 0.3 * random());
      const gain = 0.3 * 10 ** random();
      const g = Float32Array.from(w, (v) => v * gain);
      for (const v of g) power += v * v;
      samples += g.length;
      parts.push(g, gap());
      seq.push(digits[i]);
    }
    const total = parts.reduce((s, p) => s + p.length, 0);
    const signal = new Float32Array(total);
    let at = 0;
    for (const p of parts) {
      signal.set(p, at);
      at += p.length;
    }
    const snrDb = augment ? 20 + 30 * random() : 40;
    const sigma = Math.sqrt(power / samples / 10 ** (snrDb / 10));
    for (let t = 0; t < total; t++) signal[t] += sigma * gaussian(random);
    frames.push(features(signal));
    targets.push(Int32Array.from(seq, (d) => d + 1));
    labels.push(seq);
  }
  return { frames, targets, digits: labels };
}

/** A 2-layer bidirectional GRU and Dense → 11 (blank + 10 digits), trained with CTC. */
export function ctcModel({ F, hidden, seed, lr }) {
  const model = new Sequential([new GRU({ inputSize: F, hiddenSize: hidden, bidirectional: true, numLayers: 2 }), new Dense({ inputSize: 2 * hidden, outputSize: 11 })], { seed });
  model.compile({ loss: { type: 'ctc', blank: BLANK, zeroInfinity: true }, optimizer: new Adam({ lr }), clipGradNorm: 1 });
  return model;
}

function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
