//! Audio front end for speech models: resampling, log-mel spectrograms and MFCCs, as torchaudio
//! computes them (`transforms.Resample` with its default windowed-sinc kernel,
//! `transforms.MelSpectrogram` with its defaults, then a log; `transforms.MFCC` with `log_mels`).

pub mod fft;
pub mod mel;
pub mod mfcc;
pub mod resample;

#[cfg(test)]
mod tests;
