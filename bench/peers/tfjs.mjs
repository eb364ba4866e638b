// TensorFlow.js layers (tf.layers.lstm / gru / simpleRNN) on the cpu (plain JS) or wasm backend,
// eager execution, with the case's PyTorch weights converted to Keras' layout.
//
// Keras LSTM gates i, f, c, o = PyTorch's i, f, g, o; kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ,
// bias = b_ih + b_hh (recurrentActivation 'sigmoid', unitForgetBias false). SimpleRNN likewise.
// Keras GRU gates are z, r, h (PyTorch: r, z, n). PyTorch's GRU is Keras' resetAfter=true, which
// TF.js's GRUCell refuses ("does not support reset_after"): the TF.js GRU computes the
// reset-before GRU, a different function, so it is timed as a cost reference only.
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { pkgVersion } from '../lib/versions.mjs';

const GATE_ORDER = { lstm: [0, 1, 2, 3], gru: [1, 0, 2], rnn: [0] };

/** PyTorch [G·H, K] (gate blocks in PyTorch order) → Keras [K, G·H] (gate blocks in Keras order). */
export function toKeras(w, cell, H, K) {
  const order = GATE_ORDER[cell];
  const G = order.length;
  const out = new Float32Array(K * G * H);
  for (let gk = 0; gk < G; gk++) {
    const gp = order[gk];
    for (let j = 0; j < H; j++) {
      const src = (gp * H + j) * K;
      const col = gk * H + j;
      for (let k = 0; k < K; k++) out[k * G * H + col] = w[src + k];
    }
  }
  return out;
}

/** Inverse of toKeras (for gradients). */
export function fromKeras(w, cell, H, K) {
  const order = GATE_ORDER[cell];
  const G = order.length;
  const out = new Float32Array(G * H * K);
  for (let gk = 0; gk < G; gk++) {
    const gp = order[gk];
    for (let j = 0; j < H; j++) {
      const dst = (gp * H + j) * K;
      const col = gk * H + j;
      for (let k = 0; k < K; k++) out[dst + k] = w[k * G * H + col];
    }
  }
  return out;
}

export function biasToKeras(b, cell, H) {
  const order = GATE_ORDER[cell];
  const out = new Float32Array(order.length * H);
  order.forEach((gp, gk) => out.set(b.subarray(gp * H, (gp + 1) * H), gk * H));
  return out;
}

/** Selects and readies a backend; 'wasm' = the single-threaded SIMD build. */
export async function useBackend(backend) {
  if (backend === 'wasm') {
    // Single-threaded SIMD build (the threaded one would spawn workers).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tfwasm.setThreadsCount?.(1);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}

/** What the info answer says about TF.js and its backend. */
export async function backendInfo(backend) {
  const simd = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : undefined;
  return {
    package: `@tensorflow/tfjs@${pkgVersion('@tensorflow/tfjs')}`,
    backendPackage: backend === 'wasm' ? `@tensorflow/tfjs-backend-wasm@${pkgVersion('@tensorflow/tfjs-backend-wasm')}` : '@tensorflow/tfjs-backend-cpu (bundled)',
    backend: tf.getBackend(),
    ...(backend === 'wasm' ? { simd, threads: tfwasm.getThreadsCount?.() } : {}),
  };
}

export async function create({ backend }) {
  await useBackend(backend);
  let m, layer, x, xs, wOut, state, lstm, vars;

  const dispose = (...ts) => ts.forEach((t) => t?.dispose?.());

  function step() {
    if (state.t === m.seq) {
      dispose(state.h, state.c);
      state = { t: 0, h: tf.zeros([m.batch, m.hidden]), c: lstm ? tf.zeros([m.batch, m.hidden]) : null };
    }
    const r = layer.apply(xs[state.t], { initialState: lstm ? [state.h, state.c] : [state.h] });
    const y = r[0].dataSync(); // the step's output, read back to JS
    dispose(r[0], state.h, state.c);
    state.h = r[1];
    state.c = lstm ? r[2] : null;
    state.t++;
    return y;
  }

  function trainStep() {
    const { value, grads } = tf.variableGrads(() => {
      const [y] = layer.apply(x);
      return tf.sum(tf.matMul(tf.reshape(y, [m.batch * m.seq, m.hidden]), wOut)); // Σ_t Σ_b w_out·h_t
    }, vars);
    return { value, grads };
  }

  return {
    async info() {
      return backendInfo(backend);
    },
    async setup(meta, data) {
      layer?.dispose?.();
      dispose(x, wOut, ...(xs ?? []), state?.h, state?.c);
      tf.disposeVariables();
      m = meta;
      const { cell, seq: T, batch: B, input: I, hidden: H } = meta;
      lstm = cell === 'lstm';
      const common = {
        units: H,
        returnSequences: true,
        returnState: true,
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
        biasInitializer: 'zeros',
      };
      if (cell === 'lstm') layer = tf.layers.lstm({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: false });
      else if (cell === 'gru') layer = tf.layers.gru({ ...common, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false });
      else layer = tf.layers.simpleRNN({ ...common, activation: 'tanh' });
      // x: PyTorch's [T, B, I] → Keras' [B, T, I] once, outside the timed calls (each library
      // gets its native layout).
      const xb = new Float32Array(T * B * I);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) xb.set(data.x.subarray((t * B + b) * I, (t * B + b + 1) * I), (b * T + t) * I);
      x = tf.tensor3d(xb, [B, T, I]);
      xs = [];
      for (let t = 0; t < T; t++) {
        const s = new Float32Array(B * I);
        for (let b = 0; b < B; b++) s.set(data.x.subarray((t * B + b) * I, (t * B + b + 1) * I), b * I);
        xs.push(tf.tensor3d(s, [B, 1, I]));
      }
      dispose(...layer.apply(x)); // builds the weights
      const bias = new Float32Array(data.bias_ih.length);
      for (let i = 0; i < bias.length; i++) bias[i] = data.bias_ih[i] + data.bias_hh[i];
      layer.setWeights([
        tf.tensor2d(toKeras(data.weight_ih, cell, H, I), [I, meta.gates * H]),
        tf.tensor2d(toKeras(data.weight_hh, cell, H, H), [H, meta.gates * H]),
        tf.tensor1d(biasToKeras(bias, cell, H)),
      ]);
      wOut = tf.tensor2d(new Float32Array(data.w_out), [H, 1]);
      vars = layer.trainableWeights.map((w) => w.read());
      state = { t: T };
      const notes = [];
      let modes = { infer: true, stream: true, train: true };
      if (cell === 'gru') {
        const why = 'TF.js GRUCell has no resetAfter=true (PyTorch\'s GRU): it computes the reset-before GRU, a different function';
        notes.push(why);
        modes = { infer: { costRef: why }, stream: { costRef: why }, train: { costRef: why } };
      }
      return { modes, notes };
    },
    async prepare(mode) {
      if (mode === 'infer') {
        return {
          fn: () => {
            const r = layer.apply(x);
            const y = r[0].dataSync();
            dispose(...r);
            return y;
          },
        };
      }
      if (mode === 'stream') return { fn: step };
      return {
        fn: () => {
          const { value, grads } = trainStep();
          dispose(value, ...Object.values(grads));
        },
      };
    },
    async check(mode) {
      const { seq: T, batch: B, hidden: H, input: I, cell } = m;
      const toTBH = (y) => {
        const out = new Float32Array(T * B * H);
        for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(y.subarray((b * T + t) * H, (b * T + t + 1) * H), (t * B + b) * H);
        return out;
      };
      if (mode === 'infer') {
        const r = layer.apply(x);
        const res = { output: toTBH(r[0].dataSync()), hN: r[1].dataSync(), cN: lstm ? r[2].dataSync() : undefined };
        dispose(...r);
        return res;
      }
      if (mode === 'stream') {
        state.t = T;
        const ys = new Float32Array(T * B * H);
        for (let t = 0; t < T; t++) ys.set(step(), t * B * H);
        const res = { output: ys, hN: state.h.dataSync(), cN: lstm ? state.c.dataSync() : undefined };
        state.t = T;
        return res;
      }
      const r = layer.apply(x);
      const output = toTBH(r[0].dataSync());
      dispose(...r);
      const { value, grads } = trainStep();
      const g = (i) => grads[vars[i].name].dataSync();
      const res = { output, grad_weight_ih: fromKeras(g(0), cell, H, I), grad_weight_hh: fromKeras(g(1), cell, H, H) };
      if (cell !== 'gru') res.grad_bias_ih = res.grad_bias_hh = new Float32Array(g(2));
      dispose(value, ...Object.values(grads));
      return res;
    },
  };
}
