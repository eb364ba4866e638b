//! Packing: B into NR-wide column panels laid out [panel][k][NR] (zero-padded past N),
//! A into row tiles laid out [tile][k][rows] so the microkernel reads both sequentially.

use super::aligned::AlignedBuf;
use super::microkernel::{MR, NR};
use super::MatRef;
use wasm_rnn_simd::F32x4;

/// Copies 4·V floats with vector loads and stores. A `copy_from_slice` of a length known only at
/// run time becomes `memory.copy`, which the engine runs as a call into its C library: for
/// 16 or 32 bytes that call costs more than the copy (it was 6% of an XL training step).
#[inline(always)]
fn copy_vectors<const V: usize>(dst: &mut [f32], src: &[f32]) {
    for v in 0..V {
        F32x4::load(&src[4 * v..]).store(&mut dst[4 * v..]);
    }
}

/// B (K×N) packed into column panels; built once per weight update for the weight operands.
#[derive(Default, Clone)]
pub struct PackedB {
    data: AlignedBuf,
    k: usize,
    n: usize,
}

impl PackedB {
    pub fn from_view(b: MatRef) -> Self {
        let mut p = Self::default();
        p.pack_from(b);
        p
    }

    /// Floats the packed form of a K×N matrix takes (N rounded up to whole panels).
    pub fn packed_len(k: u64, n: u64) -> u64 {
        n.div_ceil(NR as u64).saturating_mul(k).saturating_mul(NR as u64)
    }

    /// The packed storage, for the memory plan to count and reserve its growth up front.
    pub fn storage_mut(&mut self) -> &mut AlignedBuf {
        &mut self.data
    }

    /// Repacks `b` into this buffer, reusing its allocation.
    pub fn pack_from(&mut self, b: MatRef) {
        let (k, n) = (b.rows, b.cols);
        let panels = n.div_ceil(NR);
        self.k = k;
        self.n = n;
        self.data.reset_zeroed(panels * k * NR);
        for panel in 0..panels {
            let n0 = panel * NR;
            let width = NR.min(n - n0);
            let dst = &mut self.data[panel * k * NR..][..k * NR];
            if b.col_stride == 1 && width == NR {
                for (kk, row) in dst.chunks_exact_mut(NR).enumerate() {
                    copy_vectors::<{ NR / 4 }>(row, &b.data[kk * b.row_stride + n0..][..NR]);
                }
            } else if b.col_stride == 1 {
                for (kk, row) in dst.chunks_exact_mut(NR).enumerate() {
                    let src = &b.data[kk * b.row_stride + n0..][..width];
                    row[..width].copy_from_slice(src);
                }
            } else {
                for (kk, row) in dst.chunks_exact_mut(NR).enumerate() {
                    for (j, v) in row[..width].iter_mut().enumerate() {
                        *v = b.at(kk, n0 + j);
                    }
                }
            }
        }
    }

    pub fn k(&self) -> usize {
        self.k
    }
    pub fn n(&self) -> usize {
        self.n
    }
    pub fn panels(&self) -> usize {
        self.n.div_ceil(NR)
    }
    /// Rows k0..k0+kc of one panel, contiguous.
    #[inline(always)]
    pub fn panel_slice(&self, panel: usize, k0: usize, kc: usize) -> &[f32] {
        &self.data[panel * self.k * NR + k0 * NR..][..kc * NR]
    }
}

/// Packs rows m0..m0+mc, depth k0..k0+kc of A into row tiles of MR (the last tile may be shorter).
/// Every element of the first mc·kc is written.
pub fn pack_a_block(buf: &mut AlignedBuf, a: MatRef, m0: usize, mc: usize, k0: usize, kc: usize) {
    buf.resize_for_overwrite(mc * kc);
    let mut off = 0;
    for r0 in (0..mc).step_by(MR) {
        let rows = MR.min(mc - r0);
        let tile = &mut buf[off..off + rows * kc];
        off += rows * kc;
        if a.col_stride == 1 && rows == MR {
            // Row-major A: four rows' next four k values, transposed in registers to [k][row].
            let src: [&[f32]; MR] = core::array::from_fn(|r| &a.data[(m0 + r0 + r) * a.row_stride + k0..][..kc]);
            let whole = kc - kc % 4;
            for kk in (0..whole).step_by(4) {
                let cols = F32x4::transpose4(src.map(|row| F32x4::load(&row[kk..])));
                for (j, col) in cols.into_iter().enumerate() {
                    col.store(&mut tile[(kk + j) * MR..]);
                }
            }
            for kk in whole..kc {
                for (r, row) in src.iter().enumerate() {
                    tile[kk * MR + r] = row[kk];
                }
            }
        } else if a.col_stride == 1 {
            for r in 0..rows {
                let src = &a.data[(m0 + r0 + r) * a.row_stride + k0..][..kc];
                for (kk, &v) in src.iter().enumerate() {
                    tile[kk * rows + r] = v;
                }
            }
        } else if a.row_stride == 1 && rows == MR {
            // A is a transposed view: the tile's rows at one k are contiguous in memory.
            for (kk, dst) in tile.chunks_exact_mut(MR).enumerate() {
                copy_vectors::<{ MR / 4 }>(dst, &a.data[(m0 + r0) + (k0 + kk) * a.col_stride..][..MR]);
            }
        } else if a.row_stride == 1 {
            for (kk, dst) in tile.chunks_exact_mut(rows).enumerate() {
                dst.copy_from_slice(&a.data[(m0 + r0) + (k0 + kk) * a.col_stride..][..rows]);
            }
        } else {
            for (kk, dst) in tile.chunks_exact_mut(rows).enumerate() {
                for (r, v) in dst.iter_mut().enumerate() {
                    *v = a.at(m0 + r0 + r, k0 + kk);
                }
            }
        }
    }
}
