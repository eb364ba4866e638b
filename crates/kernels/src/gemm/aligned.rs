//! An f32 buffer that starts on a cache-line boundary.
//!
//! The packed GEMM operands are read with 16-byte vector loads; the allocator only promises
//! 8-byte alignment on wasm32, and a load that straddles two cache lines costs two.

use core::ops::{Deref, DerefMut};

/// Floats per 64-byte cache line.
const LINE_FLOATS: usize = 16;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub struct Line([f32; LINE_FLOATS]);

#[derive(Clone, Default)]
pub struct AlignedBuf {
    lines: Vec<Line>,
    len: usize,
}

impl AlignedBuf {
    /// The cache lines holding `floats` floats.
    pub fn lines_for(floats: usize) -> usize {
        floats.div_ceil(LINE_FLOATS)
    }

    /// The line storage, for the memory plan to count and reserve its growth up front.
    pub fn lines_mut(&mut self) -> &mut Vec<Line> {
        &mut self.lines
    }

    /// Resizes to `len` floats, all zero (the allocation is reused when large enough).
    pub fn reset_zeroed(&mut self, len: usize) {
        self.lines.clear();
        self.resize_for_overwrite(len);
    }

    /// Resizes to `len` floats without clearing what is kept: for a caller that writes every
    /// element (packing A every step must not pay for a memset first).
    pub fn resize_for_overwrite(&mut self, len: usize) {
        self.lines.resize(len.div_ceil(LINE_FLOATS), Line([0.0; LINE_FLOATS]));
        self.len = len;
    }
}

impl Deref for AlignedBuf {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        // SAFETY: `lines` holds at least `len` contiguous f32s (Line is repr(C) over [f32; 16]).
        unsafe { core::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.len) }
    }
}

impl DerefMut for AlignedBuf {
    fn deref_mut(&mut self) -> &mut [f32] {
        // SAFETY: as in `deref`, and `&mut self` makes the borrow unique.
        unsafe { core::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f32>(), self.len) }
    }
}
