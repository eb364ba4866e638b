/**
 * One call of `model.fit` with the conventions of every command: a progress display, the
 * `--max-minutes` deadline checked after each batch, early stopping that keeps the best weights.
 */
export async function train(model, x, y, { progress, budget, label, share = 1, epochs, batchSize, samples, maxSteps, afterBatch, ...fitOptions }) {
  const deadline = budget.deadlineFor(share);
  const valCount = fitOptions.validationData ? 0 : Math.floor(samples * (fitOptions.validationSplit ?? 0) + 1e-9);
  const batches = Math.ceil((samples - valCount) / batchSize);
  const display = progress.training(label, { epochs, batches, maxSteps, shouldStop: () => performance.now() > deadline, deadline });
  const started = performance.now();
  let history;
  try {
    // afterBatch (optional) returning false also ends training, as the deadline does.
    const onBatchEnd = (step, logs) => display.onBatchEnd(step, logs) && (afterBatch === undefined || afterBatch(logs) !== false);
    history = await model.fit(x, y, { epochs, batchSize, ...fitOptions, onBatchEnd, onEpochEnd: display.onEpochEnd });
  } finally {
    display.done();
  }
  const seconds = (performance.now() - started) / 1000;
  const stopped = history.stopped === 'callback' ? (performance.now() > deadline ? 'time budget spent' : 'step count reached') : history.stopped === 'earlyStopping' ? 'early stopping' : 'all epochs';
  const best = history.bestEpoch >= 0 && history.epoch.length > 0 ? `, best epoch ${history.bestEpoch + 1}` : '';
  progress.log(`${label}: ${display.steps()} steps, ${history.epoch.length} full epochs in ${seconds.toFixed(1)} s (${stopped})${best}`);
  return { history, seconds };
}
