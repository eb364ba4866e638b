// The case of the `model` mode (bench/model.mjs): a character model's initial weights and data,
// from a seeded generator, written once to a file every peer loads (same layout as lib/case.mjs:
// raw float32 sections; ids and targets are small integers, exact in float32).
//
// Model: Embedding(vocab → embed) → LSTM(embed → hidden, one layer, biases) → Dense(hidden → vocab),
// time-major [T, B]; cross-entropy on next-character targets (mean), Adam, global-norm clipping.
// Initial weights as PyTorch initializes these modules: Embedding N(0, 1), LSTM U(−1/√H, 1/√H),
// Linear U(−1/√in, 1/√in) (weight and bias).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { mulberry32 } from './random.mjs';

export const MODEL_SHAPE = { vocab: 65, embed: 64, hidden: 256, seq: 64, batch: 32 };

/**
 * @param {object} o  { fitBatches: N (batches of fit / loop), tfjsBatches: K ≤ N, lr, clip, checkSteps }
 * @returns {{ meta: object, data: Record<string, Float32Array> }}
 */
export function makeModelCase({ fitBatches = 8, tfjsBatches = 4, lr = 2e-3, clip = 1.0, checkSteps = 3 } = {}) {
  const { vocab: V, embed: E, hidden: H, seq: T, batch: B } = MODEL_SHAPE;
  const N = fitBatches;
  const rand = mulberry32(0x6d6f64656c); // "model"
  const uniform = (n, k) => Float32Array.from({ length: n }, () => (2 * rand() - 1) * k);
  const normal = (n) =>
    Float32Array.from({ length: n }, () => {
      const u = Math.max(rand(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    });
  // A stream of T + 1 characters per sequence: x = s[0..T), y = s[1..T] (next character).
  const S = N * B;
  const stream = Array.from({ length: S }, () => Int32Array.from({ length: T + 1 }, () => Math.floor(rand() * V)));
  const ids = new Float32Array(T * S);
  const targets = new Float32Array(T * S);
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) {
      ids[t * S + s] = stream[s][t];
      targets[t * S + s] = stream[s][t + 1];
    }
  }
  const kH = 1 / Math.sqrt(H);
  const data = {
    ids,
    targets,
    emb_weight: normal(V * E),
    weight_ih: uniform(4 * H * E, kH),
    weight_hh: uniform(4 * H * H, kH),
    bias_ih: uniform(4 * H, kH),
    bias_hh: uniform(4 * H, kH),
    dense_weight: uniform(V * H, kH),
    dense_bias: uniform(V, kH),
  };
  // The standalone LSTM row's input: the embedding of batch 0's ids; its output gradient ~ U(−1e-3, 1e-3).
  const lstmX = new Float32Array(T * B * E);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) lstmX.set(data.emb_weight.subarray(ids[t * S + b] * E, (ids[t * S + b] + 1) * E), (t * B + b) * E);
  data.lstm_x = lstmX;
  data.lstm_dout = uniform(T * B * H, 1e-3);
  const shapes = {
    ids: [T, S],
    targets: [T, S],
    emb_weight: [V, E],
    weight_ih: [4 * H, E],
    weight_hh: [4 * H, H],
    bias_ih: [4 * H],
    bias_hh: [4 * H],
    dense_weight: [V, H],
    dense_bias: [V],
    lstm_x: [T, B, E],
    lstm_dout: [T, B, H],
  };
  const meta = { kind: 'model', ...MODEL_SHAPE, fitBatches: N, tfjsBatches: Math.min(tfjsBatches, N), lr, clip, checkSteps, sections: [] };
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    meta.sections.push({ name, offset, len: data[name].length, shape });
    offset += data[name].length;
  }
  return { meta, data };
}

export function writeModelCase(path, { meta, data }) {
  mkdirSync(dirname(path), { recursive: true });
  const all = new Float32Array(meta.sections.reduce((n, s) => n + s.len, 0));
  for (const s of meta.sections) all.set(data[s.name], s.offset);
  writeFileSync(path, new Uint8Array(all.buffer));
}

/** Floating-point operations of one training step (GEMMs only, forward + backward ≈ 3 × forward). */
export function modelFlopsPerStep({ vocab: V, embed: E, hidden: H, seq: T, batch: B } = MODEL_SHAPE) {
  const lstm = 2 * (E + H) * 4 * H * B * T;
  const dense = 2 * H * V * B * T;
  return { step: 3 * (lstm + dense), lstm: 3 * lstm };
}

/**
 * What the JS peers use: the parameters by PyTorch nn.Sequential name, ids and targets as Int32
 * (all [T, N·B], and per batch [T, B] contiguous), the LSTM row's x and output gradient.
 */
export function modelData(meta, raw) {
  const { seq: T, batch: B, vocab: V, embed: E, hidden: H, fitBatches: N } = meta;
  const S = N * B;
  const ids = Int32Array.from(raw.ids);
  const targets = Int32Array.from(raw.targets);
  const slice = (a, b0, nb) => {
    const out = new Int32Array(T * nb * B);
    for (let t = 0; t < T; t++) out.set(a.subarray(t * S + b0 * B, t * S + (b0 + nb) * B), t * nb * B);
    return out;
  };
  const batches = Array.from({ length: N }, (_, i) => ({ ids: slice(ids, i, 1), targets: slice(targets, i, 1) }));
  const f = (name) => new Float32Array(raw[name]);
  return {
    ids,
    targets,
    slice,
    batches,
    params: {
      '0.weight': { data: f('emb_weight'), shape: [V, E] },
      '1.weight_ih_l0': { data: f('weight_ih'), shape: [4 * H, E] },
      '1.weight_hh_l0': { data: f('weight_hh'), shape: [4 * H, H] },
      '1.bias_ih_l0': { data: f('bias_ih'), shape: [4 * H] },
      '1.bias_hh_l0': { data: f('bias_hh'), shape: [4 * H] },
      '2.weight': { data: f('dense_weight'), shape: [V, H] },
      '2.bias': { data: f('dense_bias'), shape: [V] },
    },
    lstmX: f('lstm_x'),
    lstmDOut: f('lstm_dout'),
  };
}
