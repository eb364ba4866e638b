/**
 * The audio front end: log-mel spectrograms, MFCCs and resampling against torchaudio's definitions in
 * float64 (test/golden/audio_generate.py), on every wasm build; WAV decoding of every supported
 * encoding (files built here, byte by byte) and the malformed files it must refuse.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WasmRnnError, decodeWav, logMelSpectrogram, mfcc, resample, toMono } from '../ts/index';
import { expectClose } from './helpers/model-kit';

interface MelCase {
  name: string;
  sampleRate: number;
  options: { n_fft: number; win_length: number; hop: number; n_mels: number; f_min: number; f_max: number };
  x: number[];
  frames: number;
  logMel: number[];
  topDb?: number;
}
interface MfccCase extends Omit<MelCase, 'logMel'> {
  nMfcc: number;
  mfcc: number[];
}
interface ResampleCase {
  from: number;
  to: number;
  x: number[];
  y: number[];
}

const golden = JSON.parse(readFileSync(new URL('./golden/audio/cases.json', import.meta.url), 'utf8')) as { logMel: MelCase[]; mfcc: MfccCase[]; resample: ResampleCase[] };
const scaled = (tol: number, want: ArrayLike<number>) => tol * Math.max(1, ...Array.from(want, Math.abs));

describe('logMelSpectrogram matches torchaudio MelSpectrogram → log (float64)', () => {
  for (const c of golden.logMel) {
    it(c.name, () => {
      const o = c.options;
      const out = logMelSpectrogram(Float32Array.from(c.x), { sampleRate: c.sampleRate, nFft: o.n_fft, winLength: o.win_length, hopLength: o.hop, nMels: o.n_mels, fMin: o.f_min, fMax: o.f_max, topDb: c.topDb });
      expect(out.shape).toEqual([c.frames, o.n_mels]);
      expectClose(out.data, c.logMel, scaled(1e-5, c.logMel), 'log-mel');
    });
  }

  it('defaults are torchaudio\'s (nFft 400, hop 200, 128 bands, fMax = sampleRate/2)', () => {
    const c = golden.logMel[1]!;
    const out = logMelSpectrogram(Float32Array.from(c.x), { sampleRate: c.sampleRate });
    expectClose(out.data, c.logMel, scaled(1e-5, c.logMel), 'defaults');
  });

  it('topDb floors every value at the maximum minus topDb·ln(10)/10 nats, and Infinity is no floor', () => {
    const c = golden.logMel[0]!;
    const o = { sampleRate: c.sampleRate, nFft: c.options.n_fft, winLength: c.options.win_length, hopLength: c.options.hop, nMels: c.options.n_mels };
    const x = Float32Array.from(c.x, (v, i) => (i > c.x.length / 2 ? v * 1e-4 : v));
    const free = logMelSpectrogram(x, o).data;
    expect(Array.from(logMelSpectrogram(x, { ...o, topDb: Infinity }).data)).toEqual(Array.from(free));
    const floored = logMelSpectrogram(x, { ...o, topDb: 30 }).data;
    const max = Math.max(...free);
    const floor = max - (30 * Math.LN10) / 10;
    let raised = 0;
    free.forEach((v, i) => {
      expect(floored[i]).toBeCloseTo(Math.max(v, floor), 5);
      if (v < floor) raised++;
    });
    expect(raised).toBeGreaterThan(free.length / 4);
    const nan = x.slice();
    nan[10] = Number.NaN;
    expect(logMelSpectrogram(nan, { ...o, topDb: 30 }).data.some(Number.isNaN)).toBe(true);
  });

  it('bad options and signals give typed errors', () => {
    const x = new Float32Array(1000);
    expect(() => logMelSpectrogram(new Float64Array(1000) as never, { sampleRate: 8000 })).toThrow(expect.objectContaining({ code: 'E_DTYPE' }));
    expect(() => logMelSpectrogram(x, { sampleRate: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => logMelSpectrogram(x, { sampleRate: 8000, fMax: 5000 })).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    expect(() => logMelSpectrogram(x, { sampleRate: 8000, nFft: 256, winLength: 300 })).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    expect(() => logMelSpectrogram(x.subarray(0, 100), { sampleRate: 8000 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => logMelSpectrogram(x, { sampleRate: 8000, hopLength: 0.5 })).toThrow(WasmRnnError);
    for (const topDb of [0, -3, Number.NaN, '80']) expect(() => logMelSpectrogram(x, { sampleRate: 8000, topDb: topDb as number })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringContaining('topDb') }));
  });
});

describe('mfcc matches torchaudio MFCC(log_mels=True, norm="ortho") (float64)', () => {
  for (const c of golden.mfcc) {
    it(c.name, () => {
      const o = c.options;
      const out = mfcc(Float32Array.from(c.x), { sampleRate: c.sampleRate, nFft: o.n_fft, winLength: o.win_length, hopLength: o.hop, nMels: o.n_mels, fMin: o.f_min, fMax: o.f_max, nMfcc: c.nMfcc, topDb: c.topDb });
      expect(out.shape).toEqual([c.frames, c.nMfcc]);
      expectClose(out.data, c.mfcc, scaled(1e-5, c.mfcc), 'mfcc');
    });
  }

  it('all coefficients keep the log-mel frame\'s energy (the DCT is orthonormal); the default keeps 40', () => {
    const c = golden.logMel[0]!;
    const o = { sampleRate: c.sampleRate, nFft: c.options.n_fft, winLength: c.options.win_length, hopLength: c.options.hop, nMels: c.options.n_mels };
    const all = mfcc(Float32Array.from(c.x), { ...o, nMfcc: o.nMels });
    const energy = (d: Float32Array, row: number, n: number) => d.subarray(row * n, (row + 1) * n).reduce((s, v) => s + v * v, 0);
    for (let t = 0; t < c.frames; t++) {
      const want = energy(Float32Array.from(c.logMel), t, o.nMels);
      expect(Math.abs(energy(all.data, t, o.nMels) - want) / want, `frame ${t}`).toBeLessThan(1e-5);
    }
    expect(mfcc(Float32Array.from(c.x), o).shape).toEqual([c.frames, 40]);
  });

  it('bad nMfcc and options give typed errors', () => {
    const x = new Float32Array(1000);
    for (const nMfcc of [0, 41, 2.5, Number.NaN, '13']) expect(() => mfcc(x, { sampleRate: 8000, nMels: 40, nMfcc: nMfcc as number })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringContaining('nMfcc') }));
    expect(() => mfcc(x, { sampleRate: 8000, fMax: 5000, nMels: 40, nMfcc: 13 })).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    expect(() => mfcc(x.subarray(0, 100), { sampleRate: 8000, nMels: 40, nMfcc: 13 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => mfcc(x, null as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

describe('resample matches torchaudio functional.resample (sinc_interp_hann, float64)', () => {
  for (const c of golden.resample) {
    it(`${c.from} Hz → ${c.to} Hz, ${c.x.length} samples`, () => {
      const y = resample(Float32Array.from(c.x), c.from, c.to);
      expect(y.length).toBe(c.y.length);
      expectClose(y, c.y, scaled(1e-5, c.y), 'resampled');
    });
  }

  it('the same rate is a copy; bad rates are E_ARGUMENT', () => {
    const x = Float32Array.from([1, 2, 3]);
    const y = resample(x, 8000, 8000);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
    expect(() => resample(x, 0, 8000)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => resample(x, 8000, 44100.5)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

/** A WAV file of `frames` (per channel) in the given encoding, with an extra chunk before data. */
function wav(channels: number[][], rate: number, encoding: 'u8' | 'i16' | 'i24' | 'i32' | 'f32' | 'f64', extensible = false): Uint8Array {
  const bits = { u8: 8, i16: 16, i24: 24, i32: 32, f32: 32, f64: 64 }[encoding];
  const float = encoding.startsWith('f');
  const bytes = bits / 8;
  const frames = channels[0]!.length;
  const dataSize = frames * channels.length * bytes;
  const fmtSize = extensible ? 40 : 16;
  const buf = new ArrayBuffer(12 + 8 + fmtSize + 8 + 4 + 8 + dataSize + (dataSize % 2));
  const v = new DataView(buf);
  const put = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, buf.byteLength - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, extensible ? 0xfffe : float ? 3 : 1, true);
  v.setUint16(22, channels.length, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels.length * bytes, true);
  v.setUint16(32, channels.length * bytes, true);
  v.setUint16(34, bits, true);
  let at = 20 + fmtSize;
  if (extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(44, float ? 3 : 1, true); // sub-format GUID, first two bytes
  }
  put(at, 'LIST'); // an unrelated chunk the decoder must skip
  v.setUint32(at + 4, 4, true);
  at += 12;
  put(at, 'data');
  v.setUint32(at + 4, dataSize, true);
  at += 8;
  for (let f = 0; f < frames; f++) {
    for (const ch of channels) {
      const s = ch[f]!;
      if (encoding === 'u8') v.setUint8(at, Math.round(s * 128) + 128);
      else if (encoding === 'i16') v.setInt16(at, Math.round(s * 32768), true);
      else if (encoding === 'i24') {
        const n = Math.round(s * 8388608);
        v.setUint8(at, n & 0xff);
        v.setUint8(at + 1, (n >> 8) & 0xff);
        v.setInt8(at + 2, n >> 16);
      } else if (encoding === 'i32') v.setInt32(at, Math.round(s * 2147483648), true);
      else if (encoding === 'f32') v.setFloat32(at, s, true);
      else v.setFloat64(at, s, true);
      at += bytes;
    }
  }
  return new Uint8Array(buf);
}

describe('decodeWav', () => {
  const left = [0, 0.5, -0.5, 0.25, -1, 0.75];
  const right = [0.125, -0.25, 0.5, -0.75, 0.5, 0];
  for (const encoding of ['u8', 'i16', 'i24', 'i32', 'f32', 'f64'] as const) {
    for (const extensible of [false, true]) {
      it(`${encoding}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}, stereo`, () => {
        const d = decodeWav(wav([left, right], 11025, encoding, extensible));
        expect(d.sampleRate).toBe(11025);
        expect(d.channels.length).toBe(2);
        expectClose(d.channels[0]!, left, 1 / 128, 'left');
        expectClose(d.channels[1]!, right, 1 / 128, 'right');
        expectClose(toMono(d.channels), left.map((l, i) => (l + right[i]!) / 2), 1 / 128, 'mono');
      });
    }
  }

  it('16-bit samples decode exactly (s / 32768)', () => {
    const d = decodeWav(wav([[-1, -0.5, 0, 0.5]], 8000, 'i16'));
    expect(Array.from(d.channels[0]!)).toEqual([-1, -0.5, 0, 0.5]);
  });

  it('a truncated data chunk keeps its whole frames', () => {
    const full = wav([left], 8000, 'i16');
    expect(decodeWav(full.subarray(0, full.length - 3)).channels[0]!.length).toBe(left.length - 2);
  });

  it('malformed files give E_FORMAT naming the problem', () => {
    const good = wav([left], 8000, 'i16');
    const withFormat = (code: number, bits: number) => {
      const b = good.slice();
      new DataView(b.buffer).setUint16(20, code, true);
      new DataView(b.buffer).setUint16(34, bits, true);
      return b;
    };
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /RIFF\/WAVE/],
      [new TextEncoder().encode('RIFF\0\0\0\0AVI LIST'), /RIFF\/WAVE/],
      [good.subarray(0, 30), /fmt chunk|declares/],
      [good.subarray(0, 36), /no data chunk/],
      [withFormat(2, 4), /unsupported encoding/],
      [withFormat(3, 16), /unsupported encoding/],
    ];
    for (const [bytes, message] of cases) {
      let caught: unknown;
      try {
        decodeWav(bytes);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(WasmRnnError);
      expect((caught as WasmRnnError).code).toBe('E_FORMAT');
      expect((caught as WasmRnnError).message).toMatch(message);
    }
  });
});
