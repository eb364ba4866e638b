//! ONNX operators for the graph interpreter in ts/interop/onnx: one call per node, inputs as
//! copies, all results of a node as one array (the caller knows each part's length).
//!
//! The interpreter checks a model's shapes before calling, so an error from the kernels here
//! means the model's data is inconsistent: it crosses as E_FORMAT, except E_TOO_LARGE.

use wasm_bindgen::prelude::*;
use wasm_rnn_kernels::onnx::{self, Activation, BinaryOp, Direction, OpKind, RecurrentDims, RecurrentInputs, RecurrentSpec, Reduction, Unary};
use wasm_rnn_kernels::Error;

fn onnx_error(context: &str, e: Error) -> JsError {
    let code = if matches!(e, Error::TooLarge { .. }) { e.code() } else { "E_FORMAT" };
    JsError::new(&format!("[{code}] {context}: {e}"))
}

/// Bit of `present` for each optional input of a recurrent node.
const HAS_B: u32 = 1;
const HAS_SEQUENCE_LENS: u32 = 2;
const HAS_INITIAL_H: u32 = 4;
const HAS_INITIAL_C: u32 = 8;
const HAS_P: u32 = 16;

/// Runs an `RNN`, `GRU` or `LSTM` node (`op`). `activations` are the node's names joined by
/// ","; `clip` is NaN without the attribute; absent optional inputs are empty arrays with
/// their bit of `present` clear. Returns Y, Y_h and (LSTM) Y_c concatenated, in the node's layout.
#[wasm_bindgen]
pub fn onnx_recurrent(
    op: &str,
    direction: &str,
    hidden: u32,
    layout: u32,
    activations: &str,
    activation_alpha: &[f32],
    activation_beta: &[f32],
    clip: f32,
    input_forget: bool,
    linear_before_reset: bool,
    seq: u32,
    batch: u32,
    input: u32,
    present: u32,
    x: &[f32],
    w: &[f32],
    r: &[f32],
    b: &[f32],
    sequence_lens: &[i32],
    initial_h: &[f32],
    initial_c: &[f32],
    p: &[f32],
) -> Result<Vec<f32>, JsError> {
    let err = |e| onnx_error(op, e);
    let kind = match op {
        "RNN" => OpKind::Rnn,
        "GRU" => OpKind::Gru,
        "LSTM" => OpKind::Lstm,
        other => return Err(JsError::new(&format!("[E_UNSUPPORTED] no recurrent operator {other:?}"))),
    };
    let names: Vec<&str> = activations.split(',').filter(|s| !s.is_empty()).collect();
    let acts = Activation::parse_list(&names, activation_alpha, activation_beta).map_err(err)?;
    let clip = if clip.is_nan() { None } else { Some(clip) };
    let spec = RecurrentSpec::new(kind, Direction::parse(direction).map_err(err)?, hidden as usize, layout, acts, clip, input_forget, linear_before_reset).map_err(err)?;
    let dims = RecurrentDims { seq: seq as usize, batch: batch as usize, input: input as usize };
    let opt = |bit: u32, v| (present & bit != 0).then_some(v);
    let inputs = RecurrentInputs {
        x,
        w,
        r,
        b: opt(HAS_B, b),
        sequence_lens: (present & HAS_SEQUENCE_LENS != 0).then_some(sequence_lens),
        initial_h: opt(HAS_INITIAL_H, initial_h),
        initial_c: opt(HAS_INITIAL_C, initial_c),
        p: opt(HAS_P, p),
    };
    onnx::run_recurrent(&spec, &dims, &inputs).map_err(err)
}

/// `MatMul`: output matrix i (M×N) = A[a_index[i]] (M×K) · B[b_index[i]] (K×N).
#[wasm_bindgen]
pub fn onnx_matmul(a: &[f32], b: &[f32], a_index: &[u32], b_index: &[u32], m: u32, k: u32, n: u32) -> Result<Vec<f32>, JsError> {
    onnx::matmul(a, b, a_index, b_index, m as usize, k as usize, n as usize).map_err(|e| onnx_error("MatMul", e))
}

/// `Gemm`: α·op(A)·op(B) + β·C, C (c_rows × c_cols, each 1 or full) present when `has_c`.
#[wasm_bindgen]
pub fn onnx_gemm(a: &[f32], b: &[f32], c: &[f32], has_c: bool, c_rows: u32, c_cols: u32, m: u32, k: u32, n: u32, trans_a: bool, trans_b: bool, alpha: f32, beta: f32) -> Result<Vec<f32>, JsError> {
    let c = has_c.then_some(c);
    onnx::gemm_op(a, b, c, c_rows as usize, c_cols as usize, m as usize, k as usize, n as usize, trans_a, trans_b, alpha, beta).map_err(|e| onnx_error("Gemm", e))
}

/// `Add`/`Sub`/`Mul`/`Div` (`op`) over `shape`, each operand read with its own element strides.
#[wasm_bindgen]
pub fn onnx_binary(op: &str, a: &[f32], b: &[f32], shape: &[u32], a_strides: &[u32], b_strides: &[u32]) -> Result<Vec<f32>, JsError> {
    let kind = BinaryOp::parse(op).map_err(|e| onnx_error(op, e))?;
    onnx::binary(kind, a, b, shape, a_strides, b_strides).map_err(|e| onnx_error(op, e))
}

/// An element-wise operator `op` (`Relu` … `Selu`) with its `alpha` and `beta`/`gamma` (NaN when
/// the node does not set them), or `Clip` with its bounds as `alpha` and `beta` (±∞ when absent).
#[wasm_bindgen]
pub fn onnx_unary(op: &str, x: &[f32], alpha: f32, beta: f32) -> Result<Vec<f32>, JsError> {
    Unary::parse(op, alpha, beta).and_then(|f| f.apply(x)).map_err(|e| onnx_error(op, e))
}

/// `ReduceSum`/`ReduceMean`/`ReduceProd`/`ReduceMax`/`ReduceMin` (`op`) of x of `shape` over the
/// dimensions whose `reduced` flag is 1; the result keeps them as dimensions of size 1.
#[wasm_bindgen]
pub fn onnx_reduce(op: &str, x: &[f32], shape: &[u32], reduced: &[u8]) -> Result<Vec<f32>, JsError> {
    let flags: Vec<bool> = reduced.iter().map(|&r| r != 0).collect();
    Reduction::parse(op).and_then(|kind| onnx::reduce(kind, x, shape, &flags)).map_err(|e| onnx_error(op, e))
}

/// `Softmax` (or `LogSoftmax` with `log`) over the middle axis of x viewed as (outer, axis, inner).
#[wasm_bindgen]
pub fn onnx_softmax(x: &[f32], outer: u32, axis: u32, inner: u32, log: bool) -> Result<Vec<f32>, JsError> {
    onnx::softmax(x, outer as usize, axis as usize, inner as usize, log).map_err(|e| onnx_error(if log { "LogSoftmax" } else { "Softmax" }, e))
}

/// `LayerNormalization` over the trailing `width` elements of `rows` rows; `scale` and `bias`
/// hold `width` elements or one; `bias` is ignored without `has_bias`.
#[wasm_bindgen]
pub fn onnx_layer_norm(x: &[f32], scale: &[f32], bias: &[f32], has_bias: bool, rows: u32, width: u32, epsilon: f32) -> Result<Vec<f32>, JsError> {
    onnx::layer_norm(x, scale, has_bias.then_some(bias), rows as usize, width as usize, epsilon).map_err(|e| onnx_error("LayerNormalization", e))
}
