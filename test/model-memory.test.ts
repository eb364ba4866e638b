/**
 * The memory rule holds for models too: inputs that cannot fit the instance's budget are refused
 * with E_TOO_LARGE before they are copied into wasm memory, and a model's buffers that would
 * pass the budget fail with E_TOO_LARGE (not a trap); the model keeps working afterwards.
 */
import { describe, expect, it } from 'vitest';
import { Dense, LSTM, SGD, Sequential, WasmRnnError, tensor, wasmMemoryBytes } from '../ts/index';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WasmRnnError);
    return (e as WasmRnnError).code;
  }
  return 'no error';
}

describe('Sequential memory budget', () => {
  it('an input of 2^29 floats → E_TOO_LARGE before wasm memory grows; the model still trains', () => {
    const model = new Sequential([new Dense({ inputSize: 1, outputSize: 1 })], { seed: 1 });
    model.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.1 }) });
    const before = wasmMemoryBytes();
    const huge = tensor(new Float32Array(2 ** 29), [1, 2 ** 29, 1]);
    expect(codeOf(() => model.predict(huge))).toBe('E_TOO_LARGE');
    expect(codeOf(() => model.trainStep(huge, huge))).toBe('E_TOO_LARGE');
    expect(wasmMemoryBytes()).toBe(before);
    const loss = model.trainStep(tensor(new Float32Array([1, 2]), [1, 2, 1]), tensor(new Float32Array([2, 4]), [1, 2, 1]));
    expect(Number.isFinite(loss)).toBe(true);
    model.dispose();
  });

  it('activations past the budget (a long sequence through a wide LSTM) → E_TOO_LARGE, not a trap', () => {
    const model = new Sequential([new LSTM({ inputSize: 1, hiddenSize: 512 }), new Dense({ inputSize: 512, outputSize: 1 })], { seed: 1 });
    model.compile({ loss: 'mse', optimizer: new SGD({ lr: 0.1 }) });
    // 400k steps × 512 hidden × (4 gates + states + outputs) floats is far above 3 GiB.
    const T = 400_000;
    const x = tensor(new Float32Array(T), [T, 1, 1]);
    expect(codeOf(() => model.trainStep(x, tensor(new Float32Array(T), [T, 1, 1])))).toBe('E_TOO_LARGE');
    const ok = model.predict(tensor(new Float32Array(4), [4, 1, 1]));
    expect(ok.shape).toEqual([4, 1, 1]);
    model.dispose();
  }, 60_000);
});
