/**
 * What every command shares: the common options (--seed, --max-minutes, --out, --json,
 * --quick, --quiet), the run context handed to the command, and the ending — the summary
 * written to DIR/summary.json and, with --json, printed on stdout.
 */
import { Option } from 'commander';
import { init } from 'wasm-rnn';
import { Budget } from './budget.js';
import { CliError } from './errors.js';
import { writeOutput } from './files.js';
import { Progress } from './progress.js';

const positiveNumber = (name) => (v) => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new CliError(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
};
const seedNumber = (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new CliError(`--seed must be an integer in 0..4294967295, got ${JSON.stringify(v)}`);
  return n;
};

/** Adds the options every command takes. */
export function withCommonOptions(command, { out }) {
  return command
    .addOption(new Option('--seed <n>', 'seed of initialization, shuffling and sampling').default(1).argParser(seedNumber))
    .addOption(new Option('--max-minutes <n>', 'stop training when this much time is spent (the best weights are kept)').argParser(positiveNumber('--max-minutes')))
    .addOption(new Option('--out <dir>', 'folder for plots (SVG, PNG), model.safetensors and summary.json').default(out))
    .option('--json', 'print the summary as JSON on stdout (progress goes to stderr)')
    .option('--quick', 'a tiny run of a few seconds (used by the tests)')
    .option('--quiet', 'no progress output');
}

/** Wraps a command body: builds the context, runs it, writes and prints the summary. */
export function action(body) {
  return async (...args) => {
    const command = args[args.length - 1];
    const opts = command.opts();
    const progress = new Progress({ stream: opts.json ? process.stderr : process.stdout, quiet: Boolean(opts.quiet) });
    const { variant } = await init();
    progress.log(`wasm-rnn ${command.name()}: ${opts.quick ? 'quick run, ' : ''}seed ${opts.seed}, wasm build "${variant}", output in ${opts.out}`);
    const ctx = { opts, progress, budget: new Budget(opts.maxMinutes), out: opts.out, seed: opts.seed, quick: Boolean(opts.quick) };
    const started = performance.now();
    const summary = await body(...args.slice(0, -1), ctx);
    if (summary === undefined) return;
    summary.seconds ??= Math.round((performance.now() - started) / 100) / 10;
    summary.wasmBuild = variant;
    const path = writeOutput(ctx.out, 'summary.json', `${JSON.stringify(summary, null, 2)}\n`);
    progress.log(`summary: ${path}`);
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  };
}
