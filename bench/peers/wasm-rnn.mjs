// This library (dist/ of the repository), one wasm variant per process: init({ variant }).
// With `pool: true` (the pool-* rows) the layer lives in a WorkerPool of `workers` threads that
// splits the batch; everything else (weights, inputs, checks) is the same. Runs in Node and in a
// browser page: the runner passes the URL of dist/index.js and the package's name@version.

export async function create({ variant, library, pool: usePool = false, workers = 1 }) {
  const lib = await import(library.url);
  const { variant: loaded } = await lib.init({ variant }); // throws E_VARIANT_UNSUPPORTED if the engine lacks it
  const pool = usePool ? await lib.WorkerPool.create({ workers, variant }) : null;
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

  /** The pool rows: same calls, awaited. */
  const pooled = {
    async setup(m) {
      if (m.batch < workers) {
        const why = `batch ${m.batch} < ${workers} workers: nothing to split`;
        return { modes: { infer: why, stream: why, train: why } };
      }
      layer = await pool[m.cell]({ inputSize: m.input, hiddenSize: m.hidden, seed: 1 });
      await layer.loadStateDict(dictOf(m));
      return { modes: { infer: true, stream: 'a pool splits the batch; one streaming step is latency-bound', train: true } };
    },
    prepare(mode) {
      if (mode === 'infer') return { fn: () => layer.forward(x), isAsync: true };
      return {
        fn: async () => {
          await layer.forward(x, { training: true });
          return layer.backward({ output: dOut });
        },
        isAsync: true,
      };
    },
    async check(mode) {
      if (mode === 'infer') {
        const r = await layer.forward(x);
        return { output: r.output.data, hN: r.hN.data, cN: r.cN?.data };
      }
      const f = await layer.forward(x, { training: true });
      const g = await layer.backward({ output: dOut });
      return gradientsOf(f, g);
    },
  };

  let data;
  const dictOf = (m) => {
    const dict = {};
    for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
      const sec = m.sections.find((q) => q.name === name);
      dict[`${name}_l0`] = lib.tensor(new Float32Array(data[name]), sec.shape);
    }
    return dict;
  };
  const gradientsOf = (f, g) => ({
    output: f.output.data,
    grad_weight_ih: g.params.weight_ih_l0.data,
    grad_weight_hh: g.params.weight_hh_l0.data,
    grad_bias_ih: g.params.bias_ih_l0.data,
    grad_bias_hh: g.params.bias_hh_l0.data,
  });

  return {
    async info() {
      return { package: library.package, variant: loaded, ...(pool ? { workers: pool.size } : {}) };
    },
    async setup(m, caseData) {
      await layer?.dispose();
      layer = undefined;
      meta = m;
      data = caseData;
      const { seq, batch, input, hidden } = m;
      x = lib.tensor(new Float32Array(data.x), [seq, batch, input]);
      dOut = lib.tensor(new Float32Array(data.d_output), [seq, batch, hidden]);
      if (pool) return pooled.setup(m);
      layer = new Cls[m.cell]({ inputSize: input, hiddenSize: hidden, seed: 1 });
      layer.loadStateDict(dictOf(m));
      xs = [];
      for (let t = 0; t < seq; t++) xs.push(lib.tensor(x.data.slice(t * batch * input, (t + 1) * batch * input), [1, batch, input]));
      state = { t: seq };
      return { modes: { infer: true, stream: true, train: true } };
    },
    async prepare(mode) {
      if (pool) return pooled.prepare(mode);
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
      if (pool) return pooled.check(mode);
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
      return gradientsOf(f, g);
    },
    // Called before every setup, so the pool stays (its idle threads do not keep the process alive).
    async teardown() {
      await layer?.dispose();
      layer = undefined;
    },
  };
}
