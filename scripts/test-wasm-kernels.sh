#!/usr/bin/env bash
# The Rust unit tests of wasm-rnn-simd and wasm-rnn-kernels, compiled to WebAssembly once per
# build variant and run under Node (node:wasi), so the wasm lane code (simd128, relaxed-simd's
# fused multiply-add, the GEMM's shuffle-broadcast kernel) is tested, not only the generic
# [f32; 4] twin that a native `cargo test` uses.
#
#   relaxed  -C target-feature=+simd128,+relaxed-simd   (LANE_IMPL wasm32-relaxed-simd)
#   simd     -C target-feature=+simd128                 (LANE_IMPL wasm32-simd128)
#   scalar   no SIMD                                    (LANE_IMPL scalar)
#
# Usage: scripts/test-wasm-kernels.sh [variant ...]      (default: all three)
# Prints libtest's output ("test result: ok. N passed; ...") per test binary; exits non-zero if
# any build or test failed (all variants still run).
#
# How: target wasm32-wasip1 with -Zbuild-std (Debian's toolchain ships no wasm32 std; the std is
# compiled from rust-web-src with the variant's features, as scripts/build-wasm.sh does), linked
# by lld-22 against Debian's wasi-libc (.ci/run installs it) plus scripts/wasi-test-stubs.rs.
# Tests are built with panic=unwind (wasm exception handling), so a failing test is reported by
# libtest like natively and the rest still run. cargo runs each test binary through
# scripts/wasi-test-runner.mjs (as target.wasm32-wasip1.runner).
# Build time (cold, per variant, 2 cores): std is compiled from source each time, so it is
# compiled cheaply: opt-level 0 and without its `backtrace` feature (no symbolised backtraces on
# WASI anyway), about half the CPU time of an optimised std; std is not what is under test, and
# the generic std code the tests use is instantiated in the tested crates. Those crates get the
# release profile (opt-level 3, as shipped) without fat LTO and with 16 codegen units, like the
# native tests in scripts/test.sh. One target dir per variant: target/wasm-test-<variant>.
#
# Not run in wasm: doctests (rustdoc cannot run cross-compiled doctests without unstable flags;
# the native run covers them). libtest marks #[should_panic] tests ignored on wasm (there are
# none in these crates).
#
# Environment overrides: WASM_RNN_RUSTC, WASM_RNN_CARGO, WASM_RNN_WASM_LD, WASI_LIBC_DIR (the
# directory with wasi-libc's libc.a and crt1-command.o), WASM_RNN_NODE (default: node on PATH).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO"

RUSTC="${WASM_RNN_RUSTC:-/usr/bin/rustc}"
CARGO="${WASM_RNN_CARGO:-/usr/bin/cargo}"
WASM_LD="${WASM_RNN_WASM_LD:-/usr/lib/llvm-22/bin/wasm-ld}"
NODE="${WASM_RNN_NODE:-node}"

die() { echo "test-wasm-kernels: error: $*" >&2; exit 1; }
log() { echo "test-wasm-kernels: $*"; }

[[ -x "$RUSTC" ]] || die "$RUSTC not found: apt-get install rustc-web cargo-web rust-web-src (see .ci/run)"
[[ -x "$CARGO" ]] || die "$CARGO not found: apt-get install cargo-web (see .ci/run)"
command -v "$NODE" >/dev/null || die "$NODE not found (Node >= 20 runs the tests; set WASM_RNN_NODE to use another)"
[[ "$REPO$NODE" != *"'"* ]] || die "a ' in the checkout path or the node path: cannot quote it for cargo --config"
[[ -x "$WASM_LD" ]] || die "$WASM_LD not found: apt-get install lld-22 (see .ci/run)"
[[ -d "$("$RUSTC" --print sysroot)/lib/rustlib/src/rust/library/std" ]] \
  || die "no Rust std sources: apt-get install rust-web-src (see .ci/run)"
if [[ -z "${WASI_LIBC_DIR:-}" ]]; then
  crt="$(dpkg -L wasi-libc 2>/dev/null | grep -m1 '/crt1-command\.o$' || true)"
  WASI_LIBC_DIR="${crt%/crt1-command.o}"
fi
[[ -n "$WASI_LIBC_DIR" && -f "$WASI_LIBC_DIR/libc.a" && -f "$WASI_LIBC_DIR/crt1-command.o" ]] \
  || die "wasi-libc not found (no libc.a and crt1-command.o): apt-get install wasi-libc (see .ci/run) or set WASI_LIBC_DIR"

variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(relaxed simd scalar)
for v in "${variants[@]}"; do
  case "$v" in relaxed | simd | scalar) ;; *) die "unknown variant '$v' (expected relaxed, simd or scalar)" ;; esac
done

locked=()
[[ "${CI:-}" != true ]] || locked=(--locked)

run_variant() {
  local variant="$1" target_features lane_impl
  case "$variant" in
    relaxed) target_features="+simd128,+relaxed-simd"; lane_impl="wasm32-relaxed-simd" ;;
    simd)    target_features="+simd128";               lane_impl="wasm32-simd128" ;;
    scalar)  target_features="";                       lane_impl="scalar" ;;
  esac
  local target_dir="$REPO/target/wasm-test-$variant"
  mkdir -p "$target_dir"

  # The stubs object (see scripts/wasi-test-stubs.rs). Named by its source's hash: cargo does not
  # track link inputs, but it does rebuild everything when the flags (this path) change.
  local stubs_hash stubs
  stubs_hash="$(sha256sum "$REPO/scripts/wasi-test-stubs.rs" | cut -c1-16)"
  stubs="$target_dir/wasi-test-stubs-$stubs_hash.o"
  if [[ ! -f "$stubs" ]]; then
    local out
    if ! out="$(RUSTC_BOOTSTRAP=1 "$RUSTC" --target wasm32-wasip1 --emit=obj -o "$stubs" \
      "$REPO/scripts/wasi-test-stubs.rs" 2>&1)"; then
      echo "$out" >&2
      log "[$variant] could not compile scripts/wasi-test-stubs.rs"
      return 1
    fi
  fi

  local rustflags=(
    -C "linker=$WASM_LD"
    -C link-self-contained=no # Debian's rustc has no self-contained wasi-libc: use the package's
    -L "native=$WASI_LIBC_DIR"
    -C "link-arg=$WASI_LIBC_DIR/crt1-command.o" # what a wasi-sdk clang driver would add
    -C "link-arg=$stubs"
    -C panic=unwind # rustc turns on wasm exception handling for it
  )
  [[ -z "$target_features" ]] || rustflags+=(-C "target-feature=$target_features")

  echo
  echo "== wasm unit tests [$variant]: wasm-rnn-simd + wasm-rnn-kernels, wasm32-wasip1," \
    "target-feature='${target_features:-none}', expect LANE_IMPL=$lane_impl, target dir target/wasm-test-$variant =="
  local started=$SECONDS status=0
  # RUSTC_BOOTSTRAP: -Zbuild-std on the stable Debian compiler. CARGO_ENCODED_RUSTFLAGS applies
  # to the wasm target only (and so to the std it builds). The release profile's panic=abort is
  # overridden: the test harness needs unwinding, and std must be built with the same strategy.
  # WASM_RNN_EXPECT_LANE_IMPL is read at compile time by a test in crates/simd/src/lib.rs.
  env -u RUSTFLAGS \
    RUSTC="$RUSTC" RUSTC_BOOTSTRAP=1 \
    CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; echo "${rustflags[*]}")" \
    CARGO_PROFILE_RELEASE_PANIC=unwind \
    CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    WASM_RNN_EXPECT_LANE_IMPL="$lane_impl" \
    "$CARGO" test --release "${locked[@]}" \
      --config 'profile.release.package."*".opt-level=0' \
      --config "target.wasm32-wasip1.runner=['$NODE', '$REPO/scripts/wasi-test-runner.mjs']" \
      --target wasm32-wasip1 \
      -Zbuild-std=std,panic_unwind,panic_abort -Zbuild-std-features=panic-unwind \
      -p wasm-rnn-simd -p wasm-rnn-kernels --lib \
      --target-dir "$target_dir" \
      --no-fail-fast \
      -- --test-threads=1 \
    || status=$?
  log "[$variant] $([[ $status -eq 0 ]] && echo ok || echo "FAILED (exit $status)") in $((SECONDS - started))s"
  return "$status"
}

overall=0
for v in "${variants[@]}"; do run_variant "$v" || overall=1; done
exit "$overall"
