"""Reference values for the CTC loss (test/ctc.test.ts), from PyTorch's nn.CTCLoss in float64.

Each case is a Sequential([Dense(C -> C)]) whose logits go through log_softmax and nn.CTCLoss
(mean reduction): the loss and the gradients of the Dense weight and bias, for padded label
rows (-1 after a row's end), packed input lengths, another blank, and an impossible alignment
with and without zero_infinity. Run: /usr/bin/python3 test/golden/ctc_generate.py
"""
import json
import os

import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), "ctc", "cases.json")


def case(name, T, B, C, rows, lengths, blank=0, zero_infinity=False):
    x = torch.randn(T, B, C, dtype=torch.float64)
    w = torch.randn(C, C, dtype=torch.float64) * 0.5
    b = torch.randn(C, dtype=torch.float64) * 0.1
    w.requires_grad_(True)
    b.requires_grad_(True)
    logits = x @ w.T + b
    log_probs = torch.log_softmax(logits, dim=-1)
    S = max(1, max(len(r) for r in rows))
    targets = torch.full((B, S), -1, dtype=torch.long)
    for i, r in enumerate(rows):
        targets[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    target_lengths = torch.tensor([len(r) for r in rows], dtype=torch.long)
    input_lengths = torch.tensor(lengths, dtype=torch.long)
    # nn.CTCLoss reads each row up to its target length; the -1 padding is never read.
    loss = torch.nn.CTCLoss(blank=blank, reduction="mean", zero_infinity=zero_infinity)(
        log_probs, targets.clamp(min=0), input_lengths, target_lengths
    )
    result = {"name": name, "T": T, "B": B, "C": C, "blank": blank, "zeroInfinity": zero_infinity,
              "x": x.flatten().tolist(), "weight": w.detach().flatten().tolist(), "bias": b.detach().flatten().tolist(),
              "targets": targets.flatten().tolist(), "S": S, "lengths": lengths}
    if torch.isfinite(loss):
        loss.backward()
        result.update(loss=loss.item(), gradWeight=w.grad.flatten().tolist(), gradBias=b.grad.flatten().tolist())
    else:
        result.update(loss=None)
    return result


cases = [
    case("basic", T=12, B=3, C=6, rows=[[1, 2, 3], [4, 4], [5, 1, 5, 1]], lengths=[12, 12, 12]),
    case("packed inputs and an empty target", T=10, B=4, C=5, rows=[[1, 1, 2], [3], [], [2, 4, 2]], lengths=[10, 4, 7, 9]),
    case("blank is the last class", T=9, B=2, C=7, rows=[[0, 1, 2], [5, 5, 5]], lengths=[9, 8], blank=6),
    case("odd sizes, long targets", T=23, B=5, C=11, rows=[[1, 2, 3, 4, 5, 6, 7], [10, 9, 8], [3, 3, 3, 3], [1], [2, 2, 4, 4, 6, 6]], lengths=[23, 21, 15, 3, 20]),
    case("an impossible alignment, zero_infinity", T=6, B=2, C=4, rows=[[1, 1, 1, 1], [2, 3]], lengths=[6, 6], zero_infinity=True),
    case("an impossible alignment", T=6, B=2, C=4, rows=[[1, 1, 1, 1], [2, 3]], lengths=[6, 6]),
]
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"generator": "test/golden/ctc_generate.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {OUT}")
