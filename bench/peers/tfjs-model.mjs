// The `model` mode (bench/model.mjs): the same character model in TensorFlow.js layers,
// tf.sequential([embedding, lstm(returnSequences), dense]), trained with model.fit on the wasm
// backend (single-threaded SIMD build, as in peers/tfjs.mjs), from the case's initial weights.
//
// Timed calls:
//   fit           model.fit(x, y, { batchSize: B, epochs: 1, shuffle: false }) over K batches
//                 (K = meta.tfjsBatches); per step = ms / K. What a TF.js user's training loop is.
//   trainOnBatch  model.trainOnBatch(x0, y0) on batch 0 (no fit machinery: callbacks, slicing)
//
// Same function as PyTorch's: cross-entropy from logits, mean over the T·B targets; Adam
// (lr, betas 0.9/0.999, eps 1e-8 — TF.js' default eps would be 1e-7); gradients clipped to a global
// L2 norm (torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when below 1).
// Two things TF.js has no switch for, done through its public API:
// - clipping: TF.js optimizers take no clipnorm, so an AdamOptimizer subclass clips in
//   applyGradients, which model.fit reaches through optimizer.minimize;
// - the loss: TF.js' sparseCategoricalCrossentropy(…, fromLogits = true) clips its input to
//   [1e-7, 1 − 1e-7] *before* the softmax (tfjs-layers 4.22 losses.js), i.e. it clips the logits, a
//   different function. So targets are one-hot [B, T, V] and the loss is
//   tf.losses.softmaxCrossEntropy(yTrue, logits) per position (Keras' categorical cross-entropy
//   from logits), which model.fit averages.
import * as tf from '@tensorflow/tfjs';
import { modelData } from '../lib/model-case.mjs';
import { backendInfo, biasToKeras, toKeras, useBackend } from './tfjs.mjs';

/** Adam whose applyGradients first scales the gradients to a global L2 norm ≤ maxNorm. */
class ClippedAdam extends tf.AdamOptimizer {
  constructor(lr, maxNorm) {
    super(lr, 0.9, 0.999, 1e-8);
    this.maxNorm = maxNorm;
    this.lastNorm = null;
  }
  applyGradients(variableGradients) {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    tf.tidy(() => {
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g.tensor)))));
      const scale = tf.minimum(1, tf.div(this.maxNorm, tf.add(norm, 1e-6)));
      this.lastNorm?.dispose();
      this.lastNorm = tf.keep(norm);
      super.applyGradients(list.map((g) => ({ name: g.name, tensor: tf.mul(g.tensor, scale) })));
    });
  }
}

export async function create({ backend = 'wasm' }) {
  await useBackend(backend);
  let m, model, optimizer, weights, xAll, yAll, x0, y0, xCheck;

  const dispose = (...ts) => ts.forEach((t) => t?.dispose?.());

  /** Initial weights and a fresh optimizer (compile with it). */
  function reset() {
    model.layers[0].setWeights([weights.emb]);
    model.layers[1].setWeights([weights.kernel, weights.recurrent, weights.bias]);
    model.layers[2].setWeights([weights.denseKernel, weights.denseBias]);
    optimizer?.dispose();
    optimizer = new ClippedAdam(m.lr, m.clip);
    model.compile({
      optimizer,
      loss: (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits, undefined, 0, tf.Reduction.NONE),
    });
  }

  return {
    async info() {
      return backendInfo(backend);
    },
    async setup(meta, raw) {
      m = meta;
      const { seq: T, batch: B, vocab: V, embed: E, hidden: H, tfjsBatches: K } = m;
      const d = modelData(meta, raw);
      model?.dispose();
      dispose(xAll, yAll, x0, y0, xCheck, ...Object.values(weights ?? {}));
      model = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: V, outputDim: E, inputShape: [T] }),
          tf.layers.lstm({ units: H, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: false }),
          tf.layers.dense({ units: V }),
        ],
      });
      const p = d.params;
      const bias = new Float32Array(4 * H);
      for (let i = 0; i < bias.length; i++) bias[i] = p['1.bias_ih_l0'].data[i] + p['1.bias_hh_l0'].data[i];
      const dense = new Float32Array(H * V); // Keras kernel [in, out] = Linear weightᵀ
      for (let o = 0; o < V; o++) for (let i = 0; i < H; i++) dense[i * V + o] = p['2.weight'].data[o * H + i];
      weights = {
        emb: tf.tensor2d(p['0.weight'].data, [V, E]),
        kernel: tf.tensor2d(toKeras(p['1.weight_ih_l0'].data, 'lstm', H, E), [E, 4 * H]),
        recurrent: tf.tensor2d(toKeras(p['1.weight_hh_l0'].data, 'lstm', H, H), [H, 4 * H]),
        bias: tf.tensor1d(biasToKeras(bias, 'lstm', H)),
        denseKernel: tf.tensor2d(dense, [H, V]),
        denseBias: tf.tensor1d(p['2.bias'].data),
      };
      // Keras' layout: batch-first. ids [K·B, T] (float: Embedding casts), targets one-hot [K·B, T, V].
      const batchFirst = (ids, nb) => {
        const S = nb * B;
        const out = new Float32Array(S * T);
        for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) out[s * T + t] = ids[t * S + s];
        return out;
      };
      const xs = batchFirst(d.slice(d.ids, 0, K), K);
      const ys = batchFirst(d.slice(d.targets, 0, K), K);
      const oneHot = new Float32Array(K * B * T * V);
      ys.forEach((c, i) => {
        oneHot[i * V + c] = 1;
      });
      xAll = tf.tensor2d(xs, [K * B, T]);
      yAll = tf.tensor3d(oneHot, [K * B, T, V]);
      x0 = tf.tensor2d(xs.subarray(0, B * T), [B, T]);
      y0 = tf.tensor3d(oneHot.subarray(0, B * T * V), [B, T, V]);
      reset();
      return { modes: { fit: { stepsPerCall: K }, trainOnBatch: true } };
    },
    async prepare(mode) {
      if (mode === 'fit') return { fn: () => model.fit(xAll, yAll, { batchSize: m.batch, epochs: 1, shuffle: false, verbose: 0 }), isAsync: true };
      if (mode === 'trainOnBatch') return { fn: () => model.trainOnBatch(x0, y0), isAsync: true };
      throw new Error(`unknown mode ${mode}`);
    },
    async check(mode) {
      if (mode !== 'fit') throw new Error(`no check for ${mode}`);
      const { seq: T, batch: B, vocab: V } = m;
      reset();
      const pred = model.predict(x0);
      const yb = pred.dataSync(); // [B, T, V] → [T, B, V]
      dispose(pred);
      const logits0 = new Float32Array(T * B * V);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) logits0.set(yb.subarray((b * T + t) * V, (b * T + t + 1) * V), (t * B + b) * V);
      const losses = [];
      const gradNorms = [];
      for (let i = 0; i < m.checkSteps; i++) {
        const h = await model.fit(x0, y0, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
        losses.push(h.history.loss[0]);
        gradNorms.push(optimizer.lastNorm.dataSync()[0]);
      }
      reset();
      return { logits0, losses: Float32Array.from(losses), gradNorms: Float32Array.from(gradNorms) };
    },
    async teardown() {
      model?.dispose();
      optimizer?.dispose();
      model = optimizer = undefined;
    },
  };
}
