//! The model's gradients against central differences of its own loss (every layer kind, each
//! loss), and the optimizers against their update rules written out by hand.

use super::activation::Activation;
use super::loss::{Loss, Targets};
use super::optim::{clip_grad_norm, Optimizer};
use super::recurrent_output::{Merge, Rows};
use super::{Input, LayerSpec, Model, TrainConfig};
use crate::cells::elman::Nonlinearity;
use crate::network::config::{CellKind, Config};
use crate::rng::Rng;

fn recurrent(cell: CellKind, input: usize, hidden: usize, layers: usize, bidirectional: bool, return_sequences: bool) -> LayerSpec {
    let rows = if return_sequences { Rows::Sequence } else { Rows::LastStep };
    LayerSpec::Recurrent { cfg: Config { cell, input_size: input, hidden_size: hidden, num_layers: layers, bidirectional, bias: true, proj_size: 0 }, rows, merge: Merge::Concat, dropout: 0.0 }
}

fn sgd() -> Optimizer {
    Optimizer::Sgd { lr: 0.0, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 }
}

/// Loss at the current parameters (a training forward without dropout, no update).
fn loss_at(model: &mut Model, input: &Input, seq: usize, batch: usize, targets: &Targets) -> f64 {
    model.forward(clone_input(input), seq, batch, None, false).unwrap();
    model.loss(targets).unwrap()
}

fn clone_input<'a>(input: &Input<'a>) -> Input<'a> {
    match input {
        Input::Values(v) => Input::Values(v),
        Input::Ids(v) => Input::Ids(v),
    }
}

fn check_gradients(specs: &[LayerSpec], loss: Loss, input: Input, seq: usize, batch: usize, targets: Targets) {
    let mut model = Model::new(specs, 5).unwrap();
    model.compile(TrainConfig { loss, optimizer: sgd(), clip_grad_norm: None, clip_grad_value: None }).unwrap();
    // lr = 0: the step leaves the weights alone and fills the gradients.
    model.train_step(clone_input(&input), seq, batch, None, &targets).unwrap();
    let grads = model.grads().to_vec();
    let base: Vec<f32> = model.params().to_vec();
    let mut worst = 0.0f64;
    for i in (0..base.len()).step_by(base.len().div_ceil(60).max(1)) {
        let h = 1e-2f32;
        let mut p = base.clone();
        p[i] = base[i] + h;
        set_all(&mut model, &p);
        let up = loss_at(&mut model, &input, seq, batch, &targets);
        p[i] = base[i] - h;
        set_all(&mut model, &p);
        let down = loss_at(&mut model, &input, seq, batch, &targets);
        let numeric = (up - down) / (2.0 * h as f64);
        let err = (numeric - grads[i] as f64).abs() / numeric.abs().max(grads[i].abs() as f64).max(1e-2);
        worst = worst.max(err);
        assert!(err < 2e-2, "{specs:?} {loss:?}: parameter {i} analytic {} numeric {numeric}", grads[i]);
    }
    set_all(&mut model, &base);
    println!("worst relative gradient error {worst:e}");
}

fn set_all(model: &mut Model, p: &[f32]) {
    let tensors = model.tensors().to_vec();
    for (i, t) in tensors.iter().enumerate() {
        model.set_tensor(i, &p[t.range.clone()]).unwrap();
    }
}

fn random(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

#[test]
fn char_model_gradients_match_central_differences() {
    let mut rng = Rng::new(1);
    let (seq, batch, vocab) = (4, 3, 7);
    let ids: Vec<i32> = (0..seq * batch).map(|i| (i * 5 % vocab) as i32).collect();
    let targets: Vec<i32> = (0..seq * batch).map(|i| ((i * 3 + 1) % vocab) as i32).collect();
    let specs = [
        LayerSpec::Embedding { num: vocab, dim: 5 },
        recurrent(CellKind::Lstm, 5, 6, 2, true, true),
        LayerSpec::LayerNorm { width: 12, eps: 1e-5, affine: true },
        LayerSpec::Dense { input: 12, output: vocab, bias: true },
    ];
    let _ = random(1, &mut rng);
    check_gradients(&specs, Loss::CrossEntropy { ignore_index: 2, label_smoothing: 0.1 }, Input::Ids(&ids), seq, batch, Targets::Classes(&targets));
}

#[test]
fn regression_model_gradients_match_central_differences() {
    let mut rng = Rng::new(2);
    let (seq, batch) = (5, 2);
    for (cell, loss) in [(CellKind::Gru { reset_after: true }, Loss::Mse), (CellKind::Rnn(Nonlinearity::Tanh), Loss::L1), (CellKind::Lstm, Loss::Huber { delta: 0.3 })] {
        let x = random(seq * batch * 3, &mut rng);
        let y = random(batch * 2, &mut rng);
        let specs = [recurrent(cell, 3, 5, 1, false, false), LayerSpec::Dense { input: 5, output: 2, bias: false }];
        check_gradients(&specs, loss, Input::Values(&x), seq, batch, Targets::Values(&y));
    }
}

#[test]
fn adam_follows_the_update_rule() {
    let opt = Optimizer::Adam { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.5, amsgrad: false, decoupled: false };
    let (mut p, mut state) = (vec![1.0f32], vec![0.0f32; 2]);
    let mut m = 0.0f64;
    let mut v = 0.0f64;
    let mut want = 1.0f64;
    for step in 1..=3u64 {
        let g = 0.2 + 0.5 * want; // gradient 0.2 plus L2 weight decay
        m = 0.9 * m + 0.1 * g;
        v = 0.99 * v + 0.01 * g * g;
        let (bc1, bc2) = (1.0 - 0.9f64.powi(step as i32), 1.0 - 0.99f64.powi(step as i32));
        want -= 0.1 / bc1 * m / ((v.sqrt() / bc2.sqrt()) + 1e-8);
        opt.step(&mut p, &[0.2], &mut state, step);
        assert!((p[0] as f64 - want).abs() < 1e-6, "step {step}: {} vs {want}", p[0]);
    }
}

#[test]
fn sgd_momentum_starts_from_the_gradient_and_clipping_scales_globally() {
    let opt = Optimizer::Sgd { lr: 1.0, momentum: 0.5, dampening: 0.25, nesterov: false, weight_decay: 0.0 };
    let (mut p, mut buf) = (vec![0.0f32], vec![0.0f32]);
    opt.step(&mut p, &[1.0], &mut buf, 1);
    assert_eq!((p[0], buf[0]), (-1.0, 1.0)); // buf = g on the first step, no dampening
    opt.step(&mut p, &[1.0], &mut buf, 2);
    assert_eq!(buf[0], 0.5 + 0.75); // μ·buf + (1 − dampening)·g
    let mut g = vec![3.0f32, 4.0];
    let norm = clip_grad_norm(&mut g, 1.0);
    assert_eq!(norm, 5.0);
    assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
}

#[test]
fn ctc_model_gradients_match_central_differences() {
    let mut rng = Rng::new(4);
    let (seq, batch, classes) = (7, 3, 5);
    let x = random(seq * batch * 2, &mut rng);
    // Label rows padded with −1; blank 0.
    let labels = [1, 2, 2, 3, 4, -1, -1, -1, 1, 1, -1, -1];
    let specs = [recurrent(CellKind::Gru { reset_after: false }, 2, 4, 1, true, true), LayerSpec::Dense { input: 8, output: classes, bias: true }];
    check_gradients(&specs, Loss::Ctc { blank: 0, zero_infinity: false }, Input::Values(&x), seq, batch, Targets::Classes(&labels));
}

#[test]
fn merged_final_states_and_activations_match_central_differences() {
    let mut rng = Rng::new(6);
    let (seq, batch) = (5, 3);
    let x = random(seq * batch * 3, &mut rng);
    let cfg = Config { cell: CellKind::Lstm, input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true, bias: true, proj_size: 0 };
    for (rows, merge, head) in [
        (Rows::FinalStates, Merge::Mul, Activation::Tanh),
        (Rows::FinalStates, Merge::Concat, Activation::Softmax),
        (Rows::LastStep, Merge::Ave, Activation::Elu { alpha: 0.7 }),
        (Rows::Sequence, Merge::Sum, Activation::LogSoftmax),
    ] {
        let width = if merge == Merge::Concat { 8 } else { 4 };
        let specs = [LayerSpec::Recurrent { cfg, rows, merge, dropout: 0.0 }, LayerSpec::Activation(Activation::Silu), LayerSpec::Dense { input: width, output: 3, bias: true }, LayerSpec::Activation(head)];
        let out_rows = if rows == Rows::Sequence { seq * batch } else { batch };
        let y = random(out_rows * 3, &mut rng);
        check_gradients(&specs, Loss::Mse, Input::Values(&x), seq, batch, Targets::Values(&y));
    }
}
