//! RNN, LSTM and GRU kernels on plain slices: packed GEMM, fused cell steps and BPTT.
//!
//! No wasm-bindgen and no tensor types here: the `bindings` crate wraps [`network::Network`]
//! for JavaScript, and the same code builds natively for tests and benchmarks.

pub mod cells;
pub mod error;
pub mod gemm;
pub mod network;
pub mod rng;

pub use error::Error;
pub use network::config::{CellKind, Config};
pub use network::Network;
pub use cells::elman::Nonlinearity;
pub use wasm_rnn_simd::LANE_IMPL;
pub mod vector;
