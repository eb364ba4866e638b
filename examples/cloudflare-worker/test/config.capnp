# workerd (Cloudflare Workers' runtime) running src/worker.js as wrangler would deploy it, for
# test/run.mjs: `workerd serve config.capnp --control-fd 3` on 127.0.0.1 (a port the OS picks).
# The modules are what wrangler's bundle holds: the Worker, the package's browser build
# (dist/browser.js, what the workerd/worker/browser export conditions select), the simd binary
# as a precompiled wasm module and the model file as data. Paths are relative to this file:
# `npm run build` must have made dist/.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  compatibilityDate = "2026-10-01",
  modules = [
    (name = "worker.js", esModule = embed "../src/worker.js"),
    (name = "wasm-rnn", esModule = embed "../../../dist/browser.js"),
    (name = "wasm-rnn/wasm/simd.wasm", wasm = embed "../../../dist/generated/simd/wasm_rnn_bg.wasm"),
    (name = "model.bin", data = embed "../src/model.bin"),
  ],
);
