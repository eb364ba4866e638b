# workerd (Cloudflare Workers' runtime) serving the wasm-rnn smoke checks; run by
# test/runtimes/workerd.mjs as `workerd serve config.capnp --socket-addr http=127.0.0.1:0 --control-fd 3`.
#
# Each variant runs in its own worker (isolate), since init() loads the wasm once per isolate:
# GET /default, /relaxed, /simd, /scalar on the "http" socket is routed by the "main" worker to
# that worker over a service binding, and answers the checks' report as JSON.
#
# workerd compiles no wasm from bytes at run time: the three builds are wasm modules here
# (`import relaxed from './relaxed.wasm'` is a WebAssembly.Module), handed to
# init({ variant, wasm }). The library is the published bundle, dist/index.js, unchanged.
# Paths are relative to this file: `npm run build` must have made dist/.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .router),
    (name = "default", worker = .defaultWorker),
    (name = "relaxed", worker = .relaxedWorker),
    (name = "simd", worker = .simdWorker),
    (name = "scalar", worker = .scalarWorker),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const compatibilityDate :Text = "2026-10-01";

const router :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = .compatibilityDate,
  bindings = [
    (name = "MODE", text = "router"),
    (name = "default", service = "default"),
    (name = "relaxed", service = "relaxed"),
    (name = "simd", service = "simd"),
    (name = "scalar", service = "scalar"),
  ],
);
const defaultWorker :Workerd.Worker = (
  modules = .modules, compatibilityDate = .compatibilityDate,
  bindings = [ (name = "MODE", text = "default") ],
);
const relaxedWorker :Workerd.Worker = (
  modules = .modules, compatibilityDate = .compatibilityDate,
  bindings = [ (name = "MODE", text = "relaxed") ],
);
const simdWorker :Workerd.Worker = (
  modules = .modules, compatibilityDate = .compatibilityDate,
  bindings = [ (name = "MODE", text = "simd") ],
);
const scalarWorker :Workerd.Worker = (
  modules = .modules, compatibilityDate = .compatibilityDate,
  bindings = [ (name = "MODE", text = "scalar") ],
);

# The golden cases are test/runtimes/checks.mjs's SMOKE_CASES (a missing one fails the check).
const modules :List(Workerd.Worker.Module) = [
  (name = "worker.mjs", esModule = embed "worker.mjs"),
  (name = "checks.mjs", esModule = embed "../checks.mjs"),
  (name = "index.js", esModule = embed "../../../dist/index.js"),
  (name = "relaxed.wasm", wasm = embed "../../../dist/generated/relaxed/wasm_rnn_bg.wasm"),
  (name = "simd.wasm", wasm = embed "../../../dist/generated/simd/wasm_rnn_bg.wasm"),
  (name = "scalar.wasm", wasm = embed "../../../dist/generated/scalar/wasm_rnn_bg.wasm"),
  (name = "golden/lstm_i3_h5_p2_l2_t5_b3_bi.json", json = embed "../../golden/data/lstm_i3_h5_p2_l2_t5_b3_bi.json"),
  (name = "golden/lstm_i3_h5_p2_l2_t5_b3_bi.f64", data = embed "../../golden/data/lstm_i3_h5_p2_l2_t5_b3_bi.f64"),
  (name = "golden/gru_i5_h7_l2_t6_b3_bi.json", json = embed "../../golden/data/gru_i5_h7_l2_t6_b3_bi.json"),
  (name = "golden/gru_i5_h7_l2_t6_b3_bi.f64", data = embed "../../golden/data/gru_i5_h7_l2_t6_b3_bi.f64"),
  (name = "golden/lstm_i5_h3_l2_t5_b3_bf.json", json = embed "../../golden/data/lstm_i5_h3_l2_t5_b3_bf.json"),
  (name = "golden/lstm_i5_h3_l2_t5_b3_bf.f64", data = embed "../../golden/data/lstm_i5_h3_l2_t5_b3_bf.f64"),
  (name = "golden/gru_i3_h3_l3_t3_b5_bi_bf.json", json = embed "../../golden/data/gru_i3_h3_l3_t3_b5_bi_bf.json"),
  (name = "golden/gru_i3_h3_l3_t3_b5_bi_bf.f64", data = embed "../../golden/data/gru_i3_h3_l3_t3_b5_bi_bf.f64"),
];
