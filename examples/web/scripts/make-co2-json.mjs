// Derives src/co2.json (committed) from the Mauna Loa CO₂ monthly series of the npm package
// vega-datasets (data/co2-concentration.csv: Scripps / NOAA, monthly mean CO₂ in ppm), so the
// page needs no network and no CSV parser: { source, months: ["1958-03", …], ppm: [315.7, …] }.
//   node examples/web/scripts/make-co2-json.mjs [path/to/co2-concentration.csv]
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

// The package's exports map does not list its data files: the path inside the repository's node_modules.
const csvPath = process.argv[2] ?? fileURLToPath(new URL('../../../node_modules/vega-datasets/data/co2-concentration.csv', import.meta.url));
const rows = (await readFile(csvPath, 'utf8')).trim().split(/\r?\n/);
if (rows[0] !== 'Date,CO2,adjusted CO2') throw new Error(`${csvPath}: unexpected header ${JSON.stringify(rows[0])}`);
const months = [];
const ppm = [];
for (const row of rows.slice(1)) {
  const [date, co2] = row.split(',');
  const value = Number(co2);
  if (!/^\d{4}-\d{2}-01$/.test(date) || !Number.isFinite(value)) throw new Error(`${csvPath}: bad row ${JSON.stringify(row)}`);
  months.push(date.slice(0, 7));
  ppm.push(value);
}
const source = 'Mauna Loa monthly mean CO2 (ppm), Scripps/NOAA, via npm vega-datasets@3.2.1 data/co2-concentration.csv (column CO2)';
await writeFile(new URL('../src/co2.json', import.meta.url), `${JSON.stringify({ source, months, ppm })}\n`);
console.log(`src/co2.json: ${ppm.length} months, ${months[0]} to ${months.at(-1)}`);
