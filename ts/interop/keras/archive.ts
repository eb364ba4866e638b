/**
 * The `.keras` container: a zip holding `config.json`, `metadata.json` and `model.weights.h5`.
 * fflate inflates the two entries we need; sizes are checked from the headers before anything
 * is inflated, and the output buffer is the declared size, so a zip bomb (a huge declared or
 * actual size, an absurd ratio, thousands of entries) is refused instead of allocated.
 */
import { unzipSync } from 'fflate';
import { WasmRnnError } from './core';

/** The largest entry we inflate (a recurrent model of this size would not fit wasm32 anyway). */
const MAX_ENTRY_BYTES = 1 << 30;
/** Deflate cannot exceed ~1032:1; anything claiming more is not a real compressed file. */
const MAX_RATIO = 1100;
/** A .keras file has three entries; a directory of thousands is someone else's zip (or a trap). */
const MAX_ENTRIES = 64;

export interface KerasArchive {
  config: Uint8Array;
  weights: Uint8Array;
}

function formatError(message: string): WasmRnnError {
  return new WasmRnnError('E_FORMAT', `.keras file: ${message}`);
}

export function readKerasArchive(bytes: Uint8Array): KerasArchive {
  if (!(bytes instanceof Uint8Array)) throw new WasmRnnError('E_ARGUMENT', 'loadKeras: expected the file as a Uint8Array or ArrayBuffer');
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw formatError('not a zip archive (a .keras file is a zip of config.json and model.weights.h5; legacy .h5 models are not supported)');
  let entries = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        if (++entries > MAX_ENTRIES) throw formatError(`more than ${MAX_ENTRIES} entries`);
        if (file.name !== 'config.json' && file.name !== 'model.weights.h5') return false;
        if (file.compression !== 0 && file.compression !== 8) throw new WasmRnnError('E_UNSUPPORTED', `.keras file: ${file.name} uses zip compression method ${file.compression} (only stored and deflate are supported)`);
        if (!(file.originalSize >= 0 && file.originalSize <= MAX_ENTRY_BYTES)) throw formatError(`${file.name} declares ${file.originalSize} bytes uncompressed, more than the ${MAX_ENTRY_BYTES} allowed`);
        if (!(file.size >= 0 && file.size <= bytes.length)) throw formatError(`${file.name} declares ${file.size} compressed bytes in a file of ${bytes.length}`);
        if (file.compression === 0 && file.size !== file.originalSize) throw formatError(`${file.name} is stored but its sizes differ (${file.size} vs ${file.originalSize})`);
        if (file.compression === 8 && file.originalSize > MAX_RATIO * file.size + 4096) throw formatError(`${file.name} declares ${file.originalSize} bytes from ${file.size} compressed: a ratio no deflate stream reaches (zip bomb?)`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof WasmRnnError) throw e;
    throw formatError(`the zip archive is malformed (${e instanceof Error ? e.message : String(e)})`);
  }
  const config = files['config.json'];
  const weights = files['model.weights.h5'];
  if (config === undefined) throw formatError('it has no config.json');
  if (weights === undefined) throw formatError('it has no model.weights.h5');
  return { config, weights };
}
