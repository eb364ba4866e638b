//! Optimizers with PyTorch's exact update rules (torch.optim, single-tensor path) over the
//! model's flat parameter arena. Their state (momentum buffers, moments) is one more arena of
//! `state_len(P)` floats, laid out as consecutive P-sized slots.

use wasm_rnn_simd::vecmath::map_inplace;
use wasm_rnn_simd::F32x4;

/// An optimizer and its hyperparameters (`weight_decay` is L2 added to the gradient, except
/// in AdamW where it is decoupled).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    Sgd { lr: f32, momentum: f32, dampening: f32, nesterov: bool, weight_decay: f32 },
    Adam { lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, amsgrad: bool, decoupled: bool },
    RmsProp { lr: f32, alpha: f32, eps: f32, momentum: f32, centered: bool, weight_decay: f32 },
}

impl Optimizer {
    /// Floats of state per parameter.
    pub fn slots(&self) -> usize {
        match *self {
            Optimizer::Sgd { momentum, .. } => usize::from(momentum != 0.0),
            Optimizer::Adam { amsgrad, .. } => 2 + usize::from(amsgrad),
            Optimizer::RmsProp { momentum, centered, .. } => 1 + usize::from(centered) + usize::from(momentum > 0.0),
        }
    }

    /// The learning rate (schedules change it between steps).
    pub fn set_lr(&mut self, value: f32) {
        match self {
            Optimizer::Sgd { lr, .. } | Optimizer::Adam { lr, .. } | Optimizer::RmsProp { lr, .. } => *lr = value,
        }
    }

    /// One update of `params` from `grads`; `step` counts from 1 (Adam's bias corrections, SGD's
    /// first momentum step). `state` holds `slots()·P` floats, zero before the first step.
    pub fn step(&self, params: &mut [f32], grads: &[f32], state: &mut [f32], step: u64) {
        let n = params.len();
        match *self {
            Optimizer::Sgd { lr, momentum, dampening, nesterov, weight_decay } => {
                let buf = &mut state[..if momentum != 0.0 { n } else { 0 }];
                for i in 0..n {
                    // d_p = g + λ·p
                    let mut d_p = grads[i] + weight_decay * params[i];
                    if momentum != 0.0 {
                        // first step: buf = d_p; then buf = μ·buf + (1 − dampening)·d_p
                        buf[i] = if step == 1 { d_p } else { momentum * buf[i] + (1.0 - dampening) * d_p };
                        d_p = if nesterov { d_p + momentum * buf[i] } else { buf[i] };
                    }
                    params[i] -= lr * d_p;
                }
            }
            Optimizer::Adam { lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled } => {
                let (m, rest) = state.split_at_mut(n);
                let (v, rest) = rest.split_at_mut(n);
                let v_max = &mut rest[..if amsgrad { n } else { 0 }];
                let bias_correction1 = 1.0 - (beta1 as f64).powi(step as i32);
                let bias_correction2_sqrt = (1.0 - (beta2 as f64).powi(step as i32)).sqrt() as f32;
                let step_size = (lr as f64 / bias_correction1) as f32;
                for i in 0..n {
                    let mut g = grads[i];
                    if decoupled {
                        params[i] *= 1.0 - lr * weight_decay; // AdamW: p ← p·(1 − lr·λ)
                    } else {
                        g += weight_decay * params[i];
                    }
                    m[i] += (g - m[i]) * (1.0 - beta1); // m.lerp_(g, 1 − β1)
                    v[i] = v[i] * beta2 + (1.0 - beta2) * g * g;
                    let second = if amsgrad {
                        // torch.maximum: NaN wins (f32::max would drop it).
                        if v[i] > v_max[i] || v[i].is_nan() {
                            v_max[i] = v[i];
                        }
                        v_max[i]
                    } else {
                        v[i]
                    };
                    let denom = second.sqrt() / bias_correction2_sqrt + eps;
                    params[i] -= step_size * m[i] / denom;
                }
            }
            Optimizer::RmsProp { lr, alpha, eps, momentum, centered, weight_decay } => {
                let (square_avg, mut rest) = state.split_at_mut(n);
                let grad_avg = if centered {
                    let (a, r) = rest.split_at_mut(n);
                    rest = r;
                    Some(a)
                } else {
                    None
                };
                let buf = &mut rest[..if momentum > 0.0 { n } else { 0 }];
                let mut grad_avg = grad_avg;
                for i in 0..n {
                    let g = grads[i] + weight_decay * params[i];
                    square_avg[i] = square_avg[i] * alpha + (1.0 - alpha) * g * g;
                    let avg = match grad_avg.as_deref_mut() {
                        Some(ga) => {
                            ga[i] += (g - ga[i]) * (1.0 - alpha); // grad_avg.lerp_(g, 1 − α)
                            (square_avg[i] - ga[i] * ga[i]).sqrt() + eps
                        }
                        None => square_avg[i].sqrt() + eps,
                    };
                    if momentum > 0.0 {
                        buf[i] = momentum * buf[i] + g / avg;
                        params[i] -= lr * buf[i];
                    } else {
                        params[i] -= lr * g / avg;
                    }
                }
            }
        }
    }
}

/// Scales `grads` so that their global L2 norm is at most `max_norm` (torch's
/// `clip_grad_norm_`: coefficient max_norm / (norm + 1e-6), applied when below 1). Returns the
/// norm before clipping.
pub fn clip_grad_norm(grads: &mut [f32], max_norm: f32) -> f64 {
    let norm = grads.iter().map(|&g| (g as f64) * (g as f64)).sum::<f64>().sqrt();
    let coef = max_norm as f64 / (norm + 1e-6);
    if coef < 1.0 {
        let coef = coef as f32;
        grads.iter_mut().for_each(|g| *g *= coef);
    }
    norm
}

/// Clamps every gradient to [−clip, clip] (torch's `clip_grad_value_`; NaN stays NaN). Through
/// the lane type's NaN-propagating min/max: a scalar clamp would be vectorized by LLVM into
/// relaxed min/max in the relaxed build, whose NaN result differs by engine.
pub fn clip_grad_value(grads: &mut [f32], clip: f32) {
    let (lo, hi) = (F32x4::splat(-clip), F32x4::splat(clip));
    map_inplace(grads, |g| g.max(lo).min(hi));
}
