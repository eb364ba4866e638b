//! Fallible allocation after the budget check: every call here first counts what it will
//! allocate (`MemoryNeed`), is refused with E_TOO_LARGE when that does not fit, and then
//! allocates with `try_reserve` so that an allocator without room is E_TOO_LARGE, not a trap.

use crate::error::Error;
use crate::gemm::aligned::AlignedBuf;
use crate::gemm::{GemmScratch, PackedB};
use crate::memory::{bytes_in_use, MemoryNeed, INSTANCE_BUDGET_BYTES};

/// The error for a need that passed the budget check but found no room in the allocator.
pub fn no_room(need: &MemoryNeed) -> Error {
    Error::TooLarge { need: need.total(), in_use: bytes_in_use(), budget: INSTANCE_BUDGET_BYTES, detail: "the allocator found no room for it".into() }
}

/// A zeroed Vec of `len` floats, or None when the allocator has no room.
pub fn zeroed(len: u64) -> Option<Vec<f32>> {
    let len = usize::try_from(len).ok()?;
    let mut v = Vec::new();
    v.try_reserve_exact(len).ok()?;
    v.resize(len, 0.0);
    Some(v)
}

/// Bytes an [`AlignedBuf`] of `floats` floats takes (whole 64-byte lines).
pub fn aligned_bytes(floats: u64) -> u64 {
    usize::try_from(floats).map_or(u64::MAX, |f| (AlignedBuf::lines_for(f) as u64).saturating_mul(64))
}

/// Reserves an [`AlignedBuf`]'s storage for `floats` floats up front.
pub fn reserve_aligned(buf: &mut AlignedBuf, floats: u64) -> Option<()> {
    let lines = AlignedBuf::lines_for(usize::try_from(floats).ok()?);
    buf.lines_mut().try_reserve_exact(lines).ok()
}

/// Bytes of a [`GemmScratch`] whose right-hand operands are packed on the fly, at most (k, n).
pub fn gemm_scratch_bytes(k: u64, n: u64) -> u64 {
    aligned_bytes(GemmScratch::A_FLOATS as u64).saturating_add(aligned_bytes(PackedB::packed_len(k, n)))
}

/// A [`GemmScratch`] reserved for right-hand operands up to (k, n).
pub fn gemm_scratch(k: u64, n: u64) -> Option<GemmScratch> {
    let mut s = GemmScratch::default();
    let (a, b) = s.buffers_mut();
    reserve_aligned(a, GemmScratch::A_FLOATS as u64)?;
    reserve_aligned(b.storage_mut(), PackedB::packed_len(k, n))?;
    Some(s)
}
