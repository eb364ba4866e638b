//! The power spectrum of a real frame: an in-place iterative radix-2 FFT (Cooley–Tukey) on
//! complex f64 when n is a power of two, else the direct DFT (n² work; torchaudio's default
//! n_fft is 400). Twiddles are computed once per plan.

use std::f64::consts::PI;

pub struct FftPlan {
    n: usize,
    /// e^{−2πik/n} for k in 0..n (the FFT reads the first half), as (cos, sin).
    twiddles: Vec<(f64, f64)>,
    buf: Vec<(f64, f64)>,
}

impl FftPlan {
    /// A plan for n-point transforms (n ≥ 1).
    pub fn new(n: usize) -> Self {
        let twiddles = (0..n).map(|k| {
            let a = -2.0 * PI * k as f64 / n as f64;
            (a.cos(), a.sin())
        });
        Self { n, twiddles: twiddles.collect(), buf: vec![(0.0, 0.0); n] }
    }

    /// Floats a plan of n points holds (for memory plans).
    pub fn floats(n: usize) -> usize {
        4 * n
    }

    /// power[k] = |DFT(frame)[k]|² for k in 0..=n/2 (the one-sided spectrum of a real frame).
    pub fn power_spectrum(&mut self, frame: &[f64], power: &mut [f64]) {
        if self.n.is_power_of_two() {
            self.fft_power(frame, power);
        } else {
            self.dft_power(frame, power);
        }
    }

    fn dft_power(&self, frame: &[f64], power: &mut [f64]) {
        let n = self.n;
        for (k, p) in power.iter_mut().enumerate().take(n / 2 + 1) {
            let (mut re, mut im) = (0.0, 0.0);
            for (i, &v) in frame.iter().enumerate() {
                let (c, s) = self.twiddles[(k * i) % n];
                re += v * c;
                im += v * s;
            }
            *p = re * re + im * im;
        }
    }

    fn fft_power(&mut self, frame: &[f64], power: &mut [f64]) {
        let n = self.n;
        if n == 1 {
            power[0] = frame[0] * frame[0];
            return;
        }
        let bits = n.trailing_zeros();
        for (i, &v) in frame.iter().enumerate() {
            self.buf[i.reverse_bits() >> (usize::BITS - bits)] = (v, 0.0);
        }
        let mut len = 2;
        while len <= n {
            let stride = n / len;
            for start in (0..n).step_by(len) {
                for k in 0..len / 2 {
                    let (wr, wi) = self.twiddles[k * stride];
                    let (ar, ai) = self.buf[start + k];
                    let (br, bi) = self.buf[start + k + len / 2];
                    let (tr, ti) = (br * wr - bi * wi, br * wi + bi * wr);
                    self.buf[start + k] = (ar + tr, ai + ti);
                    self.buf[start + k + len / 2] = (ar - tr, ai - ti);
                }
            }
            len *= 2;
        }
        for (p, &(re, im)) in power.iter_mut().zip(&self.buf[..n / 2 + 1]) {
            *p = re * re + im * im;
        }
    }
}
