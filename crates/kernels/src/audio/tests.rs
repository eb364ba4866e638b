//! The FFT against the direct DFT, resampling against the signal it must preserve, the mel
//! filterbank's shape and the DCT's orthonormality. (Parity with torchaudio's outputs is in test/audio.test.ts.)

use super::fft::FftPlan;
use super::mel::{log_mel_spectrogram, mel_filterbank, MelOptions};
use super::mfcc::{dct_matrix, mfcc};
use super::resample::resample;
use std::f64::consts::PI;

#[test]
fn fft_power_equals_the_direct_dft() {
    for n in [2usize, 8, 64, 512] {
        let frame: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.0 + (i as f64 * 0.37).sin()).collect();
        let (mut fast, mut direct) = (vec![0.0; n / 2 + 1], vec![0.0; n / 2 + 1]);
        FftPlan::new(n).power_spectrum(&frame, &mut fast);
        for (k, d) in direct.iter_mut().enumerate() {
            let (re, im) = frame.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, &v)| {
                let a = -2.0 * PI * (k * i) as f64 / n as f64;
                (re + v * a.cos(), im + v * a.sin())
            });
            *d = re * re + im * im;
        }
        for (a, b) in fast.iter().zip(&direct) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "n={n}: {a} vs {b}");
        }
    }
}

#[test]
fn resampling_keeps_a_tone_below_both_nyquists() {
    // 440 Hz at 8 kHz → 16 kHz and → 11025 Hz: away from the edges the output is the same tone.
    let x: Vec<f32> = (0..8000).map(|i| (2.0 * PI * 440.0 * i as f64 / 8000.0).sin() as f32).collect();
    for to in [16000u64, 11025, 6000] {
        let y = resample(&x, 8000, to).unwrap();
        assert_eq!(y.len() as u64, (to * 8000).div_ceil(8000));
        for (i, &v) in y.iter().enumerate().skip(200).take(y.len() - 400) {
            let want = (2.0 * PI * 440.0 * i as f64 / to as f64).sin();
            assert!((v as f64 - want).abs() < 2e-3, "→{to} Hz, sample {i}: {v} vs {want}");
        }
    }
    assert_eq!(resample(&x, 8000, 8000).unwrap(), x);
    assert!(resample(&x, 0, 8000).is_err());
}

#[test]
fn mel_bands_are_triangles_and_a_tone_lights_its_band() {
    let o = MelOptions { sample_rate: 8000.0, n_fft: 256, win_length: 200, hop: 80, n_mels: 40, f_min: 0.0, f_max: 4000.0, log_offset: 1e-6, top_db: f64::INFINITY };
    let fb = mel_filterbank(&o);
    for m in 0..o.n_mels {
        let peak = (0..129).map(|i| fb[i * o.n_mels + m]).fold(0.0, f64::max);
        assert!(peak > 0.3 && peak <= 1.0, "band {m} peaks at {peak}");
    }
    let x: Vec<f32> = (0..4000).map(|i| (2.0 * PI * 1000.0 * i as f64 / 8000.0).sin() as f32).collect();
    let out = log_mel_spectrogram(&x, &o).unwrap();
    assert_eq!(out.len(), o.frames(x.len()) * o.n_mels);
    let mid = &out[(o.frames(x.len()) / 2) * o.n_mels..][..o.n_mels];
    let best = mid.iter().enumerate().fold((0, f32::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b }).0;
    let centre = |m: usize| {
        let (m0, m1) = (0.0, 2595.0 * (1.0f64 + 4000.0 / 700.0).log10());
        700.0 * (10f64.powf((m0 + (m1 - m0) * (m + 1) as f64 / 41.0) / 2595.0) - 1.0)
    };
    assert!((centre(best) - 1000.0).abs() < 120.0, "1 kHz tone peaks in band {best} centred at {}", centre(best));
    assert!(log_mel_spectrogram(&x[..100], &o).is_err());
}

#[test]
fn the_dct_is_orthonormal_and_mfccs_refuse_more_coefficients_than_bands() {
    for n in [1usize, 13, 40] {
        let d = dct_matrix(n, n);
        for (i, a) in d.chunks_exact(n).enumerate() {
            for (j, b) in d.chunks_exact(n).enumerate() {
                let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12, "n={n}: rows {i}, {j}: {dot}");
            }
        }
    }
    let o = MelOptions { sample_rate: 8000.0, n_fft: 256, win_length: 200, hop: 80, n_mels: 40, f_min: 0.0, f_max: 4000.0, log_offset: 1e-6, top_db: f64::INFINITY };
    let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.1).sin()).collect();
    assert_eq!(mfcc(&x, &o, 13).unwrap().len(), o.frames(x.len()) * 13);
    assert!(mfcc(&x, &o, 0).is_err() && mfcc(&x, &o, 41).is_err());
}
