//! The memory plan against the counting allocator: a call allocates exactly the bytes its plan
//! names (no more: nothing escapes the budget check; no less: the check refuses nothing that
//! would fit), whatever the cell, sizes, direction, projection, layout and call order.

use super::config::{CellKind, Config};
use super::Network;
use crate::cells::elman::Nonlinearity;
use crate::memory::{bytes_allocated_by_this_thread, MemoryNeed};
use crate::rng::Rng;

fn configs() -> Vec<Config> {
    let mut out = Vec::new();
    let cells = [CellKind::Rnn(Nonlinearity::Tanh), CellKind::Rnn(Nonlinearity::Relu), CellKind::Lstm, CellKind::Gru { reset_after: true }, CellKind::Gru { reset_after: false }];
    for cell in cells {
        for (input_size, hidden_size, num_layers, bidirectional, bias) in [(3, 5, 1, false, true), (1, 7, 2, true, false), (9, 3, 3, true, true), (4, 4, 4, false, true)] {
            out.push(Config { cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size: 0 });
            if cell == CellKind::Lstm && hidden_size > 3 {
                out.push(Config { cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size: hidden_size / 2 });
            }
        }
    }
    out
}

/// Runs `call` and returns the bytes this thread allocated meanwhile.
fn allocated_by(call: impl FnOnce()) -> u64 {
    let before = bytes_allocated_by_this_thread();
    call();
    bytes_allocated_by_this_thread() - before
}

#[test]
fn calls_allocate_exactly_what_their_plan_names() {
    let mut rng = Rng::new(11);
    for cfg in configs() {
        let mut net = Network::new(cfg, 3).unwrap();
        let lstm = cfg.cell == CellKind::Lstm;
        // Growing, shrinking and regrowing shapes; inference and training interleaved; both layouts.
        for (n, &(seq, batch, training, batch_first)) in [(3, 2, true, false), (5, 4, false, false), (2, 7, true, true), (6, 1, true, false), (6, 1, false, true), (7, 5, true, false)].iter().enumerate() {
            let x: Vec<f32> = (0..seq * batch * cfg.input_size).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let need = net.forward_need(seq, batch, training, false, false);
            let got = allocated_by(|| net.forward(&x, seq, batch, batch_first, None, None, training).unwrap());
            assert_eq!(got, need.kept(), "{cfg:?} call {n}: forward seq={seq} batch={batch} training={training}: allocated {got}, planned {need:?}");
            if training {
                let need = net.backward_need(false, false, false).unwrap();
                let got = allocated_by(|| net.backward(None, None, None).unwrap());
                assert_eq!(got, need.kept(), "{cfg:?} call {n}: backward seq={seq} batch={batch}: allocated {got}, planned {need:?}");
            }
            // A repeat of the same shapes allocates nothing at all.
            let again = net.forward_need(seq, batch, training, true, lstm);
            assert_eq!(again.kept(), 0, "{cfg:?} call {n}: repeated forward plans {again:?}");
        }
    }
}

#[test]
fn boundary_copies_are_counted_per_tensor() {
    let cfg = Config { cell: CellKind::Lstm, input_size: 3, hidden_size: 5, num_layers: 2, bidirectional: true, bias: true, proj_size: 2 };
    let mut net = Network::new(cfg, 1).unwrap();
    let (seq, batch) = (4, 3);
    let bare = net.forward_need(seq, batch, true, false, false);
    let with_states = net.forward_need(seq, batch, true, true, true);
    // x [4, 3, 3]; h0 [4, 3, 2]; c0 [4, 3, 5]; results: output [4, 3, 4] + hN + cN.
    assert_eq!(bare.inputs, 4 * 36);
    assert_eq!(with_states.inputs, 4 * (36 + 24 + 60));
    assert_eq!(bare.results, 4 * (48 + 24 + 60));
    assert!(bare.packed_weights > 0 && bare.activations > 0 && bare.scratch > 0);
    net.forward(&[0.5; 36], seq, batch, false, None, None, true).unwrap();
    let after = net.forward_need(seq, batch, true, false, false);
    assert_eq!(MemoryNeed { inputs: 0, results: 0, ..after }, MemoryNeed::default(), "weights packed and buffers kept");
    let back = net.backward_need(true, true, true).unwrap();
    assert_eq!(back.inputs, 4 * (48 + 24 + 60));
    let params = net.params_flat().len() as u64;
    assert_eq!(back.results, 4 * (36 + 24 + 60 + params));
}

#[test]
fn construction_counts_the_arenas() {
    let cfg = Config { cell: CellKind::Gru { reset_after: false }, input_size: 7, hidden_size: 9, num_layers: 3, bidirectional: true, bias: true, proj_size: 0 };
    let need = Network::construction_need(&cfg);
    let mut net = None;
    let got = allocated_by(|| net = Some(Network::new(cfg, 1).unwrap()));
    let params = net.unwrap().params_flat().len() as u64;
    assert!(need.total() >= 8 * params, "the arenas alone are {} bytes, planned {need:?}", 8 * params);
    // Bookkeeping (names, shapes, empty buffers) is bounded, not exact: within 2× of the plan.
    assert!(got <= need.total() && got * 2 >= need.total(), "allocated {got}, planned {need:?}");
}

#[test]
fn packed_sequences_allocate_exactly_what_their_plan_names() {
    let mut rng = Rng::new(12);
    for cfg in configs() {
        let mut net = Network::new(cfg, 4).unwrap();
        for (n, &(seq, batch, training)) in [(4, 3, true), (5, 2, false), (6, 4, true)].iter().enumerate() {
            let lengths: Vec<usize> = (0..batch).map(|b| 1 + (b * 7 + n) % seq).collect();
            net.set_lengths(&lengths);
            let x: Vec<f32> = (0..seq * batch * cfg.input_size).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let need = net.forward_need(seq, batch, training, false, false);
            let got = allocated_by(|| net.forward(&x, seq, batch, false, None, None, training).unwrap());
            assert_eq!(got, need.kept(), "{cfg:?} call {n} with lengths {lengths:?}: forward allocated {got}, planned {need:?}");
            if training {
                let need = net.backward_need(false, false, false).unwrap();
                let got = allocated_by(|| net.backward(None, None, None).unwrap());
                assert_eq!(got, need.kept(), "{cfg:?} call {n} with lengths {lengths:?}: backward allocated {got}, planned {need:?}");
            }
        }
    }
}
