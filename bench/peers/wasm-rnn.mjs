// This library (dist/ of the repository), one wasm variant per process: init({ variant }).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function create({ variant, distDir, workers = 1 }) {
  if (workers > 1) {
    // HOOK for `--workers N` (planned): a pool of N worker_threads, each with its own wasm
    // instance (init({ variant }) per worker) and a copy of the weights, splitting the batch
    // dimension of every call into N slices and concatenating outputs / summing gradients.
    // setup() would post the weights to each worker, prepare(mode) would return an async fn
    // that posts one call per worker and awaits all. Not implemented yet.
    throw new Error(`--workers ${workers}: the worker pool that splits the batch is not implemented yet (hook in bench/peers/wasm-rnn.mjs)`);
  }
  const lib = await import(pathToFileURL(join(distDir, 'index.js')).href);
  const { variant: loaded } = await lib.init({ variant }); // throws E_VARIANT_UNSUPPORTED if the engine lacks it
  const pkg = JSON.parse(readFileSync(join(distDir, '..', 'package.json'), 'utf8'));
  let layer, meta, x, xs, dOut, state;

  const Cls = { lstm: lib.LSTM, gru: lib.GRU, rnn: lib.RNN };
  const zerosState = () => {
    const n = meta.batch * meta.hidden;
    return { h: lib.tensor(new Float32Array(n), [1, meta.batch, meta.hidden]), c: lib.tensor(new Float32Array(n), [1, meta.batch, meta.hidden]) };
  };
  const lstm = () => meta.cell === 'lstm';

  function step() {
    if (state.t === meta.seq) state = { t: 0, ...zerosState() };
    const r = layer.forward(xs[state.t], lstm() ? { h0: state.h, c0: state.c } : { h0: state.h });
    state.h = r.hN;
    if (lstm()) state.c = r.cN;
    state.t++;
    return r;
  }

  return {
    async info() {
      return { package: `${pkg.name}@${pkg.version}`, variant: loaded };
    },
    async setup(m, data) {
      layer?.dispose();
      meta = m;
      const { seq, batch, input, hidden } = m;
      layer = new Cls[m.cell]({ inputSize: input, hiddenSize: hidden, seed: 1 });
      const dict = {};
      for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
        const s = m.sections.find((q) => q.name === name);
        dict[`${name}_l0`] = lib.tensor(new Float32Array(data[name]), s.shape);
      }
      layer.loadStateDict(dict);
      x = lib.tensor(new Float32Array(data.x), [seq, batch, input]);
      xs = [];
      for (let t = 0; t < seq; t++) xs.push(lib.tensor(x.data.slice(t * batch * input, (t + 1) * batch * input), [1, batch, input]));
      dOut = lib.tensor(new Float32Array(data.d_output), [seq, batch, hidden]);
      state = { t: seq };
      return { modes: { infer: true, stream: true, train: true } };
    },
    async prepare(mode) {
      if (mode === 'infer') return { fn: () => layer.forward(x) };
      if (mode === 'stream') return { fn: step };
      return {
        fn: () => {
          layer.forward(x, { training: true });
          return layer.backward({ output: dOut });
        },
      };
    },
    async check(mode) {
      if (mode === 'infer') {
        const r = layer.forward(x);
        return { output: r.output.data, hN: r.hN.data, cN: r.cN?.data };
      }
      if (mode === 'stream') {
        state = { t: meta.seq };
        const ys = new Float32Array(meta.seq * meta.batch * meta.hidden);
        for (let t = 0; t < meta.seq; t++) ys.set(step().output.data, t * meta.batch * meta.hidden);
        const out = { output: ys, hN: state.h.data, cN: lstm() ? state.c.data : undefined };
        state = { t: meta.seq };
        return out;
      }
      const f = layer.forward(x, { training: true });
      const g = layer.backward({ output: dOut });
      return {
        output: f.output.data,
        grad_weight_ih: g.params.weight_ih_l0.data,
        grad_weight_hh: g.params.weight_hh_l0.data,
        grad_bias_ih: g.params.bias_ih_l0.data,
        grad_bias_hh: g.params.bias_hh_l0.data,
      };
    },
    async teardown() {
      layer?.dispose();
      layer = undefined;
    },
  };
}
