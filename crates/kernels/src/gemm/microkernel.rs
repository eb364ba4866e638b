//! The register tile: an R×NR block of C accumulated in `R·NR/4` vector registers.

use wasm_rnn_simd::F32x4;

/// Rows per tile.
pub const MR: usize = 4;
/// Columns per tile: two 4-lane vectors.
pub const NR: usize = 8;

/// Computes one tile with `rows` ≤ MR rows, dispatching to a kernel specialised for that count
/// (a batch-1 recurrence is a 1-row GEMV and must not pay for four).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn tile(rows: usize, kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, n_eff: usize, accumulate: bool) {
    match rows {
        4 => kernel::<4>(kc, a, b, c, ldc, n_eff, accumulate),
        3 => kernel::<3>(kc, a, b, c, ldc, n_eff, accumulate),
        2 => kernel::<2>(kc, a, b, c, ldc, n_eff, accumulate),
        _ => kernel::<1>(kc, a, b, c, ldc, n_eff, accumulate),
    }
}

#[inline(always)]
fn kernel<const R: usize>(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, n_eff: usize, accumulate: bool) {
    let mut acc = [[F32x4::zero(); 2]; R];
    for (a_k, b_k) in a.chunks_exact(R).zip(b.chunks_exact(NR)).take(kc) {
        let b0 = F32x4::load(&b_k[0..4]);
        let b1 = F32x4::load(&b_k[4..8]);
        for r in 0..R {
            let a_r = F32x4::splat(a_k[r]);
            acc[r][0] = a_r.mul_add(b0, acc[r][0]);
            acc[r][1] = a_r.mul_add(b1, acc[r][1]);
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        let row = &mut c[r * ldc..];
        if n_eff == NR {
            let row = &mut row[..NR];
            let (lo, hi) = if accumulate {
                (acc_r[0].add(F32x4::load(&row[0..4])), acc_r[1].add(F32x4::load(&row[4..8])))
            } else {
                (acc_r[0], acc_r[1])
            };
            lo.store(&mut row[0..4]);
            hi.store(&mut row[4..8]);
        } else {
            let mut tmp = [0.0f32; NR];
            acc_r[0].store(&mut tmp[0..4]);
            acc_r[1].store(&mut tmp[4..8]);
            for (dst, v) in row[..n_eff].iter_mut().zip(tmp) {
                *dst = if accumulate { *dst + v } else { v };
            }
        }
    }
}
