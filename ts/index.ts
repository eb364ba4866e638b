/**
 * wasm-rnn: RNN, LSTM and GRU layers with PyTorch's conventions, computed by SIMD WebAssembly
 * kernels (forward and backpropagation through time).
 *
 * ```ts
 * import { init, LSTM, tensor } from 'wasm-rnn';
 * await init();
 * const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
 * const { output, hN, cN } = lstm.forward(tensor(new Float32Array(2 * 1 * 3), [2, 1, 3]));
 * ```
 */
export { init, loadedVariant, wasmMemoryBytes } from './backend/init';
export type { InitOptions, Variant, WasmSource, WasmResponse, CompiledWasmModule } from './backend/init';
export { memoryUsage } from './backend/memory';
export type { MemoryUsage } from './backend/memory';
export { WasmRnnError } from './errors';
export type { WasmRnnErrorCode } from './errors';
export { tensor, zeros } from './tensor';
export type { Tensor, Dtype } from './tensor';
export { RNN } from './layers/rnn';
export type { RNNOptions } from './layers/rnn';
export { LSTM } from './layers/lstm';
export type { LSTMOptions, LSTMForwardOptions, LSTMForwardResult, LSTMBackwardOptions, LSTMGradients } from './layers/lstm';
export { GRU } from './layers/gru';
export type { GRUOptions } from './layers/gru';
export { RecurrentLayer } from './layers/recurrent';
export type { RecurrentOptions, MergeMode, ForwardOptions, ForwardResult, BackwardOptions, Gradients, LoadStateDictOptions } from './layers/recurrent';
export { manualSeed } from './layers/seed';
export { Sequential, loadModel } from './model';
export { fromSafetensors } from './interop/torch';
/** @internal The wasm bridge of the `wasm-rnn/onnx` entry. */
export { onnxInternals } from './interop/onnx/bridge';
export type { Layer, LayerConfig, SequentialOptions, CompileOptions, ModelState, ModelInput, FitOptions, History, EarlyStoppingOptions } from './model';
export { Embedding, Dense, LayerNorm, Dropout, Activation } from './model/layers';
export type { EmbeddingOptions, DenseOptions, LayerNormOptions, DropoutOptions, ActivationOptions, ActivationType } from './model/layers';
export { Optimizer, SGD, Adam, AdamW, RMSprop } from './model/optimizers';
export type { SGDOptions, AdamOptions, RMSpropOptions } from './model/optimizers';
export type { LossSpec, LossName } from './model/losses';
export type { LrSchedule } from './model/schedule';
export { MinMaxScaler, StandardScaler, slidingWindows, chronologicalSplit, splitSeries, CharVocab, WordVocab, tokenizeWords, revivePreprocessing } from './data';
export type { MinMaxScalerOptions, MinMaxScalerJSON, StandardScalerJSON, SlidingWindowOptions, Windows, SplitFractions, SplitRanges, SeriesSplit, CharVocabOptions, CharVocabJSON, WordVocabOptions, WordVocabJSON, Preprocessor } from './data';
export { decodeWav, toMono, resample, logMelSpectrogram, mfcc } from './audio';
export type { DecodedWav, LogMelOptions, MfccOptions } from './audio';
export { WorkerPool } from './parallel/pool';
export type { WorkerPoolOptions } from './parallel/pool';
export { ParallelLayer } from './parallel/parallel-layer';
export type { ParallelLayerOptions, ParallelForwardResult, ParallelGradients } from './parallel/parallel-layer';
