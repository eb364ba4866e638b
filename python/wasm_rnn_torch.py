#!/usr/bin/env python3
"""Move recurrent models between PyTorch and wasm-rnn's model file, both ways.

A wasm-rnn ``Sequential`` is a PyTorch ``nn.Sequential`` of ``nn.Embedding``, ``nn.RNN``,
``nn.LSTM``, ``nn.GRU``, ``nn.LayerNorm``, ``nn.Linear`` (wasm-rnn's ``Dense``), ``nn.Dropout``
and activation modules (``nn.ReLU``, ``nn.LeakyReLU``, ``nn.ELU``, ``nn.SELU``, ``nn.Sigmoid``,
``nn.Hardsigmoid``, ``nn.Tanh``, ``nn.Softplus``, ``nn.Softsign``, ``nn.SiLU``, ``nn.ReLU6``,
``nn.Softmax(dim=-1)``, ``nn.LogSoftmax(dim=-1)``: wasm-rnn's ``Activation``), with the same state-dict names (``"<index>.<param>"``) and shapes. The model file
is what ``model.save()`` writes and ``loadModel(bytes)`` reads: safetensors (float32 tensors by
state-dict name) whose ``__metadata__`` holds ``format`` = ``"wasm-rnn"``, ``version`` = ``"1"``,
``architecture`` (the layers as JSON), ``seed`` and, for batch-first models, ``batchFirst``.

nn.RNN/nn.LSTM/nn.GRU return ``(output, state)``, which ``nn.Sequential`` cannot pass on. Use
this module's subclasses instead, which return the output only; ``return_sequences=False``
returns the last step (``output[-1]``, or ``output[:, -1]`` with ``batch_first=True``), as
wasm-rnn's ``returnSequences: false``. Being subclasses, they keep PyTorch's parameter names::

    import torch.nn as nn
    from wasm_rnn_torch import LSTM, save_model, load_model

    model = nn.Sequential(
        nn.Embedding(65, 32),
        LSTM(32, 128, num_layers=2, dropout=0.1),      # every nn.LSTM option works
        nn.LayerNorm(128),
        nn.Linear(128, 65),
    )
    save_model(model, "char.wasmrnn")    # -> loadModel(bytes) in JavaScript
    again = load_model("char.wasmrnn")   # <- model.save() from JavaScript

Plain nn.RNN/nn.LSTM/nn.GRU are accepted by ``save_model`` too (as ``return_sequences=True``).
Every recurrent layer of a model must agree on ``batch_first``: it becomes the model's layout.
Compile settings and preprocessing saved by wasm-rnn are kept in the file's metadata but have
no PyTorch counterpart here; ``load_model`` ignores them.

Command line (``python3 python/wasm_rnn_torch.py …`` or, from python/, ``python3 -m wasm_rnn_torch …``)::

    to-wasm-rnn MODEL.pt OUT.wasmrnn      # MODEL.pt: torch.save(model) of an nn.Sequential
    to-torch MODEL.wasmrnn OUT.pt         # writes torch.save(nn.Sequential)
    info MODEL.wasmrnn                    # prints the architecture

Needs only PyTorch (the safetensors container is written and read here, in a few lines).
"""
import argparse
import json
import struct
import sys

import torch
from torch import nn

FORMAT = "wasm-rnn"
VERSION = "1"

__all__ = ["RNN", "LSTM", "GRU", "save_model", "model_bytes", "load_model", "architecture_of", "build_module"]


MERGE_MODES = ("concat", "sum", "ave", "mul")


class _ReturnsOutput:
    """Mixin: ``forward`` returns the output sequence (or one row per sequence), not ``(output, state)``.

    ``return_sequences=False`` returns the last step (``output[-1]``), or with ``final_states=True``
    each direction's final hidden state (``h_n`` of the top layer, directions concatenated: what
    Keras' ``return_sequences=False`` returns). ``merge_mode`` combines the two directions of a
    bidirectional layer as Keras does: concat, sum, ave or mul.
    """

    def _init_return(self, return_sequences, final_states, merge_mode):
        self.return_sequences = bool(return_sequences)
        self.final_states = bool(final_states)
        if self.final_states and self.return_sequences:
            raise ValueError("final_states=True applies with return_sequences=False")
        if merge_mode not in MERGE_MODES or (merge_mode != "concat" and not self.bidirectional):
            raise ValueError(f"merge_mode {merge_mode!r}: one of {MERGE_MODES}, and other than concat only for a bidirectional layer")
        self.merge_mode = merge_mode

    def forward(self, x, hx=None):  # noqa: D102 (documented in the class docstring)
        output, state = super().forward(x, hx)
        if self.return_sequences:
            rows = output
        elif self.final_states:
            h_n = state[0] if isinstance(state, tuple) else state  # (D·layers, B, H)
            rows = torch.cat(list(h_n[-(2 if self.bidirectional else 1):]), dim=-1)
        else:
            rows = output[:, -1] if self.batch_first else output[-1]
        if self.merge_mode == "concat":
            return rows
        f, b = rows.chunk(2, dim=-1)
        return {"sum": f + b, "ave": (f + b) / 2, "mul": f * b}[self.merge_mode]

    def extra_repr(self):
        extra = "" if self.return_sequences else ", return_sequences=False"
        extra += ", final_states=True" if self.final_states else ""
        return super().extra_repr() + extra + ("" if self.merge_mode == "concat" else f", merge_mode={self.merge_mode!r}")


class RNN(_ReturnsOutput, nn.RNN):
    """``nn.RNN`` returning only its output (see the module docstring)."""

    def __init__(self, *args, return_sequences=True, final_states=False, merge_mode="concat", **kwargs):
        super().__init__(*args, **kwargs)
        self._init_return(return_sequences, final_states, merge_mode)


class LSTM(_ReturnsOutput, nn.LSTM):
    """``nn.LSTM`` returning only its output (see the module docstring)."""

    def __init__(self, *args, return_sequences=True, final_states=False, merge_mode="concat", **kwargs):
        super().__init__(*args, **kwargs)
        self._init_return(return_sequences, final_states, merge_mode)


class GRU(_ReturnsOutput, nn.GRU):
    """``nn.GRU`` returning only its output (see the module docstring)."""

    def __init__(self, *args, return_sequences=True, final_states=False, merge_mode="concat", **kwargs):
        super().__init__(*args, **kwargs)
        self._init_return(return_sequences, final_states, merge_mode)


def _layer_config(index, module):
    """One module as wasm-rnn's layer JSON (the keys of ``layerConfig`` in ts/model/sequential.ts)."""
    if isinstance(module, nn.Embedding):
        if module.padding_idx is not None or module.max_norm is not None:
            raise ValueError(f"layer {index}: nn.Embedding with padding_idx/max_norm has no wasm-rnn counterpart")
        return {"type": "Embedding", "numEmbeddings": module.num_embeddings, "embeddingDim": module.embedding_dim}
    if isinstance(module, nn.Linear):
        return {"type": "Dense", "inputSize": module.in_features, "outputSize": module.out_features, "bias": module.bias is not None}
    if isinstance(module, nn.LayerNorm):
        if len(module.normalized_shape) != 1:
            raise ValueError(f"layer {index}: nn.LayerNorm normalizes the last dimension only in wasm-rnn, got normalized_shape {tuple(module.normalized_shape)}")
        if module.elementwise_affine and getattr(module, "bias", True) is None:
            raise ValueError(f"layer {index}: nn.LayerNorm(bias=False) has no wasm-rnn counterpart (weight and bias go together)")
        return {"type": "LayerNorm", "normalizedShape": module.normalized_shape[0], "eps": module.eps, "elementwiseAffine": bool(module.elementwise_affine)}
    if isinstance(module, nn.Dropout):
        return {"type": "Dropout", "p": module.p}
    activation = _activation_config(index, module)
    if activation is not None:
        return activation
    if isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)):
        if isinstance(module, nn.LSTM):
            kind, cell = "LSTM", "lstm"
        elif isinstance(module, nn.GRU):
            kind, cell = "GRU", "gru"
        else:
            kind, cell = "RNN", "rnn_relu" if module.nonlinearity == "relu" else "rnn_tanh"
        return {
            "type": kind,
            "cell": cell,
            "inputSize": module.input_size,
            "hiddenSize": module.hidden_size,
            "numLayers": module.num_layers,
            "bidirectional": bool(module.bidirectional),
            "bias": bool(module.bias),
            "projSize": int(getattr(module, "proj_size", 0)),
            "returnSequences": bool(getattr(module, "return_sequences", True)),
            "dropout": float(module.dropout),
            **({"finalStates": True} if getattr(module, "final_states", False) else {}),
            **({"mergeMode": module.merge_mode} if getattr(module, "merge_mode", "concat") != "concat" else {}),
        }
    raise ValueError(f"layer {index}: {type(module).__name__} has no wasm-rnn counterpart "
                     "(expected nn.Embedding, nn.RNN/LSTM/GRU, nn.LayerNorm, nn.Linear, nn.Dropout or an activation module)")


# Parameterless activation modules and wasm-rnn's Activation type names.
_ACTIVATIONS = [
    (nn.ReLU6, "relu6"),  # before nn.Hardtanh, its base class
    (nn.ReLU, "relu"),
    (nn.SELU, "selu"),
    (nn.Sigmoid, "sigmoid"),
    (nn.Hardsigmoid, "hardSigmoid"),
    (nn.Tanh, "tanh"),
    (nn.Softsign, "softsign"),
    (nn.SiLU, "silu"),
]


def _activation_config(index, module):
    """An activation module as wasm-rnn's Activation JSON, or None if it is not one."""
    for cls, name in _ACTIVATIONS:
        if isinstance(module, cls):
            return {"type": "Activation", "activation": name}
    if isinstance(module, nn.LeakyReLU):
        return {"type": "Activation", "activation": "leakyRelu", "negativeSlope": float(module.negative_slope)}
    if isinstance(module, nn.ELU):
        return {"type": "Activation", "activation": "elu", "alpha": float(module.alpha)}
    if isinstance(module, nn.Softplus):
        # wasm-rnn computes log(1 + e^x) exactly; PyTorch's threshold (x above it returns x) differs by e^-threshold.
        if module.beta != 1 or module.threshold < 20:
            raise ValueError(f"layer {index}: nn.Softplus(beta={module.beta}, threshold={module.threshold}) has no wasm-rnn counterpart (beta 1, threshold ≥ 20)")
        return {"type": "Activation", "activation": "softplus"}
    if isinstance(module, (nn.Softmax, nn.LogSoftmax)):
        if module.dim != -1:
            raise ValueError(f"layer {index}: {type(module).__name__}(dim={module.dim}): wasm-rnn normalizes the last dimension only (dim=-1)")
        return {"type": "Activation", "activation": "softmax" if isinstance(module, nn.Softmax) else "logSoftmax"}
    if isinstance(module, nn.Hardtanh):
        raise ValueError(f"layer {index}: nn.Hardtanh({module.min_val}, {module.max_val}) has no wasm-rnn counterpart (nn.ReLU6 has)")
    return None


def architecture_of(model):
    """The architecture JSON (a list of layer dicts) and the layout (batch_first) of an nn.Sequential."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"expected an nn.Sequential, got {type(model).__name__}")
    layers = [_layer_config(i, m) for i, m in enumerate(model)]
    firsts = {bool(m.batch_first) for m in model if isinstance(m, (nn.RNN, nn.LSTM, nn.GRU))}
    if len(firsts) > 1:
        raise ValueError("the recurrent layers disagree on batch_first: one layout per model")
    return layers, firsts == {True}


def _write_safetensors(tensors, metadata):
    """safetensors bytes: u64 header length, JSON header, then little-endian float32 data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors:
        data = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)  # data 8-byte aligned, as the reference writer
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def _read_safetensors(data):
    """(tensors by name, metadata) from safetensors bytes (F32 tensors only, as wasm-rnn writes)."""
    if len(data) < 8:
        raise ValueError("not a safetensors file: fewer than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"truncated safetensors file: header of {n} bytes, file of {len(data)}")
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {}) or {}
    start, tensors = 8 + n, {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"tensor {name}: dtype {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=torch.float32)
        tensors[name] = flat.reshape(info["shape"]) if info["shape"] else flat.reshape(())
    return tensors, metadata


def model_bytes(model, seed=0):
    """The wasm-rnn model file of an nn.Sequential, as bytes (see the module docstring)."""
    layers, batch_first = architecture_of(model)
    metadata = {"format": FORMAT, "version": VERSION, "architecture": json.dumps(layers), "seed": str(int(seed))}
    if batch_first:
        metadata["batchFirst"] = "true"
    return _write_safetensors(list(model.state_dict().items()), metadata)


def save_model(model, path, seed=0):
    """Writes an nn.Sequential as a wasm-rnn model file (``loadModel(bytes)`` reads it)."""
    data = model_bytes(model, seed)
    with open(path, "wb") as f:
        f.write(data)
    return data


def _module(index, c, batch_first):
    kind = c.get("type")
    if kind == "Embedding":
        return nn.Embedding(c["numEmbeddings"], c["embeddingDim"])
    if kind == "Dense":
        return nn.Linear(c["inputSize"], c["outputSize"], bias=c.get("bias", True))
    if kind == "LayerNorm":
        return nn.LayerNorm(c["normalizedShape"], eps=c.get("eps", 1e-5), elementwise_affine=c.get("elementwiseAffine", True))
    if kind == "Dropout":
        return nn.Dropout(c.get("p", 0.5))
    if kind == "Activation":
        return _activation_module(index, c)
    if kind in ("RNN", "LSTM", "GRU"):
        common = dict(num_layers=c.get("numLayers", 1), bias=c.get("bias", True), batch_first=batch_first,
                      dropout=c.get("dropout", 0.0), bidirectional=c.get("bidirectional", False),
                      return_sequences=c.get("returnSequences", True), final_states=c.get("finalStates", False),
                      merge_mode=c.get("mergeMode", "concat"))
        if kind == "LSTM":
            return LSTM(c["inputSize"], c["hiddenSize"], proj_size=c.get("projSize", 0), **common)
        if kind == "GRU":
            if c.get("resetAfter") is False or c.get("cell") == "gru_reset_before":
                raise ValueError(f"layer {index}: a GRU with resetAfter: false (Keras' reset_after=False) has no nn.GRU counterpart")
            return GRU(c["inputSize"], c["hiddenSize"], **common)
        return RNN(c["inputSize"], c["hiddenSize"], nonlinearity="relu" if c.get("cell") == "rnn_relu" else "tanh", **common)
    raise ValueError(f"layer {index}: unknown wasm-rnn layer type {kind!r}")


def _activation_module(index, c):
    name = c.get("activation")
    for cls, known in _ACTIVATIONS:
        if name == known:
            return cls()
    if name == "leakyRelu":
        return nn.LeakyReLU(c.get("negativeSlope", 0.01))
    if name == "elu":
        return nn.ELU(c.get("alpha", 1.0))
    if name == "softplus":
        return nn.Softplus()
    if name == "softmax":
        return nn.Softmax(dim=-1)
    if name == "logSoftmax":
        return nn.LogSoftmax(dim=-1)
    raise ValueError(f"layer {index}: unknown wasm-rnn activation {name!r}")


def build_module(architecture, batch_first=False):
    """An untrained nn.Sequential of a wasm-rnn architecture (a list of layer dicts)."""
    return nn.Sequential(*[_module(i, c, batch_first) for i, c in enumerate(architecture)])


def load_model(source):
    """An nn.Sequential from a wasm-rnn model file (a path, or bytes of ``model.save()``)."""
    data = source if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb").read()
    tensors, metadata = _read_safetensors(bytes(data))
    if metadata.get("format") != FORMAT:
        raise ValueError(f"not a wasm-rnn model file: __metadata__.format is {metadata.get('format')!r}")
    if metadata.get("version") != VERSION:
        raise ValueError(f"wasm-rnn model file version {metadata.get('version')!r} is not supported (expected {VERSION})")
    model = build_module(json.loads(metadata["architecture"]), metadata.get("batchFirst") == "true")
    model.load_state_dict(tensors, strict=True)
    return model.eval()


def _main(argv=None):
    parser = argparse.ArgumentParser(prog="wasm_rnn_torch", description="Convert recurrent models between PyTorch and wasm-rnn model files.")
    sub = parser.add_subparsers(dest="command", required=True)
    to_wasm = sub.add_parser("to-wasm-rnn", help="torch.save(nn.Sequential) file -> wasm-rnn model file")
    to_wasm.add_argument("model")
    to_wasm.add_argument("out")
    to_wasm.add_argument("--seed", type=int, default=0)
    to_torch = sub.add_parser("to-torch", help="wasm-rnn model file -> torch.save(nn.Sequential) file")
    to_torch.add_argument("model")
    to_torch.add_argument("out")
    info = sub.add_parser("info", help="print a wasm-rnn model file's architecture")
    info.add_argument("model")
    args = parser.parse_args(argv)
    if args.command == "to-wasm-rnn":
        try:
            model = torch.load(args.model, weights_only=False)
        except TypeError:  # torch < 1.13.1 has no weights_only
            model = torch.load(args.model)
        save_model(model, args.out, seed=args.seed)
    elif args.command == "to-torch":
        torch.save(load_model(args.model), args.out)
    else:
        _, metadata = _read_safetensors(open(args.model, "rb").read())
        print(json.dumps({k: json.loads(v) if k == "architecture" else v for k, v in metadata.items()}, indent=2))
    return 0


if __name__ == "__main__":
    # Run as a script, this file is __main__: import it under its own name so that models
    # pickled by to-torch refer to wasm_rnn_torch.LSTM (loadable wherever it is importable).
    import os

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import wasm_rnn_torch

    sys.exit(wasm_rnn_torch._main())
