/** Models and training: Sequential, its fit loop, and model files. */
export { Sequential } from './sequential';
export type { Layer, LayerConfig, SequentialOptions, CompileOptions, ModelState, ModelInput } from './sequential';
export type { FitOptions, History, EarlyStoppingOptions, EpochLogs } from './fit';
export { loadModel, saveModel } from './persist';
