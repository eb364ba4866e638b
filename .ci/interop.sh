#!/usr/bin/env bash
# PyTorch/Keras interop (issue 12): what test/interop-*.test.ts need beyond node_modules.
#
# The fixtures are committed (test/golden/interop, from test/golden/interop_generate.py), so the
# tests need no Python except the export direction of test/interop-torch.test.ts (model.save()
# → python/wasm_rnn_torch.py → PyTorch), which runs when /usr/bin/python3 has torch and is
# skipped otherwise. This script makes sure it runs: Debian's python3-torch (already on the
# image: a no-op taking ~2 s; a fresh machine: one apt install).
#
# INTEROP_REGENERATE=1 also re-runs the generator in scratch venvs (PyPI safetensors for the
# torch part; keras, jax, h5py, scipy for the Keras part: ~300 MB of wheels, a few minutes) and
# fails if the committed fixtures' numbers are not what the libraries give now. Not for every
# CI run: for a change to the generator or to the libraries' versions.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "interop: installing python3-torch (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch
fi
/usr/bin/python3 -c 'import torch; print("interop: torch", torch.__version__, "for the export test")'

if [[ "${INTEROP_REGENERATE:-0}" == 1 ]]; then
  venv=$(mktemp -d)
  /usr/bin/python3 -m venv --system-site-packages "$venv/torch"
  "$venv/torch/bin/pip" install -q safetensors
  /usr/bin/python3 -m venv "$venv/keras"
  "$venv/keras/bin/pip" install -q keras jax h5py scipy
  "$venv/torch/bin/python" test/golden/interop_generate.py torch
  KERAS_BACKEND=jax "$venv/keras/bin/python" test/golden/interop_generate.py keras
  rm -rf "$venv"
  # The .keras/.safetensors containers may differ byte-wise (timestamps); the tests decide.
  npx vitest run --project simd test/interop-torch.test.ts test/interop-keras.test.ts
fi
