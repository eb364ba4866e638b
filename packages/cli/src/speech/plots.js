/** The speech command's plots: confusion matrices and per-speaker accuracy (Vega-Lite). */
import { writePlot } from '../common/plot.js';

/** counts[true][predicted] as a heat map with the counts written in the cells. */
export function writeConfusion(dir, name, title, counts) {
  const values = [];
  counts.forEach((row, t) => row.forEach((n, p) => values.push({ truth: String(t), predicted: String(p), n })));
  const axis = (title) => ({ type: 'ordinal', title, sort: Array.from({ length: 10 }, (_, i) => String(i)) });
  return writePlot(dir, name, {
    title,
    width: 360,
    height: 360,
    data: { values },
    encoding: { x: { field: 'predicted', ...axis('predicted digit') }, y: { field: 'truth', ...axis('spoken digit') } },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'n', type: 'quantitative', title: 'recordings', scale: { type: 'symlog', scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 11 }, transform: [{ filter: 'datum.n > 0' }], encoding: { text: { field: 'n', type: 'quantitative' }, color: { condition: { test: 'datum.truth === datum.predicted', value: 'white' }, value: 'black' } } },
    ],
  });
}

/** Accuracy of each held-out speaker as bars, with their mean as a rule. */
export function writeSpeakerAccuracy(dir, name, perSpeaker) {
  const values = Object.entries(perSpeaker).map(([speaker, accuracy]) => ({ speaker, accuracy }));
  return writePlot(dir, name, {
    title: 'Accuracy on a speaker the model never heard (leave one speaker out)',
    width: 420,
    height: 260,
    data: { values },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'speaker', type: 'nominal', title: 'held-out speaker' }, y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } } } },
      { mark: { type: 'rule', color: '#e15759', strokeWidth: 2 }, encoding: { y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative' } } },
    ],
  });
}
