//! RNN, LSTM and GRU kernels on plain slices: packed GEMM, fused cell steps and BPTT.
//!
//! No wasm-bindgen and no tensor types here: the `bindings` crate wraps [`network::Network`]
//! for JavaScript, and the same code builds natively for tests and benchmarks.

pub mod audio;
pub mod cells;
pub mod error;
pub mod gemm;
pub mod memory;
pub mod model;
pub mod network;
pub mod onnx;
pub mod rng;

pub use cells::elman::Nonlinearity;
pub use error::Error;
pub use network::config::{CellKind, Config};
pub use network::Network;
pub use wasm_rnn_simd::LANE_IMPL;
pub mod vector;

/// The test binaries count allocations per thread, to check memory plans against reality.
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: memory::CountingAlloc = memory::CountingAlloc;
