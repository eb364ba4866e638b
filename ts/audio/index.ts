export { decodeWav, toMono } from './wav';
export type { DecodedWav } from './wav';
export { resample, logMelSpectrogram, mfcc } from './features';
export type { LogMelOptions, MfccOptions } from './features';
