//! GRU, PyTorch's `nn.GRU` convention (gate order r, z, n; the reset gate scales W_hn h + b_hn):
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)
//! z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//! h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//! ```

use super::{ensure_len, input_and_weight_grads, project_inputs, return_gates, take_gates, Dims, DirCache, DirGrads, DirWeights, Scratch, SeqBlock};
use crate::gemm::{gemm, MatMut, MatRef, Rhs};
use wasm_rnn_simd::vecmath::{sigmoid, tanh};
use wasm_rnn_simd::{load_partial, store_partial, F32x4};

/// Runs the sequence forward. `cache` is `Some` in training mode.
#[allow(clippy::too_many_arguments)]
pub fn gru_forward(
    y: &mut SeqBlock<&mut [f32]>, // (T, B, H)
    h_n: &mut [f32],              // (B, H)
    mut cache: Option<&mut DirCache>,
    x: MatRef,  // (T·B, I)
    h0: &[f32], // (B, H)
    w: &DirWeights,
    dims: &Dims,
    s: &mut Scratch,
) {
    let Dims { seq, batch, hidden, .. } = *dims;
    let gh = 3 * hidden;
    let mut gates = take_gates(&mut cache, s, seq * batch * gh);
    // (T·B, 3H) = x·W_ihᵀ + b_ih (b_hh stays on the hidden side: r scales its n part).
    project_inputs(&mut gates, x, w.w_ih_t, w.b_ih, None, &mut s.gemm);
    if let Some(c) = cache.as_deref_mut() {
        for buf in [&mut c.h_prev, &mut c.hn_lin] {
            ensure_len(buf, seq * batch * hidden);
        }
    }
    if dims.lengths.is_some() {
        ensure_len(&mut s.keep_h, batch * hidden);
    }
    s.h.clear();
    s.h.extend_from_slice(h0);
    ensure_len(&mut s.hidden_gates, batch * gh);
    for step in 0..seq {
        let t = dims.time_at(step);
        let padded = dims.padded_at(t);
        if padded {
            dims.keep_padded(t, &s.h, hidden, &mut s.keep_h);
        }
        let x_gates = &mut gates[t * batch * gh..][..batch * gh]; // (B, 3H)
                                                                  // Hidden side: (B, 3H) = h_{t−1}·W_hhᵀ + b_hh.
        super::fill_rows_with_bias(&mut s.hidden_gates, gh, w.b_hh, None);
        gemm(MatMut::new(&mut s.hidden_gates, batch, gh), MatRef::new(&s.h, batch, hidden), Rhs::Packed(w.w_hh_t), w.b_hh.is_some(), &mut s.gemm);
        if let Some(c) = cache.as_deref_mut() {
            c.h_prev[t * batch * hidden..][..batch * hidden].copy_from_slice(&s.h);
        }
        let mut hn_dst = cache.as_deref_mut().map(|c| &mut c.hn_lin[t * batch * hidden..][..batch * hidden]);
        for b in 0..batch {
            let xg = &mut x_gates[b * gh..][..gh];
            let hg = &s.hidden_gates[b * gh..][..gh];
            let h_row = &mut s.h[b * hidden..][..hidden];
            for j in (0..hidden).step_by(4) {
                let n = 4.min(hidden - j);
                let r = sigmoid(load_partial(&xg[j..j + n]).add(load_partial(&hg[j..j + n])));
                let z = sigmoid(load_partial(&xg[hidden + j..][..n]).add(load_partial(&hg[hidden + j..][..n])));
                let hn = load_partial(&hg[2 * hidden + j..][..n]);
                let nn = tanh(r.mul_add(hn, load_partial(&xg[2 * hidden + j..][..n])));
                let h_prev = load_partial(&h_row[j..j + n]);
                // h_t = n + z⊙(h_{t−1} − n)
                store_partial(z.mul_add(h_prev.sub(nn), nn), &mut h_row[j..j + n]);
                store_partial(r, &mut xg[j..j + n]);
                store_partial(z, &mut xg[hidden + j..][..n]);
                store_partial(nn, &mut xg[2 * hidden + j..][..n]);
                if let Some(d) = hn_dst.as_deref_mut() {
                    store_partial(hn, &mut d[b * hidden + j..][..n]);
                }
            }
        }
        if padded {
            dims.restore_padded(t, &mut s.h, hidden, &s.keep_h);
        }
        y.write_step(t, batch, &s.h);
        if padded {
            y.zero_padded(t, dims);
        }
    }
    h_n.copy_from_slice(&s.h);
    return_gates(cache, s, gates);
}

/// Backpropagates through the whole sequence (consumes the cache's gates).
#[allow(clippy::too_many_arguments)]
pub fn gru_backward(
    dx: &mut [f32],  // (T·B, I) accumulated
    dh0: &mut [f32], // (B, H)
    grads: &mut DirGrads,
    cache: &mut DirCache,
    dy: &SeqBlock<&[f32]>, // (T, B, H)
    dh_n: &[f32],          // (B, H)
    x: MatRef,             // (T·B, I)
    w: &DirWeights,
    dims: &Dims,
    s: &mut Scratch,
) {
    let Dims { seq, batch, hidden, .. } = *dims;
    let gh = 3 * hidden;
    s.dh_next.clear();
    s.dh_next.extend_from_slice(dh_n);
    if dims.lengths.is_some() {
        ensure_len(&mut s.keep_h, batch * hidden);
    }
    ensure_len(&mut s.dh, batch * hidden);
    ensure_len(&mut cache.d_hidden_gates, seq * batch * gh);
    let one = F32x4::splat(1.0);
    for step in (0..seq).rev() {
        let t = dims.time_at(step);
        let padded = dims.padded_at(t);
        if padded {
            dims.keep_padded(t, &s.dh_next, hidden, &mut s.keep_h);
        }
        // dh_t: from this step's output and from step t+1.
        dy.read_step_plus(t, batch, &s.dh_next, &mut s.dh);
        let at_t = t * batch * hidden;
        let gates = &mut cache.gates[t * batch * gh..][..batch * gh];
        let d_hidden = &mut cache.d_hidden_gates[t * batch * gh..][..batch * gh];
        for b in 0..batch {
            let g_row = &mut gates[b * gh..][..gh];
            let dh_row = &mut d_hidden[b * gh..][..gh];
            let row = b * hidden;
            for j in (0..hidden).step_by(4) {
                let n = 4.min(hidden - j);
                let at = row + j;
                let r = load_partial(&g_row[j..j + n]);
                let z = load_partial(&g_row[hidden + j..][..n]);
                let nn = load_partial(&g_row[2 * hidden + j..][..n]);
                let hn = load_partial(&cache.hn_lin[at_t + at..][..n]);
                let h_prev = load_partial(&cache.h_prev[at_t + at..][..n]);
                let dh = load_partial(&s.dh[at..at + n]);
                // Through h_t = (1−z)⊙n + z⊙h_{t−1}.
                let da_n = dh.mul(one.sub(z)).mul(one.sub(nn.mul(nn)));
                let da_z = dh.mul(h_prev.sub(nn)).mul(z.mul(one.sub(z)));
                // Through n = tanh(x_n + r⊙hn) into r.
                let da_r = da_n.mul(hn).mul(r.mul(one.sub(r)));
                store_partial(da_r, &mut g_row[j..j + n]);
                store_partial(da_z, &mut g_row[hidden + j..][..n]);
                store_partial(da_n, &mut g_row[2 * hidden + j..][..n]);
                store_partial(da_r, &mut dh_row[j..j + n]);
                store_partial(da_z, &mut dh_row[hidden + j..][..n]);
                store_partial(da_n.mul(r), &mut dh_row[2 * hidden + j..][..n]); // into W_hn h + b_hn
                store_partial(dh.mul(z), &mut s.dh_next[at..at + n]); // direct path z⊙h_{t−1}
            }
        }
        if padded {
            // No gradient through a padded step: the carried state gradient passes it unchanged.
            dims.zero_padded(t, gates, gh);
            dims.zero_padded(t, d_hidden, gh);
        }
        // Through the recurrent GEMM: dh_{t−1} += dGh_t·W_hh.
        gemm(MatMut::new(&mut s.dh_next, batch, hidden), MatRef::new(d_hidden, batch, gh), Rhs::Packed(w.w_hh), true, &mut s.gemm);
        if padded {
            dims.restore_padded(t, &mut s.dh_next, hidden, &s.keep_h);
        }
    }
    dh0.copy_from_slice(&s.dh_next);
    input_and_weight_grads(dx, grads, &cache.gates, &cache.d_hidden_gates, x, &cache.h_prev, w, dims, &mut s.gemm);
}
