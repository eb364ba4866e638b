// The textgen corpus helpers (packages/cli/src/textgen/corpus.js): windows cut at several
// offsets, validation streams spread over the text, and the stateful evaluation that reads them
// chunk by chunk — against a step-by-step reading of the same text with model.step.
import { describe, expect, it } from 'vitest';
import { Adam, Dense, Embedding, LSTM, Sequential, init } from 'wasm-rnn';
// @ts-expect-error plain JavaScript module of the CLI package
import { cutWindows, evaluateNats, evaluateStreaming, streamWindows, streams, windows } from '../packages/cli/src/textgen/corpus.js';

type Windows = { x: { data: Int32Array; shape: [number, number] }; y: { data: Int32Array; shape: [number, number] } };

const ids = Int32Array.from({ length: 1001 }, (_, i) => (i * 7 + (i >> 3)) % 11);

/** Window n of time-major `w` as plain arrays. */
const column = (w: Windows, n: number) => {
  const [seq, N] = w.x.shape;
  return { x: Array.from({ length: seq }, (_, t) => w.x.data[t * N + n]!), y: Array.from({ length: seq }, (_, t) => w.y.data[t * N + n]!) };
};

// Plain JavaScript over the built package (as the CLI runs): once, in the simd project.
describe.runIf(process.env.WASM_RNN_VARIANT === 'simd')('textgen corpus', () => {
  it('cutWindows: every window is a stretch of the text with its next characters, starting at the cuts\' offsets; one cut is windows()', () => {
    const seq = 16;
    const w = cutWindows(ids, seq, 4, 3) as Windows;
    const starts = new Set<number>();
    for (let n = 0; n < w.x.shape[1]; n++) {
      const { x, y } = column(w, n);
      // Find where this window starts: the offsets are 3, 7, 11, 15 (mod 16).
      const start = [3, 7, 11, 15].flatMap((o) => Array.from({ length: 63 }, (_, k) => o + k * seq)).find((s) => !starts.has(s) && x.every((v, t) => v === ids[s + t]) && y.every((v, t) => v === ids[s + t + 1]));
      expect(start, `window ${n}`).toBeDefined();
      starts.add(start!);
    }
    for (const o of [3, 7, 11, 15]) expect([...starts].filter((s) => s % seq === o).length, `offset ${o}`).toBe(Math.floor((ids.length - 1 - o) / seq));
    const one = cutWindows(ids, seq, 1, 5) as Windows;
    const plain = windows(ids, seq, 5) as Windows;
    expect(Array.from(one.x.data)).toEqual(Array.from(plain.x.data));
    expect(Array.from(one.y.data)).toEqual(Array.from(plain.y.data));
  });

  it('streamWindows: batch k continues batch k − 1 in every stream; each pass reads the streams from its own offset', () => {
    const [seq, count, passes, offset] = [8, 5, 4, 3];
    const w = streamWindows(ids, seq, count, passes, offset) as Windows;
    const length = Math.floor((ids.length - 1) / count); // 200
    const K = Math.floor((length - seq) / seq); // 24 windows per stream and pass
    expect(w.x.shape).toEqual([seq, passes * K * count]);
    for (let p = 0; p < passes; p++) {
      const shift = (offset + 2 * p) % seq; // seq/passes = 2 apart, wrapping within a window
      for (let k = 0; k < K; k++) {
        for (let b = 0; b < count; b++) {
          const { x, y } = column(w, (p * K + k) * count + b);
          const start = b * length + shift + k * seq;
          expect(x, `pass ${p} window ${k} stream ${b}`).toEqual(Array.from(ids.subarray(start, start + seq)));
          expect(y).toEqual(Array.from(ids.subarray(start + 1, start + seq + 1)));
        }
      }
    }
    // A stream's last window stays inside its stretch of the text, whatever the offset.
    expect(seq - 1 + K * seq).toBeLessThanOrEqual(length);
    expect(() => streamWindows(ids, seq, 100, 1)).toThrow(RangeError);
  });

  it('streams: stretches spread over the text, not overlapping, covering all but fewer than `count` characters', () => {
    const count = 7;
    const length = Math.floor((ids.length - 1) / count);
    const s = streams(ids, count, length) as Windows;
    expect(s.x.shape).toEqual([length, count]);
    const firsts: number[] = [];
    for (let n = 0; n < count; n++) {
      const { x, y } = column(s, n);
      const start = Math.floor((n * (ids.length - 1 - length)) / (count - 1));
      expect(x).toEqual(Array.from(ids.subarray(start, start + length)));
      expect(y).toEqual(Array.from(ids.subarray(start + 1, start + length + 1)));
      firsts.push(start);
    }
    firsts.slice(1).forEach((f, i) => expect(f - firsts[i]!).toBeGreaterThanOrEqual(length));
    expect(firsts[0]).toBe(0);
    expect(ids.length - 1 - (firsts.at(-1)! + length)).toBe(0);
    expect(() => streams(ids, 2, ids.length)).toThrow(RangeError);
  });

  it('evaluateStreaming is the mean cross-entropy of reading each stream step by step from a zero state, in any chunking; windows from zero states score worse', async () => {
    await init();
    const model = new Sequential([new Embedding({ numEmbeddings: 11, embeddingDim: 5 }), new LSTM({ inputSize: 5, hiddenSize: 12 }), new Dense({ inputSize: 12, outputSize: 11 })], { seed: 4 });
    model.compile({ loss: 'crossEntropy', optimizer: new Adam({ lr: 0.02 }) });
    const train = windows(ids, 20) as Windows;
    for (let i = 0; i < 60; i++) model.trainStep(train.x, train.y);
    const s = streams(ids, 5, 150) as Windows;
    // Reference: model.step over every character, cross-entropy of the logits in float64.
    let state = model.initialState(5);
    let sum = 0;
    for (let t = 0; t < 150; t++) {
      const r = model.step({ data: s.x.data.subarray(t * 5, (t + 1) * 5), shape: [5] }, state);
      state = r.state;
      for (let b = 0; b < 5; b++) {
        const logits = Array.from(r.output.data.subarray(b * 11, (b + 1) * 11));
        const max = Math.max(...logits);
        const lse = max + Math.log(logits.reduce((a, v) => a + Math.exp(v - max), 0));
        sum += lse - logits[s.y.data[t * 5 + b]!]!;
      }
    }
    const reference = sum / (150 * 5);
    for (const chunk of [150, 64, 7, 1]) expect(Math.abs(evaluateStreaming(model, s, chunk) - reference), `chunk ${chunk}`).toBeLessThan(1e-5);
    // The same characters in 15-character windows, each from a zero state, lose their context.
    expect(evaluateNats(model, windows(ids, 15))).toBeGreaterThan(evaluateStreaming(model, streams(ids, 1, 1000)) + 0.01);
    model.dispose();
  });
});
