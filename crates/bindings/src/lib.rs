//! The only crate touching wasm-bindgen: networks behind integer handles, for JavaScript.
//!
//! Errors cross as `JsError` whose message starts with the stable code in brackets
//! (`[E_SHAPE] input: expected …`); the TypeScript layer turns that into a `WasmRnnError`.
//! Arrays cross as copies (wasm-bindgen copies `&[f32]` in and `Vec<f32>` out), so no view into
//! wasm memory outlives a call.
//!
//! Networks live in a registry addressed by handles rather than as wasm-bindgen objects: an
//! object's borrow flag stays set forever if a call traps inside it, while a handle can still
//! be dropped after a trap, freeing the network's memory (see ts/backend/trap.ts).

mod audio;
mod model;
mod onnx;
mod registry;
mod results;

use registry::{net, net_mut, registry};
use wasm_bindgen::prelude::*;
use wasm_rnn_kernels::memory::{self, check_budget, CountingAlloc, MemoryNeed};
use wasm_rnn_kernels::{CellKind, Config, Error, Network, Nonlinearity};

/// dlmalloc with a live-byte count: the instance-wide memory budget is checked against it.
#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

fn js_error(e: Error) -> JsError {
    JsError::new(&format!("[{}] {}", e.code(), e))
}

/// Bytes of linear memory this instance currently has (it only grows).
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Bytes of live allocations in this instance (what the budget is checked against).
#[wasm_bindgen]
pub fn bytes_in_use() -> f64 {
    memory::bytes_in_use() as f64
}

/// The instance's budget for live allocations, in bytes.
#[wasm_bindgen]
pub fn memory_budget_bytes() -> f64 {
    memory::INSTANCE_BUDGET_BYTES as f64
}

/// Which lane implementation this binary was built with: "wasm32-relaxed-simd", "wasm32-simd128" or "scalar".
#[wasm_bindgen]
pub fn lane_impl() -> String {
    wasm_rnn_kernels::LANE_IMPL.to_string()
}

fn config(cell: &str, input_size: u32, hidden_size: u32, num_layers: u32, bidirectional: bool, bias: bool, proj_size: u32) -> Result<Config, JsError> {
    let cell = match cell {
        "rnn_tanh" => CellKind::Rnn(Nonlinearity::Tanh),
        "rnn_relu" => CellKind::Rnn(Nonlinearity::Relu),
        "lstm" => CellKind::Lstm,
        "gru" => CellKind::Gru { reset_after: true },
        "gru_reset_before" => CellKind::Gru { reset_after: false },
        other => return Err(js_error(Error::InvalidConfig(format!("unknown cell {other:?}")))),
    };
    Ok(Config { cell, input_size: input_size as usize, hidden_size: hidden_size as usize, num_layers: num_layers as usize, bidirectional, bias, proj_size: proj_size as usize })
}

/// Checks a configuration (sizes, projection, parameter budget) without building anything:
/// layers validate at construction and allocate on first use.
#[wasm_bindgen]
pub fn net_validate(cell: &str, input_size: u32, hidden_size: u32, num_layers: u32, bidirectional: bool, bias: bool, proj_size: u32) -> Result<(), JsError> {
    config(cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size)?.validate().map_err(js_error)
}

/// Builds a network; returns its handle. `cell`: "rnn_tanh" | "rnn_relu" | "lstm" | "gru".
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn net_create(cell: &str, input_size: u32, hidden_size: u32, num_layers: u32, bidirectional: bool, bias: bool, proj_size: u32, seed: u32) -> Result<u32, JsError> {
    let cfg = config(cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size)?;
    let network = Network::new(cfg, seed as u64).map_err(js_error)?;
    registry().insert(network).map_err(js_error)
}

/// Frees a network. Also after a trap inside one of its calls: its buffers are intact
/// allocations, so dropping them returns the memory.
#[wasm_bindgen]
pub fn net_drop(handle: u32) {
    registry().remove(handle);
}

/// Parameter names in PyTorch's order, one per line.
#[wasm_bindgen]
pub fn net_param_names(handle: u32) -> Result<String, JsError> {
    Ok(net(handle)?.specs().iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("\n"))
}

/// Parameter shapes in the same order, each as its rank followed by its dimensions.
#[wasm_bindgen]
pub fn net_param_shapes(handle: u32) -> Result<Vec<u32>, JsError> {
    let shapes: Vec<Vec<usize>> = net(handle)?.specs().iter().map(|s| s.shape.clone()).collect();
    Ok(results::flatten_shapes(&shapes))
}

#[wasm_bindgen]
pub fn net_get_param(handle: u32, index: u32) -> Result<Vec<f32>, JsError> {
    net(handle)?.param(index as usize).map(<[f32]>::to_vec).map_err(js_error)
}

#[wasm_bindgen]
pub fn net_set_param(handle: u32, index: u32, data: &[f32]) -> Result<(), JsError> {
    net_mut(handle)?.set_param(index as usize, data).map_err(js_error)
}

/// [seq, batch, batchFirst] of the training forward a backward would consume, or empty.
#[wasm_bindgen]
pub fn net_pending_training(handle: u32) -> Result<Vec<u32>, JsError> {
    Ok(net(handle)?.pending_training().map_or_else(Vec::new, |(seq, batch, batch_first)| vec![seq as u32, batch as u32, batch_first as u32]))
}

/// Refuses (E_TOO_LARGE) a forward whose inputs, buffers and results would not fit in the
/// instance's budget. Called before the inputs are copied into wasm memory.
#[wasm_bindgen]
pub fn net_check_forward(handle: u32, seq: u32, batch: u32, training: bool, has_h0: bool, has_c0: bool) -> Result<(), JsError> {
    let need = net_mut(handle)?.forward_need(seq as usize, batch as usize, training, has_h0, has_c0);
    check_budget(&need).map_err(js_error)
}

/// Runs the sequence; the results are read with `net_forward_results`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn net_forward(handle: u32, x: &[f32], seq: u32, batch: u32, batch_first: bool, h0: Option<Box<[f32]>>, c0: Option<Box<[f32]>>, training: bool) -> Result<(), JsError> {
    net_mut(handle)?.forward(x, seq as usize, batch as usize, batch_first, h0.as_deref(), c0.as_deref(), training).map_err(js_error)
}

/// The last forward's results in one array (one copy, one JS allocation per call): output,
/// h_n, then c_n (LSTM), with the shapes `net_forward_result_shapes` gives.
#[wasm_bindgen]
pub fn net_forward_results(handle: u32) -> Result<Vec<f32>, JsError> {
    let n = net(handle)?;
    results::concat(&[n.output(), n.h_n(), n.c_n()]).map_err(js_error)
}

/// The shapes of `net_forward_results`' parts, each as its rank followed by its dimensions.
#[wasm_bindgen]
pub fn net_forward_result_shapes(handle: u32) -> Result<Vec<u32>, JsError> {
    Ok(results::flatten_shapes(&net(handle)?.forward_result_shapes()))
}

/// The shapes of `net_backward_results`' parts (as `net_forward_result_shapes`).
#[wasm_bindgen]
pub fn net_backward_result_shapes(handle: u32) -> Result<Vec<u32>, JsError> {
    Ok(results::flatten_shapes(&net(handle)?.backward_result_shapes()))
}

/// Diagnostics for the test suite: traps (as a bug would) inside a call on the network, with
/// `stack_bytes` of stack in use, to check that the layer is lost cleanly and nothing else is.
#[wasm_bindgen]
pub fn debug_trap_in(handle: u32, stack_bytes: u32) -> Result<(), JsError> {
    let network = net_mut(handle)?;
    let mut stack = [0u8; 4096];
    let used = (stack_bytes as usize).min(stack.len());
    stack[..used].fill(1);
    std::hint::black_box((&stack, &network));
    panic!("debug_trap_in: deliberate trap for the test suite");
}

/// As [`net_check_forward`], for a backward with the given upstream gradients.
#[wasm_bindgen]
pub fn net_check_backward(handle: u32, has_d_output: bool, has_d_h_n: bool, has_d_c_n: bool) -> Result<(), JsError> {
    let need: MemoryNeed = net_mut(handle)?.backward_need(has_d_output, has_d_h_n, has_d_c_n).map_err(js_error)?;
    check_budget(&need).map_err(js_error)
}

/// Backpropagates through the pending training forward; results via `net_backward_results`.
#[wasm_bindgen]
pub fn net_backward(handle: u32, d_output: Option<Box<[f32]>>, d_h_n: Option<Box<[f32]>>, d_c_n: Option<Box<[f32]>>) -> Result<(), JsError> {
    net_mut(handle)?.backward(d_output.as_deref(), d_h_n.as_deref(), d_c_n.as_deref()).map_err(js_error)
}

/// The last backward's gradients in one array: input, h0, c0 (LSTM; empty otherwise), then
/// every parameter's gradient in index order.
#[wasm_bindgen]
pub fn net_backward_results(handle: u32) -> Result<Vec<f32>, JsError> {
    let n = net(handle)?;
    let mut parts = vec![n.d_input(), n.d_h0(), n.d_c0()];
    for index in 0..n.specs().len() {
        parts.push(n.grad(index).map_err(js_error)?);
    }
    results::concat(&parts).map_err(js_error)
}

/// dst += src (e.g. gradients of worker replicas). Both must have the same length.
#[wasm_bindgen]
pub fn add_assign(dst: &mut [f32], src: &[f32]) -> Result<(), JsError> {
    if dst.len() != src.len() {
        return Err(js_error(Error::Shape { what: "add_assign".into(), expected: format!("{} elements", dst.len()), actual: format!("{} elements", src.len()) }));
    }
    wasm_rnn_kernels::vector::add_assign(dst, src);
    Ok(())
}
