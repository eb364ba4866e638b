#!/usr/bin/env bash
# rustfmt and clippy over the workspace, with the pinned Debian toolchain (rustfmt-web,
# rust-web-clippy; see .ci/run). Fails on any formatting difference or clippy warning.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Debian's tools first: a rustup cargo-clippy on PATH would build with another compiler.
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc
locked=()
[[ "${CI:-}" != true ]] || locked=(--locked)
echo "== cargo fmt --check ($(rustfmt --version)) =="
cargo fmt --all -- --check
echo "== cargo clippy -D warnings ($(cargo clippy --version)) =="
# Own target dir: clippy's metadata differs from a plain build's.
cargo clippy --workspace --all-targets --release "${locked[@]}" --target-dir target/clippy -- -D warnings
echo "lint-rust: clean"
