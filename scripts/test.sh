#!/usr/bin/env bash
# `npm test`: the JS suite once per wasm variant (vitest projects relaxed, simd, scalar; see
# vitest.config.ts), then the Rust workspace's native tests. Both always run; the exit code
# is non-zero if either failed. Extra arguments go to vitest (e.g. `npm test -- --project simd`).
# The last line is a plain tally of both runners, "tests: N passed, N failed, N skipped", also
# written to target/test-tally.txt for .ci/run.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
mkdir -p target
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== vitest run (projects: relaxed, simd, scalar) =="
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$tmp/vitest.json" "$@" \
  || status=1

# The same pinned Debian toolchain that builds the wasm (scripts/build-wasm.sh), when present;
# otherwise whatever cargo is on PATH.
if [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]]; then
  CARGO=/usr/bin/cargo
  export RUSTC=/usr/bin/rustc
else
  CARGO=cargo
fi
echo
echo "== cargo test --workspace --release (native, $("${RUSTC:-rustc}" --version)) =="
locked=()
[[ "${CI:-}" != true ]] || locked=(--locked)
"$CARGO" test --workspace --release "${locked[@]}" 2>&1 | tee "$tmp/cargo.log" || status=1

tally="$(node --input-type=module - "$tmp/vitest.json" "$tmp/cargo.log" <<'EOF'
import { existsSync, readFileSync } from 'node:fs';
const [vitestJson, cargoLog] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
} else {
  failed += 1; // vitest did not even report
}
for (const m of readFileSync(cargoLog, 'utf8').matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)) {
  passed += +m[1]; failed += +m[2]; skipped += +m[3];
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
EOF
)"
echo
echo "$tally" | tee target/test-tally.txt
exit "$status"
