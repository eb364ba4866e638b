#!/usr/bin/env bash
# `npm test`: the JS suite once per wasm variant (vitest projects relaxed, simd, scalar; see
# vitest.config.ts), then the Rust workspace's native tests, then the unit tests of the simd and
# kernels crates compiled to wasm once per variant and run under Node (scripts/test-wasm-kernels.sh).
# All always run; the exit code is non-zero if any failed. Extra arguments go to vitest (e.g.
# `npm test -- --project simd`).
# The last line is a plain tally of all runners, "tests: N passed, N failed, N skipped", also
# written to target/test-tally.txt for .ci/run.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
mkdir -p target
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The WorkerPool tests run the bundle (dist/worker.js) in worker threads: build it first.
echo "== npm run build (dist/ for the worker-pool tests) =="
npm run build --silent >/dev/null || { echo "test: npm run build failed" >&2; exit 1; }

echo "== vitest run (projects: relaxed, simd, scalar) =="
vitest_status=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$tmp/vitest.json" "$@" \
  || vitest_status=$?
bash scripts/test-runtimes.sh --tally "$tmp/vitest.json" "$@" || vitest_status=1  # Node 22/24, Deno, Bun, workerd, Chromium (adds to the tally)

# The same pinned Debian toolchain that builds the wasm (scripts/build-wasm.sh), when present;
# otherwise whatever cargo is on PATH. Own target dir: a plain `cargo test` with rustup's
# toolchain uses target/, and two compilers sharing one dir trip over each other's artifacts.
# RUSTDOC too: doctests are compiled by rustdoc, and rustup's one on PATH rejects crates built
# by another rustc (E0514).
if [[ -x /usr/bin/cargo && -x /usr/bin/rustc && -x /usr/bin/rustdoc ]]; then
  CARGO=/usr/bin/cargo
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
else
  CARGO=cargo
fi
echo
echo "== cargo test --workspace --release --target-dir target/native (native, $("${RUSTC:-rustc}" --version)) =="
locked=()
[[ "${CI:-}" != true ]] || locked=(--locked)
cargo_status=0
# The release profile's fat LTO + 1 codegen unit are for the shipped wasm; for the native test
# binaries they only cost time (about 190 s of compiling instead of 75 s on 2 cores). Same
# optimisation level, and Rust never reassociates or contracts float ops, so results match.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
"$CARGO" test --workspace --release "${locked[@]}" --target-dir target/native 2>&1 | tee "$tmp/cargo.log" || cargo_status=$?

# The same crates' unit tests compiled to wasm32-wasip1 with each variant's target features,
# so the wasm lane code (simd128, relaxed-simd) runs its tests too, not only the native twin.
echo
echo "== scripts/test-wasm-kernels.sh (simd + kernels unit tests as wasm: relaxed, simd, scalar) =="
wasm_unit_status=0
bash scripts/test-wasm-kernels.sh 2>&1 | tee "$tmp/wasm-unit.log" || wasm_unit_status=$?
[[ $vitest_status -eq 0 && $cargo_status -eq 0 && $wasm_unit_status -eq 0 ]] || status=1

tally="$(node --input-type=module - "$tmp/vitest.json" "$vitest_status" \
  "$tmp/cargo.log" "$cargo_status" "$tmp/wasm-unit.log" "$wasm_unit_status" <<'EOF'
import { existsSync, readFileSync } from 'node:fs';
const [vitestJson, vitestStatus, ...libtestRuns] = process.argv.slice(2);
let passed = 0, skipped = 0, vitestFailed = 0, libtestFailed = 0;
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests; vitestFailed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
}
// A runner that failed without failing a test (compile error, failing setup file, crash)
// still counts as one failure, so the tally never reads "0 failed" for a red run.
if (vitestStatus !== '0' && vitestFailed === 0) vitestFailed = 1;
// libtest logs (native cargo test, wasm unit tests), each with its runner's exit status.
for (let i = 0; i < libtestRuns.length; i += 2) {
  const [log, status] = [libtestRuns[i], libtestRuns[i + 1]];
  let failed = 0;
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const m of text.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)) {
    passed += +m[1]; failed += +m[2]; skipped += +m[3];
  }
  if (status !== '0' && failed === 0) failed = 1;
  libtestFailed += failed;
}
const failed = vitestFailed + libtestFailed;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
EOF
)"
echo
echo "$tally" | tee target/test-tally.txt
exit "$status"
