// `wasm-rnn speech` end to end on the Free Spoken Digit Dataset (../shared/datasets/fsdd):
// --quick trains the classifier (official split, two held-out speakers) and the connected-digit
// CTC model, writes the plots, the models and the summary; `speech predict` transcribes WAV
// files of any rate and channel count with the saved model, one line per file; a bad WAV ends
// with one line naming the file and exit code 1. Like test/cli.test.ts it runs dist/ (build
// first) and only in the simd project.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, expectFinite, expectReloads, repoRoot as root } from './helpers/cli';

const fsdd = join(root, '../shared/datasets/fsdd');
const work = mkdtempSync(join(tmpdir(), 'wasm-rnn-cli-speech-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 16-bit PCM WAV of `channels` (Float32Arrays of equal length) at `rate` Hz. */
function wav(channels: Float32Array[], rate: number): Buffer {
  const frames = channels[0]!.length;
  const data = Buffer.alloc(frames * channels.length * 2);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels.length; c++) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(channels[c]![f]! * 32767))), (f * channels.length + c) * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels.length, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels.length * 2, 28);
  header.writeUInt16LE(channels.length * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Samples of a 16-bit mono FSDD recording (its data chunk starts at byte 44). */
function fsddSamples(name: string): Float32Array {
  const bytes = readFileSync(join(fsdd, 'recordings', name));
  return Float32Array.from({ length: (bytes.length - 44) >> 1 }, (_, i) => bytes.readInt16LE(44 + 2 * i) / 32768);
}

describe.runIf(process.env.WASM_RNN_VARIANT === 'simd' && existsSync(fsdd))('wasm-rnn speech', () => {
  const out = join(work, 'speech');

  it('speech --quick: accuracies, digit error rate, confusion matrices, models that reload', async () => {
    const r = cli('speech', '--quick', '--quiet', '--json', '--data', fsdd, '--out', out);
    expect(r.stderr.replace(/^WARN .*\n/gm, '')).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    expectFinite(summary, 'speech');
    for (const v of [summary.accuracy.official, summary.accuracy.speakerHeldOut]) expect(v).toBeGreaterThanOrEqual(0);
    expect(summary.accuracy.official).toBeLessThanOrEqual(1);
    expect(Object.keys(summary.accuracy.perSpeaker)).toHaveLength(2);
    expect(summary.ctc.digitErrorRate).toBeGreaterThan(0); // one epoch on 48 utterances cannot be perfect
    expect(typeof summary.ctc.digitErrorRateBeam).toBe('number');
    for (const f of ['speech-confusion-official.svg', 'speech-confusion-held-out.svg', 'speech-held-out-speakers.svg', 'model.speech.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'speech-confusion-official.svg'), 'utf8')).toMatch(/^<svg/);
    await expectReloads(out, 'model');
    await expectReloads(out, 'classifier');
  });

  it('speech predict: one line per file, for FSDD files and a 16 kHz stereo file', () => {
    const one = join(fsdd, 'recordings', '3_theo_0.wav');
    // Two recordings back to back, resampled to 16 kHz by repeating samples, the right channel quieter.
    const a = fsddSamples('4_lucas_1.wav');
    const b = fsddSamples('7_george_2.wav');
    const joined = Float32Array.from({ length: 2 * (a.length + b.length) }, (_, i) => (i >> 1 < a.length ? a[i >> 1]! : b[(i >> 1) - a.length]!));
    const stereo = join(work, 'two digits.wav');
    writeFileSync(stereo, wav([joined, joined.map((v) => v / 2)], 16000));
    const r = cli('speech', 'predict', '--model', join(out, 'model.safetensors'), one, stereo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${one.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\d*$`));
    expect(lines[1]!.startsWith(`${stereo} `)).toBe(true);
    expect(lines[1]!.slice(stereo.length + 1)).toMatch(/^\d*$/);
  });

  it.each([
    ['not a WAV', () => { const p = join(work, 'noise.wav'); writeFileSync(p, 'hello, not audio'); return p; }, /noise\.wav: WAV: not a RIFF\/WAVE file/],
    ['a missing WAV', () => join(work, 'absent.wav'), /absent\.wav: no such file/],
  ])('speech predict on %s: one line naming the file, exit code 1', (_name, file, message) => {
    const good = join(fsdd, 'recordings', '0_jackson_0.wav');
    const r = cli('speech', 'predict', '--model', join(out, 'model.safetensors'), good, file());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('speech --top-db none --ensemble 2: features without a floor, two classifiers saved, the settings say so', async () => {
    const dir = join(work, 'ensemble');
    const r = cli('speech', '--quick', '--quiet', '--json', '--parts', 'official', '--top-db', 'none', '--ensemble', '2', '--data', fsdd, '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.settings).toMatchObject({ topDb: null, ensemble: 2, normalize: 'utterance' });
    expect(summary.accuracy.official).toBeGreaterThanOrEqual(0);
    expect(summary.accuracy.official).toBeLessThanOrEqual(1);
    await expectReloads(dir, 'classifier');
    await expectReloads(dir, 'classifier-2');
  });

  it.each([
    ['--top-db', '0', /--top-db must be a positive number/],
    ['--top-db', 'loud', /--top-db must be a positive number/],
    ['--ensemble', '0', /--ensemble must be an integer ≥ 1/],
  ])('speech %s %s: one line, exit code 1', (flag, value, message) => {
    const r = cli('speech', '--quick', '--quiet', flag, value, '--data', fsdd, '--out', join(work, 'bad'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('speech with a folder that has no recordings: one line naming it, exit code 1', () => {
    const r = cli('speech', '--quick', '--quiet', '--data', work, '--out', join(work, 'none'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no recordings named \{digit\}_\{speaker\}_\{index\}\.wav/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
