/**
 * The Free Spoken Digit Dataset (Zohar Jackson et al., CC BY-SA 4.0): `{digit}_{speaker}_{index}.wav`,
 * 8 kHz mono. The official test set is indexes 0–4 of every digit and speaker; the
 * speaker-independent evaluation holds out one whole speaker at a time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../common/errors.js';

export const SHARED_FSDD = '/work/shared/datasets/fsdd';
const NAME = /^(\d)_([A-Za-z0-9-]+)_(\d+)\.wav$/;

/** The folder to use when --data is not given: the shared copy, when this machine has it. */
export function defaultDataDir() {
  return existsSync(SHARED_FSDD) ? SHARED_FSDD : undefined;
}

/**
 * The recordings under `dir` (or `dir/recordings`): `[{ path, digit, speaker, index }]`,
 * sorted by name so every run sees the same order.
 */
export function listRecordings(dir) {
  if (dir === undefined) throw new CliError('speech: no data: pass --data DIR (the Free Spoken Digit Dataset, github.com/Jakobovski/free-spoken-digit-dataset, its recordings/ folder)');
  const folder = existsSync(join(dir, 'recordings')) ? join(dir, 'recordings') : dir;
  let names;
  try {
    names = readdirSync(folder);
  } catch (e) {
    throw new CliError(`${folder}: ${e.code === 'ENOENT' ? 'no such folder' : e.code === 'ENOTDIR' ? 'is not a folder' : e.message}`);
  }
  const out = [];
  for (const name of names.sort()) {
    const m = NAME.exec(name);
    if (m) out.push({ path: join(folder, name), digit: Number(m[1]), speaker: m[2], index: Number(m[3]) });
  }
  if (out.length === 0) throw new CliError(`${folder}: no recordings named {digit}_{speaker}_{index}.wav`);
  return out;
}

/** The official split: indexes 0–4 test, the rest train. */
export function officialSplit(recordings) {
  return { train: recordings.filter((r) => r.index >= 5), test: recordings.filter((r) => r.index < 5) };
}

/** The speakers, sorted. */
export function speakersOf(recordings) {
  return [...new Set(recordings.map((r) => r.speaker))].sort();
}

/**
 * `--quick`: a few recordings per digit and speaker (indexes 0–1 test, 5–7 train), enough
 * for every code path in seconds.
 */
export function quickSubset(recordings) {
  return recordings.filter((r) => r.index < 2 || (r.index >= 5 && r.index < 8));
}
