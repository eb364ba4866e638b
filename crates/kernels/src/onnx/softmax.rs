//! ONNX `Softmax` and `LogSoftmax` along one axis of a tensor viewed as (outer, axis, inner):
//! opset 13 normalizes one axis; opsets before 13 flatten the dimensions from `axis` on into
//! one (the caller passes inner = 1 and axis = their product).

use super::alloc::{no_room, zeroed};
use crate::error::Error;
use crate::memory::{check_budget, MemoryNeed};

/// softmax(x)_i = e^(x_i − max) / Σ e^(x_j − max); log-softmax = (x_i − max) − log Σ e^(x_j − max).
pub fn softmax(x: &[f32], outer: usize, axis: usize, inner: usize, log: bool) -> Result<Vec<f32>, Error> {
    let total = outer.checked_mul(axis).and_then(|v| v.checked_mul(inner));
    if total != Some(x.len()) {
        return Err(Error::Shape { what: "Softmax input".into(), expected: format!("{outer}×{axis}×{inner} floats"), actual: x.len().to_string() });
    }
    let need = MemoryNeed { results: 4 * x.len() as u64, ..MemoryNeed::default() };
    check_budget(&need)?;
    let mut out = zeroed(x.len() as u64).ok_or_else(|| no_room(&need))?;
    for o in 0..outer {
        let base = o * axis * inner;
        for i in 0..inner {
            let at = |j: usize| base + j * inner + i;
            let max = (0..axis).map(|j| x[at(j)]).fold(f32::NEG_INFINITY, f32::max);
            // Sum in f64: the normalizer of a wide axis keeps full f32 accuracy.
            let sum: f64 = (0..axis).map(|j| ((x[at(j)] - max) as f64).exp()).sum();
            for j in 0..axis {
                let shifted = (x[at(j)] - max) as f64;
                out[at(j)] = if log { (shifted - sum.ln()) as f32 } else { (shifted.exp() / sum) as f32 };
            }
        }
    }
    Ok(out)
}
