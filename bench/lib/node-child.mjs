// The process every Node.js peer runs in: `node [flags] lib/node-child.mjs <peer module> <json options>`.
//
// Protocol (shared with the Python and Rust peers): one JSON request per line on stdin, one
// answer per request on stdout as a line `@@{json}`. Everything else a library prints goes to
// stderr (console.* is redirected: TF.js greets on console.log).
//
//   {cmd:'hello'}                          -> {info}
//   {cmd:'setup', meta, casePath}          -> {modes: {infer: true | 'why not', ...}, notes}
//   {cmd:'check', mode, outPath}           -> {arrays: [{name, len}]}   (raw f32 written to outPath)
//   {cmd:'time', mode, iters}              -> {ms}                      (iters calls, timed here)
//   {cmd:'quit'}
import { createInterface } from 'node:readline';
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
import { readCase, writeArrays } from './case.mjs';

const toStderr = (...args) => process.stderr.write(`${format(...args)}\n`);
console.log = console.info = console.warn = console.debug = console.error = toStderr;

const [modulePath, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson || '{}');

function reply(obj) {
  process.stdout.write(`@@${JSON.stringify(obj)}\n`);
}

let peer;
let prepared = new Map();

async function handle(req) {
  switch (req.cmd) {
    case 'hello': {
      const mod = await import(pathToFileURL(modulePath).href);
      peer = await mod.create(options);
      return { info: { node: process.version, v8: process.versions.v8, execArgv: process.execArgv, ...(await peer.info()) } };
    }
    case 'setup': {
      prepared = new Map();
      if (peer.teardown) await peer.teardown();
      const data = req.casePath ? readCase(req.casePath, req.meta) : {};
      const res = await peer.setup(req.meta, data);
      return { modes: res.modes, notes: res.notes ?? [] };
    }
    case 'check': {
      prepared.delete(req.mode); // a check may disturb streaming state; prepare again after
      const arrays = await peer.check(req.mode);
      return { arrays: writeArrays(req.outPath, arrays) };
    }
    case 'time': {
      let p = prepared.get(req.mode);
      if (!p) {
        p = await peer.prepare(req.mode);
        prepared.set(req.mode, p);
      }
      const { fn, isAsync } = p;
      const n = req.iters;
      let t0;
      if (isAsync) {
        t0 = performance.now();
        for (let i = 0; i < n; i++) await fn();
      } else {
        t0 = performance.now();
        for (let i = 0; i < n; i++) fn();
      }
      const ms = performance.now() - t0;
      return { ms };
    }
    case 'quit':
      if (peer?.teardown) await peer.teardown();
      process.exit(0);
    // falls through (unreachable)
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

const rl = createInterface({ input: process.stdin });
const queue = [];
let busy = false;
rl.on('line', (line) => {
  if (!line.trim()) return;
  queue.push(line);
  pump();
});
rl.on('close', () => process.exit(0));

async function pump() {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const line = queue.shift();
    let req;
    try {
      req = JSON.parse(line);
      const res = await handle(req);
      reply({ ok: true, ...res });
    } catch (error) {
      reply({ ok: false, error: error?.stack ?? String(error) });
    }
  }
  busy = false;
}
