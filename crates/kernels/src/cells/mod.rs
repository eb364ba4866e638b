//! One direction of one recurrent layer over a whole sequence: forward and BPTT backward pairs.
//!
//! Shapes are tagged `(T, B, ·)`: time-major rows, `T·B` of them. Every cell follows one plan:
//! the input projection of all T steps is a single GEMM before the loop; each step adds the
//! recurrent GEMM into that step's gate rows and then runs one fused elementwise pass; weight
//! gradients are single GEMMs after the backward loop. The forward pass in training mode keeps
//! exactly what backward needs ([`DirCache`]); in inference it keeps nothing beyond scratch.

pub mod elman;
pub mod gru;
pub mod lstm;

use crate::gemm::{gemm, GemmScratch, MatMut, MatRef, PackedB, Rhs};

/// Sizes of one layer-direction. `out` is the size of h (the projection size for a projected LSTM).
#[derive(Clone, Copy, Debug)]
pub struct Dims<'a> {
    pub seq: usize,
    pub batch: usize,
    pub input: usize,
    pub hidden: usize,
    pub out: usize,
    pub reverse: bool,
    /// Each sequence's length (PyTorch's packed sequences): at steps past its length a row's
    /// state is left untouched, its output is zero and no gradient flows through the step.
    pub lengths: Option<&'a [usize]>,
}

impl Dims<'_> {
    /// Whether any row is past its sequence's end at time t.
    #[inline]
    pub fn padded_at(&self, t: usize) -> bool {
        self.lengths.is_some_and(|l| l.iter().any(|&n| t >= n))
    }
    fn padded_rows(&self, t: usize) -> impl Iterator<Item = usize> + '_ {
        self.lengths.into_iter().flat_map(move |l| l.iter().enumerate().filter(move |(_, &n)| t >= n).map(|(b, _)| b))
    }
    /// keep (B, W) = the rows of `state` that are padded at t.
    pub fn keep_padded(&self, t: usize, state: &[f32], width: usize, keep: &mut [f32]) {
        for b in self.padded_rows(t) {
            keep[b * width..][..width].copy_from_slice(&state[b * width..][..width]);
        }
    }
    /// The rows of `state` padded at t = those of `keep`: the step leaves them as they were.
    pub fn restore_padded(&self, t: usize, state: &mut [f32], width: usize, keep: &[f32]) {
        for b in self.padded_rows(t) {
            state[b * width..][..width].copy_from_slice(&keep[b * width..][..width]);
        }
    }
    /// The rows of `rows` (B, W) padded at t = 0.
    pub fn zero_padded(&self, t: usize, rows: &mut [f32], width: usize) {
        for b in self.padded_rows(t) {
            rows[b * width..][..width].fill(0.0);
        }
    }

    /// The time index processed at step `s` (the reverse direction walks the sequence backwards).
    #[inline(always)]
    pub fn time_at(&self, s: usize) -> usize {
        if self.reverse {
            self.seq - 1 - s
        } else {
            s
        }
    }
}

/// Packed weights and biases of one layer-direction, in both orientations
/// (`_t`: transposed, for the forward pass; plain: for the backward pass).
pub struct DirWeights<'a> {
    pub w_ih_t: &'a PackedB,         // (I, G·H)
    pub w_hh_t: &'a PackedB,         // (O, G·H)
    pub w_ih: &'a PackedB,           // (G·H, I)
    pub w_hh: &'a PackedB,           // (G·H, O)
    pub w_hr_t: Option<&'a PackedB>, // (H, P) LSTM projection
    pub w_hr: Option<&'a PackedB>,   // (P, H)
    pub b_ih: Option<&'a [f32]>,     // (G·H)
    pub b_hh: Option<&'a [f32]>,     // (G·H)
    /// A GRU resetting before the product: its W_hn apart, (H, O) and transposed; w_hh and
    /// w_hh_t then hold the r and z blocks only, (2H, O).
    pub w_hn_t: Option<&'a PackedB>, // (O, H)
    pub w_hn: Option<&'a PackedB>,   // (H, O)
}

/// Gradient destinations of one layer-direction (overwritten, not accumulated).
pub struct DirGrads<'a> {
    pub d_w_ih: &'a mut [f32],         // (G·H, I)
    pub d_w_hh: &'a mut [f32],         // (G·H, O)
    pub d_b_ih: Option<&'a mut [f32]>, // (G·H)
    pub d_b_hh: Option<&'a mut [f32]>, // (G·H)
    pub d_w_hr: Option<&'a mut [f32]>, // (P, H)
}

/// What a training forward keeps for backward, per layer-direction. Buffers are reused across calls.
#[derive(Default)]
pub struct DirCache {
    /// (T, B, G·H) gate activations; backward overwrites them with the pre-activation gradients.
    pub gates: Vec<f32>,
    /// (T, B, O) hidden state entering each step.
    pub h_prev: Vec<f32>,
    /// (T, B, H) LSTM cell state entering each step.
    pub c_prev: Vec<f32>,
    /// (T, B, H) LSTM tanh(c_t).
    pub tanh_c: Vec<f32>,
    /// (T, B, H) LSTM o ⊙ tanh(c) before the projection.
    pub h_raw: Vec<f32>,
    /// (T, B, H) GRU W_hn·h + b_hn (the term the reset gate scales).
    pub hn_lin: Vec<f32>,
    /// (T, B, 3H) GRU gradients of the hidden-side gate pre-activations.
    pub d_hidden_gates: Vec<f32>,
    /// (T, B, P) LSTM gradient reaching the projected h, for dW_hr.
    pub d_h: Vec<f32>,
}

/// Per-call scratch shared by all layer-directions (sized on demand, never shrunk).
#[derive(Default)]
pub struct Scratch {
    /// Gate buffer of an inference forward (training keeps its gates in the cache).
    pub gates: Vec<f32>,
    pub h: Vec<f32>,
    pub c: Vec<f32>,
    pub h_raw: Vec<f32>,
    pub hidden_gates: Vec<f32>,
    pub dh: Vec<f32>,
    pub dh_next: Vec<f32>,
    pub dc_next: Vec<f32>,
    pub dh_raw: Vec<f32>,
    /// Padded rows' states (or state gradients) kept across a step: (B, O) and (B, H).
    pub keep_h: Vec<f32>,
    pub keep_c: Vec<f32>,
    pub gemm: GemmScratch,
}

/// A column block of a (T, B, W) sequence: this direction's slice of a layer's output
/// (or of its gradient). Row `t·B + b` starts at `(t·B + b)·row_stride + col_offset`.
pub struct SeqBlock<D> {
    pub data: D,
    pub row_stride: usize,
    pub col_offset: usize,
    pub width: usize,
}

impl SeqBlock<&mut [f32]> {
    /// Zeroes the rows of time t that are padded (packed sequences: their output is zero).
    pub fn zero_padded(&mut self, t: usize, dims: &Dims) {
        for b in dims.padded_rows(t) {
            let row = (t * dims.batch + b) * self.row_stride + self.col_offset;
            self.data[row..row + self.width].fill(0.0);
        }
    }

    /// Writes the (B, width) rows of time t from `src`.
    pub fn write_step(&mut self, t: usize, batch: usize, src: &[f32]) {
        for b in 0..batch {
            let row = (t * batch + b) * self.row_stride + self.col_offset;
            self.data[row..row + self.width].copy_from_slice(&src[b * self.width..][..self.width]);
        }
    }
}

impl SeqBlock<&[f32]> {
    /// dst (B, width) = rows of time t + `add`.
    pub fn read_step_plus(&self, t: usize, batch: usize, add: &[f32], dst: &mut [f32]) {
        for b in 0..batch {
            let row = (t * batch + b) * self.row_stride + self.col_offset;
            let src = &self.data[row..row + self.width];
            let (dst, add) = (&mut dst[b * self.width..][..self.width], &add[b * self.width..][..self.width]);
            for ((d, s), a) in dst.iter_mut().zip(src).zip(add) {
                *d = s + a;
            }
        }
    }
}

/// Resizes `v` to `n` elements without shrinking its capacity (contents unspecified).
pub fn ensure_len(v: &mut Vec<f32>, n: usize) {
    if v.len() != n {
        v.resize(n, 0.0);
    }
}

/// Sets every row of `rows` (n_rows, width) to `a (+ b)`, or to zero without biases.
pub fn fill_rows_with_bias(rows: &mut [f32], width: usize, a: Option<&[f32]>, b: Option<&[f32]>) {
    for row in rows.chunks_exact_mut(width) {
        match (a, b) {
            (Some(a), Some(b)) => row.iter_mut().zip(a.iter().zip(b)).for_each(|(r, (x, y))| *r = x + y),
            (Some(a), None) | (None, Some(a)) => row.copy_from_slice(&a[..width]),
            (None, None) => row.fill(0.0),
        }
    }
}

/// xproj (T·B, G·H) = x (T·B, I) · W_ihᵀ + bias rows: the input projection of every step at once.
pub fn project_inputs(xproj: &mut [f32], x: MatRef, w_ih_t: &PackedB, bias_a: Option<&[f32]>, bias_b: Option<&[f32]>, gemm_scratch: &mut GemmScratch) {
    let width = w_ih_t.n();
    let has_bias = bias_a.is_some() || bias_b.is_some();
    if has_bias {
        fill_rows_with_bias(xproj, width, bias_a, bias_b);
    }
    gemm(MatMut::new(xproj, x.rows, width), x, Rhs::Packed(w_ih_t), has_bias, gemm_scratch);
}

/// dst (cols) = Σ over rows of m (rows, cols).
pub fn column_sums(dst: &mut [f32], m: &[f32], cols: usize) {
    dst.fill(0.0);
    for row in m.chunks_exact(cols) {
        dst.iter_mut().zip(row).for_each(|(d, v)| *d += v);
    }
}

/// The weight and input gradients shared by every cell, as GEMMs over all T steps at once:
/// dW_ih = dGxᵀ·X, dW_hh = dGhᵀ·H_prev, db_ih = Σ dGx, db_hh = Σ dGh, dX += dGx·W_ih.
/// `last_block_input` (T·B, O): what the last gate block of W_hh multiplies when it is not
/// h_prev (a GRU resetting before the product: r ⊙ h_prev), for that block's rows of dW_hh.
#[allow(clippy::too_many_arguments)]
pub fn input_and_weight_grads(
    dx: &mut [f32], // (T·B, I) accumulated (both directions add into it)
    grads: &mut DirGrads,
    d_input_gates: &[f32],  // (T·B, G·H) dGx
    d_hidden_gates: &[f32], // (T·B, G·H) dGh
    x: MatRef,              // (T·B, I)
    h_prev: &[f32],         // (T·B, O)
    last_block_input: Option<&[f32]>,
    w: &DirWeights,
    dims: &Dims,
    gemm_scratch: &mut GemmScratch,
) {
    let rows = dims.seq * dims.batch;
    let gh = w.w_ih.k();
    let dgx = MatRef::new(d_input_gates, rows, gh);
    gemm(MatMut::new(grads.d_w_ih, gh, dims.input), dgx.t(), Rhs::View(x), false, gemm_scratch);
    let h_prev = MatRef::new(h_prev, rows, dims.out);
    match last_block_input {
        None => gemm(MatMut::new(grads.d_w_hh, gh, dims.out), MatRef::new(d_hidden_gates, rows, gh).t(), Rhs::View(h_prev), false, gemm_scratch),
        Some(last_input) => {
            let split = gh - dims.hidden;
            let (d_w_front, d_w_last) = grads.d_w_hh.split_at_mut(split * dims.out);
            let d_front = MatRef::strided(d_hidden_gates, rows, split, gh);
            let d_last = MatRef::strided(&d_hidden_gates[split..], rows, dims.hidden, gh);
            gemm(MatMut::new(d_w_front, split, dims.out), d_front.t(), Rhs::View(h_prev), false, gemm_scratch);
            gemm(MatMut::new(d_w_last, dims.hidden, dims.out), d_last.t(), Rhs::View(MatRef::new(last_input, rows, dims.out)), false, gemm_scratch);
        }
    }
    if let Some(d_b_ih) = grads.d_b_ih.as_deref_mut() {
        column_sums(d_b_ih, d_input_gates, gh);
    }
    if let Some(d_b_hh) = grads.d_b_hh.as_deref_mut() {
        column_sums(d_b_hh, d_hidden_gates, gh);
    }
    gemm(MatMut::new(dx, rows, dims.input), dgx, Rhs::Packed(w.w_ih), true, gemm_scratch);
}

/// Moves the gate buffer out (the cache's when training, the scratch's otherwise), sized `n`.
pub fn take_gates(cache: &mut Option<&mut DirCache>, s: &mut Scratch, n: usize) -> Vec<f32> {
    let mut v = match cache.as_deref_mut() {
        Some(c) => std::mem::take(&mut c.gates),
        None => std::mem::take(&mut s.gates),
    };
    ensure_len(&mut v, n);
    v
}

/// Puts back the buffer taken by [`take_gates`].
pub fn return_gates(cache: Option<&mut DirCache>, s: &mut Scratch, v: Vec<f32>) {
    match cache {
        Some(c) => c.gates = v,
        None => s.gates = v,
    }
}
