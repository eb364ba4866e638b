"""Reference values for the audio front end (test/audio.test.ts), in float64 with PyTorch.

torchaudio is not installed here, so its two definitions are written out from its source
(torchaudio/functional/functional.py: melscale_fbanks with mel_scale="htk", norm=None;
create_dct with norm="ortho", as transforms.MFCC(log_mels=True) applies it;
_get_sinc_resample_kernel / _apply_sinc_resample_kernel with sinc_interp_hann, width 6,
rolloff 0.99) on top of torch.stft and conv1d. Run: /usr/bin/python3 test/golden/audio_generate.py
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "audio", "cases.json")
g = torch.Generator().manual_seed(0)


def signal(n, rate):
    t = torch.arange(n, dtype=torch.float64) / rate
    chirp = torch.sin(2 * math.pi * (200 * t + 900 * t * t))
    x = 0.5 * chirp + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    return x.float().double()  # values a Float32Array holds exactly


def hz_to_mel(f):
    return 2595.0 * math.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate):
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs, dtype=torch.float64)
    m_pts = torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, dtype=torch.float64)
    f_pts = torch.tensor([mel_to_hz(m) for m in m_pts.tolist()], dtype=torch.float64)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    down = (-1.0 * slopes[:, :-2]) / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return torch.max(torch.zeros(1, dtype=torch.float64), torch.min(down, up))


def log_mel(x, sample_rate, n_fft, win_length, hop, n_mels, f_min, f_max, log_offset, top_db=None):
    window = torch.hann_window(win_length, periodic=True, dtype=torch.float64)
    spec = torch.stft(x, n_fft, hop_length=hop, win_length=win_length, window=window, center=True, pad_mode="reflect", return_complex=True)
    power = spec.abs() ** 2  # (n_freqs, frames)
    fb = melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sample_rate)
    y = torch.log(power.T @ fb + log_offset)  # (frames, n_mels)
    if top_db is not None:  # AmplitudeToDB's clamp, in nats: top_db dB = top_db * ln(10) / 10
        y = torch.clamp(y, min=float(y.max()) - top_db * math.log(10.0) / 10.0)
    return y


def create_dct(n_mfcc, n_mels):
    """torchaudio.functional.create_dct(n_mfcc, n_mels, norm="ortho"): (n_mels, n_mfcc)."""
    n = torch.arange(float(n_mels), dtype=torch.float64)
    k = torch.arange(float(n_mfcc), dtype=torch.float64).unsqueeze(1)
    dct = torch.cos(math.pi / float(n_mels) * (n + 0.5) * k)  # (n_mfcc, n_mels)
    dct[0] *= 1.0 / math.sqrt(2.0)
    dct *= math.sqrt(2.0 / float(n_mels))
    return dct.t()


def resample(x, orig, new):
    gcd = math.gcd(orig, new)
    orig, new = orig // gcd, new // gcd
    width_f, rolloff = 6, 0.99
    base = min(orig, new) * rolloff
    width = math.ceil(width_f * orig / base)
    idx = torch.arange(-width, width + orig, dtype=torch.float64)[None, None] / orig
    t = torch.arange(0, -new, -1, dtype=torch.float64)[:, None, None] / new + idx
    t = (t * base).clamp(-width_f, width_f)
    window = torch.cos(t * math.pi / width_f / 2) ** 2
    t = t * math.pi
    kernel = torch.where(t == 0, torch.tensor(1.0, dtype=torch.float64), t.sin() / t) * window * base / orig
    length = x.shape[-1]
    padded = torch.nn.functional.pad(x[None], (width, width + orig))
    out = torch.nn.functional.conv1d(padded[:, None], kernel, stride=orig).transpose(1, 2).reshape(-1)
    return out[: math.ceil(new * length / orig)]


mel_cases = []
for name, rate, n, o in [
    ("8 kHz, nFft 256 (radix-2), 40 bands", 8000, 4003, dict(n_fft=256, win_length=200, hop=80, n_mels=40, f_min=0.0, f_max=4000.0)),
    ("16 kHz, torchaudio defaults (nFft 400: direct DFT)", 16000, 3201, dict(n_fft=400, win_length=400, hop=200, n_mels=128, f_min=0.0, f_max=8000.0)),
    ("22050 Hz, band 60–7600 Hz, odd hop", 22050, 2500, dict(n_fft=512, win_length=441, hop=147, n_mels=33, f_min=60.0, f_max=7600.0)),
]:
    x = signal(n, rate)
    y = log_mel(x, rate, log_offset=1e-6, **o)
    mel_cases.append({"name": name, "sampleRate": rate, "options": o, "x": x.tolist(), "frames": y.shape[0], "logMel": y.flatten().tolist()})

resample_cases = []
for orig, new, n in [(8000, 16000, 1201), (44100, 8000, 4410), (22050, 16000, 2205), (8000, 11025, 999), (16000, 8000, 37)]:
    x = signal(n, orig)
    resample_cases.append({"from": orig, "to": new, "x": x.tolist(), "y": resample(x, orig, new).tolist()})

# After the resample cases: the signals drawn before stay what they were.
mfcc_cases = []
for name, rate, n, n_mfcc, o in [
    ("8 kHz, 40 bands, 13 coefficients", 8000, 4003, 13, dict(n_fft=256, win_length=200, hop=80, n_mels=40, f_min=0.0, f_max=4000.0)),
    ("16 kHz, 128 bands, all 128 coefficients (an orthonormal transform)", 16000, 1601, 128, dict(n_fft=400, win_length=400, hop=200, n_mels=128, f_min=0.0, f_max=8000.0)),
    ("22050 Hz, 33 bands, 1 coefficient (the scaled mean)", 22050, 2500, 1, dict(n_fft=512, win_length=441, hop=147, n_mels=33, f_min=60.0, f_max=7600.0)),
]:
    x = signal(n, rate)
    y = log_mel(x, rate, log_offset=1e-6, **o) @ create_dct(n_mfcc, o["n_mels"])
    mfcc_cases.append({"name": name, "sampleRate": rate, "nMfcc": n_mfcc, "options": o, "x": x.tolist(), "frames": y.shape[0], "mfcc": y.flatten().tolist()})

# topDb (a floor below the maximum), for log-mel and MFCCs; after the cases above, as before.
for name, rate, n, top_db, n_mfcc, o in [
    ("8 kHz, 40 bands, topDb 26 (a quiet tail under the floor)", 8000, 4003, 26.0, None, dict(n_fft=256, win_length=200, hop=80, n_mels=40, f_min=0.0, f_max=4000.0)),
    ("16 kHz, 64 bands, topDb 40, 20 coefficients", 16000, 3201, 40.0, 20, dict(n_fft=400, win_length=400, hop=160, n_mels=64, f_min=20.0, f_max=8000.0)),
]:
    x = signal(n, rate)
    x[n // 2 :] *= 1e-3  # 60 dB quieter: most of its bins fall under the floor
    x = x.float().double()
    y = log_mel(x, rate, log_offset=1e-6, top_db=top_db, **o)
    case = {"name": name, "sampleRate": rate, "topDb": top_db, "options": o, "x": x.tolist(), "frames": y.shape[0]}
    if n_mfcc is None:
        mel_cases.append({**case, "logMel": y.flatten().tolist()})
    else:
        mfcc_cases.append({**case, "nMfcc": n_mfcc, "mfcc": (y @ create_dct(n_mfcc, o["n_mels"])).flatten().tolist()})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"generator": "test/golden/audio_generate.py", "torch": torch.__version__, "logMel": mel_cases, "mfcc": mfcc_cases, "resample": resample_cases}, f)
print(f"wrote {len(mel_cases)} log-mel, {len(mfcc_cases)} MFCC and {len(resample_cases)} resample cases to {OUT}")
