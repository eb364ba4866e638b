#!/usr/bin/python3
"""Generate PyTorch parity goldens for wasm-rnn.

Run with Debian's Python (has torch):  /usr/bin/python3 test/golden/generate.py

For every case in CASES this builds the matching torch.nn module in float64,
draws random parameters (uniform +-1/sqrt(hidden_size), PyTorch's default
init, from a per-case seed), random input / initial states / upstream
gradients, and records forward outputs plus the gradients of
    loss = (output*dOutput).sum() + (hN*dhN).sum() [+ (cN*dcN).sum()]
with respect to input, h0, c0 and every parameter.

The same case is then re-run in float32 PyTorch (same values, cast) and the
per-tensor float32 error vs the float64 reference is recorded, scaled by
max(1, max|ref|), so the JS test can compare its own error with PyTorch's.

Output (in test/golden/data/):
  <name>.json  manifest (shapes / element offsets / float32TorchError)
  <name>.f64   all tensors concatenated, little-endian float64
  index.json   list of case names
Everything is deterministic (seed derived from the case name via crc32).
"""
import json
import os
import sys
import zlib

import numpy as np
import torch

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")


def case(cell, I, H, L=1, bi=False, bias=True, bf=False, proj=0, T=5, B=2, name=None):
    if proj:
        assert cell == "lstm" and proj < H
    if name is None:
        parts = [cell, f"i{I}", f"h{H}"]
        if proj:
            parts.append(f"p{proj}")
        parts += [f"l{L}", f"t{T}", f"b{B}"]
        if bi:
            parts.append("bi")
        if not bias:
            parts.append("nobias")
        if bf:
            parts.append("bf")
        name = "_".join(parts)
    return dict(name=name, cell=cell, inputSize=I, hiddenSize=H, numLayers=L,
                bidirectional=bi, bias=bias, batchFirst=bf, projSize=proj,
                seqLen=T, batch=B)


CASES = [
    # ---- rnn_tanh
    case("rnn_tanh", 1, 1, T=1, B=1),
    case("rnn_tanh", 3, 5, T=7, B=2),
    case("rnn_tanh", 5, 7, L=2, bi=True, T=6, B=3),
    case("rnn_tanh", 17, 17, L=3, bi=True, T=4, B=2),
    case("rnn_tanh", 33, 33, bias=False, T=5, B=4),
    case("rnn_tanh", 3, 3, T=500, B=2),
    case("rnn_tanh", 5, 7, L=2, bi=True, bf=True, T=5, B=3),
    case("rnn_tanh", 17, 3, L=2, bi=True, bias=False, T=6, B=1),
    case("rnn_tanh", 33, 1, L=2, T=3, B=9),
    case("rnn_tanh", 5, 17, T=40, B=1),
    case("rnn_tanh", 16, 4, bi=True, T=5, B=4),
    # ---- rnn_relu
    case("rnn_relu", 1, 3, T=5, B=2),
    case("rnn_relu", 5, 5, L=2, bi=True, T=8, B=3),
    case("rnn_relu", 33, 17, L=3, T=4, B=2),
    case("rnn_relu", 3, 7, bias=False, bf=True, T=6, B=2),
    case("rnn_relu", 17, 33, bi=True, T=3, B=5),
    case("rnn_relu", 1, 1, L=3, bi=True, T=3, B=2),
    case("rnn_relu", 5, 5, T=60, B=2),
    # ---- lstm
    case("lstm", 1, 1, T=1, B=1),
    case("lstm", 3, 5, T=7, B=2),
    case("lstm", 5, 7, L=2, bi=True, T=6, B=3),
    case("lstm", 17, 17, L=3, bi=True, T=5, B=2),
    case("lstm", 33, 33, bias=False, T=4, B=4),
    case("lstm", 3, 5, T=500, B=2),
    case("lstm", 5, 3, L=2, bf=True, T=5, B=3),
    case("lstm", 33, 7, bi=True, T=9, B=1),
    case("lstm", 5, 1, L=2, bi=True, T=4, B=6),
    case("lstm", 17, 33, L=2, T=20, B=3),
    case("lstm", 4, 16, L=2, T=5, B=4),
    # lstm with projection
    case("lstm", 5, 7, proj=3, T=6, B=2),
    case("lstm", 3, 5, proj=2, L=2, bi=True, T=5, B=3),
    case("lstm", 17, 17, proj=5, L=3, bi=True, bf=True, T=4, B=2),
    case("lstm", 1, 3, proj=1, bias=False, T=3, B=1),
    case("lstm", 33, 33, proj=17, bi=True, T=3, B=2),
    case("lstm", 5, 7, proj=3, bi=True, T=100, B=2),
    case("lstm", 3, 5, proj=4, L=2, bias=False, bf=True, T=7, B=5),
    # ---- gru
    case("gru", 1, 1, T=1, B=1),
    case("gru", 3, 5, T=7, B=2),
    case("gru", 5, 7, L=2, bi=True, T=6, B=3),
    case("gru", 17, 17, L=3, bi=True, T=5, B=2),
    case("gru", 33, 33, bias=False, T=4, B=4),
    case("gru", 3, 5, T=500, B=2),
    case("gru", 5, 3, L=2, bi=True, bf=True, T=5, B=3),
    case("gru", 17, 33, bi=True, bias=False, T=3, B=1),
    case("gru", 1, 17, L=2, T=12, B=2),
    case("gru", 3, 3, L=3, bi=True, bf=True, T=3, B=5),
    case("gru", 33, 7, T=30, B=2),
    case("gru", 5, 5, bias=False, T=1, B=7),
    case("gru", 8, 8, bi=True, T=4, B=4),
]


def build(c, dtype):
    kw = dict(input_size=c["inputSize"], hidden_size=c["hiddenSize"],
              num_layers=c["numLayers"], bias=c["bias"],
              batch_first=c["batchFirst"], bidirectional=c["bidirectional"])
    cell = c["cell"]
    if cell in ("rnn_tanh", "rnn_relu"):
        m = torch.nn.RNN(nonlinearity=cell[4:], **kw)
    elif cell == "lstm":
        m = torch.nn.LSTM(proj_size=c["projSize"], **kw)
    elif cell == "gru":
        m = torch.nn.GRU(**kw)
    else:
        raise ValueError(cell)
    return m.to(dtype)


def run(c, m, vals, dtype):
    """Forward + backward with the given values; returns dict of results."""
    x = vals["input"].to(dtype).clone().requires_grad_(True)
    h0 = vals["h0"].to(dtype).clone().requires_grad_(True)
    is_lstm = c["cell"] == "lstm"
    if is_lstm:
        c0 = vals["c0"].to(dtype).clone().requires_grad_(True)
        out, (hN, cN) = m(x, (h0, c0))
    else:
        out, hN = m(x, h0)
    loss = (out * vals["dOutput"].to(dtype)).sum() + (hN * vals["dhN"].to(dtype)).sum()
    if is_lstm:
        loss = loss + (cN * vals["dcN"].to(dtype)).sum()
    m.zero_grad(set_to_none=True)
    loss.backward()
    res = {"output": out.detach(), "hN": hN.detach()}
    if is_lstm:
        res["cN"] = cN.detach()
    res["grad.input"] = x.grad.detach()
    res["grad.h0"] = h0.grad.detach()
    if is_lstm:
        res["grad.c0"] = c0.grad.detach()
    for pname, p in m.named_parameters():
        res["grad.param." + pname] = p.grad.detach()
    return res


def scaled_err(a, ref):
    a = a.double()
    ref = ref.double()
    if ref.numel() == 0:
        return 0.0
    return float((a - ref).abs().max() / max(1.0, float(ref.abs().max())))


def generate_case(c):
    seed = zlib.crc32(c["name"].encode()) & 0x7FFFFFFF
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    f64 = torch.float64
    m = build(c, f64)
    H, I, L, T, B = c["hiddenSize"], c["inputSize"], c["numLayers"], c["seqLen"], c["batch"]
    D = 2 if c["bidirectional"] else 1
    O = c["projSize"] or H
    k = 1.0 / (H ** 0.5)
    with torch.no_grad():
        for _, p in m.named_parameters():
            p.copy_(torch.rand(p.shape, generator=gen, dtype=f64) * 2 * k - k)

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=f64)

    is_lstm = c["cell"] == "lstm"
    x_shape = (B, T, I) if c["batchFirst"] else (T, B, I)
    out_shape = (B, T, D * O) if c["batchFirst"] else (T, B, D * O)
    vals = {}
    vals["input"] = randn(*x_shape)
    vals["h0"] = randn(L * D, B, O) * 0.5
    if is_lstm:
        vals["c0"] = randn(L * D, B, H) * 0.5
    vals["dOutput"] = randn(*out_shape)
    vals["dhN"] = randn(L * D, B, O)
    if is_lstm:
        vals["dcN"] = randn(L * D, B, H)
    params = {n: p.detach().clone() for n, p in m.named_parameters()}

    ref = run(c, m, vals, f64)

    # float32 PyTorch on the same values
    m32 = build(c, torch.float32)
    with torch.no_grad():
        for n, p in m32.named_parameters():
            p.copy_(params[n].to(torch.float32))
    r32 = run(c, m32, vals, torch.float32)
    f32err = {name: scaled_err(r32[name], ref[name]) for name in ref}

    assert tuple(ref["output"].shape) == out_shape
    assert tuple(ref["grad.input"].shape) == x_shape

    tensors = {}
    for n, v in vals.items():
        tensors[n] = v
    for n, p in params.items():
        tensors["param." + n] = p
    for n, v in ref.items():
        tensors[n] = v

    manifest_tensors = {}
    chunks = []
    offset = 0
    for n, v in tensors.items():
        arr = v.detach().to(f64).contiguous().numpy().astype("<f8", copy=False).reshape(-1)
        assert np.all(np.isfinite(arr)), (c["name"], n)
        manifest_tensors[n] = {"shape": list(v.shape), "offset": offset, "length": int(arr.size)}
        chunks.append(arr)
        offset += arr.size
    blob = np.concatenate(chunks).astype("<f8")
    manifest = {
        "name": c["name"],
        "cell": c["cell"],
        "config": {k2: c[k2] for k2 in ("inputSize", "hiddenSize", "numLayers",
                                         "bidirectional", "bias", "batchFirst", "projSize")},
        "seqLen": T,
        "batch": B,
        "seed": seed,
        "torchVersion": torch.__version__,
        "tensors": manifest_tensors,
        "float32TorchError": f32err,
    }
    with open(os.path.join(OUT, c["name"] + ".json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, c["name"] + ".f64"), "wb") as f:
        f.write(blob.tobytes())
    return manifest


def main():
    os.makedirs(OUT, exist_ok=True)
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    # remove stale case files
    for fn in os.listdir(OUT):
        if fn.endswith((".json", ".f64")) and fn != "index.json":
            if os.path.splitext(fn)[0] not in names:
                os.remove(os.path.join(OUT, fn))
    total = 0
    for c in CASES:
        m = generate_case(c)
        n = sum(t["length"] for t in m["tensors"].values())
        total += n * 8
        e = m["float32TorchError"]
        out_err = max(v for k2, v in e.items() if not k2.startswith("grad."))
        grad_err = max(v for k2, v in e.items() if k2.startswith("grad."))
        print(f"{c['name']:45s} {n * 8:9d} B  f32 out {out_err:.2e}  grad {grad_err:.2e}")
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump({"torchVersion": torch.__version__, "cases": names}, f, indent=1)
        f.write("\n")
    print(f"{len(names)} cases, {total / 1e6:.2f} MB of float64 data")


if __name__ == "__main__":
    sys.exit(main())
