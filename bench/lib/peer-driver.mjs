// The request handler every JavaScript peer process runs, in Node (lib/node-child.mjs) and in a
// browser page (lib/browser/page.mjs). It holds no I/O of its own: the host says how a case is
// read and what happens to the arrays a check returns, so the same code drives a peer in both.
//
//   {cmd:'hello'}                          -> {info}
//   {cmd:'setup', meta, casePath}          -> {modes: {infer: true | 'why not', ...}, notes}
//   {cmd:'check', mode, outPath}           -> {arrays: [{name, len}]}   (+ whatever the host adds)
//   {cmd:'time', mode, iters}              -> {ms}                      (iters calls, timed here;
//                                             + what the prepared call's optional report() adds)

/**
 * @param {object} host
 * @param {() => Promise<object>} host.createPeer            imports the peer module and calls create()
 * @param {() => object} host.environment                    what the info answer says about the runtime
 * @param {(path: string, meta: object) => Promise<object>} host.readCase   case file → named Float32Arrays
 * @param {(path: string, arrays: object) => Promise<object>} host.writeArrays  → {arrays: [{name, len}], ...}
 */
export function peerDriver(host) {
  let peer;
  let prepared = new Map();
  return async function handle(req) {
    switch (req.cmd) {
      case 'hello':
        peer = await host.createPeer();
        return { info: { ...host.environment(), ...(await peer.info()) } };
      case 'setup': {
        prepared = new Map();
        if (peer.teardown) await peer.teardown();
        const data = req.casePath ? await host.readCase(req.casePath, req.meta) : {};
        const res = await peer.setup(req.meta, data);
        return { modes: res.modes, notes: res.notes ?? [] };
      }
      case 'check':
        prepared.delete(req.mode); // a check may disturb streaming state; prepare again after
        return host.writeArrays(req.outPath, await peer.check(req.mode));
      case 'time': {
        let p = prepared.get(req.mode);
        if (!p) {
          p = await peer.prepare(req.mode);
          prepared.set(req.mode, p);
        }
        const { fn, isAsync, report } = p;
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
        return report ? { ms, ...report() } : { ms };
      }
      case 'quit':
        if (peer?.teardown) await peer.teardown();
        return {};
      default:
        throw new Error(`unknown command ${req.cmd}`);
    }
  };
}
