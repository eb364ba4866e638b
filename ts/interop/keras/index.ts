/**
 * `wasm-rnn/keras`: import Keras 3 `.keras` files. A separate entry, so the zip and HDF5
 * readers (fflate, jsfive) load only for those who import Keras models.
 *
 * ```ts
 * import { init } from 'wasm-rnn';
 * import { loadKeras } from 'wasm-rnn/keras';
 * await init();
 * const model = await loadKeras(bytes);      // batch-first, like the Keras model: [B, T, F] / ids [B, T]
 * const y = model.predict(tensor(x, [B, T, F]));
 * ```
 */
import { Activation, Dense, Dropout, Embedding, GRU, LSTM, LayerNorm, type Layer, type LayerConfig, RNN, Sequential, WasmRnnError } from './core';
import { readKerasArchive } from './archive';
import { planFromConfig } from './config';
import { KerasWeights } from './hdf5';
import { KerasSequential } from './keras-sequential';
import { maskOrder } from './masking';

export { KerasSequential, maskOrder };
export type { KerasSequentialOptions } from './keras-sequential';

export interface LoadKerasOptions {
  /** Seed of the model's dropout masks and shuffling in later training. @defaultValue 0 */
  seed?: number;
}

/** A layer of the public API from its config (the keys of Sequential's `config`). */
function buildLayer(c: LayerConfig): Layer {
  const o = c as never;
  switch (c.type) {
    case 'Embedding':
      return new Embedding(o);
    case 'Dense':
      return new Dense(o);
    case 'LayerNorm':
      return new LayerNorm(o);
    case 'Dropout':
      return new Dropout(o);
    case 'Activation':
      return new Activation({ ...c, type: c.activation } as never);
    case 'LSTM':
      return new LSTM(o);
    case 'GRU':
      return new GRU(o);
    default:
      return new RNN({ ...c, nonlinearity: c.cell === 'rnn_relu' ? 'relu' : 'tanh' } as never);
  }
}

/**
 * A `Sequential` with the architecture and weights of a Keras 3 `.keras` file (keras.Sequential
 * of InputLayer, Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, LayerNormalization,
 * Dropout, Activation, ReLU, LeakyReLU, ELU, Softmax). It is batch-first as the Keras model ([B, T, F], Int32 ids [B, T]); predict,
 * evaluate, trainStep, fit and save work as for any Sequential. With `Embedding(mask_zero=True)`
 * or `go_backwards` on its first recurrent layer it is a {@link KerasSequential}, which applies
 * them to its inputs. Unsupported layers or options throw
 * E_UNSUPPORTED naming them; a malformed or hostile file throws E_FORMAT.
 */
export async function loadKeras(bytes: Uint8Array | ArrayBuffer, options: LoadKerasOptions = {}): Promise<Sequential> {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const archive = readKerasArchive(view);
  const plan = planFromConfig(archive.config);
  // Weights first: a file whose weights do not fit its config never allocates a model.
  const dict = plan.readWeights(new KerasWeights(archive.weights));
  const layers = plan.layers.map(buildLayer);
  const seed = options.seed ?? 0;
  const model =
    plan.maskZero || plan.reverseInput
      ? new KerasSequential(layers, { seed, maskZero: plan.maskZero, carryMaskedOutput: plan.carryMaskedOutput, reverseInput: plan.reverseInput })
      : new Sequential(layers, { seed, batchFirst: true });
  try {
    model.loadStateDict(dict as never);
  } catch (e) {
    model.dispose();
    throw e instanceof WasmRnnError ? new WasmRnnError('E_FORMAT', `.keras file: the weights do not fit the model: ${e.message}`) : e;
  }
  return model;
}
