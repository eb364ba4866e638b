// Machine, runtime and repository facts recorded with every run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function sh(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...opts }).trim();
  } catch {
    return undefined;
  }
}

export function loadavg() {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

export function machineInfo(repoRoot) {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux
  }
  const field = (name) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1];
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const interesting = ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16', 'amx_tile', 'avx_vnni'];
  const status = sh('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot });
  return {
    date: new Date().toISOString(),
    cpuModel: field('model name') ?? os.cpus()[0]?.model,
    cpuMHz: field('cpu MHz') ? Number(field('cpu MHz')) : undefined,
    logicalCores: os.cpus().length,
    cpuFlags: Object.fromEntries(interesting.map((f) => [f, flags.has(f)])),
    hypervisor: flags.has('hypervisor'),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    git: {
      commit: sh('git', ['rev-parse', 'HEAD'], { cwd: repoRoot }),
      describe: sh('git', ['log', '-1', '--format=%h %s'], { cwd: repoRoot }),
      dirty: status === undefined ? undefined : status.length > 0,
    },
  };
}
