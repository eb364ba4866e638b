//! Activation layers (PyTorch's nn.ReLU, nn.Sigmoid, nn.Softmax(dim=−1), …; Keras' `Dense`
//! activations): y = f(x) element by element, or along each row for softmax and log-softmax.
//! Backward: dx = dy ⊙ f′, written with whichever of x and y gives f′ most simply.
//!
//! Heads are small next to the recurrent layers, so the arithmetic is scalar and in f64 (the
//! same bits in every wasm build, NaN and ±∞ included), rounded once to f32.

/// nn.SELU's constants (Klambauer et al. 2017, as PyTorch and Keras define them).
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Relu,
    /// x if x > 0 else slope·x (nn.LeakyReLU(negative_slope)).
    LeakyRelu {
        slope: f32,
    },
    /// x if x > 0 else α·(eˣ − 1) (nn.ELU(alpha)).
    Elu {
        alpha: f32,
    },
    Selu,
    Sigmoid,
    /// relu6(x + 3) / 6 (nn.Hardsigmoid, Keras 3's hard_sigmoid).
    HardSigmoid,
    Tanh,
    /// log(1 + eˣ).
    Softplus,
    /// x / (1 + |x|).
    Softsign,
    /// x·σ(x) (nn.SiLU, Keras' silu/swish).
    Silu,
    /// min(max(x, 0), 6).
    Relu6,
    /// Along each row of `width` features.
    Softmax,
    LogSoftmax,
}

impl Activation {
    /// The wire code and parameter of the bindings (the inverse of [`Activation::from_code`]).
    pub fn from_code(code: u32, param: f32) -> Option<Activation> {
        Some(match code {
            0 => Activation::Relu,
            1 => Activation::LeakyRelu { slope: param },
            2 => Activation::Elu { alpha: param },
            3 => Activation::Selu,
            4 => Activation::Sigmoid,
            5 => Activation::HardSigmoid,
            6 => Activation::Tanh,
            7 => Activation::Softplus,
            8 => Activation::Softsign,
            9 => Activation::Silu,
            10 => Activation::Relu6,
            11 => Activation::Softmax,
            12 => Activation::LogSoftmax,
            _ => return None,
        })
    }

    /// y = f(x) over rows of `width` features.
    pub fn forward(self, y: &mut [f32], x: &[f32], width: usize) {
        match self {
            Activation::Softmax | Activation::LogSoftmax => {
                for (yr, xr) in y.chunks_exact_mut(width).zip(x.chunks_exact(width)) {
                    row_softmax(yr, xr, self == Activation::LogSoftmax);
                }
            }
            _ => y.iter_mut().zip(x).for_each(|(y, &x)| *y = self.value(x as f64) as f32),
        }
    }

    /// dx from the upstream gradient dy, the input x and the output y of `forward`.
    pub fn backward(self, dx: &mut [f32], dy: &[f32], x: &[f32], y: &[f32], width: usize) {
        match self {
            Activation::Softmax | Activation::LogSoftmax => {
                let rows = dx.chunks_exact_mut(width).zip(dy.chunks_exact(width)).zip(y.chunks_exact(width));
                for ((dxr, dyr), yr) in rows {
                    row_softmax_backward(dxr, dyr, yr, self == Activation::LogSoftmax);
                }
            }
            _ => {
                for (((dx, &dy), &x), &y) in dx.iter_mut().zip(dy).zip(x).zip(y) {
                    *dx = (dy as f64 * self.derivative(x as f64, y as f64)) as f32;
                }
            }
        }
    }

    /// f(x) of an element-wise activation.
    fn value(self, x: f64) -> f64 {
        match self {
            // Comparisons written so that NaN falls through to the branch that keeps it.
            Activation::Relu => {
                if x < 0.0 {
                    0.0
                } else {
                    x
                }
            }
            Activation::LeakyRelu { slope } => {
                if x < 0.0 {
                    slope as f64 * x
                } else {
                    x
                }
            }
            Activation::Elu { alpha } => {
                if x > 0.0 {
                    x
                } else {
                    alpha as f64 * x.exp_m1()
                }
            }
            Activation::Selu => SELU_SCALE * if x > 0.0 { x } else { SELU_ALPHA * x.exp_m1() },
            Activation::Sigmoid => sigmoid(x),
            Activation::HardSigmoid => relu6(x + 3.0) / 6.0,
            Activation::Tanh => x.tanh(),
            // max(x, 0) + log(1 + e^−|x|): never overflows, exact in both tails.
            Activation::Softplus => relu(x) + (-x.abs()).exp().ln_1p(),
            Activation::Softsign => x / (1.0 + x.abs()),
            Activation::Silu => x * sigmoid(x),
            Activation::Relu6 => relu6(x),
            Activation::Softmax | Activation::LogSoftmax => unreachable!("row-wise"),
        }
    }

    /// f′(x), given also y = f(x).
    fn derivative(self, x: f64, y: f64) -> f64 {
        match self {
            // PyTorch's subgradient at the kinks: 0 at x = 0 for ReLU, the slope for LeakyReLU.
            Activation::Relu => step(x),
            Activation::LeakyRelu { slope } => {
                if x > 0.0 {
                    1.0
                } else {
                    slope as f64
                }
            }
            // d/dx α(eˣ − 1) = y + α on the negative side.
            Activation::Elu { alpha } => {
                if x > 0.0 {
                    1.0
                } else {
                    y + alpha as f64
                }
            }
            Activation::Selu => {
                if x > 0.0 {
                    SELU_SCALE
                } else {
                    y + SELU_SCALE * SELU_ALPHA
                }
            }
            Activation::Sigmoid => y * (1.0 - y),
            Activation::HardSigmoid => inside(x, -3.0, 3.0) / 6.0,
            Activation::Tanh => 1.0 - y * y,
            Activation::Softplus => sigmoid(x),
            Activation::Softsign => 1.0 / ((1.0 + x.abs()) * (1.0 + x.abs())),
            Activation::Silu => {
                let s = sigmoid(x);
                s * (1.0 + x * (1.0 - s))
            }
            Activation::Relu6 => inside(x, 0.0, 6.0),
            Activation::Softmax | Activation::LogSoftmax => unreachable!("row-wise"),
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
fn relu(x: f64) -> f64 {
    if x < 0.0 {
        0.0
    } else {
        x
    }
}
fn relu6(x: f64) -> f64 {
    let r = relu(x);
    if r > 6.0 {
        6.0
    } else {
        r
    }
}
/// 1 for x > 0, else 0 (NaN: 0).
fn step(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else {
        0.0
    }
}
/// 1 strictly inside (lo, hi), 0 at and beyond the bounds (PyTorch's hardtanh/hardsigmoid backward).
fn inside(x: f64, lo: f64, hi: f64) -> f64 {
    if x > lo && x < hi {
        1.0
    } else {
        0.0
    }
}

/// y = softmax(x) or log_softmax(x) of one row: shifted by its maximum, normalized in f64.
fn row_softmax(y: &mut [f32], x: &[f32], log: bool) {
    // NaN anywhere makes the row NaN (as PyTorch): a NaN maximum propagates through every term.
    let max = x.iter().fold(f64::NEG_INFINITY, |m, &v| if v as f64 > m || v.is_nan() { v as f64 } else { m });
    let sum: f64 = x.iter().map(|&v| (v as f64 - max).exp()).sum();
    let log_sum = sum.ln();
    for (y, &v) in y.iter_mut().zip(x) {
        let shifted = v as f64 - max;
        *y = if log { (shifted - log_sum) as f32 } else { (shifted.exp() / sum) as f32 };
    }
}

/// softmax: dx_i = y_i·(dy_i − Σ_j dy_j·y_j); log-softmax: dx_i = dy_i − e^(y_i)·Σ_j dy_j.
fn row_softmax_backward(dx: &mut [f32], dy: &[f32], y: &[f32], log: bool) {
    if log {
        let total: f64 = dy.iter().map(|&g| g as f64).sum();
        for ((dx, &g), &y) in dx.iter_mut().zip(dy).zip(y) {
            *dx = (g as f64 - (y as f64).exp() * total) as f32;
        }
    } else {
        let dot: f64 = dy.iter().zip(y).map(|(&g, &y)| g as f64 * y as f64).sum();
        for ((dx, &g), &y) in dx.iter_mut().zip(dy).zip(y) {
            *dx = (y as f64 * (g as f64 - dot)) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Activation; 13] = [
        Activation::Relu,
        Activation::LeakyRelu { slope: 0.2 },
        Activation::Elu { alpha: 0.7 },
        Activation::Selu,
        Activation::Sigmoid,
        Activation::HardSigmoid,
        Activation::Tanh,
        Activation::Softplus,
        Activation::Softsign,
        Activation::Silu,
        Activation::Relu6,
        Activation::Softmax,
        Activation::LogSoftmax,
    ];

    /// Inputs away from every kink (0, ±3, 6), so central differences see one smooth piece.
    fn inputs(rows: usize, width: usize) -> Vec<f32> {
        (0..rows * width).map(|i| ((i * 37 % 23) as f32 - 11.3) * 0.71).collect()
    }

    #[test]
    fn gradients_match_central_differences() {
        let (rows, width) = (3, 7);
        let x = inputs(rows, width);
        let dy: Vec<f32> = (0..x.len()).map(|i| ((i * 13 % 17) as f32 - 8.0) * 0.125).collect();
        for f in ALL {
            let mut y = vec![0.0; x.len()];
            f.forward(&mut y, &x, width);
            let mut dx = vec![0.0; x.len()];
            f.backward(&mut dx, &dy, &x, &y, width);
            // L = Σ dy·y, in f64 around each input.
            let loss = |x: &[f32]| {
                let mut y = vec![0.0; x.len()];
                f.forward(&mut y, x, width);
                y.iter().zip(&dy).map(|(&y, &g)| y as f64 * g as f64).sum::<f64>()
            };
            for i in 0..x.len() {
                let h = 1e-2f32;
                let (mut plus, mut minus) = (x.clone(), x.clone());
                plus[i] += h;
                minus[i] -= h;
                let numeric = (loss(&plus) - loss(&minus)) / (plus[i] - minus[i]) as f64;
                assert!((numeric - dx[i] as f64).abs() <= 2e-3 * (1.0 + numeric.abs()), "{f:?} input {i} (x = {}): analytic {} numeric {numeric}", x[i], dx[i]);
            }
        }
    }

    #[test]
    fn values_match_their_definitions() {
        let x = [-30.0f32, -2.5, -0.5, 0.0, 0.25, 2.5, 7.0, 40.0];
        let expect = |f: Activation, v: f64| -> f64 {
            match f {
                Activation::Relu => v.max(0.0),
                Activation::LeakyRelu { slope } => {
                    if v > 0.0 {
                        v
                    } else {
                        slope as f64 * v
                    }
                }
                Activation::Elu { alpha } => {
                    if v > 0.0 {
                        v
                    } else {
                        alpha as f64 * (v.exp() - 1.0)
                    }
                }
                Activation::Selu => SELU_SCALE * if v > 0.0 { v } else { SELU_ALPHA * (v.exp() - 1.0) },
                Activation::Sigmoid => 1.0 / (1.0 + (-v).exp()),
                Activation::HardSigmoid => ((v + 3.0).clamp(0.0, 6.0)) / 6.0,
                Activation::Tanh => v.tanh(),
                Activation::Softplus => (1.0 + v.exp()).ln(),
                Activation::Softsign => v / (1.0 + v.abs()),
                Activation::Silu => v / (1.0 + (-v).exp()),
                Activation::Relu6 => v.clamp(0.0, 6.0),
                Activation::Softmax | Activation::LogSoftmax => {
                    let sum: f64 = x.iter().map(|&u| (u as f64).exp()).sum();
                    if f == Activation::Softmax {
                        v.exp() / sum
                    } else {
                        v - sum.ln()
                    }
                }
            }
        };
        for f in ALL {
            let mut y = [0.0f32; 8];
            f.forward(&mut y, &x, x.len());
            for (&v, &got) in x.iter().zip(&y) {
                let want = expect(f, v as f64);
                assert!((got as f64 - want).abs() <= 1e-6 * (1.0 + want.abs()), "{f:?}({v}) = {got}, want {want}");
            }
        }
    }

    #[test]
    fn nan_propagates_and_infinities_saturate() {
        for f in ALL {
            let mut y = [0.0f32; 3];
            f.forward(&mut y, &[f32::NAN, 1.0, 2.0], 3);
            assert!(y[0].is_nan(), "{f:?}(NaN) = {}", y[0]);
            // Except where PyTorch's formula is ∞/∞ or ∞·0 too (silu(−∞), softsign(±∞)).
            if !matches!(f, Activation::Softmax | Activation::LogSoftmax | Activation::Silu | Activation::Softsign) {
                f.forward(&mut y, &[f32::NEG_INFINITY, f32::INFINITY, 0.0], 1);
                assert!(y.iter().all(|v| !v.is_nan()), "{f:?}(±∞) = {y:?}");
            }
        }
    }
}
