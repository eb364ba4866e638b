/**
 * A plain-JS float64 reference forward for RNN (tanh / relu), LSTM and GRU with PyTorch's
 * equations, parameter names and layouts (stacked and bidirectional; no projection,
 * time-major [T, B, F]). Written for the non-finite tests (test/nonfinite.test.ts): every
 * operation is the textbook one in IEEE double arithmetic, so NaN and ±Infinity propagate
 * exactly as in PyTorch (NaN · anything = NaN, ∞ − ∞ = NaN, 0 · ∞ = NaN, sigmoid(−∞) = 0,
 * sigmoid(+∞) = 1, tanh(±∞) = ±1, relu(NaN) = NaN, relu(−∞) = 0).
 *
 *   RNN   h = act(W_ih x + b_ih + W_hh h + b_hh)
 *   LSTM  gates i, f, g, o (rows 0..H, H..2H, 2H..3H, 3H..4H); c = f·c + i·g; h = o·tanh(c)
 *   GRU   gates r, z, n; n = tanh(W_in x + b_in + r·(W_hn h + b_hn)); h = (1 − z)·n + z·h
 *   gru_reset_before (Keras reset_after=False, ONNX linear_before_reset=0):
 *         n = tanh(W_in x + b_in + W_hn (r·h) + b_hn)
 */

export type RefCell = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru' | 'gru_reset_before';

export interface RefConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** The layer has bias_ih / bias_hh. @defaultValue true */
  bias?: boolean;
}

/** Row-major data with a shape, e.g. a library Tensor (Float32Array) or plain numbers. */
export interface RefTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export interface RefResult {
  /** [T, B, D·H] */
  output: Float64Array;
  /** [L·D, B, H] */
  hN: Float64Array;
  /** LSTM only: [L·D, B, H] */
  cN?: Float64Array;
}

/** Gates per cell: PyTorch's G in weight_ih_l0 [G·H, I]. */
export function gateCount(cell: RefCell): number {
  return cell === 'lstm' ? 4 : cell === 'gru' || cell === 'gru_reset_before' ? 3 : 1;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
// Math.max(NaN, 0) is NaN and Math.max(−∞, 0) is 0, as torch.relu.
const relu = (v: number): number => Math.max(v, 0);

/**
 * y = W v + b (+ b2) for W [rows, cols] row-major, in float64, summing in index order.
 * (The order does not change which results are NaN or ±∞: a sum is NaN iff a term is NaN or
 * terms of both infinite signs occur, else ±∞ iff some term is.)
 */
function affine(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  v: ArrayLike<number>,
  vOffset: number,
  b: ArrayLike<number> | undefined,
): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = b ? b[r]! : 0;
    for (let k = 0; k < cols; k++) s += w[r * cols + k]! * v[vOffset + k]!;
    y[r] = s;
  }
  return y;
}

/**
 * Runs the whole sequence through every layer and direction. `params` uses PyTorch's names
 * (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …_reverse); `h0`, `c0` are
 * [L·D, B, H] (zeros when omitted).
 */
export function referenceForward(
  cell: RefCell,
  config: RefConfig,
  params: Record<string, RefTensor>,
  x: RefTensor,
  h0?: RefTensor,
  c0?: RefTensor,
): RefResult {
  const [T, B, I] = x.shape as [number, number, number];
  if (I !== config.inputSize) throw new Error(`reference: x has ${I} features, config says ${config.inputSize}`);
  const H = config.hiddenSize;
  const L = config.numLayers ?? 1;
  const D = config.bidirectional ? 2 : 1;
  const hasBias = config.bias ?? true;
  const G = gateCount(cell);
  const hN = new Float64Array(L * D * B * H);
  const cN = cell === 'lstm' ? new Float64Array(L * D * B * H) : undefined;

  let input: ArrayLike<number> = x.data;
  let inWidth = I;
  for (let l = 0; l < L; l++) {
    const out = new Float64Array(T * B * D * H);
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const get = (name: string): ArrayLike<number> => {
        const p = params[name + sfx];
        if (!p) throw new Error(`reference: missing parameter ${name + sfx}`);
        return p.data;
      };
      const wIh = get('weight_ih');
      const wHh = get('weight_hh');
      const bIh = hasBias ? get('bias_ih') : undefined;
      const bHh = hasBias ? get('bias_hh') : undefined;
      const state = l * D + d;
      for (let b = 0; b < B; b++) {
        const h = new Float64Array(H);
        const c = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const at = (state * B + b) * H + j;
          h[j] = h0 ? h0.data[at]! : 0;
          c[j] = c0 ? c0.data[at]! : 0;
        }
        for (let step = 0; step < T; step++) {
          const t = d === 0 ? step : T - 1 - step;
          const gi = affine(wIh, G * H, inWidth, input, (t * B + b) * inWidth, bIh);
          const gh = affine(wHh, G * H, H, h, 0, bHh);
          if (cell === 'gru_reset_before') {
            // The candidate's hidden term multiplies r·h: r from this step's r rows first.
            const rh = new Float64Array(H);
            for (let j = 0; j < H; j++) rh[j] = sigmoid(gi[j]! + gh[j]!) * h[j]!;
            const hn = affine(Array.prototype.slice.call(wHh, 2 * H * H), H, H, rh, 0, bHh ? Array.prototype.slice.call(bHh, 2 * H) : undefined);
            for (let j = 0; j < H; j++) {
              const z = sigmoid(gi[H + j]! + gh[H + j]!);
              const n = Math.tanh(gi[2 * H + j]! + hn[j]!);
              h[j] = (1 - z) * n + z * h[j]!;
            }
            for (let j = 0; j < H; j++) out[(t * B + b) * D * H + d * H + j] = h[j]!;
            continue;
          }
          for (let j = 0; j < H; j++) {
            if (cell === 'rnn_tanh' || cell === 'rnn_relu') {
              const pre = gi[j]! + gh[j]!;
              h[j] = cell === 'rnn_tanh' ? Math.tanh(pre) : relu(pre);
            } else if (cell === 'lstm') {
              const ig = sigmoid(gi[j]! + gh[j]!);
              const fg = sigmoid(gi[H + j]! + gh[H + j]!);
              const gg = Math.tanh(gi[2 * H + j]! + gh[2 * H + j]!);
              const og = sigmoid(gi[3 * H + j]! + gh[3 * H + j]!);
              c[j] = fg * c[j]! + ig * gg;
              h[j] = og * Math.tanh(c[j]!);
            } else {
              const r = sigmoid(gi[j]! + gh[j]!);
              const z = sigmoid(gi[H + j]! + gh[H + j]!);
              const n = Math.tanh(gi[2 * H + j]! + r * gh[2 * H + j]!);
              h[j] = (1 - z) * n + z * h[j]!;
            }
          }
          for (let j = 0; j < H; j++) out[(t * B + b) * D * H + d * H + j] = h[j]!;
        }
        for (let j = 0; j < H; j++) {
          const at = (state * B + b) * H + j;
          hN[at] = h[j]!;
          if (cN) cN[at] = c[j]!;
        }
      }
    }
    input = out;
    inWidth = D * H;
  }
  return cN ? { output: input as Float64Array, hN, cN } : { output: input as Float64Array, hN };
}
