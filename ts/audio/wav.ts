/**
 * WAV (RIFF/WAVE) decoding: PCM 8/16/24/32-bit integers and IEEE float 32/64, mono or
 * multi-channel, including WAVE_FORMAT_EXTENSIBLE. Decoding is data movement (TypeScript's part);
 * samples come out as Float32 in [−1, 1) per channel.
 */
import { WasmRnnError } from '../errors';

export interface DecodedWav {
  sampleRate: number;
  /** One Float32Array per channel. */
  channels: Float32Array[];
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

function fail(what: string): never {
  throw new WasmRnnError('E_FORMAT', `WAV: ${what}`);
}

/** Decodes a WAV file's bytes. Malformed or unsupported files give E_FORMAT naming the problem. */
export function decodeWav(bytes: Uint8Array | ArrayBuffer): DecodedWav {
  const u8 = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : fail(`expected a Uint8Array or ArrayBuffer, got ${typeof bytes}`);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const tag = (at: number) => String.fromCharCode(u8[at]!, u8[at + 1]!, u8[at + 2]!, u8[at + 3]!);
  if (u8.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') fail('not a RIFF/WAVE file (missing the "RIFF…WAVE" header)');
  let format: { code: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= u8.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > u8.length && id !== 'data') fail(`chunk "${id}" declares ${size} bytes but the file ends after ${u8.length - body}`);
    if (id === 'fmt ') {
      if (size < 16) fail(`fmt chunk of ${size} bytes (at least 16 expected)`);
      let code = view.getUint16(body, true);
      if (code === EXTENSIBLE && size >= 40) code = view.getUint16(body + 24, true); // the sub-format GUID's first two bytes
      format = { code, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), blockAlign: view.getUint16(body + 12, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // A truncated last chunk (common in streamed recordings) keeps the whole frames it has.
      data = u8.subarray(body, Math.min(body + size, u8.length));
    }
    at = body + size + (size % 2); // chunks are word-aligned
  }
  if (format === undefined) fail('no fmt chunk');
  if (data === undefined) fail('no data chunk');
  const { code, channels, sampleRate, bits, blockAlign } = format;
  if (channels < 1) fail('0 channels');
  if (sampleRate < 1) fail('sample rate 0');
  const bytesPer = bits / 8;
  const supported = (code === PCM && [8, 16, 24, 32].includes(bits)) || (code === IEEE_FLOAT && (bits === 32 || bits === 64));
  if (!supported) fail(`unsupported encoding (format ${code}, ${bits} bits): PCM 8/16/24/32-bit and float 32/64 are supported`);
  if (blockAlign !== channels * bytesPer) fail(`block align ${blockAlign} does not match ${channels} channels of ${bits} bits`);
  const frames = Math.floor(data.length / blockAlign);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const at = f * blockAlign + c * bytesPer;
      let v: number;
      if (code === IEEE_FLOAT) v = bits === 32 ? dv.getFloat32(at, true) : dv.getFloat64(at, true);
      else if (bits === 8) v = (dv.getUint8(at) - 128) / 128;
      else if (bits === 16) v = dv.getInt16(at, true) / 32768;
      else if (bits === 24) v = ((dv.getUint8(at) | (dv.getUint8(at + 1) << 8) | (dv.getInt8(at + 2) << 16)) / 8388608);
      else v = dv.getInt32(at, true) / 2147483648;
      out[c]![f] = v;
    }
  }
  return { sampleRate, channels: out };
}

/** The mean of the channels (a mono signal). */
export function toMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i]! += ch[i]! / channels.length;
  return out;
}
