// A peer's persistent subprocess: one request at a time, answers are stdout lines `@@{json}`.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

export class Child {
  /**
   * @param {object} o
   * @param {string} o.name      label for logs and errors
   * @param {string} o.command   executable
   * @param {string[]} o.args
   * @param {object} [o.env]     full environment
   * @param {(req: object) => string} [o.encode]  request → one line (JSON by default)
   * @param {string} o.logPath   where the child's stderr and stray stdout go
   */
  constructor({ name, command, args, env, encode, logPath, cwd }) {
    this.name = name;
    this.encode = encode ?? ((req) => JSON.stringify(req));
    mkdirSync(dirname(logPath), { recursive: true });
    this.log = createWriteStream(logPath, { flags: 'a' });
    this.log.write(`\n==== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    this.proc = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pending = null;
    this.exited = null;
    this.proc.stderr.on('data', (d) => this.log.write(d));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (!line.startsWith('@@')) {
        this.log.write(`[stdout] ${line}\n`);
        return;
      }
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      clearTimeout(p.timer);
      let msg;
      try {
        msg = JSON.parse(line.slice(2));
      } catch (e) {
        p.reject(new Error(`${this.name}: unparsable answer ${line.slice(0, 200)}`));
        return;
      }
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(`${this.name}: ${msg.error}`));
    });
    this.proc.on('error', (e) => this.#fail(new Error(`${this.name}: could not start ${command}: ${e.message}`)));
    this.proc.on('exit', (code, signal) => this.#fail(new Error(`${this.name}: process exited (code ${code}, signal ${signal}); see ${logPath}`)));
    this.proc.stdin.on('error', () => {});
  }

  #fail(error) {
    this.exited ??= error;
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  get alive() {
    return this.exited === null;
  }

  /** Sends one request; rejects on an error answer, on exit, or after timeoutMs (the child is then killed). */
  request(req, timeoutMs = 600_000) {
    if (this.exited) return Promise.reject(this.exited);
    if (this.pending) return Promise.reject(new Error(`${this.name}: request while another is pending`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new Error(`${this.name}: no answer to ${req.cmd} within ${Math.round(timeoutMs / 1000)} s (killed)`));
        this.kill();
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.proc.stdin.write(`${this.encode(req)}\n`);
    });
  }

  kill() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  async close() {
    if (this.alive) {
      try {
        this.proc.stdin.write(`${this.encode({ cmd: 'quit' })}\n`);
      } catch {
        // already gone
      }
      await new Promise((r) => {
        const t = setTimeout(() => {
          this.kill();
          r();
        }, 5000);
        this.proc.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    this.log.end();
  }
}
