"""PyTorch CPU peer of bench/run.mjs: a persistent subprocess speaking the suite's line protocol.

Requests are JSON lines on stdin; each answer is one stdout line "@@{json}" (see
bench/lib/node-child.mjs for the commands). Also exports the ONNX models the onnxruntime peers
run (command export_onnx), from the very same nn.Module and weights.

Run by bench/peers/pytorch.mjs with Debian's /usr/bin/python3 (python3-torch), one thread, and
OpenBLAS (libopenblas0-serial) first on LD_LIBRARY_PATH.
"""
import json
import os
import sys
import time
import traceback

import numpy as np
import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

OUT = sys.stdout
sys.stdout = sys.stderr  # anything torch prints goes to the log, not into the protocol


def reply(obj):
    OUT.write("@@" + json.dumps(obj) + "\n")
    OUT.flush()


def blas_info():
    """Which BLAS library is mapped and how fast a 256x768x64 SGEMM runs on one thread."""
    a = torch.randn(256, 768)
    b = torch.randn(768, 64)
    for _ in range(3):
        a @ b
    n = 100
    t0 = time.perf_counter()
    for _ in range(n):
        a @ b
    dt = (time.perf_counter() - t0) / n
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path or "mkl" in path:
                libs.add(path)
    return {"mapped_blas": sorted(libs), "sgemm_256x768x64_gflops": round(2 * 256 * 768 * 64 / dt / 1e9, 2)}


class Case:
    def __init__(self, meta, case_path):
        self.meta = meta
        raw = np.fromfile(case_path, dtype="<f4")
        self.data = {s["name"]: torch.from_numpy(raw[s["offset"]:s["offset"] + s["len"]].copy()).reshape(s["shape"]) for s in meta["sections"]}
        cell, I, H = meta["cell"], meta["input"], meta["hidden"]
        if cell == "lstm":
            self.mod = torch.nn.LSTM(I, H)
        elif cell == "gru":
            self.mod = torch.nn.GRU(I, H)
        else:
            self.mod = torch.nn.RNN(I, H, nonlinearity="tanh")
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(self.mod, name + "_l0").copy_(self.data[name])
        self.lstm = cell == "lstm"
        self.x = self.data["x"].contiguous()
        # Our library always computes the input gradient; ask PyTorch for it too (same work).
        self.x_train = self.x.clone().requires_grad_(True)
        self.w_out = self.data["w_out"].contiguous()
        B = meta["batch"]
        self.zeros = torch.zeros(1, B, H)
        self.xs = [self.x[t:t + 1].contiguous() for t in range(meta["seq"])]
        self.reset_stream()

    def reset_stream(self):
        self.t = 0
        self.h = self.zeros.clone()
        self.c = self.zeros.clone()

    def infer(self):
        with torch.inference_mode():
            return self.mod(self.x)

    def step(self):
        if self.t == self.meta["seq"]:
            self.reset_stream()
        with torch.inference_mode():
            if self.lstm:
                y, (self.h, self.c) = self.mod(self.xs[self.t], (self.h, self.c))
            else:
                y, self.h = self.mod(self.xs[self.t], self.h)
        self.t += 1
        return y

    def train(self):
        for p in self.mod.parameters():
            p.grad = None
        self.x_train.grad = None
        out, _ = self.mod(self.x_train)
        loss = (out @ self.w_out).sum()  # loss = sum_t sum_b w_out . h_t
        loss.backward()
        return out

    def run(self, mode):
        if mode == "infer":
            self.infer()
        elif mode == "stream":
            self.step()
        elif mode == "train":
            self.train()
        else:
            raise ValueError("unknown mode " + mode)

    def check(self, mode):
        arrays = []
        if mode == "infer":
            r = self.infer()
            out, hc = r
            arrays.append(("output", out))
            if self.lstm:
                arrays += [("hN", hc[0]), ("cN", hc[1])]
            else:
                arrays.append(("hN", hc))
        elif mode == "stream":
            self.t = self.meta["seq"]
            ys = [self.step() for _ in range(self.meta["seq"])]
            arrays.append(("output", torch.cat(ys, 0)))
            arrays.append(("hN", self.h))
            if self.lstm:
                arrays.append(("cN", self.c))
            self.t = self.meta["seq"]
        else:
            out = self.train()
            arrays.append(("output", out.detach()))
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                arrays.append(("grad_" + name, getattr(self.mod, name + "_l0").grad))
        return [(n, a.detach().contiguous().numpy().astype("<f4").ravel()) for n, a in arrays]

    def export_onnx(self, path):
        """nn.LSTM/GRU/RNN -> ONNX (opset 14) with inputs x, h0[, c0], outputs y, hN[, cN]; T and B dynamic."""
        B, H = self.meta["batch"], self.meta["hidden"]
        h0 = torch.zeros(1, B, H)
        mod = self.mod
        if self.lstm:
            class Wrap(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.m = mod

                def forward(self, x, h0, c0):
                    y, (h, c) = self.m(x, (h0, c0))
                    return y, h, c
            args = (self.x, h0, h0.clone())
            inputs, outputs = ["x", "h0", "c0"], ["y", "hN", "cN"]
        else:
            class Wrap(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.m = mod

                def forward(self, x, h0):
                    return self.m(x, h0)
            args = (self.x, h0)
            inputs, outputs = ["x", "h0"], ["y", "hN"]
        dyn = {"x": {0: "T", 1: "B"}, "y": {0: "T", 1: "B"}}
        for n in inputs[1:] + outputs[1:]:
            dyn[n] = {1: "B"}
        tmp = path + ".tmp"
        with torch.no_grad():
            torch.onnx.export(Wrap().eval(), args, tmp, input_names=inputs, output_names=outputs,
                              dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
        os.replace(tmp, path)


class ModelCase:
    """The `model` mode (bench/model.mjs): the character model Embedding -> LSTM -> Linear,
    CrossEntropyLoss (mean), Adam, clip_grad_norm_, time-major [T, B], from the case's initial weights.

    Timed calls: "step" (one training step on batch 0: zero_grad, forward, loss, backward,
    clip_grad_norm_, optimizer.step) and "lstm" (nn.LSTM alone at the model's shapes: forward +
    backward with the same input and output gradient as the library's standalone-layer row).
    """

    def __init__(self, meta, case_path):
        self.meta = meta
        raw = np.fromfile(case_path, dtype="<f4")
        d = {s["name"]: torch.from_numpy(raw[s["offset"]:s["offset"] + s["len"]].copy()).reshape(s["shape"]) for s in meta["sections"]}
        V, E, H, T, B = meta["vocab"], meta["embed"], meta["hidden"], meta["seq"], meta["batch"]
        self.model = torch.nn.Sequential()
        self.model.add_module("0", torch.nn.Embedding(V, E))
        self.lstm = torch.nn.LSTM(E, H)
        self.model.add_module("1", LstmOutput(self.lstm))
        self.model.add_module("2", torch.nn.Linear(H, V))
        self.initial = {
            "0.weight": d["emb_weight"], "1.lstm.weight_ih_l0": d["weight_ih"], "1.lstm.weight_hh_l0": d["weight_hh"],
            "1.lstm.bias_ih_l0": d["bias_ih"], "1.lstm.bias_hh_l0": d["bias_hh"], "2.weight": d["dense_weight"], "2.bias": d["dense_bias"],
        }
        ids = d["ids"].to(torch.int64)
        targets = d["targets"].to(torch.int64)
        self.x0 = ids[:, :B].contiguous()
        self.y0 = targets[:, :B].contiguous()
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.lstm_x = d["lstm_x"].clone().requires_grad_(True)
        self.lstm_dout = d["lstm_dout"].contiguous()
        self.reset()

    def reset(self):
        self.model.load_state_dict(self.initial)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=self.meta["lr"])

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        logits = self.model(self.x0)
        loss = self.loss_fn(logits.reshape(-1, self.meta["vocab"]), self.y0.reshape(-1))
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.meta["clip"])
        self.opt.step()
        return loss, norm

    def lstm_fwd_bwd(self):
        for p in self.lstm.parameters():
            p.grad = None
        self.lstm_x.grad = None
        out, _ = self.lstm(self.lstm_x)
        out.backward(self.lstm_dout)

    def run(self, mode):
        if mode == "step":
            self.step()
        elif mode == "lstm":
            self.lstm_fwd_bwd()
        else:
            raise ValueError("unknown mode " + mode)

    def check(self, mode):
        if mode != "step":
            raise ValueError("no check for " + mode)
        self.reset()
        with torch.no_grad():
            logits0 = self.model(self.x0)
        losses, norms = [], []
        for _ in range(self.meta["checkSteps"]):
            loss, norm = self.step()
            losses.append(float(loss))
            norms.append(float(norm))
        self.reset()
        arrays = [("logits0", logits0), ("losses", torch.tensor(losses)), ("gradNorms", torch.tensor(norms))]
        return [(n, a.detach().contiguous().numpy().astype("<f4").ravel()) for n, a in arrays]


class LstmOutput(torch.nn.Module):
    """nn.LSTM inside nn.Sequential: passes on the output sequence only."""

    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        return self.lstm(x)[0]


def main():
    case = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req["cmd"]
            if cmd == "hello":
                cfg = torch.__config__.show()
                blas = [l.strip() for l in cfg.splitlines() if "BLAS_INFO" in l]
                info = {"torch": torch.__version__, "python": sys.version.split()[0], "numpy": np.__version__,
                        "threads": torch.get_num_threads(), "mkldnn": torch.backends.mkldnn.is_available(),
                        "build_blas_info": blas[0][:120] if blas else None,
                        "ld_library_path": os.environ.get("LD_LIBRARY_PATH", ""), **blas_info()}
                reply({"ok": True, "info": info})
            elif cmd == "setup":
                case = None
                if req["meta"].get("kind") == "model":
                    case = ModelCase(req["meta"], req["casePath"])
                    reply({"ok": True, "modes": {"step": True, "lstm": True}, "notes": []})
                else:
                    case = Case(req["meta"], req["casePath"])
                    reply({"ok": True, "modes": {"infer": True, "stream": True, "train": True}, "notes": []})
            elif cmd == "export_onnx":
                case.export_onnx(req["path"])
                reply({"ok": True})
            elif cmd == "check":
                arrays = case.check(req["mode"])
                with open(req["outPath"], "wb") as f:
                    for _, a in arrays:
                        f.write(a.tobytes())
                reply({"ok": True, "arrays": [{"name": n, "len": int(a.size)} for n, a in arrays]})
            elif cmd == "time":
                mode, n = req["mode"], int(req["iters"])
                run = case.run
                t0 = time.perf_counter()
                for _ in range(n):
                    run(mode)
                reply({"ok": True, "ms": (time.perf_counter() - t0) * 1e3})
            elif cmd == "quit":
                reply({"ok": True})
                return
            else:
                raise ValueError("unknown command " + cmd)
        except Exception:  # noqa: BLE001 - every error goes back to the host
            reply({"ok": False, "error": traceback.format_exc()})


if __name__ == "__main__":
    main()
