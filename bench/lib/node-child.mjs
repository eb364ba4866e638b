// The process every Node.js peer runs in: `node [flags] lib/node-child.mjs <peer module> <json options>`.
//
// Protocol (shared with the Python and Rust peers and lib/browser-child.mjs): one JSON request
// per line on stdin, one answer per request on stdout as a line `@@{json}` (requests: see
// lib/peer-driver.mjs; line handling: lib/line-protocol.mjs). Everything else a library prints
// goes to stderr (console.* is redirected: TF.js greets on console.log).
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
import { readCase, writeArrays } from './case.mjs';
import { serveLines } from './line-protocol.mjs';
import { peerDriver } from './peer-driver.mjs';

const toStderr = (...args) => process.stderr.write(`${format(...args)}\n`);
console.log = console.info = console.warn = console.debug = console.error = toStderr;

const [modulePath, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson || '{}');

const handle = peerDriver({
  createPeer: async () => (await import(pathToFileURL(modulePath).href)).create(options),
  environment: () => ({ node: process.version, v8: process.versions.v8, execArgv: process.execArgv }),
  readCase: async (path, meta) => readCase(path, meta),
  writeArrays: async (path, arrays) => ({ arrays: writeArrays(path, arrays) }),
});

serveLines(handle, async () => process.exit(0));
