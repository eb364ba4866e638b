//! MFCCs as torchaudio's `transforms.MFCC(log_mels=True, norm="ortho", dct_type=2)` computes
//! them: the log-mel spectrogram (ln(mel + offset)), then per frame the orthonormal DCT-II over
//! the mel bands, of which the first `n_mfcc` coefficients are kept. Keeping few coefficients
//! keeps the spectral envelope (the vocal tract) and drops the fine structure (the pitch).

use super::mel::{log_mel_spectrogram, MelOptions};
use crate::error::Error;

/// (n_mfcc, n_mels) orthonormal DCT-II rows: c_k = Σ_m x_m · s_k · cos(π k (m + ½) / M), with
/// s_0 = √(1/M) and s_k = √(2/M) (torchaudio's `create_dct(..., norm="ortho")`, transposed).
pub fn dct_matrix(n_mfcc: usize, n_mels: usize) -> Vec<f64> {
    let m = n_mels as f64;
    let mut out = Vec::with_capacity(n_mfcc * n_mels);
    for k in 0..n_mfcc {
        let scale = if k == 0 { (1.0 / m).sqrt() } else { (2.0 / m).sqrt() };
        out.extend((0..n_mels).map(|j| scale * (std::f64::consts::PI * k as f64 * (j as f64 + 0.5) / m).cos()));
    }
    out
}

/// (frames, n_mfcc) row-major MFCCs of `samples`.
pub fn mfcc(samples: &[f32], o: &MelOptions, n_mfcc: usize) -> Result<Vec<f32>, Error> {
    if n_mfcc == 0 || n_mfcc > o.n_mels {
        return Err(Error::InvalidConfig(format!("nMfcc must be in 1..={} (nMels), got {n_mfcc}", o.n_mels)));
    }
    let log_mel = log_mel_spectrogram(samples, o)?;
    let dct = dct_matrix(n_mfcc, o.n_mels);
    let mut out = Vec::with_capacity(log_mel.len() / o.n_mels * n_mfcc);
    for frame in log_mel.chunks_exact(o.n_mels) {
        for row in dct.chunks_exact(o.n_mels) {
            out.push(row.iter().zip(frame).map(|(c, &x)| c * x as f64).sum::<f64>() as f32);
        }
    }
    Ok(out)
}
