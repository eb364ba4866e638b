/**
 * The safetensors format (https://huggingface.co/docs/safetensors): 8 bytes little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__": { string: string } }`, then the tensor bytes. Reading checks everything a
 * hostile file could get wrong before allocating anything of its size: E_FORMAT names it.
 */
import { WasmRnnError } from '../errors';

export type SafetensorsDtype = 'F32' | 'I32';

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A header larger than this is refused (the format's reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

function formatError(message: string): WasmRnnError {
  return new WasmRnnError('E_FORMAT', `safetensors: ${message}`);
}

/** Serializes tensors (in the given order) and string metadata. */
export function writeSafetensors(tensors: ReadonlyArray<[string, SafetensorsTensor]>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of tensors) {
    // Little-endian on every engine this runs on; the view copies exactly the tensor's bytes.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Parses and validates a safetensors file; tensors are copies (aligned, independent of `bytes`). */
export function readSafetensors(bytes: Uint8Array): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new WasmRnnError('E_ARGUMENT', 'expected the file as a Uint8Array');
  if (bytes.length < 8) throw formatError(`the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw formatError(`the header declares ${declared} bytes, more than the ${MAX_HEADER_BYTES} allowed`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) throw formatError(`the header declares ${headerLength} bytes but the file has only ${bytes.length - 8} after the length (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw formatError(`the header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw formatError('the header is not a JSON object');
  const dataLength = bytes.length - 8 - headerLength;
  const metadata: Record<string, string> = {};
  const entries: Array<[string, SafetensorsDtype, number[], number, number]> = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw formatError('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw formatError(`__metadata__.${k} must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') throw formatError(`tensor ${JSON.stringify(name)}: its entry is not an object`);
    if (info.dtype !== 'F32' && info.dtype !== 'I32') throw formatError(`tensor ${JSON.stringify(name)}: unsupported dtype ${JSON.stringify(info.dtype)} (expected F32 or I32)`);
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw formatError(`tensor ${JSON.stringify(name)}: bad shape ${JSON.stringify(shape)}`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) throw formatError(`tensor ${JSON.stringify(name)}: bad data_offsets ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(elements * 4) || end < begin || end - begin !== elements * 4) {
      throw formatError(`tensor ${JSON.stringify(name)}: shape ${JSON.stringify(shape)} needs ${elements * 4} bytes but data_offsets span ${end - begin}`);
    }
    if (end > dataLength) throw formatError(`tensor ${JSON.stringify(name)}: data_offsets [${begin}, ${end}] pass the end of the data (${dataLength} bytes)`);
    entries.push([name, info.dtype, shape as number[], begin, end]);
  }
  // The tensors must tile the data exactly: no overlap, no gap (as the reference reader requires).
  entries.sort((a, b) => a[3] - b[3]);
  let expected = 0;
  for (const [name, , , begin, end] of entries) {
    if (begin !== expected) throw formatError(`tensor ${JSON.stringify(name)}: data starts at ${begin}, expected ${expected} (overlapping or gapped data_offsets)`);
    expected = end;
  }
  if (expected !== dataLength) throw formatError(`the tensors cover ${expected} bytes of data but the file has ${dataLength}`);
  const tensors = new Map<string, SafetensorsTensor>();
  const start = 8 + headerLength;
  for (const [name, dtype, shape, begin, end] of entries) {
    // Uint8Array's own slice: a Node Buffer's slice() is a view into the same memory, and its
    // .buffer would then be the whole (pooled) allocation.
    const copy = Uint8Array.prototype.slice.call(bytes, start + begin, start + end);
    const data = dtype === 'F32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
