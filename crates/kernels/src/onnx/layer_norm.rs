//! ONNX `LayerNormalization` (opset 17) over the trailing `width` elements of each of `rows`
//! rows: Y = (X − mean) / sqrt(var + ε) · scale + B, with the biased variance, scale and B each
//! of `width` elements or one broadcast.

use super::alloc::{no_room, zeroed};
use crate::error::Error;
use crate::memory::{check_budget, MemoryNeed};

pub fn layer_norm(x: &[f32], scale: &[f32], bias: Option<&[f32]>, rows: usize, width: usize, epsilon: f32) -> Result<Vec<f32>, Error> {
    if rows.checked_mul(width) != Some(x.len()) {
        return Err(Error::Shape { what: "LayerNormalization X".into(), expected: format!("{rows}×{width} floats"), actual: x.len().to_string() });
    }
    for (name, v) in [("scale", Some(scale)), ("B", bias)] {
        if let Some(v) = v {
            if v.len() != width && v.len() != 1 {
                return Err(Error::Shape { what: format!("LayerNormalization {name}"), expected: format!("{width} floats or 1"), actual: v.len().to_string() });
            }
        }
    }
    let need = MemoryNeed { results: 4 * x.len() as u64, ..MemoryNeed::default() };
    check_budget(&need)?;
    let mut out = zeroed(x.len() as u64).ok_or_else(|| no_room(&need))?;
    let at = |v: &[f32], j: usize| if v.len() == 1 { v[0] } else { v[j] };
    for (row, y) in x.chunks_exact(width.max(1)).zip(out.chunks_exact_mut(width.max(1))).take(rows) {
        // Mean and variance in f64: a wide row of large values keeps its f32 accuracy.
        let mean = row.iter().map(|&v| v as f64).sum::<f64>() / width as f64;
        let var = row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / width as f64;
        let inv = 1.0 / (var + epsilon as f64).sqrt();
        for (j, (y, &v)) in y.iter_mut().zip(row).enumerate() {
            let b = bias.map_or(0.0, |b| at(b, j));
            *y = (((v as f64 - mean) * inv) as f32) * at(scale, j) + b;
        }
    }
    Ok(out)
}
