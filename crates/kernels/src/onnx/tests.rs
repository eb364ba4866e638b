//! The ONNX kernels against the f64 reference (`reference.rs`) and naive arithmetic, over odd
//! sizes and every direction, layout and option; plus the budget and input checks.

use super::reference::{act, recurrent_reference};
use super::*;
use crate::memory::{bytes_allocated_by_this_thread, INSTANCE_BUDGET_BYTES};
use crate::rng::Rng;

fn random(rng: &mut Rng, n: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|_| rng.uniform(-scale, scale)).collect()
}

/// max |a − b| / max(1, max |b|): the comparison the ONNX tests use.
fn scaled_diff(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    a.iter().zip(b).map(|(x, y)| (*x as f64 - y).abs()).fold(0.0, f64::max) / scale
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    kind: OpKind,
    direction: Direction,
    layout: u32,
    dims: RecurrentDims,
    hidden: usize,
    bias: bool,
    lens: Option<Vec<i32>>,
    initial: bool,
    peephole: bool,
    clip: Option<f32>,
    input_forget: bool,
    lbr: bool,
    acts: Vec<Activation>,
}

impl Case {
    fn base(kind: OpKind) -> Self {
        Case {
            name: String::new(),
            kind,
            direction: Direction::Forward,
            layout: 0,
            dims: RecurrentDims { seq: 5, batch: 3, input: 7 },
            hidden: 5,
            bias: true,
            lens: None,
            initial: false,
            peephole: false,
            clip: None,
            input_forget: false,
            lbr: false,
            acts: vec![],
        }
    }
}

/// Every kind × direction × layout, each with and without the options that apply to it.
fn cases() -> Vec<Case> {
    let mut out = vec![];
    for kind in [OpKind::Rnn, OpKind::Gru, OpKind::Lstm] {
        for direction in [Direction::Forward, Direction::Reverse, Direction::Bidirectional] {
            for layout in [0, 1] {
                let mut variants: Vec<(&str, Case)> = vec![];
                let base = Case { direction, layout, ..Case::base(kind) };
                variants.push(("plain", base.clone()));
                variants.push(("no bias, batch 1, hidden 9", Case { bias: false, dims: RecurrentDims { seq: 4, batch: 1, input: 3 }, hidden: 9, ..base.clone() }));
                variants.push(("initial states and sequence_lens", Case { initial: true, lens: Some(vec![5, 0, 2]), ..base.clone() }));
                variants.push(("clip", Case { clip: Some(0.6), initial: true, ..base.clone() }));
                variants.push(("input 0 features", Case { dims: RecurrentDims { seq: 3, batch: 2, input: 0 }, initial: true, ..base.clone() }));
                if kind == OpKind::Gru {
                    variants.push(("linear_before_reset", Case { lbr: true, initial: true, lens: Some(vec![3, 5, 1]), ..base.clone() }));
                }
                if kind == OpKind::Lstm {
                    variants.push(("peepholes", Case { peephole: true, initial: true, lens: Some(vec![1, 4, 5]), ..base.clone() }));
                    variants.push(("input_forget", Case { input_forget: true, peephole: true, initial: true, ..base.clone() }));
                }
                for (what, mut c) in variants {
                    c.name = format!("{kind:?} {direction:?} layout {layout}: {what}");
                    out.push(c);
                }
            }
        }
    }
    // Every activation function (with parameters) in every position of each operator.
    let every: Vec<Activation> = Activation::parse_list(
        &["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"],
        &[0.7, 0.2, 0.3, 0.9, 0.25, 1.2],
        &[0.1, 1.3, 0.4],
    )
    .unwrap();
    for kind in [OpKind::Rnn, OpKind::Gru, OpKind::Lstm] {
        let per = kind.activations();
        for (n, chunk) in every.chunks(per).enumerate() {
            let mut acts = chunk.to_vec();
            while acts.len() < per {
                acts.push(Activation::Tanh);
            }
            // Bidirectional: the reverse direction takes the list rotated, so each position differs.
            let mut both = acts.clone();
            both.extend(acts.iter().rev());
            out.push(Case { name: format!("{kind:?} activations {n}: {acts:?}"), direction: Direction::Bidirectional, acts: both, initial: true, clip: Some(3.0), ..Case::base(kind) });
        }
    }
    out
}

struct Tensors {
    x: Vec<f32>,
    w: Vec<f32>,
    r: Vec<f32>,
    b: Vec<f32>,
    h0: Vec<f32>,
    c0: Vec<f32>,
    p: Vec<f32>,
}

fn tensors(c: &Case, seed: u64) -> Tensors {
    let mut rng = Rng::new(seed);
    let RecurrentDims { seq, batch, input } = c.dims;
    let (h, d, g) = (c.hidden, c.direction.count(), c.kind.gates());
    Tensors {
        x: random(&mut rng, seq * batch * input, 2.0),
        w: random(&mut rng, d * g * h * input, 0.6),
        r: random(&mut rng, d * g * h * h, 0.6),
        b: random(&mut rng, d * 2 * g * h, 0.5),
        h0: random(&mut rng, d * batch * h, 1.0),
        c0: random(&mut rng, d * batch * h, 2.0),
        p: random(&mut rng, d * 3 * h, 0.8),
    }
}

fn inputs<'a>(c: &'a Case, t: &'a Tensors) -> RecurrentInputs<'a> {
    let lstm = c.kind == OpKind::Lstm;
    RecurrentInputs {
        x: &t.x,
        w: &t.w,
        r: &t.r,
        b: c.bias.then_some(&t.b[..]),
        sequence_lens: c.lens.as_deref(),
        initial_h: c.initial.then_some(&t.h0[..]),
        initial_c: (c.initial && lstm).then_some(&t.c0[..]),
        p: (c.peephole && lstm).then_some(&t.p[..]),
    }
}

fn spec(c: &Case) -> RecurrentSpec {
    RecurrentSpec::new(c.kind, c.direction, c.hidden, c.layout, c.acts.clone(), c.clip, c.input_forget, c.lbr).unwrap()
}

#[test]
fn onnx_recurrent_matches_the_f64_reference_in_every_case() {
    let all = cases();
    assert!(all.len() > 100, "{} cases", all.len());
    for (n, c) in all.iter().enumerate() {
        let t = tensors(c, n as u64 + 1);
        let (s, inp) = (spec(c), inputs(c, &t));
        let out = run_recurrent(&s, &c.dims, &inp).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let (y, y_h, y_c) = recurrent_reference(&s, &c.dims, &inp);
        let [ly, lh, lc] = output_lens(&s, &c.dims).map(|l| l as usize);
        assert_eq!(out.len(), ly + lh + lc, "{}", c.name);
        for (what, got, want) in [("Y", &out[..ly], &y), ("Y_h", &out[ly..ly + lh], &y_h), ("Y_c", &out[ly + lh..], &y_c)] {
            let diff = scaled_diff(got, want);
            assert!(diff < 1e-5, "{}: {what} differs by {diff:e}", c.name);
        }
    }
}

#[test]
fn onnx_sequence_lens_zero_leaves_zero_outputs_and_reverse_starts_at_each_rows_end() {
    let c = Case { direction: Direction::Reverse, lens: Some(vec![2, 0, 5]), initial: true, ..Case::base(OpKind::Lstm) };
    let t = tensors(&c, 7);
    let out = run_recurrent(&spec(&c), &c.dims, &inputs(&c, &t)).unwrap();
    let (h, b) = (c.hidden, c.dims.batch);
    let y_at = |step: usize, row: usize| &out[(step * b + row) * h..][..h];
    // Row 0 has two steps: Y is zero from step 2 on, and its reversed walk starts at step 1.
    assert!(y_at(2, 0).iter().all(|&v| v == 0.0));
    assert!(y_at(1, 0).iter().any(|&v| v != 0.0));
    // Row 1 has none: Y and its final states are zero (onnxruntime's convention).
    assert!((0..5).all(|s| y_at(s, 1).iter().all(|&v| v == 0.0)));
    let ly = 5 * b * h;
    assert!(out[ly + h..ly + 2 * h].iter().all(|&v| v == 0.0));
    // Reversed: the final state of row 0 is its output at time 0.
    assert_eq!(&out[ly..ly + h], y_at(0, 0));
}

#[test]
fn onnx_activations_match_their_definitions_with_clip() {
    let xs: Vec<f32> = (-400..=400).map(|i| i as f32 * 0.02).collect();
    let all = Activation::parse_list(
        &["relu", "TANH", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"],
        &[0.5, 0.1, 0.4, 0.8, 0.3, 1.1],
        &[0.2, 1.5, 0.6],
    )
    .unwrap();
    for a in all {
        for clip in [f32::INFINITY, 2.5] {
            let mut got = xs.clone();
            a.apply(&mut got, clip);
            let want: Vec<f64> = xs.iter().map(|&x| act(a, (x as f64).clamp(-clip as f64, clip as f64))).collect();
            let diff = scaled_diff(&got, &want);
            assert!(diff < 2e-6, "{a:?} clip {clip}: {diff:e}");
        }
    }
}

#[test]
fn onnx_activation_parameters_go_to_the_functions_that_take_them_in_order() {
    let acts = Activation::parse_list(&["Tanh", "LeakyRelu", "Sigmoid", "ScaledTanh", "HardSigmoid"], &[0.3, 0.7], &[1.5]).unwrap();
    assert_eq!(acts[1], Activation::LeakyRelu { alpha: 0.3 });
    assert_eq!(acts[3], Activation::ScaledTanh { alpha: 0.7, beta: 1.5 });
    // The lists ran out: ONNX's defaults.
    assert_eq!(acts[4], Activation::HardSigmoid { alpha: 0.2, beta: 0.5 });
    let defaults = Activation::parse_list(&["LeakyRelu", "ThresholdedRelu", "Elu", "Affine", "ScaledTanh"], &[], &[]).unwrap();
    assert_eq!(
        defaults,
        vec![
            Activation::LeakyRelu { alpha: 0.01 },
            Activation::ThresholdedRelu { alpha: 1.0 },
            Activation::Elu { alpha: 1.0 },
            Activation::Affine { alpha: 1.0, beta: 0.0 },
            Activation::ScaledTanh { alpha: 1.0, beta: 1.0 }
        ]
    );
    assert_eq!(Activation::parse_list(&["Swish"], &[], &[]).unwrap_err().code(), "E_CONFIG");
}

#[test]
fn onnx_spec_checks_its_attributes() {
    let acts = |n: usize| vec![Activation::Tanh; n];
    assert!(RecurrentSpec::new(OpKind::Lstm, Direction::Bidirectional, 4, 0, acts(3), None, false, false).unwrap().activations.len() == 6);
    for bad in [
        RecurrentSpec::new(OpKind::Lstm, Direction::Forward, 4, 0, acts(2), None, false, false),
        RecurrentSpec::new(OpKind::Rnn, Direction::Forward, 0, 0, vec![], None, false, false),
        RecurrentSpec::new(OpKind::Rnn, Direction::Forward, 4, 2, vec![], None, false, false),
        RecurrentSpec::new(OpKind::Gru, Direction::Forward, 4, 0, vec![], Some(-1.0), false, false),
        RecurrentSpec::new(OpKind::Gru, Direction::Forward, 4, 0, vec![], None, true, false),
    ] {
        assert_eq!(bad.unwrap_err().code(), "E_CONFIG");
    }
    assert!(Direction::parse("sideways").is_err());
}

#[test]
fn onnx_recurrent_rejects_inconsistent_inputs() {
    let c = Case { initial: true, peephole: true, ..Case::base(OpKind::Lstm) };
    let t = tensors(&c, 3);
    let s = spec(&c);
    let short = &t.x[1..];
    let bad_lens = vec![1, 9, 2];
    let wrong: Vec<(&str, RecurrentInputs)> = vec![
        ("X", RecurrentInputs { x: short, ..inputs(&c, &t) }),
        ("W", RecurrentInputs { w: &t.w[1..], ..inputs(&c, &t) }),
        ("R", RecurrentInputs { r: &t.r[1..], ..inputs(&c, &t) }),
        ("B", RecurrentInputs { b: Some(&t.b[1..]), ..inputs(&c, &t) }),
        ("initial_h", RecurrentInputs { initial_h: Some(&t.h0[1..]), ..inputs(&c, &t) }),
        ("initial_c", RecurrentInputs { initial_c: Some(&t.c0[1..]), ..inputs(&c, &t) }),
        ("P", RecurrentInputs { p: Some(&t.p[1..]), ..inputs(&c, &t) }),
        ("sequence_lens", RecurrentInputs { sequence_lens: Some(&bad_lens), ..inputs(&c, &t) }),
    ];
    for (what, inp) in wrong {
        let e = run_recurrent(&s, &c.dims, &inp).unwrap_err();
        assert!(e.to_string().contains(what), "{what}: {e}");
    }
    let gru = Case::base(OpKind::Gru);
    let tg = tensors(&gru, 3);
    let with_c = RecurrentInputs { initial_c: Some(&tg.h0), ..inputs(&gru, &tg) };
    assert_eq!(run_recurrent(&spec(&gru), &gru.dims, &with_c).unwrap_err().code(), "E_ARGUMENT");
}

#[test]
fn onnx_recurrent_refuses_a_huge_call_before_allocating() {
    // Zero input features: X and W are empty whatever T is, so only the outputs are huge: Y is
    // 2^26 · 4 · 4 = 2^30 floats (4 GiB, over the 3 GiB budget), an element count that still
    // fits wasm32's usize (so the refusal is the budget's, not a shape overflow's).
    let c = Case { dims: RecurrentDims { seq: 1 << 26, batch: 4, input: 0 }, hidden: 4, bias: false, ..Case::base(OpKind::Rnn) };
    let s = spec(&c);
    let r = [0.5f32; 16];
    let inp = RecurrentInputs { x: &[], w: &[], r: &r, b: None, sequence_lens: None, initial_h: None, initial_c: None, p: None };
    let before = bytes_allocated_by_this_thread();
    let e = run_recurrent(&s, &c.dims, &inp).unwrap_err();
    assert_eq!(e.code(), "E_TOO_LARGE");
    assert!(recurrent_need(&s, &c.dims).total() > INSTANCE_BUDGET_BYTES);
    assert!(bytes_allocated_by_this_thread() - before < 4096, "allocated before refusing");
}

#[test]
fn onnx_recurrent_allocates_no_more_than_its_plan() {
    for c in cases().iter().step_by(7) {
        let t = tensors(c, 11);
        let (s, inp) = (spec(c), inputs(c, &t));
        let need = recurrent_need(&s, &c.dims);
        let before = bytes_allocated_by_this_thread();
        let out = run_recurrent(&s, &c.dims, &inp).unwrap();
        let used = bytes_allocated_by_this_thread() - before;
        assert!(used <= need.total(), "{}: allocated {used} > planned {}", c.name, need.total());
        assert!(used >= 4 * out.len() as u64, "{}", c.name);
    }
}

fn naive_matmul(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f64> {
    (0..m * n).map(|i| (0..k).map(|p| a[(i / n) * k + p] as f64 * b[p * n + i % n] as f64).sum()).collect()
}

#[test]
fn onnx_matmul_and_gemm_match_naive_products() {
    let mut rng = Rng::new(5);
    for (m, k, n) in [(1, 1, 1), (3, 7, 5), (1, 17, 9), (13, 3, 1), (9, 300, 11), (2, 0, 3)] {
        // Two A matrices, three B: output i pairs A[i % 2] with B[i].
        let a = random(&mut rng, 2 * m * k, 1.0);
        let b = random(&mut rng, 3 * k * n, 1.0);
        let out = matmul(&a, &b, &[0, 1, 0], &[0, 1, 2], m, k, n).unwrap();
        for i in 0..3 {
            let want = naive_matmul(&a[(i % 2) * m * k..][..m * k], &b[i * k * n..][..k * n], m, k, n);
            assert!(scaled_diff(&out[i * m * n..][..m * n], &want) < 1e-5, "matmul {m}×{k}×{n} #{i}");
        }
        // Gemm with both transposes and every C broadcast.
        let at: Vec<f32> = (0..m * k).map(|i| a[(i % m) * k + i / m]).collect(); // (K, M)
        let bt: Vec<f32> = (0..k * n).map(|i| b[(i % k) * n + i / k]).collect(); // (N, K)
        let prod = naive_matmul(&a[..m * k], &b[..k * n], m, k, n);
        for (cr, cc) in [(1, 1), (1, n), (m, 1), (m, n)] {
            let cm = random(&mut rng, cr * cc, 1.0);
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let y = gemm_op(if ta { &at } else { &a[..m * k] }, if tb { &bt } else { &b[..k * n] }, Some(&cm), cr, cc, m, k, n, ta, tb, 0.7, -1.3).unwrap();
                let want: Vec<f64> = (0..m * n).map(|i| 0.7 * prod[i] - 1.3 * cm[(if cr == 1 { 0 } else { i / n }) * cc + if cc == 1 { 0 } else { i % n }] as f64).collect();
                assert!(scaled_diff(&y, &want) < 1e-5, "gemm {m}×{k}×{n} C {cr}×{cc} trans {ta} {tb}");
            }
        }
    }
    assert_eq!(matmul(&[1.0; 6], &[1.0; 6], &[2], &[0], 2, 3, 2).unwrap_err().code(), "E_SHAPE");
    assert_eq!(gemm_op(&[1.0; 5], &[1.0; 6], None, 1, 1, 2, 3, 2, false, false, 1.0, 1.0).unwrap_err().code(), "E_SHAPE");
    assert_eq!(gemm_op(&[1.0; 6], &[1.0; 6], Some(&[1.0; 3]), 1, 3, 2, 3, 2, false, false, 1.0, 1.0).unwrap_err().code(), "E_SHAPE");
}

#[test]
fn onnx_broadcast_binary_matches_indexing() {
    let mut rng = Rng::new(9);
    // a: (2, 1, 5), b: (3, 1) broadcast to (2, 3, 5).
    let a = random(&mut rng, 10, 1.0);
    let b = random(&mut rng, 3, 1.0);
    for op in [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div] {
        let y = binary(op, &a, &b, &[2, 3, 5], &[5, 0, 1], &[0, 1, 0]).unwrap();
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..5 {
                    let (x, z) = (a[i * 5 + k], b[j]);
                    let want = match op {
                        BinaryOp::Add => x + z,
                        BinaryOp::Sub => x - z,
                        BinaryOp::Mul => x * z,
                        BinaryOp::Div => x / z,
                    };
                    assert_eq!(y[(i * 3 + j) * 5 + k], want, "{op:?} at {i},{j},{k}");
                }
            }
        }
    }
    assert_eq!(binary(BinaryOp::Add, &[2.0], &[3.0], &[], &[], &[]).unwrap(), vec![5.0]);
    assert!(binary(BinaryOp::Add, &a, &b, &[2, 3, 5], &[5, 0, 2], &[0, 1, 0]).is_err(), "strides past A's end");
    assert!(BinaryOp::parse("Pow").is_err());
}

#[test]
fn onnx_softmax_and_log_softmax_along_a_middle_axis() {
    let mut rng = Rng::new(4);
    let (outer, axis, inner) = (3, 7, 2);
    let x = random(&mut rng, outer * axis * inner, 30.0);
    for log in [false, true] {
        let y = softmax(&x, outer, axis, inner, log).unwrap();
        let mut want = vec![0.0f64; x.len()];
        for o in 0..outer {
            for i in 0..inner {
                let at = |j: usize| (o * axis + j) * inner + i;
                let sum: f64 = (0..axis).map(|j| (x[at(j)] as f64).exp()).sum();
                for j in 0..axis {
                    want[at(j)] = if log { x[at(j)] as f64 - sum.ln() } else { (x[at(j)] as f64).exp() / sum };
                }
            }
        }
        assert!(scaled_diff(&y, &want) < 1e-6, "log {log}");
    }
    assert!(softmax(&x, 2, axis, inner, false).is_err());
}

#[test]
fn onnx_layer_norm_matches_the_definition() {
    let mut rng = Rng::new(12);
    let (rows, width) = (3, 7);
    let x = random(&mut rng, rows * width, 5.0);
    let scale = random(&mut rng, width, 2.0);
    let bias = random(&mut rng, width, 1.0);
    for b in [Some(&bias[..]), None] {
        let y = layer_norm(&x, &scale, b, rows, width, 1e-3).unwrap();
        let mut want = vec![0.0f64; x.len()];
        for r in 0..rows {
            let row: Vec<f64> = x[r * width..][..width].iter().map(|&v| v as f64).collect();
            let mean = row.iter().sum::<f64>() / width as f64;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / width as f64;
            for j in 0..width {
                want[r * width + j] = (row[j] - mean) / (var + 1e-3).sqrt() * scale[j] as f64 + b.map_or(0.0, |b| b[j] as f64);
            }
        }
        assert!(scaled_diff(&y, &want) < 1e-6);
    }
    assert!(layer_norm(&x, &scale[..3], None, rows, width, 1e-5).is_err());
}
