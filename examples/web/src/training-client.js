// The page's side of the training worker: one worker per run (switching the cell or stopping
// terminates it, which stops training at once), its messages handed to callbacks.
export function startTraining(cell, { onStart, onEpoch, onDone, onError }) {
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data: message }) => {
    if (message.type === 'start') onStart(message);
    else if (message.type === 'epoch') onEpoch(message);
    else if (message.type === 'done') onDone();
    else if (message.type === 'error') onError(message.message);
  };
  worker.onerror = (event) => onError(event.message || 'the training worker failed to load');
  worker.postMessage({ cell });
  return { stop: () => worker.terminate() };
}
