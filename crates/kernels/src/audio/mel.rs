//! Log-mel spectrogram with torchaudio's `MelSpectrogram` defaults: frames centered on every
//! hop (reflect padding of n_fft/2 at both ends), a periodic Hann window of `win_length`
//! centered in the n_fft frame, the power spectrum, HTK mel triangles between f_min and f_max
//! (no normalization), then ln(mel + offset), optionally floored `top_db` decibels below the
//! spectrogram's maximum (librosa's `power_to_db(top_db=…)`, torchaudio's `AmplitudeToDB`).

use super::fft::FftPlan;
use crate::error::Error;
use crate::memory::{check_budget, MemoryNeed};

#[derive(Clone, Copy, Debug)]
pub struct MelOptions {
    pub sample_rate: f64,
    pub n_fft: usize,
    pub win_length: usize,
    pub hop: usize,
    pub n_mels: usize,
    pub f_min: f64,
    pub f_max: f64,
    /// Added before the log (keeps silence finite).
    pub log_offset: f64,
    /// Dynamic range kept below the maximum, in decibels (∞: none).
    pub top_db: f64,
}

fn hz_to_mel(f: f64) -> f64 {
    2595.0 * (1.0 + f / 700.0).log10()
}

fn mel_to_hz(m: f64) -> f64 {
    700.0 * (10f64.powf(m / 2595.0) - 1.0)
}

/// max(0, min(down, up)): a triangle's height from its two slopes. Out of line: inlined, LLVM
/// vectorizes it into relaxed min/max in the relaxed build, which scripts/build-wasm.sh refuses
/// (the slopes are never NaN, but the check is on the whole module). Runs once per filter tap.
#[inline(never)]
fn triangle(down: f64, up: f64) -> f64 {
    down.min(up).max(0.0)
}

/// (n_fft/2 + 1, n_mels) triangles, torchaudio's `melscale_fbanks(..., norm=None, mel_scale="htk")`.
pub fn mel_filterbank(o: &MelOptions) -> Vec<f64> {
    let n_freqs = o.n_fft / 2 + 1;
    // torchaudio spaces the bins over [0, sample_rate // 2] (integer division).
    let nyquist = (o.sample_rate / 2.0).floor();
    let freqs: Vec<f64> = (0..n_freqs).map(|i| if n_freqs == 1 { 0.0 } else { nyquist * i as f64 / (n_freqs - 1) as f64 }).collect();
    let (m_min, m_max) = (hz_to_mel(o.f_min), hz_to_mel(o.f_max));
    let points: Vec<f64> = (0..o.n_mels + 2).map(|i| mel_to_hz(m_min + (m_max - m_min) * i as f64 / (o.n_mels + 1) as f64)).collect();
    let mut fb = vec![0.0; n_freqs * o.n_mels];
    for (i, &f) in freqs.iter().enumerate() {
        for m in 0..o.n_mels {
            let down = (f - points[m]) / (points[m + 1] - points[m]);
            let up = (points[m + 2] - f) / (points[m + 2] - points[m + 1]);
            fb[i * o.n_mels + m] = triangle(down, up);
        }
    }
    fb
}

impl MelOptions {
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::InvalidConfig(m));
        if !(self.sample_rate > 0.0 && self.sample_rate.is_finite()) {
            return bad(format!("sampleRate must be a positive number, got {}", self.sample_rate));
        }
        if self.n_fft < 2 || self.n_fft > 1 << 14 {
            return bad(format!("nFft must be in 2..=16384, got {}", self.n_fft));
        }
        if self.win_length == 0 || self.win_length > self.n_fft {
            return bad(format!("winLength must be in 1..={} (nFft), got {}", self.n_fft, self.win_length));
        }
        if self.hop == 0 || self.n_mels == 0 || self.n_mels > 4096 {
            return bad(format!("hopLength must be ≥ 1 and nMels in 1..=4096, got {} and {}", self.hop, self.n_mels));
        }
        if !(self.f_min >= 0.0 && self.f_min < self.f_max && self.f_max <= self.sample_rate / 2.0) {
            return bad(format!("need 0 ≤ fMin < fMax ≤ sampleRate/2, got fMin {} fMax {}", self.f_min, self.f_max));
        }
        if !(self.log_offset > 0.0 && self.log_offset.is_finite()) {
            return bad(format!("logOffset must be a positive number, got {}", self.log_offset));
        }
        if self.top_db.is_nan() || self.top_db <= 0.0 {
            return bad(format!("topDb must be a positive number (Infinity: no floor), got {}", self.top_db));
        }
        Ok(())
    }

    /// Frames of a signal of `len` samples (torch.stft with center=True).
    pub fn frames(&self, len: usize) -> usize {
        len / self.hop + 1
    }
}

/// `v`, or `floor` if v is below it (a NaN stays NaN). Out of line for the reason of [`triangle`]:
/// inlined, the loop would become relaxed max instructions.
#[inline(never)]
fn raise_to(v: f32, floor: f32) -> f32 {
    if v < floor {
        floor
    } else {
        v
    }
}

/// (frames, n_mels) row-major: ln(mel power + offset) of `samples`.
pub fn log_mel_spectrogram(samples: &[f32], o: &MelOptions) -> Result<Vec<f32>, Error> {
    o.validate()?;
    let pad = o.n_fft / 2;
    if samples.len() <= pad {
        return Err(Error::Argument(format!("the signal has {} samples; reflect padding needs more than nFft/2 = {pad}", samples.len())));
    }
    let frames = o.frames(samples.len());
    let n_freqs = o.n_fft / 2 + 1;
    let need = MemoryNeed { results: 4 * (frames * o.n_mels) as u64, scratch: 8 * (n_freqs * o.n_mels + FftPlan::floats(o.n_fft) + 2 * o.n_fft + n_freqs) as u64, ..MemoryNeed::default() };
    check_budget(&need)?;
    let fb = mel_filterbank(o);
    // Periodic Hann of win_length, centered in n_fft (torch.stft pads the window).
    let offset = (o.n_fft - o.win_length) / 2;
    let mut window = vec![0.0; o.n_fft];
    for i in 0..o.win_length {
        window[offset + i] = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / o.win_length as f64).cos();
    }
    // Reflect padding: index −k reads k, index len−1+k reads len−1−k.
    let n = samples.len() as isize;
    let at = |i: isize| -> f64 {
        let j = if i < 0 {
            -i
        } else if i >= n {
            2 * (n - 1) - i
        } else {
            i
        };
        samples[j as usize] as f64
    };
    let mut plan = FftPlan::new(o.n_fft);
    let mut frame = vec![0.0; o.n_fft];
    let mut power = vec![0.0; n_freqs];
    let mut out = Vec::with_capacity(frames * o.n_mels);
    for f in 0..frames {
        let start = (f * o.hop) as isize - pad as isize;
        for (k, v) in frame.iter_mut().enumerate() {
            *v = at(start + k as isize) * window[k];
        }
        plan.power_spectrum(&frame, &mut power);
        for m in 0..o.n_mels {
            let mel: f64 = power.iter().enumerate().map(|(i, p)| p * fb[i * o.n_mels + m]).sum();
            out.push((mel + o.log_offset).ln() as f32);
        }
    }
    if o.top_db.is_finite() {
        // 10·log10(p) dB = ln(p) · 10/ln 10: top_db decibels are top_db · ln(10)/10 nats.
        let max = out.iter().fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
        let floor = (max as f64 - o.top_db * std::f64::consts::LN_10 / 10.0) as f32;
        for v in &mut out {
            *v = raise_to(*v, floor);
        }
    }
    Ok(out)
}
