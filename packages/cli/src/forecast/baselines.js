/**
 * The forecasts a neural model must beat, computed in plain JavaScript because they are part of
 * the demonstration, not of the library: the random walk, a moving average, the seasonal naive
 * forecast (with and without drift) and a linear autoregressive model with a trend, fit by
 * ordinary least squares.
 */

/** Random walk: tomorrow equals today. */
export function randomWalk(series, origin) {
  return series[origin];
}

/** Mean of the `window` values ending at `origin`. */
export function movingAverage(series, origin, window) {
  let s = 0;
  for (let i = origin - window + 1; i <= origin; i++) s += series[i];
  return s / window;
}

/**
 * Seasonal naive, `h` ≤ `period` steps ahead of `origin`: the value one period before the
 * target, plus (with drift) the last observed change over one period.
 */
export function seasonalNaive(series, origin, h, period, drift) {
  const base = series[origin + h - period];
  return drift ? base + (series[origin] - series[origin - period]) : base;
}

/**
 * Solves the least-squares problem min ‖A·β − b‖ through the normal equations AᵀA·β = Aᵀb with
 * Cholesky (float64; the columns are scaled to unit RMS first so a trend column and lagged
 * values of different magnitude stay well conditioned). `rows` is an array of Float64Array.
 */
export function leastSquares(rows, b) {
  const p = rows[0].length;
  const scale = new Float64Array(p);
  for (const r of rows) for (let j = 0; j < p; j++) scale[j] += r[j] * r[j];
  for (let j = 0; j < p; j++) scale[j] = Math.sqrt(scale[j] / rows.length) || 1;
  const ata = new Float64Array(p * p);
  const atb = new Float64Array(p);
  rows.forEach((r, i) => {
    for (let j = 0; j < p; j++) {
      const rj = r[j] / scale[j];
      atb[j] += rj * b[i];
      for (let k = 0; k <= j; k++) ata[j * p + k] += rj * (r[k] / scale[k]);
    }
  });
  // Cholesky: AᵀA = L·Lᵀ (lower triangle), a tiny ridge keeps it positive definite.
  const L = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k <= j; k++) {
      let s = ata[j * p + k] + (j === k ? 1e-10 * rows.length : 0);
      for (let m = 0; m < k; m++) s -= L[j * p + m] * L[k * p + m];
      L[j * p + k] = j === k ? Math.sqrt(s) : s / L[k * p + k];
    }
  }
  const z = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = atb[j];
    for (let m = 0; m < j; m++) s -= L[j * p + m] * z[m];
    z[j] = s / L[j * p + j];
  }
  const beta = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    let s = z[j];
    for (let m = j + 1; m < p; m++) s -= L[m * p + j] * beta[m];
    beta[j] = s / L[j * p + j];
  }
  for (let j = 0; j < p; j++) beta[j] /= scale[j];
  return beta;
}

/**
 * Linear AR(order) with a linear trend, y_t = c + d·t + Σ a_i·y_{t−i}, fit by least squares on
 * series[0..end). `forecast(series, origin, h)` iterates the one-step model h times from the
 * values observed up to `origin`, feeding back its own forecasts.
 */
export function fitLinearAR(series, end, order) {
  const rows = [];
  const b = [];
  for (let t = order; t < end; t++) {
    const r = new Float64Array(order + 2);
    r[0] = 1;
    r[1] = t;
    for (let i = 1; i <= order; i++) r[i + 1] = series[t - i];
    rows.push(r);
    b.push(series[t]);
  }
  const beta = leastSquares(rows, b);
  return {
    order,
    forecast(values, origin, h) {
      const path = [];
      const at = (t) => (t <= origin ? values[t] : path[t - origin - 1]);
      for (let step = 1; step <= h; step++) {
        const t = origin + step;
        let y = beta[0] + beta[1] * t;
        for (let i = 1; i <= order; i++) y += beta[i + 1] * at(t - i);
        path.push(y);
      }
      return path;
    },
  };
}
