// Command-line options of the benchmark and soak scripts: node:util's parseArgs (--name value
// and --name=value, unknown options refused), plus the checked conversions they share.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `argv` parsed against `options` (parseArgs' option table; --help/-h is added: it prints `help`
 * and exits). Returns the values by option name.
 */
export function readOptions(argv, options, help) {
  const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  return values;
}

/** "a, b,c" → ['a', 'b', 'c']; undefined stays undefined. */
export function list(value) {
  return value?.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The option's value as a finite number that passes `ok` (non-negative unless said), or an error naming the option; undefined stays undefined. */
export function number(name, value, { ok = (n) => n >= 0, rule = 'a non-negative number' } = {}) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new Error(`--${name} must be ${rule}, got ${JSON.stringify(value)}`);
  return n;
}

/** `number` for counts: an integer ≥ 1. */
export function positiveInt(name, value) {
  return number(name, value, { ok: (n) => Number.isInteger(n) && n >= 1, rule: 'a positive integer' });
}

/** The options bench/run.mjs and bench/model.mjs share: peers, timing rounds, tolerance, output. */
export const TIMING_OPTIONS = {
  peers: { type: 'string' },
  quick: { type: 'boolean' },
  rounds: { type: 'string' },
  'max-rounds': { type: 'string' },
  budget: { type: 'string' },
  'sample-ms': { type: 'string' },
  'warmup-ms': { type: 'string' },
  tol: { type: 'string' },
  out: { type: 'string' },
  rebuild: { type: 'boolean' },
  'no-install': { type: 'boolean' },
  report: { type: 'string' },
};

/**
 * TIMING_OPTIONS' values, checked; the round counts and times stay undefined when not given
 * (their defaults depend on --quick and the script). `out` is a path stem (.json/.md dropped).
 */
export function timingValues(v, defaultOut) {
  return {
    peers: list(v.peers) ?? ['all'],
    quick: v.quick === true,
    rounds: positiveInt('rounds', v.rounds),
    maxRounds: positiveInt('max-rounds', v['max-rounds']),
    budget: number('budget', v.budget),
    sampleMs: number('sample-ms', v['sample-ms']),
    warmupMs: number('warmup-ms', v['warmup-ms']),
    tol: number('tol', v.tol) ?? 1e-4,
    out: v.out === undefined ? defaultOut : resolve(v.out).replace(/\.(json|md)$/, ''),
    install: v['no-install'] !== true,
    rebuild: v.rebuild === true,
    report: v.report === undefined ? undefined : resolve(v.report),
  };
}
