/** The two real series of `forecast`, from the vega-datasets package unless a file is given. */
import { fileURLToPath } from 'node:url';
import { readCsv } from '../common/csv.js';
import { fileError } from '../common/errors.js';

// The package exports only its JS entry (build/index.js); its CSV files sit in data/ beside build/.
export const defaultFile = (name) => fileURLToPath(new URL(`../data/${name}`, import.meta.resolve('vega-datasets')));

/** Daily S&P 500: date, open, high, low, close, volume (chronological). */
export function readSp500(file) {
  const { rows, columns, text } = readCsv(file, { numeric: ['open', 'high', 'low', 'close', 'volume'], labels: ['date'] });
  if (rows < 200) throw fileError(file, `has ${rows} rows; forecasting daily prices needs at least 200`);
  for (const name of ['open', 'high', 'low', 'close', 'volume']) {
    const bad = columns[name].findIndex((v) => !(v > 0));
    if (bad >= 0) throw fileError(file, `line ${bad + 2}, column "${name}": prices and volumes must be positive, got ${columns[name][bad]}`);
  }
  return { dates: text.date, ...columns };
}

/** Monthly CO₂ (ppm), the "CO2" column, with its dates. */
export function readCo2(file) {
  const { rows, columns, text } = readCsv(file, { numeric: ['CO2'], labels: ['Date'] });
  if (rows < 240) throw fileError(file, `has ${rows} monthly values; the rolling-origin protocol needs at least 240 (10 test years and the years before)`);
  return { dates: text.Date, values: columns.CO2 };
}
