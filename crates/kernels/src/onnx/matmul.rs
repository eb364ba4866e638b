//! ONNX `MatMul` (batched, with the batch broadcasting resolved by the caller into one index
//! pair per output matrix) and `Gemm` (Y = α·op(A)·op(B) + β·C, C broadcast to (M, N)).

use super::alloc::{gemm_scratch, gemm_scratch_bytes, no_room, zeroed};
use crate::error::Error;
use crate::gemm::{gemm, MatMut, MatRef, Rhs};
use crate::memory::{check_budget, MemoryNeed};

fn shape_err(what: &str, expected: String, actual: usize) -> Error {
    Error::Shape { what: what.into(), expected, actual: actual.to_string() }
}

/// Bytes a `MatMul` of `batches` (M×K)·(K×N) products allocates.
pub fn matmul_need(batches: usize, m: usize, k: usize, n: usize) -> MemoryNeed {
    let out = (batches as u64).saturating_mul(m as u64).saturating_mul(n as u64).saturating_mul(4);
    MemoryNeed { results: out, scratch: gemm_scratch_bytes(k as u64, n as u64), ..MemoryNeed::default() }
}

/// (batches, M, N): output matrix i = A[a_index[i]] · B[b_index[i]], where A holds (M×K)
/// matrices and B (K×N) ones, each contiguous row-major.
pub fn matmul(a: &[f32], b: &[f32], a_index: &[u32], b_index: &[u32], m: usize, k: usize, n: usize) -> Result<Vec<f32>, Error> {
    if a_index.len() != b_index.len() {
        return Err(Error::Argument(format!("MatMul: {} A indices but {} B indices", a_index.len(), b_index.len())));
    }
    let (mk, kn) = (m.checked_mul(k), k.checked_mul(n));
    let (Some(mk), Some(kn)) = (mk, kn) else { return Err(Error::Argument("MatMul: sizes overflow".into())) };
    let a_count = a.len().checked_div(mk).unwrap_or(0);
    let b_count = b.len().checked_div(kn).unwrap_or(0);
    if mk > 0 && (!a.len().is_multiple_of(mk) || a_index.iter().any(|&i| i as usize >= a_count)) {
        return Err(shape_err("MatMul A", format!("whole ({m}×{k}) matrices covering every index"), a.len()));
    }
    if kn > 0 && (!b.len().is_multiple_of(kn) || b_index.iter().any(|&i| i as usize >= b_count)) {
        return Err(shape_err("MatMul B", format!("whole ({k}×{n}) matrices covering every index"), b.len()));
    }
    let need = matmul_need(a_index.len(), m, k, n);
    check_budget(&need)?;
    let mut out = zeroed(a_index.len() as u64 * m as u64 * n as u64).ok_or_else(|| no_room(&need))?;
    let mut scratch = gemm_scratch(k as u64, n as u64).ok_or_else(|| no_room(&need))?;
    if m * n == 0 {
        return Ok(out);
    }
    for ((dst, &ai), &bi) in out.chunks_exact_mut(m * n).zip(a_index).zip(b_index) {
        let a_mat = MatRef::new(&a[ai as usize * mk..][..mk], m, k);
        let b_mat = MatRef::new(&b[bi as usize * kn..][..kn], k, n);
        gemm(MatMut::new(dst, m, n), a_mat, Rhs::View(b_mat), false, &mut scratch);
    }
    Ok(out)
}

/// Bytes a `Gemm` of (M×K)·(K×N) allocates.
pub fn gemm_op_need(m: usize, k: usize, n: usize) -> MemoryNeed {
    matmul_need(1, m, k, n)
}

/// ONNX `Gemm`: Y (M, N) = α·op(A)·op(B) + β·C. A is (M, K), or (K, M) with `trans_a`; B is
/// (K, N), or (N, K) with `trans_b`; C (optional) is (c_rows, c_cols) with each 1 or the full
/// size (unidirectional broadcasting).
pub fn gemm_op(a: &[f32], b: &[f32], c: Option<&[f32]>, c_rows: usize, c_cols: usize, m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool, alpha: f32, beta: f32) -> Result<Vec<f32>, Error> {
    let len = |r: usize, c: usize| r.checked_mul(c).ok_or_else(|| Error::Argument("Gemm: sizes overflow".into()));
    if a.len() != len(m, k)? {
        return Err(shape_err("Gemm A", format!("{} floats ({m}×{k})", m * k), a.len()));
    }
    if b.len() != len(k, n)? {
        return Err(shape_err("Gemm B", format!("{} floats ({k}×{n})", k * n), b.len()));
    }
    if let Some(c) = c {
        if !(c_rows == 1 || c_rows == m) || !(c_cols == 1 || c_cols == n) || c.len() != c_rows * c_cols {
            return Err(shape_err("Gemm C", format!("(1 or {m}) × (1 or {n}) floats, given as ({c_rows}×{c_cols})"), c.len()));
        }
    }
    let need = gemm_op_need(m, k, n);
    check_budget(&need)?;
    let mut out = zeroed(m as u64 * n as u64).ok_or_else(|| no_room(&need))?;
    let mut scratch = gemm_scratch(k as u64, n as u64).ok_or_else(|| no_room(&need))?;
    let a_mat = if trans_a { MatRef::new(a, k, m).t() } else { MatRef::new(a, m, k) };
    let b_mat = if trans_b { MatRef::new(b, n, k).t() } else { MatRef::new(b, k, n) };
    if m * n > 0 {
        gemm(MatMut::new(&mut out, m, n), a_mat, Rhs::View(b_mat), false, &mut scratch);
    }
    for (r, row) in out.chunks_exact_mut(n.max(1)).enumerate().take(m) {
        for (j, y) in row.iter_mut().enumerate() {
            let c_term = c.map_or(0.0, |c| c[(if c_rows == 1 { 0 } else { r }) * c_cols + if c_cols == 1 { 0 } else { j }]);
            *y = alpha * *y + beta * c_term;
        }
    }
    Ok(out)
}
