//! Band-limited resampling, torchaudio's `functional.resample` with its defaults
//! (`sinc_interp_hann`, lowpass_filter_width 6, rolloff 0.99): both rates are divided by their
//! gcd, then each output phase j of every block of `new` samples is a Hann-windowed sinc FIR over
//! the input around its position. The output has ceil(new·len / orig) samples.

use crate::error::Error;
use crate::memory::{check_budget, MemoryNeed};

const LOWPASS_FILTER_WIDTH: f64 = 6.0;
const ROLLOFF: f64 = 0.99;

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Input samples on each side of an output's position (rates already divided by their gcd).
fn half_width(orig: u64, new: u64) -> usize {
    (LOWPASS_FILTER_WIDTH * orig as f64 / (orig.min(new) as f64 * ROLLOFF)).ceil() as usize
}

/// t limited to ±LOWPASS_FILTER_WIDTH. Kept out of line: inlined, LLVM vectorizes the clamp into
/// relaxed min/max in the relaxed build, which scripts/build-wasm.sh refuses (t is never NaN
/// here, but the check is on the whole module). It runs once per kernel tap, not per sample.
#[inline(never)]
fn clamp_to_filter_width(t: f64) -> f64 {
    t.clamp(-LOWPASS_FILTER_WIDTH, LOWPASS_FILTER_WIDTH)
}

/// The (new, 2·width + orig) kernel (torchaudio's `_get_sinc_resample_kernel`).
fn kernel(orig: u64, new: u64, width: usize) -> Vec<f64> {
    let base = orig.min(new) as f64 * ROLLOFF;
    let taps = 2 * width + orig as usize;
    let mut k = vec![0.0; new as usize * taps];
    for j in 0..new as usize {
        for (i, v) in k[j * taps..][..taps].iter_mut().enumerate() {
            let idx = (i as f64 - width as f64) / orig as f64;
            let t = clamp_to_filter_width((-(j as f64) / new as f64 + idx) * base);
            let window = (t * std::f64::consts::PI / LOWPASS_FILTER_WIDTH / 2.0).cos().powi(2);
            let t = t * std::f64::consts::PI;
            let sinc = if t == 0.0 { 1.0 } else { t.sin() / t };
            *v = sinc * window * base / orig as f64;
        }
    }
    k
}

/// `samples` at `orig` Hz → at `new` Hz (integer rates).
pub fn resample(samples: &[f32], orig: u64, new: u64) -> Result<Vec<f32>, Error> {
    if orig == 0 || new == 0 || orig > 1 << 20 || new > 1 << 20 {
        return Err(Error::InvalidConfig(format!("sample rates must be integers in 1..=1048576, got {orig} and {new}")));
    }
    if orig == new {
        return Ok(samples.to_vec());
    }
    let g = gcd(orig, new);
    let (orig, new) = (orig / g, new / g);
    let width = half_width(orig, new);
    let len = samples.len() as u64;
    let out_len = (new * len).div_ceil(orig);
    let taps = 2 * width + orig as usize;
    let need = MemoryNeed { results: 4 * out_len, scratch: 8 * new * taps as u64, ..MemoryNeed::default() };
    check_budget(&need)?;
    let k = kernel(orig, new, width);
    let (orig, new) = (orig as usize, new as usize);
    let at = |i: isize| if i < 0 || i as usize >= samples.len() { 0.0 } else { samples[i as usize] as f64 };
    let mut out = Vec::with_capacity(out_len as usize);
    // Block b starts at input b·orig − width (the signal is zero-padded by width, and by
    // width + orig at the end, as torchaudio pads it).
    for o in 0..out_len as usize {
        let (block, phase) = (o / new, o % new);
        let start = (block * orig) as isize - width as isize;
        let row = &k[phase * taps..][..taps];
        let v: f64 = row.iter().enumerate().map(|(i, w)| w * at(start + i as isize)).sum();
        out.push(v as f32);
    }
    Ok(out)
}
