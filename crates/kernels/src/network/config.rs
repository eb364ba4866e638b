//! Layer configuration, mirroring the constructor arguments of PyTorch's recurrent modules.

use crate::cells::elman::Nonlinearity;
use crate::error::Error;
use crate::memory::INSTANCE_BUDGET_BYTES;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Rnn(Nonlinearity),
    Lstm,
    /// `reset_after`: PyTorch's GRU (the reset gate scales W_hn·h + b_hn). Without it the reset
    /// gate scales h before the product, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn): Keras'
    /// `reset_after=False`, ONNX's `linear_before_reset=0`.
    Gru {
        reset_after: bool,
    },
}

impl CellKind {
    /// Gate blocks stacked in the weight matrices (PyTorch's gate_size / hidden_size).
    pub fn is_gru(self) -> bool {
        matches!(self, CellKind::Gru { .. })
    }
    /// A GRU whose reset gate applies before the recurrent product (see [`CellKind::Gru`]).
    pub fn resets_before(self) -> bool {
        self == CellKind::Gru { reset_after: false }
    }
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn(_) => 1,
            CellKind::Lstm => 4,
            CellKind::Gru { .. } => 3,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub cell: CellKind,
    pub input_size: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub bidirectional: bool,
    pub bias: bool,
    /// LSTM only: size of the projected hidden state (0 = no projection).
    pub proj_size: usize,
}

/// Sizes past this are refused up front (a wasm32 instance cannot hold such weights anyway).
const MAX_DIM: usize = 1 << 20;

impl Config {
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |msg: String| Err(Error::InvalidConfig(msg));
        for (name, v) in [("inputSize", self.input_size), ("hiddenSize", self.hidden_size), ("numLayers", self.num_layers)] {
            if v == 0 || v > MAX_DIM {
                return bad(format!("{name} must be an integer in 1..={MAX_DIM}, got {v}"));
            }
        }
        if self.proj_size > 0 {
            if self.cell != CellKind::Lstm {
                return bad("projSize is only supported by LSTM".into());
            }
            if self.proj_size >= self.hidden_size {
                return bad(format!("projSize ({}) must be smaller than hiddenSize ({})", self.proj_size, self.hidden_size));
            }
        }
        let params: u64 = (0..self.num_layers)
            .map(|l| {
                let gh = (self.cell.gates() * self.hidden_size) as u64;
                let per_dir = gh * (self.layer_input(l) as u64 + self.out_size() as u64 + 2) + (self.proj_size * self.hidden_size) as u64;
                per_dir * self.dirs() as u64
            })
            .sum();
        // Parameters, gradients and the weights packed in both orientations: 6 floats each.
        // (Construction and every call check the instance's live total too; this refuses a
        // network that could never run even alone.)
        if params * 24 > INSTANCE_BUDGET_BYTES {
            return Err(Error::TooLarge { need: params * 24, in_use: 0, budget: INSTANCE_BUDGET_BYTES, detail: format!("{params} parameters, their gradients and packed copies") });
        }
        Ok(())
    }
    pub fn dirs(&self) -> usize {
        if self.bidirectional {
            2
        } else {
            1
        }
    }
    /// Size of h: the projection size when projecting, else the hidden size.
    pub fn out_size(&self) -> usize {
        if self.proj_size > 0 {
            self.proj_size
        } else {
            self.hidden_size
        }
    }
    pub fn layer_input(&self, layer: usize) -> usize {
        if layer == 0 {
            self.input_size
        } else {
            self.dirs() * self.out_size()
        }
    }
}
