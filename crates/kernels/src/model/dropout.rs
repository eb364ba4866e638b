//! Inverted dropout: in training each element is kept with probability 1 − p and scaled by
//! 1/(1 − p) (PyTorch's `nn.Dropout`); inference is the identity. The mask is drawn from the
//! model's seeded generator, so a seed fixes it bit for bit.

use crate::rng::Rng;

/// mask (N) = 0 or 1/(1 − p) per element; y = x ⊙ mask. p = 1 drops everything.
pub fn dropout_forward(y: &mut [f32], mask: &mut [f32], x: &[f32], p: f32, rng: &mut Rng) {
    let scale = if p < 1.0 { 1.0 / (1.0 - p) } else { 0.0 };
    for ((yv, m), &xv) in y.iter_mut().zip(mask.iter_mut()).zip(x) {
        *m = if rng.uniform(0.0, 1.0) < p { 0.0 } else { scale };
        *yv = xv * *m;
    }
}

/// dx = dy ⊙ mask.
pub fn dropout_backward(dx: &mut [f32], dy: &[f32], mask: &[f32]) {
    dx.iter_mut().zip(dy.iter().zip(mask)).for_each(|(d, (g, m))| *d = g * m);
}

/// x ⊙= mask with a fresh mask (between stacked recurrent layers, where x is the next input).
pub fn dropout_inplace(x: &mut [f32], mask: &mut [f32], p: f32, rng: &mut Rng) {
    let scale = if p < 1.0 { 1.0 / (1.0 - p) } else { 0.0 };
    for (v, m) in x.iter_mut().zip(mask.iter_mut()) {
        *m = if rng.uniform(0.0, 1.0) < p { 0.0 } else { scale };
        *v *= *m;
    }
}
