//! Lane arithmetic for the kernels, written once and compiled three ways.
//!
//! `F32x4` is a `v128` when the crate is built with `+simd128` for wasm32 and a plain `[f32; 4]`
//! otherwise (the scalar wasm build and every native build, so kernel tests run natively).
//! `mul_add` is a fused multiply-add only where relaxed SIMD offers one; the other builds
//! multiply then add. Kernels never touch `core::arch` themselves.

mod lanes;
pub mod vecmath;

pub use lanes::{F32x4, BROADCAST_BY_SHUFFLE};

/// Which lane implementation this build uses (reported to JavaScript for diagnostics).
pub const LANE_IMPL: &str = lanes::LANE_IMPL;

/// Loads up to four lanes from `s` (shorter slices are zero-padded): the tail of a row.
#[inline(always)]
pub fn load_partial(s: &[f32]) -> F32x4 {
    if s.len() >= 4 {
        return F32x4::load(s);
    }
    let mut pad = [0.0f32; 4];
    pad[..s.len()].copy_from_slice(s);
    F32x4::load(&pad)
}

/// Stores the first `min(4, s.len())` lanes of `v` into `s`.
#[inline(always)]
pub fn store_partial(v: F32x4, s: &mut [f32]) {
    if s.len() >= 4 {
        return v.store(s);
    }
    let mut pad = [0.0f32; 4];
    v.store(&mut pad);
    let n = s.len();
    s.copy_from_slice(&pad[..n]);
}

#[cfg(test)]
mod tests {
    /// scripts/test-wasm-kernels.sh compiles the tests once per wasm variant with
    /// WASM_RNN_EXPECT_LANE_IMPL set to the lane implementation that variant must select, so a
    /// cfg mistake cannot quietly test the generic twin instead of the wasm lanes. Unset
    /// (a plain `cargo test`): nothing to check.
    #[test]
    fn lane_impl_matches_the_build_variant() {
        if let Some(want) = option_env!("WASM_RNN_EXPECT_LANE_IMPL") {
            assert_eq!(super::LANE_IMPL, want);
        }
    }
}
