//! Times the kernels compiled natively (the "wasm tax" reference line of the benchmark suite).
//!
//! `cargo run --release -p wasm-rnn-kernels --example native_bench -- lstm 16 64 128 256 [reps]`
//! prints one JSON line: median/min milliseconds of inference forward and of a training step
//! (forward + backward) for cell, batch, seq, input, hidden.

use std::time::Instant;
use wasm_rnn_kernels::{CellKind, Config, Network, Nonlinearity};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cell = match args.first().map(String::as_str).unwrap_or("lstm") {
        "lstm" => CellKind::Lstm,
        "gru" => CellKind::Gru,
        "rnn" | "rnn_tanh" => CellKind::Rnn(Nonlinearity::Tanh),
        other => panic!("unknown cell {other}"),
    };
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
