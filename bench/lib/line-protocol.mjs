// The stdio side of a peer process (lib/node-child.mjs, lib/browser-child.mjs): one JSON request
// per line on stdin, handled one at a time in order; each answer is one stdout line `@@{json}`
// ({ok: true, ...answer} or {ok: false, error}). `quit` is answered by exiting through onQuit.

import { createInterface } from 'node:readline';

/**
 * @param {(req: object) => Promise<object>} handle
 * @param {() => Promise<never>} onQuit   called after handle({cmd:'quit'}) and when stdin closes
 */
export function serveLines(handle, onQuit) {
  const reply = (obj) => process.stdout.write(`@@${JSON.stringify(obj)}\n`);
  const queue = [];
  let busy = false;
  async function pump() {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const line = queue.shift();
      try {
        const req = JSON.parse(line);
        const res = await handle(req);
        if (req.cmd === 'quit') await onQuit();
        reply({ ok: true, ...res });
      } catch (error) {
        reply({ ok: false, error: error?.stack ?? String(error) });
      }
    }
    busy = false;
  }
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (!line.trim()) return;
      queue.push(line);
      pump();
    })
    .on('close', () => onQuit());
}
