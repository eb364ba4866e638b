// The implementations the suite can time, and how each one's process is started.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Child } from './child.mjs';
import { pkgVersion } from './versions.mjs';

/**
 * kind: 'ours' (this library, one wasm variant), 'pool' (the same through a WorkerPool of
 *       --workers threads; opt-in), 'native' (same Rust kernels, native code), 'peer', 'peak'
 *       (roofline microkernel).
 * js:   runs in a Node.js child (and so under the --node runtime(s)).
 * browser: also runs in a browser page (the --browser runtime); packages: the bench
 *       dependencies whose versions it reports (passed in, a page cannot read node_modules).
 */
export const IMPLS = [
  { id: 'ours-relaxed', kind: 'ours', js: true, browser: true, module: 'wasm-rnn.mjs', options: { variant: 'relaxed' }, relaxed: true, label: 'wasm-rnn relaxed-SIMD' },
  { id: 'ours-simd', kind: 'ours', js: true, browser: true, module: 'wasm-rnn.mjs', options: { variant: 'simd' }, label: 'wasm-rnn SIMD' },
  { id: 'ours-scalar', kind: 'ours', js: true, browser: true, module: 'wasm-rnn.mjs', options: { variant: 'scalar' }, label: 'wasm-rnn scalar' },
  { id: 'pool-relaxed', kind: 'pool', js: true, browser: true, module: 'wasm-rnn.mjs', options: { variant: 'relaxed', pool: true }, relaxed: true, label: 'wasm-rnn relaxed-SIMD, WorkerPool' },
  { id: 'pool-simd', kind: 'pool', js: true, browser: true, module: 'wasm-rnn.mjs', options: { variant: 'simd', pool: true }, label: 'wasm-rnn SIMD, WorkerPool' },
  { id: 'native', kind: 'native', js: false, label: 'same Rust kernels, native, x86-64 baseline (SSE2)' },
  { id: 'native-host', kind: 'native', js: false, label: 'same Rust kernels, native, -C target-cpu=native' },
  { id: 'pytorch', kind: 'peer', js: false, label: 'PyTorch CPU, 1 thread' },
  { id: 'ort-web', kind: 'peer', js: true, browser: true, packages: ['onnxruntime-web'], module: 'ort-web.mjs', needsOnnx: true, label: 'onnxruntime-web wasm, 1 thread' },
  { id: 'ort-node', kind: 'peer', js: true, native: true, module: 'ort-node.mjs', needsOnnx: true, label: 'onnxruntime-node CPU, 1 thread' },
  { id: 'tfjs-wasm', kind: 'peer', js: true, module: 'tfjs.mjs', options: { backend: 'wasm' }, label: 'TF.js layers, wasm backend' },
  { id: 'tfjs-cpu', kind: 'peer', js: true, module: 'tfjs.mjs', options: { backend: 'cpu' }, label: 'TF.js layers, cpu backend' },
  { id: 'brain', kind: 'peer', js: true, module: 'brain.mjs', label: 'brain.js (own cells, batch 1)' },
  { id: 'naive-js', kind: 'peer', js: true, browser: true, module: 'naive-js.mjs', label: 'naive JS loops' },
  { id: 'peak-relaxed', kind: 'peak', js: true, browser: true, packages: ['wabt'], module: 'roofline.mjs', options: { kind: 'relaxed' }, relaxed: true, label: 'wasm peak, f32x4.relaxed_madd' },
  { id: 'peak-simd', kind: 'peak', js: true, browser: true, packages: ['wabt'], module: 'roofline.mjs', options: { kind: 'simd' }, label: 'wasm peak, f32x4.mul+add' },
  { id: 'peak-scalar', kind: 'peak', js: true, browser: true, packages: ['wabt'], module: 'roofline.mjs', options: { kind: 'scalar' }, label: 'wasm peak, f32 mul+add' },
];

/** Names accepted by --peers, each standing for one or more ids. */
export const PEER_ALIASES = {
  ours: ['ours-relaxed', 'ours-simd', 'ours-scalar'],
  natives: ['native', 'native-host'],
  tfjs: ['tfjs-wasm', 'tfjs-cpu'],
  ort: ['ort-web', 'ort-node'],
  naive: ['naive-js'],
  torch: ['pytorch'],
  peak: ['peak-relaxed', 'peak-simd', 'peak-scalar'],
  pool: ['pool-relaxed', 'pool-simd'],
  // The pool rows use several threads: opt-in (--peers all,pool).
  all: IMPLS.filter((i) => i.kind !== 'pool').map((i) => i.id),
};

/** The variant of ours each roofline kernel is the ceiling of. */
export const PEAK_OF = { 'ours-relaxed': 'peak-relaxed', 'ours-simd': 'peak-simd', 'ours-scalar': 'peak-scalar' };

export function expandPeers(list) {
  const out = new Set();
  for (const name of list) {
    const ids = PEER_ALIASES[name] ?? (IMPLS.some((i) => i.id === name) ? [name] : null);
    if (!ids) throw new Error(`unknown peer "${name}"; known: ${[...Object.keys(PEER_ALIASES), ...IMPLS.map((i) => i.id)].join(', ')}`);
    ids.forEach((id) => out.add(id));
  }
  return IMPLS.filter((i) => out.has(i.id)).map((i) => i.id);
}

/**
 * Starts the process of one implementation instance.
 * @param {object} impl      an IMPLS entry
 * @param {object} ctx       { benchDir, workDir, repoRoot, distDir, runtime: {kind, major, execPath}, native, torch, workers }
 */
export function spawnImpl(impl, instanceId, ctx) {
  const logPath = join(ctx.workDir, 'logs', `${instanceId}.log`);
  if (impl.kind === 'native') {
    return new Child({
      name: instanceId,
      command: ctx.native[impl.id].bin,
      args: ['--serve'],
      env: process.env,
      logPath,
      encode: (req) => {
        const m = req.meta;
        if (req.cmd === 'setup') return `setup ${m.cell} ${m.batch} ${m.seq} ${m.input} ${m.hidden} ${req.casePath}`;
        if (req.cmd === 'check') return `check ${req.mode} ${req.outPath}`;
        if (req.cmd === 'time') return `time ${req.mode} ${req.iters}`;
        return req.cmd;
      },
    });
  }
  if (impl.id === 'pytorch') {
    const env = { ...process.env };
    // One thread everywhere, OpenBLAS (serial build) ahead of the reference BLAS. The
    // OPENBLAS_CORETYPE / L2_SIZE overrides some machines set would slow a current OpenBLAS.
    env.LD_LIBRARY_PATH = [ctx.torch.openblasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    Object.assign(env, { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' });
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    return new Child({ name: instanceId, command: ctx.torch.python, args: [join(ctx.benchDir, 'peers', 'pytorch_peer.py')], env, logPath });
  }
  const { runtime } = ctx;
  const options = { ...(impl.options ?? {}), workers: impl.kind === 'pool' ? ctx.workers : 1 };
  options.versions = Object.fromEntries((impl.packages ?? []).map((name) => [name, pkgVersion(name)]));
  if (impl.kind === 'ours' || impl.kind === 'pool') {
    const pkg = JSON.parse(readFileSync(join(ctx.distDir, '..', 'package.json'), 'utf8'));
    options.library = { url: pathToFileURL(join(ctx.distDir, 'index.js')).href, package: `${pkg.name}@${pkg.version}` };
  }
  if (runtime.kind === 'browser') {
    // Files the page may fetch: the library, the peers, bench/node_modules, and the cases and models.
    const host = { executablePath: runtime.execPath, roots: [ctx.repoRoot, ctx.workDir] };
    return new Child({
      name: instanceId,
      command: process.execPath,
      args: [join(ctx.benchDir, 'lib', 'browser-child.mjs'), join(ctx.benchDir, 'peers', impl.module), JSON.stringify(options), JSON.stringify(host)],
      env: process.env,
      logPath,
    });
  }
  const flags = [];
  // Relaxed SIMD shipped in V8 11.4 / Node 22; Node 20 needs the flag (later versions reject it).
  if (impl.relaxed && runtime.major < 22) flags.push('--experimental-wasm-relaxed-simd');
  return new Child({
    name: instanceId,
    command: runtime.execPath,
    args: [...flags, join(ctx.benchDir, 'lib', 'node-child.mjs'), join(ctx.benchDir, 'peers', impl.module), JSON.stringify(options)],
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    logPath,
  });
}
