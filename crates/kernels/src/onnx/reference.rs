//! A straightforward f64 reference of the recurrent operators for the tests: every batch row
//! and direction on its own, dot products written out, activations from their definitions.
//! It shares nothing with the kernel but the input structs.

use super::activation::Activation;
use super::spec::{OpKind, RecurrentDims, RecurrentInputs, RecurrentSpec};

pub fn act(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Relu => x.max(0.0),
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Activation::Affine { alpha, beta } => alpha as f64 * x + beta as f64,
        Activation::LeakyRelu { alpha } => {
            if x >= 0.0 {
                x
            } else {
                alpha as f64 * x
            }
        }
        Activation::ThresholdedRelu { alpha } => {
            if x >= alpha as f64 {
                x
            } else {
                0.0
            }
        }
        Activation::ScaledTanh { alpha, beta } => alpha as f64 * (beta as f64 * x).tanh(),
        Activation::HardSigmoid { alpha, beta } => (alpha as f64 * x + beta as f64).clamp(0.0, 1.0),
        Activation::Elu { alpha } => {
            if x >= 0.0 {
                x
            } else {
                alpha as f64 * (x.exp() - 1.0)
            }
        }
        Activation::Softsign => x / (1.0 + x.abs()),
        Activation::Softplus => (1.0 + x.exp()).ln(),
    }
}

/// Y, Y_h, Y_c (Y_c empty unless LSTM), in the node's layout.
pub fn recurrent_reference(spec: &RecurrentSpec, dims: &RecurrentDims, inp: &RecurrentInputs) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let RecurrentDims { seq, batch, input } = *dims;
    let (h, g, dirs) = (spec.hidden, spec.kind.gates(), spec.direction.count());
    let lstm = spec.kind == OpKind::Lstm;
    let clip = spec.clip as f64;
    let mut y = vec![0.0; seq * dirs * batch * h];
    let mut y_h = vec![0.0; dirs * batch * h];
    let mut y_c = if lstm { vec![0.0; dirs * batch * h] } else { vec![] };
    let state_at = |d: usize, b: usize| if spec.batch_first { (b * dirs + d) * h } else { (d * batch + b) * h };
    for d in 0..dirs {
        let acts = spec.activations_of(d);
        let f = |i: usize, x: f64| act(acts[i], x.clamp(-clip, clip));
        let w = |row: usize, k: usize| inp.w[(d * g * h + row) * input + k] as f64;
        let r = |row: usize, k: usize| inp.r[(d * g * h + row) * h + k] as f64;
        let wb = |row: usize| inp.b.map_or(0.0, |b| b[d * 2 * g * h + row] as f64);
        let rb = |row: usize| inp.b.map_or(0.0, |b| b[d * 2 * g * h + g * h + row] as f64);
        let p = |row: usize| inp.p.map_or(0.0, |p| p[d * 3 * h + row] as f64);
        for b in 0..batch {
            let len = inp.sequence_lens.map_or(seq, |l| l[b] as usize);
            let mut hs: Vec<f64> = (0..h).map(|j| inp.initial_h.map_or(0.0, |v| v[state_at(d, b) + j] as f64)).collect();
            let mut cs: Vec<f64> = (0..h).map(|j| inp.initial_c.map_or(0.0, |v| v[state_at(d, b) + j] as f64)).collect();
            for s in 0..len {
                let t = if spec.direction.reversed(d) { len - 1 - s } else { s };
                let xrow = if spec.batch_first { b * seq + t } else { t * batch + b };
                let x = |k: usize| inp.x[xrow * input + k] as f64;
                // x·W_rowᵀ + Wb and H·R_rowᵀ + Rb for one gate row.
                let xw = |row: usize| (0..input).map(|k| x(k) * w(row, k)).sum::<f64>() + wb(row);
                let hr = |row: usize, hv: &[f64]| (0..h).map(|k| hv[k] * r(row, k)).sum::<f64>() + rb(row);
                let new_h: Vec<f64> = match spec.kind {
                    OpKind::Rnn => (0..h).map(|j| f(0, xw(j) + hr(j, &hs))).collect(),
                    OpKind::Gru => {
                        let z: Vec<f64> = (0..h).map(|j| f(0, xw(j) + hr(j, &hs))).collect();
                        let rr: Vec<f64> = (0..h).map(|j| f(0, xw(h + j) + hr(h + j, &hs))).collect();
                        let reset: Vec<f64> = (0..h).map(|j| rr[j] * hs[j]).collect();
                        (0..h)
                            .map(|j| {
                                let row = 2 * h + j;
                                let cand = if spec.linear_before_reset { f(1, xw(row) + rr[j] * hr(row, &hs)) } else { f(1, xw(row) + hr(row, &reset)) };
                                (1.0 - z[j]) * cand + z[j] * hs[j]
                            })
                            .collect()
                    }
                    OpKind::Lstm => {
                        let pre = |gate: usize, j: usize| xw(gate * h + j) + hr(gate * h + j, &hs);
                        let i: Vec<f64> = (0..h).map(|j| f(0, pre(0, j) + p(j) * cs[j])).collect();
                        let fg: Vec<f64> = (0..h).map(|j| if spec.input_forget { 1.0 - i[j] } else { f(0, pre(2, j) + p(2 * h + j) * cs[j]) }).collect();
                        let c_new: Vec<f64> = (0..h).map(|j| fg[j] * cs[j] + i[j] * f(1, pre(3, j))).collect();
                        let out: Vec<f64> = (0..h).map(|j| f(0, pre(1, j) + p(h + j) * c_new[j]) * act(acts[2], c_new[j])).collect();
                        cs = c_new;
                        out
                    }
                };
                hs = new_h;
                let yrow = if spec.batch_first { (b * seq + t) * dirs + d } else { (t * dirs + d) * batch + b };
                y[yrow * h..][..h].copy_from_slice(&hs);
            }
            if len > 0 {
                y_h[state_at(d, b)..][..h].copy_from_slice(&hs);
                if lstm {
                    y_c[state_at(d, b)..][..h].copy_from_slice(&cs);
                }
            }
        }
    }
    (y, y_h, y_c)
}
