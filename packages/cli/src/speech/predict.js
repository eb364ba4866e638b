/**
 * Transcribing with the connected-digit CTC model: a batch of utterances → digit strings, and
 * `speech predict --model FILE A.wav …`, which reads the model's feature settings from the
 * JSON written next to it (`model.speech.json`: the model file's metadata holds only the
 * library's own preprocessing objects, not free-form settings).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { init } from 'wasm-rnn';
import { CliError, fileError } from '../common/errors.js';
import { readText } from '../common/files.js';
import { loadModelFile } from '../common/model-file.js';
import { inOrder, padBatch } from './batches.js';
import { beamSearch, greedy, perUtterance } from './decode.js';
import { features, readWav, stackFrames } from './front-end.js';

/** Where the settings of `modelFile` live: `<name>.speech.json` beside it. */
export function settingsPath(modelFile) {
  return join(dirname(modelFile), `${basename(modelFile).replace(/\.safetensors$/, '')}.speech.json`);
}

/** Digit sequences heard in each utterance (`frames`: normalized log-mel, T × nMels). */
export function transcribe(model, frames, { nMels, stack, beam = 0, batchSize = 32 }) {
  const F = nMels * stack;
  const stacked = frames.map((f) => stackFrames(f, nMels, stack));
  const order = stacked.map((f, i) => [f.length, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const out = new Array(frames.length);
  for (const batch of inOrder(order.length, batchSize)) {
    const ids = batch.map((k) => order[k]);
    const { x, lengths } = padBatch(ids.map((i) => stacked[i]), F);
    const logits = model.predict(x, { lengths });
    const [T, B, C] = logits.shape;
    perUtterance(logits.data, T, B, C, lengths.data).forEach((rows, b) => {
      const steps = lengths.data[b];
      out[ids[b]] = beam > 1 ? beamSearch(rows, steps, C, beam) : greedy(rows, steps, C);
    });
  }
  return out;
}

export async function predictFiles(files, opts) {
  await init();
  const side = settingsPath(opts.model);
  if (!existsSync(side)) throw fileError(opts.model, `no ${basename(side)} beside it (the feature settings written by \`speech\`)`);
  let settings;
  try {
    settings = JSON.parse(readText(side));
  } catch (e) {
    throw e instanceof CliError ? e : fileError(side, 'is not valid JSON');
  }
  if (settings?.kind !== 'ctc' || typeof settings.features?.nMels !== 'number' || !Number.isInteger(settings.stack)) throw fileError(side, 'not the settings of a connected-digit model written by `speech`');
  // Every file is read and checked before the model is loaded: a bad file fails fast, by name.
  const frames = files.map((f) => features(readWav(f, settings.features.sampleRate), { settings: settings.features }));
  const model = await loadModelFile(opts.model);
  try {
    const heard = transcribe(model, frames, { nMels: settings.features.nMels, stack: settings.stack, beam: opts.beam });
    for (let i = 0; i < files.length; i++) process.stdout.write(`${files[i]} ${heard[i].join('')}\n`);
  } finally {
    model.dispose();
  }
}
