#!/usr/bin/env python3
"""Generate the PyTorch and Keras interop fixtures in test/golden/interop/ (committed).

Two parts, each run by an interpreter that has its library (they need different numpy builds):

    # PyTorch: Debian's torch (apt-get install -y python3-torch) plus PyPI safetensors
    /usr/bin/python3 test/golden/interop_generate.py torch
    # Keras 3 on the jax backend (no TensorFlow): a venv with keras, jax, h5py, scipy
    python3 -m venv /tmp/keras-venv && /tmp/keras-venv/bin/pip install keras jax h5py scipy
    KERAS_BACKEND=jax /tmp/keras-venv/bin/python test/golden/interop_generate.py keras

.ci/interop.sh does both. Every case is seeded by the crc32 of its name, so re-running rewrites
the same files (up to the libraries' versions, recorded in each JSON).

PyTorch (test/golden/interop/torch/<case>.*): an nn.Sequential built with
python/wasm_rnn_torch.py's modules, float32 weights from PyTorch's own initialization:
  <case>.wasmrnn      python/wasm_rnn_torch.py save_model (what loadModel reads)
  <case>.safetensors  safetensors.torch.save_file(model.state_dict()) (what fromSafetensors reads)
  <case>.json         architecture (layer configs), batchFirst, x, the float64 output of the
                      same model (weights and x as float32 values, computed in float64), and
                      unless the model has dropout: y, the MSE loss and every parameter's
                      gradient (float64), by state-dict name.
Keras (test/golden/interop/keras/<case>.*): a keras.Sequential in float32, saved with
model.save(); the reference runs the same model rebuilt in float64 with the float32 weights:
  <case>.keras, <case>.json  inputs (batch-first), outputs (float64), and for unmasked models
                      y, the MSE loss and the gradients, converted to PyTorch's names by this
                      script's own (independent) statement of the mapping (kernel transposed,
                      GRU gates z,r,h -> r,z,n, a Keras bias' gradient on both bias_ih and bias_hh).
                      Names follow the library's layers: Dense(activation=f) is Dense then
                      Activation(f) (two indexes), Activation('linear') is none.
  unsupported/<case>.keras + <case>.json { expect: code, mentions }: valid files the library
                      must refuse with E_UNSUPPORTED naming the option.
  hostile/<case>.keras  valid HDF5 that Keras does not write (see write_hostile_weights).
"""
import json
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "interop")
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def f32_list(a):
    """float32 values as the shortest decimal that reads back as the same float32."""
    import numpy as np

    return [float(str(np.float32(v))) for v in np.asarray(a, dtype=np.float32).ravel()]


def f64_list(a):
    import numpy as np

    return [float("%.15g" % v) for v in np.asarray(a, dtype=np.float64).ravel()]


def tensor_json(a, dtype):
    import numpy as np

    a = np.asarray(a)
    data = [int(v) for v in a.ravel()] if dtype == "int32" else (f32_list(a) if dtype == "float32" else f64_list(a))
    return {"dtype": dtype, "shape": list(a.shape), "data": data}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


# ----------------------------------------------------------------------------------- PyTorch
def torch_cases():
    from torch import nn
    from wasm_rnn_torch import GRU, LSTM, RNN

    return {
        # Every option of the recurrent modules appears at least once.
        "emb_lstm_bi_proj_stack": (lambda: nn.Sequential(nn.Embedding(11, 6), LSTM(6, 5, num_layers=2, bidirectional=True, proj_size=3, dropout=0.25), nn.LayerNorm(6), nn.Linear(6, 4)), "ids", 5, 3),
        "gru_batch_first_nobias_last": (lambda: nn.Sequential(GRU(4, 5, bias=False, batch_first=True, return_sequences=False), nn.Linear(5, 3)), "features", 6, 2),
        "rnn_relu_stack_dropout": (lambda: nn.Sequential(RNN(3, 4, nonlinearity="relu", num_layers=2), nn.Dropout(0.1), nn.Linear(4, 2, bias=False)), "features", 4, 3),
        "rnn_tanh_bi_layernorm": (lambda: nn.Sequential(RNN(3, 4, bidirectional=True), nn.LayerNorm(8, eps=1e-3), nn.Linear(8, 2)), "features", 5, 2),
        "lstm_batch_first_bi_gru": (lambda: nn.Sequential(LSTM(3, 4, batch_first=True, bidirectional=True), GRU(8, 3, batch_first=True), nn.Linear(3, 2)), "features", 4, 2),
        "dense_first_lstm_proj_last": (lambda: nn.Sequential(nn.Linear(2, 3), LSTM(3, 6, proj_size=2, return_sequences=False), nn.Linear(2, 2)), "features", 5, 3),
        # Every activation module, and the heads of Keras' Bidirectional: final states (h_n of the
        # top layer) and merge modes, over the last step and over every step.
        "lstm_bi_final_sum_relu_leaky_elu_softmax": (lambda: nn.Sequential(LSTM(3, 4, bidirectional=True, return_sequences=False, final_states=True, merge_mode="sum"), nn.ReLU(), nn.Linear(4, 4), nn.LeakyReLU(0.2), nn.Linear(4, 4), nn.ELU(0.5), nn.Linear(4, 3), nn.Softmax(dim=-1)), "features", 5, 3),
        "gru_bi_batch_first_mul_stack_selu_sigmoid_hardsigmoid_tanh": (lambda: nn.Sequential(GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True, merge_mode="mul"), nn.SELU(), nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.Hardsigmoid(), nn.Linear(4, 3), nn.Tanh()), "features", 4, 2),
        "rnn_bi_final_ave_softplus_softsign_silu_relu6_logsoftmax": (lambda: nn.Sequential(nn.Linear(3, 4), nn.Softplus(), RNN(4, 4, bidirectional=True, batch_first=True, return_sequences=False, final_states=True, merge_mode="ave"), nn.Softsign(), nn.Linear(4, 4), nn.SiLU(), nn.Linear(4, 4), nn.ReLU6(), nn.Linear(4, 3), nn.LogSoftmax(dim=-1)), "features", 5, 3),
        "emb_lstm_bi_proj_stack_final_concat": (lambda: nn.Sequential(nn.Embedding(7, 3), LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, return_sequences=False, final_states=True), nn.Linear(4, 2)), "ids", 4, 3),
        "gru_bi_last_step_ave": (lambda: nn.Sequential(GRU(3, 4, bidirectional=True, return_sequences=False, merge_mode="ave"), nn.Linear(4, 2)), "features", 5, 2),
    }


def has_dropout(model):
    from torch import nn

    return any(isinstance(m, nn.Dropout) or getattr(m, "dropout", 0) > 0 for m in model)


def generate_torch():
    import torch
    from safetensors.torch import save_file

    import wasm_rnn_torch as helper

    out = os.path.join(OUT, "torch")
    os.makedirs(out, exist_ok=True)
    for name, (build, kind, seq, batch) in torch_cases().items():
        torch.manual_seed(seed_of(name))
        model = build()
        layers, batch_first = helper.architecture_of(model)
        shape = (batch, seq) if batch_first else (seq, batch)
        if kind == "ids":
            x = torch.randint(0, model[0].num_embeddings, shape, dtype=torch.int64)
        else:
            x = torch.randn(*shape, model[0].input_size if hasattr(model[0], "input_size") else model[0].in_features)
        helper.save_model(model, os.path.join(out, name + ".wasmrnn"), seed=seed_of(name) % 1000)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(out, name + ".safetensors"))
        # The helper reads back what it wrote (both directions share one format).
        again = helper.load_model(os.path.join(out, name + ".wasmrnn"))
        model.eval()
        with torch.no_grad():
            assert torch.equal(again(x), model(x)), name
        # The float64 reference: the float32 weights and inputs, computed in float64.
        m64 = helper.build_module(layers, batch_first).double()
        m64.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
        m64.eval()
        x64 = x if kind == "ids" else x.double()
        with torch.no_grad():
            output = m64(x64)
        case = {
            "name": name,
            "torchVersion": torch.__version__,
            "architecture": layers,
            "batchFirst": batch_first,
            "x": tensor_json(x.numpy(), "int32" if kind == "ids" else "float32"),
            "output": tensor_json(output.numpy(), "float64"),
            "train": None,
        }
        if not has_dropout(model):
            # One MSE step's gradients (train mode: no dropout in these models, so identical).
            m64.train()
            y = torch.randn(*output.shape).float()
            loss = torch.nn.functional.mse_loss(m64(x64), y.double())
            loss.backward()
            case["train"] = {
                "y": tensor_json(y.numpy(), "float32"),
                "loss": float(loss),
                "grads": {k: tensor_json(p.grad.numpy(), "float64") for k, p in m64.named_parameters()},
            }
        write_json(os.path.join(out, name + ".json"), case)
        print("torch", name)


# ------------------------------------------------------------------------------------- Keras
def keras_cases():
    import keras
    from keras import layers as L

    def seq(t, f, *ls):
        return lambda: keras.Sequential([keras.Input((t, f)), *ls])

    def ids(t, *ls):
        return lambda: keras.Sequential([keras.Input((t,), dtype="int32"), *ls])

    return {
        "lstm_dense": (seq(5, 3, L.LSTM(4, return_sequences=True), L.Dense(2)), None),
        "lstm_nobias_last": (seq(4, 3, L.LSTM(5, use_bias=False), L.Dense(2, use_bias=False)), None),
        "gru_reset_after_last": (seq(6, 3, L.GRU(4), L.Dense(3)), None),
        "gru_reset_after_nobias_seq": (seq(4, 2, L.GRU(3, use_bias=False, return_sequences=True), L.Dense(2)), None),
        "gru_reset_before": (seq(5, 3, L.GRU(4, reset_after=False, return_sequences=True), L.Dense(2)), None),
        "simple_rnn_relu_nobias_layernorm": (seq(5, 3, L.SimpleRNN(4, activation="relu", use_bias=False, return_sequences=True), L.LayerNormalization(), L.Dense(2)), None),
        "simple_rnn_stack_dropout": (seq(4, 2, L.SimpleRNN(3, return_sequences=True), L.Dropout(0.3), L.SimpleRNN(3, return_sequences=True), L.Dense(2)), None),
        "bidirectional_concat_lstm_stack": (seq(5, 3, L.Bidirectional(L.LSTM(3, return_sequences=True)), L.LSTM(4), L.Dense(2)), None),
        "bidirectional_sum_gru": (seq(4, 3, L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum"), L.Dense(2)), None),
        "bidirectional_ave_simple_rnn": (seq(4, 3, L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="ave")), None),
        "go_backwards_lstm": (seq(5, 3, L.LSTM(4, go_backwards=True, return_sequences=True), L.Dense(2)), None),
        "go_backwards_gru_last_stack": (seq(5, 3, L.Dense(3), L.GRU(4, go_backwards=True, return_sequences=True), L.LSTM(3), L.Dense(2)), None),
        "time_distributed_dense": (seq(5, 3, L.LSTM(4, return_sequences=True), L.TimeDistributed(L.Dense(2))), None),
        "layernorm_center_only": (seq(3, 4, L.LayerNormalization(center=True, scale=False, epsilon=1e-5), L.LSTM(3, return_sequences=True)), None),
        "embedding_lstm_dense": (ids(6, L.Embedding(9, 4), L.LSTM(5, return_sequences=True), L.Dense(3)), None),
        # Masks: trailing and leading padding in the same batch, and a full-length sequence.
        "mask_lstm_carry": (ids(6, L.Embedding(9, 4, mask_zero=True), L.LSTM(5, return_sequences=True), L.Dense(3)), "mask"),
        "mask_gru_zero_output_stack": (ids(6, L.Embedding(9, 4, mask_zero=True), L.GRU(4, return_sequences=True, zero_output_for_mask=True), L.GRU(3, return_sequences=True), L.Dense(2)), "mask"),
        "mask_bidirectional_gru": (ids(6, L.Embedding(9, 4, mask_zero=True), L.Bidirectional(L.GRU(3, return_sequences=True)), L.Dense(2)), "mask"),
        "mask_go_backwards_simple_rnn": (ids(6, L.Embedding(9, 4, mask_zero=True), L.SimpleRNN(4, go_backwards=True, return_sequences=True), L.Dense(2)), "mask"),
        "mask_lstm_last": (ids(6, L.Embedding(9, 4, mask_zero=True), L.LSTM(4), L.Dense(2)), "mask"),
        # Dense(activation=f) is Dense then the library's Activation(f): every Keras name it maps.
        "dense_relu_sigmoid_softmax": (seq(5, 3, L.LSTM(4, return_sequences=True), L.Dense(4, activation="relu"), L.Dense(4, activation="sigmoid"), L.Dense(3, activation="softmax")), None),
        "dense_tanh_leaky_relu_elu_selu": (seq(4, 3, L.GRU(4, return_sequences=True), L.Dense(4, activation="tanh"), L.Dense(4, activation="leaky_relu"), L.Dense(4, activation="elu"), L.Dense(3, activation="selu")), None),
        "dense_softplus_first_softsign_silu_swish_hard_sigmoid": (seq(4, 3, L.Dense(4, activation="softplus"), L.SimpleRNN(4, return_sequences=True), L.TimeDistributed(L.Dense(4, activation="softsign")), L.Dense(4, activation="silu"), L.Dense(4, activation="swish"), L.Dense(3, activation="hard_sigmoid")), None),
        "lstm_last_dense_relu6_log_softmax": (seq(5, 3, L.LSTM(4), L.Dense(4, activation="relu6"), L.Dense(3, activation="log_softmax")), None),
        # Activation layers (Activation('linear') is no library layer).
        "activation_relu_leaky_relu_elu_softmax_layers": (seq(5, 3, L.LSTM(4, return_sequences=True), L.Activation("tanh"), L.Dense(4), L.ReLU(), L.Dense(4), L.LeakyReLU(), L.Dense(4), L.ELU(alpha=0.7), L.Dense(3), L.Softmax()), None),
        "activation_layer_options": (seq(4, 3, L.GRU(4, return_sequences=True), L.ReLU(max_value=6.0), L.Dense(4), L.ReLU(negative_slope=0.1), L.Activation("linear"), L.Dense(4), L.LeakyReLU(negative_slope=0.05), L.Dense(3), L.Activation("log_softmax")), None),
        # Bidirectional merge modes, and return_sequences=False (each direction's final state).
        "bidirectional_mul_lstm": (seq(5, 3, L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="mul"), L.Dense(2)), None),
        "bidirectional_ave_gru_then_last_mul_simple_rnn": (seq(5, 3, L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="ave"), L.Bidirectional(L.SimpleRNN(3), merge_mode="mul"), L.Dense(2, activation="sigmoid")), None),
        "bidirectional_last_concat_lstm": (seq(5, 3, L.Bidirectional(L.LSTM(3)), L.Dense(2)), None),
        "bidirectional_last_sum_gru": (seq(4, 3, L.Bidirectional(L.GRU(4), merge_mode="sum"), L.Dense(2)), None),
        "bidirectional_last_ave_gru_reset_before": (seq(4, 3, L.Bidirectional(L.GRU(3, reset_after=False), merge_mode="ave")), None),
        "mask_bidirectional_last_lstm": (ids(6, L.Embedding(9, 4, mask_zero=True), L.Bidirectional(L.LSTM(3)), L.Dense(2)), "mask"),
        "mask_bidirectional_last_mul_gru": (ids(6, L.Embedding(9, 4, mask_zero=True), L.Bidirectional(L.GRU(3), merge_mode="mul"), L.Dense(2)), "mask"),
        "mask_bidirectional_sum_simple_rnn_softmax": (ids(6, L.Embedding(9, 4, mask_zero=True), L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="sum"), L.Dense(3, activation="softmax")), "mask"),
    }


def keras_unsupported():
    import keras
    from keras import layers as L

    def seq(*ls):
        return keras.Sequential([keras.Input((4, 3)), *ls])

    return {
        "lstm_relu_activation": (lambda: seq(L.LSTM(3, activation="relu")), "relu"),
        "gru_hard_sigmoid": (lambda: seq(L.GRU(3, recurrent_activation="hard_sigmoid")), "hard_sigmoid"),
        "dense_gelu": (lambda: seq(L.LSTM(3, return_sequences=True), L.Dense(2, activation="gelu")), "gelu"),
        "activation_layer_mish": (lambda: seq(L.LSTM(3, return_sequences=True), L.Activation("mish")), "mish"),
        "relu_threshold": (lambda: seq(L.LSTM(3, return_sequences=True), L.ReLU(threshold=0.5)), "threshold"),
        "relu_max_value_4": (lambda: seq(L.LSTM(3, return_sequences=True), L.ReLU(max_value=4.0)), "max_value 4"),
        "softmax_time_axis": (lambda: seq(L.LSTM(3, return_sequences=True), L.Softmax(axis=1)), "axis 1"),
        "leading_activation": (lambda: seq(L.Activation("relu"), L.LSTM(3)), "starts with an activation"),
        "bidirectional_merge_none": (lambda: seq(L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode=None)), "merge_mode None"),
        "go_backwards_second": (lambda: seq(L.LSTM(3, return_sequences=True), L.LSTM(3, go_backwards=True)), "go_backwards"),
        "conv1d": (lambda: seq(L.Conv1D(2, 2)), "Conv1D"),
        "functional": (lambda: (lambda i: keras.Model(i, L.LSTM(3)(i)))(keras.Input((4, 3))), "Functional"),
    }


def float64_twin(model):
    """The same model in float64 with the float32 weights (the reference computation)."""
    import keras
    import numpy as np

    def retype(o):
        # Drop every layer's dtype policy (float32 when saved): the global float64 policy applies.
        if isinstance(o, dict):
            return {k: retype(v) for k, v in o.items() if not (k == "dtype" and isinstance(v, dict))}
        if isinstance(o, list):
            return [retype(v) for v in o]
        return o

    cfg = retype(model.get_config())
    for layer in cfg["layers"]:
        if layer["class_name"] == "InputLayer" and layer["config"].get("dtype") == "float32":
            layer["config"]["dtype"] = "float64"
    keras.config.set_dtype_policy("float64")
    twin = keras.Sequential.from_config(cfg)
    keras.config.set_dtype_policy("float32")
    twin.set_weights([np.asarray(w, dtype=np.float64) for w in model.get_weights()])
    assert all(w.dtype == np.float64 for w in twin.get_weights())
    # Keras 3.15's SimpleRNN tanh on jax returns float32 under a float64 policy (its scan then
    # fails on the carry's dtype); the same function in float64:
    import jax.numpy as jnp

    for layer in twin.layers:
        for rnn in [layer.forward_layer, layer.backward_layer] if isinstance(layer, keras.layers.Bidirectional) else [layer]:
            if isinstance(rnn, keras.layers.SimpleRNN) and rnn.cell.activation is keras.activations.tanh:
                rnn.cell.activation = jnp.tanh
    return twin


def torch_named_grads(model, grads):
    """Keras gradients (in model.trainable_variables order) under the library's PyTorch names."""
    import numpy as np
    from keras import layers as L

    by_var = {id(v): np.asarray(g, dtype=np.float64) for v, g in zip(model.trainable_variables, grads)}
    out = {}
    index = 0

    def recurrent(cell, kind, prefix, suffix):
        g = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
        order = [1, 0, 2] if kind == "GRU" else list(range(g))

        def gates(a):
            blocks = np.split(a, g, axis=0)
            return np.concatenate([blocks[i] for i in order], axis=0)

        out[f"{prefix}.weight_ih_l0{suffix}"] = gates(by_var[id(cell.kernel)].T)
        out[f"{prefix}.weight_hh_l0{suffix}"] = gates(by_var[id(cell.recurrent_kernel)].T)
        if cell.use_bias:
            b = by_var[id(cell.bias)]
            if b.ndim == 2:
                out[f"{prefix}.bias_ih_l0{suffix}"], out[f"{prefix}.bias_hh_l0{suffix}"] = gates(b[0]), gates(b[1])
            else:  # one Keras bias = bias_ih + bias_hh: both receive its gradient
                out[f"{prefix}.bias_ih_l0{suffix}"] = out[f"{prefix}.bias_hh_l0{suffix}"] = gates(b)

    for layer in model.layers:
        if isinstance(layer, L.TimeDistributed):
            layer = layer.layer
        if isinstance(layer, L.Activation) and layer.activation.__name__ == "linear":
            continue  # the identity: no library layer
        if isinstance(layer, L.Embedding):
            out[f"{index}.weight"] = by_var[id(layer.embeddings)]
        elif isinstance(layer, L.Dense):
            out[f"{index}.weight"] = by_var[id(layer.kernel)].T
            if layer.use_bias:
                out[f"{index}.bias"] = by_var[id(layer.bias)]
            if layer.activation.__name__ != "linear":
                index += 1  # Dense(activation=f) is the library's Dense, then Activation(f)
        elif isinstance(layer, L.LayerNormalization):
            # center/scale off: the library's identity half has no Keras gradient to compare.
            out[f"{index}.weight"] = by_var[id(layer.gamma)] if layer.scale else None
            out[f"{index}.bias"] = by_var[id(layer.beta)] if layer.center else None
        elif isinstance(layer, L.Bidirectional):
            recurrent(layer.forward_layer.cell, type(layer.forward_layer).__name__, index, "")
            recurrent(layer.backward_layer.cell, type(layer.backward_layer).__name__, index, "_reverse")
        elif isinstance(layer, (L.SimpleRNN, L.LSTM, L.GRU)):
            recurrent(layer.cell, type(layer).__name__, index, "")
        # Every other layer (Dropout, Activation, ReLU, LeakyReLU, ELU, Softmax) is one library
        # layer without weights.
        index += 1
    return {k: v for k, v in out.items() if v is not None}


def mask_ids(rng, batch, t, vocab):
    """Ids with trailing padding, leading padding, both, and an interior gap (mask_zero: 0 is masked)."""
    import numpy as np

    x = rng.integers(1, vocab, size=(batch, t)).astype(np.int32)
    x[0, t - 2:] = 0  # trailing (pad_sequences(padding='post'))
    x[1, :3] = 0  # leading (pad_sequences' default)
    x[2, :1] = 0  # both
    x[2, t - 1:] = 0
    x[3, 2:4] = 0  # an interior gap (skipped by Keras' recurrent layers, state carried over it)
    return x


def generate_keras():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import keras
    import numpy as np

    out = os.path.join(OUT, "keras")
    os.makedirs(os.path.join(out, "unsupported"), exist_ok=True)
    for name, (build, kind) in keras_cases().items():
        keras.utils.set_random_seed(seed_of(name))
        rng = np.random.default_rng(seed_of(name))
        model = build()
        # Random (not default-zero) biases and LayerNorm parameters, so every weight matters.
        model.set_weights([(rng.standard_normal(w.shape) * 0.5).astype(np.float32) for w in model.get_weights()])
        path = os.path.join(out, name + ".keras")
        model.save(path)
        shape = model.inputs[0].shape
        batch = 4
        if len(shape) == 2:
            vocab = model.layers[0].input_dim
            x = mask_ids(rng, batch, shape[1], vocab) if kind == "mask" else rng.integers(0, vocab, size=(batch, shape[1])).astype(np.int32)
        else:
            x = rng.standard_normal((batch, shape[1], shape[2])).astype(np.float32)
        twin = float64_twin(model)
        x64 = x if x.dtype == np.int32 else x.astype(np.float64)
        output = np.asarray(twin(x64, training=False))
        assert output.dtype == np.float64, output.dtype
        case = {"name": name, "kerasVersion": keras.__version__, "backend": keras.backend.backend(), "x": tensor_json(x, "int32" if x.dtype == np.int32 else "float32"), "output": tensor_json(output, "float64"), "train": None}
        if kind != "mask" and not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers):
            y = rng.standard_normal(output.shape).astype(np.float32)
            tv = [v.value for v in twin.trainable_variables]
            ntv = [v.value for v in twin.non_trainable_variables]

            def loss_fn(tv):
                pred, _ = twin.stateless_call(tv, ntv, x64, training=True)
                return jnp.mean((pred - y.astype(np.float64)) ** 2)

            loss, grads = jax.value_and_grad(loss_fn)(tv)
            case["train"] = {"y": tensor_json(y, "float32"), "loss": float(loss), "grads": {k: tensor_json(v, "float64") for k, v in torch_named_grads(twin, grads).items()}}
        write_json(os.path.join(out, name + ".json"), case)
        print("keras", name)
    for name, (build, mentions) in keras_unsupported().items():
        keras.utils.set_random_seed(seed_of(name))
        build().save(os.path.join(out, "unsupported", name + ".keras"))
        write_json(os.path.join(out, "unsupported", name + ".json"), {"name": name, "expect": "E_UNSUPPORTED", "mentions": mentions})
        print("keras unsupported", name)
    write_hostile_weights(out)


def write_hostile_weights(out):
    """Valid HDF5 that Keras never writes, in lstm_dense.keras: the importer must refuse it unread.

    hostile/compressed_weights.keras  every dataset gzip-compressed (an HDF5-level zip bomb vector)
    hostile/int_weights.keras         the LSTM kernel stored as int32
    """
    import io
    import zipfile

    import h5py
    import numpy as np

    os.makedirs(os.path.join(out, "hostile"), exist_ok=True)
    src = zipfile.ZipFile(os.path.join(out, "lstm_dense.keras"))
    for name, convert in [("compressed_weights", None), ("int_weights", "layers/lstm/cell/vars/0")]:
        buffer = io.BytesIO()
        with h5py.File(io.BytesIO(src.read("model.weights.h5")), "r") as f, h5py.File(buffer, "w") as g:
            def copy(path, obj):
                if not isinstance(obj, h5py.Dataset):
                    g.require_group(path)
                elif convert is None:
                    g.create_dataset(path, data=obj[()], compression="gzip", chunks=True)
                else:
                    g.create_dataset(path, data=obj[()].astype(np.int32) if path == convert else obj[()])

            f.visititems(copy)
        with zipfile.ZipFile(os.path.join(out, "hostile", name + ".keras"), "w") as z:
            z.writestr("config.json", src.read("config.json"))
            z.writestr("model.weights.h5", buffer.getvalue())
        print("keras hostile", name)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["torch", "keras"]
    for part in parts:
        {"torch": generate_torch, "keras": generate_keras}[part]()
