#!/usr/bin/env bash
# Build the WebAssembly core (crate crates/bindings, package wasm-rnn-bindings) in three
# variants: the optimised module to ts/generated/<variant>/, and the wasm-bindgen glue (identical
# for the three) once, as ts/generated/glue.js (see scripts/share-glue.mjs).
#
#   relaxed  simd128 + relaxed-simd (fused multiply-add, relaxed swizzles)
#   simd     simd128 only
#   scalar   no SIMD at all (engines without simd128, e.g. old Safari)
#
# Usage: scripts/build-wasm.sh [variant ...]      (default: all three)
#
# The outputs are committed, so `npm ci && npm test` needs no Rust, and CI rebuilds them and
# fails if they differ: the build must be byte-reproducible across machines and checkouts.
# That is why every tool is pinned (Debian's rustc-web/cargo-web, lld-22, wasm-bindgen-cli,
# binaryen from package-lock.json) and why absolute paths are remapped out of the binary.
#
# Environment overrides (for experiments only; CI uses the defaults):
#   WASM_RNN_RUSTC, WASM_RNN_CARGO, WASM_RNN_WASM_LD, WASM_BINDGEN, WASM_OPT
#   WASM_RNN_ALLOW_UNPINNED=1   build even if a tool's version is not the pinned one
set -euo pipefail

# ---- pinned toolchain -------------------------------------------------------------------
RUSTC_PINNED="1.96.0"        # Debian rustc-web / cargo-web / rust-web-src 1.96.0+dfsg1-1~deb12u2
WASM_BINDGEN_PINNED="0.2.130" # must equal the wasm-bindgen crate version in Cargo.lock
WASM_OPT_PINNED="132"        # npm binaryen 132.0.0 (package.json devDependencies)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$REPO"

RUSTC="${WASM_RNN_RUSTC:-/usr/bin/rustc}"
CARGO="${WASM_RNN_CARGO:-/usr/bin/cargo}"
WASM_LD="${WASM_RNN_WASM_LD:-/usr/lib/llvm-22/bin/wasm-ld}"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
WASM_OPT="${WASM_OPT:-$REPO/node_modules/.bin/wasm-opt}"
if [[ -z "${WASM_BINDGEN:-}" ]]; then
  WASM_BINDGEN="$(command -v wasm-bindgen || true)"
  [[ -n "$WASM_BINDGEN" ]] || WASM_BINDGEN="$CARGO_HOME/bin/wasm-bindgen"
fi

die() { echo "build-wasm: error: $*" >&2; exit 1; }
log() { echo "build-wasm: $*" >&2; }

# ---- check the tools before spending minutes compiling -----------------------------------
[[ -x "$RUSTC" ]] || die "$RUSTC not found: apt-get install rustc-web cargo-web rust-web-src (see .ci/run)"
[[ -x "$CARGO" ]] || die "$CARGO not found: apt-get install cargo-web (see .ci/run)"
[[ -x "$WASM_LD" ]] || die "$WASM_LD not found: apt-get install lld-22 (see .ci/run)"
[[ -x "$WASM_BINDGEN" ]] || die "wasm-bindgen not found: cargo install wasm-bindgen-cli --version $WASM_BINDGEN_PINNED"
[[ -x "$WASM_OPT" ]] || die "$WASM_OPT not found: run npm ci first (binaryen is a devDependency)"

SYSROOT="$("$RUSTC" --print sysroot)"
RUST_SRC="$SYSROOT/lib/rustlib/src/rust"
[[ -d "$RUST_SRC/library/std" ]] || die "no Rust std sources at $RUST_SRC: apt-get install rust-web-src"

check_version() { # name, actual version string, wanted substring
  if [[ "$2" != *"$3"* ]]; then
    if [[ "${WASM_RNN_ALLOW_UNPINNED:-}" == 1 ]]; then
      log "warning: $1 is '$2', pinned is $3; output will not match the committed files"
    else
      die "$1 is '$2' but the pinned version is $3 (set WASM_RNN_ALLOW_UNPINNED=1 to build anyway)"
    fi
  fi
}
check_version rustc "$("$RUSTC" --version)" "rustc $RUSTC_PINNED "
check_version wasm-bindgen "$("$WASM_BINDGEN" --version)" "wasm-bindgen $WASM_BINDGEN_PINNED"
check_version wasm-opt "$("$WASM_OPT" --version)" "version $WASM_OPT_PINNED "

# ---- reproducibility: keep machine paths out of the binary --------------------------------
# Panic locations embed source file paths. Map each root that can appear to a fixed name.
# rustc uses the LAST matching --remap-path-prefix, so the most specific roots go last.
REMAPS=(
  "$RUST_SRC=/rustc/$RUSTC_PINNED"
  "$CARGO_HOME=/cargo"
  "$REPO=/wasm-rnn"
)
# The checkout may also be reached through a symlinked path; cargo passes paths as it sees them.
LOGICAL_REPO="$(cd "$REPO" && pwd -L)"
[[ "$LOGICAL_REPO" == "$REPO" ]] || REMAPS+=("$LOGICAL_REPO=/wasm-rnn")
if [[ -d "$CARGO_HOME" ]]; then
  PHYSICAL_CARGO_HOME="$(cd "$CARGO_HOME" && pwd -P)"
  [[ "$PHYSICAL_CARGO_HOME" == "$CARGO_HOME" ]] || REMAPS+=("$PHYSICAL_CARGO_HOME=/cargo")
fi

# Features rustc 1.96 turns on by default for wasm32-unknown-unknown (`rustc --print cfg
# --target wasm32-unknown-unknown`): bulk-memory, multivalue, mutable-globals,
# nontrapping-fptoint, reference-types, sign-ext. LLVM also implies bulk-memory-opt and
# call-indirect-overlong from those. wasm-opt gets exactly this set (starting from MVP) plus the
# variant's SIMD features. The module's target_features section is stripped first: wasm-opt
# would otherwise add whatever that section lists to the command line's set, and validate
# nothing. So wasm-opt fails if a variant uses an instruction it must not (a v128 op in the
# scalar build, a relaxed op in the simd build).
WASM_OPT_BASE_FEATURES=(
  --mvp-features
  --enable-bulk-memory --enable-bulk-memory-opt
  --enable-multivalue
  --enable-mutable-globals
  --enable-nontrapping-float-to-int
  --enable-reference-types --enable-call-indirect-overlong
  --enable-sign-ext
)

build_variant() {
  # wasm_opt_features: what the variant may use; lacking: a feature set it must NOT validate
  # under, proving the build really uses its SIMD flavour (a cfg(target_feature) mistake in the
  # crate would otherwise ship e.g. a "relaxed" build that is the simd one).
  local variant="$1" target_features wasm_opt_features lacking
  case "$variant" in
    relaxed) target_features="+simd128,+relaxed-simd"; wasm_opt_features=(--enable-simd --enable-relaxed-simd); lacking=(--enable-simd) ;;
    simd)    target_features="+simd128";               wasm_opt_features=(--enable-simd);                       lacking=() ;;
    scalar)  target_features="";                       wasm_opt_features=();                                    lacking=(none) ;;
    *) die "unknown variant '$variant' (expected relaxed, simd or scalar)" ;;
  esac

  local rustflags=(-C "linker=$WASM_LD")
  [[ -z "$target_features" ]] || rustflags+=(-C "target-feature=$target_features")
  local remap
  for remap in "${REMAPS[@]}"; do rustflags+=("--remap-path-prefix=$remap"); done

  # Separate target dirs: the three variants compile std with different features, and a
  # shared dir would rebuild std every time the variant changes.
  local target_dir="$REPO/target/wasm-$variant"
  local started=$SECONDS
  log "[$variant] cargo build (target-feature='${target_features:-none}', target dir target/wasm-$variant)"
  # CARGO_ENCODED_RUSTFLAGS (0x1f-separated) survives paths with spaces, unlike RUSTFLAGS.
  # It applies only to the wasm target (and the std it builds), not to host build scripts.
  # RUSTC_BOOTSTRAP lets the stable Debian compiler accept -Zbuild-std: the Debian packages
  # ship no prebuilt wasm32 std, so std is compiled from rust-web-src with our flags, which
  # also means std itself gets the variant's SIMD features.
  local locked=()
  [[ "${CI:-}" != true ]] || locked=(--locked)
  env -u RUSTFLAGS \
    RUSTC="$RUSTC" RUSTC_BOOTSTRAP=1 \
    CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; echo "${rustflags[*]}")" \
    "$CARGO" build --release "${locked[@]}" \
      --target wasm32-unknown-unknown \
      -Zbuild-std=std,panic_abort \
      -p wasm-rnn-bindings \
      --target-dir "$target_dir"

  local raw="$target_dir/wasm32-unknown-unknown/release/wasm_rnn.wasm"
  [[ -f "$raw" ]] || die "[$variant] cargo produced no $raw"

  # Build into a staging dir and swap it in at the end, so a failed run never leaves a
  # half-updated variant (and files the new glue no longer generates do not linger).
  local stage="$target_dir/bindgen"
  rm -rf "$stage"
  log "[$variant] wasm-bindgen --target web"
  # --omit-default-module-path: the glue would otherwise contain
  # `new URL('wasm_rnn_bg.wasm', import.meta.url)`, which bundlers (webpack) try to resolve
  # next to dist/index.js, where no such file exists. ts/backend/init.ts always passes the module.
  "$WASM_BINDGEN" "$raw" \
    --target web \
    --omit-default-module-path \
    --out-name wasm_rnn \
    --out-dir "$stage"
  rm -f "$stage/package.json" "$stage/.gitignore"

  log "[$variant] wasm-opt -O3 (${wasm_opt_features[*]:-no simd})"
  # --low-memory-unused lets wasm-opt fold constant address offsets into the loads' offset
  # immediates (V8 then needs no separate address add per load in the GEMM loops). Safe here:
  # Rust puts the 1 MiB stack at the bottom of memory, so the low 1 KiB is only reached by a
  # stack about to overflow.
  "$WASM_OPT" -O3 --low-memory-unused "${WASM_OPT_BASE_FEATURES[@]}" "${wasm_opt_features[@]}" \
    "$stage/wasm_rnn_bg.wasm" -o "$stage/wasm_rnn_bg.opt.wasm"
  mv "$stage/wasm_rnn_bg.opt.wasm" "$stage/wasm_rnn_bg.wasm"

  # Relaxed min/max return an implementation-defined lane when an operand is NaN (x86 engines
  # return the other operand), so a build containing them can turn NaN into a finite number in
  # one engine and not another. LLVM rewrites f32x4.pmin/pmax into them when relaxed SIMD is on;
  # the kernels use the NaN-propagating f32x4.min/max instead, and this keeps it so.
  local relaxed_ops
  relaxed_ops="$("$(dirname "$WASM_OPT")/wasm-dis" "$stage/wasm_rnn_bg.wasm" | grep -cE 'relaxed_(min|max)' || true)"
  [[ "$relaxed_ops" == 0 ]] || die "[$variant] the module contains $relaxed_ops relaxed_min/relaxed_max instructions (NaN-unsafe)"

  # A machine path surviving the remaps would make the committed binary differ per checkout.
  local leak
  for leak in "$REPO" "$CARGO_HOME" "$HOME"; do
    [[ ${#leak} -gt 4 ]] || continue # "/" or "/tmp"-like roots would match by chance
    if grep -qaF "$leak" "$stage/wasm_rnn_bg.wasm"; then
      die "[$variant] the wasm still contains the machine path '$leak': add a --remap-path-prefix"
    fi
  done

  # Only the binary is per variant: the glue is the same for all three and is written once,
  # by scripts/share-glue.mjs below.
  local out="$REPO/ts/generated/$variant"
  mkdir -p "$REPO/ts/generated"
  rm -rf "$out"
  mkdir -p "$out"
  cp "$stage/wasm_rnn_bg.wasm" "$out/wasm_rnn_bg.wasm"
  log "[$variant] done in $((SECONDS - started))s: ts/generated/$variant/wasm_rnn_bg.wasm $(wc -c < "$out/wasm_rnn_bg.wasm") bytes"
}

variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(relaxed simd scalar)
for v in "${variants[@]}"; do build_variant "$v"; done

# One glue for the three binaries: fails unless the variants just built got identical glue, then
# writes ts/generated/glue.js (a factory: one instance per variant), glue.d.ts, wasm_rnn.d.ts and
# wasm_rnn_bg.wasm.d.ts.
stages=()
for v in "${variants[@]}"; do stages+=("$REPO/target/wasm-$v/bindgen"); done
node "$REPO/scripts/share-glue.mjs" "$REPO/ts/generated" "${stages[@]}"

if command -v sha256sum >/dev/null; then
  (cd "$REPO" && find ts/generated -type f | LC_ALL=C sort | xargs sha256sum >&2)
fi
