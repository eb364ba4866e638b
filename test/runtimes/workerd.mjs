// wasm-rnn in workerd (Cloudflare Workers' runtime, npm package `workerd`): starts
// `workerd serve test/runtimes/workerd/config.capnp` on 127.0.0.1 (a port the OS picks,
// reported on a control pipe), asks each variant's worker for its smoke report
// (GET /default, /relaxed, /simd, /scalar; see workerd/worker.mjs), and stops workerd.
//
//   node test/runtimes/workerd.mjs            (after `npm run build`)
//
// Exit status 0 when every check passed, 1 otherwise, 2 when workerd is not installed
// (outside CI). Every wait is bounded (TIMEOUT_MS for the whole run).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { failedReport, findExecutable, finish, requireDist, ROOT, skipOrFail, withTimeout } from './harness.mjs';

const RUNTIME = 'workerd';
const MODES = ['default', 'relaxed', 'simd', 'scalar'];
const TIMEOUT_MS = 120_000;

requireDist();
// The platform package holds the binary; workerd's postinstall (when npm runs it) links it
// into workerd/bin as well.
const bin = findExecutable(['node_modules/@cloudflare/workerd-linux-64/bin/workerd', 'node_modules/workerd/bin/workerd']);
if (bin === undefined) skipOrFail(RUNTIME, 'no workerd binary in node_modules (npm ci installs the workerd package)');

const hardStop = setTimeout(() => {
  console.log(`runtime ${RUNTIME}: timed out after ${TIMEOUT_MS / 1000} s`);
  child?.kill('SIGKILL');
  process.exit(1);
}, TIMEOUT_MS + 10_000);

let child;
const reports = [];
let version = '?';
let stderr = '';
try {
  // The npm version (1.YYYYMMDD.N); `workerd --version` prints only the date.
  for (const pkg of ['node_modules/@cloudflare/workerd-linux-64/package.json', 'node_modules/workerd/package.json']) {
    try {
      version = JSON.parse(readFileSync(`${ROOT}${pkg}`, 'utf8')).version;
      break;
    } catch {
      // next
    }
  }
  child = spawn(bin, ['serve', 'test/runtimes/workerd/config.capnp', '--control-fd', '3'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (stderr += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((_, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`workerd exited (${signal ?? code}) before serving:\n${stderr}`)));
  });
  exited.catch(() => {}); // observed through the races below
  // workerd writes {"event":"listen","socket":"http","port":N} on the control pipe once bound.
  const port = await withTimeout(
    Promise.race([
      exited,
      new Promise((resolve) => {
        createInterface({ input: child.stdio[3] }).on('line', (line) => {
          try {
            const msg = JSON.parse(line);
            if (msg.event === 'listen' && msg.socket === 'http') resolve(msg.port);
          } catch {
            // not JSON: ignore
          }
        });
      }),
    ]),
    60_000,
    'workerd startup',
  );
  console.log(`workerd ${version} listening on 127.0.0.1:${port}`);
  for (const mode of MODES) {
    try {
      const response = await withTimeout(
        Promise.race([exited, fetch(`http://127.0.0.1:${port}/${mode}`, { signal: AbortSignal.timeout(60_000) })]),
        60_000,
        `GET /${mode}`,
      );
      const text = await response.text();
      if (!response.ok) throw new Error(`GET /${mode}: HTTP ${response.status}: ${text}\n${stderr}`);
      const report = JSON.parse(text);
      report.runtime = `workerd-${version}`;
      reports.push(report);
    } catch (error) {
      reports.push(failedReport(`workerd-${version}`, mode, `GET /${mode}`, error));
    }
  }
} catch (error) {
  reports.push(failedReport(`workerd-${version}`, 'default', 'start workerd', error));
} finally {
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(killer);
  }
  clearTimeout(hardStop);
}
if (stderr.trim() !== '' && reports.some((r) => r.failed > 0)) console.log(`workerd output:\n${stderr}`);
process.exitCode = finish(`workerd-${version}`, reports);
