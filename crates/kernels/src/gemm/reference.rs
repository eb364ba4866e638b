//! The algorithmic reference: a plain triple loop in f64, for tests and unfriendly shapes.

use super::{MatMut, MatRef};

pub fn gemm_naive(c: MatMut, a: MatRef, b: MatRef, accumulate: bool) {
    for i in 0..c.rows {
        for j in 0..c.cols {
            let mut s = 0.0f64;
            for k in 0..a.cols {
                s += a.at(i, k) as f64 * b.at(k, j) as f64;
            }
            let dst = &mut c.data[i * c.row_stride + j];
            *dst = if accumulate { (*dst as f64 + s) as f32 } else { s as f32 };
        }
    }
}
