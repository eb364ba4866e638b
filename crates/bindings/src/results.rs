//! One array of results per call, allocated fallibly (an out-of-memory here is E_TOO_LARGE,
//! not a trap; the budget check before the call normally keeps it from happening at all).

use wasm_rnn_kernels::memory::{bytes_in_use, INSTANCE_BUDGET_BYTES};
use wasm_rnn_kernels::Error;

pub fn concat(parts: &[&[f32]]) -> Result<Vec<f32>, Error> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut all = Vec::new();
    all.try_reserve_exact(len).map_err(|_| Error::TooLarge { need: 4 * len as u64, in_use: bytes_in_use(), budget: INSTANCE_BUDGET_BYTES, detail: "results".into() })?;
    for part in parts {
        all.extend_from_slice(part);
    }
    Ok(all)
}

/// Shapes as one flat list: each shape's rank, then its dimensions.
pub fn flatten_shapes(shapes: &[Vec<usize>]) -> Vec<u32> {
    let mut out = Vec::new();
    for shape in shapes {
        out.push(shape.len() as u32);
        out.extend(shape.iter().map(|&d| d as u32));
    }
    out
}
