//! LSTM, PyTorch's `nn.LSTM` convention (gate order i, f, g, o; optional projection):
//!
//! ```text
//! i = σ(W_ii x + b_ii + W_hi h + b_hi)      c_t = f ⊙ c_{t−1} + i ⊙ g
//! f = σ(W_if x + b_if + W_hf h + b_hf)      h_t = o ⊙ tanh(c_t)
//! g = tanh(W_ig x + b_ig + W_hg h + b_hg)   h_t = W_hr h_t   (only with proj_size > 0)
//! o = σ(W_io x + b_io + W_ho h + b_ho)
//! ```

use super::{ensure_len, input_and_weight_grads, project_inputs, return_gates, take_gates, Dims, DirCache, DirGrads, DirWeights, Scratch, SeqBlock};
use crate::gemm::{gemm, MatMut, MatRef, Rhs};
use wasm_rnn_simd::vecmath::{sigmoid, tanh};
use wasm_rnn_simd::{load_partial, store_partial, F32x4};

/// Runs the sequence forward. `cache` is `Some` in training mode.
#[allow(clippy::too_many_arguments)]
pub fn lstm_forward(
    y: &mut SeqBlock<&mut [f32]>, // (T, B, O) this direction's output block
    h_n: &mut [f32],              // (B, O)
    c_n: &mut [f32],              // (B, H)
    mut cache: Option<&mut DirCache>,
    x: MatRef,  // (T·B, I)
    h0: &[f32], // (B, O)
    c0: &[f32], // (B, H)
    w: &DirWeights,
    dims: &Dims,
    s: &mut Scratch,
) {
    let Dims { seq, batch, hidden, out, .. } = *dims;
    let gh = 4 * hidden;
    // (T, B, 4H) gate buffer: kept in the cache when training, scratch otherwise.
    let mut gates = take_gates(&mut cache, s, seq * batch * gh);
    // (T·B, 4H) = x·W_ihᵀ + b_ih + b_hh: all input projections in one GEMM.
    project_inputs(&mut gates, x, w.w_ih_t, w.b_ih, w.b_hh, &mut s.gemm);
    if let Some(c) = cache.as_deref_mut() {
        ensure_len(&mut c.h_prev, seq * batch * out);
        for buf in [&mut c.c_prev, &mut c.tanh_c] {
            ensure_len(buf, seq * batch * hidden);
        }
        if w.w_hr_t.is_some() {
            ensure_len(&mut c.h_raw, seq * batch * hidden);
        }
    }
    if dims.lengths.is_some() {
        ensure_len(&mut s.keep_h, batch * out);
        ensure_len(&mut s.keep_c, batch * hidden);
    }
    s.h.clear();
    s.h.extend_from_slice(h0);
    s.c.clear();
    s.c.extend_from_slice(c0);
    ensure_len(&mut s.h_raw, batch * hidden);

    for step in 0..seq {
        let t = dims.time_at(step);
        let padded = dims.padded_at(t);
        if padded {
            dims.keep_padded(t, &s.h, out, &mut s.keep_h);
            dims.keep_padded(t, &s.c, hidden, &mut s.keep_c);
        }
        let pre = &mut gates[t * batch * gh..][..batch * gh]; // (B, 4H)
                                                              // Recurrent term: pre += h_{t−1}·W_hhᵀ.
        gemm(MatMut::new(pre, batch, gh), MatRef::new(&s.h, batch, out), Rhs::Packed(w.w_hh_t), true, &mut s.gemm);
        if let Some(c) = cache.as_deref_mut() {
            c.h_prev[t * batch * out..][..batch * out].copy_from_slice(&s.h);
            c.c_prev[t * batch * hidden..][..batch * hidden].copy_from_slice(&s.c);
        }
        let projected = w.w_hr_t.is_some();
        let h_dst: &mut [f32] = if projected { &mut s.h_raw } else { &mut s.h };
        let mut tanh_c_dst = cache.as_deref_mut().map(|c| &mut c.tanh_c[t * batch * hidden..][..batch * hidden]);
        for b in 0..batch {
            let g_row = &mut pre[b * gh..][..gh];
            let c_row = &mut s.c[b * hidden..][..hidden];
            let h_row = &mut h_dst[b * hidden..][..hidden];
            for j in (0..hidden).step_by(4) {
                let n = 4.min(hidden - j);
                let i = sigmoid(load_partial(&g_row[j..j + n]));
                let f = sigmoid(load_partial(&g_row[hidden + j..][..n]));
                let g = tanh(load_partial(&g_row[2 * hidden + j..][..n]));
                let o = sigmoid(load_partial(&g_row[3 * hidden + j..][..n]));
                let c = f.mul_add(load_partial(&c_row[j..j + n]), i.mul(g)); // c_t = f⊙c_{t−1} + i⊙g
                let tc = tanh(c);
                store_partial(c, &mut c_row[j..j + n]);
                store_partial(o.mul(tc), &mut h_row[j..j + n]); // h_t = o⊙tanh(c_t)
                store_partial(i, &mut g_row[j..j + n]);
                store_partial(f, &mut g_row[hidden + j..][..n]);
                store_partial(g, &mut g_row[2 * hidden + j..][..n]);
                store_partial(o, &mut g_row[3 * hidden + j..][..n]);
                if let Some(tcd) = tanh_c_dst.as_deref_mut() {
                    store_partial(tc, &mut tcd[b * hidden + j..][..n]);
                }
            }
        }
        if let Some(w_hr_t) = w.w_hr_t {
            if let Some(c) = cache.as_deref_mut() {
                c.h_raw[t * batch * hidden..][..batch * hidden].copy_from_slice(&s.h_raw);
            }
            // h_t = h_raw·W_hrᵀ (B, P).
            gemm(MatMut::new(&mut s.h, batch, out), MatRef::new(&s.h_raw, batch, hidden), Rhs::Packed(w_hr_t), false, &mut s.gemm);
        }
        if padded {
            dims.restore_padded(t, &mut s.h, out, &s.keep_h);
            dims.restore_padded(t, &mut s.c, hidden, &s.keep_c);
        }
        y.write_step(t, batch, &s.h);
        if padded {
            y.zero_padded(t, dims);
        }
    }
    h_n.copy_from_slice(&s.h);
    c_n.copy_from_slice(&s.c);
    return_gates(cache, s, gates);
}

/// Backpropagates through the whole sequence. Consumes the cache's gates (overwritten with
/// their gradients). Writes dh0, dc0 and the parameter gradients; adds into dx.
#[allow(clippy::too_many_arguments)]
pub fn lstm_backward(
    dx: &mut [f32],  // (T·B, I) accumulated
    dh0: &mut [f32], // (B, O)
    dc0: &mut [f32], // (B, H)
    grads: &mut DirGrads,
    cache: &mut DirCache,
    dy: &SeqBlock<&[f32]>, // (T, B, O) upstream gradient on this direction's outputs
    dh_n: &[f32],          // (B, O)
    dc_n: &[f32],          // (B, H)
    x: MatRef,             // (T·B, I)
    w: &DirWeights,
    dims: &Dims,
    s: &mut Scratch,
) {
    let Dims { seq, batch, hidden, out, .. } = *dims;
    let gh = 4 * hidden;
    s.dh_next.clear();
    s.dh_next.extend_from_slice(dh_n);
    if dims.lengths.is_some() {
        ensure_len(&mut s.keep_h, batch * out);
        ensure_len(&mut s.keep_c, batch * hidden);
    }
    s.dc_next.clear();
    s.dc_next.extend_from_slice(dc_n);
    ensure_len(&mut s.dh, batch * out);
    ensure_len(&mut s.dh_raw, batch * hidden);
    if w.w_hr.is_some() {
        ensure_len(&mut cache.d_h, seq * batch * out);
    }
    for step in (0..seq).rev() {
        let t = dims.time_at(step);
        let padded = dims.padded_at(t);
        if padded {
            dims.keep_padded(t, &s.dh_next, out, &mut s.keep_h);
            dims.keep_padded(t, &s.dc_next, hidden, &mut s.keep_c);
        }
        // dh_t: from this step's output and from step t+1 through W_hh.
        dy.read_step_plus(t, batch, &s.dh_next, &mut s.dh);
        // Through the projection h_t = W_hr·h_raw.
        let dh_raw: &[f32] = match w.w_hr {
            Some(w_hr) => {
                cache.d_h[t * batch * out..][..batch * out].copy_from_slice(&s.dh);
                gemm(MatMut::new(&mut s.dh_raw, batch, hidden), MatRef::new(&s.dh, batch, out), Rhs::Packed(w_hr), false, &mut s.gemm);
                &s.dh_raw
            }
            None => &s.dh,
        };
        let gates = &mut cache.gates[t * batch * gh..][..batch * gh];
        let tanh_c = &cache.tanh_c[t * batch * hidden..][..batch * hidden];
        let c_prev = &cache.c_prev[t * batch * hidden..][..batch * hidden];
        let one = F32x4::splat(1.0);
        for b in 0..batch {
            let g_row = &mut gates[b * gh..][..gh];
            let row = b * hidden;
            for j in (0..hidden).step_by(4) {
                let n = 4.min(hidden - j);
                let at = row + j;
                let i = load_partial(&g_row[j..j + n]);
                let f = load_partial(&g_row[hidden + j..][..n]);
                let g = load_partial(&g_row[2 * hidden + j..][..n]);
                let o = load_partial(&g_row[3 * hidden + j..][..n]);
                let tc = load_partial(&tanh_c[at..at + n]);
                let dhr = load_partial(&dh_raw[at..at + n]);
                // Through h = o⊙tanh(c) into c, plus the carried dc from step t+1.
                let dc = dhr.mul(o).mul(one.sub(tc.mul(tc))).add(load_partial(&s.dc_next[at..at + n]));
                // Through c_t = f⊙c_{t−1} + i⊙g and the gate nonlinearities (σ' = y(1−y), tanh' = 1−y²).
                let da_i = dc.mul(g).mul(i.mul(one.sub(i)));
                let da_f = dc.mul(load_partial(&c_prev[at..at + n])).mul(f.mul(one.sub(f)));
                let da_g = dc.mul(i).mul(one.sub(g.mul(g)));
                let da_o = dhr.mul(tc).mul(o.mul(one.sub(o)));
                store_partial(dc.mul(f), &mut s.dc_next[at..at + n]); // dc_{t−1}
                store_partial(da_i, &mut g_row[j..j + n]);
                store_partial(da_f, &mut g_row[hidden + j..][..n]);
                store_partial(da_g, &mut g_row[2 * hidden + j..][..n]);
                store_partial(da_o, &mut g_row[3 * hidden + j..][..n]);
            }
        }
        if padded {
            // No gradient through a padded step: the carried state gradients pass it unchanged.
            dims.zero_padded(t, gates, gh);
            if w.w_hr.is_some() {
                dims.zero_padded(t, &mut cache.d_h[t * batch * out..][..batch * out], out);
            }
        }
        // Through the recurrent GEMM: dh_{t−1} = dG_t·W_hh.
        gemm(MatMut::new(&mut s.dh_next, batch, out), MatRef::new(gates, batch, gh), Rhs::Packed(w.w_hh), false, &mut s.gemm);
        if padded {
            dims.restore_padded(t, &mut s.dh_next, out, &s.keep_h);
            dims.restore_padded(t, &mut s.dc_next, hidden, &s.keep_c);
        }
    }
    dh0.copy_from_slice(&s.dh_next);
    dc0.copy_from_slice(&s.dc_next);
    let rows = seq * batch;
    if let (Some(d_w_hr), Some(_)) = (grads.d_w_hr.as_deref_mut(), w.w_hr) {
        // dW_hr (P, H) = dHᵀ·H_raw over all steps.
        let dh_all = MatRef::new(&cache.d_h, rows, out);
        gemm(MatMut::new(d_w_hr, out, hidden), dh_all.t(), Rhs::View(MatRef::new(&cache.h_raw, rows, hidden)), false, &mut s.gemm);
    }
    input_and_weight_grads(dx, grads, &cache.gates, &cache.gates, x, &cache.h_prev, None, w, dims, &mut s.gemm);
}
