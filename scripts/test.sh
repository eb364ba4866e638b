#!/usr/bin/env bash
# `npm test`: the JS suite once per wasm variant (vitest projects relaxed, simd, scalar; see
# vitest.config.ts), then the Rust workspace's native tests. Both always run; the exit code
# is non-zero if either failed. Extra arguments go to vitest (e.g. `npm test -- --project simd`).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0

echo "== vitest run (projects: relaxed, simd, scalar) =="
node_modules/.bin/vitest run "$@" || status=1

# The same pinned Debian toolchain that builds the wasm (scripts/build-wasm.sh), when present;
# otherwise whatever cargo is on PATH.
if [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]]; then
  CARGO=/usr/bin/cargo
  export RUSTC=/usr/bin/rustc
else
  CARGO=cargo
fi
echo "== cargo test --workspace --release (native, $("${RUSTC:-rustc}" --version)) =="
locked=()
[[ "${CI:-}" != true ]] || locked=(--locked)
"$CARGO" test --workspace --release "${locked[@]}" || status=1

exit "$status"
