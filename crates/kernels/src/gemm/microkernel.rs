//! The register tile: an R×NR block of C accumulated in `R·NR/4` vector registers.
//!
//! The inner loops use raw pointers: their bounds are asserted once per call, because per-load
//! bounds checks and index arithmetic would compete with the multiply-adds for the same
//! execution ports. Loads use constant offsets from one pointer per operand, which wasm-opt
//! folds into the load instructions (`--low-memory-unused`).

use super::pack::PackedB;
use wasm_rnn_simd::{F32x4, BROADCAST_BY_SHUFFLE};

/// Rows per tile.
pub const MR: usize = 4;
/// Columns per tile: two 4-lane vectors.
pub const NR: usize = 8;

/// Computes one tile with `rows` ≤ MR rows, dispatching to a kernel specialised for that count
/// (the last rows of a block must not pay for four; whole single-row GEMMs use
/// [`row_times_panels`]).
/// `a`: the packed A tile, [kc][rows]; `b`: the packed B panel slice, [kc][NR];
/// `c`: the tile's first element, rows `ldc` apart; only the first `n_eff` columns are written.
///
/// Tiles of few rows split k over two accumulator sets (summed at the end): each accumulator is
/// a dependency chain of multiply-adds, and a 1-row tile would otherwise have only two chains.
/// (A four-way split measured slower: V8 then spills accumulators to the stack.)
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn tile(rows: usize, kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, n_eff: usize, accumulate: bool) {
    match rows {
        4 if BROADCAST_BY_SHUFFLE => kernel_full_shuffled(kc, a, b, c, ldc, n_eff, accumulate),
        4 => kernel::<4, 1>(kc, a, b, c, ldc, n_eff, accumulate),
        3 => kernel::<3, 1>(kc, a, b, c, ldc, n_eff, accumulate),
        2 => kernel::<2, 2>(kc, a, b, c, ldc, n_eff, accumulate),
        _ => kernel::<1, 2>(kc, a, b, c, ldc, n_eff, accumulate),
    }
}

/// A full MR×NR tile whose four A values per k are one vector load, broadcast lane by lane with
/// shuffles: 3 loads per 8 multiply-adds. Used where shuffles are free ([`BROADCAST_BY_SHUFFLE`]);
/// elsewhere the full tile is `kernel::<4, 1>`, one `load32_splat` per A value.
#[inline(never)]
fn kernel_full_shuffled(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, n_eff: usize, accumulate: bool) {
    assert!(a.len() >= kc * MR && b.len() >= kc * NR && n_eff <= NR && c.len() >= (MR - 1) * ldc + n_eff);
    let mut acc = [[F32x4::zero(); 2]; MR];
    // SAFETY: the assert bounds every read: k < kc, so a[k·4 + 3] < kc·4 and b[k·NR + 7] < kc·NR.
    unsafe {
        let (mut ap, mut bp) = (a.as_ptr(), b.as_ptr());
        for _ in 0..kc {
            let av = F32x4::load_ptr(ap);
            let b0 = F32x4::load_ptr(bp);
            let b1 = F32x4::load_ptr(bp.add(4));
            let a0 = av.broadcast_lane::<0>();
            acc[0][0] = a0.mul_add(b0, acc[0][0]);
            acc[0][1] = a0.mul_add(b1, acc[0][1]);
            let a1 = av.broadcast_lane::<1>();
            acc[1][0] = a1.mul_add(b0, acc[1][0]);
            acc[1][1] = a1.mul_add(b1, acc[1][1]);
            let a2 = av.broadcast_lane::<2>();
            acc[2][0] = a2.mul_add(b0, acc[2][0]);
            acc[2][1] = a2.mul_add(b1, acc[2][1]);
            let a3 = av.broadcast_lane::<3>();
            acc[3][0] = a3.mul_add(b0, acc[3][0]);
            acc[3][1] = a3.mul_add(b1, acc[3][1]);
            ap = ap.add(MR);
            bp = bp.add(NR);
        }
    }
    store_tile(&acc, c, ldc, n_eff, accumulate);
}

/// Panels per pass of the GEMV: 3 panels × 2 vectors = 6 independent accumulator chains, and each
/// broadcast a_k feeds 6 multiply-adds. (Measured: 46% → 55% of peak over one panel with its k
/// split in two. Four panels measured slower: V8 hoists all eight B loads, runs out of its 15
/// vector registers and spills an accumulator, which puts a store and a reload in its chain.)
const GEMV_PANELS: usize = 3;

/// One row of A times every panel of B (the GEMV of a batch-1 step), in one function so that
/// per panel group only the k loop runs: no call, no argument checks.
/// `a`: the row's k0..k0+kc slice; `c`: the output row (`packed.n()` columns).
#[inline(never)]
pub fn row_times_panels(kc: usize, a: &[f32], packed: &PackedB, k0: usize, c: &mut [f32], accumulate: bool) {
    let n = packed.n();
    let panels = packed.panels();
    assert!(a.len() >= kc && c.len() >= n);
    let mut panel = 0;
    while panel + GEMV_PANELS <= panels {
        let b: [&[f32]; GEMV_PANELS] = core::array::from_fn(|j| packed.panel_slice(panel + j, k0, kc));
        assert!(b.iter().all(|s| s.len() >= kc * NR));
        let mut acc = [[F32x4::zero(); 2]; GEMV_PANELS];
        // SAFETY: k < kc, so a[k] < kc ≤ a.len() and b[j][k·NR + 7] < kc·NR ≤ b[j].len().
        unsafe {
            let mut ap = a.as_ptr();
            let mut bp = b.map(|s| s.as_ptr());
            for _ in 0..kc {
                let a_k = F32x4::splat_ptr(ap);
                for (acc_j, bp_j) in acc.iter_mut().zip(bp.iter_mut()) {
                    acc_j[0] = a_k.mul_add(F32x4::load_ptr(*bp_j), acc_j[0]);
                    acc_j[1] = a_k.mul_add(F32x4::load_ptr(bp_j.add(4)), acc_j[1]);
                    *bp_j = bp_j.add(NR);
                }
                ap = ap.add(1);
            }
        }
        for (j, acc_j) in acc.iter().enumerate() {
            let n0 = (panel + j) * NR;
            store_tile(&[*acc_j], &mut c[n0..], 0, NR.min(n - n0), accumulate);
        }
        panel += GEMV_PANELS;
    }
    for panel in panel..panels {
        let b = packed.panel_slice(panel, k0, kc);
        assert!(b.len() >= kc * NR);
        // The last panels: two accumulator sets (even and odd k), four dependency chains.
        let mut acc = [[F32x4::zero(); 2]; 2];
        // SAFETY: k < kc, so a[k] < kc ≤ a.len() and b[k·NR + 7] < kc·NR ≤ b.len().
        unsafe {
            let (mut ap, mut bp) = (a.as_ptr(), b.as_ptr());
            for _ in 0..kc / 2 {
                for (j, acc_j) in acc.iter_mut().enumerate() {
                    let a_k = F32x4::splat_ptr(ap.add(j));
                    acc_j[0] = a_k.mul_add(F32x4::load_ptr(bp.add(j * NR)), acc_j[0]);
                    acc_j[1] = a_k.mul_add(F32x4::load_ptr(bp.add(j * NR + 4)), acc_j[1]);
                }
                ap = ap.add(2);
                bp = bp.add(2 * NR);
            }
            if kc % 2 == 1 {
                let a_k = F32x4::splat_ptr(ap);
                acc[0][0] = a_k.mul_add(F32x4::load_ptr(bp), acc[0][0]);
                acc[0][1] = a_k.mul_add(F32x4::load_ptr(bp.add(4)), acc[0][1]);
            }
        }
        let sum = [[acc[0][0].add(acc[1][0]), acc[0][1].add(acc[1][1])]];
        let n0 = panel * NR;
        store_tile(&sum, &mut c[n0..], 0, NR.min(n - n0), accumulate);
    }
}

/// R rows, k split S ways.
// Not inlined: a small function of its own keeps the engine's register allocation of the
// accumulators simple.
#[inline(never)]
#[allow(clippy::needless_range_loop)] // the accumulator tiles are indexed like the equations
fn kernel<const R: usize, const S: usize>(kc: usize, a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, n_eff: usize, accumulate: bool) {
    assert!(a.len() >= kc * R && b.len() >= kc * NR && n_eff <= NR && c.len() >= (R - 1) * ldc + n_eff);
    let mut acc = [[[F32x4::zero(); 2]; R]; S];
    // SAFETY: the assert bounds every read: k < kc, so a[k·R + r] < kc·R and b[k·NR + 7] < kc·NR.
    unsafe {
        #[inline(always)]
        unsafe fn step<const R: usize>(ap: *const f32, bp: *const f32, acc: &mut [[F32x4; 2]; R]) {
            let b0 = F32x4::load_ptr(bp);
            let b1 = F32x4::load_ptr(bp.add(4));
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let a_r = F32x4::splat_ptr(ap.add(r));
                acc_r[0] = a_r.mul_add(b0, acc_r[0]);
                acc_r[1] = a_r.mul_add(b1, acc_r[1]);
            }
        }
        let (mut ap, mut bp) = (a.as_ptr(), b.as_ptr());
        for _ in 0..kc / S {
            for (j, acc_j) in acc.iter_mut().enumerate() {
                step::<R>(ap.add(j * R), bp.add(j * NR), acc_j);
            }
            ap = ap.add(S * R);
            bp = bp.add(S * NR);
        }
        for j in 0..kc % S {
            step::<R>(ap.add(j * R), bp.add(j * NR), &mut acc[j]);
        }
    }
    for j in 1..S {
        for r in 0..R {
            acc[0][r][0] = acc[0][r][0].add(acc[j][r][0]);
            acc[0][r][1] = acc[0][r][1].add(acc[j][r][1]);
        }
    }
    store_tile(&acc[0], c, ldc, n_eff, accumulate);
}

/// C tile (+)= the accumulators; only the first `n_eff` columns are written.
#[inline(always)]
fn store_tile<const R: usize>(acc: &[[F32x4; 2]; R], c: &mut [f32], ldc: usize, n_eff: usize, accumulate: bool) {
    for (r, acc_r) in acc.iter().enumerate() {
        let row = &mut c[r * ldc..];
        if n_eff == NR {
            let row = &mut row[..NR];
            let (lo, hi) = if accumulate { (acc_r[0].add(F32x4::load(&row[0..4])), acc_r[1].add(F32x4::load(&row[4..8]))) } else { (acc_r[0], acc_r[1]) };
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
