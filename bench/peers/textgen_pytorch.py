"""The PyTorch side of the textgen race (bench/textgen.mjs): the model and recipe of
`wasm-rnn textgen` (packages/cli/src/textgen), trained for the same wall time.

Embedding 65->64, dropout 0.1 on the embeddings (`--input-dropout`), LSTM 256, dropout 0.2,
Linear 256->65; cross-entropy; Adam, clip_grad_norm_ 1.0;
batch 32 of 64-character windows of the first 90% of the text cut at 8 offsets 8 characters apart
(`--cuts`, as the CLI's cutWindows), shuffled each epoch. With `--stateful` (the CLI's
`--stateful`): 32 contiguous streams of the training text read in order, the LSTM state carried
from window to window (detached: truncated BPTT) and reset when the streams start over, read
`--cuts` times at offsets 8 characters apart (the CLI's streamWindows).
Schedule: a linear warm-up of 200 steps, then a cosine from the peak learning rate to lr/20 over
the time left (the learning rate follows the elapsed time, so PyTorch trains the whole budget
whatever its step time; the CLI plans its cosine in steps from a timed warm-up). Validation reads
the last 10% statefully (the CLI's evaluateStreaming): every 250 steps 32 stretches of 1,024
characters spread over it (the best weights are kept), at the end all of it as 16 streams; also
the CLI's zero-state 64-character windows. Prints one JSON object on stdout.
"""
import argparse
import json
import math
import sys
import time

import torch
from torch import nn


def read_corpus(path):
    text = open(path, encoding="utf-8").read()
    tokens = sorted(set(text))  # CharVocab.fromText: code-point order
    index = {c: i for i, c in enumerate(tokens)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    cut = int(len(ids) * 0.9)
    return len(tokens), ids[:cut], ids[cut:]


def windows(ids, seq, offset=0):
    """Non-overlapping windows [N, seq] of ids starting at offset, and their next characters."""
    n = (len(ids) - 1 - offset) // seq
    x = ids[offset : offset + n * seq].view(n, seq)
    y = ids[offset + 1 : offset + 1 + n * seq].view(n, seq)
    return x, y


def cut_windows(ids, seq, cuts, offset=0):
    """Windows cut at `cuts` offsets seq/cuts apart (cutWindows in packages/cli/src/textgen/corpus.js)."""
    parts = [windows(ids, seq, (offset + c * seq // cuts) % seq) for c in range(cuts)]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def stream_windows(ids, seq, count, passes, offset=0):
    """Stateful training windows (streamWindows in the CLI's corpus.js): the text as `count`
    contiguous streams read `seq` characters at a time, `passes` times at offsets seq/passes apart.
    Returns x, y [passes * K, count, seq]: batch i holds window i of every stream."""
    length = (len(ids) - 1) // count
    k = (length - seq) // seq
    xs, ys = [], []
    for p in range(passes):
        shift = (offset + p * seq // passes) % seq
        starts = torch.arange(count) * length + shift
        for w in range(k):
            at = (starts + w * seq).unsqueeze(1) + torch.arange(seq)
            xs.append(ids[at])
            ys.append(ids[at + 1])
    return torch.stack(xs), torch.stack(ys)


def streams(ids, max_count, length, cover=False):
    """Up to `max_count` stretches of `length` + 1 characters spread evenly over ids (with `cover`
    longer ones covering it): [count, length] x and y (validationStreams in the CLI)."""
    count = max(1, min(max_count, (len(ids) - 1) // length))
    length = (len(ids) - 1) // count if cover else min(length, len(ids) - 1)
    room = len(ids) - 1 - length
    starts = [0 if count == 1 else n * room // (count - 1) for n in range(count)]
    return torch.stack([ids[s : s + length] for s in starts]), torch.stack([ids[s + 1 : s + 1 + length] for s in starts])


class CharModel(nn.Module):
    def __init__(self, vocab, embedding, hidden, dropout, input_dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding)
        self.input_dropout = nn.Dropout(input_dropout)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.readout = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        h, state = self.lstm(self.input_dropout(self.embedding(x)), state)
        return self.readout(self.dropout(h)), state


def streaming_nats(model, x, y, chunk=64):
    """Streams read chunk by chunk, each chunk from the state the previous one ended in."""
    model.eval()
    total, state = 0.0, None
    with torch.no_grad():
        for i in range(0, x.shape[1], chunk):
            logits, state = model(x[:, i : i + chunk], state)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[:, i : i + chunk].reshape(-1)).item() * logits.shape[1]
    model.train()
    return total / x.shape[1]


def nats(model, x, y, chunk=128):
    """Windows each read from a zero state."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(x), chunk):
            logits, _ = model(x[i : i + chunk])
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[i : i + chunk].reshape(-1)).item() * len(x[i : i + chunk])
    model.train()
    return total / len(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--text", required=True)
    p.add_argument("--minutes", type=float, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--embedding", type=int, default=64)
    p.add_argument("--seq", type=int, default=64)
    p.add_argument("--cuts", type=int, default=8)
    p.add_argument("--stateful", action=argparse.BooleanOptionalAction, default=False)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--input-dropout", type=float, default=0.1)
    p.add_argument("--steps", type=int, default=100000, help="at most this many steps after the warm-up")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    vocab, train_ids, val_ids = read_corpus(args.text)
    if args.stateful:
        x, y = stream_windows(train_ids, args.seq, args.batch, args.cuts, args.seed % args.seq)
    else:
        x, y = cut_windows(train_ids, args.seq, args.cuts, args.seed % args.seq)
    vx, vy = windows(val_ids, args.seq)
    sx, sy = streams(val_ids, 32, 1024)
    wx, wy = streams(val_ids, 16, 1024, cover=True)

    model = CharModel(vocab, args.embedding, args.hidden, args.dropout, args.input_dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    started = time.perf_counter()
    deadline = started + args.minutes * 60
    state = {"step": 0, "order": torch.randperm(len(x)), "at": 0, "carried": None}
    curve, best = [], {"nats": math.inf, "weights": None}
    recent = []

    def batch():
        if args.stateful:
            # Batches in order, the LSTM state carried from each to the next (detached: truncated
            # BPTT), reset when the passes start over (as fit's stateful at each epoch).
            if state["at"] == len(x):
                state["at"], state["carried"] = 0, None
            state["at"] += 1
            return x[state["at"] - 1], y[state["at"] - 1]
        if state["at"] + args.batch > len(x):
            state["order"], state["at"] = torch.randperm(len(x)), 0
        idx = state["order"][state["at"] : state["at"] + args.batch]
        state["at"] += args.batch
        return x[idx], y[idx]

    def run(count, lr_at):
        """Up to `count` steps, until the time runs out; lr_at(i) is the learning rate of step i."""
        for i in range(count):
            if time.perf_counter() > deadline:
                break
            for g in opt.param_groups:
                g["lr"] = lr_at(i)
            bx, by = batch()
            logits, carried = model(bx, state["carried"])
            if args.stateful:
                state["carried"] = tuple(t.detach() for t in carried)
            loss = loss_fn(logits.reshape(-1, vocab), by.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] += 1
            recent.append(loss.item())
            if state["step"] % 250 == 0:
                v = streaming_nats(model, sx, sy)
                curve.append({"step": state["step"], "valNats": v, "trainNats": sum(recent) / len(recent)})
                recent.clear()
                if v < best["nats"]:
                    best["nats"], best["weights"] = v, {k: t.clone() for k, t in model.state_dict().items()}
                print(f"step {state['step']}: validation (subset) {v:.3f} nats", flush=True, file=sys.stderr)

    min_lr = args.lr / 20
    warmup = 200
    run(warmup, lambda i: args.lr * (i + 1) / warmup)
    cosine_from = time.perf_counter()

    def cosine(_):
        done = min(1.0, (time.perf_counter() - cosine_from) / max(1e-9, deadline - cosine_from))
        return min_lr + (args.lr - min_lr) * 0.5 * (1 + math.cos(math.pi * done))

    run(args.steps, cosine)
    seconds = time.perf_counter() - started
    if best["weights"] is not None and curve and curve[-1]["valNats"] > best["nats"]:
        model.load_state_dict(best["weights"])
    val = streaming_nats(model, wx, wy)
    print(json.dumps({
        "valNats": val, "valBitsPerChar": val / math.log(2), "valNatsWindows": nats(model, vx, vy), "steps": state["step"], "seconds": round(seconds, 1),
        "curve": curve, "torch": torch.__version__, "threads": args.threads, "stateful": args.stateful,
    }))


if __name__ == "__main__":
    main()
