// The page: wires the controls to the training worker, the charts and the sampler, and keeps
// what it shows in `window.demoState` (read by test/run.mjs).
import { init, loadedVariant } from 'wasm-rnn';
import { lossChart, predictionChart } from './charts.js';
import { loadCharModel, sample } from './sampler.js';
import { startTraining } from './training-client.js';

const $ = (id) => document.getElementById(id);
const state = (window.demoState = { ready: false, running: false, done: false, cell: 'LSTM', variant: undefined, workerVariant: undefined, initialLoss: undefined, losses: [], stepMs: undefined, error: undefined, sample: '' });
const losses = lossChart($('loss-chart'));
const predictions = predictionChart($('prediction-chart'));
let training;

function show(status) {
  $('status').textContent = status;
}
function fail(message) {
  state.error = message;
  show(`error: ${message}`);
}

function stop() {
  training?.stop();
  training = undefined;
  state.running = false;
  $('train').textContent = 'Start training';
}

function start() {
  stop();
  Object.assign(state, { running: true, done: false, losses: [], initialLoss: undefined, stepMs: undefined, error: undefined });
  $('train').textContent = 'Stop';
  show(`starting ${state.cell}`);
  training = startTraining(state.cell, {
    onStart(m) {
      state.workerVariant = m.variant;
      state.initialLoss = m.initialLoss;
      state.epochs = m.epochs;
      losses.reset();
      predictions.reset(m.months, m.actual);
      show(`training ${m.cell} in a worker`);
    },
    onEpoch(m) {
      state.losses.push(m.loss);
      state.stepMs = m.stepMs;
      losses.add(m.epoch + 1, m.loss, m.valLoss);
      predictions.show(m.predicted);
      $('epoch').textContent = `${m.epoch + 1}/${state.epochs}`;
      $('step-time').textContent = `${m.stepMs.toFixed(2)} ms`;
    },
    onDone() {
      state.done = true;
      stop();
      show(`done: ${state.cell}, loss ${state.initialLoss.toFixed(3)} → ${state.losses.at(-1).toFixed(3)}`);
    },
    onError(message) {
      stop();
      fail(message);
    },
  });
}

$('train').addEventListener('click', () => (state.running ? stop() : start()));
for (const radio of document.querySelectorAll('input[name=cell]')) {
  radio.addEventListener('change', () => {
    state.cell = radio.value;
    if (state.running) start(); // a switch mid-training starts over with the new cell
  });
}

try {
  await init();
  // The worker loads its own instance; the page's runs the sampler (both pick the same variant).
  $('variant').textContent = state.variant = loadedVariant();
  $('train').disabled = false;
  show('ready');
  state.ready = true;
  const charModel = await loadCharModel(new URL('/char-model.bin', location.href));
  $('sample').disabled = false;
  $('sample').addEventListener('click', () => {
    const temperature = Number($('temperature').value);
    const started = performance.now();
    state.sample = sample(charModel, $('prompt').value, { temperature: temperature > 0 ? temperature : 0.8 });
    $('sample-output').value = $('prompt').value + state.sample;
    show(`sampled ${state.sample.length} characters in ${(performance.now() - started).toFixed(0)} ms`);
  });
} catch (error) {
  fail(String(error?.message ?? error));
}
