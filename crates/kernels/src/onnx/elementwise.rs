//! ONNX element-wise activations outside the recurrent nodes and the reductions `ReduceSum`,
//! `ReduceMean`, `ReduceProd`, `ReduceMax`, `ReduceMin` — what exporters (ours among them) put
//! after a recurrent layer: a Dense's activation, a bidirectional sum/average/product.
//!
//! ```text
//! Selu(x)        γ·x if x > 0 else γ·α·(eˣ − 1)      (α ≈ 1.6733, γ ≈ 1.0507)
//! Clip(x)        min(max(x, lo), hi)                  (NaN stays NaN)
//! Relu, Tanh, Sigmoid, LeakyRelu, HardSigmoid, Elu, Softsign, Softplus: as in the recurrent
//! nodes (`Activation`), with the operator's own alpha/beta defaults.
//! ```

use super::activation::Activation;
use super::alloc::{no_room, zeroed};
use crate::error::Error;
use crate::memory::{check_budget, MemoryNeed};
use wasm_rnn_simd::vecmath::map_inplace;
use wasm_rnn_simd::F32x4;

/// SELU's constants as ONNX states them (float32).
const SELU_ALPHA: f32 = 1.673_263_2;
const SELU_GAMMA: f32 = 1.050_701;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unary {
    Activation(Activation),
    Selu { alpha: f32, gamma: f32 },
    Clip { lo: f32, hi: f32 },
}

impl Unary {
    /// The operator `op` with its attributes (`alpha`, `beta`/`gamma`; NaN when absent), or for
    /// `Clip` its bounds (±∞ when absent).
    pub fn parse(op: &str, alpha: f32, beta: f32) -> Result<Self, Error> {
        let or = |v: f32, d: f32| if v.is_nan() { d } else { v };
        Ok(Unary::Activation(match op {
            "Relu" => Activation::Relu,
            "Tanh" => Activation::Tanh,
            "Sigmoid" => Activation::Sigmoid,
            "Softsign" => Activation::Softsign,
            "Softplus" => Activation::Softplus,
            "LeakyRelu" => Activation::LeakyRelu { alpha: or(alpha, 0.01) },
            "Elu" => Activation::Elu { alpha: or(alpha, 1.0) },
            "HardSigmoid" => Activation::HardSigmoid { alpha: or(alpha, 0.2), beta: or(beta, 0.5) },
            "Selu" => return Ok(Unary::Selu { alpha: or(alpha, SELU_ALPHA), gamma: or(beta, SELU_GAMMA) }),
            "Clip" => return Ok(Unary::Clip { lo: alpha, hi: beta }),
            other => return Err(Error::Argument(format!("no element-wise operator {other:?}"))),
        }))
    }

    pub fn apply(self, x: &[f32]) -> Result<Vec<f32>, Error> {
        let need = MemoryNeed { results: 4 * x.len() as u64, ..MemoryNeed::default() };
        check_budget(&need)?;
        let mut out = zeroed(x.len() as u64).ok_or_else(|| no_room(&need))?;
        out.copy_from_slice(x);
        match self {
            Unary::Activation(f) => f.apply(&mut out, f32::INFINITY),
            Unary::Selu { alpha, gamma } => out.iter_mut().for_each(|v| *v = if *v > 0.0 { gamma * *v } else { gamma * alpha * v.exp_m1() }),
            // The lanes' NaN-propagating max/min (wasm f32x4.max/min): a NaN input stays NaN in
            // every build. (Scalar comparisons would be vectorized into relaxed min/max, which
            // the relaxed build must not contain.)
            Unary::Clip { lo, hi } => {
                let (lo, hi) = (F32x4::splat(lo), F32x4::splat(hi));
                map_inplace(&mut out, |v| v.max(lo).min(hi));
            }
        }
        Ok(out)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    Sum,
    Mean,
    Prod,
    Max,
    Min,
}

impl Reduction {
    pub fn parse(op: &str) -> Result<Self, Error> {
        Ok(match op {
            "ReduceSum" => Reduction::Sum,
            "ReduceMean" => Reduction::Mean,
            "ReduceProd" => Reduction::Prod,
            "ReduceMax" => Reduction::Max,
            "ReduceMin" => Reduction::Min,
            other => return Err(Error::Argument(format!("no reduction {other:?}"))),
        })
    }
}

/// Reduces x of `shape` over the dimensions marked in `reduced` (one flag per dimension); the
/// result has the shape with those dimensions set to 1. Sums and products accumulate in f64;
/// an empty reduction gives the operator's identity (0, 1, −∞ for Max, +∞ for Min).
pub fn reduce(kind: Reduction, x: &[f32], shape: &[u32], reduced: &[bool]) -> Result<Vec<f32>, Error> {
    let bad = |what: String| Error::Shape { what: "reduction input".into(), expected: what, actual: format!("{} floats, {} flags", x.len(), reduced.len()) };
    if reduced.len() != shape.len() {
        return Err(bad(format!("one flag per dimension of a rank-{} tensor", shape.len())));
    }
    let total = shape.iter().try_fold(1usize, |p, &d| p.checked_mul(d as usize));
    if total != Some(x.len()) {
        return Err(bad(format!("{shape:?} = {total:?} floats")));
    }
    let kept: Vec<usize> = shape.iter().zip(reduced).map(|(&d, &r)| if r { 1 } else { d as usize }).collect();
    let out_len: usize = kept.iter().product();
    let count: usize = shape.iter().zip(reduced).filter(|(_, &r)| r).map(|(&d, _)| d as usize).product();
    let need = MemoryNeed { results: 4 * out_len as u64, scratch: 8 * out_len as u64, ..MemoryNeed::default() };
    check_budget(&need)?;
    let identity = match kind {
        Reduction::Sum | Reduction::Mean => 0.0,
        Reduction::Prod => 1.0,
        Reduction::Max => f64::NEG_INFINITY,
        Reduction::Min => f64::INFINITY,
    };
    let mut acc: Vec<f64> = Vec::new();
    acc.try_reserve_exact(out_len).map_err(|_| no_room(&need))?;
    acc.resize(out_len, identity);
    // Row-major strides of the output, 0 along reduced dimensions: element i of x lands on
    // the output element whose index is the sum of its coordinates times these strides.
    let mut strides = vec![0usize; shape.len()];
    let mut stride = 1usize;
    for d in (0..shape.len()).rev() {
        strides[d] = if reduced[d] { 0 } else { stride };
        stride *= kept[d];
    }
    let mut coords = vec![0usize; shape.len()];
    let mut at = 0usize;
    for &v in x {
        let (a, v) = (&mut acc[at], v as f64);
        *a = match kind {
            Reduction::Sum | Reduction::Mean => *a + v,
            Reduction::Prod => *a * v,
            // NaN wins, as in onnxruntime.
            Reduction::Max => {
                if v.is_nan() || v > *a {
                    v
                } else {
                    *a
                }
            }
            Reduction::Min => {
                if v.is_nan() || v < *a {
                    v
                } else {
                    *a
                }
            }
        };
        // Next coordinate (odometer), moving `at` along.
        for d in (0..shape.len()).rev() {
            coords[d] += 1;
            at += strides[d];
            if coords[d] < shape[d] as usize {
                break;
            }
            at -= strides[d] * coords[d];
            coords[d] = 0;
        }
    }
    let mut out = zeroed(out_len as u64).ok_or_else(|| no_room(&need))?;
    for (o, a) in out.iter_mut().zip(&acc) {
        *o = if kind == Reduction::Mean { (*a / count as f64) as f32 } else { *a as f32 };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_over_any_axes_match_their_definitions() {
        // x[i][j][k] = i·100 + j·10 + k over shape [2, 3, 4].
        let shape = [2u32, 3, 4];
        let x: Vec<f32> = (0..24).map(|n| ((n / 12) * 100 + ((n / 4) % 3) * 10 + n % 4) as f32).collect();
        let at = |i: usize, j: usize, k: usize| x[i * 12 + j * 4 + k];
        let sum_j = reduce(Reduction::Sum, &x, &shape, &[false, true, false]).unwrap();
        for i in 0..2 {
            for k in 0..4 {
                assert_eq!(sum_j[i * 4 + k], (0..3).map(|j| at(i, j, k)).sum::<f32>());
            }
        }
        let mean_ik = reduce(Reduction::Mean, &x, &shape, &[true, false, true]).unwrap();
        for (j, got) in mean_ik.iter().enumerate() {
            let want = (0..2).flat_map(|i| (0..4).map(move |k| (i, k))).map(|(i, k)| at(i, j, k)).sum::<f32>() / 8.0;
            assert!((got - want).abs() < 1e-5);
        }
        let prod_k = reduce(Reduction::Prod, &x, &shape, &[false, false, true]).unwrap();
        // Element [1][2] of the [2, 3] result.
        assert_eq!(prod_k[3 + 2], (0..4).map(|k| at(1, 2, k)).product::<f32>());
        assert_eq!(reduce(Reduction::Max, &x, &shape, &[true, true, true]).unwrap(), vec![123.0]);
        assert_eq!(reduce(Reduction::Min, &x, &shape, &[false, false, false]).unwrap(), x);
        let mut with_nan = x.clone();
        with_nan[5] = f32::NAN;
        assert!(reduce(Reduction::Max, &with_nan, &shape, &[true, true, true]).unwrap()[0].is_nan());
        // Empty inputs reduce to the identity; mismatched shapes are errors.
        assert_eq!(reduce(Reduction::Prod, &[], &[0, 2], &[true, false]).unwrap(), vec![1.0, 1.0]);
        assert!(reduce(Reduction::Sum, &x, &[2, 3, 5], &[true, false, false]).is_err());
        assert!(reduce(Reduction::Sum, &x, &shape, &[true]).is_err());
    }

    #[test]
    fn unary_operators_match_their_definitions() {
        // NaN only where this file decides what it becomes (the recurrent activations own theirs).
        let xs = [-3.0f32, -0.5, 0.0, 0.25, 2.0, f32::NAN];
        let apply = |op: &str, a: f32, b: f32| Unary::parse(op, a, b).unwrap().apply(&xs).unwrap();
        let close = |got: &[f32], f: &dyn Fn(f64) -> f64| {
            for (g, &x) in got.iter().zip(&xs[..5]) {
                let want = f(x as f64);
                assert!((*g as f64 - want).abs() < 1e-6 * want.abs().max(1.0), "{x}: {g} vs {want}");
            }
        };
        assert!(apply("Selu", f32::NAN, f32::NAN)[5].is_nan() && apply("Clip", 0.0, 6.0)[5].is_nan());
        close(&apply("Selu", f32::NAN, f32::NAN), &|x| 1.0507009873554805 * if x > 0.0 { x } else { 1.6732632423543772 * x.exp_m1() });
        close(&apply("Clip", 0.0, 6.0), &|x| x.clamp(0.0, 6.0));
        close(&apply("Clip", f32::NEG_INFINITY, 1.0), &|x| x.min(1.0));
        close(&apply("HardSigmoid", 1.0 / 6.0, f32::NAN), &|x| (x / 6.0 + 0.5).clamp(0.0, 1.0));
        close(&apply("LeakyRelu", f32::NAN, f32::NAN), &|x| if x < 0.0 { 0.01 * x } else { x });
        close(&apply("Elu", 0.5, f32::NAN), &|x| if x < 0.0 { 0.5 * x.exp_m1() } else { x });
        close(&apply("Softplus", f32::NAN, f32::NAN), &|x| x.exp().ln_1p());
        assert!(Unary::parse("Gelu", f32::NAN, f32::NAN).is_err());
    }
}
