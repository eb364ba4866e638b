// Shared by the onnxruntime peers: runs the ONNX model that the PyTorch peer exported from the
// very nn.Module it times (inputs x, h0[, c0]; outputs y, hN[, cN]; T and B dynamic).
// Inference only: onnxruntime-web / -node have no training API for these models.

/**
 * @param {object} ort       the onnxruntime module (web or node)
 * @param {object} sessionOptions
 * @param {object} info      extra info() fields
 */
export function onnxPeer(ort, sessionOptions, info) {
  let m, session, feedsFull, xs, state;
  const lstm = () => m.cell === 'lstm';
  const zeros = () => new ort.Tensor('float32', new Float32Array(m.batch * m.hidden), [1, m.batch, m.hidden]);

  async function step() {
    if (state.t === m.seq) state = { t: 0, h: zeros(), c: zeros() };
    const feeds = { x: xs[state.t], h0: state.h };
    if (lstm()) feeds.c0 = state.c;
    const r = await session.run(feeds);
    state.h = r.hN;
    if (lstm()) state.c = r.cN;
    state.t++;
    return r;
  }

  return {
    async info() {
      return info;
    },
    async setup(meta, data) {
      m = meta;
      if (session) await session.release?.();
      session = undefined;
      const no = 'inference only (no training API for these models)';
      if (!meta.onnxPath) {
        const why = 'no ONNX model (the PyTorch peer that exports it is unavailable)';
        return { modes: { infer: why, stream: why, train: no } };
      }
      session = await ort.InferenceSession.create(meta.onnxPath, sessionOptions);
      const { seq, batch, input } = meta;
      const x = new Float32Array(data.x);
      feedsFull = { x: new ort.Tensor('float32', x, [seq, batch, input]), h0: zeros() };
      if (lstm()) feedsFull.c0 = zeros();
      xs = [];
      for (let t = 0; t < seq; t++) xs.push(new ort.Tensor('float32', x.slice(t * batch * input, (t + 1) * batch * input), [1, batch, input]));
      state = { t: seq };
      return { modes: { infer: true, stream: true, train: no } };
    },
    async prepare(mode) {
      if (mode === 'infer') return { fn: () => session.run(feedsFull), isAsync: true };
      if (mode === 'stream') return { fn: step, isAsync: true };
      throw new Error('training is not supported');
    },
    async check(mode) {
      if (mode === 'infer') {
        const r = await session.run(feedsFull);
        return { output: r.y.data, hN: r.hN.data, cN: lstm() ? r.cN.data : undefined };
      }
      state = { t: m.seq };
      const ys = new Float32Array(m.seq * m.batch * m.hidden);
      for (let t = 0; t < m.seq; t++) ys.set((await step()).y.data, t * m.batch * m.hidden);
      const out = { output: ys, hN: state.h.data, cN: lstm() ? state.c.data : undefined };
      state = { t: m.seq };
      return out;
    },
    async teardown() {
      if (session) await session.release?.();
      session = undefined;
    },
  };
}
