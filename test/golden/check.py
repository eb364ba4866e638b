#!/usr/bin/python3
"""Sanity-check the generated goldens (run with /usr/bin/python3).

1. Reload every case from .json/.f64, rebuild the torch module from the stored
   parameters, recompute forward + backward and compare (must match exactly,
   up to float64 round-off).
2. Independent NumPy float64 forward (plain equations, no torch) for every
   case, compared against the stored output/hN/cN.
3. Central finite differences on a few gradient entries of every case.
"""
import json
import os

import numpy as np
import torch

from generate import OUT, build, run

torch.set_num_threads(1)


def load(name):
    with open(os.path.join(OUT, name + ".json")) as f:
        man = json.load(f)
    blob = np.fromfile(os.path.join(OUT, name + ".f64"), dtype="<f8")
    total = sum(t["length"] for t in man["tensors"].values())
    assert blob.size == total, (name, blob.size, total)
    ts = {}
    for n, t in man["tensors"].items():
        ts[n] = blob[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"])
    return man, ts


def flat_case(man):
    c = dict(man["config"])
    c.update(cell=man["cell"], seqLen=man["seqLen"], batch=man["batch"], name=man["name"])
    return c


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def numpy_forward(man, ts):
    cfg = man["config"]
    cell = man["cell"]
    H, L = cfg["hiddenSize"], cfg["numLayers"]
    D = 2 if cfg["bidirectional"] else 1
    P = cfg["projSize"]
    x = ts["input"]
    if cfg["batchFirst"]:
        x = x.transpose(1, 0, 2)
    T = x.shape[0]
    h0 = ts["h0"]
    c0 = ts.get("c0")
    hN, cN = [], []
    layer_in = x
    for l in range(L):
        outs = []
        for d in range(D):
            sfx = f"_l{l}" + ("_reverse" if d == 1 else "")
            Wih = ts["param.weight_ih" + sfx]
            Whh = ts["param.weight_hh" + sfx]
            bih = ts.get("param.bias_ih" + sfx, np.zeros(Wih.shape[0]))
            bhh = ts.get("param.bias_hh" + sfx, np.zeros(Wih.shape[0]))
            h = h0[l * D + d].copy()
            c = c0[l * D + d].copy() if c0 is not None else None
            out = [None] * T
            steps = range(T - 1, -1, -1) if d == 1 else range(T)
            for t in steps:
                gi = layer_in[t] @ Wih.T + bih
                gh = h @ Whh.T + bhh
                if cell == "rnn_tanh":
                    h = np.tanh(gi + gh)
                elif cell == "rnn_relu":
                    h = np.maximum(gi + gh, 0)
                elif cell == "gru":
                    r = sigmoid(gi[:, :H] + gh[:, :H])
                    z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
                    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
                    h = (1 - z) * n + z * h
                else:
                    g = gi + gh
                    i_ = sigmoid(g[:, :H])
                    f_ = sigmoid(g[:, H:2 * H])
                    g_ = np.tanh(g[:, 2 * H:3 * H])
                    o_ = sigmoid(g[:, 3 * H:])
                    c = f_ * c + i_ * g_
                    h = o_ * np.tanh(c)
                    if P:
                        h = h @ ts["param.weight_hr" + sfx].T
                out[t] = h
            outs.append(np.stack(out))
            hN.append(h)
            if c is not None:
                cN.append(c)
        layer_in = np.concatenate(outs, axis=2)
    output = layer_in.transpose(1, 0, 2) if cfg["batchFirst"] else layer_in
    res = {"output": output, "hN": np.stack(hN)}
    if cN:
        res["cN"] = np.stack(cN)
    return res


def recompute(man, ts, override=None):
    c = flat_case(man)
    m = build(c, torch.float64)
    with torch.no_grad():
        for n, p in m.named_parameters():
            p.copy_(torch.from_numpy(ts["param." + n]))
    vals = {k: torch.from_numpy(ts[k]) for k in ("input", "h0", "c0", "dOutput", "dhN", "dcN") if k in ts}
    if override:
        override(m, vals)
    return m, vals, run(c, m, vals, torch.float64)


def loss_value(man, ts, m, vals):
    with torch.no_grad():
        if man["cell"] == "lstm":
            out, (hN, cN) = m(vals["input"], (vals["h0"], vals["c0"]))
        else:
            out, hN = m(vals["input"], vals["h0"])
            cN = None
        loss = (out * vals["dOutput"]).sum() + (hN * vals["dhN"]).sum()
        if cN is not None:
            loss = loss + (cN * vals["dcN"]).sum()
    return float(loss)


def main():
    with open(os.path.join(OUT, "index.json")) as f:
        names = json.load(f)["cases"]
    rng = np.random.default_rng(0)
    worst = {"recompute": 0.0, "numpy": 0.0, "fd": 0.0}
    for name in names:
        man, ts = load(name)
        # 1. reload + recompute
        m, vals, res = recompute(man, ts)
        for k, v in res.items():
            ref = ts[k]
            assert list(v.shape) == list(ref.shape), (name, k)
            e = float(np.abs(v.numpy() - ref).max()) if ref.size else 0.0
            worst["recompute"] = max(worst["recompute"], e)
            assert e == 0.0, (name, k, e)
        for k in man["float32TorchError"]:
            assert k in ts, (name, k)
        # 2. independent numpy forward
        npres = numpy_forward(man, ts)
        for k, v in npres.items():
            e = float(np.abs(v - ts[k]).max() / max(1.0, np.abs(ts[k]).max()))
            worst["numpy"] = max(worst["numpy"], e)
            assert e < 1e-10, (name, k, e)
        # 3. finite differences on a few entries of input, h0, c0 and params
        eps = 1e-6
        targets = ["input", "h0"] + (["c0"] if "c0" in ts else [])
        targets += [k for k in ts if k.startswith("param.")]
        for tgt in targets:
            arr = ts[tgt]
            for _ in range(2):
                idx = tuple(int(rng.integers(s)) for s in arr.shape)

                def perturbed(delta):
                    ts2 = dict(ts)
                    a2 = arr.copy()
                    a2[idx] += delta
                    ts2[tgt] = a2
                    m2, vals2, _ = None, None, None
                    c = flat_case(man)
                    m2 = build(c, torch.float64)
                    with torch.no_grad():
                        for n, p in m2.named_parameters():
                            p.copy_(torch.from_numpy(ts2["param." + n]))
                    vals2 = {k: torch.from_numpy(ts2[k]) for k in ("input", "h0", "c0", "dOutput", "dhN", "dcN") if k in ts2}
                    return loss_value(man, ts2, m2, vals2)

                fd = (perturbed(eps) - perturbed(-eps)) / (2 * eps)
                g = ts["grad." + tgt][idx]
                e = abs(fd - g) / max(1.0, abs(g))
                worst["fd"] = max(worst["fd"], e)
                assert e < 1e-5, (name, tgt, idx, fd, g)
        # relu long case should not be degenerate
        assert np.abs(ts["output"]).max() > 1e-3, name
    print(f"{len(names)} cases OK; worst: recompute {worst['recompute']:.1e}, "
          f"numpy forward {worst['numpy']:.1e}, finite-diff {worst['fd']:.1e}")


if __name__ == "__main__":
    main()
