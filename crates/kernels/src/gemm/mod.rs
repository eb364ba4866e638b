//! C (M×N) = op(A) (M×K) · op(B) (K×N), optionally accumulated into C.
//!
//! Goto-style: B is packed into column panels of `NR` (once per weight update for the weights,
//! on the fly into reusable scratch otherwise), A is packed per (MC×KC) block into row tiles of
//! `MR`, and a register-tiled microkernel computes each MR×NR tile. `accumulate = false` means C
//! is written without being read (so it may hold garbage). `reference::gemm_naive` is the
//! algorithmic reference every test compares against.

pub mod aligned;
mod microkernel;
mod pack;
pub mod reference;

pub use pack::PackedB;

use microkernel::{tile, MR, NR};

/// Rows of A packed per block (the A block stays in L2 while B panels stream through L1).
const MC: usize = 64;
/// Depth per block: an NR-wide B panel slice of KC rows is 8 KiB, well inside L1.
const KC: usize = 256;

/// A read-only strided matrix view: element (r, c) is `data[r * row_stride + c * col_stride]`.
#[derive(Clone, Copy)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A contiguous row-major matrix.
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        debug_assert!(data.len() >= rows * cols);
        Self { data, rows, cols, row_stride: cols, col_stride: 1 }
    }
    /// Row-major with a row stride (a column slice of a wider matrix, `data` starting at its first column).
    pub fn strided(data: &'a [f32], rows: usize, cols: usize, row_stride: usize) -> Self {
        Self { data, rows, cols, row_stride, col_stride: 1 }
    }
    /// The transpose, without moving data.
    pub fn t(self) -> Self {
        Self { data: self.data, rows: self.cols, cols: self.rows, row_stride: self.col_stride, col_stride: self.row_stride }
    }
    #[inline(always)]
    pub fn at(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.row_stride + c * self.col_stride]
    }
}

/// A mutable row-major matrix view with a row stride.
pub struct MatMut<'a> {
    pub data: &'a mut [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
}

impl<'a> MatMut<'a> {
    pub fn new(data: &'a mut [f32], rows: usize, cols: usize) -> Self {
        debug_assert!(data.len() >= rows * cols);
        Self { data, rows, cols, row_stride: cols }
    }
    pub fn strided(data: &'a mut [f32], rows: usize, cols: usize, row_stride: usize) -> Self {
        Self { data, rows, cols, row_stride }
    }
}

/// The right-hand operand: pre-packed weights, or any strided view packed on the fly.
pub enum Rhs<'a> {
    Packed(&'a PackedB),
    View(MatRef<'a>),
}

/// Packing buffers reused across calls so steady-state GEMMs allocate nothing.
#[derive(Default)]
pub struct GemmScratch {
    a: aligned::AlignedBuf,
    b: PackedB,
}

impl GemmScratch {
    /// Floats of the A packing buffer at its largest (one MC×KC block).
    pub const A_FLOATS: usize = MC * KC;

    /// The A packing buffer and the B buffer for operands packed on the fly (memory plan).
    pub fn buffers_mut(&mut self) -> (&mut aligned::AlignedBuf, &mut PackedB) {
        (&mut self.a, &mut self.b)
    }
}

/// C = A·B (`accumulate = false`) or C += A·B (`accumulate = true`).
pub fn gemm(c: MatMut, a: MatRef, b: Rhs, accumulate: bool, scratch: &mut GemmScratch) {
    let GemmScratch { a: a_buf, b: b_buf } = scratch;
    let packed: &PackedB = match b {
        Rhs::Packed(p) => p,
        Rhs::View(view) => {
            b_buf.pack_from(view);
            b_buf
        }
    };
    let (m, n, k) = (c.rows, c.cols, a.cols);
    assert!(a.rows == m && packed.k() == k && packed.n() == n, "gemm shape mismatch");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for r in 0..m {
                c.data[r * c.row_stride..][..n].fill(0.0);
            }
        }
        return;
    }
    let ldc = c.row_stride;
    for k0 in (0..k).step_by(KC) {
        let kc = KC.min(k - k0);
        let acc = accumulate || k0 > 0;
        if m == 1 && a.col_stride == 1 {
            // A single contiguous row (a batch-1 step): a GEMV over all panels.
            microkernel::row_times_panels(kc, &a.data[k0..][..kc], packed, k0, &mut c.data[..n], acc);
            continue;
        }
        for m0 in (0..m).step_by(MC) {
            let mc = MC.min(m - m0);
            pack::pack_a_block(a_buf, a, m0, mc, k0, kc);
            let a_block: &[f32] = a_buf;
            for panel in 0..packed.panels() {
                let n0 = panel * NR;
                let n_eff = NR.min(n - n0);
                let b_slice = packed.panel_slice(panel, k0, kc);
                let mut a_off = 0;
                for r0 in (0..mc).step_by(MR) {
                    let rows = MR.min(mc - r0);
                    let a_tile = &a_block[a_off..a_off + rows * kc];
                    a_off += rows * kc;
                    let c_off = (m0 + r0) * ldc + n0;
                    tile(rows, kc, a_tile, b_slice, &mut c.data[c_off..], ldc, n_eff, acc);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
