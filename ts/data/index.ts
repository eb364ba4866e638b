/**
 * Preprocessing for training on series and text: scalers (sklearn semantics), sliding
 * windows and chronological splits, character and word vocabularies. Every fitted object
 * turns into plain data with `toJSON()` (so `JSON.stringify({ scaler, vocab })` works) and back
 * with `revivePreprocessing`, to be saved next to the model it was trained with.
 */
import { WasmRnnError } from '../errors';
import { show } from './common';
import { MinMaxScaler, StandardScaler } from './scalers';
import { CharVocab, WordVocab } from './vocab';

export { MinMaxScaler, StandardScaler } from './scalers';
export type { MinMaxScalerOptions, MinMaxScalerJSON, StandardScalerJSON } from './scalers';
export { slidingWindows, chronologicalSplit, splitSeries } from './windows';
export type { SlidingWindowOptions, Windows, SplitFractions, SplitRanges, SeriesSplit } from './windows';
export { CharVocab, WordVocab, tokenizeWords } from './vocab';
export type { CharVocabOptions, CharVocabJSON, WordVocabOptions, WordVocabJSON } from './vocab';

/** Any object {@link revivePreprocessing} rebuilds. */
export type Preprocessor = MinMaxScaler | StandardScaler | CharVocab | WordVocab;

const REVIVERS: Record<string, (json: unknown) => Preprocessor> = {
  MinMaxScaler: (j) => MinMaxScaler.fromJSON(j),
  StandardScaler: (j) => StandardScaler.fromJSON(j),
  CharVocab: (j) => CharVocab.fromJSON(j),
  WordVocab: (j) => WordVocab.fromJSON(j),
};

/**
 * Rebuilds named preprocessing objects from their `toJSON()` data, each by its `type`
 * (`MinMaxScaler`, `StandardScaler`, `CharVocab`, `WordVocab`). Anything else throws E_FORMAT
 * naming the key.
 *
 * ```ts
 * const text = JSON.stringify({ scaler, vocab });          // calls each toJSON()
 * const { scaler: s, vocab: v } = revivePreprocessing(JSON.parse(text));
 * // s instanceof StandardScaler, v instanceof CharVocab: same statistics, same ids
 * ```
 */
export function revivePreprocessing(json: Record<string, unknown>): Record<string, Preprocessor> {
  const where = 'revivePreprocessing';
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new WasmRnnError('E_FORMAT', `${where}: expected an object of named preprocessing objects, got ${show(json)}`);
  const out: Record<string, Preprocessor> = {};
  for (const [key, value] of Object.entries(json)) {
    const type = value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
    const revive = typeof type === 'string' && Object.hasOwn(REVIVERS, type) ? REVIVERS[type] : undefined;
    if (revive === undefined) {
      throw new WasmRnnError('E_FORMAT', `${where}: ${JSON.stringify(key)} has type ${show(type)}; expected one of ${Object.keys(REVIVERS).join(', ')}`);
    }
    try {
      // defineProperty: a key "__proto__" (JSON.parse makes it an own key) stays a plain entry.
      Object.defineProperty(out, key, { value: revive(value), enumerable: true, writable: true, configurable: true });
    } catch (e) {
      if (e instanceof WasmRnnError) throw new WasmRnnError(e.code, `${where}: ${JSON.stringify(key)}: ${e.message}`);
      throw e;
    }
  }
  return out;
}
