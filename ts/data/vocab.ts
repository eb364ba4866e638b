/**
 * Vocabularies for language models over an `Embedding`: `CharVocab` (one id per Unicode
 * character, as char-rnn) and `WordVocab` (one id per word or punctuation mark). `encode`
 * gives the Int32Array ids an `Embedding` takes; `decode` turns ids (e.g. sampled
 * predictions) back into text; `toJSON`/`fromJSON` save the vocabulary with the model, since
 * a model is useless without the exact id ↔ token map it was trained with.
 *
 * ```ts
 * const vocab = CharVocab.fromText(corpus);
 * const ids = vocab.encode(corpus);                        // Int32Array
 * const model = new Sequential([new Embedding({ numEmbeddings: vocab.size, embeddingDim: 32 }), …]);
 * vocab.decode(sampledIds);                                // string
 * ```
 */
import { WasmRnnError } from '../errors';
import { optionsArg, show } from './common';

/** Options of {@link CharVocab.fromText}. */
export interface CharVocabOptions {
  /**
   * The token that stands for characters not in the vocabulary: it gets id 0 and `encode`
   * maps every unknown character to it (`decode` gives this string back). Without it,
   * `encode` throws E_ARGUMENT on an unknown character. @defaultValue none
   */
  unknown?: string;
}

/** The plain-data form of a {@link CharVocab} (`toJSON()`). */
export interface CharVocabJSON {
  type: 'CharVocab';
  /** One character (code point) per id, in id order; with `unknown` set, id 0 is the unknown token and is not listed here. */
  chars: string[];
  unknown: string | null;
}

/** Options of {@link WordVocab.fromText}. */
export interface WordVocabOptions {
  /** Words seen fewer times are left out (they encode to the unknown id). @defaultValue 1 */
  minCount?: number;
  /** At most this many ids, the unknown token included (the most frequent words are kept). @defaultValue unlimited */
  maxSize?: number;
  /** Lower-case the text (`String.prototype.toLowerCase`, locale-independent) before tokenizing, here and in `encode`. @defaultValue false */
  lowercase?: boolean;
  /** The token with id 0, for every word not in the vocabulary. @defaultValue '<unk>' */
  unknown?: string;
}

/** The plain-data form of a {@link WordVocab} (`toJSON()`). */
export interface WordVocabJSON {
  type: 'WordVocab';
  /** Tokens in id order; `tokens[0]` is the unknown token. */
  tokens: string[];
  lowercase: boolean;
  unknown: string;
}

function checkText(where: string, text: unknown): string {
  if (typeof text !== 'string') throw new WasmRnnError('E_ARGUMENT', `${where}: text must be a string, got ${show(text)}`);
  return text;
}

function checkIds(where: string, ids: unknown, size: number): ArrayLike<number> {
  if (ids === null || typeof ids !== 'object' || typeof (ids as { length?: unknown }).length !== 'number') {
    throw new WasmRnnError('E_ARGUMENT', `${where}: ids must be an array-like of integers (Int32Array, number[]), got ${show(ids)}`);
  }
  const a = ids as ArrayLike<unknown>;
  for (let i = 0; i < a.length; i++) {
    const id = a[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= size) {
      throw new WasmRnnError('E_ARGUMENT', `${where}: ids[${i}] is ${show(id)}, not an id of this vocabulary (0..${size - 1})`);
    }
  }
  return a as ArrayLike<number>;
}

/** Code-point order (what Python's `sorted` uses), not UTF-16 unit order. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

function jsonObject(where: string, json: unknown, type: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new WasmRnnError('E_FORMAT', `${where}: expected an object from toJSON(), got ${show(json)}`);
  const o = json as Record<string, unknown>;
  if (o.type !== type) throw new WasmRnnError('E_FORMAT', `${where}: type is ${show(o.type)}, expected "${type}"`);
  return o;
}

function codePointCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * One id per character — a Unicode code point, so an emoji outside the Basic Multilingual
 * Plane ("😀", two UTF-16 units) is one character, not two halves. `fromText` collects the
 * distinct characters sorted by code point, as char-rnn's `sorted(set(text))`; with an
 * `unknown` token that token takes id 0 and the characters follow.
 *
 * ```ts
 * const v = CharVocab.fromText('hello 😀');   // chars ' ', 'e', 'h', 'l', 'o', '😀' → ids 0..5
 * v.encode('hole 😀');                         // Int32Array [2, 4, 3, 1, 0, 5]
 * v.decode([2, 1, 3, 3, 4]);                  // 'hello'
 * v.encode('x');                              // throws E_ARGUMENT: "x" (U+0078) at position 0 is not in the vocabulary
 * CharVocab.fromText('abc', { unknown: '?' }).encode('abx');   // Int32Array [1, 2, 0]
 * ```
 */
export class CharVocab {
  /** The unknown token (id 0), or `undefined` when unknown characters throw. */
  readonly unknown: string | undefined;
  readonly #tokens: string[];
  readonly #ids: Map<number, number>;

  private constructor(chars: string[], unknown: string | undefined) {
    this.unknown = unknown;
    this.#tokens = unknown === undefined ? chars.slice() : [unknown, ...chars];
    this.#ids = new Map();
    const offset = unknown === undefined ? 0 : 1;
    chars.forEach((c, i) => this.#ids.set(c.codePointAt(0)!, i + offset));
  }

  /** Builds the vocabulary of `text`'s distinct characters, sorted by code point. */
  static fromText(text: string, options?: CharVocabOptions): CharVocab {
    const where = 'CharVocab.fromText';
    checkText(where, text);
    const o = optionsArg(where, options);
    const unknown: unknown = o.unknown;
    if (unknown !== undefined && (typeof unknown !== 'string' || unknown === '')) throw new WasmRnnError('E_ARGUMENT', `${where}: unknown must be a non-empty string, got ${show(unknown)}`);
    const seen = new Set<number>();
    for (const ch of text) seen.add(ch.codePointAt(0)!);
    // A one-character unknown token that occurs in the text is that character: id 0 only.
    if (typeof unknown === 'string' && codePointCount(unknown) === 1) seen.delete(unknown.codePointAt(0)!);
    const chars = [...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp));
    return new CharVocab(chars, unknown as string | undefined);
  }

  /** The number of ids (`numEmbeddings` of the Embedding), the unknown token included. */
  get size(): number {
    return this.#tokens.length;
  }

  /** The token of each id, in id order (a copy). */
  get tokens(): string[] {
    return this.#tokens.slice();
  }

  /** The id of the unknown token (0), or `undefined` without one. */
  get unknownId(): number | undefined {
    return this.unknown === undefined ? undefined : 0;
  }

  /**
   * The id of each character of `text`. An unknown character gives the unknown id, or without
   * an unknown token throws E_ARGUMENT naming it and its position (counted in characters,
   * i.e. code points).
   */
  encode(text: string): Int32Array {
    const where = 'CharVocab.encode';
    checkText(where, text);
    const out: number[] = [];
    let unit = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let id = this.#ids.get(cp);
      if (id === undefined) {
        if (this.unknown === undefined) {
          throw new WasmRnnError('E_ARGUMENT', `${where}: ${JSON.stringify(ch)} (U+${cp.toString(16).toUpperCase().padStart(4, '0')}) at position ${out.length} (UTF-16 offset ${unit}) is not in the vocabulary and no unknown token is set`);
        }
        id = 0;
      }
      out.push(id);
      unit += ch.length;
    }
    return Int32Array.from(out);
  }

  /** The text of `ids` (any array-like of integers); an id outside 0..size−1 throws E_ARGUMENT. */
  decode(ids: ArrayLike<number>): string {
    const a = checkIds('CharVocab.decode', ids, this.size);
    let s = '';
    for (let i = 0; i < a.length; i++) s += this.#tokens[a[i]!]!;
    return s;
  }

  /** Plain data for saving (JSON-safe; lone surrogates survive `JSON.stringify`). */
  toJSON(): CharVocabJSON {
    const offset = this.unknown === undefined ? 0 : 1;
    return { type: 'CharVocab', chars: this.#tokens.slice(offset), unknown: this.unknown ?? null };
  }

  /** Rebuilds a vocabulary from `toJSON()`'s data (same ids); anything malformed throws E_FORMAT. */
  static fromJSON(json: unknown): CharVocab {
    const where = 'CharVocab.fromJSON';
    const o = jsonObject(where, json, 'CharVocab');
    const unknown = o.unknown;
    if (unknown !== null && (typeof unknown !== 'string' || unknown === '')) throw new WasmRnnError('E_FORMAT', `${where}: unknown must be a non-empty string or null, got ${show(unknown)}`);
    const chars = o.chars;
    if (!Array.isArray(chars)) throw new WasmRnnError('E_FORMAT', `${where}: chars must be an array of characters, got ${show(chars)}`);
    const seen = new Set<number>();
    if (typeof unknown === 'string' && codePointCount(unknown) === 1) seen.add(unknown.codePointAt(0)!);
    chars.forEach((c: unknown, i) => {
      if (typeof c !== 'string' || codePointCount(c) !== 1) throw new WasmRnnError('E_FORMAT', `${where}: chars[${i}] must be one character (code point), got ${show(c)}`);
      const cp = c.codePointAt(0)!;
      if (seen.has(cp)) throw new WasmRnnError('E_FORMAT', `${where}: chars[${i}] ${JSON.stringify(c)} is listed twice (or is the unknown token)`);
      seen.add(cp);
    });
    return new CharVocab(chars as string[], unknown === null ? undefined : unknown);
  }
}

/**
 * The word tokenizer of {@link WordVocab}: after optional lower-casing, a token is either
 * - a word: a run of letters, digits and combining marks (Unicode `\p{L}\p{N}\p{M}`), which may
 *   continue over an apostrophe (' or ’) followed by more letters ("don't", "l’homme" are one
 *   token), or
 * - one other non-space character with its combining marks: each punctuation mark or symbol
 *   is its own token ("end." → "end", "."; "state-of-the-art" → "state", "-", "of", "-", …;
 *   an emoji is a token, a ZWJ emoji sequence is split at the joiners).
 * Whitespace separates tokens and is dropped, so `decode` joins tokens with single spaces.
 *
 * ```ts
 * tokenizeWords("Don't panic—it's 4:30 p.m. 😀!");
 * // ["Don't", "panic", "—", "it's", "4", ":", "30", "p", ".", "m", ".", "😀", "!"]
 * ```
 */
export function tokenizeWords(text: string, options?: { lowercase?: boolean }): string[] {
  const t = checkText('tokenizeWords', text);
  const lowercase: unknown = optionsArg('tokenizeWords', options).lowercase ?? false;
  if (typeof lowercase !== 'boolean') throw new WasmRnnError('E_ARGUMENT', `tokenizeWords: lowercase must be a boolean, got ${show(lowercase)}`);
  return (lowercase ? t.toLowerCase() : t).match(WORD_TOKEN) ?? [];
}

const WORD_TOKEN = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]\p{M}*/gu;

/**
 * One id per word (see {@link tokenizeWords} for what a word is). Id 0 is the unknown token;
 * the words follow by decreasing frequency, ties in code-point order (which for lower-case
 * ASCII is alphabetical; upper case sorts before lower case). `minCount` and `maxSize` prune
 * rare words, which then encode to id 0.
 *
 * ```ts
 * const v = WordVocab.fromText('the cat sat on the mat. The end.', { lowercase: true });
 * v.tokens;                    // ['<unk>', 'the', '.', 'cat', 'end', 'mat', 'on', 'sat']
 * v.encode('The dog sat.');    // Int32Array [1, 0, 7, 2]
 * v.decode([1, 3, 7, 2]);      // 'the cat sat .'
 * ```
 */
export class WordVocab {
  /** The token of id 0. */
  readonly unknown: string;
  /** Whether text is lower-cased before tokenizing. */
  readonly lowercase: boolean;
  readonly #tokens: string[];
  readonly #ids: Map<string, number>;

  private constructor(tokens: string[], lowercase: boolean) {
    this.#tokens = tokens;
    this.unknown = tokens[0]!;
    this.lowercase = lowercase;
    this.#ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /** Builds the vocabulary of `text`'s words (tokenized by {@link tokenizeWords}). */
  static fromText(text: string, options?: WordVocabOptions): WordVocab {
    const where = 'WordVocab.fromText';
    checkText(where, text);
    const lowercase = WordVocab.#lowercaseOption(where, optionsArg(where, options).lowercase);
    return WordVocab.#build(where, tokenizeWords(text, { lowercase }), options);
  }

  /** Builds the vocabulary from tokens you split yourself (with `lowercase`, they are lower-cased first). */
  static fromTokens(tokens: readonly string[], options?: WordVocabOptions): WordVocab {
    const where = 'WordVocab.fromTokens';
    if (!Array.isArray(tokens)) throw new WasmRnnError('E_ARGUMENT', `${where}: tokens must be an array of strings, got ${show(tokens)}`);
    const lowercase = WordVocab.#lowercaseOption(where, optionsArg(where, options).lowercase);
    const list = tokens.map((t: unknown, i) => {
      if (typeof t !== 'string' || t === '') throw new WasmRnnError('E_ARGUMENT', `${where}: tokens[${i}] must be a non-empty string, got ${show(t)}`);
      return lowercase ? t.toLowerCase() : t;
    });
    return WordVocab.#build(where, list, options);
  }

  static #lowercaseOption(where: string, value: unknown): boolean {
    if (value !== undefined && typeof value !== 'boolean') throw new WasmRnnError('E_ARGUMENT', `${where}: lowercase must be a boolean, got ${show(value)}`);
    return value ?? false;
  }

  static #build(where: string, words: string[], options: WordVocabOptions | undefined): WordVocab {
    const o = optionsArg(where, options);
    const minCount = o.minCount === undefined ? 1 : o.minCount;
    if (typeof minCount !== 'number' || !Number.isSafeInteger(minCount) || minCount < 1) throw new WasmRnnError('E_ARGUMENT', `${where}: minCount must be an integer ≥ 1, got ${show(minCount)}`);
    const maxSize = o.maxSize;
    if (maxSize !== undefined && (typeof maxSize !== 'number' || !Number.isSafeInteger(maxSize) || maxSize < 1)) {
      throw new WasmRnnError('E_ARGUMENT', `${where}: maxSize must be an integer ≥ 1 (the unknown token included), got ${show(maxSize)}`);
    }
    const unknown: unknown = o.unknown ?? '<unk>';
    if (typeof unknown !== 'string' || unknown === '') throw new WasmRnnError('E_ARGUMENT', `${where}: unknown must be a non-empty string, got ${show(unknown)}`);
    const lowercase = WordVocab.#lowercaseOption(where, o.lowercase);
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    counts.delete(unknown);
    const ranked = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
    const kept = maxSize === undefined ? ranked : ranked.slice(0, maxSize - 1);
    return new WordVocab([unknown, ...kept.map(([w]) => w)], lowercase);
  }

  /** The number of ids (`numEmbeddings` of the Embedding), the unknown token included. */
  get size(): number {
    return this.#tokens.length;
  }

  /** The token of each id, in id order (a copy); `tokens[0]` is the unknown token. */
  get tokens(): string[] {
    return this.#tokens.slice();
  }

  /** The id of the unknown token: always 0. */
  get unknownId(): number {
    return 0;
  }

  /** `text` split as `fromText` splits it (lower-cased if this vocabulary is). */
  tokenize(text: string): string[] {
    checkText('WordVocab.tokenize', text);
    return tokenizeWords(text, { lowercase: this.lowercase });
  }

  /**
   * The ids of `text`'s tokens, or of a token array you split yourself; words not in the
   * vocabulary give 0 (the unknown id).
   */
  encode(text: string | readonly string[]): Int32Array {
    const where = 'WordVocab.encode';
    let tokens: string[];
    if (Array.isArray(text)) {
      tokens = text.map((t: unknown, i) => {
        if (typeof t !== 'string') throw new WasmRnnError('E_ARGUMENT', `${where}: tokens[${i}] must be a string, got ${show(t)}`);
        return this.lowercase ? t.toLowerCase() : t;
      });
    } else {
      if (typeof text !== 'string') throw new WasmRnnError('E_ARGUMENT', `${where}: text must be a string or an array of tokens, got ${show(text)}`);
      tokens = tokenizeWords(text, { lowercase: this.lowercase });
    }
    return Int32Array.from(tokens, (t) => this.#ids.get(t) ?? 0);
  }

  /** The tokens of `ids`, joined by single spaces (see {@link decodeTokens} for the list). */
  decode(ids: ArrayLike<number>): string {
    return this.#decode('WordVocab.decode', ids).join(' ');
  }

  /** The token of each id; an id outside 0..size−1 throws E_ARGUMENT. */
  decodeTokens(ids: ArrayLike<number>): string[] {
    return this.#decode('WordVocab.decodeTokens', ids);
  }

  #decode(where: string, ids: ArrayLike<number>): string[] {
    const a = checkIds(where, ids, this.size);
    return Array.from({ length: a.length }, (_, i) => this.#tokens[a[i]!]!);
  }

  /** Plain data for saving. */
  toJSON(): WordVocabJSON {
    return { type: 'WordVocab', tokens: this.#tokens.slice(), lowercase: this.lowercase, unknown: this.unknown };
  }

  /** Rebuilds a vocabulary from `toJSON()`'s data (same ids); anything malformed throws E_FORMAT. */
  static fromJSON(json: unknown): WordVocab {
    const where = 'WordVocab.fromJSON';
    const o = jsonObject(where, json, 'WordVocab');
    const tokens = o.tokens;
    if (!Array.isArray(tokens) || tokens.length === 0) throw new WasmRnnError('E_FORMAT', `${where}: tokens must be a non-empty array of strings (the unknown token first), got ${Array.isArray(tokens) ? '[]' : show(tokens)}`);
    if (typeof o.lowercase !== 'boolean') throw new WasmRnnError('E_FORMAT', `${where}: lowercase must be a boolean, got ${show(o.lowercase)}`);
    if (typeof o.unknown !== 'string' || o.unknown === '') throw new WasmRnnError('E_FORMAT', `${where}: unknown must be a non-empty string, got ${show(o.unknown)}`);
    if (tokens[0] !== o.unknown) throw new WasmRnnError('E_FORMAT', `${where}: tokens[0] must be the unknown token ${JSON.stringify(o.unknown)}, got ${show(tokens[0])}`);
    const seen = new Set<string>();
    tokens.forEach((t: unknown, i) => {
      if (typeof t !== 'string' || t === '') throw new WasmRnnError('E_FORMAT', `${where}: tokens[${i}] must be a non-empty string, got ${show(t)}`);
      if (seen.has(t)) throw new WasmRnnError('E_FORMAT', `${where}: tokens[${i}] ${JSON.stringify(t)} is listed twice`);
      seen.add(t);
    });
    return new WordVocab(tokens as string[], o.lowercase);
  }
}
