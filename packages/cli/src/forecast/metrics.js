/** Forecast error measures over paired arrays of actual and predicted values. */

/** Root mean squared error. */
export function rmse(actual, predicted) {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (actual[i] - predicted[i]) ** 2;
  return Math.sqrt(s / actual.length);
}

/** Mean absolute error. */
export function mae(actual, predicted) {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - predicted[i]);
  return s / actual.length;
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006): the MAE divided by the in-sample MAE of
 * the one-step naive forecast on the training series, so 1 means "as good as the random walk
 * was on the training data".
 */
export function mase(actual, predicted, trainSeries) {
  let s = 0;
  for (let i = 1; i < trainSeries.length; i++) s += Math.abs(trainSeries[i] - trainSeries[i - 1]);
  return mae(actual, predicted) / (s / (trainSeries.length - 1));
}

/** Fraction of steps where the predicted change from `previous` has the sign of the actual change (a zero prediction counts as "up"). */
export function directionalAccuracy(previous, actual, predicted) {
  let hits = 0;
  for (let i = 0; i < actual.length; i++) {
    const up = actual[i] > previous[i];
    const predictedUp = predicted[i] >= previous[i];
    if (up === predictedUp) hits++;
  }
  return hits / actual.length;
}
