//! Connectionist temporal classification (Graves et al. 2006), PyTorch's `nn.CTCLoss` applied
//! to `log_softmax(logits)`, mean reduction (each sequence's loss divided by its target length,
//! then the mean over the batch), with the gradient with respect to the logits.
//!
//! With l' the target with blanks around and between its labels (length S' = 2L + 1) and
//! y_t = softmax(logits_t), in log space:
//!
//! ```text
//! α_0(0) = log y_0(blank),  α_0(1) = log y_0(l'_1)
//! α_t(s) = log y_t(l'_s) + lse(α_{t−1}(s), α_{t−1}(s−1), [α_{t−1}(s−2) if l'_s ≠ blank, l'_s ≠ l'_{s−2}])
//! β mirrors α from the last step;  loss = −lse(α_{T−1}(S'−1), α_{T−1}(S'−2))
//! ∂loss/∂log y_t(c) = −exp(lse_{s: l'_s = c}(α_t(s) + β_t(s)) − log y_t(c) + loss)
//! ∂loss/∂logit_t(k) = g_t(k) − y_t(k) Σ_c g_t(c)        (through log_softmax)
//! ```

/// Targets: `labels` (B, S) row-major, a row ending at its first negative entry (padding).
pub struct CtcTargets<'a> {
    pub labels: &'a [i32],
    pub max_len: usize,
}

impl CtcTargets<'_> {
    /// Sequence b's labels (up to its first negative entry).
    pub fn row(&self, b: usize) -> &[i32] {
        let row = &self.labels[b * self.max_len..][..self.max_len];
        &row[..row.iter().position(|&l| l < 0).unwrap_or(self.max_len)]
    }
}

fn log_sum_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = if a > b { a } else { b };
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// The blank-extended target l'.
fn extended(labels: &[i32], blank: i32) -> Vec<i32> {
    let mut ext = Vec::with_capacity(2 * labels.len() + 1);
    ext.push(blank);
    for &l in labels {
        ext.push(l);
        ext.push(blank);
    }
    ext
}

/// Whether s may be reached from s − 2 (skipping a blank between two different labels).
fn can_skip(ext: &[i32], s: usize, blank: i32) -> bool {
    s >= 2 && ext[s] != blank && ext[s] != ext[s - 2]
}

/// Mean CTC loss of `logits` (T, B, C) time-major; `input_lengths` (each ≤ T; None: all T).
/// Writes ∂loss/∂logits into `d_logits` (zero at steps past a sequence's length). A sequence
/// that no alignment fits has an infinite loss; with `zero_infinity` it counts 0 with a zero
/// gradient (PyTorch's option).
#[allow(clippy::too_many_arguments)]
pub fn ctc_loss(logits: &[f32], seq: usize, batch: usize, classes: usize, input_lengths: Option<&[usize]>, targets: &CtcTargets, blank: i32, zero_infinity: bool, d_logits: &mut [f32]) -> f64 {
    d_logits.fill(0.0);
    let mut total = 0.0f64;
    let mut log_probs = vec![0.0f64; seq * classes];
    for b in 0..batch {
        let steps = input_lengths.map_or(seq, |l| l[b]);
        let labels = targets.row(b);
        // log_softmax of this sequence's rows.
        for t in 0..steps {
            let row = &logits[(t * batch + b) * classes..][..classes];
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| if v as f64 > m || v.is_nan() { v as f64 } else { m });
            let log_z = max + row.iter().map(|&v| (v as f64 - max).exp()).sum::<f64>().ln();
            for (lp, &v) in log_probs[t * classes..][..classes].iter_mut().zip(row) {
                *lp = v as f64 - log_z;
            }
        }
        let ext = extended(labels, blank);
        let width = ext.len();
        let lp = |t: usize, s: usize| log_probs[t * classes + ext[s] as usize];
        let mut alpha = vec![f64::NEG_INFINITY; steps * width];
        let mut beta = vec![f64::NEG_INFINITY; steps * width];
        alpha[0] = lp(0, 0);
        if width > 1 {
            alpha[1] = lp(0, 1);
        }
        for t in 1..steps {
            for s in 0..width {
                let prev = &alpha[(t - 1) * width..][..width];
                let mut a = prev[s];
                if s >= 1 {
                    a = log_sum_exp(a, prev[s - 1]);
                }
                if can_skip(&ext, s, blank) {
                    a = log_sum_exp(a, prev[s - 2]);
                }
                alpha[t * width + s] = a + lp(t, s);
            }
        }
        let last = steps - 1;
        beta[last * width + width - 1] = lp(last, width - 1);
        if width > 1 {
            beta[last * width + width - 2] = lp(last, width - 2);
        }
        for t in (0..last).rev() {
            for s in 0..width {
                let next = &beta[(t + 1) * width..][..width];
                let mut v = next[s];
                if s + 1 < width {
                    v = log_sum_exp(v, next[s + 1]);
                }
                if s + 2 < width && can_skip(&ext, s + 2, blank) {
                    v = log_sum_exp(v, next[s + 2]);
                }
                beta[t * width + s] = v + lp(t, s);
            }
        }
        let end = &alpha[last * width..][..width];
        let log_p = if width > 1 { log_sum_exp(end[width - 1], end[width - 2]) } else { end[0] };
        let loss = -log_p;
        let scale = 1.0 / (labels.len().max(1) as f64 * batch as f64);
        if loss == f64::INFINITY && zero_infinity {
            continue; // a zero loss and a zero gradient
        }
        total += loss * scale;
        // ∂loss/∂log y_t(c), then through log_softmax, scaled for the mean.
        let mut g = vec![0.0f64; classes];
        for t in 0..steps {
            let mut lse = vec![f64::NEG_INFINITY; classes];
            for s in 0..width {
                let c = ext[s] as usize;
                lse[c] = log_sum_exp(lse[c], alpha[t * width + s] + beta[t * width + s]);
            }
            let lps = &log_probs[t * classes..][..classes];
            for c in 0..classes {
                g[c] = -(lse[c] - lps[c] + loss).exp();
            }
            let sum: f64 = g.iter().sum();
            let d = &mut d_logits[(t * batch + b) * classes..][..classes];
            for c in 0..classes {
                d[c] = ((g[c] - lps[c].exp() * sum) * scale) as f32;
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// −log of the sum over every alignment (enumerated) of Π y: the definition, for tiny sizes.
    fn brute_force(log_probs: &[f64], steps: usize, classes: usize, labels: &[i32], blank: i32) -> f64 {
        let mut total = 0.0f64;
        let count = classes.pow(steps as u32);
        for code in 0..count {
            let path: Vec<i32> = (0..steps).map(|t| ((code / classes.pow(t as u32)) % classes) as i32).collect();
            let mut collapsed: Vec<i32> = Vec::new();
            for (t, &c) in path.iter().enumerate() {
                if c != blank && (t == 0 || path[t - 1] != c) {
                    collapsed.push(c);
                }
            }
            if collapsed == labels {
                total += path.iter().enumerate().map(|(t, &c)| log_probs[t * classes + c as usize]).sum::<f64>().exp();
            }
        }
        -total.ln()
    }

    #[test]
    fn matches_the_sum_over_alignments_and_central_differences() {
        let (seq, batch, classes) = (5, 3, 4);
        let mut rng = Rng::new(3);
        let logits: Vec<f32> = (0..seq * batch * classes).map(|_| rng.uniform(-2.0, 2.0)).collect();
        // Rows: a repeated label (needs a blank between), a short one, an empty target.
        let labels = [1, 1, 2, 3, 2, -1, -1, -1, -1, -1, -1, -1];
        let targets = CtcTargets { labels: &labels, max_len: 4 };
        let lengths = [5, 4, 3];
        let mut d = vec![0.0f32; logits.len()];
        let loss = ctc_loss(&logits, seq, batch, classes, Some(&lengths), &targets, 0, false, &mut d);
        let mut want = 0.0;
        for b in 0..batch {
            let mut lp = Vec::new();
            for t in 0..lengths[b] {
                let row: Vec<f64> = logits[(t * batch + b) * classes..][..classes].iter().map(|&v| v as f64).collect();
                let z = row.iter().map(|v| v.exp()).sum::<f64>().ln();
                lp.extend(row.iter().map(|v| v - z));
            }
            let row = targets.row(b);
            want += brute_force(&lp, lengths[b], classes, row, 0) / row.len().max(1) as f64 / batch as f64;
        }
        assert!((loss - want).abs() < 1e-9, "loss {loss} vs brute force {want}");
        // Central differences in float64 of the f32 inputs (h small against their spread).
        let h = 1e-3f32;
        for i in 0..logits.len() {
            let mut plus = logits.clone();
            plus[i] += h;
            let mut minus = logits.clone();
            minus[i] -= h;
            let mut scratch = vec![0.0f32; logits.len()];
            let numeric = (ctc_loss(&plus, seq, batch, classes, Some(&lengths), &targets, 0, false, &mut scratch) - ctc_loss(&minus, seq, batch, classes, Some(&lengths), &targets, 0, false, &mut scratch))
                / (plus[i] as f64 - minus[i] as f64);
            assert!((numeric - d[i] as f64).abs() < 2e-4, "logit {i}: analytic {} numeric {numeric}", d[i]);
        }
    }

    #[test]
    fn an_impossible_alignment_is_infinite_or_zeroed() {
        // Two equal labels need three steps (a blank between); two steps cannot fit them.
        let logits = vec![0.0f32; 2 * 3];
        let labels = [1, 1];
        let targets = CtcTargets { labels: &labels, max_len: 2 };
        let mut d = vec![0.0f32; 6];
        assert_eq!(ctc_loss(&logits, 2, 1, 3, None, &targets, 0, false, &mut d), f64::INFINITY);
        assert_eq!(ctc_loss(&logits, 2, 1, 3, None, &targets, 0, true, &mut d), 0.0);
        assert!(d.iter().all(|&v| v == 0.0));
    }
}
