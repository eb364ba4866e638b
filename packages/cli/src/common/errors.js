/**
 * Errors the user can act on (a missing file, a malformed CSV, an empty corpus): the CLI prints
 * their message as one line and exits with code 1, without a stack trace.
 */
export class CliError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CliError';
  }
}

/** `wasm-rnn: <file>: <problem>` — the line printed for a bad input file. */
export function fileError(file, problem) {
  return new CliError(`${file}: ${problem}`);
}
