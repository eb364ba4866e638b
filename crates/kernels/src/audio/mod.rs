//! Audio front end for speech models: resampling and log-mel spectrograms, as torchaudio
//! computes them (`transforms.Resample` with its default windowed-sinc kernel,
//! `transforms.MelSpectrogram` with its defaults, then a log).

pub mod fft;
pub mod mel;
pub mod resample;

#[cfg(test)]
mod tests;
