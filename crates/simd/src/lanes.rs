//! The `F32x4` type: one implementation per target, identical API.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[path = "lanes_wasm32.rs"]
mod imp;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[path = "lanes_generic.rs"]
mod imp;

pub use imp::{F32x4, BROADCAST_BY_SHUFFLE, LANE_IMPL};

#[cfg(test)]
mod tests {
    use super::F32x4;

    #[test]
    fn transpose4_swaps_rows_and_lanes() {
        let rows: [F32x4; 4] = core::array::from_fn(|r| F32x4::load(&[10.0 * r as f32, 10.0 * r as f32 + 1.0, 10.0 * r as f32 + 2.0, 10.0 * r as f32 + 3.0]));
        for (i, col) in F32x4::transpose4(rows).into_iter().enumerate() {
            let mut out = [0.0f32; 4];
            col.store(&mut out);
            assert_eq!(out, core::array::from_fn(|j| 10.0 * j as f32 + i as f32));
        }
    }
}
