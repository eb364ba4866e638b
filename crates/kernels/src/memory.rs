//! The instance's memory budget and the allocator that keeps count of it.
//!
//! A wasm32 instance addresses at most 4 GiB, and an allocation that fails inside Rust aborts
//! (a trap). So every call first computes exactly what it will allocate (see
//! `network::plan`) and is refused with `E_TOO_LARGE` when the live allocations of the whole
//! instance plus that need would pass [`INSTANCE_BUDGET_BYTES`]. [`CountingAlloc`] (the global
//! allocator of the wasm build) keeps the live total.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

/// Live allocations the instance may hold at once: 3 GiB of the 4 GiB a wasm32 memory can
/// address, the rest left to the stack, static data and allocator fragmentation.
pub const INSTANCE_BUDGET_BYTES: u64 = 3 << 30;

static IN_USE: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static ALLOCATED_HERE: Cell<u64> = const { Cell::new(0) };
}

/// The system allocator (dlmalloc in wasm), counting live bytes instance-wide and bytes
/// allocated per thread (for tests that check a plan against what a call really allocates).
pub struct CountingAlloc;

fn count_allocation(bytes: usize) {
    IN_USE.fetch_add(bytes as u64, Ordering::Relaxed);
    let _ = ALLOCATED_HERE.try_with(|c| c.set(c.get() + bytes as u64));
}

// SAFETY: forwards every call to `System` unchanged; only counts.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            count_allocation(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            count_allocation(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        IN_USE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            IN_USE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
            count_allocation(new_size);
        }
        p
    }
}

/// Bytes currently allocated through [`CountingAlloc`] (0 where it is not the global allocator).
pub fn bytes_in_use() -> u64 {
    IN_USE.load(Ordering::Relaxed)
}

/// Bytes this thread has allocated through [`CountingAlloc`] so far (never decreases).
pub fn bytes_allocated_by_this_thread() -> u64 {
    ALLOCATED_HERE.try_with(Cell::get).unwrap_or(0)
}

/// What a call will allocate, by kind. Inputs and results are the transient copies across the
/// JS boundary; the rest are buffers the network keeps (and reuses) for later calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryNeed {
    /// Copies of the call's input tensors in wasm memory.
    pub inputs: u64,
    /// Weights packed for the GEMM (after construction or a parameter change).
    pub packed_weights: u64,
    /// Activations kept for backward, layer outputs and the output/state buffers.
    pub activations: u64,
    /// Per-call scratch: gate buffers, step states, GEMM packing.
    pub scratch: u64,
    /// The one array of results handed back to JavaScript.
    pub results: u64,
}

impl MemoryNeed {
    pub fn total(&self) -> u64 {
        self.inputs.saturating_add(self.packed_weights).saturating_add(self.activations).saturating_add(self.scratch).saturating_add(self.results)
    }
    /// The buffers the network itself grows (all but the boundary copies).
    pub fn kept(&self) -> u64 {
        self.packed_weights.saturating_add(self.activations).saturating_add(self.scratch)
    }
    fn describe(&self) -> String {
        let parts = [("inputs", self.inputs), ("packed weights", self.packed_weights), ("activations and states", self.activations), ("scratch", self.scratch), ("results", self.results)];
        parts.iter().filter(|(_, b)| *b > 0).map(|(n, b)| format!("{n} {b}")).collect::<Vec<_>>().join(", ")
    }
}

/// Refuses a need that the instance cannot take on top of what it already holds.
pub fn check_budget(need: &MemoryNeed) -> Result<(), Error> {
    let in_use = bytes_in_use();
    if in_use.saturating_add(need.total()) > INSTANCE_BUDGET_BYTES {
        return Err(Error::TooLarge { need: need.total(), in_use, budget: INSTANCE_BUDGET_BYTES, detail: need.describe() });
    }
    Ok(())
}
