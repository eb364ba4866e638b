// The training loop, off the page's thread: builds the forecaster for the cell the page asks for
// and trains it with fit(), posting the loss, the step time and the held-out predictions after
// every epoch. The page stops training by terminating this worker.
import { init } from 'wasm-rnn';
import { buildModel, predictPpm, prepareData } from './forecaster.js';

const EPOCHS = 60;
const BATCH = 32;

self.onmessage = async ({ data: { cell } }) => {
  try {
    const { variant } = await init();
    const data = prepareData();
    const model = buildModel(cell);
    const stepsPerEpoch = Math.ceil(data.train.y.shape[0] / BATCH);
    self.postMessage({ type: 'start', cell, variant, epochs: EPOCHS, months: data.months, actual: Array.from(data.actual), initialLoss: model.evaluate(data.train.x, data.train.y).loss });
    await model.fit(data.train.x, data.train.y, {
      epochs: EPOCHS,
      batchSize: BATCH,
      validationData: [data.test.x, data.test.y],
      onEpochEnd: (epoch, logs) => {
        const stepMs = (logs.seconds * 1000) / stepsPerEpoch;
        self.postMessage({ type: 'epoch', epoch, loss: logs.loss, valLoss: logs.valLoss, stepMs, predicted: Array.from(predictPpm(model, data)) });
      },
    });
    model.dispose();
    self.postMessage({ type: 'done' });
  } catch (error) {
    self.postMessage({ type: 'error', message: String(error?.message ?? error) });
  }
};
