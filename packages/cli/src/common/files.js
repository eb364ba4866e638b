/** Reading the user's input files and writing a run's artefacts, with one-line errors. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from './errors.js';

/** The bytes of `file`, or a CliError naming it and why it cannot be read. */
export function readBytes(file) {
  try {
    return readFileSync(file);
  } catch (e) {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory, expected a file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw fileError(file, why);
  }
}

/** The text of `file` as UTF-8 (a CliError for unreadable files or invalid UTF-8). */
export function readText(file) {
  const bytes = readBytes(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fileError(file, 'is not UTF-8 text');
  }
}

/** Writes `name` into the output folder (created if needed); returns its path. */
export function writeOutput(dir, name, data) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}
