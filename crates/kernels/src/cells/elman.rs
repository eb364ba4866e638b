//! Elman RNN, PyTorch's `nn.RNN` convention: h_t = act(W_ih x + b_ih + W_hh h_{t−1} + b_hh),
//! act = tanh or relu.

use super::{ensure_len, input_and_weight_grads, project_inputs, return_gates, take_gates, Dims, DirCache, DirGrads, DirWeights, Scratch, SeqBlock};
use crate::gemm::{gemm, MatMut, MatRef, Rhs};
use wasm_rnn_simd::vecmath::{map_inplace, tanh};
use wasm_rnn_simd::{load_partial, store_partial, F32x4};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nonlinearity {
    Tanh,
    Relu,
}

/// Runs the sequence forward. `cache` is `Some` in training mode.
#[allow(clippy::too_many_arguments)]
pub fn elman_forward(
    y: &mut SeqBlock<&mut [f32]>, // (T, B, H)
    h_n: &mut [f32],              // (B, H)
    mut cache: Option<&mut DirCache>,
    x: MatRef,  // (T·B, I)
    h0: &[f32], // (B, H)
    act: Nonlinearity,
    w: &DirWeights,
    dims: &Dims,
    s: &mut Scratch,
) {
    let Dims { seq, batch, hidden, .. } = *dims;
    // (T, B, H): pre-activations, then h_t itself (what backward differentiates through).
    let mut pre_all = take_gates(&mut cache, s, seq * batch * hidden);
    project_inputs(&mut pre_all, x, w.w_ih_t, w.b_ih, w.b_hh, &mut s.gemm);
    if let Some(c) = cache.as_deref_mut() {
        ensure_len(&mut c.h_prev, seq * batch * hidden);
    }
    if dims.lengths.is_some() {
        ensure_len(&mut s.keep_h, batch * hidden);
    }
    s.h.clear();
    s.h.extend_from_slice(h0);
    for step in 0..seq {
        let t = dims.time_at(step);
        let padded = dims.padded_at(t);
        if padded {
            dims.keep_padded(t, &s.h, hidden, &mut s.keep_h);
        }
        let pre = &mut pre_all[t * batch * hidden..][..batch * hidden];
        // pre += h_{t−1}·W_hhᵀ
        gemm(MatMut::new(pre, batch, hidden), MatRef::new(&s.h, batch, hidden), Rhs::Packed(w.w_hh_t), true, &mut s.gemm);
        if let Some(c) = cache.as_deref_mut() {
            c.h_prev[t * batch * hidden..][..batch * hidden].copy_from_slice(&s.h);
        }
        match act {
            Nonlinearity::Tanh => map_inplace(pre, tanh),
            Nonlinearity::Relu => map_inplace(pre, |v| v.max(F32x4::zero())),
        }
        s.h.copy_from_slice(pre);
        if padded {
            dims.restore_padded(t, &mut s.h, hidden, &s.keep_h);
        }
        y.write_step(t, batch, &s.h);
        if padded {
            y.zero_padded(t, dims);
        }
    }
    h_n.copy_from_slice(&s.h);
    return_gates(cache, s, pre_all);
}

/// Backpropagates through the whole sequence (consumes the cache's activations).
#[allow(clippy::too_many_arguments)]
pub fn elman_backward(
    dx: &mut [f32],  // (T·B, I) accumulated
    dh0: &mut [f32], // (B, H)
    grads: &mut DirGrads,
    cache: &mut DirCache,
    dy: &SeqBlock<&[f32]>, // (T, B, H)
    dh_n: &[f32],          // (B, H)
    x: MatRef,
    act: Nonlinearity,
    w: &DirWeights,
    dims: &Dims,
    s: &mut Scratch,
) {
    let Dims { seq, batch, hidden, .. } = *dims;
    s.dh_next.clear();
    s.dh_next.extend_from_slice(dh_n);
    if dims.lengths.is_some() {
        ensure_len(&mut s.keep_h, batch * hidden);
    }
    ensure_len(&mut s.dh, batch * hidden);
    let one = F32x4::splat(1.0);
    for step in (0..seq).rev() {
        let t = dims.time_at(step);
        let padded = dims.padded_at(t);
        if padded {
            dims.keep_padded(t, &s.dh_next, hidden, &mut s.keep_h);
        }
        // dh_t: from this step's output and from step t+1.
        dy.read_step_plus(t, batch, &s.dh_next, &mut s.dh);
        let h_t = &mut cache.gates[t * batch * hidden..][..batch * hidden];
        // Through the nonlinearity, from its output: tanh' = 1 − h², relu' = [h > 0].
        for (hv, dh) in h_t.chunks_mut(4).zip(s.dh.chunks(4)) {
            let h = load_partial(hv);
            let dh = load_partial(dh);
            let da = match act {
                Nonlinearity::Tanh => dh.mul(one.sub(h.mul(h))),
                Nonlinearity::Relu => h.positive_or_zero(dh),
            };
            store_partial(da, hv);
        }
        if padded {
            dims.zero_padded(t, h_t, hidden); // no gradient through a padded step
        }
        // Through the recurrent GEMM: dh_{t−1} = da_t·W_hh.
        gemm(MatMut::new(&mut s.dh_next, batch, hidden), MatRef::new(h_t, batch, hidden), Rhs::Packed(w.w_hh), false, &mut s.gemm);
        if padded {
            dims.restore_padded(t, &mut s.dh_next, hidden, &s.keep_h);
        }
    }
    dh0.copy_from_slice(&s.dh_next);
    input_and_weight_grads(dx, grads, &cache.gates, &cache.gates, x, &cache.h_prev, None, w, dims, &mut s.gemm);
}
