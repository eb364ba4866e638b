//! ONNX operators the graph interpreter (ts/interop/onnx) runs in wasm, forward only: the
//! recurrent `RNN`, `GRU` and `LSTM` nodes exactly as the ONNX operator spec defines them (every
//! attribute; checked against onnxruntime where the spec leaves room), and the arithmetic
//! around them (`MatMul`, `Gemm`, broadcast `Add`/`Sub`/`Mul`/`Div`, `Softmax`/`LogSoftmax`,
//! `LayerNormalization`, element-wise activations and `Clip`, the `Reduce*` reductions).
//! Pure data movement (Transpose, Reshape, Gather, …) stays in TypeScript.
//!
//! Every entry point validates its buffers against the sizes it is given, counts what it will
//! allocate, is refused with `E_TOO_LARGE` before allocating when that passes the instance
//! budget, and returns its results as one Vec.

pub mod activation;
mod alloc;
pub mod broadcast;
pub mod elementwise;
mod gates;
pub mod layer_norm;
pub mod matmul;
pub mod recurrent;
pub mod softmax;
pub mod spec;

pub use activation::Activation;
pub use broadcast::{binary, BinaryOp};
pub use elementwise::{reduce, Reduction, Unary};
pub use layer_norm::layer_norm;
pub use matmul::{gemm_op, matmul};
pub use recurrent::{output_lens, recurrent_need, run_recurrent};
pub use softmax::softmax;
pub use spec::{Direction, OpKind, RecurrentDims, RecurrentInputs, RecurrentSpec};

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
