//! The activation functions ONNX's recurrent operators accept, with their `alpha`/`beta`.
//!
//! ```text
//! Relu(x)            max(0, x)                  Affine(x)          α·x + β
//! Tanh(x), Sigmoid(x)                           LeakyRelu(x)       x if x ≥ 0 else α·x
//! ThresholdedRelu(x) x if x ≥ α else 0          ScaledTanh(x)      α·tanh(β·x)
//! HardSigmoid(x)     min(max(α·x + β, 0), 1)    Elu(x)             x if x ≥ 0 else α·(eˣ − 1)
//! Softsign(x)        x / (1 + |x|)              Softplus(x)        log(1 + eˣ)
//! ```
//!
//! `activation_alpha`/`activation_beta` are consumed in the order of the activations, each list
//! only by the functions that take that parameter (onnxruntime does the same: for
//! `["Tanh", "LeakyRelu"]` with `activation_alpha = [0.3]` the LeakyRelu gets 0.3). A function
//! whose list has run out takes the default of the ONNX operator of the same name (LeakyRelu
//! 0.01, ThresholdedRelu 1.0, HardSigmoid 0.2/0.5, Elu 1.0; Affine 1.0/0.0 as ONNX's former
//! Affine operator; ScaledTanh 1.0/1.0). onnxruntime differs for the last three: it uses 0 for
//! every missing Affine, ThresholdedRelu and ScaledTanh parameter.

use crate::error::Error;
use wasm_rnn_simd::vecmath::{exp, map_inplace, sigmoid, tanh};
use wasm_rnn_simd::F32x4;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
    Affine { alpha: f32, beta: f32 },
    LeakyRelu { alpha: f32 },
    ThresholdedRelu { alpha: f32 },
    ScaledTanh { alpha: f32, beta: f32 },
    HardSigmoid { alpha: f32, beta: f32 },
    Elu { alpha: f32 },
    Softsign,
    Softplus,
}

/// How many `alpha` and `beta` values a function takes.
fn takes(name: &str) -> Option<(bool, bool)> {
    Some(match name {
        "relu" | "tanh" | "sigmoid" | "softsign" | "softplus" => (false, false),
        "leakyrelu" | "thresholdedrelu" | "elu" => (true, false),
        "affine" | "scaledtanh" | "hardsigmoid" => (true, true),
        _ => return None,
    })
}

impl Activation {
    /// Parses the `activations` attribute (names case-insensitive, as onnxruntime) with its
    /// `activation_alpha`/`activation_beta` lists.
    pub fn parse_list(names: &[&str], alphas: &[f32], betas: &[f32]) -> Result<Vec<Activation>, Error> {
        let (mut alphas, mut betas) = (alphas.iter().copied(), betas.iter().copied());
        names
            .iter()
            .map(|name| {
                let lower = name.to_ascii_lowercase();
                let (a, b) = takes(&lower).ok_or_else(|| Error::InvalidConfig(format!("unknown activation function {name:?}")))?;
                let alpha = if a { alphas.next() } else { None };
                let beta = if b { betas.next() } else { None };
                Ok(Self::with_params(&lower, alpha, beta))
            })
            .collect()
    }

    fn with_params(lower: &str, alpha: Option<f32>, beta: Option<f32>) -> Activation {
        let (a, b) = (|d: f32| alpha.unwrap_or(d), |d: f32| beta.unwrap_or(d));
        match lower {
            "relu" => Activation::Relu,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "softsign" => Activation::Softsign,
            "softplus" => Activation::Softplus,
            "leakyrelu" => Activation::LeakyRelu { alpha: a(0.01) },
            "thresholdedrelu" => Activation::ThresholdedRelu { alpha: a(1.0) },
            "elu" => Activation::Elu { alpha: a(1.0) },
            "affine" => Activation::Affine { alpha: a(1.0), beta: b(0.0) },
            "scaledtanh" => Activation::ScaledTanh { alpha: a(1.0), beta: b(1.0) },
            _ => Activation::HardSigmoid { alpha: a(0.2), beta: b(0.5) },
        }
    }

    /// Applies the function in place to `clip(xs)`: `clip` bounds the activation's input to
    /// [−clip, clip] (ONNX's `clip` attribute; `f32::INFINITY` when absent).
    pub fn apply(self, xs: &mut [f32], clip: f32) {
        let (lo, hi) = (F32x4::splat(-clip), F32x4::splat(clip));
        let clamp = |v: F32x4| v.max(lo).min(hi);
        let zero = F32x4::zero();
        let one = F32x4::splat(1.0);
        match self {
            Activation::Relu => map_inplace(xs, |v| {
                let v = clamp(v);
                v.positive_or_zero(v)
            }),
            Activation::Tanh => map_inplace(xs, |v| tanh(clamp(v))),
            Activation::Sigmoid => map_inplace(xs, |v| sigmoid(clamp(v))),
            Activation::Affine { alpha, beta } => map_inplace(xs, |v| clamp(v).mul(F32x4::splat(alpha)).add(F32x4::splat(beta))),
            Activation::LeakyRelu { alpha } => map_inplace(xs, |v| {
                let v = clamp(v);
                v.select_lt(zero, v.mul(F32x4::splat(alpha)), v)
            }),
            Activation::ThresholdedRelu { alpha } => map_inplace(xs, |v| {
                let v = clamp(v);
                v.select_lt(F32x4::splat(alpha), zero, v)
            }),
            Activation::ScaledTanh { alpha, beta } => map_inplace(xs, |v| tanh(clamp(v).mul(F32x4::splat(beta))).mul(F32x4::splat(alpha))),
            Activation::HardSigmoid { alpha, beta } => map_inplace(xs, |v| clamp(v).mul(F32x4::splat(alpha)).add(F32x4::splat(beta)).max(zero).min(one)),
            Activation::Elu { alpha } => map_inplace(xs, |v| {
                let v = clamp(v);
                // exp is only taken where it is used; the positive side is returned unchanged.
                let neg = exp(v.min(zero)).sub(one).mul(F32x4::splat(alpha));
                v.select_lt(zero, neg, v)
            }),
            Activation::Softsign => map_inplace(xs, |v| {
                let v = clamp(v);
                v.div(one.add(v.abs()))
            }),
            // No vector log in the lane layer; log1p keeps the small values exact and the
            // split max(x, 0) + log1p(e^−|x|) never overflows.
            Activation::Softplus => {
                for x in xs.iter_mut() {
                    let v = x.max(-clip).min(clip);
                    *x = v.max(0.0) + (-v.abs()).exp().ln_1p();
                }
            }
        }
    }
}
