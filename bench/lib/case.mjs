// Benchmark cases: shapes, deterministic weights and inputs, the case file every peer reads.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { caseFromBytes, packArrays } from './case-format.mjs';
import { mulberry32 } from './random.mjs';

/** (batch, seq, input, hidden), as in the issue. */
export const SHAPES = {
  S: { batch: 1, seq: 32, input: 16, hidden: 32 },
  M: { batch: 1, seq: 128, input: 64, hidden: 128 },
  L: { batch: 16, seq: 64, input: 128, hidden: 256 },
  XL: { batch: 64, seq: 100, input: 256, hidden: 512 },
};
export const CELLS = ['lstm', 'gru', 'rnn'];
export const MODES = ['infer', 'stream', 'train'];
/** Gate blocks per cell (PyTorch's gate_size / hidden_size). */
export const GATES = { lstm: 4, gru: 3, rnn: 1 };

/**
 * Floating-point operations of one call of `mode`: 2·(I+H)·G·H per time step and batch element
 * for the forward (the two GEMMs; activations and biases are not counted), ×T for a whole
 * sequence, ×3 for a training step (forward + backward ≈ 3 GEMM passes).
 */
export function flopsPerCall(cell, shape, mode) {
  const { batch, seq, input, hidden } = shape;
  const step = 2 * (input + hidden) * GATES[cell] * hidden * batch;
  if (mode === 'stream') return step;
  if (mode === 'infer') return step * seq;
  return 3 * step * seq;
}

/** Sections of the case file, in order (raw little-endian float32, no header). */
export function sections(cell, shape) {
  const { batch, seq, input, hidden } = shape;
  const gh = GATES[cell] * hidden;
  return [
    ['weight_ih', gh * input, [gh, input]],
    ['weight_hh', gh * hidden, [gh, hidden]],
    ['bias_ih', gh, [gh]],
    ['bias_hh', gh, [gh]],
    ['x', seq * batch * input, [seq, batch, input]],
    ['w_out', hidden, [hidden]],
    ['d_output', seq * batch * hidden, [seq, batch, hidden]],
  ];
}

function hash(str) {
  let h = 2166136261;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The case's tensors: PyTorch's default init U(−1/√H, 1/√H) for weights and biases, x ~ U(−1, 1),
 * w_out ~ U(−1, 1); d_output[t, b, :] = w_out (the gradient of loss = Σ_t Σ_b w_out·h_t).
 */
export function makeCase(cell, shapeName) {
  const shape = SHAPES[shapeName];
  const rand = mulberry32(hash(`${cell}/${shapeName}`));
  const k = 1 / Math.sqrt(shape.hidden);
  const data = {};
  const meta = { cell, shape: shapeName, ...shape, gates: GATES[cell], sections: [] };
  let offset = 0;
  for (const [name, len, dims] of sections(cell, shape)) {
    const a = new Float32Array(len);
    if (name === 'd_output') {
      for (let i = 0; i < len; i += shape.hidden) a.set(data.w_out, i);
    } else {
      const scale = name === 'x' || name === 'w_out' ? 1 : k;
      for (let i = 0; i < len; i++) a[i] = (2 * rand() - 1) * scale;
    }
    data[name] = a;
    meta.sections.push({ name, offset, len, shape: dims });
    offset += len;
  }
  return { meta, data };
}

export function writeCase(path, { data, meta }) {
  mkdirSync(dirname(path), { recursive: true });
  const total = meta.sections.reduce((n, s) => n + s.len, 0);
  const all = new Float32Array(total);
  for (const s of meta.sections) all.set(data[s.name], s.offset);
  writeFileSync(path, new Uint8Array(all.buffer));
}

/** Reads a case file written by writeCase (used by the Node peers). */
export function readCase(path, meta) {
  return caseFromBytes(readFileSync(path), meta);
}

/** Writes named float32 arrays back to back; returns their names and lengths. */
export function writeArrays(path, arrays) {
  const { bytes, list } = packArrays(arrays);
  writeFileSync(path, bytes);
  return list;
}

export function readArrays(path, list) {
  const buf = readFileSync(path);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out = {};
  let off = 0;
  for (const { name, len } of list) {
    out[name] = all.subarray(off, off + len);
    off += len;
  }
  if (off !== all.length) throw new Error(`${path}: ${all.length} floats, the answer listed ${off}`);
  return out;
}
