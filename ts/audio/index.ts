export { decodeWav, toMono } from './wav';
export type { DecodedWav } from './wav';
export { resample, logMelSpectrogram } from './features';
export type { LogMelOptions } from './features';
