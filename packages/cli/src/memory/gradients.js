/**
 * ‖∂L/∂h_t‖ against t for a trained model [cell, Dense(1)] on the adding problem, through the
 * library's layer API. The public API gives gradients with respect to a layer's *initial*
 * state (backward's `h0`, `c0`), so cut the sequence at t: run steps 0..t to get the state
 * (h_t, c_t), then run steps t+1..T−1 from that state in training mode and backpropagate the
 * loss's gradient at the last step. The gradient with respect to that run's initial state is
 * exactly ∂L/∂h_t of the whole sequence (the same function of h_t, the same BPTT). The loss
 * gradient at h_T is the Dense readout's: L = mean_b (w·h_T + b − y)², so
 * ∂L/∂h_T[b] = 2(ŷ_b − y_b)·w / B.
 */
import { GRU, LSTM, RNN, tensor } from 'wasm-rnn';

const LAYERS = { lstm: LSTM, gru: GRU, rnn: RNN };

function steps(x, from, to) {
  const [, B, F] = x.shape;
  return tensor(x.data.slice(from * B * F, to * B * F), [to - from, B, F]);
}

function norm(t) {
  let s = 0;
  for (const v of t.data) s += v * v;
  return Math.sqrt(s);
}

/** Returns [{ t, norm }] for about `points` values of t from 0 to T−1. */
export function hiddenGradientNorms(model, cellName, hidden, x, y, points = 40) {
  const dict = model.stateDict();
  const layer = new LAYERS[cellName]({ inputSize: x.shape[2], hiddenSize: hidden, nonlinearity: 'tanh' });
  try {
    layer.loadStateDict(Object.fromEntries(Object.entries(dict).filter(([k]) => k.startsWith('0.')).map(([k, v]) => [k.slice(2), v])));
    const w = dict['1.weight'].data;
    const bias = dict['1.bias'].data[0];
    const [T, B] = x.shape;
    const whole = layer.forward(x);
    const dhT = new Float32Array(B * hidden);
    for (let b = 0; b < B; b++) {
      let yHat = bias;
      for (let k = 0; k < hidden; k++) yHat += w[k] * whole.hN.data[b * hidden + k];
      const g = (2 * (yHat - y.data[b])) / B;
      for (let k = 0; k < hidden; k++) dhT[b * hidden + k] = g * w[k];
    }
    const gradHN = tensor(dhT, [1, B, hidden]);
    const out = [];
    const stride = Math.max(1, Math.floor(T / points));
    for (let t = T - 1; t >= 0; t -= stride) {
      if (t === T - 1) {
        out.push({ t: t + 1, norm: norm(gradHN) });
        continue;
      }
      const prefix = layer.forward(steps(x, 0, t + 1));
      const state = cellName === 'lstm' ? { h0: prefix.hN, c0: prefix.cN } : { h0: prefix.hN };
      layer.forward(steps(x, t + 1, T), { ...state, training: true });
      const grads = layer.backward({ hN: gradHN });
      out.push({ t: t + 1, norm: norm(grads.h0) });
    }
    return out.reverse();
  } finally {
    layer.dispose();
  }
}
