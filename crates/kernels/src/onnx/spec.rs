//! The attributes of an ONNX `RNN`, `GRU` or `LSTM` node and the inputs they describe.

use super::activation::Activation;
use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Rnn,
    Gru,
    Lstm,
}

impl OpKind {
    /// Gate blocks in W, R and each half of B: RNN i; GRU z, r, h; LSTM i, o, f, c.
    pub fn gates(self) -> usize {
        match self {
            OpKind::Rnn => 1,
            OpKind::Gru => 3,
            OpKind::Lstm => 4,
        }
    }
    /// Activation functions per direction: RNN f; GRU f, g; LSTM f, g, h.
    pub fn activations(self) -> usize {
        match self {
            OpKind::Rnn => 1,
            OpKind::Gru => 2,
            OpKind::Lstm => 3,
        }
    }
    fn default_activations(self) -> &'static [Activation] {
        match self {
            OpKind::Rnn => &[Activation::Tanh],
            OpKind::Gru => &[Activation::Sigmoid, Activation::Tanh],
            OpKind::Lstm => &[Activation::Sigmoid, Activation::Tanh, Activation::Tanh],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Reverse,
    Bidirectional,
}

impl Direction {
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "forward" | "" => Ok(Direction::Forward),
            "reverse" => Ok(Direction::Reverse),
            "bidirectional" => Ok(Direction::Bidirectional),
            other => Err(Error::InvalidConfig(format!("direction must be forward, reverse or bidirectional, got {other:?}"))),
        }
    }
    pub fn count(self) -> usize {
        if self == Direction::Bidirectional {
            2
        } else {
            1
        }
    }
    /// Whether direction index `d` runs from the last valid step to the first.
    pub fn reversed(self, d: usize) -> bool {
        self == Direction::Reverse || d == 1
    }
}

/// A node's attributes, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct RecurrentSpec {
    pub kind: OpKind,
    pub direction: Direction,
    pub hidden: usize,
    /// `layout = 1`: X, Y, the states and initial states put the batch first.
    pub batch_first: bool,
    /// `kind.activations()` per direction, the forward direction's first.
    pub activations: Vec<Activation>,
    /// Bound on every activation's input (`f32::INFINITY` without the `clip` attribute).
    pub clip: f32,
    /// LSTM `input_forget`: f = 1 − i.
    pub input_forget: bool,
    /// GRU `linear_before_reset`: the reset gate scales (R_h·H + Rb_h) instead of H.
    pub linear_before_reset: bool,
}

impl RecurrentSpec {
    /// `activations` empty means the operator's defaults; a bidirectional node given one
    /// direction's functions uses them for both (as onnxruntime accepts).
    pub fn new(kind: OpKind, direction: Direction, hidden: usize, layout: u32, activations: Vec<Activation>, clip: Option<f32>, input_forget: bool, linear_before_reset: bool) -> Result<Self, Error> {
        let (per_dir, dirs) = (kind.activations(), direction.count());
        let activations = match activations.len() {
            0 => kind.default_activations().repeat(dirs),
            n if n == per_dir * dirs => activations,
            n if n == per_dir => activations.repeat(dirs),
            n => return Err(Error::InvalidConfig(format!("{kind:?} with direction {direction:?} takes {} activations, got {n}", per_dir * dirs))),
        };
        if hidden == 0 {
            return Err(Error::InvalidConfig("hidden_size must be positive".into()));
        }
        if layout > 1 {
            return Err(Error::InvalidConfig(format!("layout must be 0 or 1, got {layout}")));
        }
        let clip = match clip {
            None => f32::INFINITY,
            Some(c) if c > 0.0 => c,
            Some(c) => return Err(Error::InvalidConfig(format!("clip must be positive, got {c}"))),
        };
        if input_forget && kind != OpKind::Lstm {
            return Err(Error::InvalidConfig("input_forget applies to LSTM only".into()));
        }
        Ok(Self { kind, direction, hidden, batch_first: layout == 1, activations, clip, input_forget, linear_before_reset: linear_before_reset && kind == OpKind::Gru })
    }

    /// The activations of direction `d`.
    pub fn activations_of(&self, d: usize) -> &[Activation] {
        let n = self.kind.activations();
        &self.activations[d * n..][..n]
    }
}

/// The sizes X implies: `seq` steps of `batch` rows of `input` features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecurrentDims {
    pub seq: usize,
    pub batch: usize,
    pub input: usize,
}

/// A node's input tensors (ONNX's names), flat in row-major order; `None` for an absent
/// optional input.
pub struct RecurrentInputs<'a> {
    /// (T, B, I), or (B, T, I) with layout 1.
    pub x: &'a [f32],
    /// (D, G·H, I).
    pub w: &'a [f32],
    /// (D, G·H, H).
    pub r: &'a [f32],
    /// (D, 2·G·H): Wb then Rb.
    pub b: Option<&'a [f32]>,
    /// (B): steps of each batch row, each in 0..=T.
    pub sequence_lens: Option<&'a [i32]>,
    /// (D, B, H), or (B, D, H) with layout 1.
    pub initial_h: Option<&'a [f32]>,
    /// LSTM only, as `initial_h`.
    pub initial_c: Option<&'a [f32]>,
    /// LSTM only, (D, 3·H): peepholes i, o, f.
    pub p: Option<&'a [f32]>,
}

fn expect_len(what: &str, actual: usize, shape: &[usize]) -> Result<(), Error> {
    let want = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if want != Some(actual) {
        let dims = shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
        return Err(Error::Shape { what: what.into(), expected: format!("{} floats ({dims})", want.map_or("too many".into(), |w| w.to_string())), actual: actual.to_string() });
    }
    Ok(())
}

impl RecurrentInputs<'_> {
    /// Checks every buffer's length against the spec and dims, and each sequence length.
    pub fn validate(&self, spec: &RecurrentSpec, dims: &RecurrentDims) -> Result<(), Error> {
        let RecurrentDims { seq, batch, input } = *dims;
        let (h, d, gh) = (spec.hidden, spec.direction.count(), spec.kind.gates() * spec.hidden);
        let (tb, state) = if spec.batch_first { ([batch, seq], [batch, d, h]) } else { ([seq, batch], [d, batch, h]) };
        expect_len("X", self.x.len(), &[tb[0], tb[1], input])?;
        expect_len("W", self.w.len(), &[d, gh, input])?;
        expect_len("R", self.r.len(), &[d, gh, h])?;
        if let Some(b) = self.b {
            expect_len("B", b.len(), &[d, 2 * gh])?;
        }
        if let Some(h0) = self.initial_h {
            expect_len("initial_h", h0.len(), &state)?;
        }
        let lstm_only = |name: &str, present: bool| if present && spec.kind != OpKind::Lstm { Err(Error::Argument(format!("{name} applies to LSTM only"))) } else { Ok(()) };
        lstm_only("initial_c", self.initial_c.is_some())?;
        lstm_only("P", self.p.is_some())?;
        if let Some(c0) = self.initial_c {
            expect_len("initial_c", c0.len(), &state)?;
        }
        if let Some(p) = self.p {
            expect_len("P", p.len(), &[d, 3 * h])?;
        }
        if let Some(lens) = self.sequence_lens {
            expect_len("sequence_lens", lens.len(), &[batch])?;
            if let Some(bad) = lens.iter().find(|&&l| l < 0 || l as usize > seq) {
                return Err(Error::Argument(format!("sequence_lens: every length must be in 0..={seq}, got {bad}")));
            }
        }
        Ok(())
    }
}
