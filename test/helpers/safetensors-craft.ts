/**
 * Takes a safetensors file apart and puts (possibly broken) ones together, for the hostile-file
 * tests of loadModel (test/model-file.test.ts). Independent of ts/model/safetensors.ts.
 */

export interface Parts {
  /** The parsed header (tensor entries and __metadata__). */
  header: Record<string, unknown>;
  /** The bytes after the header. */
  data: Uint8Array;
}

export function split(file: Uint8Array): Parts {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, unknown>;
  return { header, data: file.slice(8 + n) };
}

/** 8-byte little-endian length (the header's, unless `declared` says otherwise), header text, data. */
export function join(header: unknown, data: Uint8Array, options: { declared?: bigint; rawHeader?: Uint8Array } = {}): Uint8Array {
  const text = options.rawHeader ?? new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, options.declared ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** A deep copy of a header (JSON data). */
export function cloneHeader(h: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return JSON.parse(JSON.stringify(h)) as Record<string, Record<string, unknown>>;
}

/** Tensor entries in data order: [name, { dtype, shape, data_offsets }]. */
export function entries(h: Record<string, unknown>): Array<[string, { dtype: string; shape: number[]; data_offsets: [number, number] }]> {
  return (Object.entries(h).filter(([k]) => k !== '__metadata__') as Array<[string, { dtype: string; shape: number[]; data_offsets: [number, number] }]>).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
}

/** The file without tensor `name` (its entry and its bytes; later offsets shift down). */
export function withoutTensor(file: Uint8Array, name: string): Uint8Array {
  const { header, data } = split(file);
  const h = cloneHeader(header);
  const [begin, end] = (h[name] as { data_offsets: [number, number] }).data_offsets;
  delete h[name];
  for (const [, e] of entries(h)) {
    if (e.data_offsets[0] >= end) e.data_offsets = [e.data_offsets[0] - (end - begin), e.data_offsets[1] - (end - begin)];
  }
  const rest = new Uint8Array(data.length - (end - begin));
  rest.set(data.subarray(0, begin), 0);
  rest.set(data.subarray(end), begin);
  return join(h, rest);
}
