/**
 * `wasm-rnn textgen`: a character-level LSTM language model (Embedding → LSTM → Dense) on
 * tiny-shakespeare or any text; validation loss in nats and bits per character over training,
 * samples with temperature and top-k. `textgen sample --model FILE` samples from a saved model.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { Adam, Dense, Dropout, Embedding, LSTM, Sequential, WorkerPool, init } from 'wasm-rnn';
import { CliError } from '../common/errors.js';
import { loadModelFile, saveModelFile } from '../common/model-file.js';
import { lineSpec, writePlot } from '../common/plot.js';
import { action, withCommonOptions } from '../common/run.js';
import { train } from '../common/train.js';
import { cutWindows, evaluateNats, evaluateStreaming, readCorpus, slice, streamWindows, streams, windows } from './corpus.js';
import { sampleText } from './sample.js';

const DEFAULT_TEXT = fileURLToPath(new URL('../../data/tinyshakespeare.txt', import.meta.url));
const LN2 = Math.log(2);

const int = (name, min = 1) => (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
};
const num = (name, ok) => (v) => {
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new CliError(`${name}: ${JSON.stringify(v)} is out of range`);
  return n;
};

function samplingOptions(command) {
  return command
    .addOption(new Option('--temperature <t>', 'softmax temperature of sampling').default(0.8).argParser(num('--temperature', (t) => t > 0)))
    .addOption(new Option('--top-k <k>', 'sample among the k most likely characters (0: all)').default(10).argParser(int('--top-k', 0)))
    .addOption(new Option('--length <n>', 'characters to sample').default(500).argParser(int('--length')))
    .option('--prime <text>', 'text the sample starts from', 'ROMEO:\n');
}

export function textgenCommand() {
  const command = samplingOptions(withCommonOptions(new Command('textgen'), { out: 'runs/textgen' }))
    // Options after `sample` belong to it (both commands take the sampling options).
    .enablePositionalOptions()
    .description('train a character-level LSTM language model (tiny-shakespeare by default), report validation nats and bits per character, sample text')
    .option('--text <file>', 'UTF-8 text to train on (first 90% train, last 10% validation)', DEFAULT_TEXT)
    .addOption(new Option('--hidden <n>', 'LSTM hidden size').default(256).argParser(int('--hidden')))
    .addOption(new Option('--layers <n>', 'stacked LSTM layers').default(1).argParser(int('--layers')))
    .addOption(new Option('--embedding <n>', 'character embedding size').default(64).argParser(int('--embedding')))
    .addOption(new Option('--seq <n>', 'characters per training sequence (BPTT length)').default(64).argParser(int('--seq', 2)))
    .addOption(new Option('--cuts <n>', 'cut the training text into windows at this many offsets, seq/cuts apart (each character seen at as many window positions)').default(8).argParser(int('--cuts')))
    .option('--stateful', 'train on --batch streams read in order, the state carried from window to window (truncated BPTT), instead of shuffled windows each from a zero state')
    .addOption(new Option('--batch <n>', 'sequences per step').default(32).argParser(int('--batch')))
    .addOption(new Option('--lr <x>', 'peak learning rate (Adam, cosine schedule)').default(2e-3).argParser(num('--lr', (x) => x > 0)))
    .addOption(new Option('--dropout <p>', 'dropout before the readout').default(0.2).argParser(num('--dropout', (p) => p >= 0 && p < 1)))
    .addOption(new Option('--input-dropout <p>', 'dropout on the character embeddings, before the LSTM').default(0.1).argParser(num('--input-dropout', (p) => p >= 0 && p < 1)))
    .addOption(new Option('--steps <n>', 'training steps (the cosine schedule spans them; --max-minutes may stop sooner)').default(6000).argParser(int('--steps')))
    .addOption(new Option('--workers <n>', 'train data-parallel on this many workers (1: this thread only)').default(Math.min(2, availableParallelism())).argParser(int('--workers')))
    .action(action(runTrain));
  command.addCommand(
    samplingOptions(new Command('sample'))
      .description('sample text from a model saved by `textgen`')
      .requiredOption('--model <file>', 'model.safetensors written by textgen')
      .addOption(new Option('--seed <n>', 'seed of sampling').default(1).argParser(int('--seed', 0)))
      .action(async (opts) => {
        await init();
        const model = await loadModelFile(opts.model);
        const vocab = model.preprocessing.vocab;
        if (vocab === undefined || model.config[0].type !== 'Embedding') {
          model.dispose();
          throw new CliError(`${opts.model}: not a character model written by textgen (it has no saved vocabulary)`);
        }
        let text;
        try {
          text = sampleText(model, vocab, { prime: opts.prime, length: opts.length, temperature: opts.temperature, topK: opts.topK, seed: opts.seed });
        } catch (e) {
          throw new CliError(`--prime: ${e.message.split('\n')[0]}`);
        } finally {
          model.dispose();
        }
        process.stdout.write(`${text}\n`);
      }),
  );
  return command;
}

async function runTrain(opts, ctx) {
  const { progress, budget, out, seed, quick } = ctx;
  const corpus = readCorpus(opts.text, { minChars: quick ? 200 : 1000 });
  const V = corpus.vocab.size;
  const hidden = quick ? 32 : opts.hidden;
  const seq = quick ? 32 : opts.seq;
  const steps = quick ? 20 : opts.steps;
  const workers = quick ? 1 : opts.workers;
  const cuts = quick ? 2 : opts.cuts;
  if (cuts > seq) throw new CliError(`--cuts ${cuts}: at most one cut per character of a sequence (--seq ${seq})`);
  // Training windows start at a seeded offset so each seed sees different cuts of the text.
  // Stateful: the text as --batch streams, each batch continuing the last (truncated BPTT), the
  // passes cut at the --cuts offsets; else windows of all cuts, shuffled, each from a zero state.
  let trainWindows;
  try {
    trainWindows = opts.stateful ? streamWindows(corpus.train, seq, opts.batch, cuts, seed % seq) : cutWindows(corpus.train, seq, cuts, seed % seq);
  } catch {
    throw new CliError(`${opts.text}: too short for ${opts.batch} streams of ${seq}-character sequences`);
  }
  const valWindows = windows(corpus.validation, seq);
  const N = trainWindows.x.shape[1];
  if (N < opts.batch || valWindows.x.shape[1] < 1) throw new CliError(`${opts.text}: too short for sequences of ${seq} characters in batches of ${opts.batch}`);
  // Validation reads the held-out text statefully, as the model reads text when it writes:
  // the curve on 32 streams of 1,024 characters spread over it, the result on all of it.
  const valCurve = validationStreams(corpus.validation, 32, quick ? 64 : 1024);
  const valWhole = validationStreams(corpus.validation, 16, 1024, { cover: true });
  progress.log(`textgen: ${opts.text}: ${corpus.train.length + corpus.validation.length} characters, vocabulary ${V}; ${N} training sequences of ${seq} (${cuts} cuts${opts.stateful ? `, ${opts.batch} streams, state carried` : ', shuffled'}), validation ${corpus.validation.length} characters`);

  const layers = [new Embedding({ numEmbeddings: V, embeddingDim: opts.embedding })];
  if (opts.inputDropout > 0) layers.push(new Dropout({ p: opts.inputDropout }));
  layers.push(new LSTM({ inputSize: opts.embedding, hiddenSize: hidden, numLayers: opts.layers, dropout: opts.layers > 1 ? opts.dropout : 0 }));
  if (opts.dropout > 0) layers.push(new Dropout({ p: opts.dropout }));
  layers.push(new Dense({ inputSize: hidden, outputSize: V }));
  const model = new Sequential(layers, { seed });
  model.compile({ loss: 'crossEntropy', optimizer: new Adam({ lr: opts.lr }), clipGradNorm: 1 });
  model.preprocessing = { vocab: corpus.vocab };
  progress.log(`model: Embedding ${V}→${opts.embedding}, dropout ${opts.inputDropout}, LSTM ${hidden}×${opts.layers}, dropout ${opts.dropout}, Dense ${hidden}→${V}: ${model.parameterCount()} parameters; ${workers} worker(s)`);

  // Validation curve: every `evalEvery` steps on the 32 streams; the whole validation text at the
  // end (valNats). The best weights (by the curve) are kept.
  const evalEvery = quick ? 10 : 250;
  const curve = [];
  let best = { nats: Infinity, weights: undefined, step: 0 };
  let step = 0;
  let recentLoss = [];
  let lastEval = performance.now();
  const stepsPerEpoch = Math.ceil(N / opts.batch);
  const pool = workers > 1 ? await WorkerPool.create({ workers }) : undefined;
  // With a time budget the learning rate follows the clock: a linear warm-up, then a cosine from
  // the peak to lr/20 that ends when the time does, however fast the steps turn out to be (a
  // cosine planned in steps from a timed warm-up ended 4 minutes early: the steps sped up once
  // V8 had finished tiering up). 2% of the budget is kept for the final evaluation and sample.
  // Without a budget the cosine spans --steps.
  const warmup = Math.min(200, Math.floor(steps / 10));
  const share = budget.remaining() === Infinity ? 1 : 0.98;
  const end = budget.deadlineFor(share);
  let cosineFrom;
  const lrSchedule = end === Infinity
    ? { type: 'cosine', warmupSteps: warmup, totalSteps: steps, minLr: opts.lr / 20 }
    : {
        type: 'lambda',
        factor: (s) => {
          if (s < warmup) return (s + 1) / warmup;
          cosineFrom ??= performance.now();
          const done = Math.min(1, (performance.now() - cosineFrom) / Math.max(1, end - cosineFrom));
          return 0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * done));
        },
      };
  const checkpoint = () => {
    lastEval = performance.now();
    const nats = evaluateStreaming(model, valCurve);
    const trainNats = recentLoss.reduce((a, b) => a + b, 0) / recentLoss.length;
    recentLoss = [];
    curve.push({ step, valNats: nats, trainNats });
    if (nats < best.nats) best = { nats, weights: model.stateDict(), step };
    progress.log(`step ${step}: train ${trainNats.toFixed(3)} nats, validation (subset) ${nats.toFixed(3)} nats = ${(nats / LN2).toFixed(3)} bits/char`);
  };
  let result;
  try {
    result = await train(model, trainWindows.x, trainWindows.y, {
      progress, budget, share, label: 'textgen', epochs: Math.ceil(steps / stepsPerEpoch), maxSteps: steps, batchSize: opts.batch, samples: N, lrSchedule, stateful: opts.stateful,
      ...(pool ? { pool } : {}),
      afterBatch: (logs) => {
        step++;
        recentLoss.push(logs.loss);
        // Every evalEvery steps, and at least once a minute (large models step slowly).
        if (step % evalEvery === 0 || performance.now() - lastEval > 60_000) checkpoint();
        return step < steps;
      },
    });
  } finally {
    await pool?.terminate();
  }
  // The last weights too (training may end between checkpoints); then the best of them all.
  if (recentLoss.length > 0) checkpoint();
  if (best.step !== step) model.loadStateDict(best.weights);
  const valNats = evaluateStreaming(model, valWhole);
  // For comparison with models that read each window from a zero state (all of them at once).
  const valNatsWindows = evaluateNats(model, valWindows);
  if (curve.length === 0) curve.push({ step, valNats, trainNats: recentLoss.length > 0 ? recentLoss.reduce((a, b) => a + b, 0) / recentLoss.length : curve.at(-1)?.trainNats ?? valNats });
  const sample = sampleText(model, corpus.vocab, { prime: primeFor(opts.prime, corpus.vocab), length: quick ? 100 : opts.length, temperature: opts.temperature, topK: opts.topK, seed });
  progress.log(`validation: ${valNats.toFixed(4)} nats/char = ${(valNats / LN2).toFixed(4)} bits/char after ${step} steps (${result.seconds.toFixed(0)} s); ${valNatsWindows.toFixed(4)} nats/char in ${seq}-character windows from a zero state`);
  progress.log(`sample (temperature ${opts.temperature}, top-k ${opts.topK}):\n${sample}`);
  saveModelFile(out, 'model', model, slice(valWindows, 0, 1).x);
  model.dispose();
  await writePlot(out, 'textgen-loss', lineSpec({
    title: 'Character LSTM: loss per character (nats; validation: 32 stretches of 1,024 characters of the held-out 10%, read statefully)', x: 'step', y: 'nats per character',
    series: { validation: curve.map((p) => ({ x: p.step, y: p.valNats })), training: curve.map((p) => ({ x: p.step, y: p.trainNats })) },
  }));
  return {
    valNats,
    valBitsPerChar: valNats / LN2,
    valNatsWindows,
    trainNats: curve.at(-1)?.trainNats ?? null,
    steps: step,
    seconds: Math.round(result.seconds * 10) / 10,
    sample,
    curve,
    settings: { hidden, layers: opts.layers, embedding: opts.embedding, seq, cuts, stateful: opts.stateful, batch: opts.batch, lr: opts.lr, dropout: opts.dropout, inputDropout: opts.inputDropout, workers, vocabulary: V },
  };
}

/** The prime if the corpus has all its characters, else the corpus's first character. */
function primeFor(prime, vocab) {
  try {
    vocab.encode(prime);
    return prime;
  } catch {
    return vocab.tokens[0];
  }
}

/**
 * Up to `maxCount` streams of `length` characters spread over `ids` (fewer when the text is
 * short, at least one); with `cover` they are longer and cover all of it.
 */
function validationStreams(ids, maxCount, length, { cover = false } = {}) {
  const count = Math.max(1, Math.min(maxCount, Math.floor((ids.length - 1) / length)));
  return streams(ids, count, cover ? Math.floor((ids.length - 1) / count) : Math.min(length, ids.length - 1));
}
