//! `nn.LayerNorm` over the last dimension (width W): y = (x − μ)/√(σ² + ε) · γ + β, with the
//! biased variance. Row statistics are accumulated in f64; forward saves μ and 1/√(σ² + ε).

/// y (N, W); mean, rstd (N) saved for backward.
pub fn layer_norm_forward(y: &mut [f32], mean: &mut [f32], rstd: &mut [f32], x: &[f32], gamma: Option<&[f32]>, beta: Option<&[f32]>, width: usize, eps: f32) {
    for (r, (yr, xr)) in y.chunks_exact_mut(width).zip(x.chunks_exact(width)).enumerate() {
        let mu = xr.iter().map(|&v| v as f64).sum::<f64>() / width as f64;
        let var = xr.iter().map(|&v| (v as f64 - mu).powi(2)).sum::<f64>() / width as f64;
        let rs = 1.0 / (var + eps as f64).sqrt();
        mean[r] = mu as f32;
        rstd[r] = rs as f32;
        for (j, (yv, &xv)) in yr.iter_mut().zip(xr).enumerate() {
            let xhat = ((xv as f64 - mu) * rs) as f32;
            *yv = xhat * gamma.map_or(1.0, |g| g[j]) + beta.map_or(0.0, |b| b[j]);
        }
    }
}

/// dx (N, W) = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)), dx̂ = dy ⊙ γ;
/// dγ = Σ dy ⊙ x̂, dβ = Σ dy (overwritten).
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(dx: &mut [f32], mut d_gamma: Option<&mut [f32]>, mut d_beta: Option<&mut [f32]>, dy: &[f32], x: &[f32], mean: &[f32], rstd: &[f32], gamma: Option<&[f32]>, width: usize) {
    d_gamma.iter_mut().for_each(|g| g.fill(0.0));
    d_beta.iter_mut().for_each(|b| b.fill(0.0));
    for (r, ((dxr, dyr), xr)) in dx.chunks_exact_mut(width).zip(dy.chunks_exact(width)).zip(x.chunks_exact(width)).enumerate() {
        let (mu, rs) = (mean[r] as f64, rstd[r] as f64);
        let (mut sum_d, mut sum_dx) = (0.0f64, 0.0f64);
        for j in 0..width {
            let xhat = (xr[j] as f64 - mu) * rs;
            let d = dyr[j] as f64 * gamma.map_or(1.0, |g| g[j] as f64);
            sum_d += d;
            sum_dx += d * xhat;
            if let Some(dg) = d_gamma.as_deref_mut() {
                dg[j] += (dyr[j] as f64 * xhat) as f32;
            }
            if let Some(db) = d_beta.as_deref_mut() {
                db[j] += dyr[j];
            }
        }
        let (mean_d, mean_dx) = (sum_d / width as f64, sum_dx / width as f64);
        for j in 0..width {
            let xhat = (xr[j] as f64 - mu) * rs;
            let d = dyr[j] as f64 * gamma.map_or(1.0, |g| g[j] as f64);
            dxr[j] = (rs * (d - mean_d - xhat * mean_dx)) as f32;
        }
    }
}
