//! The audio front end for JavaScript: resampling and log-mel spectrograms (one crossing each).

use crate::js_error;
use wasm_bindgen::prelude::*;
use wasm_rnn_kernels::audio::mel::{log_mel_spectrogram, MelOptions};
use wasm_rnn_kernels::audio::resample::resample;

/// `samples` at `from` Hz resampled to `to` Hz (torchaudio's default windowed sinc).
#[wasm_bindgen]
pub fn audio_resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>, JsError> {
    resample(samples, from as u64, to as u64).map_err(js_error)
}

/// ln(mel power + logOffset), (frames, nMels) row-major; `options` = [sampleRate, nFft,
/// winLength, hopLength, nMels, fMin, fMax, logOffset].
#[wasm_bindgen]
pub fn audio_log_mel(samples: &[f32], options: &[f64]) -> Result<Vec<f32>, JsError> {
    let [sample_rate, n_fft, win_length, hop, n_mels, f_min, f_max, log_offset] = options else {
        return Err(js_error(wasm_rnn_kernels::Error::InvalidConfig("audio_log_mel takes 8 options".into())));
    };
    let o =
        MelOptions { sample_rate: *sample_rate, n_fft: *n_fft as usize, win_length: *win_length as usize, hop: *hop as usize, n_mels: *n_mels as usize, f_min: *f_min, f_max: *f_max, log_offset: *log_offset };
    log_mel_spectrogram(samples, &o).map_err(js_error)
}
