//! `nn.Linear` on every row: y = x·Wᵀ + b, W (O, I) as PyTorch stores it.

use crate::cells::{column_sums, fill_rows_with_bias};
use crate::gemm::{gemm, GemmScratch, MatMut, MatRef, Rhs};

/// y (N, O) = x (N, I) · Wᵀ + b.
pub fn dense_forward(y: &mut [f32], x: &[f32], w: &[f32], b: Option<&[f32]>, rows: usize, input: usize, output: usize, s: &mut GemmScratch) {
    if let Some(b) = b {
        fill_rows_with_bias(y, output, Some(b), None);
    }
    let w_t = MatRef::new(w, output, input).t(); // (I, O)
    gemm(MatMut::new(y, rows, output), MatRef::new(x, rows, input), Rhs::View(w_t), b.is_some(), s);
}

/// dW (O, I) = dyᵀ · x, db = Σ_rows dy, and (when asked) dx (N, I) = dy · W. Overwrites all three.
#[allow(clippy::too_many_arguments)]
pub fn dense_backward(dx: Option<&mut [f32]>, dw: &mut [f32], db: Option<&mut [f32]>, dy: &[f32], x: &[f32], w: &[f32], rows: usize, input: usize, output: usize, s: &mut GemmScratch) {
    let dy_m = MatRef::new(dy, rows, output);
    gemm(MatMut::new(dw, output, input), dy_m.t(), Rhs::View(MatRef::new(x, rows, input)), false, s);
    if let Some(db) = db {
        column_sums(db, dy, output);
    }
    if let Some(dx) = dx {
        gemm(MatMut::new(dx, rows, input), dy_m, Rhs::View(MatRef::new(w, output, input)), false, s);
    }
}
