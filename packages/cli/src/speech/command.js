/**
 * `wasm-rnn speech`: spoken digits on the Free Spoken Digit Dataset. A bidirectional GRU
 * classifier (official split, and leave-one-speaker-out), then connected digits: utterances of
 * 2–6 recordings, a bidirectional GRU trained with the CTC loss, greedy and beam decoding, the
 * digit error rate on utterances built from held-out recordings. `speech predict --model FILE
 * A.wav …` transcribes any WAV files with the saved CTC model.
 */
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { WorkerPool } from 'wasm-rnn';
import { CliError } from '../common/errors.js';
import { writeOutput } from '../common/files.js';
import { saveModelFile } from '../common/model-file.js';
import { mulberry32 } from '../common/random.js';
import { action, withCommonOptions } from '../common/run.js';
import { AUGMENTATIONS, specMask } from './augment.js';
import { classifierModel, classify, score } from './classifier.js';
import { BLANK, buildUtterances, ctcModel } from './connected.js';
import { defaultDataDir, listRecordings, officialSplit, quickSubset, speakersOf } from './dataset.js';
import { editDistance } from './decode.js';
import { FeatureCache } from './features-cache.js';
import { FEATURES, stackFrames } from './front-end.js';
import { writeConfusion, writeSpeakerAccuracy } from './plots.js';
import { predictFiles, transcribe } from './predict.js';
import { padBatch } from './batches.js';
import { trainLoop } from './trainer.js';

/** Frames stacked per recurrent step of the CTC model: 40 ms (long inputs; a digit still spans about 10 steps). */
const CTC_STACK = 4;
const PARTS = ['official', 'held-out', 'ctc'];

const int = (name, min = 1) => (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
};
const positive = (name) => (v) => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new CliError(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
};
const fraction = (name) => (v) => {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new CliError(`${name} must be in [0, 1), got ${JSON.stringify(v)}`);
  return n;
};
const decibels = (name) => (v) => (v === 'none' ? Infinity : positive(name)(v));
const list = (name, allowed, none) => (v) => {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (none && items.length === 1 && items[0] === 'none') return [];
  const bad = items.find((s) => !allowed.includes(s));
  if (bad !== undefined || items.length === 0) throw new CliError(`${name}: ${JSON.stringify(bad ?? v)} is not one of ${allowed.join(', ')}${none ? ' (or none)' : ''}`);
  return items;
};

export function speechCommand() {
  const command = withCommonOptions(new Command('speech'), { out: 'runs/speech' })
    .enablePositionalOptions()
    .description('spoken digits (Free Spoken Digit Dataset): a bidirectional GRU classifier (official split and leave-one-speaker-out), connected digits with a CTC loss; `speech predict` transcribes WAV files')
    .addOption(new Option('--data <dir>', 'the Free Spoken Digit Dataset (its folder or its recordings/)').default(defaultDataDir()))
    .addOption(new Option('--parts <list>', `what to run: ${PARTS.join(',')}`).default(PARTS, PARTS.join(',')).argParser(list('--parts', PARTS, false)))
    .addOption(new Option('--augment <list>', `augmentation: ${AUGMENTATIONS.join(',')} or none`).default(AUGMENTATIONS, AUGMENTATIONS.join(',')).argParser(list('--augment', AUGMENTATIONS, true)))
    .addOption(new Option('--normalize <how>', 'classifier features: the whole utterance to mean 0, variance 1 (utterance: the level goes, the spectral shape stays), or each band on its own (bands)').choices(['utterance', 'bands']).default('utterance'))
    .addOption(new Option('--top-db <dB>', 'classifier features: floor the log-mel this many decibels below its loudest value, so each recording\'s own noise floor is not a feature (none: no floor)').default(35, '35').argParser(decibels('--top-db')))
    .option('--speakers <list>', 'held-out part: only these speakers (comma-separated; default all)')
    .addOption(new Option('--variants <n>', 'augmented copies (speed/noise) computed per recording').default(2).argParser(int('--variants', 0)))
    .addOption(new Option('--hidden <n>', 'classifier GRU size per direction').default(128).argParser(int('--hidden')))
    .addOption(new Option('--stack <n>', 'classifier: 10 ms frames stacked per recurrent step').default(2).argParser(int('--stack')))
    .addOption(new Option('--dropout <p>', 'classifier: dropout after each recurrent layer').default(0).argParser(fraction('--dropout')))
    .addOption(new Option('--ensemble <n>', 'classifier: train this many models (seeds --seed, --seed + 1, …) and average their probabilities').default(1).argParser(int('--ensemble')))
    .addOption(new Option('--epochs <n>', 'classifier epochs (official split)').default(30).argParser(int('--epochs')))
    .addOption(new Option('--held-out-epochs <n>', 'classifier epochs per held-out speaker').default(20).argParser(int('--held-out-epochs')))
    .addOption(new Option('--batch <n>', 'utterances per step').default(32).argParser(int('--batch')))
    .addOption(new Option('--lr <x>', 'peak learning rate (Adam, cosine decay)').default(3e-3).argParser(positive('--lr')))
    .addOption(new Option('--ctc-hidden <n>', 'CTC model GRU size per direction (2 layers)').default(96).argParser(int('--ctc-hidden')))
    .addOption(new Option('--ctc-epochs <n>', 'CTC training epochs').default(12).argParser(int('--ctc-epochs')))
    .addOption(new Option('--ctc-train <n>', 'connected-digit training utterances').default(3000).argParser(int('--ctc-train')))
    .addOption(new Option('--ctc-test <n>', 'connected-digit test utterances (from the official test recordings)').default(500).argParser(int('--ctc-test')))
    .addOption(new Option('--beam <n>', 'beam width of the CTC beam search').default(8).argParser(int('--beam')))
    .addOption(new Option('--workers <n>', 'train data-parallel on this many workers (1: this thread only)').default(1).argParser(int('--workers')))
    .action(action(runSpeech));
  command.addCommand(
    new Command('predict')
      .description('print the digits heard in each WAV file (any sample rate, mono or stereo), with a model saved by `speech`')
      .requiredOption('--model <file>', 'model.safetensors written by `speech` (model.speech.json beside it)')
      .addOption(new Option('--beam <n>', 'beam width (1: greedy)').default(1).argParser(int('--beam')))
      .argument('<wav...>', 'WAV files')
      .action((files, opts) => predictFiles(files, opts)),
  );
  return command;
}

async function runSpeech(opts, ctx) {
  const { progress, budget, out, seed, quick } = ctx;
  const random = mulberry32(seed);
  let recordings = listRecordings(opts.data);
  if (quick) recordings = quickSubset(recordings);
  const on = new Set(opts.augment);
  const parts = new Set(opts.parts);
  const cache = new FeatureCache(recordings, { on, variants: quick ? 1 : opts.variants, random, progress, classifier: parts.has('official') || parts.has('held-out'), normalize: opts.normalize, topDb: opts.topDb });
  const digits = recordings.map((r) => r.digit);
  const all = recordings.map((_, i) => i);
  const speakers = speakersOf(recordings);
  const settings = {
    hidden: quick ? 16 : opts.hidden, stack: opts.stack, normalize: opts.normalize, topDb: Number.isFinite(opts.topDb) ? opts.topDb : null, ensemble: opts.ensemble, dropout: opts.dropout, epochs: quick ? 1 : opts.epochs, heldOutEpochs: quick ? 1 : opts.heldOutEpochs, batch: opts.batch, lr: opts.lr,
    ctcHidden: quick ? 16 : opts.ctcHidden, ctcEpochs: quick ? 1 : opts.ctcEpochs, ctcTrain: quick ? 48 : opts.ctcTrain, ctcTest: quick ? 16 : opts.ctcTest, beam: opts.beam,
  };
  const chosen = opts.speakers?.split(',').map((v) => v.trim()) ?? speakers;
  const unknown = chosen.find((v) => !speakers.includes(v));
  if (unknown !== undefined) throw new CliError(`--speakers: no recordings of ${JSON.stringify(unknown)} (speakers: ${speakers.join(', ')})`);
  const heldOutSpeakers = quick ? chosen.slice(0, 2) : chosen;
  // Time shares of the --max-minutes budget, by each stage's expected cost.
  const members = (w) => new Array(settings.ensemble).fill(w / settings.ensemble);
  const weights = [...(parts.has('official') ? members(1) : []), ...(parts.has('held-out') ? heldOutSpeakers.flatMap(() => members(0.6)) : []), ...(parts.has('ctc') ? [3] : [])];
  const share = () => {
    const total = weights.reduce((a, b) => a + b, 0);
    return weights.shift() / total;
  };
  const pool = opts.workers > 1 && !quick ? await WorkerPool.create({ workers: opts.workers }) : undefined;
  progress.log(`speech: ${recordings.length} recordings of ${speakers.length} speakers from ${opts.data}; augmentation: ${[...on].join(', ') || 'none'}; ${pool ? `${opts.workers} workers` : 'one thread'}`);

  const stack = opts.stack;
  const F = FEATURES.nMels * stack;
  /** The ensemble's models (seeds seed, seed + 1, …), each trained on `ids`; its training time and steps summed. */
  const trainClassifier = async (ids, label, epochs) => {
    const models = [];
    const run = { seconds: 0, epochs: 0, steps: 0 };
    const draw = (rnd) => ({ frames: ids.map((i) => cache.draw(i, stack, rnd)), targets: ids.map((i) => digits[i]), S: 0 });
    try {
      for (let m = 0; m < settings.ensemble; m++) {
        const model = classifierModel({ F, hidden: settings.hidden, seed: seed + m, lr: settings.lr, dropout: settings.dropout });
        models.push(model);
        const name = settings.ensemble > 1 ? `${label} ${m + 1}/${settings.ensemble}` : label;
        const r = await trainLoop(model, { F, draw, epochs, batchSize: settings.batch, lr: settings.lr, random, pool, progress, budget, share: share(), label: name });
        run.seconds += r.seconds;
        run.epochs = Math.max(run.epochs, r.epochs);
        run.steps += r.steps;
      }
    } catch (e) {
      for (const model of models) model.dispose();
      throw e;
    }
    return { models, run };
  };
  const test = (models, ids) => score(classify(models, ids.map((i) => cache.clean(i, stack)), F), ids.map((i) => digits[i]));

  const summary = { accuracy: { official: null, speakerHeldOut: null, perSpeaker: {} }, ctc: { digitErrorRate: null, digitErrorRateBeam: null }, data: opts.data, recordings: recordings.length, augment: [...on], settings, timing: {} };
  const official = officialSplit(recordings.map((r, i) => ({ ...r, i })));
  try {
    if (parts.has('official')) {
      const trainIds = official.train.map((r) => r.i);
      const testIds = official.test.map((r) => r.i);
      const { models, run } = await trainClassifier(trainIds, 'official', settings.epochs);
      const result = test(models, testIds);
      summary.accuracy.official = result.accuracy;
      summary.misclassified = { official: misclassified(result.predicted, testIds, recordings) };
      summary.timing.official = { seconds: round(run.seconds), epochs: run.epochs, steps: run.steps };
      progress.log(`official split: accuracy ${(100 * result.accuracy).toFixed(2)}% on ${testIds.length} test recordings`);
      await writeConfusion(out, 'speech-confusion-official', `Official split: ${(100 * result.accuracy).toFixed(1)}% of ${testIds.length} test recordings`, result.confusion);
      // The ensemble's models: classifier.safetensors, then classifier-2.safetensors, ….
      const sample = padBatch([cache.clean(testIds[0], stack)], F).x;
      models.forEach((model, m) => saveModelFile(out, m === 0 ? 'classifier' : `classifier-${m + 1}`, model, sample));
      for (const model of models) model.dispose();
    }
    if (parts.has('held-out')) {
      const pooled = Array.from({ length: 10 }, () => new Array(10).fill(0));
      let seconds = 0;
      for (const speaker of heldOutSpeakers) {
        const trainIds = all.filter((i) => recordings[i].speaker !== speaker);
        const testIds = all.filter((i) => recordings[i].speaker === speaker);
        const { models, run } = await trainClassifier(trainIds, `held out ${speaker}`, settings.heldOutEpochs);
        const result = test(models, testIds);
        for (const model of models) model.dispose();
        seconds += run.seconds;
        summary.accuracy.perSpeaker[speaker] = result.accuracy;
        result.confusion.forEach((row, t) => row.forEach((n, p) => (pooled[t][p] += n)));
        progress.log(`held-out speaker ${speaker}: accuracy ${(100 * result.accuracy).toFixed(2)}% on ${testIds.length} recordings`);
      }
      const accs = Object.values(summary.accuracy.perSpeaker);
      summary.accuracy.speakerHeldOut = accs.reduce((a, b) => a + b, 0) / accs.length;
      summary.timing.heldOut = { seconds: round(seconds) };
      progress.log(`speaker held out: mean accuracy ${(100 * summary.accuracy.speakerHeldOut).toFixed(2)}% over ${accs.length} speakers`);
      await writeConfusion(out, 'speech-confusion-held-out', `Leave one speaker out: ${(100 * summary.accuracy.speakerHeldOut).toFixed(1)}% (mean of ${accs.length} speakers)`, pooled);
      await writeSpeakerAccuracy(out, 'speech-held-out-speakers', summary.accuracy.perSpeaker);
    }
    if (parts.has('ctc')) Object.assign(summary.ctc, await connectedDigits({ cache, digits, official, settings, on, random, pool, progress, budget, share: share(), seed, out }));
  } finally {
    await pool?.terminate();
  }
  return summary;
}

/** The test recordings a classifier got wrong: file name, digit said, digit heard. */
function misclassified(predicted, ids, recordings) {
  return ids.flatMap((i, k) => (predicted[k] === recordings[i].digit ? [] : [{ file: basename(recordings[i].path), digit: recordings[i].digit, heard: predicted[k] }]));
}

async function connectedDigits({ cache, digits, official, settings, on, random, pool, progress, budget, share, seed, out }) {
  const trainPool = official.train.map((r) => r.i);
  const testPool = official.test.map((r) => r.i);
  const started = performance.now();
  const augment = on.has('speed') || on.has('noise');
  const trainSet = buildUtterances(cache.waves, digits, trainPool, { count: settings.ctcTrain, random, augment, minDigits: 1 });
  const testSet = buildUtterances(cache.waves, digits, testPool, { count: settings.ctcTest, random });
  progress.log(`connected digits: ${settings.ctcTrain} training utterances (official training recordings), ${settings.ctcTest} test utterances (official test recordings), built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const F = FEATURES.nMels * CTC_STACK;
  const model = ctcModel({ F, hidden: settings.ctcHidden, seed, lr: settings.lr });
  const mask = on.has('mask');
  const draw = (rnd) => ({
    frames: trainSet.frames.map((f) => stackFrames(mask ? specMask(f, FEATURES.nMels, rnd) : f, FEATURES.nMels, CTC_STACK)),
    targets: trainSet.targets,
    S: 6,
  });
  const run = await trainLoop(model, { F, draw, epochs: settings.ctcEpochs, batchSize: settings.batch, lr: settings.lr, random, pool, progress, budget, share, label: 'ctc' });
  const errors = (heard) => heard.reduce((e, h, u) => e + editDistance(h, testSet.digits[u]), 0);
  const reference = testSet.digits.reduce((n, d) => n + d.length, 0);
  const t0 = performance.now();
  const greedyHeard = transcribe(model, testSet.frames, { nMels: FEATURES.nMels, stack: CTC_STACK });
  const beamHeard = transcribe(model, testSet.frames, { nMels: FEATURES.nMels, stack: CTC_STACK, beam: settings.beam });
  const result = {
    digitErrorRate: errors(greedyHeard) / reference,
    digitErrorRateBeam: errors(beamHeard) / reference,
    utteranceAccuracy: greedyHeard.filter((h, u) => h.join('') === testSet.digits[u].join('')).length / testSet.digits.length,
    testDigits: reference,
    seconds: round(run.seconds),
    epochs: run.epochs,
    steps: run.steps,
    decodeSeconds: round((performance.now() - t0) / 1000),
  };
  progress.log(`connected digits: digit error rate ${(100 * result.digitErrorRate).toFixed(2)}% greedy, ${(100 * result.digitErrorRateBeam).toFixed(2)}% beam ${settings.beam} (${reference} digits in ${testSet.digits.length} utterances); e.g. "${testSet.digits[0].join('')}" heard as "${greedyHeard[0].join('')}"`);
  saveModelFile(out, 'model', model, stackAsBatch(testSet.frames[0]));
  writeOutput(out, 'model.speech.json', `${JSON.stringify({ kind: 'ctc', features: FEATURES, normalization: 'per-utterance mean and variance of each band', stack: CTC_STACK, blank: BLANK, labels: 'class c > 0 is digit c − 1' }, null, 2)}\n`);
  model.dispose();
  return result;
}

function stackAsBatch(frames) {
  return padBatch([stackFrames(frames, FEATURES.nMels, CTC_STACK)], FEATURES.nMels * CTC_STACK).x;
}

const round = (s) => Math.round(s * 10) / 10;
