//! The network against a plain float64 reference (forward), float64 central differences of that
//! reference (backward), and the sequential-vs-batch identity, over every cell and odd sizes.

use super::config::{CellKind, Config};
use super::params::{ParamKind, ParamSpec};
use super::Network;
use crate::cells::elman::Nonlinearity;
use crate::rng::Rng;

struct Case {
    cfg: Config,
    seq: usize,
    batch: usize,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let cells = [CellKind::Rnn(Nonlinearity::Tanh), CellKind::Rnn(Nonlinearity::Relu), CellKind::Lstm, CellKind::Gru { reset_after: true }, CellKind::Gru { reset_after: false }];
    for (n, cell) in cells.into_iter().enumerate() {
        for (input_size, hidden_size, num_layers, bidirectional, bias, seq, batch) in [(3, 5, 1, false, true, 4, 2), (1, 7, 2, true, true, 3, 1), (5, 3, 2, false, false, 6, 3), (4, 9, 3, true, true, 2, 5)] {
            out.push(Case { cfg: Config { cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size: 0 }, seq, batch });
            if cell == CellKind::Lstm && n == 2 && hidden_size > 3 {
                let proj_size = hidden_size / 2;
                out.push(Case { cfg: Config { cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size }, seq, batch });
            }
        }
    }
    out
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Plain float64 forward of the whole stack: returns (output (T,B,D·O), hN, cN).
fn reference_forward(cfg: &Config, specs: &[ParamSpec], p: &[f64], x: &[f64], seq: usize, batch: usize, h0: &[f64], c0: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (h, o, dirs) = (cfg.hidden_size, cfg.out_size(), cfg.dirs());
    let get = |layer: usize, dir: usize, kind: ParamKind| -> Option<&[f64]> { specs.iter().find(|s| s.layer == layer && s.dir == dir && s.kind == kind).map(|s| &p[s.offset..s.offset + s.len]) };
    let mut input = x.to_vec();
    let mut h_n = vec![0.0; cfg.num_layers * dirs * batch * o];
    let mut c_n = vec![0.0; cfg.num_layers * dirs * batch * h];
    for l in 0..cfg.num_layers {
        let in_size = cfg.layer_input(l);
        let mut out = vec![0.0; seq * batch * dirs * o];
        for d in 0..dirs {
            let idx = l * dirs + d;
            let (w_ih, w_hh) = (get(l, d, ParamKind::WeightIh).unwrap(), get(l, d, ParamKind::WeightHh).unwrap());
            let zero = vec![0.0; cfg.cell.gates() * h];
            let b_ih = get(l, d, ParamKind::BiasIh).unwrap_or(&zero);
            let b_hh = get(l, d, ParamKind::BiasHh).unwrap_or(&zero);
            let w_hr = get(l, d, ParamKind::WeightHr);
            for b in 0..batch {
                let mut hs: Vec<f64> = h0[(idx * batch + b) * o..][..o].to_vec();
                let mut cs: Vec<f64> = if cfg.cell == CellKind::Lstm { c0[(idx * batch + b) * h..][..h].to_vec() } else { vec![] };
                for step in 0..seq {
                    let t = if d == 1 { seq - 1 - step } else { step };
                    let xt = &input[(t * batch + b) * in_size..][..in_size];
                    let gh = cfg.cell.gates() * h;
                    let xg: Vec<f64> = (0..gh).map(|r| b_ih[r] + (0..in_size).map(|k| w_ih[r * in_size + k] * xt[k]).sum::<f64>()).collect();
                    let hg: Vec<f64> = (0..gh).map(|r| b_hh[r] + (0..o).map(|k| w_hh[r * o + k] * hs[k]).sum::<f64>()).collect();
                    match cfg.cell {
                        CellKind::Rnn(act) => {
                            hs = (0..h).map(|j| xg[j] + hg[j]).map(|a| if act == Nonlinearity::Tanh { a.tanh() } else { a.max(0.0) }).collect();
                        }
                        CellKind::Gru { reset_after: true } => {
                            hs = (0..h)
                                .map(|j| {
                                    let r = sigmoid(xg[j] + hg[j]);
                                    let z = sigmoid(xg[h + j] + hg[h + j]);
                                    let n = (xg[2 * h + j] + r * hg[2 * h + j]).tanh();
                                    (1.0 - z) * n + z * hs[j]
                                })
                                .collect();
                        }
                        CellKind::Gru { reset_after: false } => {
                            // n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
                            let r: Vec<f64> = (0..h).map(|j| sigmoid(xg[j] + hg[j])).collect();
                            hs = (0..h)
                                .map(|j| {
                                    let z = sigmoid(xg[h + j] + hg[h + j]);
                                    let w_hn = &w_hh[(2 * h + j) * o..][..o];
                                    let hn = b_hh[2 * h + j] + (0..o).map(|k| w_hn[k] * r[k] * hs[k]).sum::<f64>();
                                    let n = (xg[2 * h + j] + hn).tanh();
                                    (1.0 - z) * n + z * hs[j]
                                })
                                .collect();
                        }
                        CellKind::Lstm => {
                            let mut raw = vec![0.0; h];
                            for j in 0..h {
                                let a = |g: usize| xg[g * h + j] + hg[g * h + j];
                                let (i, f, g, oo) = (sigmoid(a(0)), sigmoid(a(1)), a(2).tanh(), sigmoid(a(3)));
                                cs[j] = f * cs[j] + i * g;
                                raw[j] = oo * cs[j].tanh();
                            }
                            hs = match w_hr {
                                Some(w_hr) => (0..o).map(|r| (0..h).map(|k| w_hr[r * h + k] * raw[k]).sum()).collect(),
                                None => raw,
                            };
                        }
                    }
                    out[(t * batch + b) * dirs * o + d * o..][..o].copy_from_slice(&hs);
                }
                h_n[(idx * batch + b) * o..][..o].copy_from_slice(&hs);
                if cfg.cell == CellKind::Lstm {
                    c_n[(idx * batch + b) * h..][..h].copy_from_slice(&cs);
                }
            }
        }
        input = out;
    }
    if cfg.cell != CellKind::Lstm {
        c_n.clear();
    }
    (input, h_n, c_n)
}

fn random(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect()
}
fn to64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}
fn dot(a: &[f64], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, &y)| x * y as f64).sum()
}
fn assert_close(what: &str, got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(((*g as f64) - w).abs() <= tol * scale, "{what}[{i}]: got {g}, want {w}");
    }
}

/// Forward matches the float64 reference; backward matches central differences of the
/// reference's loss L = Σ out⊙R_o + Σ hN⊙R_h + Σ cN⊙R_c (f64, ε = 1e-6, so truncation ~1e-12).
#[test]
fn matches_float64_reference_forward_and_gradients() {
    for (n, case) in cases().iter().enumerate() {
        let Case { cfg, seq, batch } = *case;
        let name = format!("case {n} {:?} seq={seq} batch={batch}", cfg);
        let mut rng = Rng::new(100 + n as u64);
        let mut net = Network::new(cfg, n as u64).unwrap();
        let specs = net.specs().to_vec();
        let params = net.params_flat().to_vec();
        let lstm = cfg.cell == CellKind::Lstm;
        let (ld, o, h) = (cfg.num_layers * cfg.dirs(), cfg.out_size(), cfg.hidden_size);
        let x = random(seq * batch * cfg.input_size, &mut rng);
        let h0 = random(ld * batch * o, &mut rng);
        let c0 = if lstm { random(ld * batch * h, &mut rng) } else { vec![] };
        let r_out = random(seq * batch * cfg.dirs() * o, &mut rng);
        let r_h = random(h0.len(), &mut rng);
        let r_c = random(c0.len(), &mut rng);
        net.forward(&x, seq, batch, false, Some(&h0), lstm.then_some(&c0[..]), true).unwrap();
        let (want_out, want_h, want_c) = reference_forward(&cfg, &specs, &to64(&params), &to64(&x), seq, batch, &to64(&h0), &to64(&c0));
        assert_close(&format!("{name} output"), net.output(), &want_out, 1e-5);
        assert_close(&format!("{name} hN"), net.h_n(), &want_h, 1e-5);
        assert_close(&format!("{name} cN"), net.c_n(), &want_c, 1e-5);
        net.backward(Some(&r_out), Some(&r_h), lstm.then_some(&r_c[..])).unwrap();

        let loss = |p: &[f64], x: &[f64], h0: &[f64], c0: &[f64]| {
            let (out, hn, cn) = reference_forward(&cfg, &specs, p, x, seq, batch, h0, c0);
            dot(&out, &r_out) + dot(&hn, &r_h) + dot(&cn, &r_c)
        };
        let (p64, x64, h064, c064) = (to64(&params), to64(&x), to64(&h0), to64(&c0));
        let fd = |which: usize, i: usize| {
            let mut bufs = [p64.clone(), x64.clone(), h064.clone(), c064.clone()];
            let eps = 1e-6;
            bufs[which][i] += eps;
            let up = loss(&bufs[0], &bufs[1], &bufs[2], &bufs[3]);
            bufs[which][i] -= 2.0 * eps;
            let down = loss(&bufs[0], &bufs[1], &bufs[2], &bufs[3]);
            (up - down) / (2.0 * eps)
        };
        let grad_fd = |which: usize, len: usize| (0..len).map(|i| fd(which, i)).collect::<Vec<f64>>();
        assert_close(&format!("{name} d_input"), net.d_input(), &grad_fd(1, x.len()), 1e-4);
        assert_close(&format!("{name} d_h0"), net.d_h0(), &grad_fd(2, h0.len()), 1e-4);
        assert_close(&format!("{name} d_c0"), net.d_c0(), &grad_fd(3, c0.len()), 1e-4);
        let d_params = grad_fd(0, params.len());
        for (i, spec) in specs.iter().enumerate() {
            assert_close(&format!("{name} d {}", spec.name), net.grad(i).unwrap(), &d_params[spec.offset..spec.offset + spec.len], 1e-4);
        }
    }
}

/// T calls of one step carrying state equal one call of T steps (unidirectional), forward and
/// backward (the gradient arriving at each step's carried state is fed back in as dhN/dcN).
#[test]
fn sequential_steps_match_one_batched_call() {
    for (n, case) in cases().iter().enumerate().filter(|(_, c)| !c.cfg.bidirectional) {
        let Case { cfg, seq, batch } = *case;
        let lstm = cfg.cell == CellKind::Lstm;
        let mut rng = Rng::new(7 + n as u64);
        let (ld, o, h, i) = (cfg.num_layers, cfg.out_size(), cfg.hidden_size, cfg.input_size);
        let x = random(seq * batch * i, &mut rng);
        let d_out = random(seq * batch * o, &mut rng);
        let h0 = random(ld * batch * o, &mut rng);
        let c0 = if lstm { random(ld * batch * h, &mut rng) } else { vec![] };
        let mut whole = Network::new(cfg, 3).unwrap();
        whole.forward(&x, seq, batch, false, Some(&h0), lstm.then_some(&c0[..]), true).unwrap();
        whole.backward(Some(&d_out), None, None).unwrap();

        let mut stepper = Network::new(cfg, 3).unwrap();
        let (mut h, mut c) = (h0.clone(), c0.clone());
        let mut states = Vec::new();
        for t in 0..seq {
            let xt = &x[t * batch * i..][..batch * i];
            stepper.forward(xt, 1, batch, false, Some(&h), lstm.then_some(&c[..]), false).unwrap();
            assert_close(&format!("case {n} step {t} output"), stepper.output(), &to64(&whole.output()[t * batch * o..][..batch * o]), 1e-6);
            states.push((h.clone(), c.clone()));
            h = stepper.h_n().to_vec();
            c = stepper.c_n().to_vec();
        }
        // Backward one step at a time, from the last, carrying the state gradients.
        let (mut dh, mut dc) = (vec![0.0; h.len()], vec![0.0; c.len()]);
        let mut grad_sum = vec![0.0f64; stepper.grads_flat().len()];
        for t in (0..seq).rev() {
            let (hp, cp) = &states[t];
            stepper.forward(&x[t * batch * i..][..batch * i], 1, batch, false, Some(hp), lstm.then_some(&cp[..]), true).unwrap();
            stepper.backward(Some(&d_out[t * batch * o..][..batch * o]), Some(&dh), lstm.then_some(&dc[..])).unwrap();
            assert_close(&format!("case {n} step {t} d_input"), stepper.d_input(), &to64(&whole.d_input()[t * batch * i..][..batch * i]), 1e-5);
            grad_sum.iter_mut().zip(stepper.grads_flat()).for_each(|(s, g)| *s += *g as f64);
            dh = stepper.d_h0().to_vec();
            dc = stepper.d_c0().to_vec();
        }
        assert_close(&format!("case {n} d_h0"), &dh, &to64(whole.d_h0()), 1e-5);
        assert_close(&format!("case {n} d_c0"), &dc, &to64(whole.d_c0()), 1e-5);
        assert_close(&format!("case {n} param grads"), whole.grads_flat(), &grad_sum, 1e-5);
    }
}

#[test]
fn errors_leave_the_network_usable() {
    let cfg = Config { cell: CellKind::Lstm, input_size: 3, hidden_size: 5, num_layers: 1, bidirectional: false, bias: true, proj_size: 0 };
    let mut net = Network::new(cfg, 1).unwrap();
    let x = vec![0.5f32; 2 * 3];
    assert_eq!(net.backward(None, None, None).unwrap_err().code(), "E_NO_TRAINING_FORWARD");
    assert_eq!(net.forward(&x[..5], 2, 1, false, None, None, true).unwrap_err().code(), "E_SHAPE");
    net.forward(&x, 2, 1, false, None, None, true).unwrap();
    let first = net.output().to_vec();
    assert_eq!(net.backward(Some(&[1.0; 3]), None, None).unwrap_err().code(), "E_SHAPE");
    net.backward(None, None, None).unwrap();
    assert_eq!(net.backward(None, None, None).unwrap_err().code(), "E_NO_TRAINING_FORWARD");
    net.forward(&x, 2, 1, false, None, None, false).unwrap();
    assert_eq!(net.output(), &first[..]);
    assert!(Network::new(Config { proj_size: 5, ..cfg }, 1).is_err());
    assert!(Network::new(Config { hidden_size: 0, ..cfg }, 1).is_err());
}

/// An inference forward (any batch) between a training forward and its backward changes nothing.
#[test]
fn inference_between_training_forward_and_backward() {
    for cell in [CellKind::Lstm, CellKind::Gru { reset_after: true }, CellKind::Gru { reset_after: false }, CellKind::Rnn(Nonlinearity::Tanh)] {
        let cfg = Config { cell, input_size: 3, hidden_size: 5, num_layers: 2, bidirectional: true, bias: true, proj_size: 0 };
        let mut rng = Rng::new(5);
        let (x, x_small) = (random(4 * 3 * 3, &mut rng), random(2 * 3, &mut rng));
        let d_out = random(4 * 3 * 10, &mut rng);
        let mut plain = Network::new(cfg, 2).unwrap();
        plain.forward(&x, 4, 3, false, None, None, true).unwrap();
        plain.backward(Some(&d_out), None, None).unwrap();
        let mut interleaved = Network::new(cfg, 2).unwrap();
        interleaved.forward(&x, 4, 3, false, None, None, true).unwrap();
        interleaved.forward(&x_small, 2, 1, false, None, None, false).unwrap();
        interleaved.backward(Some(&d_out), None, None).unwrap();
        assert_eq!(plain.d_input(), interleaved.d_input());
        assert_eq!(plain.d_h0(), interleaved.d_h0());
        assert_eq!(plain.grads_flat(), interleaved.grads_flat());
    }
}
