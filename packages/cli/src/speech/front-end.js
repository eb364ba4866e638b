/**
 * The speech front end, all through wasm-rnn's public API: WAV decoding (any rate, mono or
 * stereo) → mono → 8 kHz → 40-band log-mel spectrogram (25 ms windows, 10 ms hop) → normalized
 * over the utterance. The classifier floors the log-mel 35 dB below its loudest value (the quiet
 * frames otherwise carry each recording's own noise floor: speaker held out 76.1% → 83.8%) and
 * normalizes the whole utterance at once (it removes the level and keeps the spectral shape: a
 * one-word utterance's average spectrum is much of its vowel; per-band normalization, which
 * removes it, gave 97.67% against 99.67% on the official split). The CTC model keeps per-band
 * normalization without a floor (as measured for it). Measurements: README, 2026-12-04.
 */
import { WasmRnnError, decodeWav, logMelSpectrogram, resample, toMono } from 'wasm-rnn';
import { fileError } from '../common/errors.js';
import { readBytes } from '../common/files.js';

/** Feature settings: saved next to the model, so `speech predict` computes the same features. */
export const FEATURES = Object.freeze({ sampleRate: 8000, nFft: 256, winLength: 200, hopLength: 80, nMels: 40 });

/** A WAV file as mono samples at `rate` Hz; a bad file → one line naming it. */
export function readWav(path, rate = FEATURES.sampleRate) {
  const bytes = readBytes(path);
  let wav;
  try {
    wav = decodeWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof WasmRnnError) throw fileError(path, e.message);
    throw e;
  }
  const mono = toMono(wav.channels);
  if (mono.length === 0) throw fileError(path, 'WAV: no samples');
  return wav.sampleRate === rate ? mono : resample(mono, wav.sampleRate, rate);
}

/**
 * Log-mel frames [T, nMels] (row-major Float32Array) of `samples`, floored `topDb` decibels below
 * their maximum (Infinity: no floor), normalized over the utterance: each band to mean 0,
 * variance 1 (`normalize` 'bands', the CTC model's), or all of it at once ('utterance', the
 * classifier's: the level goes, the spectral shape stays).
 */
export function features(samples, { settings = FEATURES, normalize = 'bands', topDb = Infinity } = {}) {
  const { sampleRate, nFft, winLength, hopLength, nMels } = settings;
  // Very short signals: pad to one window so there is at least one full frame.
  let x = samples;
  if (x.length < nFft) {
    x = new Float32Array(nFft);
    x.set(samples);
  }
  const mel = logMelSpectrogram(x, { sampleRate, nFft, winLength, hopLength, nMels, logOffset: 1e-6, topDb });
  return normalize === 'utterance' ? normalizePerUtterance(mel.data, 1) : normalizePerUtterance(mel.data, nMels);
}

/** Each of the `bands` columns to mean 0, variance 1 over the frames (in place; returns it). */
export function normalizePerUtterance(data, bands) {
  const frames = data.length / bands;
  for (let b = 0; b < bands; b++) {
    let sum = 0;
    for (let t = 0; t < frames; t++) sum += data[t * bands + b];
    const mean = sum / frames;
    let sq = 0;
    for (let t = 0; t < frames; t++) sq += (data[t * bands + b] - mean) ** 2;
    const scale = 1 / Math.sqrt(sq / frames + 1e-5);
    for (let t = 0; t < frames; t++) data[t * bands + b] = (data[t * bands + b] - mean) * scale;
  }
  return data;
}

/**
 * The signal played about `factor` times faster (pitch moves with it, as on tape): resampling
 * from rate × factor, rounded to a multiple of 100 Hz. The rounding matters: the resampler's
 * cost grows with the rates' ratio in lowest terms (7433 → 8000 Hz would need 8000 filter phases,
 * 7400 → 8000 Hz needs 40).
 */
export function changeSpeed(samples, factor, rate = FEATURES.sampleRate) {
  const from = Math.round((rate * factor) / 100) * 100;
  return from === rate ? samples : resample(samples, from, rate);
}

/** `samples` × `gain` plus white noise at `snrDb` below the signal's power (`random`: U(0,1)). */
export function gainAndNoise(samples, { gain = 1, snrDb = Infinity, random }) {
  let power = 0;
  for (const v of samples) power += v * v;
  power /= samples.length;
  const sigma = Number.isFinite(snrDb) ? Math.sqrt(power / 10 ** (snrDb / 10)) : 0;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < out.length; i++) out[i] = gain * (samples[i] + sigma * gaussian(random));
  return out;
}

function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Every `k` consecutive frames as one ([T × F] → [floor(T/k) × kF], at least one frame): the
 * recurrent layers then take k times fewer steps, which is most of their cost.
 */
export function stackFrames(frames, F, k) {
  if (k === 1) return frames;
  const T = Math.max(1, Math.floor(frames.length / F / k));
  const out = new Float32Array(T * k * F);
  out.set(frames.subarray(0, Math.min(frames.length, out.length)));
  return out;
}
