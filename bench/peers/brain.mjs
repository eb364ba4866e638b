// brain.js recurrent time-step nets (LSTMTimeStep, GRUTimeStep, RNNTimeStep): a COST REFERENCE only.
//
// brain.js has its own cells (its LSTM gates the previous h instead of a separate cell state,
// its own random init, an output layer H → outputSize on every step), runs one sequence at a
// time (batch 1) and has no way to carry state between calls. So it is never checked against the
// others' numbers, runs only batch-1 shapes, and has no streaming mode. Its matrices hold the
// same number of multiply-adds per step as ours (4, 3 or 1 gate blocks of H×(I+H)).
// infer = net.runArrays(x) over the T steps; train = net.trainArrays(x) (T−1 steps predicting
// the next input, outputSize = I) + net.backpropagate() (gradients only, no weight update).
import { createRequire } from 'node:module';
import { pkgVersion } from '../lib/versions.mjs';

const require = createRequire(import.meta.url);

export async function create() {
  const brain = require('brain.js');
  let net, inputs;
  return {
    async info() {
      return { package: `brain.js@${pkgVersion('brain.js')}`, gpu: `gpu.js@${pkgVersion('gpu.js')}` };
    },
    async setup(meta, data) {
      const { cell, seq: T, batch: B, input: I, hidden: H } = meta;
      const costRef = { costRef: "brain.js's own cell variant and init, batch 1: cost reference, numbers not comparable" };
      const noStream = 'brain.js cannot carry state from one call to the next';
      if (B !== 1) {
        const why = `brain.js runs one sequence at a time (batch 1); this shape has batch ${B}`;
        return { modes: { infer: why, stream: why, train: why } };
      }
      const Net = { lstm: brain.recurrent.LSTMTimeStep, gru: brain.recurrent.GRUTimeStep, rnn: brain.recurrent.RNNTimeStep }[cell];
      net = new Net({ inputSize: I, hiddenLayers: [H], outputSize: I });
      net.initialize();
      // run() returns null until equations are bound (it expects train() first).
      while (net.model.equations.length <= T + 1) net.bindEquation();
      inputs = [];
      for (let t = 0; t < T; t++) inputs.push(Float32Array.from(data.x.subarray(t * I, (t + 1) * I)));
      return { modes: { infer: costRef, stream: noStream, train: costRef }, notes: [costRef.costRef] };
    },
    async prepare(mode) {
      if (mode === 'infer') return { fn: () => net.runArrays(inputs) };
      if (mode === 'train') {
        return {
          fn: () => {
            net.trainArrays(inputs);
            net.backpropagate();
          },
        };
      }
      throw new Error('no streaming');
    },
    async check() {
      throw new Error('brain.js is a cost reference: nothing to check');
    },
  };
}
