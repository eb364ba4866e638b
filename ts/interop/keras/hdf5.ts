/**
 * Reading Keras' `model.weights.h5` with jsfive (pure JavaScript HDF5). Every dataset is
 * checked against the shape the config implies before its data is read, so a tampered file
 * cannot make us read (or allocate) more than the model needs; whatever jsfive throws on a
 * malformed file becomes E_FORMAT naming the dataset.
 */
import * as hdf5 from 'jsfive';
import { WasmRnnError } from './core';

export interface WeightArray {
  data: Float32Array;
  shape: number[];
}

const FLOAT_DTYPES = new Set(['<f4', '<f8', '<f2', '>f4', '>f8']);

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class KerasWeights {
  readonly #file: hdf5.File;

  constructor(bytes: Uint8Array) {
    // jsfive reads an ArrayBuffer from its start: hand it exactly the entry's bytes.
    const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    try {
      this.#file = new hdf5.File(buffer as ArrayBuffer, 'model.weights.h5');
    } catch (e) {
      throw new WasmRnnError('E_FORMAT', `.keras file: model.weights.h5 is not a readable HDF5 file (${describeError(e)})`);
    }
  }

  /** The variables of the layer at `path` ("layers/lstm/cell"): its `vars/0`, `vars/1`, … in order. */
  variables(path: string, expected: ReadonlyArray<readonly number[]>): WeightArray[] {
    return expected.map((shape, i) => this.#dataset(`${path}/vars/${i}`, shape));
  }

  #dataset(path: string, expected: readonly number[]): WeightArray {
    let dataset: { shape?: unknown; dtype?: unknown; value?: unknown } | null;
    try {
      dataset = this.#file.get(path) as typeof dataset;
    } catch (e) {
      throw new WasmRnnError('E_FORMAT', `.keras file: model.weights.h5 has no readable ${path} (${describeError(e)})`);
    }
    if (dataset === null || dataset === undefined || typeof dataset !== 'object' || !('dtype' in dataset)) {
      throw new WasmRnnError('E_FORMAT', `.keras file: model.weights.h5 has no dataset ${path} (does the config match the weights?)`);
    }
    let shape: unknown;
    let dtype: unknown;
    try {
      shape = dataset.shape;
      dtype = dataset.dtype;
    } catch (e) {
      throw new WasmRnnError('E_FORMAT', `.keras file: ${path} has an unreadable header (${describeError(e)})`);
    }
    if (!Array.isArray(shape) || shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
      throw new WasmRnnError('E_FORMAT', `.keras file: ${path} has shape ${JSON.stringify(shape)}, the config implies [${expected.join(', ')}]`);
    }
    if (typeof dtype !== 'string' || !FLOAT_DTYPES.has(dtype)) throw new WasmRnnError('E_UNSUPPORTED', `.keras file: ${path} has dtype ${JSON.stringify(dtype)} (float16/32/64 weights are supported)`);
    // Keras writes plain datasets. A filtered (compressed) one could inflate far beyond its
    // shape inside jsfive before we see the values: refuse it unread.
    let filters: unknown;
    try {
      filters = (dataset as { _dataobjects?: { filter_pipeline?: unknown } })._dataobjects?.filter_pipeline;
    } catch (e) {
      throw new WasmRnnError('E_FORMAT', `.keras file: ${path} has unreadable filter messages (${describeError(e)})`);
    }
    if (filters !== null && filters !== undefined) throw new WasmRnnError('E_UNSUPPORTED', `.keras file: ${path} is stored with HDF5 filters (compression); Keras writes plain datasets`);
    let value: unknown;
    try {
      value = dataset.value;
    } catch (e) {
      throw new WasmRnnError('E_FORMAT', `.keras file: the data of ${path} cannot be read (${describeError(e)})`);
    }
    const count = expected.reduce((a, b) => a * b, 1);
    const values = typeof value === 'number' && count === 1 ? [value] : value;
    if (!(Array.isArray(values) || ArrayBuffer.isView(values)) || (values as ArrayLike<number>).length !== count) {
      throw new WasmRnnError('E_FORMAT', `.keras file: ${path} holds ${(values as ArrayLike<number> | null)?.length ?? 'no'} values, its shape needs ${count}`);
    }
    const data = Float32Array.from(values as ArrayLike<number>);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) throw new WasmRnnError('E_FORMAT', `.keras file: ${path} holds a non-finite value at flat index ${i}`);
    }
    return { data, shape: [...expected] };
  }
}
