// Running the `wasm-rnn` command line (bin/wasm-rnn.mjs → packages/cli over dist/) from tests,
// and the checks every command's output gets.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadModel, tensor } from '../../ts/index';

export const repoRoot = join(__dirname, '..', '..');

/** Runs `wasm-rnn ...args`; its exit code and output. */
export function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/wasm-rnn.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every number in a summary (nested) must be finite. */
export function expectFinite(value: unknown, path: string): void {
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  else if (Array.isArray(value)) value.forEach((v, i) => expectFinite(v, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) expectFinite(v, `${path}.${k}`);
}

/** The model file reloads and gives the output the CLI recorded for its sample input. */
export async function expectReloads(dir: string, name: string): Promise<void> {
  // A plain Uint8Array: loadModel given a Node Buffer once misread it (Buffer#slice is a view).
  const model = await loadModel(new Uint8Array(readFileSync(join(dir, `${name}.safetensors`))));
  const check = JSON.parse(readFileSync(join(dir, `${name}.check.json`), 'utf8'));
  const x = check.input.dtype === 'int32' ? { data: Int32Array.from(check.input.data), shape: check.input.shape } : tensor(Float32Array.from(check.input.data), check.input.shape);
  const out = model.predict(x);
  expect(out.shape).toEqual(check.output.shape);
  const worst = Math.max(...Array.from(out.data, (v, i) => Math.abs(v - check.output.data[i]) / (1 + Math.abs(check.output.data[i]))));
  expect(worst).toBeLessThan(1e-4);
  model.dispose();
}
