//! The memory plan of a call: every buffer a forward or backward grows, with its exact new
//! length, walked once to count the bytes (the budget check, before anything is allocated) and
//! once to allocate them up front, so the computation itself never allocates and a call that
//! does not fit fails with `E_TOO_LARGE` having changed nothing. The walks mirror the buffer
//! uses in `mod.rs` and `cells/`; `tests.rs` checks them against the counting allocator.

use super::params::ParamKind;
use super::Network;
use crate::error::Error;
use crate::gemm::aligned::AlignedBuf;
use crate::gemm::{GemmScratch, PackedB};
use crate::memory::{bytes_in_use, check_budget, MemoryNeed, INSTANCE_BUDGET_BYTES};
use std::mem::size_of;

#[derive(Clone, Copy)]
enum Term {
    PackedWeights,
    Activations,
    Scratch,
}

/// Counts (and in reserving mode allocates, exactly) the growth of each buffer to its length.
struct Walker {
    reserve: bool,
    need: MemoryNeed,
    failed: bool,
}

impl Walker {
    fn vec<T>(&mut self, term: Term, v: &mut Vec<T>, len: u64) {
        if v.capacity() as u64 >= len {
            return;
        }
        let bytes = len.saturating_mul(size_of::<T>() as u64);
        let slot = match term {
            Term::PackedWeights => &mut self.need.packed_weights,
            Term::Activations => &mut self.need.activations,
            Term::Scratch => &mut self.need.scratch,
        };
        *slot = slot.saturating_add(bytes);
        if self.reserve && !self.failed {
            // `len − v.len()` more than the current length: capacity becomes exactly `len`.
            let ok = usize::try_from(len).ok().is_some_and(|len| v.try_reserve_exact(len - v.len()).is_ok());
            self.failed |= !ok;
        }
    }
    fn aligned(&mut self, term: Term, buf: &mut AlignedBuf, floats: u64) {
        let lines = usize::try_from(floats).map_or(u64::MAX, |f| AlignedBuf::lines_for(f) as u64);
        self.vec(term, buf.lines_mut(), lines);
    }
    fn packed(&mut self, term: Term, p: &mut PackedB, k: u64, n: u64) {
        self.aligned(term, p.storage_mut(), PackedB::packed_len(k, n));
    }
}

/// Sizes of a call, in u64 so that no product overflows on wasm32.
struct Sizes {
    rows: u64,
    batch: u64,
    i: u64,
    h: u64,
    o: u64,
    gh: u64,
    width: u64,
    states: u64,
}

impl Network {
    fn sizes(&self, seq: usize, batch: usize) -> Sizes {
        let c = &self.cfg;
        let (h, o) = (c.hidden_size as u64, c.out_size() as u64);
        Sizes { rows: seq as u64 * batch as u64, batch: batch as u64, i: c.input_size as u64, h, o, gh: c.cell.gates() as u64 * h, width: c.dirs() as u64 * o, states: (c.num_layers * c.dirs()) as u64 }
    }

    /// Bytes a forward of this size allocates, itemized, counting the caller's copies of x,
    /// h0 and c0 into wasm memory: what to check before copying anything in.
    pub fn forward_need(&mut self, seq: usize, batch: usize, training: bool, has_h0: bool, has_c0: bool) -> MemoryNeed {
        let z = self.sizes(seq, batch);
        let mut w = Walker { reserve: false, need: MemoryNeed::default(), failed: false };
        self.walk_forward(&mut w, seq, batch, training);
        let cell = if self.is_lstm() { z.states * z.batch * z.h } else { 0 };
        let state = z.states * z.batch * z.o;
        w.need.inputs = 4 * (z.rows * z.i + if has_h0 { state } else { 0 } + if has_c0 { cell } else { 0 });
        w.need.results = 4 * (z.rows * z.width + state + cell);
        w.need
    }

    /// Bytes a backward of the pending training forward allocates (as [`Self::forward_need`]).
    pub fn backward_need(&mut self, has_d_output: bool, has_d_h_n: bool, has_d_c_n: bool) -> Result<MemoryNeed, Error> {
        let saved = self.saved.ok_or(Error::NoTrainingForward)?;
        let z = self.sizes(saved.seq, saved.batch);
        let mut w = Walker { reserve: false, need: MemoryNeed::default(), failed: false };
        self.walk_backward(&mut w, saved.seq, saved.batch);
        let cell = if self.is_lstm() { z.states * z.batch * z.h } else { 0 };
        let state = z.states * z.batch * z.o;
        w.need.inputs = 4 * (if has_d_output { z.rows * z.width } else { 0 } + if has_d_h_n { state } else { 0 } + if has_d_c_n { cell } else { 0 });
        w.need.results = 4 * (z.rows * z.i + state + cell + self.params.len() as u64);
        Ok(w.need)
    }

    /// Checks the budget for what this call still has to allocate (its inputs are already in
    /// memory), then allocates every buffer it will grow. Err leaves the network as it was,
    /// apart from spare capacity.
    pub(super) fn reserve_forward(&mut self, seq: usize, batch: usize, training: bool) -> Result<(), Error> {
        let need = MemoryNeed { inputs: 0, ..self.forward_need(seq, batch, training, false, false) };
        self.reserve(need, |net, w| net.walk_forward(w, seq, batch, training))
    }

    pub(super) fn reserve_backward(&mut self, seq: usize, batch: usize) -> Result<(), Error> {
        let need = MemoryNeed { inputs: 0, ..self.backward_need(false, false, false)? };
        self.reserve(need, |net, w| net.walk_backward(w, seq, batch))
    }

    fn reserve(&mut self, need: MemoryNeed, walk: impl FnOnce(&mut Self, &mut Walker)) -> Result<(), Error> {
        check_budget(&need)?;
        let mut w = Walker { reserve: true, need: MemoryNeed::default(), failed: false };
        walk(self, &mut w);
        if w.failed {
            // Under the budget but the allocator could not find the space (fragmentation).
            return Err(Error::TooLarge { need: need.total(), in_use: bytes_in_use(), budget: INSTANCE_BUDGET_BYTES, detail: "the allocator found no room for it".into() });
        }
        Ok(())
    }

    /// The weights of every stale layer-direction, packed in both orientations.
    fn walk_packed(&mut self, w: &mut Walker) {
        for idx in 0..self.packed.len() {
            if !self.stale[idx] {
                continue;
            }
            let p = &mut self.packed[idx];
            for spec in &self.specs[self.dir_specs[idx].clone()] {
                let (rows, cols) = (spec.shape[0] as u64, *spec.shape.get(1).unwrap_or(&1) as u64);
                if spec.kind == ParamKind::WeightHh && self.cfg.cell.resets_before() {
                    let h = self.cfg.hidden_size as u64;
                    w.packed(Term::PackedWeights, &mut p.w_hh, 2 * h, cols);
                    w.packed(Term::PackedWeights, &mut p.w_hh_t, cols, 2 * h);
                    w.packed(Term::PackedWeights, &mut p.w_hn, h, cols);
                    w.packed(Term::PackedWeights, &mut p.w_hn_t, cols, h);
                    continue;
                }
                let (plain, transposed) = match spec.kind {
                    ParamKind::WeightIh => (&mut p.w_ih, &mut p.w_ih_t),
                    ParamKind::WeightHh => (&mut p.w_hh, &mut p.w_hh_t),
                    ParamKind::WeightHr => (&mut p.w_hr, &mut p.w_hr_t),
                    ParamKind::BiasIh | ParamKind::BiasHh => continue,
                };
                w.packed(Term::PackedWeights, plain, rows, cols);
                w.packed(Term::PackedWeights, transposed, cols, rows);
            }
        }
    }

    fn walk_forward(&mut self, w: &mut Walker, seq: usize, batch: usize, training: bool) {
        let z = self.sizes(seq, batch);
        let (lstm, gru) = (self.is_lstm(), self.cfg.cell.is_gru());
        let projected = self.cfg.proj_size > 0;
        self.walk_packed(w);
        w.vec(Term::Activations, &mut self.input_tm[training as usize], z.rows * z.i);
        if training {
            for out in &mut self.layer_out {
                w.vec(Term::Activations, out, z.rows * z.width);
            }
            for cache in &mut self.caches {
                w.vec(Term::Activations, &mut cache.gates, z.rows * z.gh);
                w.vec(Term::Activations, &mut cache.h_prev, z.rows * z.o);
                if lstm {
                    w.vec(Term::Activations, &mut cache.c_prev, z.rows * z.h);
                    w.vec(Term::Activations, &mut cache.tanh_c, z.rows * z.h);
                    if projected {
                        w.vec(Term::Activations, &mut cache.h_raw, z.rows * z.h);
                    }
                }
                if gru {
                    w.vec(Term::Activations, &mut cache.hn_lin, z.rows * z.h);
                }
            }
        } else {
            for out in self.infer_out.iter_mut().take(self.cfg.num_layers) {
                w.vec(Term::Scratch, out, z.rows * z.width);
            }
            w.vec(Term::Scratch, &mut self.scratch.gates, z.rows * z.gh);
        }
        let s = &mut self.scratch;
        w.vec(Term::Scratch, &mut s.h, z.batch * z.o);
        if lstm {
            w.vec(Term::Scratch, &mut s.c, z.batch * z.h);
            w.vec(Term::Scratch, &mut s.h_raw, z.batch * z.h);
        }
        if gru {
            w.vec(Term::Scratch, &mut s.hidden_gates, z.batch * z.gh);
        }
        if self.cfg.cell.resets_before() {
            w.vec(Term::Scratch, &mut s.h_raw, z.batch * z.h); // r ⊙ h_{t−1}
        }
        if !self.lengths.is_empty() {
            w.vec(Term::Scratch, &mut s.keep_h, z.batch * z.o);
            w.vec(Term::Scratch, &mut s.keep_c, if lstm { z.batch * z.h } else { 0 });
        }
        w.aligned(Term::Scratch, s.gemm.buffers_mut().0, GemmScratch::A_FLOATS as u64);
        w.vec(Term::Scratch, &mut self.zeros, z.batch * z.h.max(z.o));
        w.vec(Term::Activations, &mut self.output, z.rows * z.width);
        w.vec(Term::Activations, &mut self.h_n, z.states * z.batch * z.o);
        w.vec(Term::Activations, &mut self.c_n, if lstm { z.states * z.batch * z.h } else { 0 });
    }

    fn walk_backward(&mut self, w: &mut Walker, seq: usize, batch: usize) {
        let z = self.sizes(seq, batch);
        let (lstm, gru) = (self.is_lstm(), self.cfg.cell.is_gru());
        let projected = self.cfg.proj_size > 0;
        let layers = self.cfg.num_layers;
        let layer_input = |l: usize| if l == 0 { z.i } else { z.width };
        // The two sequence-gradient buffers swap roles at every layer (dy ↔ dx): the first holds
        // the output gradient, then the input gradients of layers L−2, L−4, …; the second those
        // of layers L−1, L−3, ….
        let first = (0..layers).rev().skip(1).step_by(2).map(layer_input).fold(z.width, u64::max);
        let second = (0..layers).rev().step_by(2).map(layer_input).fold(0, u64::max);
        w.vec(Term::Scratch, &mut self.d_seq[0], z.rows * first);
        w.vec(Term::Scratch, &mut self.d_seq[1], z.rows * second);
        for cache in &mut self.caches {
            if gru {
                w.vec(Term::Activations, &mut cache.d_hidden_gates, z.rows * z.gh);
            }
            if lstm && projected {
                w.vec(Term::Activations, &mut cache.d_h, z.rows * z.o);
            }
        }
        let s = &mut self.scratch;
        w.vec(Term::Scratch, &mut s.dh_next, z.batch * z.o);
        w.vec(Term::Scratch, &mut s.dh, z.batch * z.o);
        if lstm {
            w.vec(Term::Scratch, &mut s.dc_next, z.batch * z.h);
            w.vec(Term::Scratch, &mut s.dh_raw, z.batch * z.h);
        }
        if self.cfg.cell.resets_before() {
            w.vec(Term::Scratch, &mut s.dh_raw, z.batch * z.h); // ∂L/∂(r ⊙ h_{t−1})
        }
        if !self.lengths.is_empty() {
            w.vec(Term::Scratch, &mut s.keep_h, z.batch * z.o);
            w.vec(Term::Scratch, &mut s.keep_c, if lstm { z.batch * z.h } else { 0 });
        }
        // Operands packed on the fly: X, H_prev (and the LSTM's pre-projection h) for dW.
        let widest = (0..layers).map(layer_input).fold(z.o, u64::max).max(if projected { z.h } else { 0 });
        let (a, b) = s.gemm.buffers_mut();
        w.aligned(Term::Scratch, a, GemmScratch::A_FLOATS as u64);
        w.packed(Term::Scratch, b, z.rows, widest);
        w.vec(Term::Scratch, &mut self.zeros, z.batch * z.h.max(z.o));
        w.vec(Term::Activations, &mut self.d_input, z.rows * z.i);
        w.vec(Term::Activations, &mut self.d_h0, z.states * z.batch * z.o);
        w.vec(Term::Activations, &mut self.d_c0, if lstm { z.states * z.batch * z.h } else { 0 });
    }
}
