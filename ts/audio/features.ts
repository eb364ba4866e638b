/**
 * Speech features in wasm: resampling (torchaudio's `functional.resample` defaults), log-mel
 * spectrograms (torchaudio's `MelSpectrogram` defaults, then ln(x + logOffset)) and MFCCs
 * (torchaudio's `MFCC` with `log_mels: true`: the orthonormal DCT-II of each log-mel frame).
 */
import { bindings } from '../backend/init';
import { isTrap, recoverFromTrap } from '../backend/trap';
import { WasmRnnError, fromWasmError } from '../errors';
import { type Tensor, describe, isFloat32Array, tensor } from '../tensor';

function call<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isTrap(e)) recoverFromTrap();
    throw fromWasmError(e, where);
  }
}

function samplesOf(where: string, samples: unknown): Float32Array {
  if (!isFloat32Array(samples)) throw new WasmRnnError('E_DTYPE', `${where}: samples must be a Float32Array, got ${describe(samples)}`);
  return samples;
}

function rate(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2 ** 20) throw new WasmRnnError('E_ARGUMENT', `${where}: ${name} must be an integer sample rate in 1..=1048576, got ${JSON.stringify(v)}`);
  return v;
}

/** `samples` at `fromRate` Hz, resampled to `toRate` Hz (band-limited, Hann-windowed sinc). */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  const where = 'resample';
  const x = samplesOf(where, samples);
  const [from, to] = [rate(where, 'fromRate', fromRate), rate(where, 'toRate', toRate)];
  return call(where, () => bindings().audio_resample(x, from, to));
}

export interface LogMelOptions {
  sampleRate: number;
  /** @defaultValue 400 */
  nFft?: number;
  /** @defaultValue nFft */
  winLength?: number;
  /** @defaultValue floor(winLength / 2) */
  hopLength?: number;
  /** @defaultValue 128 */
  nMels?: number;
  /** @defaultValue 0 */
  fMin?: number;
  /** @defaultValue sampleRate / 2 */
  fMax?: number;
  /** ln(mel + logOffset). @defaultValue 1e-6 */
  logOffset?: number;
  /**
   * Dynamic range kept, in decibels: values more than topDb below the spectrogram's maximum are
   * raised to that floor (librosa's `power_to_db(top_db=…)`; 10 dB = ln(10) nats). It keeps the
   * recording's noise floor out of the features. @defaultValue Infinity (no floor)
   */
  topDb?: number;
}

/** The options as the 9 numbers the wasm side reads, validated. */
function melNumbers(where: string, options: unknown): Float64Array {
  if (options === null || typeof options !== 'object') throw new WasmRnnError('E_ARGUMENT', `${where}: options must be an object with a sampleRate`);
  const o = options as LogMelOptions;
  const sampleRate = rate(where, 'sampleRate', o.sampleRate);
  const nFft = o.nFft ?? 400;
  const winLength = o.winLength ?? nFft;
  const hop = o.hopLength ?? Math.floor(winLength / 2);
  const nMels = o.nMels ?? 128;
  const numbers = { nFft, winLength, hopLength: hop, nMels, fMin: o.fMin ?? 0, fMax: o.fMax ?? sampleRate / 2, logOffset: o.logOffset ?? 1e-6 };
  for (const [k, v] of Object.entries(numbers)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new WasmRnnError('E_ARGUMENT', `${where}: ${k} must be a finite number, got ${JSON.stringify(v)}`);
  }
  for (const k of ['nFft', 'winLength', 'hopLength', 'nMels'] as const) {
    if (!Number.isInteger(numbers[k]) || numbers[k] < 1) throw new WasmRnnError('E_ARGUMENT', `${where}: ${k} must be a positive integer, got ${numbers[k]}`);
  }
  const topDb = o.topDb ?? Infinity;
  if (typeof topDb !== 'number' || !(topDb > 0)) throw new WasmRnnError('E_ARGUMENT', `${where}: topDb must be a positive number (Infinity: no floor), got ${JSON.stringify(topDb)}`);
  return new Float64Array([sampleRate, nFft, winLength, hop, nMels, numbers.fMin, numbers.fMax, numbers.logOffset, topDb]);
}

/** Log-mel spectrogram [frames, nMels] of a mono signal (frames = floor(length / hop) + 1). */
export function logMelSpectrogram(samples: Float32Array, options: LogMelOptions): Tensor {
  const where = 'logMelSpectrogram';
  const x = samplesOf(where, samples);
  const numbers = melNumbers(where, options);
  const out = call(where, () => bindings().audio_log_mel(x, numbers));
  return tensor(out, [out.length / numbers[4]!, numbers[4]!]);
}

export interface MfccOptions extends LogMelOptions {
  /** Coefficients kept per frame (at most nMels). @defaultValue 40 */
  nMfcc?: number;
}

/**
 * MFCCs [frames, nMfcc] of a mono signal: the first nMfcc coefficients of the orthonormal DCT-II
 * of each log-mel frame (torchaudio's `MFCC(log_mels=True)`; frames as in `logMelSpectrogram`).
 */
export function mfcc(samples: Float32Array, options: MfccOptions): Tensor {
  const where = 'mfcc';
  const x = samplesOf(where, samples);
  const numbers = melNumbers(where, options);
  const nMfcc = options.nMfcc ?? 40;
  if (typeof nMfcc !== 'number' || !Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > numbers[4]!) throw new WasmRnnError('E_ARGUMENT', `${where}: nMfcc must be an integer in 1..=${numbers[4]} (nMels), got ${JSON.stringify(nMfcc)}`);
  const out = call(where, () => bindings().audio_mfcc(x, numbers, nMfcc));
  return tensor(out, [out.length / nMfcc, nMfcc]);
}
