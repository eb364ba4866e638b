// The tally of the check scripts CI runs outside vitest (types, bundlers, the examples): one line
// per check, then "<name>: N passed, M failed", and exit status 1 if any failed.

/** A named checklist: `check(what, ok, detail)` prints and counts (returns ok); `finish()` prints the tally and exits. */
export function checklist(name) {
  let passed = 0;
  let failed = 0;
  return {
    check(what, ok, detail = '') {
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
      return ok;
    },
    finish() {
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
