// The byte layouts the runner and the peers exchange, without any I/O (also imported by the
// browser page): a case file is its sections' raw little-endian float32 back to back (meta.sections
// gives name, offset, len); a check answer is the peer's arrays back to back in listed order.

/** Named views into a case file's bytes. */
export function caseFromBytes(bytes, meta) {
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const data = {};
  for (const s of meta.sections) data[s.name] = all.subarray(s.offset, s.offset + s.len);
  return data;
}

/** Named float32 arrays (undefined ones skipped) → their bytes back to back and the list of names and lengths. */
export function packArrays(arrays) {
  const entries = Object.entries(arrays).filter(([, v]) => v !== undefined);
  const total = entries.reduce((n, [, v]) => n + v.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  const list = [];
  for (const [name, v] of entries) {
    all.set(v, off);
    off += v.length;
    list.push({ name, len: v.length });
  }
  return { bytes: new Uint8Array(all.buffer), list };
}
