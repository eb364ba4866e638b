//! `nn.Embedding`: row `id` of W (V, D) for every id. Ids are checked by the caller.

/// y (N, D) = W[ids].
pub fn embedding_forward(y: &mut [f32], ids: &[i32], w: &[f32], dim: usize) {
    for (row, &id) in y.chunks_exact_mut(dim).zip(ids) {
        row.copy_from_slice(&w[id as usize * dim..][..dim]);
    }
}

/// dW (V, D) = Σ over the rows with each id of dy (overwritten; rows never looked up stay 0).
pub fn embedding_backward(dw: &mut [f32], ids: &[i32], dy: &[f32], dim: usize) {
    dw.fill(0.0);
    for (g, &id) in dy.chunks_exact(dim).zip(ids) {
        let dst = &mut dw[id as usize * dim..][..dim];
        dst.iter_mut().zip(g).for_each(|(d, v)| *d += v);
    }
}
