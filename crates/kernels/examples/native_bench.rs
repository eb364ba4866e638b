//! Times the kernels compiled natively (the "wasm tax" reference line of the benchmark suite).
//!
//! One-shot mode:
//! `cargo run --release -p wasm-rnn-kernels --example native_bench -- lstm 16 64 128 256 [reps]`
//! prints one JSON line: median/min milliseconds of inference forward and of a training step
//! (forward + backward) for cell, batch, seq, input, hidden.
//!
//! Server mode (`native_bench --serve`), used by bench/run.mjs as a persistent subprocess: reads
//! one command per line on stdin and answers each with one line `@@{json}` on stdout.
//!
//! ```text
//! hello
//! setup <lstm|gru|rnn> <batch> <seq> <input> <hidden> <case.bin>
//! check <infer|stream|train> <out.bin>
//! time <infer|stream|train> <iters>
//! quit
//! ```
//!
//! `case.bin` is raw little-endian f32 in this order: weight_ih [G·H, I], weight_hh [G·H, H],
//! bias_ih [G·H], bias_hh [G·H], x [T, B, I], w_out [H], d_output [T, B, H] (every row = w_out).
//! `check` writes raw f32 arrays back to back and lists their names and lengths in its answer:
//! infer/stream: output [T, B, H], h_n [B, H], c_n [B, H] (LSTM); train: output, then the
//! gradients of weight_ih, weight_hh, bias_ih.
//! Modes: infer = forward over the whole sequence; stream = one time step on [1, B, I] with the
//! state carried over from the previous call (cycling through the T slices, zeros at t = 0);
//! train = training forward + backward with d_output.

use std::io::{BufRead, Write};
use std::time::Instant;
use wasm_rnn_kernels::{CellKind, Config, Network, Nonlinearity, LANE_IMPL};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn parse_cell(name: &str) -> Result<CellKind, String> {
    match name {
        "lstm" => Ok(CellKind::Lstm),
        "gru" => Ok(CellKind::Gru { reset_after: true }),
        "rnn" | "rnn_tanh" => Ok(CellKind::Rnn(Nonlinearity::Tanh)),
        other => Err(format!("unknown cell {other}")),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        serve();
        return;
    }
    let cell = parse_cell(args.first().map(String::as_str).unwrap_or("lstm")).unwrap();
    let num = |i: usize, d: usize| args.get(i).map_or(d, |s| s.parse().expect("integer argument"));
    let (batch, seq, input, hidden, reps) = (num(1, 16), num(2, 64), num(3, 128), num(4, 256), num(5, 20));
    let cfg = Config { cell, input_size: input, hidden_size: hidden, num_layers: 1, bidirectional: false, bias: true, proj_size: 0 };
    let mut net = Network::new(cfg, 1).unwrap();
    let x: Vec<f32> = (0..seq * batch * input).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let d_out: Vec<f32> = (0..seq * batch * hidden).map(|i| ((i * 104_729) % 1000) as f32 / 1000.0 - 0.5).collect();
    let mut fwd = Vec::new();
    let mut train = Vec::new();
    for rep in 0..reps + 2 {
        let t0 = Instant::now();
        net.forward(&x, seq, batch, false, None, None, false).unwrap();
        let t1 = Instant::now();
        net.forward(&x, seq, batch, false, None, None, true).unwrap();
        net.backward(Some(&d_out), None, None).unwrap();
        let t2 = Instant::now();
        if rep >= 2 {
            fwd.push((t1 - t0).as_secs_f64() * 1e3);
            train.push((t2 - t1).as_secs_f64() * 1e3);
        }
    }
    let flops_fwd = 2.0 * (seq * batch) as f64 * (cfg.cell.gates() * hidden) as f64 * (input + hidden) as f64;
    let (f, t) = (median(fwd.clone()), median(train.clone()));
    println!(
        "{{\"cell\":\"{}\",\"batch\":{batch},\"seq\":{seq},\"input\":{input},\"hidden\":{hidden},\"forward_ms\":{f:.4},\"train_ms\":{t:.4},\"forward_gflops\":{:.2},\"train_gflops\":{:.2}}}",
        args.first().map_or("lstm", |s| s.as_str()),
        flops_fwd / f / 1e6,
        3.0 * flops_fwd / t / 1e6
    );
}

/// One benchmark case held by the server.
struct Case {
    net: Network,
    lstm: bool,
    batch: usize,
    seq: usize,
    input: usize,
    hidden: usize,
    x: Vec<f32>,
    d_out: Vec<f32>,
    // Streaming state.
    t: usize,
    h: Vec<f32>,
    c: Vec<f32>,
}

impl Case {
    fn setup(words: &[&str]) -> Result<Case, String> {
        if words.len() != 6 {
            return Err("usage: setup <cell> <batch> <seq> <input> <hidden> <case.bin>".into());
        }
        let cell = parse_cell(words[0])?;
        let n = |s: &str| s.parse::<usize>().map_err(|e| format!("bad integer {s}: {e}"));
        let (batch, seq, input, hidden) = (n(words[1])?, n(words[2])?, n(words[3])?, n(words[4])?);
        let bytes = std::fs::read(words[5]).map_err(|e| format!("reading {}: {e}", words[5]))?;
        let data: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let gh = cell.gates() * hidden;
        let lens = [gh * input, gh * hidden, gh, gh, seq * batch * input, hidden, seq * batch * hidden];
        if data.len() != lens.iter().sum::<usize>() {
            return Err(format!("case file has {} floats, expected {}", data.len(), lens.iter().sum::<usize>()));
        }
        let mut parts = Vec::new();
        let mut off = 0;
        for len in lens {
            parts.push(&data[off..off + len]);
            off += len;
        }
        let cfg = Config { cell, input_size: input, hidden_size: hidden, num_layers: 1, bidirectional: false, bias: true, proj_size: 0 };
        let mut net = Network::new(cfg, 1).map_err(|e| format!("{e:?}"))?;
        for (index, part) in parts.iter().take(4).enumerate() {
            net.set_param(index, part).map_err(|e| format!("{e:?}"))?;
        }
        let lstm = matches!(cell, CellKind::Lstm);
        Ok(Case { net, lstm, batch, seq, input, hidden, x: parts[4].to_vec(), d_out: parts[6].to_vec(), t: 0, h: vec![0.0; batch * hidden], c: vec![0.0; batch * hidden] })
    }

    fn infer(&mut self) -> Result<(), String> {
        self.net.forward(&self.x, self.seq, self.batch, false, None, None, false).map_err(|e| format!("{e:?}"))
    }

    fn train(&mut self) -> Result<(), String> {
        self.net.forward(&self.x, self.seq, self.batch, false, None, None, true).map_err(|e| format!("{e:?}"))?;
        self.net.backward(Some(&self.d_out), None, None).map_err(|e| format!("{e:?}"))
    }

    /// One time step with the carried state; returns the step's output (= h).
    fn step(&mut self) -> Result<(), String> {
        if self.t == self.seq {
            self.t = 0;
            self.h.fill(0.0);
            self.c.fill(0.0);
        }
        let n = self.batch * self.input;
        let x = &self.x[self.t * n..(self.t + 1) * n];
        let c0 = if self.lstm { Some(&self.c[..]) } else { None };
        self.net.forward(x, 1, self.batch, false, Some(&self.h), c0, false).map_err(|e| format!("{e:?}"))?;
        self.h.copy_from_slice(self.net.h_n());
        if self.lstm {
            self.c.copy_from_slice(self.net.c_n());
        }
        self.t += 1;
        Ok(())
    }

    fn run(&mut self, mode: &str) -> Result<(), String> {
        match mode {
            "infer" => self.infer(),
            "train" => self.train(),
            "stream" => self.step(),
            other => Err(format!("unknown mode {other}")),
        }
    }

    fn check(&mut self, mode: &str) -> Result<Vec<(&'static str, Vec<f32>)>, String> {
        let mut out = Vec::new();
        match mode {
            "infer" => {
                self.infer()?;
                out.push(("output", self.net.output().to_vec()));
                out.push(("hN", self.net.h_n().to_vec()));
                if self.lstm {
                    out.push(("cN", self.net.c_n().to_vec()));
                }
            }
            "stream" => {
                self.t = self.seq; // restart from zeros
                let mut ys = Vec::with_capacity(self.seq * self.batch * self.hidden);
                for _ in 0..self.seq {
                    self.step()?;
                    ys.extend_from_slice(&self.h);
                }
                out.push(("output", ys));
                out.push(("hN", self.h.clone()));
                if self.lstm {
                    out.push(("cN", self.c.clone()));
                }
                self.t = self.seq;
            }
            "train" => {
                self.train()?;
                out.push(("output", self.net.output().to_vec()));
                for (name, index) in [("grad_weight_ih", 0), ("grad_weight_hh", 1), ("grad_bias_ih", 2), ("grad_bias_hh", 3)] {
                    out.push((name, self.net.grad(index).map_err(|e| format!("{e:?}"))?.to_vec()));
                }
            }
            other => return Err(format!("unknown mode {other}")),
        }
        Ok(out)
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn serve() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let mut case: Option<Case> = None;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((&cmd, rest)) = words.split_first() else { continue };
        let reply: Result<String, String> = (|| match cmd {
            "hello" => Ok(format!(
                "\"lane_impl\":{},\"arch\":{},\"avx2\":{},\"fma\":{},\"avx512f\":{}",
                json_str(LANE_IMPL),
                json_str(std::env::consts::ARCH),
                cfg!(target_feature = "avx2"),
                cfg!(target_feature = "fma"),
                cfg!(target_feature = "avx512f")
            )),
            "setup" => {
                case = None; // free the previous case first
                case = Some(Case::setup(rest)?);
                Ok(String::from("\"modes\":{\"infer\":true,\"stream\":true,\"train\":true}"))
            }
            "check" => {
                let c = case.as_mut().ok_or("no case: send setup first")?;
                let [mode, path] = rest else { return Err("usage: check <mode> <out.bin>".into()) };
                let arrays = c.check(mode)?;
                let mut bytes = Vec::new();
                let mut names = Vec::new();
                for (name, data) in &arrays {
                    names.push(format!("{{\"name\":{},\"len\":{}}}", json_str(name), data.len()));
                    for v in data {
                        bytes.extend_from_slice(&v.to_le_bytes());
                    }
                }
                std::fs::write(path, bytes).map_err(|e| format!("writing {path}: {e}"))?;
                Ok(format!("\"arrays\":[{}]", names.join(",")))
            }
            "time" => {
                let c = case.as_mut().ok_or("no case: send setup first")?;
                let [mode, iters] = rest else { return Err("usage: time <mode> <iters>".into()) };
                let iters: usize = iters.parse().map_err(|e| format!("bad iters: {e}"))?;
                let t0 = Instant::now();
                for _ in 0..iters {
                    c.run(mode)?;
                }
                Ok(format!("\"ms\":{}", t0.elapsed().as_secs_f64() * 1e3))
            }
            "quit" => std::process::exit(0),
            other => Err(format!("unknown command {other}")),
        })();
        let line = match reply {
            Ok(body) => format!("@@{{\"ok\":true,{body}}}"),
            Err(e) => format!("@@{{\"ok\":false,\"error\":{}}}", json_str(&e)),
        };
        writeln!(stdout, "{line}").unwrap();
        stdout.flush().unwrap();
    }
}
