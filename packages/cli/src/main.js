/**
 * The `wasm-rnn` command line: small commands over wasm-rnn's public API. `main(argv)` parses
 * the arguments and runs one command; errors the user can fix print one line and exit 1.
 */
import { Command } from 'commander';
import { WasmRnnError } from 'wasm-rnn';
import { CliError } from './common/errors.js';
import { forecastCommand } from './forecast/command.js';
import { memoryCommand } from './memory/command.js';
import { speechCommand } from './speech/command.js';
import { textgenCommand } from './textgen/command.js';

export function program() {
  return new Command('wasm-rnn')
    .description('Recurrent networks in WebAssembly, on real data: forecasting, text generation, long-term memory')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .addCommand(forecastCommand())
    .addCommand(textgenCommand())
    .addCommand(speechCommand())
    .addCommand(memoryCommand());
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv = process.argv) {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CliError || e instanceof WasmRnnError) {
      process.stderr.write(`wasm-rnn: ${e.message.split('\n')[0]}\n`);
      return 1;
    }
    // A bug, not bad input: keep the stack for a report, but only when asked for.
    if (process.env.WASM_RNN_DEBUG) throw e;
    process.stderr.write(`wasm-rnn: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (run with WASM_RNN_DEBUG=1 for the stack)\n`);
    return 1;
  }
}
