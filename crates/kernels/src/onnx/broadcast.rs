//! ONNX `Add`, `Sub`, `Mul` and `Div` with multidirectional (numpy) broadcasting: the caller
//! passes the output shape and each operand's element strides over it (0 along a broadcast
//! dimension).

use super::alloc::{no_room, zeroed};
use crate::error::Error;
use crate::memory::{check_budget, MemoryNeed};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn parse(name: &str) -> Result<Self, Error> {
        Ok(match name {
            "Add" => BinaryOp::Add,
            "Sub" => BinaryOp::Sub,
            "Mul" => BinaryOp::Mul,
            "Div" => BinaryOp::Div,
            other => return Err(Error::Argument(format!("no elementwise operator {other:?}"))),
        })
    }
    #[inline(always)]
    fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
        }
    }
}

/// The largest offset `strides` reaches over `shape`, plus one (0 for an empty shape product).
fn extent(shape: &[u32], strides: &[u32]) -> Option<u64> {
    if shape.contains(&0) {
        return Some(0);
    }
    let last = shape.iter().zip(strides).try_fold(0u64, |acc, (&d, &s)| acc.checked_add((d as u64 - 1).checked_mul(s as u64)?))?;
    last.checked_add(1)
}

/// Y = a ∘ b over `shape`, reading a at Σ idx·a_strides and b at Σ idx·b_strides.
pub fn binary(op: BinaryOp, a: &[f32], b: &[f32], shape: &[u32], a_strides: &[u32], b_strides: &[u32]) -> Result<Vec<f32>, Error> {
    if a_strides.len() != shape.len() || b_strides.len() != shape.len() {
        return Err(Error::Argument(format!("{op:?}: {} dimensions but {} and {} strides", shape.len(), a_strides.len(), b_strides.len())));
    }
    for (name, data, strides) in [("A", a, a_strides), ("B", b, b_strides)] {
        match extent(shape, strides) {
            Some(e) if e <= data.len() as u64 => {}
            _ => return Err(Error::Shape { what: format!("{op:?} {name}"), expected: "a tensor the strides stay inside".into(), actual: data.len().to_string() }),
        }
    }
    let total = shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d as u64)).unwrap_or(u64::MAX);
    let need = MemoryNeed { results: total.saturating_mul(4), ..MemoryNeed::default() };
    check_budget(&need)?;
    let mut out = zeroed(total).ok_or_else(|| no_room(&need))?;
    if total == 0 {
        return Ok(out);
    }
    let rank = shape.len();
    if rank == 0 {
        out[0] = op.apply(a[0], b[0]);
        return Ok(out);
    }
    // Innermost dimension as a loop over rows; an odometer over the outer ones.
    let inner = shape[rank - 1] as usize;
    let (sa, sb) = (a_strides[rank - 1] as usize, b_strides[rank - 1] as usize);
    let mut idx = vec![0u32; rank - 1];
    let (mut oa, mut ob) = (0usize, 0usize);
    for row in out.chunks_exact_mut(inner) {
        for (j, y) in row.iter_mut().enumerate() {
            *y = op.apply(a[oa + j * sa], b[ob + j * sb]);
        }
        for dim in (0..rank - 1).rev() {
            idx[dim] += 1;
            oa += a_strides[dim] as usize;
            ob += b_strides[dim] as usize;
            if idx[dim] < shape[dim] {
                break;
            }
            oa -= (shape[dim] * a_strides[dim]) as usize;
            ob -= (shape[dim] * b_strides[dim]) as usize;
            idx[dim] = 0;
        }
    }
    Ok(out)
}
