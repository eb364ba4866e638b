/**
 * WorkerPoolOptions.wasm: the binary the workers load when they cannot find it next to their
 * script (a bundler moved the worker; the browser build hands over the page's module by
 * default). The option must reach every worker: a module of another build is refused there.
 * Workers run the built bundle (dist/worker.js): `npm test` builds dist/ first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Variant } from '../ts/backend/init';
import { type Tensor, tensor } from '../ts/index';

const distEntry = new URL('../dist/index.js', import.meta.url);
type Dist = typeof import('../ts/index');
let dist: Dist;
const VARIANT = (process.env.WASM_RNN_VARIANT ?? 'simd') as Variant;
/** Another build this engine runs, to prove the option reaches the workers. */
const OTHER: Variant = VARIANT === 'scalar' ? 'simd' : 'scalar';
const binary = (v: Variant) => new URL(`../dist/generated/${v}/wasm_rnn_bg.wasm`, import.meta.url);

beforeAll(async () => {
  if (!existsSync(distEntry)) throw new Error('dist/ is missing: run `npm run build` before the pool tests');
  dist = (await import(distEntry.href)) as Dist;
  await dist.init({ variant: VARIANT });
});

const x = tensor(Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.sin(i)), [4, 3, 2]);
const options = { inputSize: 2, hiddenSize: 5, seed: 11 };

async function poolForward(wasm: unknown): Promise<Tensor> {
  const pool = await dist.WorkerPool.create({ workers: 2, variant: VARIANT, wasm: wasm as never });
  try {
    return (await (await pool.lstm(options)).forward(x)).output;
  } finally {
    await pool.terminate();
  }
}

/** Splitting the batch may reorder float32 sums (relaxed FMA paths), as in test/pool.test.ts. */
function expectClose(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  let worst = 0;
  for (let i = 0; i < actual.data.length; i++) worst = Math.max(worst, Math.abs(actual.data[i]! - expected.data[i]!));
  expect(worst).toBeLessThan(1e-5);
}

describe('WorkerPoolOptions.wasm', () => {
  const single = () => new dist.LSTM(options).forward(x).output;

  it('a compiled WebAssembly.Module of the build: the workers run it, results as one thread', async () => {
    const module = await WebAssembly.compile(readFileSync(binary(VARIANT)));
    expectClose(await poolForward(module), single());
  });

  it('a URL of the binary', async () => {
    expectClose(await poolForward(pathToFileURL(binary(VARIANT).pathname)), single());
  });

  it('the module of another build → create() rejects with E_WASM_LOAD from the workers', async () => {
    const module = await WebAssembly.compile(readFileSync(binary(OTHER)));
    await expect(poolForward(module)).rejects.toMatchObject({ name: 'WasmRnnError', code: 'E_WASM_LOAD' });
  });
});
