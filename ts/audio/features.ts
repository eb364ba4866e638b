/**
 * Speech features in wasm: resampling (torchaudio's `functional.resample` defaults) and log-mel
 * spectrograms (torchaudio's `MelSpectrogram` defaults, then ln(x + logOffset)).
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
}

/** Log-mel spectrogram [frames, nMels] of a mono signal (frames = floor(length / hop) + 1). */
export function logMelSpectrogram(samples: Float32Array, options: LogMelOptions): Tensor {
  const where = 'logMelSpectrogram';
  const x = samplesOf(where, samples);
  if (options === null || typeof options !== 'object') throw new WasmRnnError('E_ARGUMENT', `${where}: options must be an object with a sampleRate`);
  const sampleRate = rate(where, 'sampleRate', options.sampleRate);
  const nFft = options.nFft ?? 400;
  const winLength = options.winLength ?? nFft;
  const hop = options.hopLength ?? Math.floor(winLength / 2);
  const nMels = options.nMels ?? 128;
  const numbers = { nFft, winLength, hopLength: hop, nMels, fMin: options.fMin ?? 0, fMax: options.fMax ?? sampleRate / 2, logOffset: options.logOffset ?? 1e-6 };
  for (const [k, v] of Object.entries(numbers)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new WasmRnnError('E_ARGUMENT', `${where}: ${k} must be a finite number, got ${JSON.stringify(v)}`);
  }
  for (const k of ['nFft', 'winLength', 'hopLength', 'nMels'] as const) {
    if (!Number.isInteger(numbers[k]) || numbers[k] < 1) throw new WasmRnnError('E_ARGUMENT', `${where}: ${k} must be a positive integer, got ${numbers[k]}`);
  }
  const out = call(where, () => bindings().audio_log_mel(x, new Float64Array([sampleRate, nFft, winLength, hop, nMels, numbers.fMin, numbers.fMax, numbers.logOffset])));
  return tensor(out, [out.length / nMels, nMels]);
}
