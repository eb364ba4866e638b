//! One step's elementwise work for each operator, on the gate pre-activations of B rows (the
//! input projection, biases and recurrent products already summed in by `recurrent.rs`).
//! `clip` bounds every gate's input to its activation, never the cell state (as onnxruntime).

use super::activation::Activation;

/// LSTM, ONNX gate order i, o, f, c (peepholes P in order i, o, f):
///
/// ```text
/// i = f(gi + Pi ⊙ C_{t−1})      f = f(gf + Pf ⊙ C_{t−1})   (input_forget: f = 1 − i)
/// c = g(gc)                     C_t = f ⊙ C_{t−1} + i ⊙ c
/// o = f(go + Po ⊙ C_t)          H_t = o ⊙ h(C_t)
/// ```
pub fn lstm_step(
    h_new: &mut [f32],        // (B, H)
    c_new: &mut [f32],        // (B, H)
    gates: &mut [f32],        // (B, 4H) pre-activations, overwritten
    c_prev: &[f32],           // (B, H)
    peephole: Option<&[f32]>, // (3H)
    acts: &[Activation],      // f, g, h
    clip: f32,
    input_forget: bool,
    hidden: usize,
) {
    let (f_act, g_act, h_act) = (acts[0], acts[1], acts[2]);
    for (((row, h_row), c_row), cp) in gates.chunks_exact_mut(4 * hidden).zip(h_new.chunks_exact_mut(hidden)).zip(c_new.chunks_exact_mut(hidden)).zip(c_prev.chunks_exact(hidden)) {
        let (i, rest) = row.split_at_mut(hidden);
        let (o, rest) = rest.split_at_mut(hidden);
        let (f, c) = rest.split_at_mut(hidden);
        if let Some(p) = peephole {
            add_product(i, &p[..hidden], cp);
            add_product(f, &p[2 * hidden..], cp);
        }
        f_act.apply(i, clip);
        if input_forget {
            for (f, i) in f.iter_mut().zip(i.iter()) {
                *f = 1.0 - i;
            }
        } else {
            f_act.apply(f, clip);
        }
        g_act.apply(c, clip);
        for j in 0..hidden {
            c_row[j] = f[j] * cp[j] + i[j] * c[j];
        }
        if let Some(p) = peephole {
            add_product(o, &p[hidden..], c_row);
        }
        f_act.apply(o, clip);
        h_row.copy_from_slice(c_row);
        h_act.apply(h_row, f32::INFINITY);
        for (h, o) in h_row.iter_mut().zip(o.iter()) {
            *h *= o;
        }
    }
}

/// x += p ⊙ c
fn add_product(x: &mut [f32], p: &[f32], c: &[f32]) {
    for ((x, p), c) in x.iter_mut().zip(p).zip(c) {
        *x += p * c;
    }
}

/// GRU update and reset gates, in place in the first 2H of each gate row:
/// `z = f(gz + rec_z)`, `r = f(gr + rec_r)`. `rec` rows are `rec_stride` apart.
pub fn gru_update_reset(gates: &mut [f32], rec: &[f32], rec_stride: usize, f_act: Activation, clip: f32, hidden: usize) {
    for (row, rec_row) in gates.chunks_exact_mut(3 * hidden).zip(rec.chunks(rec_stride)) {
        let zr = &mut row[..2 * hidden];
        for (g, r) in zr.iter_mut().zip(&rec_row[..2 * hidden]) {
            *g += r;
        }
        f_act.apply(zr, clip);
    }
}

/// GRU candidate and new state, z and r already activated in `gates`:
///
/// ```text
/// linear_before_reset = 0: h = g(gh + rec_h)              (rec_h = (r ⊙ H_{t−1})·R_hᵀ)
/// linear_before_reset = 1: h = g(gh + r ⊙ (rec_h + Rb_h)) (rec_h = H_{t−1}·R_hᵀ)
/// H_t = (1 − z) ⊙ h + z ⊙ H_{t−1}
/// ```
pub fn gru_candidate(
    h_new: &mut [f32], // (B, H)
    gates: &mut [f32], // (B, 3H): z, r activated; h pre-activation
    rec_h: &[f32],     // (B, rec_stride): the candidate's recurrent product at its start
    rec_stride: usize,
    rb_h: Option<&[f32]>, // (H): linear_before_reset only
    h_prev: &[f32],       // (B, H)
    g_act: Activation,
    clip: f32,
    hidden: usize,
) {
    for (((row, rec_row), h_row), hp) in gates.chunks_exact_mut(3 * hidden).zip(rec_h.chunks(rec_stride)).zip(h_new.chunks_exact_mut(hidden)).zip(h_prev.chunks_exact(hidden)) {
        let (zr, cand) = row.split_at_mut(2 * hidden);
        let (z, r) = zr.split_at(hidden);
        match rb_h {
            Some(rb) => {
                for j in 0..hidden {
                    cand[j] += r[j] * (rec_row[j] + rb[j]);
                }
            }
            None => {
                for (c, rec) in cand.iter_mut().zip(&rec_row[..hidden]) {
                    *c += rec;
                }
            }
        }
        g_act.apply(cand, clip);
        for j in 0..hidden {
            h_row[j] = (1.0 - z[j]) * cand[j] + z[j] * hp[j];
        }
    }
}

/// `r ⊙ H_{t−1}` into `out` (B, H), for the candidate's product with linear_before_reset = 0.
pub fn gru_reset_hidden(out: &mut [f32], gates: &[f32], h_prev: &[f32], hidden: usize) {
    for ((o, row), hp) in out.chunks_exact_mut(hidden).zip(gates.chunks_exact(3 * hidden)).zip(h_prev.chunks_exact(hidden)) {
        let r = &row[hidden..2 * hidden];
        for j in 0..hidden {
            o[j] = r[j] * hp[j];
        }
    }
}
