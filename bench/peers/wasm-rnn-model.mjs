// The `model` mode (bench/model.mjs): this library's Sequential character model
// (Embedding → LSTM → Dense, cross-entropy, Adam, clipGradNorm), one wasm variant per process.
//
// Timed calls ("modes" of this peer):
//   step    one trainStep(x, y) on batch 0 (ids [T, B] Int32, targets [T, B] Int32)
//   loop    trainStep over batches 0..N−1 in a bare JS loop (N = meta.fitBatches; per step = ms / N)
//   fit     model.fit over the same N batches (epochs 1, batchSize B, shuffle false; per step = ms / N).
//           Its answer also says how much of that time was spent inside trainStep (insideMs: the
//           model's trainStep is wrapped with a timer during these calls), so fit's own overhead
//           is measured within each call, not only as the difference of two noisy rows.
//   lstm    the standalone LSTM layer at the model's shapes: forward(x [T, B, E], training) +
//           backward({ output }) through the layer API: the recurrent kernels plus the layer
//           API's copies across the JS/wasm boundary
//   copies  those copies alone, done in JS (fresh result arrays, as the layer API returns them):
//           what `lstm` spends besides the kernels, to bound the non-recurrent share from both sides
import { modelData } from '../lib/model-case.mjs';

export async function create({ variant, library }) {
  const lib = await import(library.url);
  const { variant: loaded } = await lib.init({ variant });
  let m, d, model, layer, batches, all, lstmX, lstmDOut, initial;

  const build = () => {
    model?.dispose();
    model = new lib.Sequential(
      [
        new lib.Embedding({ numEmbeddings: m.vocab, embeddingDim: m.embed }),
        new lib.LSTM({ inputSize: m.embed, hiddenSize: m.hidden }),
        new lib.Dense({ inputSize: m.hidden, outputSize: m.vocab }),
      ],
      { seed: 1 },
    );
    reset();
  };
  /** Initial weights of the case and a fresh optimizer state (compile restarts it). */
  const reset = () => {
    model.loadStateDict(initial);
    model.compile({ loss: 'crossEntropy', optimizer: new lib.Adam({ lr: m.lr }), clipGradNorm: m.clip });
  };

  /** The byte traffic of one layer-API forward(training) + backward, as fresh JS arrays. */
  const copyPlan = () => {
    const { seq: T, batch: B, embed: E, hidden: H } = m;
    const G = 4 * H;
    const into = [T * B * E, T * B * H]; // x, output gradient (copied into wasm memory)
    const out = [T * B * H + 2 * B * H, T * B * E + 2 * B * H + G * E + G * H + 2 * G]; // forward results, backward results
    const src = new Float32Array(Math.max(...into, ...out)).fill(0.5);
    const scratch = new Float32Array(Math.max(...into));
    return () => {
      for (const n of into) scratch.set(src.subarray(0, n));
      let s = 0;
      for (const n of out) {
        const a = new Float32Array(n);
        a.set(src.subarray(0, n));
        s += a[n - 1];
      }
      return s;
    };
  };

  return {
    async info() {
      return { package: library.package, variant: loaded };
    },
    async setup(meta, raw) {
      m = meta;
      d = modelData(meta, raw);
      initial = {};
      for (const [name, { data, shape }] of Object.entries(d.params)) initial[name] = lib.tensor(data, shape);
      batches = d.batches.map((b) => ({ x: { data: b.ids, shape: [m.seq, m.batch] }, y: { data: b.targets, shape: [m.seq, m.batch] } }));
      all = { x: { data: d.ids, shape: [m.seq, m.fitBatches * m.batch] }, y: { data: d.targets, shape: [m.seq, m.fitBatches * m.batch] } };
      build();
      layer?.dispose();
      layer = new lib.LSTM({ inputSize: m.embed, hiddenSize: m.hidden, seed: 1 });
      layer.loadStateDict({ weight_ih_l0: initial['1.weight_ih_l0'], weight_hh_l0: initial['1.weight_hh_l0'], bias_ih_l0: initial['1.bias_ih_l0'], bias_hh_l0: initial['1.bias_hh_l0'] });
      lstmX = lib.tensor(d.lstmX, [m.seq, m.batch, m.embed]);
      lstmDOut = lib.tensor(d.lstmDOut, [m.seq, m.batch, m.hidden]);
      const N = m.fitBatches;
      return { modes: { step: true, loop: { stepsPerCall: N }, fit: { stepsPerCall: N }, lstm: true, copies: true } };
    },
    async prepare(mode) {
      const b0 = batches[0];
      switch (mode) {
        case 'step':
          return { fn: () => model.trainStep(b0.x, b0.y) };
        case 'loop':
          return {
            fn: () => {
              let s = 0;
              for (const b of batches) s += model.trainStep(b.x, b.y);
              return s;
            },
          };
        case 'fit': {
          // fit calls model.trainStep: an own property shadows the class method while timing.
          let inside = 0;
          const plain = model.trainStep;
          const timedStep = function (...args) {
            const t0 = performance.now();
            try {
              return plain.apply(this, args);
            } finally {
              inside += performance.now() - t0;
            }
          };
          const fit = async () => {
            model.trainStep = timedStep;
            try {
              return await model.fit(all.x, all.y, { epochs: 1, batchSize: m.batch, shuffle: false });
            } finally {
              delete model.trainStep;
            }
          };
          const report = () => {
            const v = inside;
            inside = 0;
            return { insideMs: v };
          };
          return { fn: fit, isAsync: true, report };
        }
        case 'lstm':
          return {
            fn: () => {
              layer.forward(lstmX, { training: true });
              return layer.backward({ output: lstmDOut });
            },
          };
        case 'copies':
          return { fn: copyPlan() };
        default:
          throw new Error(`unknown mode ${mode}`);
      }
    },
    async check(mode) {
      if (mode !== 'step') throw new Error(`no check for ${mode}`);
      const b0 = batches[0];
      reset();
      const logits0 = model.predict(b0.x).data;
      const losses = [];
      const gradNorms = [];
      for (let i = 0; i < m.checkSteps; i++) {
        losses.push(model.trainStep(b0.x, b0.y));
        gradNorms.push(model.lastGradNorm());
      }
      // fit (shuffle false) over the N batches against the bare loop, from the same start.
      reset();
      await model.fit(all.x, all.y, { epochs: 1, batchSize: m.batch, shuffle: false });
      const afterFit = model.getWeights();
      reset();
      for (const b of batches) model.trainStep(b.x, b.y);
      const afterLoop = model.getWeights();
      let fitVsLoop = 0;
      for (let i = 0; i < afterFit.length; i++) fitVsLoop = Math.max(fitVsLoop, Math.abs(afterFit[i] - afterLoop[i]));
      reset();
      return { logits0, losses: Float32Array.from(losses), gradNorms: Float32Array.from(gradNorms), fitVsLoopMaxAbsDiff: Float32Array.of(fitVsLoop) };
    },
    async teardown() {
      model?.dispose();
      layer?.dispose();
      model = layer = undefined;
    },
  };
}
