/**
 * The library as the Keras importer sees it: its public API, imported by the package's own
 * name. In the package, dist/keras.js therefore shares the one wasm instance (and the classes:
 * `instanceof Sequential`, `WasmRnnError`) of whichever wasm-rnn build the app loads, instead of
 * bundling a second copy. In this repository tsconfig `paths` and vitest's alias map the name to
 * ts/index.ts.
 */
export { Activation, GRU, Sequential, Embedding, Dense, LayerNorm, Dropout, LSTM, RNN, WasmRnnError, tensor } from 'wasm-rnn';
export type { Layer, LayerConfig, ModelInput, SequentialOptions, FitOptions, History, Tensor } from 'wasm-rnn';
