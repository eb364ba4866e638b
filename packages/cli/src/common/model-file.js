/**
 * Saving a trained model the way every command does: `<name>.safetensors` from `model.save()`
 * and `<name>.check.json`, a small input with the output the model gave for it, so anyone (the
 * tests) can reload the file with `loadModel` and see that it predicts the same.
 */
import { loadModel, tensor } from 'wasm-rnn';
import { fileError } from './errors.js';
import { readBytes, writeOutput } from './files.js';

export function saveModelFile(dir, name, model, sampleInput) {
  const path = writeOutput(dir, `${name}.safetensors`, model.save());
  const output = model.predict(sampleInput);
  const check = {
    input: { dtype: sampleInput.data instanceof Int32Array ? 'int32' : 'float32', shape: sampleInput.shape, data: Array.from(sampleInput.data) },
    output: { shape: output.shape, data: Array.from(output.data) },
  };
  writeOutput(dir, `${name}.check.json`, JSON.stringify(check));
  return path;
}

/** Loads a model file, turning any failure into one line naming the file. */
export async function loadModelFile(file) {
  const bytes = readBytes(file);
  try {
    return await loadModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw fileError(file, `not a readable wasm-rnn model (${e.message.split('\n')[0]})`);
  }
}

/** Sample 0 of a time-major batch ([T, N, F] features or [T, N] ids) as a batch of one. */
export function firstSample(x) {
  const [T, N, F = 1] = x.shape;
  const Ctor = x.data.constructor;
  const out = new Ctor(T * F);
  for (let t = 0; t < T; t++) out.set(x.data.subarray(t * N * F, t * N * F + F), t * F);
  return x.shape.length === 2 ? { data: out, shape: [T, 1] } : tensor(out, [T, 1, F]);
}
