// The page side of lib/browser-child.mjs: runs a peer module with lib/peer-driver.mjs (the same
// request loop as the Node peers). Cases and ONNX models are fetched from the runner's server;
// a check's arrays go back as one POST /upload of raw float32 bytes.
import { caseFromBytes, packArrays } from '../case-format.mjs';
import { peerDriver } from '../peer-driver.mjs';

const served = (path) => `/fs${path.split('/').map(encodeURIComponent).join('/')}`;

async function fetchOk(url, init) {
  const r = await fetch(url, init);
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${r.status} ${await r.text()}`);
  return r;
}

let handle;

window.benchStart = (moduleUrl, options) => {
  handle = peerDriver({
    createPeer: async () => (await import(moduleUrl)).create(options),
    environment: () => ({ userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated }),
    readCase: async (path, meta) => caseFromBytes(new Uint8Array(await (await fetchOk(served(path))).arrayBuffer()), meta),
    writeArrays: async (_path, arrays) => {
      const { bytes, list } = packArrays(arrays);
      await fetchOk('/upload', { method: 'POST', body: bytes });
      return { arrays: list };
    },
  });
};

window.benchHandle = (req) => {
  // The ONNX model is a file of the runner's; the page reaches it through the server.
  if (req.cmd === 'setup' && req.meta.onnxPath) return handle({ ...req, meta: { ...req.meta, onnxPath: served(req.meta.onnxPath) } });
  return handle(req);
};

window.benchReady = true;
