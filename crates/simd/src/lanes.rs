//! The `F32x4` type: one implementation per target, identical API.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[path = "lanes_wasm32.rs"]
mod imp;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[path = "lanes_generic.rs"]
mod imp;

pub use imp::{F32x4, BROADCAST_BY_SHUFFLE, LANE_IMPL};
