// Number formats the Markdown reports share.

/** Milliseconds with four significant digits or so (blank when missing). */
export function fmtMs(ms) {
  if (ms === undefined || ms === null) return '';
  if (ms >= 1000) return ms.toFixed(0);
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 10) return ms.toFixed(2);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toPrecision(3);
}
