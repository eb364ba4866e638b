//! The audio front end for JavaScript: resampling, log-mel spectrograms and MFCCs (one crossing each).

use crate::js_error;
use wasm_bindgen::prelude::*;
use wasm_rnn_kernels::audio::mel::{log_mel_spectrogram, MelOptions};
use wasm_rnn_kernels::audio::mfcc::mfcc;
use wasm_rnn_kernels::audio::resample::resample;

/// `samples` at `from` Hz resampled to `to` Hz (torchaudio's default windowed sinc).
#[wasm_bindgen]
pub fn audio_resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>, JsError> {
    resample(samples, from as u64, to as u64).map_err(js_error)
}

/// `options` = [sampleRate, nFft, winLength, hopLength, nMels, fMin, fMax, logOffset, topDb].
fn mel_options(options: &[f64], name: &str) -> Result<MelOptions, JsError> {
    let [sample_rate, n_fft, win_length, hop, n_mels, f_min, f_max, log_offset, top_db] = options else {
        return Err(js_error(wasm_rnn_kernels::Error::InvalidConfig(format!("{name} takes 9 mel options"))));
    };
    Ok(MelOptions {
        sample_rate: *sample_rate,
        n_fft: *n_fft as usize,
        win_length: *win_length as usize,
        hop: *hop as usize,
        n_mels: *n_mels as usize,
        f_min: *f_min,
        f_max: *f_max,
        log_offset: *log_offset,
        top_db: *top_db,
    })
}

/// ln(mel power + logOffset), floored topDb below the maximum, (frames, nMels) row-major
/// (`options`: as `mel_options` reads them).
#[wasm_bindgen]
pub fn audio_log_mel(samples: &[f32], options: &[f64]) -> Result<Vec<f32>, JsError> {
    log_mel_spectrogram(samples, &mel_options(options, "audio_log_mel")?).map_err(js_error)
}

/// The first `n_mfcc` orthonormal DCT-II coefficients of each log-mel frame, (frames, nMfcc)
/// row-major.
#[wasm_bindgen]
pub fn audio_mfcc(samples: &[f32], options: &[f64], n_mfcc: u32) -> Result<Vec<f32>, JsError> {
    mfcc(samples, &mel_options(options, "audio_mfcc")?, n_mfcc as usize).map_err(js_error)
}
