//! The only crate touching wasm-bindgen: a handle over [`Network`] for JavaScript.
//!
//! Errors cross as `JsError` whose message starts with the stable code in brackets
//! (`[E_SHAPE] input: expected …`); the TypeScript layer turns that into a `WasmRnnError`.
//! Arrays cross as copies (wasm-bindgen copies `&[f32]` in and `Vec<f32>` out), so no view into
//! wasm memory outlives a call.

use wasm_bindgen::prelude::*;
use wasm_rnn_kernels::{CellKind, Config, Error, Network, Nonlinearity};

fn js_error(e: Error) -> JsError {
    JsError::new(&format!("[{}] {}", e.code(), e))
}

/// Bytes of linear memory this instance currently has (for leak tests and diagnostics).
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

/// Which lane implementation this binary was built with: "wasm32-relaxed-simd", "wasm32-simd128" or "scalar".
#[wasm_bindgen]
pub fn lane_impl() -> String {
    wasm_rnn_kernels::LANE_IMPL.to_string()
}

/// A stack of recurrent layers with its parameters, gradients and saved activations.
#[wasm_bindgen]
pub struct RecurrentNet {
    net: Network,
}

#[wasm_bindgen]
impl RecurrentNet {
    /// `cell`: "rnn_tanh" | "rnn_relu" | "lstm" | "gru".
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(cell: &str, input_size: u32, hidden_size: u32, num_layers: u32, bidirectional: bool, bias: bool, proj_size: u32, seed: u32) -> Result<RecurrentNet, JsError> {
        let cell = match cell {
            "rnn_tanh" => CellKind::Rnn(Nonlinearity::Tanh),
            "rnn_relu" => CellKind::Rnn(Nonlinearity::Relu),
            "lstm" => CellKind::Lstm,
            "gru" => CellKind::Gru,
            other => return Err(js_error(Error::InvalidConfig(format!("unknown cell {other:?}")))),
        };
        let cfg = Config {
            cell,
            input_size: input_size as usize,
            hidden_size: hidden_size as usize,
            num_layers: num_layers as usize,
            bidirectional,
            bias,
            proj_size: proj_size as usize,
        };
        Network::new(cfg, seed as u64).map(|net| RecurrentNet { net }).map_err(js_error)
    }

    pub fn param_count(&self) -> u32 {
        self.net.specs().len() as u32
    }
    pub fn param_name(&self, index: u32) -> Result<String, JsError> {
        self.net.specs().get(index as usize).map(|s| s.name.clone()).ok_or_else(|| js_error(Error::UnknownParam(index as usize)))
    }
    pub fn param_shape(&self, index: u32) -> Result<Vec<u32>, JsError> {
        self.net.specs().get(index as usize).map(|s| s.shape.iter().map(|&d| d as u32).collect()).ok_or_else(|| js_error(Error::UnknownParam(index as usize)))
    }
    pub fn get_param(&self, index: u32) -> Result<Vec<f32>, JsError> {
        self.net.param(index as usize).map(<[f32]>::to_vec).map_err(js_error)
    }
    pub fn set_param(&mut self, index: u32, data: &[f32]) -> Result<(), JsError> {
        self.net.set_param(index as usize, data).map_err(js_error)
    }
    pub fn has_grads(&self) -> bool {
        self.net.has_grads()
    }
    pub fn ready_for_backward(&self) -> bool {
        self.net.ready_for_backward()
    }

    /// Runs the sequence; results are read with `output()`, `h_n()`, `c_n()`.
    #[allow(clippy::too_many_arguments)]
    pub fn forward(&mut self, x: &[f32], seq_len: u32, batch: u32, batch_first: bool, h0: Option<Box<[f32]>>, c0: Option<Box<[f32]>>, training: bool) -> Result<(), JsError> {
        self.net.forward(x, seq_len as usize, batch as usize, batch_first, h0.as_deref(), c0.as_deref(), training).map_err(js_error)
    }
    /// The last forward's results in one array: output, h_n, then c_n (LSTM; empty otherwise).
    /// One array, so one copy and one JS allocation per call: a streaming step's results cost
    /// less to fetch than to compute otherwise.
    pub fn forward_results(&self) -> Vec<f32> {
        concat(&[self.net.output(), self.net.h_n(), self.net.c_n()])
    }

    /// Backpropagates through the last training forward; results via `backward_results()`.
    pub fn backward(&mut self, d_output: Option<Box<[f32]>>, d_h_n: Option<Box<[f32]>>, d_c_n: Option<Box<[f32]>>) -> Result<(), JsError> {
        self.net.backward(d_output.as_deref(), d_h_n.as_deref(), d_c_n.as_deref()).map_err(js_error)
    }
    /// The last backward's gradients in one array: input, h0, c0 (LSTM; empty otherwise), then
    /// every parameter's gradient in index order.
    pub fn backward_results(&self) -> Result<Vec<f32>, JsError> {
        let mut parts = vec![self.net.d_input(), self.net.d_h0(), self.net.d_c0()];
        for index in 0..self.net.specs().len() {
            parts.push(self.net.grad(index).map_err(js_error)?);
        }
        Ok(concat(&parts))
    }
}

fn concat(parts: &[&[f32]]) -> Vec<f32> {
    let mut all = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        all.extend_from_slice(part);
    }
    all
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
