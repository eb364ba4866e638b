//! Sequential models behind handles: architecture and hyperparameters arrive as numbers in a
//! fixed order (ts/model/sequential.ts encodes them); a training step is one call.

use super::js_error;
use crate::registry::Slots;
use std::cell::UnsafeCell;
use wasm_bindgen::prelude::*;
use wasm_rnn_kernels::model::activation::Activation;
use wasm_rnn_kernels::model::loss::{Loss, Targets};
use wasm_rnn_kernels::model::optim::Optimizer;
use wasm_rnn_kernels::model::recurrent_output::{Merge, Rows};
use wasm_rnn_kernels::model::{Input, LayerSpec, Model, TrainConfig};
use wasm_rnn_kernels::{CellKind, Config, Error, Nonlinearity};

struct SingleThreaded(UnsafeCell<Slots<Model>>);
// SAFETY: as the network registry: the wasm instance is single-threaded.
unsafe impl Sync for SingleThreaded {}
static MODELS: SingleThreaded = SingleThreaded(UnsafeCell::new(Slots::new()));

#[allow(clippy::mut_from_ref)]
fn models() -> &'static mut Slots<Model> {
    // SAFETY: one exported call at a time, each taking this reference once.
    unsafe { &mut *MODELS.0.get() }
}

fn model(handle: u32) -> Result<&'static mut Model, JsError> {
    models().get(handle).ok_or_else(|| js_error(Error::Argument(format!("no model with handle {handle} (disposed?)"))))
}

const SLOTS: usize = 12;

fn decode_layer(s: &[f64]) -> Result<LayerSpec, Error> {
    let u = |i: usize| s[i] as usize;
    let b = |i: usize| s[i] != 0.0;
    Ok(match s[0] as u32 {
        0 => LayerSpec::Embedding { num: u(1), dim: u(2) },
        1 => {
            let cell = match s[1] as u32 {
                0 => CellKind::Rnn(Nonlinearity::Tanh),
                1 => CellKind::Rnn(Nonlinearity::Relu),
                2 => CellKind::Lstm,
                3 => CellKind::Gru { reset_after: true },
                4 => CellKind::Gru { reset_after: false },
                c => return Err(Error::InvalidConfig(format!("unknown cell code {c}"))),
            };
            let cfg = Config { cell, input_size: u(2), hidden_size: u(3), num_layers: u(4), bidirectional: b(5), bias: b(6), proj_size: u(7) };
            // Slot 8: 0 last step, 1 every step, 2 final states; slot 10: the merge mode.
            let rows = match s[8] as u32 {
                0 => Rows::LastStep,
                1 => Rows::Sequence,
                2 => Rows::FinalStates,
                r => return Err(Error::InvalidConfig(format!("unknown output rows code {r}"))),
            };
            let merge = Merge::from_code(s[10] as u32).ok_or_else(|| Error::InvalidConfig(format!("unknown merge mode code {}", s[10])))?;
            LayerSpec::Recurrent { cfg, rows, merge, dropout: s[9] as f32 }
        }
        2 => LayerSpec::Dense { input: u(1), output: u(2), bias: b(3) },
        3 => LayerSpec::LayerNorm { width: u(1), eps: s[2] as f32, affine: b(3) },
        4 => LayerSpec::Dropout { p: s[1] as f32 },
        5 => LayerSpec::Activation(Activation::from_code(s[1] as u32, s[2] as f32).ok_or_else(|| Error::InvalidConfig(format!("unknown activation code {}", s[1])))?),
        k => return Err(Error::InvalidConfig(format!("unknown layer kind {k}"))),
    })
}

/// Builds a model from `SLOTS` numbers per layer; returns its handle.
#[wasm_bindgen]
pub fn model_create(architecture: &[f64], seed: u32) -> Result<u32, JsError> {
    if architecture.is_empty() || !architecture.len().is_multiple_of(SLOTS) {
        return Err(js_error(Error::InvalidConfig(format!("the architecture must hold {SLOTS} numbers per layer, got {}", architecture.len()))));
    }
    let specs = architecture.chunks_exact(SLOTS).map(decode_layer).collect::<Result<Vec<_>, _>>().map_err(js_error)?;
    let m = Model::new(&specs, seed as u64).map_err(js_error)?;
    models().insert(m).map_err(js_error)
}

#[wasm_bindgen]
pub fn model_drop(handle: u32) {
    models().remove(handle);
}

/// Parameter names ("<index>.<name>"), one per line.
#[wasm_bindgen]
pub fn model_param_names(handle: u32) -> Result<String, JsError> {
    Ok(model(handle)?.tensors().iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join("\n"))
}

/// Parameter shapes, each as its rank then its dimensions.
#[wasm_bindgen]
pub fn model_param_shapes(handle: u32) -> Result<Vec<u32>, JsError> {
    let shapes: Vec<Vec<usize>> = model(handle)?.tensors().iter().map(|t| t.shape.clone()).collect();
    Ok(crate::results::flatten_shapes(&shapes))
}

/// The whole parameter arena, in name order.
#[wasm_bindgen]
pub fn model_get_params(handle: u32) -> Result<Vec<f32>, JsError> {
    Ok(model(handle)?.params().to_vec())
}

#[wasm_bindgen]
pub fn model_set_params(handle: u32, all: &[f32]) -> Result<(), JsError> {
    let m = model(handle)?;
    if all.len() != m.params().len() {
        return Err(js_error(Error::Shape { what: "parameters".into(), expected: format!("{} elements", m.params().len()), actual: format!("{} elements", all.len()) }));
    }
    let tensors = m.tensors().to_vec();
    for (i, t) in tensors.iter().enumerate() {
        m.set_tensor(i, &all[t.range.clone()]).map_err(js_error)?;
    }
    Ok(())
}

/// `loss`: [code (0 mse, 1 l1, 2 huber, 3 crossEntropy), delta, ignoreIndex, labelSmoothing], or
/// [4 (ctc), blank, zeroInfinity, 0];
/// `optimizer`: code 0 SGD [lr, momentum, dampening, nesterov, wd], 1 Adam [lr, β1, β2, eps, wd,
/// amsgrad, decoupled], 2 RMSprop [lr, α, eps, momentum, centered, wd]; NaN clips mean none.
#[wasm_bindgen]
pub fn model_compile(handle: u32, loss: &[f64], optimizer_code: u32, optimizer: &[f64], clip_grad_norm: f64, clip_grad_value: f64) -> Result<(), JsError> {
    let bad = |what: &str| js_error(Error::InvalidConfig(format!("malformed {what} encoding")));
    if loss.len() != 4 {
        return Err(bad("loss"));
    }
    let loss = match loss[0] as u32 {
        0 => Loss::Mse,
        1 => Loss::L1,
        2 => Loss::Huber { delta: loss[1] as f32 },
        3 => Loss::CrossEntropy { ignore_index: loss[2] as i32, label_smoothing: loss[3] as f32 },
        4 => Loss::Ctc { blank: loss[1] as i32, zero_infinity: loss[2] != 0.0 },
        _ => return Err(bad("loss")),
    };
    let o = |i: usize| optimizer.get(i).copied().unwrap_or(f64::NAN) as f32;
    let optimizer = match (optimizer_code, optimizer.len()) {
        (0, 5) => Optimizer::Sgd { lr: o(0), momentum: o(1), dampening: o(2), nesterov: o(3) != 0.0, weight_decay: o(4) },
        (1, 7) => Optimizer::Adam { lr: o(0), beta1: o(1), beta2: o(2), eps: o(3), weight_decay: o(4), amsgrad: o(5) != 0.0, decoupled: o(6) != 0.0 },
        (2, 6) => Optimizer::RmsProp { lr: o(0), alpha: o(1), eps: o(2), momentum: o(3), centered: o(4) != 0.0, weight_decay: o(5) },
        _ => return Err(bad("optimizer")),
    };
    let clip = |v: f64| (!v.is_nan()).then_some(v as f32);
    model(handle)?.compile(TrainConfig { loss, optimizer, clip_grad_norm: clip(clip_grad_norm), clip_grad_value: clip(clip_grad_value) }).map_err(js_error)
}

#[wasm_bindgen]
pub fn model_set_lr(handle: u32, lr: f64) -> Result<(), JsError> {
    model(handle)?.set_learning_rate(lr as f32).map_err(js_error)
}

#[wasm_bindgen]
pub fn model_last_grad_norm(handle: u32) -> Result<f64, JsError> {
    Ok(model(handle)?.last_grad_norm())
}

fn input<'a>(x: &'a [f32], ids: &'a [i32]) -> Input<'a> {
    if ids.is_empty() {
        Input::Values(x)
    } else {
        Input::Ids(ids)
    }
}

fn targets<'a>(y: &'a [f32], classes: &'a [i32]) -> Targets<'a> {
    if classes.is_empty() {
        Targets::Values(y)
    } else {
        Targets::Classes(classes)
    }
}

/// Forward, loss, BPTT, clipping and one update; returns the loss before the update.
/// `lengths`: one per sequence (packed sequences), or empty.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn model_train_step(handle: u32, x: &[f32], ids: &[i32], seq: u32, batch: u32, y: &[f32], classes: &[i32], states: Option<Box<[f32]>>, lengths: &[i32]) -> Result<f64, JsError> {
    let m = model(handle)?;
    m.set_lengths(lengths).map_err(js_error)?;
    m.train_step(input(x, ids), seq as usize, batch as usize, states.as_deref(), &targets(y, classes)).map_err(js_error)
}

/// Runs the model (states: the recurrent layers' initial states, or zeros when absent).
#[wasm_bindgen]
pub fn model_forward(handle: u32, x: &[f32], ids: &[i32], seq: u32, batch: u32, states: Option<Box<[f32]>>, training: bool, lengths: &[i32]) -> Result<(), JsError> {
    let m = model(handle)?;
    m.set_lengths(lengths).map_err(js_error)?;
    m.forward(input(x, ids), seq as usize, batch as usize, states.as_deref(), training).map(|_| ()).map_err(js_error)
}

#[wasm_bindgen]
pub fn model_output(handle: u32) -> Result<Vec<f32>, JsError> {
    crate::results::concat(&[model(handle)?.output()]).map_err(js_error)
}

#[wasm_bindgen]
pub fn model_final_states(handle: u32) -> Result<Vec<f32>, JsError> {
    let mut out = Vec::new();
    model(handle)?.final_states(&mut out);
    Ok(out)
}

/// [loss, accuracy (NaN unless cross-entropy)] of an inference forward from `states` (zeros when
/// absent); its final states are read with `model_final_states` (stateful evaluation of a stream).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn model_evaluate(handle: u32, x: &[f32], ids: &[i32], seq: u32, batch: u32, y: &[f32], classes: &[i32], states: Option<Box<[f32]>>, lengths: &[i32]) -> Result<Vec<f64>, JsError> {
    let m = model(handle)?;
    m.set_lengths(lengths).map_err(js_error)?;
    let (loss, accuracy) = m.evaluate(input(x, ids), seq as usize, batch as usize, states.as_deref(), &targets(y, classes)).map_err(js_error)?;
    Ok(vec![loss, accuracy])
}

/// Data parallelism, on a replica: forward, loss and backward of one shard without an update.
/// Returns [loss, weight]; the gradients are read with `model_grads`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn model_compute_gradients(handle: u32, x: &[f32], ids: &[i32], seq: u32, batch: u32, y: &[f32], classes: &[i32], states: Option<Box<[f32]>>, lengths: &[i32]) -> Result<Vec<f64>, JsError> {
    let m = model(handle)?;
    m.set_lengths(lengths).map_err(js_error)?;
    let (loss, weight) = m.compute_gradients(input(x, ids), seq as usize, batch as usize, states.as_deref(), &targets(y, classes)).map_err(js_error)?;
    Ok(vec![loss, weight])
}

/// The gradient arena of the last `model_compute_gradients` (or step).
#[wasm_bindgen]
pub fn model_grads(handle: u32) -> Result<Vec<f32>, JsError> {
    crate::results::concat(&[model(handle)?.grads()]).map_err(js_error)
}

/// Data parallelism, on the main model: combines the replicas' gradient arenas (concatenated)
/// weighted by their loss terms, clips and applies one update.
#[wasm_bindgen]
pub fn model_apply_gradients(handle: u32, shards: &[f32], weights: &[f64], loss: f64) -> Result<(), JsError> {
    model(handle)?.apply_gradients(shards, weights, loss).map_err(js_error)
}
