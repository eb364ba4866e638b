#!/usr/bin/env node
// The textgen race: `wasm-rnn textgen` and the identical model and recipe in PyTorch
// (peers/textgen_pytorch.py), each trained on tiny-shakespeare for the same wall time on the same
// cores, one after the other; reports the validation loss each reaches. See bench/README.md.
//
//   npm run bench:textgen -- [--minutes 20] [--threads 2] [--seed 1] [--only ours|pytorch]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLibrary, ensurePyTorch } from './lib/install.mjs';
import { loadavg, machineInfo } from './lib/machine.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');
const DEFAULT_TEXT = join(repoRoot, 'packages/cli/data/tinyshakespeare.txt');
const log = (s) => process.stderr.write(`${s}\n`);

const { values: o } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    text: { type: 'string', default: DEFAULT_TEXT },
    only: { type: 'string' },
    'ours-summary': { type: 'string' },
    out: { type: 'string', default: join(benchDir, 'results', 'textgen') },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (o.help) {
  log(`node bench/textgen.mjs [--minutes 20] [--threads 2] [--seed 1] [--text FILE] [--only ours|pytorch] [--ours-summary FILE] [--out STEM] [--report FILE.json]
Trains the character LSTM of \`wasm-rnn textgen\` (Embedding 65→64, dropout 0.1, LSTM 256, dropout 0.2, Dense 256→65,
Adam 2e-3 with warm-up and cosine, clipping 1.0, batch 32, sequence 64, windows cut at 8 offsets) here and in PyTorch for the
same wall time each, one after the other, and writes STEM.json and STEM.md.
--ours-summary FILE takes the wasm-rnn row from the summary.json of an earlier run of the same
command (node bin/wasm-rnn.mjs textgen --max-minutes M --steps 100000 --workers THREADS --json)
instead of training again; the report says so.`);
  process.exit(0);
}

function runOurs(minutes, threads, seed, text) {
  ensureLibrary(repoRoot, { rebuild: false });
  const workDir = join(benchDir, '.work', 'textgen');
  mkdirSync(workDir, { recursive: true });
  // Node 20 runs the relaxed-SIMD build only behind a flag (Node 22+ without it).
  const flags = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
  const args = [...flags, join(repoRoot, 'bin/wasm-rnn.mjs'), 'textgen', '--max-minutes', String(minutes), '--steps', '100000', '--workers', String(threads), '--seed', String(seed), '--text', text, '--out', workDir, '--json'];
  log(`textgen race: wasm-rnn for ${minutes} min: node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`wasm-rnn textgen exited with ${r.status}`);
  const s = JSON.parse(r.stdout);
  return { id: 'wasm-rnn', label: `wasm-rnn ${s.wasmBuild} build, WorkerPool of ${threads}`, valNats: s.valNats, valBitsPerChar: s.valBitsPerChar, valNatsWindows: s.valNatsWindows, steps: s.steps, seconds: s.seconds, curve: s.curve };
}

function oursFromSummary(file, threads, minutes) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  if (!(s.seconds > minutes * 60 * 0.9 && s.seconds < minutes * 60 * 1.02)) throw new Error(`${file}: trained ${s.seconds} s, not the ${minutes} minutes of --minutes`);
  if (s.settings?.workers !== threads) throw new Error(`${file}: trained with ${s.settings?.workers} workers, not --threads ${threads}`);
  return { id: 'wasm-rnn', label: `wasm-rnn ${s.wasmBuild} build, WorkerPool of ${threads}`, valNats: s.valNats, valBitsPerChar: s.valBitsPerChar, valNatsWindows: s.valNatsWindows, steps: s.steps, seconds: s.seconds, curve: s.curve, from: file };
}

function runPyTorch(minutes, threads, seed, text) {
  const { python } = ensurePyTorch();
  const args = [join(benchDir, 'peers/textgen_pytorch.py'), '--minutes', String(minutes), '--threads', String(threads), '--seed', String(seed), '--text', text];
  log(`textgen race: PyTorch for ${minutes} min: ${python} ${args.join(' ')}`);
  // The Debian default BLAS is OpenBLAS serial (one thread); torch's own intra-op threads use both cores.
  const r = spawnSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`textgen_pytorch.py exited with ${r.status}`);
  const s = JSON.parse(r.stdout);
  return { id: 'pytorch', label: `PyTorch ${s.torch} CPU, ${threads} threads`, valNats: s.valNats, valBitsPerChar: s.valBitsPerChar, valNatsWindows: s.valNatsWindows, steps: s.steps, seconds: s.seconds, curve: s.curve };
}

function markdown(res) {
  const lines = [
    `# textgen race: validation loss after ${res.minutes} minutes of training`,
    '',
    `${res.machine.date.slice(0, 10)}, ${res.machine.cpuModel}, ${res.machine.logicalCores} logical cores, Node ${res.machine.node}; load before: ${res.loadBefore.join(' ')}.`,
    `Command: \`${res.command}\`. Same model, data, split and recipe on both sides (bench/peers/textgen_pytorch.py mirrors packages/cli/src/textgen); run one after the other, each with ${res.threads} threads.`,
    '',
    '| implementation | steps | ms per step | validation nats/char | bits/char | nats/char, 64-character windows from zero |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...res.runs.map((r) => `| ${r.label} | ${r.steps} | ${((r.seconds * 1000) / r.steps).toFixed(0)} | **${r.valNats.toFixed(4)}** | ${r.valBitsPerChar.toFixed(4)} | ${r.valNatsWindows?.toFixed(4) ?? '–'} |`),
    '',
    ...res.runs.filter((r) => r.from).map((r) => `The ${r.label} row is an earlier run of the same command (its summary: \`${r.from}\`), not rerun here.`),
    'Both cosine schedules follow the elapsed time and end at lr/20 with the budget (the CLI keeps 2% of it for its final evaluation; bench/README.md).',
    'ms per step = training wall time (validation checks included) / steps. Validation: the whole last 10% of tiny-shakespeare read statefully (16 streams, each character predicted from all the text before it in its stream, as the model reads when it writes); the last column reads it in 64-character windows each from a zero state.',
  ];
  return `${lines.join('\n')}\n`;
}

if (o.report) {
  const res = JSON.parse(readFileSync(o.report, 'utf8'));
  writeFileSync(o.report.replace(/\.json$/, '.md'), markdown(res));
} else {
  const minutes = Number(o.minutes);
  const threads = Number(o.threads);
  if (!(minutes > 0) || !(Number.isInteger(threads) && threads >= 1)) throw new Error('--minutes must be > 0 and --threads a positive integer');
  if (!existsSync(o.text)) throw new Error(`${o.text}: no such file`);
  const res = { minutes, threads, seed: Number(o.seed), command: `node bench/textgen.mjs ${process.argv.slice(2).join(' ')}`.trim(), machine: machineInfo(repoRoot), loadBefore: loadavg(), runs: [] };
  if (o.only !== 'pytorch') res.runs.push(o['ours-summary'] ? oursFromSummary(o['ours-summary'], threads, minutes) : runOurs(minutes, threads, res.seed, o.text));
  if (o.only !== 'ours') res.runs.push(runPyTorch(minutes, threads, res.seed, o.text));
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(`${o.out}.json`, `${JSON.stringify(res, null, 2)}\n`);
  writeFileSync(`${o.out}.md`, markdown(res));
  log(markdown(res));
}
