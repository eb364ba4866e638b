/**
 * Augmentation for speaker-independent recognition. On the waveform (cached once, a few
 * variants per recording): speed (resampling: tempo and pitch together, as a different vocal
 * tract length would), gain and white noise. On the normalized features (fresh every time a
 * sample is drawn): SpecAugment's time and frequency masking (Park et al. 2019).
 */
import { changeSpeed, features, gainAndNoise } from './front-end.js';

/** Which augmentations are on (--augment speed,noise,mask or none). */
export const AUGMENTATIONS = ['speed', 'noise', 'mask'];

/**
 * Feature variants of one waveform: the clean one first, then `count` augmented ones (a random
 * speed in 0.85–1.15 and/or gain 0.3–3 with noise at 10–40 dB SNR, by what is on).
 */
export function waveVariants(samples, { on, count, random, normalize, topDb }) {
  const out = [features(samples, { normalize, topDb })];
  if (!on.has('speed') && !on.has('noise')) return out;
  for (let k = 0; k < count; k++) {
    let w = samples;
    if (on.has('speed')) w = changeSpeed(w, 0.85 + 0.3 * random());
    if (on.has('noise')) w = gainAndNoise(w, { gain: 0.3 * 10 ** random(), snrDb: 10 + 30 * random(), random });
    out.push(features(w, { normalize, topDb }));
  }
  return out;
}

/** A copy of `frames` [T × F] with one frequency band of up to 8 bins and one time span of up to 15% zeroed. */
export function specMask(frames, F, random) {
  const out = frames.slice();
  const T = frames.length / F;
  const fw = Math.floor(random() * 9);
  const f0 = Math.floor(random() * (F - fw + 1));
  for (let t = 0; t < T; t++) out.fill(0, t * F + f0, t * F + f0 + fw);
  const tw = Math.floor(random() * (0.15 * T + 1));
  const t0 = Math.floor(random() * (T - tw + 1));
  out.fill(0, t0 * F, (t0 + tw) * F);
  return out;
}
