//! Losses with PyTorch's semantics and mean reduction, fused with their gradient: one pass
//! gives the loss (accumulated in f64) and d(loss)/d(prediction).

/// A loss and its options (`nn.MSELoss`, `nn.L1Loss`, `nn.HuberLoss`, `nn.CrossEntropyLoss`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    Mse,
    L1,
    Huber {
        delta: f32,
    },
    CrossEntropy {
        ignore_index: i32,
        label_smoothing: f32,
    },
    /// `nn.CTCLoss` on log_softmax of the logits (see [`super::ctc`]); the model computes it,
    /// as it needs the sequence layout and lengths.
    Ctc {
        blank: i32,
        zero_infinity: bool,
    },
}

/// The targets: values of the prediction's shape, or one class id per row of logits.
pub enum Targets<'a> {
    Values(&'a [f32]),
    Classes(&'a [i32]),
}

/// Mean loss of `pred` (N rows of `width`) against `targets`; writes d(loss)/d(pred) into `d_pred`.
/// Cross-entropy averages over the rows whose target is not `ignore_index` (NaN if none is).
pub fn loss_forward_backward(loss: Loss, pred: &[f32], targets: &Targets, width: usize, d_pred: &mut [f32]) -> f64 {
    match (loss, targets) {
        (Loss::CrossEntropy { ignore_index, label_smoothing }, Targets::Classes(t)) => cross_entropy(pred, t, width, ignore_index, label_smoothing, d_pred),
        (_, Targets::Values(t)) => elementwise(loss, pred, t, d_pred),
        _ => f64::NAN, // target kinds are matched to the loss by the caller
    }
}

fn elementwise(loss: Loss, pred: &[f32], target: &[f32], d_pred: &mut [f32]) -> f64 {
    let n = pred.len() as f64;
    let mut total = 0.0f64;
    for ((d, &p), &t) in d_pred.iter_mut().zip(pred).zip(target) {
        let diff = p as f64 - t as f64;
        let (value, grad) = match loss {
            // d/dp (p − t)² = 2(p − t)
            Loss::Mse => (diff * diff, 2.0 * diff),
            // d/dp |p − t| = sign(p − t), 0 at 0 (as torch.sign)
            Loss::L1 => (
                diff.abs(),
                if diff > 0.0 {
                    1.0
                } else if diff < 0.0 {
                    -1.0
                } else {
                    diff
                },
            ),
            Loss::Huber { delta } => {
                let delta = delta as f64;
                if diff.abs() < delta {
                    (0.5 * diff * diff, diff)
                } else {
                    (delta * (diff.abs() - 0.5 * delta), delta * diff.signum())
                }
            }
            Loss::CrossEntropy { .. } | Loss::Ctc { .. } => (f64::NAN, f64::NAN),
        };
        total += value;
        *d = (grad / n) as f32;
    }
    total / n
}

/// loss_i = (1 − ε)·(−log p_{t_i}) + ε·mean_c(−log p_c); gradient (softmax − (1 − ε)·onehot − ε/C) / count.
fn cross_entropy(logits: &[f32], targets: &[i32], classes: usize, ignore_index: i32, smoothing: f32, d_logits: &mut [f32]) -> f64 {
    let count = targets.iter().filter(|&&t| t != ignore_index).count() as f64;
    let eps = smoothing as f64;
    let mut total = 0.0f64;
    for ((row, d), &target) in logits.chunks_exact(classes).zip(d_logits.chunks_exact_mut(classes)).zip(targets) {
        if target == ignore_index {
            d.fill(0.0);
            continue;
        }
        // NaN-propagating max (f64::max would drop a NaN logit, and a vectorized max reduction
        // would become relaxed_max in the relaxed build).
        let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| if v as f64 > m || v.is_nan() { v as f64 } else { m });
        let sum_exp: f64 = row.iter().map(|&v| (v as f64 - max).exp()).sum();
        let log_z = max + sum_exp.ln();
        let nll = log_z - row[target as usize] as f64;
        let mean_nll = row.iter().map(|&v| log_z - v as f64).sum::<f64>() / classes as f64;
        total += (1.0 - eps) * nll + eps * mean_nll;
        for (c, (dv, &v)) in d.iter_mut().zip(row).enumerate() {
            let p = (v as f64 - log_z).exp();
            let want = if c == target as usize { 1.0 - eps } else { 0.0 } + eps / classes as f64;
            *dv = ((p - want) / count) as f32;
        }
    }
    total / count
}
