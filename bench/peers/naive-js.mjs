// The floor: PyTorch's LSTM / GRU / tanh-RNN math written as plain Float32Array loops (one dot
// product per gate row, no blocking, no SIMD), forward and backpropagation through time.
const sigmoid = (v) => 1 / (1 + Math.exp(-v));

export async function create() {
  let m, W, x, dOut, state;

  /** One time step for one batch row. Writes h (and c) of the new state, and the activations `act`. */
  function cellStep(xt, xo, hPrev, hpo, cPrev, hNew, cNew, so, act) {
    const { cell, input: I, hidden: H } = m;
    const { wih, whh, bih, bhh } = W;
    if (cell === 'gru') {
      // act: r, z, n, ghn (4H)
      for (let j = 0; j < 3 * H; j++) {
        let gi = bih[j];
        let gh = bhh[j];
        const ri = j * I;
        for (let k = 0; k < I; k++) gi += wih[ri + k] * xt[xo + k];
        const rh = j * H;
        for (let k = 0; k < H; k++) gh += whh[rh + k] * hPrev[hpo + k];
        act.gi[j] = gi;
        act.gh[j] = gh;
      }
      for (let j = 0; j < H; j++) {
        const r = sigmoid(act.gi[j] + act.gh[j]);
        const z = sigmoid(act.gi[H + j] + act.gh[H + j]);
        const n = Math.tanh(act.gi[2 * H + j] + r * act.gh[2 * H + j]);
        act.a[j] = r;
        act.a[H + j] = z;
        act.a[2 * H + j] = n;
        act.a[3 * H + j] = act.gh[2 * H + j];
        hNew[so + j] = (1 - z) * n + z * hPrev[hpo + j];
      }
      return;
    }
    const G = cell === 'lstm' ? 4 : 1;
    for (let j = 0; j < G * H; j++) {
      let s = bih[j] + bhh[j];
      const ri = j * I;
      for (let k = 0; k < I; k++) s += wih[ri + k] * xt[xo + k];
      const rh = j * H;
      for (let k = 0; k < H; k++) s += whh[rh + k] * hPrev[hpo + k];
      act.gi[j] = s;
    }
    if (cell === 'rnn') {
      for (let j = 0; j < H; j++) hNew[so + j] = act.a[j] = Math.tanh(act.gi[j]);
      return;
    }
    for (let j = 0; j < H; j++) {
      const i = sigmoid(act.gi[j]);
      const f = sigmoid(act.gi[H + j]);
      const g = Math.tanh(act.gi[2 * H + j]);
      const o = sigmoid(act.gi[3 * H + j]);
      const c = f * cPrev[hpo + j] + i * g;
      act.a[j] = i;
      act.a[H + j] = f;
      act.a[2 * H + j] = g;
      act.a[3 * H + j] = o;
      act.a[4 * H + j] = c;
      cNew[so + j] = c;
      hNew[so + j] = o * Math.tanh(c);
    }
  }

  const newAct = () => {
    const { hidden: H, gates: G } = m;
    return { gi: new Float32Array(G * H), gh: new Float32Array(G * H), a: new Float32Array(5 * H) };
  };

  /**
   * Forward over `seq` steps of xs starting at time t0. Returns output [seq, B, H], final h, c.
   * With `saved`, stores every step's activations for backward.
   */
  function forward(xs, seq, h0, c0, saved) {
    const { batch: B, input: I, hidden: H } = m;
    const out = new Float32Array(seq * B * H);
    let h = h0;
    let c = c0;
    const act = newAct();
    for (let t = 0; t < seq; t++) {
      const hNew = out.subarray(t * B * H, (t + 1) * B * H);
      const cNew = new Float32Array(B * H);
      for (let b = 0; b < B; b++) {
        const a = saved ? saved[t * B + b] : act;
        cellStep(xs, (t * B + b) * I, h, b * H, c, hNew, cNew, b * H, a);
      }
      h = hNew;
      c = cNew;
    }
    return { out, h, c };
  }

  function train() {
    const { seq: T, batch: B, input: I, hidden: H, gates: G, cell } = m;
    const zeros = new Float32Array(B * H);
    // Every step keeps its own activations `a`; the pre-activation scratch is shared.
    const scratch = newAct();
    const saved = Array.from({ length: T * B }, () => ({ gi: scratch.gi, gh: scratch.gh, a: new Float32Array(5 * H) }));
    const { out } = forward(x, T, zeros, zeros, saved);
    const gW = { wih: new Float32Array(G * H * I), whh: new Float32Array(G * H * H), bih: new Float32Array(G * H), bhh: new Float32Array(G * H) };
    const dx = new Float32Array(T * B * I);
    let dhNext = new Float32Array(B * H);
    let dcNext = new Float32Array(B * H);
    const dgi = new Float32Array(G * H);
    const dgh = new Float32Array(G * H);
    for (let t = T - 1; t >= 0; t--) {
      const dhPrev = new Float32Array(B * H);
      const dcPrev = new Float32Array(B * H);
      for (let b = 0; b < B; b++) {
        const a = saved[t * B + b].a;
        const hp = t > 0 ? out : zeros;
        const hpo = t > 0 ? ((t - 1) * B + b) * H : b * H;
        const xo = (t * B + b) * I;
        for (let j = 0; j < H; j++) {
          const dh = dOut[(t * B + b) * H + j] + dhNext[b * H + j];
          if (cell === 'rnn') {
            const hv = a[j];
            dgi[j] = dgh[j] = dh * (1 - hv * hv);
          } else if (cell === 'lstm') {
            const i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j], c = a[4 * H + j];
            const cp = t > 0 ? saved[(t - 1) * B + b].a[4 * H + j] : 0;
            const tc = Math.tanh(c);
            const dc = dcNext[b * H + j] + dh * o * (1 - tc * tc);
            dgi[j] = dc * g * i * (1 - i);
            dgi[H + j] = dc * cp * f * (1 - f);
            dgi[2 * H + j] = dc * i * (1 - g * g);
            dgi[3 * H + j] = dh * tc * o * (1 - o);
            dcPrev[b * H + j] = dc * f;
          } else {
            const r = a[j], z = a[H + j], n = a[2 * H + j], ghn = a[3 * H + j];
            const hprev = hp[hpo + j];
            const dan = dh * (1 - z) * (1 - n * n);
            const dz = dh * (hprev - n);
            const dr = dan * ghn;
            dgi[j] = dgh[j] = dr * r * (1 - r);
            dgi[H + j] = dgh[H + j] = dz * z * (1 - z);
            dgi[2 * H + j] = dan;
            dgh[2 * H + j] = dan * r;
            dhPrev[b * H + j] += dh * z;
          }
        }
        const dghv = cell === 'gru' ? dgh : dgi;
        for (let r = 0; r < G * H; r++) {
          const gi = dgi[r];
          const gh = dghv[r];
          gW.bih[r] += gi;
          gW.bhh[r] += gh;
          const ri = r * I;
          for (let k = 0; k < I; k++) {
            gW.wih[ri + k] += gi * x[xo + k];
            dx[xo + k] += W.wih[ri + k] * gi;
          }
          const rh = r * H;
          for (let k = 0; k < H; k++) {
            gW.whh[rh + k] += gh * hp[hpo + k];
            dhPrev[b * H + k] += W.whh[rh + k] * gh;
          }
        }
      }
      dhNext = dhPrev;
      dcNext = dcPrev;
    }
    return { out, gW, dx };
  }

  function step() {
    const { batch: B, input: I, hidden: H } = m;
    if (state.t === m.seq) state = { t: 0, h: new Float32Array(B * H), c: new Float32Array(B * H) };
    const r = forward(x.subarray(state.t * B * I, (state.t + 1) * B * I), 1, state.h, state.c, null);
    state.h = r.h;
    state.c = r.c;
    state.t++;
    return r;
  }

  return {
    async info() {
      return { notes: 'plain JS loops, float32 storage, float64 arithmetic in registers' };
    },
    async setup(meta, data) {
      m = meta;
      W = { wih: Float32Array.from(data.weight_ih), whh: Float32Array.from(data.weight_hh), bih: Float32Array.from(data.bias_ih), bhh: Float32Array.from(data.bias_hh) };
      x = Float32Array.from(data.x);
      dOut = Float32Array.from(data.d_output);
      state = { t: m.seq };
      return { modes: { infer: true, stream: true, train: true } };
    },
    async prepare(mode) {
      const zeros = new Float32Array(m.batch * m.hidden);
      if (mode === 'infer') return { fn: () => forward(x, m.seq, zeros, zeros, null) };
      if (mode === 'stream') return { fn: step };
      return { fn: train };
    },
    async check(mode) {
      const zeros = new Float32Array(m.batch * m.hidden);
      const lstm = m.cell === 'lstm';
      if (mode === 'infer') {
        const r = forward(x, m.seq, zeros, zeros, null);
        return { output: r.out, hN: r.h, cN: lstm ? r.c : undefined };
      }
      if (mode === 'stream') {
        state = { t: m.seq };
        const ys = new Float32Array(m.seq * m.batch * m.hidden);
        for (let t = 0; t < m.seq; t++) ys.set(step().out, t * m.batch * m.hidden);
        const out = { output: ys, hN: state.h, cN: lstm ? state.c : undefined };
        state = { t: m.seq };
        return out;
      }
      const r = train();
      return { output: r.out, grad_weight_ih: r.gW.wih, grad_weight_hh: r.gW.whh, grad_bias_ih: r.gW.bih, grad_bias_hh: r.gW.bhh };
    },
  };
}
