#!/usr/bin/env node
// `npx wasm-rnn <command>`: the commands live in the workspace package wasm-rnn-cli, so that
// `import 'wasm-rnn'` keeps zero runtime dependencies. This stub only finds and runs it.
let cli;
try {
  cli = await import('wasm-rnn-cli');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes("'wasm-rnn-cli'")) throw e;
  process.stderr.write('wasm-rnn: the command line is a separate package: npm install wasm-rnn-cli\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv);
