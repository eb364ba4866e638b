#!/usr/bin/env bash
# ONNX interop (issue 12): installs the Python side (onnx, onnxruntime, torch), regenerates the
# golden models of test/golden/onnx into a scratch directory and checks that every reference
# output still matches the committed one (within 1e-5 · max(1, max|ref|): onnxruntime's kernels
# may differ in the last bits between CPUs, so no byte comparison). The TypeScript tests
# (test/interop-onnx*.test.ts, onnxruntime-node for the export) run with the normal suite.
# Idempotent; about a minute (the venv's wheels ~30 s, the generator ~15 s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch
fi
# A scratch venv over Debian's packages: Debian's torch is built against numpy 1.x, so
# ml_dtypes is pinned to a release that does not pull numpy 2 (0.7 would).
venv="$(mktemp -d)"
scratch="$(mktemp -d)"
trap 'rm -rf "$venv" "$scratch"' EXIT
/usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install -q onnx==1.23.2 onnxruntime==1.32.0 ml_dtypes==0.5.4
PY="$venv/bin/python"
$PY -c 'import numpy, torch, onnx, onnxruntime; assert numpy.__version__.startswith("1."), numpy.__version__; torch.from_numpy(numpy.zeros(1))'
# The backend test collection prints numpy warnings: shown only if the generator fails.
$PY test/golden/onnx_generate.py --out "$scratch" 2>"$venv/generate.log" || { cat "$venv/generate.log" >&2; exit 1; }
$PY - "$scratch" test/golden/onnx <<'PYEOF'
import json, os, sys
new, old = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(old) if f.endswith(".json"))
assert names == sorted(f for f in os.listdir(new) if f.endswith(".json")), "the generator writes other cases than are committed: rerun it and commit"
worst = 0.0
for f in names:
    a, b = (json.load(open(os.path.join(d, f))) for d in (new, old))
    assert a["inputs"] == b["inputs"], f"{f}: inputs changed (seeds or generator): rerun it and commit"
    for k, want in b["outputs"].items():
        got = a["outputs"][k]
        assert got["shape"] == want["shape"], f"{f} {k}: shape"
        scale = max([1.0] + [abs(v) for v in want["data"]])
        diff = max([0.0] + [abs(x - y) for x, y in zip(got["data"], want["data"])]) / scale
        worst = max(worst, diff)
        assert diff < 1e-5, f"{f} {k}: reference moved by {diff}"
print(f"onnx.sh: {len(names)} golden cases reproduce (worst scaled difference {worst:.2e})")
PYEOF
