// The `model` mode (bench/model.mjs): the same character model in TensorFlow.js layers,
// tf.sequential([embedding, lstm(returnSequences), dense]), trained with model.fit on the wasm
// backend (single-threaded SIMD build, as in peers/tfjs.mjs), from the case's initial weights.
//
// The embedding: tfjs-backend-wasm 4.22 has no UnsortedSegmentSum kernel, which the gradient of
// tf.layers.embedding (a gather) needs, so fit with an Embedding layer fails on the wasm backend
// ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). The model takes the ids
// one-hot instead ([B, T, V], made once outside the timed calls) through
// dense({ units: E, useBias: false }) whose kernel is the embedding table: the same function and
// parameters (its extra work, a [T·B, V] × [V, E] product, is 0.4 % of the step's FLOPs).
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

/**
 * Adam whose applyGradients first scales the gradients to a global L2 norm ≤ maxNorm (of this
 * model's own parameters). With `torchNormOf` set (checks only) it also records the norm PyTorch
 * would see: Keras' LSTM has one bias where PyTorch has b_ih and b_hh, each with the same
 * gradient, so PyTorch's squared norm counts that gradient twice.
 */
class ClippedAdam extends tf.AdamOptimizer {
  constructor(lr, maxNorm) {
    super(lr, 0.9, 0.999, 1e-8);
    this.maxNorm = maxNorm;
    this.torchNormOf = null;
    this.lastTorchNorm = null;
  }
  applyGradients(variableGradients) {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    tf.tidy(() => {
      const squares = list.map((g) => tf.sum(tf.square(g.tensor)));
      const sumSq = tf.addN(squares);
      const norm = tf.sqrt(sumSq);
      if (this.torchNormOf !== null) {
        const bias = list.findIndex((g) => g.name === this.torchNormOf);
        this.lastTorchNorm?.dispose();
        this.lastTorchNorm = tf.keep(tf.sqrt(tf.add(sumSq, squares[bias])));
      }
      const scale = tf.minimum(1, tf.div(this.maxNorm, tf.add(norm, 1e-6)));
      super.applyGradients(list.map((g) => ({ name: g.name, tensor: tf.mul(g.tensor, scale) })));
    });
  }
}

export async function create({ backend = 'wasm' }) {
  await useBackend(backend);
  let m, model, optimizer, weights, xAll, yAll, x0, y0;

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
      dispose(xAll, yAll, x0, y0, ...Object.values(weights ?? {}));
      model = tf.sequential({
        layers: [
          tf.layers.dense({ units: E, useBias: false, inputShape: [T, V], kernelInitializer: 'zeros' }), // the embedding (see the top)
          tf.layers.lstm({ units: H, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: false, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }),
          tf.layers.dense({ units: V, kernelInitializer: 'zeros' }),
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
      // Keras' layout: batch-first. ids and targets one-hot [K·B, T, V].
      const batchFirst = (ids, nb) => {
        const S = nb * B;
        const out = new Float32Array(S * T);
        for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) out[s * T + t] = ids[t * S + s];
        return out;
      };
      const xs = batchFirst(d.slice(d.ids, 0, K), K);
      const ys = batchFirst(d.slice(d.targets, 0, K), K);
      const oneHot = (ids) => {
        const out = new Float32Array(ids.length * V);
        ids.forEach((c, i) => {
          out[i * V + c] = 1;
        });
        return out;
      };
      const xh = oneHot(xs);
      const yh = oneHot(ys);
      xAll = tf.tensor3d(xh, [K * B, T, V]);
      yAll = tf.tensor3d(yh, [K * B, T, V]);
      x0 = tf.tensor3d(xh.subarray(0, B * T * V), [B, T, V]);
      y0 = tf.tensor3d(yh.subarray(0, B * T * V), [B, T, V]);
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
      optimizer.torchNormOf = model.layers[1].trainableWeights[2].read().name; // the LSTM's bias
      for (let i = 0; i < m.checkSteps; i++) {
        const h = await model.fit(x0, y0, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
        losses.push(h.history.loss[0]);
        gradNorms.push(optimizer.lastTorchNorm.dataSync()[0]);
      }
      reset();
      // Losses after an update differ by ~1e-4 relative: with one bias vector, Adam moves the LSTM's
      // summed bias half as far per step as PyTorch's two (bench/model.mjs loosens that check).
      return { logits0, losses: Float32Array.from(losses), gradNorms: Float32Array.from(gradNorms) };
    },
    async teardown() {
      model?.dispose();
      optimizer?.dispose();
      model = optimizer = undefined;
    },
  };
}
