#!/usr/bin/python3
"""Generate PyTorch training-parity fixtures for wasm-rnn's models-and-training API.

Run with Debian's Python (has torch 1.13: `apt-get install -y python3-torch`), not the pyenv
python3 that may come first in PATH:

    /usr/bin/python3 test/golden/train_generate.py

The outputs, test/golden/train/<case>.json, are committed; test/training-parity.test.ts reads
them. Re-running rewrites them (deterministically: the seed of every case is the crc32 of its
name) and deletes fixtures of cases no longer listed.

Every case is a small torch.nn.Sequential mirroring the TypeScript `Sequential`
(Embedding / LSTM / GRU / RNN / LayerNorm / Dense = nn.Linear / Activation = nn.ReLU, nn.ELU,
nn.Softmax(dim=-1), … see ACTIVATION_MODULES), a loss, an optimizer and optional gradient
clipping. In float64 (torch.set_default_dtype(torch.float64)) it records:

  * the initial state dict: PyTorch's own default initialization under the case seed, rounded
    to float32 (so the float64 reference starts from exactly the weights the float32 library
    loads); names are nn.Sequential's "<index>.<param>";
  * 5 training steps, each on its own batch (x, y, lengths; x is float32-rounded too), and
    each step's loss before its update;
  * the state dict after step 5.

One training step is, literally:

    opt.zero_grad(); out = model(x, lengths); loss = loss_fn(out, y); loss.backward()
    torch.nn.utils.clip_grad_norm_(params, max_norm)      # if clipGradNorm
    torch.nn.utils.clip_grad_value_(params, clip_value)   # if clipGradValue
    opt.step()

Recurrent layers with `lengths`: pack_padded_sequence(h, lengths, enforce_sorted=False) ->
module -> pad_packed_sequence(total_length=T) (padding value 0), then the following layers
and the loss on the whole padded tensor. A recurrent layer with returnSequences=false passes
on output[-1] ([B, D*O]); it is never combined with lengths here (output[-1] of a padded
output is 0 for shorter sequences, which is not a meaningful "last output"). With
finalStates=true it passes on torch.cat of the top layer's h_n directions instead ([B, D*O]:
the backward direction ends at step 0); h_n of a packed sequence is each sequence's own final
state, so finalStates is combined with lengths. mergeMode (bidirectional only) then combines
the forward half f and the backward half b of every row: concat [f, b], sum f + b,
ave (f + b) / 2, mul f * b (width O instead of 2*O).

A case may name a reference loss that differs from the library's but is the same function of
the model output: crossEntropy on logSoftmax outputs is NLLLoss (log-softmax is idempotent),
so PyTorch computes nn.NLLLoss there while the library is compiled with crossEntropy.
`x_scale` multiplies the inputs (before rounding to float32) so that the first Dense drives an
activation into its flat parts; for every activation with kinks or flat parts the generator
asserts that the inputs it saw (all steps, float64 run) reach each side (relu, leakyRelu, elu,
selu: < 0 and > 0; hardSigmoid: < -3, inside, > 3; relu6: < 0, inside, > 6).

As a conditioning check every case is also run in float32 PyTorch from the same float32
values; its error against the float64 reference (scaled by max(1, max|ref|), worst over the
losses and over the final parameters) is stored as float32TorchError and must stay below
F32_LIMIT, so a 1e-4 tolerance for the library is meaningful (no case is chaotic in float32).

Fixture format (JSON; float32 data as the shortest decimal that rounds back to the same
float32, float64 results with 12 significant digits):
  name, description, torchVersion, seed,
  layers: [{type, options}] (TypeScript constructor options, e.g. {type: "Activation",
  options: {type: "elu", alpha: 0.5}}), sequentialOptions,
  loss (the value passed to compile), optimizer {type, options}, clipGradNorm, clipGradValue,
  initialState {name: {shape, data}} (PyTorch parameter order),
  steps: [{x: {dtype, shape, data}, y: {dtype, shape, data}, lengths: {dtype, shape, data}|null,
           loss, gradNorm (total 2-norm of the raw gradients, before any clipping)}],
  finalState {name: {shape, data}}, float32TorchError {loss, params}
"""
import json
import os
import sys
import time
import zlib

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "train")
STEPS = 5
F32_LIMIT = 1e-5
RECURRENT = ("LSTM", "GRU", "RNN")


# --------------------------------------------------------------------------- case helpers
def emb(n, d):
    return {"type": "Embedding", "options": {"numEmbeddings": n, "embeddingDim": d}}


def rec(kind, i, h, layers=1, bi=False, seq=True, proj=0, nonlinearity=None, final=False,
        merge="concat"):
    o = {"inputSize": i, "hiddenSize": h, "numLayers": layers, "dropout": 0.0,
         "bidirectional": bi, "returnSequences": seq}
    if final:
        o["finalStates"] = True
    if merge != "concat":
        o["mergeMode"] = merge
    if kind == "LSTM" and proj:
        o["projSize"] = proj
    if kind == "RNN":
        o["nonlinearity"] = nonlinearity or "tanh"
    return {"type": kind, "options": o}


def lstm(i, h, **kw):
    return rec("LSTM", i, h, **kw)


def gru(i, h, **kw):
    return rec("GRU", i, h, **kw)


def rnn(i, h, nonlinearity="tanh", **kw):
    return rec("RNN", i, h, nonlinearity=nonlinearity, **kw)


def ln(n):
    return {"type": "LayerNorm", "options": {"normalizedShape": n}}


def dense(i, o):
    return {"type": "Dense", "options": {"inputSize": i, "outputSize": o}}


def act(kind, **params):
    """Activation; params: negativeSlope (leakyRelu) or alpha (elu)."""
    return {"type": "Activation", "options": {"type": kind, **params}}


def sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    return {"type": "SGD", "options": {"lr": lr, "momentum": momentum, "dampening": dampening,
                                       "nesterov": nesterov, "weightDecay": weight_decay}}


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, kind="Adam"):
    return {"type": kind, "options": {"lr": lr, "betas": list(betas), "eps": eps,
                                      "weightDecay": weight_decay, "amsgrad": amsgrad}}


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    return adam(lr, betas, eps, weight_decay, amsgrad, kind="AdamW")


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0):
    return {"type": "RMSprop", "options": {"lr": lr, "alpha": alpha, "eps": eps,
                                           "momentum": momentum, "centered": centered,
                                           "weightDecay": weight_decay}}


def case(name, desc, layers, T, B, loss="mse", opt=None, clip_norm=None, clip_value=None,
         lengths=None, ignore_frac=0.0, x_scale=1.0, reference_loss=None):
    """lengths: list of B ints (PyTorch packed-sequence semantics) or None.
    ignore_frac: for crossEntropy with ignoreIndex, fraction of (unpadded) targets set to it.
    x_scale: factor of the float inputs. reference_loss: "nll" computes PyTorch's side with
    nn.NLLLoss (for crossEntropy after logSoftmax, the same function)."""
    return dict(name=name, description=desc, layers=layers, T=T, B=B, loss=loss,
                optimizer=opt or sgd(0.1), clipGradNorm=clip_norm, clipGradValue=clip_value,
                lengths=lengths, ignore_frac=ignore_frac, x_scale=x_scale,
                reference_loss=reference_loss)


CE_SMOOTH = {"type": "crossEntropy", "ignoreIndex": -1, "labelSmoothing": 0.1}
CE_IGNORE = {"type": "crossEntropy", "ignoreIndex": -1, "labelSmoothing": 0.0}

CASES = [
    # ---- optimizers
    case("opt_sgd", "SGD plain; LSTM -> Dense, mse",
         [lstm(5, 7), dense(7, 3)], T=5, B=3, opt=sgd(0.1)),
    case("opt_sgd_momentum_dampening", "SGD momentum 0.9 dampening 0.3; GRU -> Dense, mse",
         [gru(3, 5), dense(5, 3)], T=6, B=2, opt=sgd(0.05, momentum=0.9, dampening=0.3)),
    case("opt_sgd_nesterov_wd", "SGD nesterov momentum 0.8, weight decay 0.01; RNN tanh -> Dense, mse",
         [rnn(5, 7), dense(7, 3)], T=5, B=3,
         opt=sgd(0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    case("opt_adam", "Adam defaults except lr; LSTM -> LayerNorm -> Dense, mse",
         [lstm(3, 5), ln(5), dense(5, 3)], T=5, B=3, opt=adam(0.01)),
    case("opt_adam_amsgrad_wd", "Adam amsgrad, betas (0.8, 0.95), eps 1e-7, weight decay 0.02; GRU -> Dense, mse",
         [gru(5, 7), dense(7, 3)], T=4, B=3,
         opt=adam(0.005, betas=(0.8, 0.95), eps=1e-7, weight_decay=0.02, amsgrad=True)),
    case("opt_adamw", "AdamW lr 0.01 weight decay 0.05; LSTM -> Dense, mse",
         [lstm(5, 3), dense(3, 5)], T=5, B=2, opt=adamw(0.01, weight_decay=0.05)),
    case("opt_adamw_amsgrad", "AdamW amsgrad, betas (0.85, 0.99); Embedding -> GRU -> Dense, crossEntropy",
         [emb(11, 5), gru(5, 7), dense(7, 11)], T=5, B=3, loss="crossEntropy",
         opt=adamw(0.01, betas=(0.85, 0.99), weight_decay=0.1, amsgrad=True)),
    case("opt_rmsprop", "RMSprop lr 0.002 alpha 0.9; RNN tanh -> Dense, mse",
         [rnn(3, 5), dense(5, 3)], T=6, B=2, opt=rmsprop(0.002, alpha=0.9)),
    case("opt_rmsprop_centered_momentum_wd",
         "RMSprop centered, momentum 0.5, alpha 0.95, eps 1e-6, weight decay 0.01; GRU -> Dense, mse",
         [gru(5, 5), dense(5, 3)], T=5, B=3,
         opt=rmsprop(0.001, alpha=0.95, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.01)),
    # ---- losses
    case("loss_l1", "l1; LSTM -> Dense, SGD momentum",
         [lstm(3, 5), dense(5, 3)], T=5, B=3, loss="l1", opt=sgd(0.1, momentum=0.5)),
    case("loss_huber", "huber delta 0.7; GRU -> Dense, Adam",
         [gru(5, 7), dense(7, 3)], T=6, B=2, loss={"type": "huber", "delta": 0.7}, opt=adam(0.01)),
    case("loss_ce", "crossEntropy over [T*B, C]; Embedding -> LSTM -> Dense, SGD",
         [emb(13, 5), lstm(5, 7), dense(7, 13)], T=6, B=3, loss="crossEntropy", opt=sgd(0.5)),
    case("loss_ce_ignore_smoothing",
         "crossEntropy ignoreIndex -1 (about a quarter of the targets) labelSmoothing 0.1; Embedding -> GRU -> LayerNorm -> Dense, Adam",
         [emb(9, 5), gru(5, 7), ln(7), dense(7, 9)], T=5, B=4, loss=CE_SMOOTH, opt=adam(0.01),
         ignore_frac=0.25),
    # ---- clipping
    case("clip_norm_triggers", "clipGradNorm 0.05 (below every step's norm); LSTM -> Dense, mse, SGD",
         [lstm(5, 5), dense(5, 3)], T=5, B=3, opt=sgd(0.5), clip_norm=0.05),
    case("clip_norm_loose", "clipGradNorm 1000 (never triggers); GRU -> Dense, mse, SGD",
         [gru(3, 5), dense(5, 3)], T=4, B=3, opt=sgd(0.2), clip_norm=1000.0),
    case("clip_norm_adam_ce", "clipGradNorm 0.3; Embedding -> LSTM -> Dense, crossEntropy, Adam",
         [emb(7, 5), lstm(5, 5), dense(5, 7)], T=6, B=2, loss="crossEntropy", opt=adam(0.01),
         clip_norm=0.3),
    case("clip_value", "clipGradValue 0.02; GRU -> Dense, mse, SGD momentum",
         [gru(5, 5), dense(5, 3)], T=5, B=3, opt=sgd(0.3, momentum=0.9), clip_value=0.02),
    # ---- cells and structure
    case("lstm_bi_stacked", "LSTM numLayers 2 bidirectional -> Dense, mse, Adam",
         [lstm(3, 5, layers=2, bi=True), dense(10, 3)], T=5, B=3, opt=adam(0.01)),
    case("gru_bi_stacked", "GRU numLayers 2 bidirectional -> LayerNorm -> Dense, mse, SGD",
         [gru(5, 3, layers=2, bi=True), ln(6), dense(6, 3)], T=6, B=2, opt=sgd(0.2)),
    case("rnn_tanh_bi_stacked", "RNN tanh numLayers 2 bidirectional -> Dense, huber, SGD",
         [rnn(3, 7, layers=2, bi=True), dense(14, 3)], T=5, B=3,
         loss={"type": "huber", "delta": 0.7}, opt=sgd(0.2)),
    case("rnn_relu_bi_stacked", "RNN relu numLayers 2 bidirectional -> Dense, mse, RMSprop",
         [rnn(5, 5, nonlinearity="relu", layers=2, bi=True), dense(10, 3)], T=4, B=3,
         opt=rmsprop(0.001, alpha=0.9)),
    case("lstm_proj_bi_stacked", "LSTM projSize 3 (hidden 7) numLayers 2 bidirectional -> LayerNorm -> Dense, mse, Adam",
         [lstm(5, 7, layers=2, bi=True, proj=3), ln(6), dense(6, 3)], T=5, B=3, opt=adam(0.01)),
    case("lstm_only", "LSTM alone (loss on its output), mse, SGD",
         [lstm(3, 5)], T=5, B=3, opt=sgd(0.5)),
    case("dense_first", "Dense -> RNN relu -> LayerNorm -> Dense, l1, AdamW",
         [dense(5, 3), rnn(3, 7, nonlinearity="relu"), ln(7), dense(7, 3)], T=5, B=3, loss="l1",
         opt=adamw(0.01)),
    case("gru_then_lstm", "Embedding -> GRU -> LSTM (two recurrent layers) -> Dense, crossEntropy, SGD nesterov",
         [emb(9, 3), gru(3, 5), lstm(5, 5), dense(5, 9)], T=5, B=3, loss="crossEntropy",
         opt=sgd(0.3, momentum=0.9, nesterov=True)),
    # ---- returnSequences: false (output[-1])
    case("last_lstm", "LSTM returnSequences false -> Dense on output[-1], mse on [B, 3], Adam",
         [lstm(5, 7, seq=False), dense(7, 3)], T=6, B=3, opt=adam(0.01)),
    case("last_gru_bi_ce", "Embedding -> GRU bidirectional returnSequences false -> Dense, crossEntropy on [B], SGD",
         [emb(11, 5), gru(5, 5, bi=True, seq=False), dense(10, 5)], T=5, B=4, loss="crossEntropy",
         opt=sgd(0.5)),
    case("last_stacked_proj", "GRU -> LSTM projSize 3 numLayers 2 returnSequences false -> Dense, huber on [B, 3], RMSprop",
         [gru(3, 5), lstm(5, 5, layers=2, proj=3, seq=False), dense(3, 3)], T=5, B=3,
         loss={"type": "huber", "delta": 0.7}, opt=rmsprop(0.001, alpha=0.9)),
    case("last_rnn_relu", "RNN relu numLayers 2 returnSequences false (no Dense), mse on [B, 5], SGD",
         [rnn(3, 5, nonlinearity="relu", layers=2, seq=False)], T=4, B=3, opt=sgd(0.2)),
    # ---- padded variable-length batches (lengths)
    case("lengths_lstm", "LSTM with lengths -> Dense, mse over the whole padded [T, B, 3], SGD",
         [lstm(5, 5), dense(5, 3)], T=6, B=4, opt=sgd(0.3), lengths=[6, 3, 1, 4]),
    case("lengths_gru_bi_stacked",
         "GRU numLayers 2 bidirectional with lengths (max < T) -> LayerNorm -> Dense, mse, Adam",
         [gru(3, 5, layers=2, bi=True), ln(10), dense(10, 3)], T=6, B=3, opt=adam(0.01),
         lengths=[3, 5, 1]),
    case("lengths_lstm_bi_ce",
         "Embedding -> LSTM bidirectional with lengths -> Dense, crossEntropy with ignoreIndex -1 on padded targets, labelSmoothing 0.1, Adam",
         [emb(9, 5), lstm(5, 5, bi=True), dense(10, 9)], T=6, B=3, loss=CE_SMOOTH, opt=adam(0.01),
         lengths=[4, 6, 2]),
    case("lengths_proj_bi_then_gru",
         "LSTM projSize 2 bidirectional -> GRU, both with lengths -> Dense, huber, clipGradNorm 0.1, SGD momentum",
         [lstm(3, 5, bi=True, proj=2), gru(4, 5), dense(5, 3)], T=5, B=4,
         loss={"type": "huber", "delta": 0.7}, opt=sgd(0.3, momentum=0.9), clip_norm=0.1,
         lengths=[5, 2, 4, 1]),
    case("lengths_gru_ce_ignore",
         "Embedding -> GRU with lengths -> Dense, crossEntropy ignoreIndex -1 on padded targets (no smoothing), RMSprop centered",
         [emb(7, 3), gru(3, 7), dense(7, 7)], T=5, B=3, loss=CE_IGNORE,
         opt=rmsprop(0.001, alpha=0.9, centered=True), lengths=[2, 5, 3]),
    # ---- Activation layers (every type; flat parts and kinks reached: see check_activation_inputs)
    case("act_silu_softmax", "LSTM -> Activation silu -> Dense -> Activation softmax, mse, Adam",
         [lstm(5, 7), act("silu"), dense(7, 4), act("softmax")], T=5, B=3, opt=adam(0.01)),
    case("act_logsoftmax_nll",
         "Embedding -> GRU -> Dense -> Activation logSoftmax, crossEntropy (PyTorch: NLLLoss, the same function of log-probabilities), SGD",
         [emb(9, 5), gru(5, 7), dense(7, 9), act("logSoftmax")], T=5, B=3, loss="crossEntropy",
         opt=sgd(0.5), reference_loss="nll"),
    case("act_leaky_elu_params",
         "Dense -> Activation leakyRelu negativeSlope 0.2 -> GRU -> Dense -> Activation elu alpha 0.5 -> Dense, mse, SGD momentum",
         [dense(5, 8), act("leakyRelu", negativeSlope=0.2), gru(8, 6), dense(6, 6),
          act("elu", alpha=0.5), dense(6, 3)], T=5, B=3, opt=sgd(0.1, momentum=0.5)),
    case("act_hardsigmoid_flat", "Dense (inputs x6) -> Activation hardSigmoid (both flat parts) -> LSTM -> Dense, mse, Adam",
         [dense(4, 8), act("hardSigmoid"), lstm(8, 5), dense(5, 3)], T=5, B=3, opt=adam(0.01),
         x_scale=6.0),
    case("act_relu6_flat", "Dense (inputs x10) -> Activation relu6 (both flat parts) -> GRU -> Dense, mse, Adam",
         [dense(4, 8), act("relu6"), gru(8, 5), dense(5, 3)], T=5, B=3, opt=adam(0.01),
         x_scale=10.0),
    case("act_selu_relu_sigmoid",
         "RNN tanh -> Dense -> Activation selu -> Dense -> Activation relu -> Dense -> Activation sigmoid, mse, Adam",
         [rnn(4, 6), dense(6, 6), act("selu"), dense(6, 6), act("relu"), dense(6, 3), act("sigmoid")],
         T=5, B=3, opt=adam(0.01)),
    case("act_tanh_softsign_softplus_final",
         "GRU finalStates (unidirectional) with lengths -> Dense -> Activation tanh -> Dense -> Activation softsign -> Dense -> Activation softplus -> Dense, mse on [B, 3], RMSprop",
         [gru(5, 6, seq=False, final=True), dense(6, 6), act("tanh"), dense(6, 6), act("softsign"),
          dense(6, 6), act("softplus"), dense(6, 3)], T=5, B=4, opt=rmsprop(0.002, alpha=0.9),
         lengths=[5, 3, 1, 4]),
    # ---- bidirectional outputs: finalStates (h_n) x mergeMode
    case("final_lstm_bi_stacked_concat_lengths",
         "LSTM numLayers 2 bidirectional finalStates (h_n) with lengths -> Dense, mse on [B, 3], Adam",
         [lstm(3, 5, layers=2, bi=True, seq=False, final=True), dense(10, 3)], T=6, B=4,
         opt=adam(0.01), lengths=[6, 2, 4, 1]),
    case("final_gru_bi_sum_lengths",
         "Embedding -> GRU bidirectional finalStates mergeMode sum with lengths -> Dense, crossEntropy on [B], SGD",
         [emb(9, 4), gru(4, 5, bi=True, seq=False, final=True, merge="sum"), dense(5, 9)], T=5, B=3,
         loss="crossEntropy", opt=sgd(0.5), lengths=[3, 5, 2]),
    case("final_rnn_bi_stacked_ave",
         "RNN tanh numLayers 2 bidirectional finalStates mergeMode ave -> Dense, huber on [B, 3], SGD",
         [rnn(4, 6, layers=2, bi=True, seq=False, final=True, merge="ave"), dense(6, 3)], T=5, B=3,
         loss={"type": "huber", "delta": 0.7}, opt=sgd(0.2)),
    case("final_lstm_proj_bi_mul_lengths",
         "LSTM projSize 3 bidirectional finalStates mergeMode mul with lengths -> Dense, mse on [B, 3], Adam",
         [lstm(4, 6, bi=True, proj=3, seq=False, final=True, merge="mul"), dense(3, 3)], T=5, B=3,
         opt=adam(0.01), lengths=[3, 5, 2]),
    case("last_gru_bi_stacked_sum",
         "GRU numLayers 2 bidirectional returnSequences false (output[-1]) mergeMode sum -> Dense, mse on [B, 3], SGD",
         [gru(3, 5, layers=2, bi=True, seq=False, merge="sum"), dense(5, 3)], T=5, B=3, opt=sgd(0.3)),
    case("last_lstm_bi_mul",
         "LSTM bidirectional returnSequences false (output[-1]) mergeMode mul -> Dense, mse on [B, 3], RMSprop",
         [lstm(5, 5, bi=True, seq=False, merge="mul"), dense(5, 3)], T=5, B=3,
         opt=rmsprop(0.002, alpha=0.9)),
    case("seq_gru_bi_ave_lengths",
         "GRU bidirectional mergeMode ave with lengths -> LayerNorm -> Dense, mse over the padded [T, B, 3], Adam",
         [gru(3, 5, bi=True, merge="ave"), ln(5), dense(5, 3)], T=5, B=3, opt=adam(0.01),
         lengths=[5, 2, 4]),
    case("seq_rnn_relu_bi_stacked_sum_lengths",
         "RNN relu numLayers 2 bidirectional mergeMode sum with lengths -> Dense, l1, SGD",
         [rnn(4, 5, nonlinearity="relu", layers=2, bi=True, merge="sum"), dense(5, 3)], T=6, B=3,
         loss="l1", opt=sgd(0.1), lengths=[4, 6, 1]),
]


# --------------------------------------------------------------------------- model
# The library's Activation types as torch modules (parameterless; leakyRelu/elu take theirs).
ACTIVATION_MODULES = {
    "relu": lambda o: torch.nn.ReLU(),
    "leakyRelu": lambda o: torch.nn.LeakyReLU(o.get("negativeSlope", 0.01)),
    "elu": lambda o: torch.nn.ELU(o.get("alpha", 1.0)),
    "selu": lambda o: torch.nn.SELU(),
    "sigmoid": lambda o: torch.nn.Sigmoid(),
    "hardSigmoid": lambda o: torch.nn.Hardsigmoid(),
    "tanh": lambda o: torch.nn.Tanh(),
    "softplus": lambda o: torch.nn.Softplus(),  # threshold 20: the inputs here stay far below
    "softsign": lambda o: torch.nn.Softsign(),
    "silu": lambda o: torch.nn.SiLU(),
    "relu6": lambda o: torch.nn.ReLU6(),
    "softmax": lambda o: torch.nn.Softmax(dim=-1),
    "logSoftmax": lambda o: torch.nn.LogSoftmax(dim=-1),
}
# Where each activation's pieces meet: its inputs must fall on every side of these (see below).
ACTIVATION_BREAKS = {"relu": [0.0], "leakyRelu": [0.0], "elu": [0.0], "selu": [0.0],
                     "hardSigmoid": [-3.0, 3.0], "relu6": [0.0, 6.0]}


def build_module(spec):
    t, o = spec["type"], spec["options"]
    if t == "Activation":
        return ACTIVATION_MODULES[o["type"]](o)
    if t == "Embedding":
        return torch.nn.Embedding(o["numEmbeddings"], o["embeddingDim"])
    if t == "Dense":
        return torch.nn.Linear(o["inputSize"], o["outputSize"])
    if t == "LayerNorm":
        return torch.nn.LayerNorm(o["normalizedShape"])  # eps 1e-5, elementwise affine
    kw = dict(input_size=o["inputSize"], hidden_size=o["hiddenSize"], num_layers=o["numLayers"],
              dropout=o["dropout"], bidirectional=o["bidirectional"])
    if t == "LSTM":
        return torch.nn.LSTM(proj_size=o.get("projSize", 0), **kw)
    if t == "GRU":
        return torch.nn.GRU(**kw)
    if t == "RNN":
        return torch.nn.RNN(nonlinearity=o["nonlinearity"], **kw)
    raise ValueError(t)


def forward(layers, seq, x, lengths):
    T = x.shape[0]
    h = x
    for spec, mod in zip(layers, seq):
        if spec["type"] in RECURRENT:
            o = spec["options"]
            if lengths is not None:
                packed = pack_padded_sequence(h, lengths, enforce_sorted=False)
                out, state = mod(packed)
                h, _ = pad_packed_sequence(out, total_length=T)  # padding_value 0
            else:
                h, state = mod(h)
            if o.get("finalStates"):
                # h_n of the top layer (each sequence's own final state when packed), directions
                # concatenated: [B, D*O]
                h_n = state[0] if isinstance(state, tuple) else state  # (layers*D, B, O)
                h = torch.cat(list(h_n[-(2 if o["bidirectional"] else 1):]), dim=-1)
            elif not o["returnSequences"]:
                assert lengths is None
                h = h[-1]
            merge = o.get("mergeMode", "concat")
            if merge != "concat":
                f, b = h.chunk(2, dim=-1)
                h = {"sum": f + b, "ave": (f + b) / 2, "mul": f * b}[merge]
        else:
            h = mod(h)
    return h


def loss_fn(spec, reference=None):
    if reference == "nll":
        assert is_ce(spec), "the NLL reference stands for crossEntropy on log-probabilities"
        nll = torch.nn.NLLLoss()
        return lambda out, y: nll(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    if spec == "mse":
        return torch.nn.MSELoss()
    if spec == "l1":
        return torch.nn.L1Loss()
    if spec == "crossEntropy":
        spec = {"type": "crossEntropy"}
    if spec["type"] == "huber":
        return torch.nn.HuberLoss(delta=spec["delta"])
    if spec["type"] == "crossEntropy":
        ce = torch.nn.CrossEntropyLoss(ignore_index=spec.get("ignoreIndex", -100),
                                       label_smoothing=spec.get("labelSmoothing", 0.0))
        return lambda out, y: ce(out.reshape(-1, out.shape[-1]), y.reshape(-1))
    raise ValueError(spec)


def make_optimizer(spec, params):
    t, o = spec["type"], spec["options"]
    if t == "SGD":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                               nesterov=o["nesterov"], weight_decay=o["weightDecay"])
    if t in ("Adam", "AdamW"):
        cls = torch.optim.Adam if t == "Adam" else torch.optim.AdamW
        return cls(params, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"],
                   weight_decay=o["weightDecay"], amsgrad=o["amsgrad"])
    if t == "RMSprop":
        return torch.optim.RMSprop(params, lr=o["lr"], alpha=o["alpha"], eps=o["eps"],
                                   momentum=o["momentum"], centered=o["centered"],
                                   weight_decay=o["weightDecay"])
    raise ValueError(t)


def is_ce(spec):
    return spec == "crossEntropy" or (isinstance(spec, dict) and spec["type"] == "crossEntropy")


def out_shape(layers, T, B):
    """Shape of the model output, and whether it is per time step."""
    per_step = True
    width = None
    for spec in layers:
        t, o = spec["type"], spec["options"]
        if t == "Embedding":
            width = o["embeddingDim"]
        elif t == "Dense":
            width = o["outputSize"]
        elif t in RECURRENT:
            D = 2 if o["bidirectional"] and o.get("mergeMode", "concat") == "concat" else 1
            width = D * (o.get("projSize", 0) or o["hiddenSize"])
            if not o["returnSequences"]:
                per_step = False
    return ([T, B, width] if per_step else [B, width]), per_step


def make_data(c, gen):
    """STEPS batches of (x, y, lengths) as float64 / int64 torch tensors."""
    layers, T, B = c["layers"], c["T"], c["B"]
    first = layers[0]
    oshape, per_step = out_shape(layers, T, B)
    lengths = torch.tensor(c["lengths"], dtype=torch.int64) if c["lengths"] is not None else None
    if lengths is not None:
        assert len(c["lengths"]) == B and max(c["lengths"]) <= T and min(c["lengths"]) >= 1
        valid = torch.arange(T)[:, None] < lengths[None, :]  # [T, B]
    batches = []
    for _ in range(STEPS):
        if first["type"] == "Embedding":
            x = torch.randint(0, first["options"]["numEmbeddings"], (T, B), generator=gen)
        else:
            F = first["options"]["inputSize"]
            x = f32round(c["x_scale"] * torch.randn(T, B, F, generator=gen))
        # padded steps of x hold random values too (they must be ignored), not zeros
        if is_ce(c["loss"]):
            C = oshape[-1]
            y = torch.randint(0, C, tuple(oshape[:-1]), generator=gen)
            ign = c["loss"].get("ignoreIndex", -100) if isinstance(c["loss"], dict) else -100
            if c["ignore_frac"] > 0:
                mask = torch.rand(tuple(oshape[:-1]), generator=gen) < c["ignore_frac"]
                y[mask] = ign
            if lengths is not None and per_step:
                assert isinstance(c["loss"], dict), "padded CE needs ignoreIndex"
                y[~valid] = ign
        else:
            y = f32round(torch.randn(*oshape, generator=gen))
        batches.append((x, y, lengths))
    return batches


def f32round(t):
    return t.to(torch.float32).to(torch.float64)


def train(c, init_state, batches, dtype):
    """Runs STEPS training steps in `dtype`; returns (losses, grad norms, final state)."""
    seq = torch.nn.Sequential(*[build_module(s) for s in c["layers"]]).to(dtype)
    with torch.no_grad():
        for n, p in seq.named_parameters():
            p.copy_(init_state[n].to(dtype))
    params = list(seq.parameters())
    opt = make_optimizer(c["optimizer"], params)
    lf = loss_fn(c["loss"], c["reference_loss"])
    seen = {}  # layer index -> inputs of its Activation over all steps
    for i, (spec, mod) in enumerate(zip(c["layers"], seq)):
        if spec["type"] == "Activation":
            mod.register_forward_pre_hook(
                lambda m, args, i=i: seen.setdefault(i, []).append(args[0].detach().reshape(-1)))
    losses, norms, maxabs = [], [], []
    for x, y, lengths in batches:
        if x.is_floating_point():
            x = x.to(dtype)
        if y.is_floating_point():
            y = y.to(dtype)
        opt.zero_grad(set_to_none=True)
        out = forward(c["layers"], seq, x, lengths)
        loss = lf(out, y)
        loss.backward()
        norm = torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(p.grad.detach(), 2) for p in params]), 2)
        maxabs.append(max(float(p.grad.abs().max()) for p in params))
        if c["clipGradNorm"] is not None:
            torch.nn.utils.clip_grad_norm_(params, c["clipGradNorm"])
        if c["clipGradValue"] is not None:
            torch.nn.utils.clip_grad_value_(params, c["clipGradValue"])
        opt.step()
        losses.append(float(loss.detach()))
        norms.append(float(norm))
    final = {n: p.detach().to(torch.float64).clone() for n, p in seq.named_parameters()}
    if dtype == torch.float64:
        check_activation_inputs(c, {i: torch.cat(v) for i, v in seen.items()})
    return losses, norms, final, maxabs


def check_activation_inputs(c, seen):
    """Every activation with pieces must see inputs on each side of each break point (else its
    other pieces are untested), and none within 1e-5 of one (where float32 rounding could put
    the library on the other side)."""
    for i, x in seen.items():
        kind = c["layers"][i]["options"]["type"]
        breaks = ACTIVATION_BREAKS.get(kind)
        if not breaks:
            continue
        edges = [-float("inf")] + breaks + [float("inf")]
        counts = [int(((x > lo) & (x < hi)).sum()) for lo, hi in zip(edges, edges[1:])]
        assert all(n > 0 for n in counts), (c["name"], f"layer {i} {kind}: inputs per piece {counts}")
        near = min(float((x - b).abs().min()) for b in breaks)
        assert near > 1e-5, (c["name"], f"layer {i} {kind}: an input {near:.1e} from a break point")
        print(f"    layer {i} {kind}: inputs per piece {counts}")


# --------------------------------------------------------------------------- JSON
def f32_list(t):
    """Shortest decimals that round (via float64, as JS does) back to the same float32."""
    a = t.detach().to(torch.float32).contiguous().numpy().reshape(-1)
    out = []
    for v in a:
        s = np.format_float_positional(v, unique=True, trim="-") if abs(v) >= 1e-4 or v == 0 \
            else np.format_float_scientific(v, unique=True, trim="-")
        f = float(s)
        assert np.float32(f) == v, (s, v)
        out.append(f)
    return out


def f64_list(t):
    return [float("%.12g" % v) for v in t.detach().to(torch.float64).contiguous().numpy().reshape(-1)]


def int_list(t):
    return [int(v) for v in t.contiguous().numpy().reshape(-1)]


def tensor_json(t, kind):
    if kind == "int32":
        return {"dtype": "int32", "shape": list(t.shape), "data": int_list(t)}
    data = f32_list(t) if kind == "float32" else f64_list(t)
    return {"dtype": "float32", "shape": list(t.shape), "data": data}


def dumps(obj, indent=0):
    """JSON with one key per line but number arrays on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad} {json.dumps(k)}: {dumps(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                         for v in obj):
        items = [f"{pad} {dumps(v, indent + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, separators=(",", ":"))


def scaled_err(a, ref):
    return float((a - ref).abs().max() / max(1.0, float(ref.abs().max())))


# --------------------------------------------------------------------------- main
def generate(c):
    seed = zlib.crc32(c["name"].encode()) & 0x7FFFFFFF
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    # PyTorch's default initialization (the model the user would build), rounded to float32.
    seq0 = torch.nn.Sequential(*[build_module(s) for s in c["layers"]])
    init_state = {n: f32round(p.detach()) for n, p in seq0.named_parameters()}
    batches = make_data(c, gen)

    losses, norms, final, maxabs = train(c, init_state, batches, torch.float64)
    l32, _, final32, _ = train(c, init_state, batches, torch.float32)
    f32_loss = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(l32, losses))
    f32_params = max(scaled_err(final32[n], final[n]) for n in final)
    assert all(np.isfinite(losses)), c["name"]
    assert f32_loss < F32_LIMIT and f32_params < F32_LIMIT, \
        (c["name"], "float32 PyTorch is too far from float64", f32_loss, f32_params)
    if c["clipGradNorm"] is not None and c["name"] == "clip_norm_triggers":
        assert all(n > c["clipGradNorm"] for n in norms), (c["name"], norms)
    if c["clipGradNorm"] is not None and c["name"] == "clip_norm_loose":
        assert all(n < c["clipGradNorm"] for n in norms), (c["name"], norms)
    if c["clipGradValue"] is not None:
        assert all(m > c["clipGradValue"] for m in maxabs), (c["name"], maxabs)

    x_kind = "int32" if c["layers"][0]["type"] == "Embedding" else "float32"
    y_kind = "int32" if is_ce(c["loss"]) else "float32"
    steps = []
    for (x, y, lengths), loss, norm in zip(batches, losses, norms):
        steps.append({
            "x": tensor_json(x, x_kind),
            "y": tensor_json(y, y_kind),
            "lengths": tensor_json(lengths, "int32") if lengths is not None else None,
            "loss": float("%.12g" % loss),
            "gradNorm": float("%.12g" % norm),
        })
    fixture = {
        "name": c["name"],
        "description": c["description"],
        "torchVersion": torch.__version__,
        "seed": seed,
        "layers": c["layers"],
        "sequentialOptions": {"seed": 1},
        "loss": c["loss"],
        "optimizer": c["optimizer"],
        "clipGradNorm": c["clipGradNorm"],
        "clipGradValue": c["clipGradValue"],
        "initialState": {n: tensor_json(p, "float32") for n, p in init_state.items()},
        "steps": steps,
        "finalState": {n: tensor_json(p, "float64") for n, p in final.items()},
        "float32TorchError": {"loss": f32_loss, "params": f32_params},
    }
    text = dumps(fixture) + "\n"
    json.loads(text)  # well-formed
    with open(os.path.join(OUT, c["name"] + ".json"), "w") as f:
        f.write(text)
    return len(text), f32_loss, f32_params, losses


def main():
    t0 = time.time()
    os.makedirs(OUT, exist_ok=True)
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for fn in os.listdir(OUT):
        if fn.endswith(".json") and fn[:-5] not in names:
            os.remove(os.path.join(OUT, fn))
    total = 0
    for c in CASES:
        size, el, ep, losses = generate(c)
        total += size
        print(f"{c['name']:34s} {size:7d} B  f32 loss {el:.1e} params {ep:.1e}  "
              f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    print(f"{len(CASES)} cases, {total / 1e6:.3f} MB, {time.time() - t0:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
