// Trains the small character model the page samples from and writes it to public/char-model.bin
// (model.save(): safetensors with the architecture and, as preprocessing, the CharVocab, so the
// page needs nothing else). Embedding(V→32) + LSTM(32→128) + Dense(128→V) on tinyshakespeare,
// truncated BPTT over random 64-character chunks; a time budget (not an epoch count) bounds the
// CPU it takes. Seeded, but the step count depends on the machine's speed.
//   node examples/web/scripts/train-char-model.mjs [corpus.txt] [seconds]     (after `npm run build`)
import { readFile, writeFile } from 'node:fs/promises';
import { Adam, CharVocab, Dense, Embedding, init, LSTM, Sequential } from '../../../dist/index.js';

const corpusPath = process.argv[2] ?? '/work/shared/datasets/tinyshakespeare/input.txt';
const budgetSeconds = Number(process.argv[3] ?? 150);
const [SEQ, BATCH, HIDDEN] = [64, 32, 128];

// Any variant: a model file saved by one build loads in every build.
const { variant } = await init();
const text = await readFile(corpusPath, 'utf8');
const vocab = CharVocab.fromText(text);
const ids = vocab.encode(text);
const model = new Sequential(
  [new Embedding({ numEmbeddings: vocab.size, embeddingDim: 32 }), new LSTM({ inputSize: 32, hiddenSize: HIDDEN }), new Dense({ inputSize: HIDDEN, outputSize: vocab.size })],
  { seed: 11 },
);
model.preprocessing.vocab = vocab;
model.compile({ loss: 'crossEntropy', optimizer: new Adam({ lr: 3e-3 }), clipGradNorm: 5 });

// A seeded LCG picks the chunk starts (time-major batches: x[t, b] = ids[start_b + t], y one ahead).
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
function batch() {
  const x = new Int32Array(SEQ * BATCH);
  const y = new Int32Array(SEQ * BATCH);
  for (let b = 0; b < BATCH; b++) {
    const start = Math.floor(rand() * (ids.length - SEQ - 1));
    for (let t = 0; t < SEQ; t++) {
      x[t * BATCH + b] = ids[start + t];
      y[t * BATCH + b] = ids[start + t + 1];
    }
  }
  return [{ data: x, shape: [SEQ, BATCH] }, { data: y, shape: [SEQ, BATCH] }];
}

const started = Date.now();
let steps = 0;
let recent = 0;
while ((Date.now() - started) / 1000 < budgetSeconds) {
  const [x, y] = batch();
  recent += model.trainStep(x, y);
  steps++;
  if (steps % 100 === 0) {
    console.log(`step ${steps}: loss ${(recent / 100).toFixed(3)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    recent = 0;
  }
}
const bytes = model.save();
await writeFile(new URL('../public/char-model.bin', import.meta.url), bytes);
console.log(`char-model.bin: ${bytes.byteLength} bytes, vocabulary ${vocab.size}, ${steps} steps of ${SEQ}×${BATCH} on ${variant}`);
