// The roofline: this engine's peak single-thread wasm GFLOP/s, from a tiny microkernel written in
// the WebAssembly text format and compiled with wabt (npm). N independent accumulator chains
// (a = a·m + c, m = 0.999, c = 0.001: values stay near 1, no denormals), unrolled 4×. Enough
// chains hide the mul→add (or FMA) latency; too many spill out of the 16 xmm registers V8
// allocates. So setup builds N = 8, 10 and 12 and keeps the fastest. Kernels:
//   simd     f32x4.mul + f32x4.add   (what the "simd" build can use)        8 flop per chain step
//   relaxed  f32x4.relaxed_madd      (FMA, what the "relaxed" build can use) 8 flop per chain step
//   scalar   f32.mul + f32.add                                              2 flop per chain step
// It takes part in every timing round like a peer (so it sees the same machine noise); the
// report divides each of our variants' GFLOP/s by the peak of the matching kernel. In a browser
// page (which has no wabt) the runner passes the kernels already compiled (`compileKernels`).

const CHAIN_CHOICES = [8, 10, 12];
const UNROLL = 4;
const ITERS = 1 << 16; // loop iterations per call

export function wat(kind, CHAINS) {
  const v = kind !== 'scalar';
  const ty = v ? 'v128' : 'f32';
  const step = (i) => {
    const a = `(local.get $a${i})`;
    if (kind === 'relaxed') return `(local.set $a${i} (f32x4.relaxed_madd ${a} (local.get $m) (local.get $c)))`;
    if (kind === 'simd') return `(local.set $a${i} (f32x4.add (f32x4.mul ${a} (local.get $m)) (local.get $c)))`;
    return `(local.set $a${i} (f32.add (f32.mul ${a} (local.get $m)) (local.get $c)))`;
  };
  const width = v ? 16 : 4;
  const load = (i) => `(local.set $a${i} (${ty}.load offset=${i * width} (i32.const 0)))`;
  const store = (i) => `(${ty}.store offset=${i * width} (i32.const 0) (local.get $a${i}))`;
  const locals = Array.from({ length: CHAINS }, (_, i) => `(local $a${i} ${ty})`).join(' ');
  const body = [];
  for (let u = 0; u < UNROLL; u++) for (let i = 0; i < CHAINS; i++) body.push(step(i));
  const m = v ? '(v128.const f32x4 0.999 0.999 0.999 0.999)' : '(f32.const 0.999)';
  const c = v ? '(v128.const f32x4 0.001 0.001 0.001 0.001)' : '(f32.const 0.001)';
  return `(module
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) ${locals} (local $m ${ty}) (local $c ${ty})
    (local.set $m ${m})
    (local.set $c ${c})
    ${Array.from({ length: CHAINS }, (_, i) => load(i)).join('\n    ')}
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $loop
        ${body.join('\n        ')}
        (br_if $loop (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    ${Array.from({ length: CHAINS }, (_, i) => store(i)).join('\n    ')}))`;
}

export function flopsPerCall(kind, chains) {
  return ITERS * UNROLL * chains * (kind === 'scalar' ? 2 : 8);
}

/** The kernel of every chain count, as wasm bytes: {chains: Uint8Array}. */
export async function compileKernels(kind) {
  const wabt = await (await import('wabt')).default();
  const out = {};
  for (const chains of CHAIN_CHOICES) {
    const mod = wabt.parseWat(`peak-${kind}-${chains}.wat`, wat(kind, chains), { simd: true, relaxed_simd: true });
    out[chains] = mod.toBinary({}).buffer;
    mod.destroy();
  }
  return out;
}

async function build(buffer, kind, chains) {
  if (!WebAssembly.validate(buffer)) throw new Error(`this engine cannot run the ${kind} kernel${kind === 'relaxed' ? ' (relaxed SIMD: Node 20 needs --experimental-wasm-relaxed-simd)' : ''}`);
  const { instance } = await WebAssembly.instantiate(buffer);
  const f32 = new Float32Array(instance.exports.memory.buffer, 0, chains * 4);
  for (let i = 0; i < f32.length; i++) f32[i] = 0.5 + i / 100; // distinct chains
  return instance.exports.run;
}

/** kernels: compileKernels(kind)'s result with each buffer base64-encoded (a browser page), or absent (Node: compiled here). */
export async function create({ kind, versions, kernels }) {
  const binaries = kernels ? Object.fromEntries(Object.entries(kernels).map(([c, b64]) => [c, fromBase64(b64)])) : await compileKernels(kind);
  let best = { rate: 0 };
  const tried = {};
  for (const chains of CHAIN_CHOICES) {
    const run = await build(binaries[chains], kind, chains);
    let rate = 0;
    for (let rep = 0; rep < 7; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) run(ITERS);
      rate = Math.max(rate, (5 * flopsPerCall(kind, chains)) / (performance.now() - t0) / 1e6);
    }
    tried[chains] = Math.round(rate * 10) / 10;
    if (rate > best.rate) best = { rate, run, chains };
  }
  const { run, chains } = best;
  return {
    async info() {
      return { package: `wabt@${versions.wabt}`, kernel: kind, chains, unroll: UNROLL, flopsPerCall: flopsPerCall(kind, chains), setupGflopsByChains: tried };
    },
    async setup() {
      return { modes: { infer: true, stream: true, train: true } };
    },
    async prepare() {
      return { fn: () => run(ITERS) };
    },
    async check() {
      return {};
    },
  };
}

function fromBase64(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** In a browser page (no wabt there): the kernels compiled here, base64-encoded. */
export async function browserOptions({ kind }) {
  const kernels = {};
  for (const [chains, bytes] of Object.entries(await compileKernels(kind))) kernels[chains] = Buffer.from(bytes).toString('base64');
  return { kernels };
}
