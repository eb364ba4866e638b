/**
 * Plots as Vega-Lite specs rendered headless: vega-lite compiles the spec, vega renders it to
 * SVG without a browser, and @resvg/resvg-js (a prebuilt native renderer, optional) turns the
 * SVG into a PNG a README can show. Writes `<name>.svg` (and `<name>.png`) into `dir`.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { writeOutput } from './files.js';

let resvg;
async function loadResvg() {
  if (resvg === undefined) {
    try {
      resvg = (await import('@resvg/resvg-js')).Resvg;
    } catch {
      resvg = null; // no prebuilt binary for this platform: SVG only
    }
  }
  return resvg;
}

/** Renders `spec` (Vega-Lite) and writes the files; returns their paths. */
export async function writePlot(dir, name, spec) {
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', width: 640, height: 320, ...spec };
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const files = [writeOutput(dir, `${name}.svg`, svg)];
  const Resvg = await loadResvg();
  if (Resvg) {
    const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    files.push(writeOutput(dir, `${name}.png`, png));
  }
  return files;
}

// The same model keeps the same colour in every plot (Tableau 10; the actual data in black).
const COLORS = { actual: '#222222', lstm: '#e15759', gru: '#4e79a7', rnn: '#59a14f', seasonalNaive: '#b07aa1', linearAR: '#f28e2b', 'random walk': '#9c755f', validation: '#e15759', training: '#4e79a7', 'no clipping': '#f28e2b', 'clipGradNorm 1': '#4e79a7' };
const FALLBACK = ['#76b7b2', '#edc948', '#ff9da7', '#bab0ac'];

/** A multi-line chart of `series` ({ name: [{ x, y }] }) as one long table. */
export function lineSpec({ title, series, x, y, xType = 'quantitative', yScale = {}, xScale = {}, strokeDash = false, xFormat }) {
  const names = Object.keys(series);
  const range = names.map((n, i) => COLORS[n] ?? FALLBACK[i % FALLBACK.length]);
  const values = [];
  for (const [name, points] of Object.entries(series)) for (const p of points) values.push({ series: name, x: p.x, y: p.y });
  return {
    title,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: 'x', type: xType, title: x, scale: xScale, ...(xFormat ? { axis: { format: xFormat, tickMinStep: 1 } } : {}) },
      y: { field: 'y', type: 'quantitative', title: y, scale: yScale.type === 'log' ? yScale : { zero: false, ...yScale } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range } },
      ...(strokeDash ? { strokeDash: { field: 'series', type: 'nominal', title: null } } : {}),
    },
  };
}
