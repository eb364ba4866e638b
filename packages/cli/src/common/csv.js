/**
 * A small reader for the numeric CSV files of the demos (a header row, then one record per
 * line): it checks the columns a command needs and that every value in them is a finite
 * number, so a malformed file fails with one line naming the file, the row and the column.
 */
import { fileError } from './errors.js';
import { readText } from './files.js';

/**
 * Reads `file` and returns `{ rows, columns }` where `columns[name]` is a Float64Array for each
 * name of `numeric` and `text[name]` the raw strings of each name of `labels`.
 */
export function readCsv(file, { numeric, labels = [] }) {
  const text = readText(file);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw fileError(file, 'has no data rows (expected a header line and at least one record)');
  const header = lines[0].split(',').map((h) => h.trim());
  const index = (name) => {
    const i = header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    if (i < 0) throw fileError(file, `has no column "${name}" (its header is: ${header.join(', ')})`);
    return i;
  };
  const numericAt = numeric.map(index);
  const labelAt = labels.map(index);
  const rows = lines.length - 1;
  const columns = Object.fromEntries(numeric.map((n) => [n, new Float64Array(rows)]));
  const strings = Object.fromEntries(labels.map((n) => [n, new Array(rows)]));
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1].split(',');
    if (cells.length !== header.length) throw fileError(file, `line ${r + 2} has ${cells.length} fields, the header has ${header.length}`);
    numeric.forEach((name, k) => {
      const raw = cells[numericAt[k]].trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) throw fileError(file, `line ${r + 2}, column "${name}": ${JSON.stringify(raw)} is not a number`);
      columns[name][r] = v;
    });
    labels.forEach((name, k) => (strings[name][r] = cells[labelAt[k]].trim()));
  }
  return { rows, columns, text: strings };
}
