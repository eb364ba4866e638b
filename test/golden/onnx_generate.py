#!/usr/bin/env python3
"""Writes test/golden/onnx/: ONNX recurrent models and the outputs the real libraries compute.

Run from the repository root:  /usr/bin/python3 test/golden/onnx_generate.py [--out DIR]
Needs onnx, onnxruntime and torch (Debian python3-torch or PyPI). With Debian's torch keep
numpy 1.x: pin ml_dtypes==0.5.4 (0.7 pulls numpy 2); .ci/onnx.sh sets up such a venv and
checks that a regeneration reproduces the committed outputs. Seeded.

Each case is <name>.onnx plus <name>.json:
  {"source": "onnxruntime" | "torch" | "onnx-backend", "inputs": {name: tensor},
   "outputs": {name: tensor}}   with tensor = {"dtype", "shape", "data"}
Three families:
  helper_*  one RNN/GRU/LSTM node from onnx.helper per attribute combination; outputs from
            onnxruntime (which implements every attribute; the onnx reference evaluator
            ignores activations, clip and sequence_lens).
  torch_*   torch.onnx.export of nn.LSTM/GRU/RNN (layers, bidirectional, batch_first,
            initial states) and of small models with Embedding/Linear/LogSoftmax around them;
            outputs from torch, checked against onnxruntime here.
  ops_*     small graphs of the operators around the recurrent nodes (Gemm with transposes and
            C broadcast, Sub/Div/Mul broadcasting, Slice with negative steps, Softmax before
            and after opset 13, Expand, Cast, Flatten, integer shape arithmetic, …); outputs
            from onnxruntime.
  backend_* the ONNX backend test cases for RNN, GRU and LSTM (onnx.backend.test.case), with
            their own expected outputs.
"""
import io
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper

# `--out DIR` writes elsewhere (.ci/onnx.sh regenerates into a scratch directory and compares).
OUT = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
OPSET = 14
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
TOL = 1e-5


def tensor_json(a):
    a = np.asarray(a)
    dtype = {"float32": "float32", "int32": "int32", "int64": "int64"}[a.dtype.name]
    return {"dtype": dtype, "shape": list(a.shape), "data": a.astype(np.float64).ravel().tolist()}


def write(name, model_bytes, inputs, outputs, source):
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(model_bytes)
    doc = {"source": source, "inputs": {k: tensor_json(v) for k, v in inputs.items()}, "outputs": {k: tensor_json(v) for k, v in outputs.items()}}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


def ort_run(model_bytes, feeds):
    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))


def helper_case(rng, name, op, direction="forward", layout=0, seq=5, batch=3, inp=4, hidden=5, bias=True, lens=None, initial=False, peephole=False, attrs=None):
    """One recurrent node; optional inputs as graph inputs so that the feeds exercise them."""
    dirs = 2 if direction == "bidirectional" else 1
    g = GATES[op]
    x_shape = [seq, batch, inp] if layout == 0 else [batch, seq, inp]
    state = [dirs, batch, hidden] if layout == 0 else [batch, dirs, hidden]
    feeds = {"X": rng.uniform(-2, 2, x_shape).astype(np.float32)}
    inits = [
        helper.make_tensor("W", TensorProto.FLOAT, [dirs, g * hidden, inp], rng.uniform(-0.7, 0.7, dirs * g * hidden * inp).astype(np.float32)),
        helper.make_tensor("R", TensorProto.FLOAT, [dirs, g * hidden, hidden], rng.uniform(-0.7, 0.7, dirs * g * hidden * hidden).astype(np.float32)),
    ]
    names = ["X", "W", "R"]
    if bias:
        inits.append(helper.make_tensor("B", TensorProto.FLOAT, [dirs, 2 * g * hidden], rng.uniform(-0.5, 0.5, dirs * 2 * g * hidden).astype(np.float32)))
    names.append("B" if bias else "")
    if lens is not None:
        feeds["sequence_lens"] = np.array(lens, dtype=np.int32)
    names.append("sequence_lens" if lens is not None else "")
    if initial:
        feeds["initial_h"] = rng.uniform(-1, 1, state).astype(np.float32)
        if op == "LSTM":
            feeds["initial_c"] = rng.uniform(-2, 2, state).astype(np.float32)
    names.append("initial_h" if initial else "")
    if op == "LSTM":
        names.append("initial_c" if initial else "")
        if peephole:
            inits.append(helper.make_tensor("P", TensorProto.FLOAT, [dirs, 3 * hidden], rng.uniform(-0.8, 0.8, dirs * 3 * hidden).astype(np.float32)))
        names.append("P" if peephole else "")
    while names and names[-1] == "":
        names.pop()
    outs = ["Y", "Y_h"] + (["Y_c"] if op == "LSTM" else [])
    node = helper.make_node(op, names, outs, hidden_size=hidden, direction=direction, layout=layout, **(attrs or {}))
    graph_inputs = [helper.make_tensor_value_info(k, TensorProto.INT32 if k == "sequence_lens" else TensorProto.FLOAT, list(v.shape)) for k, v in feeds.items()]
    y_shape = [seq, dirs, batch, hidden] if layout == 0 else [batch, seq, dirs, hidden]
    out_shapes = [y_shape, state, state]
    graph_outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, s) for o, s in zip(outs, out_shapes)]
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="onnx_generate.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    if layout == 0:
        write(name, data, feeds, ort_run(data, feeds), "onnxruntime")
        return
    # onnxruntime refuses layout = 1: it runs the layout-0 twin of the node on the transposed
    # inputs, and its outputs are transposed back (Y [T, D, B, H] → [B, T, D, H]).
    twin = onnx.ModelProto()
    twin.CopyFrom(model)
    for a in twin.graph.node[0].attribute:
        if a.name == "layout":
            a.i = 0
    for v in list(twin.graph.input) + list(twin.graph.output)[1:]:
        dims = v.type.tensor_type.shape.dim
        if len(dims) == 3:
            d0, d1 = dims[0].dim_value, dims[1].dim_value
            dims[0].dim_value, dims[1].dim_value = d1, d0
    y = twin.graph.output[0].type.tensor_type.shape.dim
    for i, d in enumerate([seq, dirs, batch, hidden]):
        y[i].dim_value = d
    swapped = {k: (np.swapaxes(v, 0, 1).copy() if v.ndim == 3 else v) for k, v in feeds.items()}
    got = ort_run(twin.SerializeToString(), swapped)
    outputs = {k: (np.transpose(v, (2, 0, 1, 3)) if k == "Y" else np.swapaxes(v, 0, 1)) for k, v in got.items()}
    write(name, data, feeds, outputs, "onnxruntime (layout-0 twin, transposed)")


def helper_cases(rng):
    n = 0
    for op in ["RNN", "GRU", "LSTM"]:
        for direction in ["forward", "reverse", "bidirectional"]:
            for layout in [0, 1]:
                base = dict(op=op, direction=direction, layout=layout)
                tag = f"helper_{op.lower()}_{direction}_layout{layout}"
                helper_case(rng, tag, **base)
                helper_case(rng, tag + "_nobias_batch1", **base, bias=False, batch=1, seq=4, inp=3, hidden=9)
                helper_case(rng, tag + "_initial_lens", **base, initial=True, lens=[5, 0, 2])
                helper_case(rng, tag + "_clip", **base, initial=True, attrs={"clip": 0.6})
                n += 4
                if op == "GRU":
                    helper_case(rng, tag + "_linear_before_reset", **base, initial=True, lens=[3, 5, 1], attrs={"linear_before_reset": 1})
                    n += 1
                if op == "LSTM":
                    helper_case(rng, tag + "_peepholes", **base, initial=True, peephole=True, lens=[1, 4, 5])
                    helper_case(rng, tag + "_input_forget", **base, initial=True, peephole=True, attrs={"input_forget": 1})
                    n += 2
    # Every activation function in each position. Affine, ThresholdedRelu and ScaledTanh get
    # explicit parameters: onnxruntime's defaults for them (0) differ from ONNX's.
    acts = ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"]
    alpha = {"Affine": 0.7, "LeakyRelu": 0.2, "ThresholdedRelu": 0.3, "ScaledTanh": 0.9, "HardSigmoid": 0.25, "Elu": 1.2}
    beta = {"Affine": 0.1, "ScaledTanh": 1.3, "HardSigmoid": 0.4}
    for op in ["RNN", "GRU", "LSTM"]:
        per = {"RNN": 1, "GRU": 2, "LSTM": 3}[op]
        for k in range(0, len(acts), per):
            chosen = (acts[k : k + per] + ["Tanh"] * per)[:per]
            both = chosen + chosen[::-1]
            attrs = {"activations": both, "clip": 3.0}
            a = [alpha[x] for x in both if x in alpha]
            b = [beta[x] for x in both if x in beta]
            if a:
                attrs["activation_alpha"] = a
            if b:
                attrs["activation_beta"] = b
            helper_case(rng, f"helper_{op.lower()}_activations_{k}", op=op, direction="bidirectional", initial=True, attrs=attrs)
            n += 1
    # Defaults of LeakyRelu, HardSigmoid and Elu (where ONNX and onnxruntime agree).
    helper_case(rng, "helper_lstm_activation_defaults", op="LSTM", attrs={"activations": ["HardSigmoid", "LeakyRelu", "Elu"]})
    return n + 1


def export(module, args, input_names, output_names, dynamic=None):
    f = io.BytesIO()
    torch.onnx.export(module, args, f, input_names=input_names, output_names=output_names, opset_version=OPSET, dynamic_axes=dynamic)
    return f.getvalue()


class Classifier(torch.nn.Module):
    """Embedding → GRU → Linear → LogSoftmax: Gather, MatMul/Add and LogSoftmax around a GRU."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(11, 6)
        self.gru = torch.nn.GRU(6, 7, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(14, 5)

    def forward(self, ids):
        y, _ = self.gru(self.emb(ids))
        return torch.log_softmax(self.out(y), dim=-1)


class Regressor(torch.nn.Module):
    """LSTM → last step → Linear → Softmax, with given initial states."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 8, num_layers=2)
        self.out = torch.nn.Linear(8, 4)

    def forward(self, x, h0, c0):
        y, (h, c) = self.lstm(x, (h0, c0))
        return torch.softmax(self.out(y[-1]), dim=-1), h, c


def torch_cases():
    torch.manual_seed(0)
    cases = []
    t, b = 6, 3
    modules = [
        ("torch_lstm_2layer_bidirectional", torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True), False),
        ("torch_gru_batch_first", torch.nn.GRU(4, 6, batch_first=True), True),
        ("torch_rnn_relu_2layer", torch.nn.RNN(4, 5, num_layers=2, nonlinearity="relu"), False),
        ("torch_rnn_tanh_bidirectional_nobias", torch.nn.RNN(4, 3, bidirectional=True, bias=False), False),
        ("torch_gru_2layer_bidirectional", torch.nn.GRU(4, 5, num_layers=2, bidirectional=True), False),
    ]
    for name, m, batch_first in modules:
        m.eval()
        x = torch.randn(b, t, 4) if batch_first else torch.randn(t, b, 4)
        lstm = isinstance(m, torch.nn.LSTM)
        outs = ["Y", "h_n"] + (["c_n"] if lstm else [])
        with torch.no_grad():
            y, state = m(x)
        ref = {"Y": y, "h_n": state[0], "c_n": state[1]} if lstm else {"Y": y, "h_n": state}
        data = export(m, (x,), ["X"], outs, {"X": {0: "batch" if batch_first else "seq", 1: "seq" if batch_first else "batch"}})
        cases.append((name, data, {"X": x.numpy()}, {k: v.numpy() for k, v in ref.items()}))
    c = Classifier().eval()
    ids = torch.randint(0, 11, (b, t))
    with torch.no_grad():
        ref = c(ids)
    cases.append(("torch_embedding_gru_linear_logsoftmax", export(c, (ids,), ["ids"], ["logp"], {"ids": {0: "batch", 1: "seq"}}), {"ids": ids.numpy()}, {"logp": ref.numpy()}))
    r = Regressor().eval()
    x, h0, c0 = torch.randn(t, b, 3), torch.randn(2, b, 8), torch.randn(2, b, 8)
    with torch.no_grad():
        p, h, cc = r(x, h0, c0)
    cases.append(("torch_lstm_initial_state_linear_softmax", export(r, (x, h0, c0), ["x", "h0", "c0"], ["p", "h", "c"]), {"x": x.numpy(), "h0": h0.numpy(), "c0": c0.numpy()}, {"p": p.numpy(), "h": h.numpy(), "c": cc.numpy()}))
    for name, data, feeds, ref in cases:
        # The exported graph must agree with torch in onnxruntime too, or the case proves nothing.
        got = ort_run(data, feeds)
        for k, v in ref.items():
            scale = max(1.0, float(np.abs(v).max()))
            diff = float(np.abs(got[k] - v).max()) / scale
            assert diff < TOL, f"{name}: onnxruntime differs from torch on {k} by {diff}"
        write(name, data, feeds, ref, "torch")
    return len(cases)


def backend_cases():
    from onnx.backend.test.case.node import collect_testcases

    n = 0
    for case in collect_testcases(None):
        if not any(k in case.name for k in ("rnn", "gru", "lstm")):
            continue
        model = case.model
        for i, (inputs, outputs) in enumerate(case.data_sets):
            in_names = [v.name for v in model.graph.input]
            out_names = [v.name for v in model.graph.output]
            name = f"backend_{case.name[len('test_'):]}" + (f"_{i}" if i else "")
            write(name, model.SerializeToString(), dict(zip(in_names, inputs)), dict(zip(out_names, outputs)), "onnx-backend")
            n += 1
    return n


def ops_case(name, nodes, inputs, outputs, inits=(), opset=OPSET):
    """A graph of `nodes` over float32 `inputs` (dict name → array); outputs from onnxruntime."""
    graph_inputs = [helper.make_tensor_value_info(k, TensorProto.FLOAT if v.dtype == np.float32 else TensorProto.INT64, list(v.shape)) for k, v in inputs.items()]
    graph_outputs = [helper.make_tensor_value_info(o, TensorProto.INT64 if o == "shape" else TensorProto.FLOAT, None) for o in outputs]
    graph = helper.make_graph(nodes, name, graph_inputs, graph_outputs, initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="onnx_generate.py")
    model.ir_version = 8
    data = model.SerializeToString()
    write(name, data, inputs, ort_run(data, inputs), "onnxruntime")


def ops_cases(rng):
    f = lambda *shape: rng.uniform(-2, 2, shape).astype(np.float32)  # noqa: E731
    i64 = lambda name, v: helper.make_tensor(name, TensorProto.INT64, [len(v)], v)  # noqa: E731
    n = helper.make_node
    ops_case("ops_gemm_transposes_broadcast_c", [n("Gemm", ["A", "B", "C"], ["Y"], transA=1, transB=1, alpha=0.7, beta=-1.3), n("Gemm", ["A2", "B2", "C2"], ["Z"])],
             {"A": f(3, 4), "B": f(5, 3), "C": f(1, 5), "A2": f(2, 3), "B2": f(3, 4), "C2": f(2, 1)}, ["Y", "Z"])
    ops_case("ops_broadcast_sub_div_mul_add", [n("Sub", ["a", "b"], ["s"]), n("Div", ["s", "c"], ["d"]), n("Mul", ["d", "b"], ["m"]), n("Add", ["m", "k"], ["y"])],
             {"a": f(2, 3, 4), "b": f(3, 1), "c": (f(4) + 3.0).astype(np.float32), "k": f(1)}, ["d", "y"])
    ops_case("ops_matmul_batched_and_vectors", [n("MatMul", ["a", "b"], ["y"]), n("MatMul", ["v", "b2"], ["yv"]), n("MatMul", ["a2", "w"], ["yw"])],
             {"a": f(2, 1, 3, 4), "b": f(3, 4, 5), "v": f(4), "b2": f(2, 4, 3), "a2": f(3, 5, 4), "w": f(4)}, ["y", "yv", "yw"])
    ops_case("ops_slice_negative_steps_axes", [n("Slice", ["x", "st", "en", "ax", "sp"], ["y"]), n("Slice", ["x", "st2", "en2"], ["z"])],
             {"x": f(4, 5, 6)}, ["y", "z"], [i64("st", [-1, 4]), i64("en", [-100, 0]), i64("ax", [0, -1]), i64("sp", [-2, -1]), i64("st2", [1, -3]), i64("en2", [2**62, 5])])
    ops_case("ops_softmax_opset11_coerced", [n("Softmax", ["x"], ["y"], axis=1), n("LogSoftmax", ["x"], ["z"])], {"x": f(2, 3, 4)}, ["y", "z"], opset=11)
    ops_case("ops_softmax_opset13_axis", [n("Softmax", ["x"], ["y"], axis=1), n("LogSoftmax", ["x"], ["z"], axis=0)], {"x": f(2, 3, 4)}, ["y", "z"], opset=13)
    ops_case("ops_shape_arithmetic_expand_cast_flatten",
             [n("Shape", ["x"], ["s"]), n("Gather", ["s", "one"], ["d1"], axis=0), n("Mul", ["d1", "two"], ["d2"]), n("Concat", ["d2", "d1"], ["shape"], axis=0),
              n("Expand", ["v", "shape"], ["e"]), n("Cast", ["e"], ["ei"], to=TensorProto.INT32), n("Cast", ["ei"], ["ef"], to=TensorProto.FLOAT), n("Flatten", ["x"], ["fl"], axis=2),
              n("Identity", ["fl"], ["id"]), n("Transpose", ["x"], ["t"]), n("Unsqueeze", ["t", "ax0"], ["u"]), n("Squeeze", ["u", "ax0"], ["q"])],
             {"x": f(2, 3, 4), "v": (f(1, 3) * 3).astype(np.float32)}, ["ef", "id", "q", "shape"],
             [i64("one", [1]), i64("two", [2]), i64("ax0", [0])])
    ops_case("ops_layer_normalization", [n("LayerNormalization", ["x", "g", "b"], ["y"], axis=-2, epsilon=1e-3)], {"x": f(2, 3, 4), "g": f(3, 4), "b": f(3, 4)}, ["y"], opset=17)
    # What follows a recurrent layer in exported models: activations with and without their
    # attributes, Clip in both of its forms, reductions with axes as attribute and as input.
    wide = lambda *shape: rng.uniform(-6, 6, shape).astype(np.float32)  # noqa: E731
    unary = [("Relu", {}), ("Tanh", {}), ("Sigmoid", {}), ("Softplus", {}), ("Softsign", {}), ("LeakyRelu", {}), ("LeakyRelu", {"alpha": 0.3}),
             ("Elu", {}), ("Elu", {"alpha": 0.6}), ("Selu", {}), ("Selu", {"alpha": 1.2, "gamma": 0.9}), ("HardSigmoid", {}), ("HardSigmoid", {"alpha": 1 / 6, "beta": 0.4})]
    ops_case("ops_elementwise_activations", [n(op, ["x"], [f"y{i}"], **attrs) for i, (op, attrs) in enumerate(unary)], {"x": wide(3, 2, 4)}, [f"y{i}" for i in range(len(unary))], opset=17)
    scalar = lambda name, v: helper.make_tensor(name, TensorProto.FLOAT, [], [v])  # noqa: E731
    ops_case("ops_clip_bounds_as_inputs", [n("Clip", ["x", "lo", "hi"], ["y"]), n("Clip", ["x", "", "hi"], ["z"]), n("Clip", ["x", "lo"], ["w"]), n("Clip", ["x"], ["v"])],
             {"x": wide(2, 5)}, ["y", "z", "w", "v"], [scalar("lo", 0.0), scalar("hi", 6.0)], opset=17)
    ops_case("ops_clip_bounds_as_attributes", [n("Clip", ["x"], ["y"], min=-0.5, max=0.7), n("Clip", ["x"], ["z"], max=1.5)], {"x": f(2, 5)}, ["y", "z"], opset=10)
    ops_case("ops_reduce_opset17", [n("ReduceSum", ["x", "a1"], ["s"], keepdims=0), n("ReduceSum", ["x"], ["sa"]), n("ReduceSum", ["x"], ["sn"], noop_with_empty_axes=1),
                                    n("ReduceMean", ["x"], ["m"], axes=[0, 2]), n("ReduceProd", ["x"], ["p"], axes=[-1], keepdims=0), n("ReduceMax", ["x"], ["mx"]),
                                    n("ReduceMin", ["x"], ["mn"], axes=[1], keepdims=0)],
             {"x": f(2, 3, 4)}, ["s", "sa", "sn", "m", "p", "mx", "mn"], [i64("a1", [1])], opset=17)
    ops_case("ops_reduce_opset18_axes_input", [n("ReduceMean", ["x", "a"], ["m"]), n("ReduceProd", ["x", "a"], ["p"], keepdims=0), n("ReduceMax", ["x"], ["mx"], keepdims=0)],
             {"x": f(3, 2, 2)}, ["m", "p", "mx"], [i64("a", [0, -1])], opset=18)
    ops_case("ops_reduce_opset11_axes_attribute", [n("ReduceSum", ["x"], ["s"], axes=[0], keepdims=0), n("ReduceMean", ["x"], ["m"], axes=[1])], {"x": f(4, 3)}, ["s", "m"], opset=11)
    return 14


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith((".onnx", ".json")):
            os.remove(os.path.join(OUT, f))
    rng = np.random.default_rng(1234)
    counts = {"helper": helper_cases(rng), "torch": torch_cases(), "ops": ops_cases(rng), "backend": backend_cases()}
    print(f"onnx_generate: wrote {counts} cases to {OUT} (onnx {onnx.__version__}, onnxruntime {ort.__version__}, torch {torch.__version__})")


if __name__ == "__main__":
    sys.exit(main())
