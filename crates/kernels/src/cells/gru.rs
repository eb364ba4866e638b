//! GRU, PyTorch's `nn.GRU` convention (gate order r, z, n; the reset gate scales W_hn h + b_hn):
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)
//! z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//! h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//! ```
//!
//! With the reset gate before the product (Keras' `reset_after=False`, ONNX's
//! `linear_before_reset=0`), `n = tanh(W_in x + b_in + W_hn (r ⊙ h_{t−1}) + b_hn)`: each step
//! then needs r before the candidate's GEMM, so the r, z and n blocks are two GEMMs
//! ([`DirWeights::w_hn_t`] holds W_hn apart).

use super::{ensure_len, input_and_weight_grads, project_inputs, return_gates, take_gates, Dims, DirCache, DirGrads, DirWeights, Scratch, SeqBlock};
use crate::gemm::{gemm, MatMut, MatRef, PackedB, Rhs};
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
        if let Some(c) = cache.as_deref_mut() {
            c.h_prev[t * batch * hidden..][..batch * hidden].copy_from_slice(&s.h);
        }
        // hn_lin (B, H): what backward needs of the candidate's hidden term.
        let hn_dst = cache.as_deref_mut().map(|c| &mut c.hn_lin[t * batch * hidden..][..batch * hidden]);
        // Hidden side, bias first: (B, 3H) = b_hh, then the products accumulate into it.
        super::fill_rows_with_bias(&mut s.hidden_gates, gh, w.b_hh, None);
        match w.w_hn_t {
            None => step_reset_after(x_gates, s, hn_dst, w, batch, hidden),
            Some(w_hn_t) => step_reset_before(x_gates, s, hn_dst, w, w_hn_t, batch, hidden),
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

/// One step of PyTorch's GRU: one GEMM for all three hidden blocks, then the fused gates.
/// Leaves r, z, n in `x_gates`, h_t in `s.h` and W_hn·h + b_hn in `hn_dst`.
fn step_reset_after(x_gates: &mut [f32], s: &mut Scratch, mut hn_dst: Option<&mut [f32]>, w: &DirWeights, batch: usize, hidden: usize) {
    let gh = 3 * hidden;
    gemm(MatMut::new(&mut s.hidden_gates, batch, gh), MatRef::new(&s.h, batch, hidden), Rhs::Packed(w.w_hh_t), w.b_hh.is_some(), &mut s.gemm);
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
}

/// One step with the reset gate before the product: r and z from one GEMM, then
/// W_hn (r ⊙ h_{t−1}) from a second. Leaves r, z, n in `x_gates`, h_t in `s.h` and r ⊙ h_{t−1}
/// in `hn_dst`.
#[allow(clippy::too_many_arguments)]
fn step_reset_before(x_gates: &mut [f32], s: &mut Scratch, hn_dst: Option<&mut [f32]>, w: &DirWeights, w_hn_t: &PackedB, batch: usize, hidden: usize) {
    let gh = 3 * hidden;
    let has_bias = w.b_hh.is_some();
    gemm(MatMut::strided(&mut s.hidden_gates, batch, 2 * hidden, gh), MatRef::new(&s.h, batch, hidden), Rhs::Packed(w.w_hh_t), has_bias, &mut s.gemm);
    ensure_len(&mut s.h_raw, batch * hidden);
    for b in 0..batch {
        let xg = &mut x_gates[b * gh..][..gh];
        let hg = &s.hidden_gates[b * gh..][..gh];
        let (h_row, rh_row) = (&s.h[b * hidden..][..hidden], &mut s.h_raw[b * hidden..][..hidden]);
        for j in (0..hidden).step_by(4) {
            let n = 4.min(hidden - j);
            let r = sigmoid(load_partial(&xg[j..j + n]).add(load_partial(&hg[j..j + n])));
            let z = sigmoid(load_partial(&xg[hidden + j..][..n]).add(load_partial(&hg[hidden + j..][..n])));
            store_partial(r.mul(load_partial(&h_row[j..j + n])), &mut rh_row[j..j + n]);
            store_partial(r, &mut xg[j..j + n]);
            store_partial(z, &mut xg[hidden + j..][..n]);
        }
    }
    // (B, H) candidate block = b_hn + (r ⊙ h)·W_hnᵀ.
    gemm(MatMut::strided(&mut s.hidden_gates[2 * hidden..], batch, hidden, gh), MatRef::new(&s.h_raw, batch, hidden), Rhs::Packed(w_hn_t), has_bias, &mut s.gemm);
    for b in 0..batch {
        let xg = &mut x_gates[b * gh..][..gh];
        let hg = &s.hidden_gates[b * gh..][..gh];
        let h_row = &mut s.h[b * hidden..][..hidden];
        for j in (0..hidden).step_by(4) {
            let n = 4.min(hidden - j);
            let z = load_partial(&xg[hidden + j..][..n]);
            let nn = tanh(load_partial(&xg[2 * hidden + j..][..n]).add(load_partial(&hg[2 * hidden + j..][..n])));
            let h_prev = load_partial(&h_row[j..j + n]);
            store_partial(z.mul_add(h_prev.sub(nn), nn), &mut h_row[j..j + n]);
            store_partial(nn, &mut xg[2 * hidden + j..][..n]);
        }
    }
    if let Some(d) = hn_dst {
        d.copy_from_slice(&s.h_raw);
    }
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
        let h_prev = &cache.h_prev[at_t..][..batch * hidden];
        match w.w_hn {
            None => step_back_reset_after(gates, d_hidden, &cache.hn_lin[at_t..][..batch * hidden], h_prev, s, batch, hidden),
            Some(w_hn) => step_back_reset_before(gates, d_hidden, h_prev, w_hn, s, batch, hidden),
        }
        if padded {
            // No gradient through a padded step: the carried state gradient passes it unchanged.
            dims.zero_padded(t, gates, gh);
            dims.zero_padded(t, d_hidden, gh);
        }
        // Through the recurrent GEMM: dh_{t−1} += dGh_t·W_hh (the r and z blocks only when W_hn
        // multiplies r ⊙ h: its path was taken in the step).
        let rz_width = if w.w_hn.is_some() { 2 * hidden } else { gh };
        gemm(MatMut::new(&mut s.dh_next, batch, hidden), MatRef::strided(d_hidden, batch, rz_width, gh), Rhs::Packed(w.w_hh), true, &mut s.gemm);
        if padded {
            dims.restore_padded(t, &mut s.dh_next, hidden, &s.keep_h);
        }
    }
    dh0.copy_from_slice(&s.dh_next);
    let last_block_input = w.w_hn.is_some().then_some(&cache.hn_lin[..]);
    input_and_weight_grads(dx, grads, &cache.gates, &cache.d_hidden_gates, x, &cache.h_prev, last_block_input, w, dims, &mut s.gemm);
}

/// Through h_t = (1−z)⊙n + z⊙h_{t−1}, with n = tanh(a_n) and z = σ(a_z): the gradients of the
/// pre-activations a_n and a_z, given dh = ∂L/∂h_t.
#[inline(always)]
fn through_update(dh: F32x4, z: F32x4, n: F32x4, h_prev: F32x4) -> (F32x4, F32x4) {
    let one = F32x4::splat(1.0);
    let da_n = dh.mul(one.sub(z)).mul(one.sub(n.mul(n)));
    let da_z = dh.mul(h_prev.sub(n)).mul(z.mul(one.sub(z)));
    (da_n, da_z)
}

/// Backward through one step of PyTorch's GRU: pre-activation gradients into `gates` (the input
/// side) and `d_hidden` (the hidden side), and dh_{t−1}'s direct part z ⊙ dh into `s.dh_next`.
fn step_back_reset_after(gates: &mut [f32], d_hidden: &mut [f32], hn: &[f32], h_prev: &[f32], s: &mut Scratch, batch: usize, hidden: usize) {
    let gh = 3 * hidden;
    let one = F32x4::splat(1.0);
    for b in 0..batch {
        let g_row = &mut gates[b * gh..][..gh];
        let dh_row = &mut d_hidden[b * gh..][..gh];
        for j in (0..hidden).step_by(4) {
            let n = 4.min(hidden - j);
            let at = b * hidden + j;
            let r = load_partial(&g_row[j..j + n]);
            let z = load_partial(&g_row[hidden + j..][..n]);
            let nn = load_partial(&g_row[2 * hidden + j..][..n]);
            let hn = load_partial(&hn[at..at + n]);
            let h_prev = load_partial(&h_prev[at..at + n]);
            let dh = load_partial(&s.dh[at..at + n]);
            let (da_n, da_z) = through_update(dh, z, nn, h_prev);
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
}

/// Backward through one step with the reset gate before the product: as
/// [`step_back_reset_after`], plus the path through r ⊙ h_{t−1}, whose gradient da_n·W_hn
/// (a GEMM) reaches both r and h_{t−1}. (dW_hn pairs da_n with the cached r ⊙ h_{t−1} later.)
fn step_back_reset_before(gates: &mut [f32], d_hidden: &mut [f32], h_prev: &[f32], w_hn: &PackedB, s: &mut Scratch, batch: usize, hidden: usize) {
    let gh = 3 * hidden;
    let one = F32x4::splat(1.0);
    for b in 0..batch {
        let g_row = &mut gates[b * gh..][..gh];
        let dh_row = &mut d_hidden[b * gh..][..gh];
        for j in (0..hidden).step_by(4) {
            let n = 4.min(hidden - j);
            let at = b * hidden + j;
            let z = load_partial(&g_row[hidden + j..][..n]);
            let nn = load_partial(&g_row[2 * hidden + j..][..n]);
            let h_prev = load_partial(&h_prev[at..at + n]);
            let dh = load_partial(&s.dh[at..at + n]);
            let (da_n, da_z) = through_update(dh, z, nn, h_prev);
            store_partial(da_z, &mut g_row[hidden + j..][..n]);
            store_partial(da_n, &mut g_row[2 * hidden + j..][..n]);
            store_partial(da_z, &mut dh_row[hidden + j..][..n]);
            store_partial(da_n, &mut dh_row[2 * hidden + j..][..n]); // into W_hn (r⊙h) + b_hn
            store_partial(dh.mul(z), &mut s.dh_next[at..at + n]);
        }
    }
    // ∂L/∂(r ⊙ h_{t−1}) (B, H) = da_n · W_hn.
    ensure_len(&mut s.dh_raw, batch * hidden);
    gemm(MatMut::new(&mut s.dh_raw, batch, hidden), MatRef::strided(&d_hidden[2 * hidden..], batch, hidden, gh), Rhs::Packed(w_hn), false, &mut s.gemm);
    for b in 0..batch {
        let g_row = &mut gates[b * gh..][..gh];
        let dh_row = &mut d_hidden[b * gh..][..gh];
        for j in (0..hidden).step_by(4) {
            let n = 4.min(hidden - j);
            let at = b * hidden + j;
            let r = load_partial(&g_row[j..j + n]);
            let h_prev = load_partial(&h_prev[at..at + n]);
            let d_rh = load_partial(&s.dh_raw[at..at + n]);
            let da_r = d_rh.mul(h_prev).mul(r.mul(one.sub(r)));
            store_partial(da_r, &mut g_row[j..j + n]);
            store_partial(da_r, &mut dh_row[j..j + n]);
            let direct = load_partial(&s.dh_next[at..at + n]);
            store_partial(d_rh.mul_add(r, direct), &mut s.dh_next[at..at + n]); // + r ⊙ ∂L/∂(r⊙h)
        }
    }
}
