//! The forward of an ONNX `RNN`, `GRU` or `LSTM` node: every direction, layout, sequence
//! length and option of the operator (see `spec.rs`), one call per node.
//!
//! Per direction: one GEMM projects all T·B input rows (X·Wᵀ plus the biases that sit outside
//! any gate product), then each step gathers its B rows of that projection, adds H_{t−1}·Rᵀ
//! (R packed once) and runs the operator's elementwise step (`gates.rs`). A row whose sequence
//! has ended keeps its state and leaves Y zero; a reversed direction walks each row from its
//! own last valid step. Y_h/Y_c hold each row's state after its last valid step, and zeros for
//! a row of length 0 (as onnxruntime).
//!
//! [`recurrent_need`] counts every byte the call allocates; [`run_recurrent`] checks it against
//! the instance budget before allocating anything (E_TOO_LARGE) and then allocates exactly that,
//! fallibly.

use super::alloc::{aligned_bytes, gemm_scratch, gemm_scratch_bytes, no_room, reserve_aligned, zeroed};
use super::gates::{gru_candidate, gru_reset_hidden, gru_update_reset, lstm_step};
use super::spec::{OpKind, RecurrentDims, RecurrentInputs, RecurrentSpec};
use crate::error::Error;
use crate::gemm::{gemm, GemmScratch, MatMut, MatRef, PackedB, Rhs};
use crate::memory::{check_budget, MemoryNeed};

/// Floats of Y, Y_h and Y_c (0 for Y_c unless LSTM): the lengths of the result's three parts.
pub fn output_lens(spec: &RecurrentSpec, dims: &RecurrentDims) -> [u64; 3] {
    let (t, b, d, h) = (dims.seq as u64, dims.batch as u64, spec.direction.count() as u64, spec.hidden as u64);
    let state = d.saturating_mul(b).saturating_mul(h);
    [t.saturating_mul(state), state, if spec.kind == OpKind::Lstm { state } else { 0 }]
}

/// Buffer lengths (floats) of one call, in u64 so that no product overflows on wasm32.
struct Plan {
    results: u64,
    proj: u64,
    gates: u64,
    rec: u64,
    reset_hidden: u64,
    states: u64,
    bias: u64,
    packed_r: [(u64, u64); 2],
    packed_w: (u64, u64),
}

fn plan(spec: &RecurrentSpec, dims: &RecurrentDims) -> Plan {
    let (t, b, i, h) = (dims.seq as u64, dims.batch as u64, dims.input as u64, spec.hidden as u64);
    let gh = spec.kind.gates() as u64 * h;
    let gru = spec.kind == OpKind::Gru;
    let split_r = gru && !spec.linear_before_reset;
    Plan {
        results: output_lens(spec, dims).iter().fold(0u64, |a, &l| a.saturating_add(l)),
        proj: t.saturating_mul(b).saturating_mul(gh),
        gates: b.saturating_mul(gh),
        rec: if gru { b.saturating_mul(gh) } else { 0 },
        reset_hidden: if split_r { b.saturating_mul(h) } else { 0 },
        // h, h_new, c, c_new
        states: 4u64.saturating_mul(b).saturating_mul(h),
        bias: gh.saturating_add(h),
        // (k, n) of R's packed operands: Rᵀ whole, or its z,r and h blocks apart.
        packed_r: if split_r { [(h, 2 * h), (h, h)] } else { [(h, gh), (0, 0)] },
        packed_w: (i, gh),
    }
}

/// Bytes one call allocates, itemized (the inputs are the caller's, already in memory).
pub fn recurrent_need(spec: &RecurrentSpec, dims: &RecurrentDims) -> MemoryNeed {
    let p = plan(spec, dims);
    let f = |n: u64| n.saturating_mul(4);
    let packed = p.packed_r.iter().fold(0u64, |a, &(k, n)| a.saturating_add(aligned_bytes(PackedB::packed_len(k, n))));
    MemoryNeed {
        inputs: 0,
        packed_weights: packed,
        activations: f(p.states),
        scratch: f(p.proj.saturating_add(p.gates).saturating_add(p.rec).saturating_add(p.reset_hidden).saturating_add(p.bias)).saturating_add(gemm_scratch_bytes(p.packed_w.0, p.packed_w.1)),
        results: f(p.results),
    }
}

/// Every buffer of one call, allocated up front.
struct Buffers {
    out: Vec<f32>,
    proj: Vec<f32>,
    gates: Vec<f32>,
    rec: Vec<f32>,
    reset_hidden: Vec<f32>,
    states: Vec<f32>,
    bias: Vec<f32>,
    packed_r: [PackedB; 2],
    gemm: GemmScratch,
}

impl Buffers {
    fn allocate(p: &Plan) -> Option<Self> {
        let mut packed_r = [PackedB::default(), PackedB::default()];
        for (buf, &(k, n)) in packed_r.iter_mut().zip(&p.packed_r) {
            reserve_aligned(buf.storage_mut(), PackedB::packed_len(k, n))?;
        }
        let gemm = gemm_scratch(p.packed_w.0, p.packed_w.1)?;
        Some(Self {
            out: zeroed(p.results)?,
            proj: zeroed(p.proj)?,
            gates: zeroed(p.gates)?,
            rec: zeroed(p.rec)?,
            reset_hidden: zeroed(p.reset_hidden)?,
            states: zeroed(p.states)?,
            bias: zeroed(p.bias)?,
            packed_r,
            gemm,
        })
    }
}

/// Runs the node; returns Y, Y_h and (LSTM) Y_c concatenated, each in the node's layout
/// (lengths from [`output_lens`]).
pub fn run_recurrent(spec: &RecurrentSpec, dims: &RecurrentDims, inputs: &RecurrentInputs) -> Result<Vec<f32>, Error> {
    inputs.validate(spec, dims)?;
    let need = recurrent_need(spec, dims);
    check_budget(&need)?;
    let mut bufs = Buffers::allocate(&plan(spec, dims)).ok_or_else(|| no_room(&need))?;
    for d in 0..spec.direction.count() {
        run_direction(spec, dims, inputs, d, &mut bufs);
    }
    Ok(bufs.out)
}

/// Where the rows of one (time, batch) position live in the node's layout.
struct Layout {
    seq: usize,
    batch: usize,
    dirs: usize,
    batch_first: bool,
}

impl Layout {
    /// Row of X (and of the projection) at time t, batch row b.
    fn x_row(&self, t: usize, b: usize) -> usize {
        if self.batch_first {
            b * self.seq + t
        } else {
            t * self.batch + b
        }
    }
    /// H-wide row of Y at (t, d, b): (T, D, B, H), or (B, T, D, H) batch first.
    fn y_row(&self, t: usize, d: usize, b: usize) -> usize {
        if self.batch_first {
            (b * self.seq + t) * self.dirs + d
        } else {
            (t * self.dirs + d) * self.batch + b
        }
    }
    /// H-wide row of the states and initial states at (d, b): (D, B, H), or (B, D, H).
    fn state_row(&self, d: usize, b: usize) -> usize {
        if self.batch_first {
            b * self.dirs + d
        } else {
            d * self.batch + b
        }
    }
}

fn run_direction(spec: &RecurrentSpec, dims: &RecurrentDims, inputs: &RecurrentInputs, d: usize, bufs: &mut Buffers) {
    let RecurrentDims { seq, batch, input } = *dims;
    let (h, kind) = (spec.hidden, spec.kind);
    let gh = kind.gates() * h;
    let lay = Layout { seq, batch, dirs: spec.direction.count(), batch_first: spec.batch_first };
    let reversed = spec.direction.reversed(d);
    let acts = spec.activations_of(d);
    let lbr = kind == OpKind::Gru && spec.linear_before_reset;
    let split_r = kind == OpKind::Gru && !lbr;
    let Buffers { out, proj, gates, rec, reset_hidden, states, bias, packed_r, gemm: scratch } = bufs;

    // Biases outside every product: Wb + Rb, except Rb_h under linear_before_reset (r scales it).
    let (bias_x, rb_h) = bias.split_at_mut(gh);
    bias_x.fill(0.0);
    if let Some(b) = inputs.b {
        let (wb, rb) = b[d * 2 * gh..][..2 * gh].split_at(gh);
        for j in 0..gh {
            bias_x[j] = wb[j] + if lbr && j >= 2 * h { 0.0 } else { rb[j] };
        }
        if lbr {
            rb_h.copy_from_slice(&rb[2 * h..]);
        }
    } else {
        rb_h.fill(0.0);
    }

    // (T·B, G·H) = X·Wᵀ + bias, rows in X's order.
    let w = &inputs.w[d * gh * input..][..gh * input];
    let rows = seq * batch;
    gemm(MatMut::new(proj, rows, gh), MatRef::new(inputs.x, rows, input), Rhs::View(MatRef::new(w, gh, input).t()), false, scratch);
    for row in proj.chunks_exact_mut(gh) {
        for (v, b) in row.iter_mut().zip(bias_x.iter()) {
            *v += b;
        }
    }

    let r = &inputs.r[d * gh * h..][..gh * h];
    if split_r {
        packed_r[0].pack_from(MatRef::new(r, 2 * h, h).t());
        packed_r[1].pack_from(MatRef::new(&r[2 * h * h..], h, h).t());
    } else {
        packed_r[0].pack_from(MatRef::new(r, gh, h).t());
    }

    let bh = batch * h;
    let (h_cur, rest) = states.split_at_mut(bh);
    let (h_new, rest) = rest.split_at_mut(bh);
    let (c_cur, c_new) = rest.split_at_mut(bh);
    for b in 0..batch {
        let row = lay.state_row(d, b) * h;
        let dst = b * h..(b + 1) * h;
        match inputs.initial_h {
            Some(h0) => h_cur[dst.clone()].copy_from_slice(&h0[row..row + h]),
            None => h_cur[dst.clone()].fill(0.0),
        }
        match inputs.initial_c {
            Some(c0) => c_cur[dst].copy_from_slice(&c0[row..row + h]),
            None => c_cur[dst].fill(0.0),
        }
    }
    let len_of = |b: usize| inputs.sequence_lens.map_or(seq, |l| l[b] as usize);
    let peephole = inputs.p.map(|p| &p[d * 3 * h..][..3 * h]);
    let (y, states_out) = out.split_at_mut(seq * lay.dirs * bh);
    let (y_h, y_c) = states_out.split_at_mut(lay.dirs * bh);

    for step in 0..seq {
        // Gather this step's projected rows; rows past their sequence compute on zeros and are
        // discarded below.
        for b in 0..batch {
            let dst = &mut gates[b * gh..][..gh];
            let len = len_of(b);
            if step < len {
                let t = if reversed { len - 1 - step } else { step };
                dst.copy_from_slice(&proj[lay.x_row(t, b) * gh..][..gh]);
            } else {
                dst.fill(0.0);
            }
        }
        let h_prev = MatRef::new(h_cur, batch, h);
        match kind {
            OpKind::Rnn => {
                gemm(MatMut::new(gates, batch, gh), h_prev, Rhs::Packed(&packed_r[0]), true, scratch);
                acts[0].apply(gates, spec.clip);
                h_new.copy_from_slice(gates);
            }
            OpKind::Lstm => {
                gemm(MatMut::new(gates, batch, gh), h_prev, Rhs::Packed(&packed_r[0]), true, scratch);
                lstm_step(h_new, c_new, gates, c_cur, peephole, acts, spec.clip, spec.input_forget, h);
            }
            OpKind::Gru if lbr => {
                gemm(MatMut::new(rec, batch, gh), h_prev, Rhs::Packed(&packed_r[0]), false, scratch);
                gru_update_reset(gates, rec, gh, acts[0], spec.clip, h);
                gru_candidate(h_new, gates, &rec[2 * h..], gh, Some(rb_h), h_cur, acts[1], spec.clip, h);
            }
            OpKind::Gru => {
                gemm(MatMut::strided(rec, batch, 2 * h, gh), h_prev, Rhs::Packed(&packed_r[0]), false, scratch);
                gru_update_reset(gates, rec, gh, acts[0], spec.clip, h);
                gru_reset_hidden(reset_hidden, gates, h_cur, h);
                gemm(MatMut::strided(&mut rec[2 * h..], batch, h, gh), MatRef::new(reset_hidden, batch, h), Rhs::Packed(&packed_r[1]), false, scratch);
                gru_candidate(h_new, gates, &rec[2 * h..], gh, None, h_cur, acts[1], spec.clip, h);
            }
        }
        for b in 0..batch {
            let len = len_of(b);
            if step >= len {
                continue;
            }
            let t = if reversed { len - 1 - step } else { step };
            let src = b * h..(b + 1) * h;
            y[lay.y_row(t, d, b) * h..][..h].copy_from_slice(&h_new[src.clone()]);
            h_cur[src.clone()].copy_from_slice(&h_new[src.clone()]);
            if kind == OpKind::Lstm {
                c_cur[src.clone()].copy_from_slice(&c_new[src]);
            }
        }
    }
    for b in 0..batch {
        if len_of(b) == 0 {
            continue; // stays zero
        }
        let row = lay.state_row(d, b) * h;
        y_h[row..row + h].copy_from_slice(&h_cur[b * h..][..h]);
        if kind == OpKind::Lstm {
            y_c[row..row + h].copy_from_slice(&c_cur[b * h..][..h]);
        }
    }
}
