/**
 * Every recording read once: its 8 kHz waveform (the connected-digit utterances are built from
 * these) and its normalized log-mel features, clean and in a few augmented variants, computed
 * once and drawn from every epoch (with fresh SpecAugment masks).
 */
import { waveVariants, specMask } from './augment.js';
import { FEATURES, readWav, stackFrames } from './front-end.js';

export class FeatureCache {
  /**
   * `on`: Set of augmentations; `variants`: augmented copies per recording; `classifier`: false
   * when only the connected digits run (they need the waveforms, not per-recording features);
   * `normalize`, `topDb`: the classifier's features (`features` in front-end.js; the CLI's
   * --normalize and --top-db decide them).
   */
  constructor(recordings, { on, variants, random, progress, classifier = true, normalize, topDb }) {
    const started = performance.now();
    this.recordings = recordings;
    this.on = on;
    this.waves = recordings.map((r) => readWav(r.path));
    this.variants = classifier ? this.waves.map((w) => waveVariants(w, { on, count: variants, random, normalize, topDb })) : [];
    progress.log(`speech: ${recordings.length} recordings read, ${this.variants.reduce((n, v) => n + v.length, 0)} feature sets computed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Clean features of recording i, stacked by `k`. */
  clean(i, k) {
    return stackFrames(this.variants[i][0], FEATURES.nMels, k);
  }

  /** One training draw of recording i: a random variant (clean included), masked if on, stacked by `k`. */
  draw(i, k, random) {
    const v = this.variants[i];
    let f = v[Math.floor(random() * v.length)];
    if (this.on.has('mask')) f = specMask(f, FEATURES.nMels, random);
    return stackFrames(f, FEATURES.nMels, k);
  }
}
