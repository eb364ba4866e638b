//! A stack of recurrent layers (optionally bidirectional) over the cell kernels, with the
//! parameter arena, packed weights, saved activations and reusable scratch.
//!
//! Layer l's input is layer l−1's output (T, B, D·O) with both directions side by side, as in
//! PyTorch. The state tensors h0/hN are (L·D, B, O) and c0/cN (L·D, B, H), index l·D + d.

pub mod config;
pub mod params;
mod plan;

use crate::cells::elman::{elman_backward, elman_forward};
use crate::cells::gru::{gru_backward, gru_forward};
use crate::cells::lstm::{lstm_backward, lstm_forward};
use crate::cells::{ensure_len, Dims, DirCache, DirGrads, DirWeights, Scratch, SeqBlock};
use crate::error::Error;
use crate::gemm::{MatRef, PackedB};
use crate::memory::{check_budget, MemoryNeed};
use crate::rng::Rng;
use config::{CellKind, Config};
use params::{param_specs, param_specs_len, ParamKind, ParamSpec};
use std::mem::{size_of, take};
use std::ops::Range;

/// The weights of one layer-direction packed for the GEMM, both orientations.
#[derive(Default)]
struct PackedDir {
    w_ih_t: PackedB,
    w_ih: PackedB,
    w_hh_t: PackedB,
    w_hh: PackedB,
    w_hr_t: PackedB,
    w_hr: PackedB,
    /// A GRU resetting before the product packs its candidate block W_hn apart (it multiplies
    /// r ⊙ h, not h); w_hh/w_hh_t then hold the r and z blocks only.
    w_hn_t: PackedB,
    w_hn: PackedB,
}

/// What the last training forward saved, until backward consumes it.
#[derive(Clone, Copy)]
struct Saved {
    seq: usize,
    batch: usize,
    batch_first: bool,
}

pub struct Network {
    cfg: Config,
    specs: Vec<ParamSpec>,
    /// Spec indices of each layer-direction (index l·D + d).
    dir_specs: Vec<Range<usize>>,
    params: Vec<f32>,
    grads: Vec<f32>,
    packed: Vec<PackedDir>,
    stale: Vec<bool>,
    caches: Vec<DirCache>,
    /// Training: every layer's output (T·B, D·O), the next layer's input and kept for its dW_ih.
    layer_out: Vec<Vec<f32>>,
    /// Inference: two layer outputs used in turn.
    infer_out: [Vec<f32>; 2],
    /// The time-major input: [inference, training] (training's is kept for backward's dW_ih).
    input_tm: [Vec<f32>; 2],
    output: Vec<f32>,
    h_n: Vec<f32>,
    c_n: Vec<f32>,
    d_seq: [Vec<f32>; 2],
    d_input: Vec<f32>,
    d_h0: Vec<f32>,
    d_c0: Vec<f32>,
    zeros: Vec<f32>,
    scratch: Scratch,
    saved: Option<Saved>,
    /// Each sequence's length for the next forward and its backward (empty: all full length).
    lengths: Vec<usize>,
    /// The shapes of the last forward's and the last backward's results.
    last_forward: Option<Saved>,
    last_backward: Option<Saved>,
    has_grads: bool,
}

impl Network {
    /// Bytes building a network of `cfg` allocates: the parameter and gradient arenas plus the
    /// per-direction bookkeeping, bounded from above (the spec list grows by doubling, names are
    /// at most 32 bytes, and each direction builds a short list of its kinds).
    pub fn construction_need(cfg: &Config) -> MemoryNeed {
        let params: u64 = param_specs_len(cfg);
        let dirs = (cfg.num_layers * cfg.dirs()) as u64;
        let specs = dirs * 5;
        let per_dir = (size_of::<PackedDir>() + size_of::<DirCache>() + size_of::<Range<usize>>() + size_of::<bool>()) as u64;
        let per_spec = (2 * size_of::<ParamSpec>() + 32 + 2 * size_of::<usize>()) as u64;
        let per_dir = per_dir + 5 * 64;
        let layers = cfg.num_layers as u64 * size_of::<Vec<f32>>() as u64;
        MemoryNeed { activations: 8 * params + dirs * per_dir + specs * per_spec + layers, ..MemoryNeed::default() }
    }

    /// Builds the network with PyTorch's default initialization, U(−1/√H, 1/√H), seeded.
    pub fn new(cfg: Config, seed: u64) -> Result<Self, Error> {
        cfg.validate()?;
        check_budget(&Self::construction_need(&cfg))?;
        let specs = param_specs(&cfg);
        let total: usize = specs.iter().map(|s| s.len).sum();
        let bound = 1.0 / (cfg.hidden_size as f32).sqrt();
        let mut rng = Rng::new(seed);
        let mut params = Vec::new();
        let mut grads = Vec::new();
        let too_large = || Error::TooLarge { need: 8 * total as u64, in_use: crate::memory::bytes_in_use(), budget: crate::memory::INSTANCE_BUDGET_BYTES, detail: "the parameter and gradient arenas".into() };
        params.try_reserve_exact(total).map_err(|_| too_large())?;
        grads.try_reserve_exact(total).map_err(|_| too_large())?;
        params.extend((0..total).map(|_| rng.uniform(-bound, bound)));
        grads.resize(total, 0.0);
        let dirs = cfg.num_layers * cfg.dirs();
        // Specs come ordered by layer-direction: one pass finds each one's contiguous range.
        let mut dir_specs: Vec<Range<usize>> = Vec::with_capacity(dirs);
        for (i, spec) in specs.iter().enumerate() {
            let idx = spec.layer * cfg.dirs() + spec.dir;
            if idx == dir_specs.len() {
                dir_specs.push(i..i + 1);
            } else {
                dir_specs[idx].end = i + 1;
            }
        }
        Ok(Self {
            cfg,
            specs,
            dir_specs,
            grads,
            params,
            packed: (0..dirs).map(|_| PackedDir::default()).collect(),
            stale: vec![true; dirs],
            caches: (0..dirs).map(|_| DirCache::default()).collect(),
            layer_out: (0..cfg.num_layers).map(|_| Vec::new()).collect(),
            infer_out: Default::default(),
            input_tm: Default::default(),
            output: Vec::new(),
            h_n: Vec::new(),
            c_n: Vec::new(),
            d_seq: Default::default(),
            d_input: Vec::new(),
            d_h0: Vec::new(),
            d_c0: Vec::new(),
            zeros: Vec::new(),
            scratch: Scratch::default(),
            saved: None,
            lengths: Vec::new(),
            last_forward: None,
            last_backward: None,
            has_grads: false,
        })
    }

    /// A network whose parameters and gradients live elsewhere (a model's arena): it keeps
    /// specs, packed weights, caches and scratch, and its `*_with` methods take the arenas.
    pub fn new_detached(cfg: Config) -> Result<Self, Error> {
        cfg.validate()?;
        let mut net = Self::new(Config { ..cfg }, 0)?;
        net.params = Vec::new();
        net.grads = Vec::new();
        Ok(net)
    }

    /// Scalars of the parameter arena this network reads.
    pub fn param_len(&self) -> usize {
        self.specs.iter().map(|s| s.len).sum()
    }

    /// Packed-sequence lengths for the following forward (and the backward through it), one
    /// per batch row in 1..=seq; empty for full-length sequences. Checked at forward.
    pub fn set_lengths(&mut self, lengths: &[usize]) {
        self.lengths.clear();
        self.lengths.extend_from_slice(lengths);
        self.saved = None;
    }

    /// Marks every packed weight stale (after the arena changed).
    pub fn mark_stale(&mut self) {
        self.stale.iter_mut().for_each(|s| *s = true);
        self.saved = None;
    }

    /// Floats of (h, c) states for `batch` rows.
    pub fn state_lens(&self, batch: usize) -> (usize, usize) {
        (self.state_len(batch), if self.is_lstm() { self.cell_len(batch) } else { 0 })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }
    pub fn specs(&self) -> &[ParamSpec] {
        &self.specs
    }
    fn spec(&self, index: usize) -> Result<&ParamSpec, Error> {
        self.specs.get(index).ok_or(Error::UnknownParam(index))
    }
    pub fn param(&self, index: usize) -> Result<&[f32], Error> {
        let s = self.spec(index)?;
        Ok(&self.params[s.offset..s.offset + s.len])
    }
    /// The gradient from the last backward (zeros before any).
    pub fn grad(&self, index: usize) -> Result<&[f32], Error> {
        let s = self.spec(index)?;
        Ok(&self.grads[s.offset..s.offset + s.len])
    }
    pub fn has_grads(&self) -> bool {
        self.has_grads
    }
    /// Replaces one parameter; its layer-direction is repacked before the next use.
    pub fn set_param(&mut self, index: usize, data: &[f32]) -> Result<(), Error> {
        let s = self.spec(index)?;
        if data.len() != s.len {
            return Err(Error::Shape { what: s.name.clone(), expected: format!("{} elements {:?}", s.len, s.shape), actual: format!("{} elements", data.len()) });
        }
        let (offset, len, idx) = (s.offset, s.len, s.layer * self.cfg.dirs() + s.dir);
        self.params[offset..offset + len].copy_from_slice(data);
        self.stale[idx] = true;
        // Saved activations were computed with the old weights.
        self.saved = None;
        Ok(())
    }
    /// All parameters as one flat arena (PyTorch's order); for optimizers and serialization.
    pub fn params_flat(&self) -> &[f32] {
        &self.params
    }
    pub fn grads_flat(&self) -> &[f32] {
        &self.grads
    }

    pub fn output(&self) -> &[f32] {
        &self.output
    }
    pub fn h_n(&self) -> &[f32] {
        &self.h_n
    }
    pub fn c_n(&self) -> &[f32] {
        &self.c_n
    }
    pub fn d_input(&self) -> &[f32] {
        &self.d_input
    }
    pub fn d_h0(&self) -> &[f32] {
        &self.d_h0
    }
    pub fn d_c0(&self) -> &[f32] {
        &self.d_c0
    }
    /// Whether a backward() would succeed now.
    pub fn ready_for_backward(&self) -> bool {
        self.saved.is_some()
    }
    /// (seq, batch, batch_first) of the training forward the next backward consumes.
    pub fn pending_training(&self) -> Option<(usize, usize, bool)> {
        self.saved.map(|s| (s.seq, s.batch, s.batch_first))
    }

    /// Shapes of [`Self::output`], [`Self::h_n`] and (LSTM) [`Self::c_n`] after the last forward.
    pub fn forward_result_shapes(&self) -> Vec<Vec<usize>> {
        let Some(Saved { seq, batch, batch_first }) = self.last_forward else { return Vec::new() };
        let (c, states) = (&self.cfg, self.cfg.num_layers * self.cfg.dirs());
        let width = c.dirs() * c.out_size();
        let mut shapes = vec![if batch_first { vec![batch, seq, width] } else { vec![seq, batch, width] }, vec![states, batch, c.out_size()]];
        if self.is_lstm() {
            shapes.push(vec![states, batch, c.hidden_size]);
        }
        shapes
    }

    /// Shapes of [`Self::d_input`], [`Self::d_h0`], (LSTM) [`Self::d_c0`], then every
    /// parameter's gradient, after the last backward.
    pub fn backward_result_shapes(&self) -> Vec<Vec<usize>> {
        let Some(Saved { seq, batch, batch_first }) = self.last_backward else { return Vec::new() };
        let (c, states) = (&self.cfg, self.cfg.num_layers * self.cfg.dirs());
        let mut shapes = vec![if batch_first { vec![batch, seq, c.input_size] } else { vec![seq, batch, c.input_size] }, vec![states, batch, c.out_size()]];
        if self.is_lstm() {
            shapes.push(vec![states, batch, c.hidden_size]);
        }
        shapes.extend(self.specs.iter().map(|s| s.shape.clone()));
        shapes
    }

    fn state_len(&self, batch: usize) -> usize {
        self.cfg.num_layers * self.cfg.dirs() * batch * self.cfg.out_size()
    }
    fn cell_len(&self, batch: usize) -> usize {
        self.cfg.num_layers * self.cfg.dirs() * batch * self.cfg.hidden_size
    }
    fn is_lstm(&self) -> bool {
        self.cfg.cell == CellKind::Lstm
    }

    /// `shape` formats the expected shape, only when the check fails (no formatting per call).
    fn check_len(what: &str, got: usize, want: usize, shape: impl FnOnce() -> String) -> Result<(), Error> {
        if got != want {
            return Err(Error::Shape { what: what.into(), expected: format!("{want} elements {}", shape()), actual: format!("{got} elements") });
        }
        Ok(())
    }

    /// Zeros standing in for absent states or state gradients, (B, max(H, O)).
    fn zero_states(&mut self, batch: usize) {
        self.zeros.clear();
        self.zeros.resize(batch * self.cfg.hidden_size.max(self.cfg.out_size()), 0.0);
    }

    fn repack_stale(&mut self, params: &[f32]) {
        for idx in 0..self.packed.len() {
            if !self.stale[idx] {
                continue;
            }
            let p = &mut self.packed[idx];
            for spec in &self.specs[self.dir_specs[idx].clone()] {
                let m = MatRef::new(&params[spec.offset..spec.offset + spec.len], spec.shape[0], *spec.shape.get(1).unwrap_or(&1));
                match spec.kind {
                    ParamKind::WeightIh => {
                        p.w_ih.pack_from(m);
                        p.w_ih_t.pack_from(m.t());
                    }
                    ParamKind::WeightHh if self.cfg.cell.resets_before() => {
                        let (rz, n) = split_candidate_rows(m, self.cfg.hidden_size);
                        p.w_hh.pack_from(rz);
                        p.w_hh_t.pack_from(rz.t());
                        p.w_hn.pack_from(n);
                        p.w_hn_t.pack_from(n.t());
                    }
                    ParamKind::WeightHh => {
                        p.w_hh.pack_from(m);
                        p.w_hh_t.pack_from(m.t());
                    }
                    ParamKind::WeightHr => {
                        p.w_hr.pack_from(m);
                        p.w_hr_t.pack_from(m.t());
                    }
                    ParamKind::BiasIh | ParamKind::BiasHh => {}
                }
            }
            self.stale[idx] = false;
        }
    }

    /// Runs the whole sequence. `x` is (T, B, I), or (B, T, I) with `batch_first`; h0 (L·D, B, O),
    /// c0 (L·D, B, H) for LSTM, zeros when absent. With `training`, saves what backward needs.
    #[allow(clippy::too_many_arguments)]
    pub fn forward(&mut self, x: &[f32], seq: usize, batch: usize, batch_first: bool, h0: Option<&[f32]>, c0: Option<&[f32]>, training: bool) -> Result<(), Error> {
        let params = take(&mut self.params);
        let result = self.forward_with(&params, x, seq, batch, batch_first, h0, c0, training);
        self.params = params;
        result
    }

    /// [`Self::forward`] with the parameters given (PyTorch's order, `param_len()` of them).
    pub fn forward_with(&mut self, params: &[f32], x: &[f32], seq: usize, batch: usize, batch_first: bool, h0: Option<&[f32]>, c0: Option<&[f32]>, training: bool) -> Result<(), Error> {
        let cfg = self.cfg;
        if params.len() != self.param_len() {
            return Err(Error::Shape { what: "parameters".into(), expected: format!("{} elements", self.param_len()), actual: format!("{} elements", params.len()) });
        }
        if seq == 0 || batch == 0 {
            return Err(Error::Argument(format!("sequence length and batch size must be at least 1, got seq={seq} batch={batch}")));
        }
        let x_shape = || if batch_first { format!("[{batch}, {seq}, {}]", cfg.input_size) } else { format!("[{seq}, {batch}, {}]", cfg.input_size) };
        let elements = seq as u64 * batch as u64 * cfg.input_size as u64;
        if x.len() as u64 != elements {
            return Err(Error::Shape { what: "input".into(), expected: format!("{elements} elements {}", x_shape()), actual: format!("{} elements", x.len()) });
        }
        let (ld, o, h) = (cfg.num_layers * cfg.dirs(), cfg.out_size(), cfg.hidden_size);
        if let Some(h0) = h0 {
            Self::check_len("h0", h0.len(), self.state_len(batch), || format!("[{ld}, {batch}, {o}]"))?;
        }
        match (c0, self.is_lstm()) {
            (Some(c0), true) => Self::check_len("c0", c0.len(), self.cell_len(batch), || format!("[{ld}, {batch}, {h}]"))?,
            (Some(_), false) => return Err(Error::Argument("c0 is only accepted by LSTM".into())),
            _ => {}
        }
        if !self.lengths.is_empty() {
            if self.lengths.len() != batch {
                return Err(Error::Shape { what: "lengths".into(), expected: format!("{batch} elements (one per sequence)"), actual: format!("{} elements", self.lengths.len()) });
            }
            if let Some((b, &n)) = self.lengths.iter().enumerate().find(|(_, &n)| n == 0 || n > seq) {
                return Err(Error::Argument(format!("lengths: sequence {b} has length {n}, outside 1..={seq}")));
            }
        }
        self.reserve_forward(seq, batch, training)?;
        if training {
            self.saved = None;
        }
        self.repack_stale(params);
        let input_tm = &mut self.input_tm[training as usize];
        to_time_major(input_tm, x, seq, batch, cfg.input_size, batch_first);
        // Padded steps' inputs never matter; zeroed, a NaN there cannot reach dW_ih as 0·NaN.
        for (b, &n) in self.lengths.iter().enumerate() {
            for t in n..seq {
                input_tm[(t * batch + b) * cfg.input_size..][..cfg.input_size].fill(0.0);
            }
        }
        self.h_n.resize(self.state_len(batch), 0.0);
        self.c_n.resize(if self.is_lstm() { self.cell_len(batch) } else { 0 }, 0.0);
        self.zero_states(batch);
        let (dirs, width) = (cfg.dirs(), cfg.dirs() * o);
        for l in 0..cfg.num_layers {
            let mut out = if training { take(&mut self.layer_out[l]) } else { take(&mut self.infer_out[l % 2]) };
            ensure_len(&mut out, seq * batch * width);
            let input: &[f32] = match (l, training) {
                (0, _) => &self.input_tm[training as usize],
                (_, true) => &self.layer_out[l - 1],
                (_, false) => &self.infer_out[(l - 1) % 2],
            };
            let x_l = MatRef::new(input, seq * batch, cfg.layer_input(l));
            for d in 0..dirs {
                let idx = l * dirs + d;
                let lengths = (!self.lengths.is_empty()).then_some(&self.lengths[..]);
                let dims = Dims { seq, batch, input: cfg.layer_input(l), hidden: h, out: o, reverse: d == 1, lengths };
                let w = dir_weights(&cfg, &self.specs[self.dir_specs[idx].clone()], params, &self.packed[idx]);
                let mut y = SeqBlock { data: &mut out[..], row_stride: width, col_offset: d * o, width: o };
                let h0_d = h0.map_or(&self.zeros[..batch * o], |s| &s[idx * batch * o..][..batch * o]);
                let h_n = &mut self.h_n[idx * batch * o..][..batch * o];
                let cache = if training { Some(&mut self.caches[idx]) } else { None };
                let s = &mut self.scratch;
                match cfg.cell {
                    CellKind::Lstm => {
                        let c0_d = c0.map_or(&self.zeros[..batch * h], |s| &s[idx * batch * h..][..batch * h]);
                        let c_n = &mut self.c_n[idx * batch * h..][..batch * h];
                        lstm_forward(&mut y, h_n, c_n, cache, x_l, h0_d, c0_d, &w, &dims, s)
                    }
                    CellKind::Gru { .. } => gru_forward(&mut y, h_n, cache, x_l, h0_d, &w, &dims, s),
                    CellKind::Rnn(act) => elman_forward(&mut y, h_n, cache, x_l, h0_d, act, &w, &dims, s),
                }
            }
            if training {
                self.layer_out[l] = out;
            } else {
                self.infer_out[l % 2] = out;
            }
        }
        let last = if training { &self.layer_out[cfg.num_layers - 1] } else { &self.infer_out[(cfg.num_layers - 1) % 2] };
        from_time_major(&mut self.output, last, seq, batch, width, batch_first);
        self.last_forward = Some(Saved { seq, batch, batch_first });
        if training {
            self.saved = self.last_forward;
        }
        Ok(())
    }

    /// Backpropagates through the last training forward from upstream gradients on the output
    /// (forward's layout), hN and cN (zeros when absent). Fills the input, initial-state and
    /// parameter gradients. Consumes the saved activations.
    pub fn backward(&mut self, d_output: Option<&[f32]>, d_h_n: Option<&[f32]>, d_c_n: Option<&[f32]>) -> Result<(), Error> {
        let params = take(&mut self.params);
        let mut grads = take(&mut self.grads);
        let result = self.backward_with(&params, &mut grads, d_output, d_h_n, d_c_n);
        self.params = params;
        self.grads = grads;
        result
    }

    /// [`Self::backward`] with the parameters given and their gradients written to `grads`.
    pub fn backward_with(&mut self, params: &[f32], grads: &mut [f32], d_output: Option<&[f32]>, d_h_n: Option<&[f32]>, d_c_n: Option<&[f32]>) -> Result<(), Error> {
        let cfg = self.cfg;
        if params.len() != self.param_len() || grads.len() != self.param_len() {
            return Err(Error::Shape { what: "parameters and gradients".into(), expected: format!("{} elements each", self.param_len()), actual: format!("{} and {}", params.len(), grads.len()) });
        }
        let saved = self.saved.ok_or(Error::NoTrainingForward)?;
        let Saved { seq, batch, batch_first } = saved;
        let (ld, o, h, dirs) = (cfg.num_layers * cfg.dirs(), cfg.out_size(), cfg.hidden_size, cfg.dirs());
        let width = dirs * o;
        if let Some(g) = d_output {
            let shape = || if batch_first { format!("[{batch}, {seq}, {width}]") } else { format!("[{seq}, {batch}, {width}]") };
            Self::check_len("output gradient", g.len(), seq * batch * width, shape)?;
        }
        if let Some(g) = d_h_n {
            Self::check_len("hN gradient", g.len(), self.state_len(batch), || format!("[{ld}, {batch}, {o}]"))?;
        }
        match (d_c_n, self.is_lstm()) {
            (Some(g), true) => Self::check_len("cN gradient", g.len(), self.cell_len(batch), || format!("[{ld}, {batch}, {h}]"))?,
            (Some(_), false) => return Err(Error::Argument("a cN gradient is only accepted by LSTM".into())),
            _ => {}
        }
        self.reserve_backward(seq, batch)?;
        self.saved = None;
        // An inference forward since the training one may have resized the state buffers.
        self.zero_states(batch);
        let mut dy = take(&mut self.d_seq[0]);
        match d_output {
            Some(g) => to_time_major(&mut dy, g, seq, batch, width, batch_first),
            None => {
                dy.clear();
                dy.resize(seq * batch * width, 0.0);
            }
        }
        let mut dx = take(&mut self.d_seq[1]);
        self.d_h0.resize(self.state_len(batch), 0.0);
        self.d_c0.resize(if self.is_lstm() { self.cell_len(batch) } else { 0 }, 0.0);
        for l in (0..cfg.num_layers).rev() {
            let input_size = cfg.layer_input(l);
            dx.clear();
            dx.resize(seq * batch * input_size, 0.0);
            let input: &[f32] = if l == 0 { &self.input_tm[1] } else { &self.layer_out[l - 1] };
            let x_l = MatRef::new(input, seq * batch, input_size);
            for d in 0..dirs {
                let idx = l * dirs + d;
                let lengths = (!self.lengths.is_empty()).then_some(&self.lengths[..]);
                let dims = Dims { seq, batch, input: input_size, hidden: h, out: o, reverse: d == 1, lengths };
                let dir_specs = &self.specs[self.dir_specs[idx].clone()];
                let w = dir_weights(&cfg, dir_specs, params, &self.packed[idx]);
                let mut grads = dir_grads(dir_specs, grads);
                let dy_d = SeqBlock { data: &dy[..], row_stride: width, col_offset: d * o, width: o };
                let dh_n = d_h_n.map_or(&self.zeros[..batch * o], |g| &g[idx * batch * o..][..batch * o]);
                let dh0 = &mut self.d_h0[idx * batch * o..][..batch * o];
                let cache = &mut self.caches[idx];
                let s = &mut self.scratch;
                match cfg.cell {
                    CellKind::Lstm => {
                        let dc_n = d_c_n.map_or(&self.zeros[..batch * h], |g| &g[idx * batch * h..][..batch * h]);
                        let dc0 = &mut self.d_c0[idx * batch * h..][..batch * h];
                        lstm_backward(&mut dx, dh0, dc0, &mut grads, cache, &dy_d, dh_n, dc_n, x_l, &w, &dims, s)
                    }
                    CellKind::Gru { .. } => gru_backward(&mut dx, dh0, &mut grads, cache, &dy_d, dh_n, x_l, &w, &dims, s),
                    CellKind::Rnn(act) => elman_backward(&mut dx, dh0, &mut grads, cache, &dy_d, dh_n, x_l, act, &w, &dims, s),
                }
            }
            // This layer's input gradient is the upstream gradient of the layer below.
            std::mem::swap(&mut dy, &mut dx);
        }
        from_time_major(&mut self.d_input, &dy, seq, batch, cfg.input_size, batch_first);
        self.d_seq = [dy, dx];
        self.last_backward = Some(saved);
        self.has_grads = true;
        Ok(())
    }
}

/// The packed weights and bias slices of one layer-direction.
fn dir_weights<'a>(cfg: &Config, specs: &[ParamSpec], params: &'a [f32], p: &'a PackedDir) -> DirWeights<'a> {
    let bias = |kind| specs.iter().find(|s| s.kind == kind).map(|s| &params[s.offset..s.offset + s.len]);
    let proj = cfg.proj_size > 0;
    let split = cfg.cell.resets_before();
    DirWeights {
        w_hn_t: split.then_some(&p.w_hn_t),
        w_hn: split.then_some(&p.w_hn),
        w_ih_t: &p.w_ih_t,
        w_hh_t: &p.w_hh_t,
        w_ih: &p.w_ih,
        w_hh: &p.w_hh,
        w_hr_t: proj.then_some(&p.w_hr_t),
        w_hr: proj.then_some(&p.w_hr),
        b_ih: bias(ParamKind::BiasIh),
        b_hh: bias(ParamKind::BiasHh),
    }
}

/// A GRU's W_hh (3H, O) as its r and z rows (2H, O) and its candidate rows W_hn (H, O).
pub(crate) fn split_candidate_rows(w_hh: MatRef, hidden: usize) -> (MatRef, MatRef) {
    let cols = w_hh.cols;
    (MatRef::new(&w_hh.data[..2 * hidden * cols], 2 * hidden, cols), MatRef::new(&w_hh.data[2 * hidden * cols..][..hidden * cols], hidden, cols))
}

/// Disjoint gradient slices of one layer-direction, carved from the gradient arena.
fn dir_grads<'a>(specs: &[ParamSpec], grads: &'a mut [f32]) -> DirGrads<'a> {
    let start = specs.first().map_or(0, |s| s.offset);
    let end = specs.last().map_or(0, |s| s.offset + s.len);
    let mut rest = &mut grads[start..end];
    let (mut w_ih, mut w_hh, mut b_ih, mut b_hh, mut w_hr) = (None, None, None, None, None);
    for spec in specs {
        let (head, tail) = rest.split_at_mut(spec.len);
        rest = tail;
        match spec.kind {
            ParamKind::WeightIh => w_ih = Some(head),
            ParamKind::WeightHh => w_hh = Some(head),
            ParamKind::BiasIh => b_ih = Some(head),
            ParamKind::BiasHh => b_hh = Some(head),
            ParamKind::WeightHr => w_hr = Some(head),
        }
    }
    DirGrads { d_w_ih: w_ih.unwrap_or_default(), d_w_hh: w_hh.unwrap_or_default(), d_b_ih: b_ih, d_b_hh: b_hh, d_w_hr: w_hr }
}

/// dst (T, B, W) = src, which is (B, T, W) when `batch_first`.
fn to_time_major(dst: &mut Vec<f32>, src: &[f32], seq: usize, batch: usize, width: usize, batch_first: bool) {
    dst.clear();
    if !batch_first {
        dst.extend_from_slice(src);
        return;
    }
    dst.reserve(src.len());
    for t in 0..seq {
        for b in 0..batch {
            dst.extend_from_slice(&src[(b * seq + t) * width..][..width]);
        }
    }
}

/// dst = src (T, B, W), as (B, T, W) when `batch_first`.
fn from_time_major(dst: &mut Vec<f32>, src: &[f32], seq: usize, batch: usize, width: usize, batch_first: bool) {
    dst.clear();
    if !batch_first {
        dst.extend_from_slice(&src[..seq * batch * width]);
        return;
    }
    dst.reserve(seq * batch * width);
    for b in 0..batch {
        for t in 0..seq {
            dst.extend_from_slice(&src[(t * batch + b) * width..][..width]);
        }
    }
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod tests;
