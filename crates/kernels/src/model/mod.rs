//! A sequential model over one parameter arena: embedding, recurrent, dense, layer-norm and
//! dropout layers, a loss and an optimizer; a training step is one call.
//!
//! Every parameter, its gradient and the optimizer's state live in three flat arenas with
//! named views (`<index>.<name>`, PyTorch's `nn.Sequential` state-dict names). Data flows
//! time-major: a sequence tensor is (T·B, F) rows; after a recurrent layer with
//! one row per sequence (`Rows::LastStep`, PyTorch's `output[-1]`, or `Rows::FinalStates`) it is (B, F).

pub mod activation;
pub mod ctc;
pub mod dense;
pub mod dropout;
pub mod embedding;
pub mod layer_norm;
pub mod loss;
pub mod optim;
pub mod recurrent_output;

use crate::error::Error;
use crate::gemm::GemmScratch;
use crate::network::config::Config;
use crate::network::Network;
use crate::rng::Rng;
use activation::Activation;
use ctc::{ctc_loss, CtcTargets};
use loss::{loss_forward_backward, Loss, Targets};
use optim::{clip_grad_norm, clip_grad_value, Optimizer};
use recurrent_output::{merged_width, scatter_and_unmerge, select_and_merge, Merge, Rows, SeqShape};
use std::ops::Range;

/// One layer as the user describes it.
#[derive(Clone, Copy, Debug)]
pub enum LayerSpec {
    Embedding {
        num: usize,
        dim: usize,
    },
    /// `cfg` as for a standalone layer; `dropout` applies between its stacked layers (training);
    /// `rows` and `merge` shape what it passes on (see [`recurrent_output`]).
    Recurrent {
        cfg: Config,
        rows: Rows,
        merge: Merge,
        dropout: f32,
    },
    Dense {
        input: usize,
        output: usize,
        bias: bool,
    },
    LayerNorm {
        width: usize,
        eps: f32,
        affine: bool,
    },
    Dropout {
        p: f32,
    },
    Activation(Activation),
}

/// A named view into the arenas.
#[derive(Clone, Debug)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<usize>,
    pub range: Range<usize>,
}

/// The model's input: features (T·B, F) or ids (T·B) for a first Embedding.
pub enum Input<'a> {
    Values(&'a [f32]),
    Ids(&'a [i32]),
}

/// Training settings (`compile`).
#[derive(Clone, Copy, Debug)]
pub struct TrainConfig {
    pub loss: Loss,
    pub optimizer: Optimizer,
    pub clip_grad_norm: Option<f32>,
    pub clip_grad_value: Option<f32>,
}

enum Node {
    Embedding {
        dim: usize,
        w: Range<usize>,
    },
    /// `work`: the sequence flowing between the stacked layers (kept: no allocation per call).
    Recurrent {
        nets: Vec<Network>,
        params: Vec<Range<usize>>,
        rows: Rows,
        merge: Merge,
        dropout: f32,
        masks: Vec<Vec<f32>>,
        /// Directions and features per direction of the top layer's output sequence.
        dirs: usize,
        size: usize,
        work: Vec<f32>,
    },
    Dense {
        input: usize,
        output: usize,
        w: Range<usize>,
        b: Option<Range<usize>>,
    },
    LayerNorm {
        width: usize,
        eps: f32,
        gamma: Option<Range<usize>>,
        beta: Option<Range<usize>>,
        mean: Vec<f32>,
        rstd: Vec<f32>,
    },
    Dropout {
        p: f32,
        mask: Vec<f32>,
    },
    Activation(Activation),
}

/// Where a tensor flows: `seq` steps of `batch` rows (or `batch` rows after the time axis is gone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    pub seq: Option<usize>,
    pub batch: usize,
    pub width: usize,
}

impl Flow {
    pub fn rows(&self) -> usize {
        self.seq.unwrap_or(1) * self.batch
    }
}

pub struct Model {
    specs: Vec<LayerSpec>,
    nodes: Vec<Node>,
    tensors: Vec<TensorSpec>,
    params: Vec<f32>,
    grads: Vec<f32>,
    state: Vec<f32>,
    train: Option<TrainConfig>,
    steps: u64,
    rng: Rng,
    gemm: GemmScratch,
    /// acts[i]: the input of node i (acts[n] the output), kept for backward.
    acts: Vec<Vec<f32>>,
    flows: Vec<Flow>,
    ids: Vec<i32>,
    d_act: [Vec<f32>; 2],
    /// A recurrent node's sequence gradient, between its stacked layers.
    seq_grad: Vec<f32>,
    last_loss: f64,
    last_grad_norm: f64,
    /// Packed-sequence lengths of the next calls (empty: every sequence is full length).
    lengths: Vec<usize>,
}

impl Model {
    /// Builds the layers with PyTorch's default initializations from `seed`.
    pub fn new(specs: &[LayerSpec], seed: u64) -> Result<Self, Error> {
        let mut rng = Rng::new(seed);
        let mut tensors = Vec::new();
        let mut nodes = Vec::new();
        let mut params: Vec<f32> = Vec::new();
        let mut width: Option<usize> = None;
        let mut sequence = true;
        let push = |tensors: &mut Vec<TensorSpec>, params: &mut Vec<f32>, name: String, shape: Vec<usize>, init: &mut dyn FnMut() -> f32| -> Range<usize> {
            let len: usize = shape.iter().product();
            let range = params.len()..params.len() + len;
            params.extend((0..len).map(|_| init()));
            tensors.push(TensorSpec { name, shape, range: range.clone() });
            range
        };
        if let Some(LayerSpec::Dropout { .. } | LayerSpec::Activation(_)) = specs.first() {
            return Err(Error::InvalidConfig("a model cannot start with Dropout or an activation (they do not fix the input's feature size): put it after the first layer".into()));
        }
        // Sizes in u64 first: on wasm32 a product of valid sizes can overflow usize.
        let total = specs.iter().map(spec_params).try_fold(0u64, |a, b| b.and_then(|b| a.checked_add(b))).ok_or_else(|| Error::InvalidConfig("the parameter count overflows".into()))?;
        // Parameters and gradients at construction, two to three optimizer moments at compile.
        crate::memory::check_budget(&crate::memory::MemoryNeed { activations: total.saturating_mul(8), ..Default::default() })?;
        if total.saturating_mul(20) > crate::memory::INSTANCE_BUDGET_BYTES {
            return Err(Error::TooLarge {
                need: total.saturating_mul(20),
                in_use: 0,
                budget: crate::memory::INSTANCE_BUDGET_BYTES,
                detail: format!("{total} parameters with their gradients and optimizer moments"),
            });
        }
        for (i, spec) in specs.iter().enumerate() {
            let expect = |w: Option<usize>, got: usize, what: &str| -> Result<(), Error> {
                match w {
                    Some(w) if w != got => Err(Error::InvalidConfig(format!("layer {i} ({what}) expects {got} input features, but the layer before gives {w}"))),
                    _ => Ok(()),
                }
            };
            match *spec {
                LayerSpec::Embedding { num, dim } => {
                    if i != 0 {
                        return Err(Error::InvalidConfig(format!("layer {i}: an Embedding must be the first layer (it reads ids)")));
                    }
                    check_dims(&[("numEmbeddings", num), ("embeddingDim", dim)])?;
                    // nn.Embedding: N(0, 1).
                    let w = push(&mut tensors, &mut params, format!("{i}.weight"), vec![num, dim], &mut || rng.normal());
                    nodes.push(Node::Embedding { dim, w });
                    width = Some(dim);
                }
                LayerSpec::Recurrent { cfg, rows, merge, dropout } => {
                    if !sequence {
                        return Err(Error::InvalidConfig(format!("layer {i}: a recurrent layer needs a sequence, but an earlier recurrent layer has returnSequences: false")));
                    }
                    expect(width, cfg.input_size, "recurrent")?;
                    if !(0.0..=1.0).contains(&dropout) {
                        return Err(Error::InvalidConfig(format!("layer {i}: dropout must be in [0, 1], got {dropout}")));
                    }
                    cfg.validate()?;
                    let mut nets = Vec::new();
                    let mut ranges = Vec::new();
                    // One network per stacked layer (dropout goes between them); parameter k of
                    // layer l keeps PyTorch's name (`weight_ih_l{l}…`).
                    for l in 0..cfg.num_layers {
                        let single = Config { num_layers: 1, input_size: cfg.layer_input(l), ..cfg };
                        let net = Network::new_detached(single)?;
                        let start = params.len();
                        let bound = 1.0 / (cfg.hidden_size as f32).sqrt();
                        for spec in net.specs() {
                            let name = spec.name.replacen("_l0", &format!("_l{l}"), 1);
                            push(&mut tensors, &mut params, format!("{i}.{name}"), spec.shape.clone(), &mut || rng.uniform(-bound, bound));
                        }
                        ranges.push(start..params.len());
                        nets.push(net);
                    }
                    if merge != Merge::Concat && !cfg.bidirectional {
                        return Err(Error::InvalidConfig(format!("layer {i}: a merge mode other than concat needs a bidirectional layer")));
                    }
                    let (dirs, size) = (cfg.dirs(), cfg.out_size());
                    nodes.push(Node::Recurrent { nets, params: ranges, rows, merge, dropout, masks: vec![Vec::new(); cfg.num_layers.saturating_sub(1)], dirs, size, work: Vec::new() });
                    width = Some(merged_width(dirs, size, merge));
                    sequence = rows == Rows::Sequence;
                }
                LayerSpec::Dense { input, output, bias } => {
                    expect(width, input, "Dense")?;
                    check_dims(&[("inputSize", input), ("outputSize", output)])?;
                    // nn.Linear: kaiming_uniform(a = √5) = U(±1/√in) for W, and U(±1/√in) for b.
                    let bound = 1.0 / (input as f32).sqrt();
                    let w = push(&mut tensors, &mut params, format!("{i}.weight"), vec![output, input], &mut || rng.uniform(-bound, bound));
                    let b = bias.then(|| push(&mut tensors, &mut params, format!("{i}.bias"), vec![output], &mut || rng.uniform(-bound, bound)));
                    nodes.push(Node::Dense { input, output, w, b });
                    width = Some(output);
                }
                LayerSpec::LayerNorm { width: w, eps, affine } => {
                    expect(width, w, "LayerNorm")?;
                    check_dims(&[("normalizedShape", w)])?;
                    if !(eps > 0.0 && eps.is_finite()) {
                        return Err(Error::InvalidConfig(format!("layer {i}: eps must be a positive number, got {eps}")));
                    }
                    let gamma = affine.then(|| push(&mut tensors, &mut params, format!("{i}.weight"), vec![w], &mut || 1.0));
                    let beta = affine.then(|| push(&mut tensors, &mut params, format!("{i}.bias"), vec![w], &mut || 0.0));
                    nodes.push(Node::LayerNorm { width: w, eps, gamma, beta, mean: Vec::new(), rstd: Vec::new() });
                }
                LayerSpec::Dropout { p } => {
                    if !(0.0..=1.0).contains(&p) {
                        return Err(Error::InvalidConfig(format!("layer {i}: p must be in [0, 1], got {p}")));
                    }
                    nodes.push(Node::Dropout { p, mask: Vec::new() });
                }
                LayerSpec::Activation(f) => {
                    match f {
                        Activation::LeakyRelu { slope: v } | Activation::Elu { alpha: v } if !v.is_finite() => {
                            return Err(Error::InvalidConfig(format!("layer {i}: the activation's parameter must be finite, got {v}")));
                        }
                        _ => {}
                    }
                    nodes.push(Node::Activation(f));
                }
            }
        }
        if nodes.is_empty() {
            return Err(Error::InvalidConfig("a model needs at least one layer".into()));
        }
        if width.is_none() {
            return Err(Error::InvalidConfig("the first layer must fix the feature size (Embedding, a recurrent layer, Dense or LayerNorm)".into()));
        }
        let n = params.len();
        Ok(Self {
            specs: specs.to_vec(),
            nodes,
            tensors,
            grads: vec![0.0; n],
            params,
            state: Vec::new(),
            train: None,
            steps: 0,
            rng,
            gemm: GemmScratch::default(),
            acts: Vec::new(),
            flows: Vec::new(),
            ids: Vec::new(),
            d_act: Default::default(),
            seq_grad: Vec::new(),
            last_loss: f64::NAN,
            last_grad_norm: f64::NAN,
            lengths: Vec::new(),
        })
    }

    pub fn layer_specs(&self) -> &[LayerSpec] {
        &self.specs
    }
    pub fn tensors(&self) -> &[TensorSpec] {
        &self.tensors
    }
    pub fn params(&self) -> &[f32] {
        &self.params
    }
    pub fn grads(&self) -> &[f32] {
        &self.grads
    }
    /// The optimizer state arena (empty before `compile`).
    pub fn optimizer_state(&self) -> &[f32] {
        &self.state
    }
    pub fn steps(&self) -> u64 {
        self.steps
    }
    pub fn last_grad_norm(&self) -> f64 {
        self.last_grad_norm
    }
    pub fn takes_ids(&self) -> bool {
        matches!(self.nodes.first(), Some(Node::Embedding { .. }))
    }
    /// Features per step of the input (the vocabulary size for ids).
    pub fn input_width(&self) -> usize {
        match self.specs[0] {
            LayerSpec::Embedding { num, .. } => num,
            LayerSpec::Recurrent { cfg, .. } => cfg.input_size,
            LayerSpec::Dense { input, .. } => input,
            LayerSpec::LayerNorm { width, .. } => width,
            LayerSpec::Dropout { .. } | LayerSpec::Activation(_) => 0,
        }
    }

    /// Replaces one tensor's values (the recurrent weights are repacked before the next use).
    pub fn set_tensor(&mut self, index: usize, data: &[f32]) -> Result<(), Error> {
        let t = self.tensors.get(index).ok_or(Error::UnknownParam(index))?;
        if data.len() != t.range.len() {
            return Err(Error::Shape { what: t.name.clone(), expected: format!("{} elements {:?}", t.range.len(), t.shape), actual: format!("{} elements", data.len()) });
        }
        self.params[t.range.clone()].copy_from_slice(data);
        self.mark_weights_changed();
        Ok(())
    }

    fn mark_weights_changed(&mut self) {
        for node in &mut self.nodes {
            if let Node::Recurrent { nets, .. } = node {
                nets.iter_mut().for_each(Network::mark_stale);
            }
        }
    }

    /// Each sequence's length for the following calls (PyTorch's packed sequences: padded
    /// steps leave states untouched, output zeros, pass no gradient; the final states and a
    /// `return_sequences = false` output are each sequence's own last step). Empty: full length.
    pub fn set_lengths(&mut self, lengths: &[i32]) -> Result<(), Error> {
        if let Some((b, &n)) = lengths.iter().enumerate().find(|(_, &n)| n < 1) {
            return Err(Error::Argument(format!("lengths: sequence {b} has length {n}; lengths must be at least 1")));
        }
        self.lengths.clear();
        self.lengths.extend(lengths.iter().map(|&n| n as usize));
        Ok(())
    }

    /// Sets the loss, optimizer and clipping; resets the optimizer state and step count.
    pub fn compile(&mut self, train: TrainConfig) -> Result<(), Error> {
        let len = train.optimizer.slots() * self.params.len();
        self.state.clear();
        self.state.try_reserve_exact(len).map_err(|_| Error::Argument("no memory for the optimizer state".into()))?;
        self.state.resize(len, 0.0);
        self.train = Some(train);
        self.steps = 0;
        Ok(())
    }

    pub fn set_learning_rate(&mut self, lr: f32) -> Result<(), Error> {
        let train = self.train.as_mut().ok_or_else(not_compiled)?;
        train.optimizer.set_lr(lr);
        Ok(())
    }

    /// Sets the optimizer state and step count (restoring a checkpoint).
    pub fn set_optimizer_state(&mut self, state: &[f32], steps: u64) -> Result<(), Error> {
        if state.len() != self.state.len() {
            return Err(Error::Shape { what: "optimizer state".into(), expected: format!("{} elements", self.state.len()), actual: format!("{} elements", state.len()) });
        }
        self.state.copy_from_slice(state);
        self.steps = steps;
        Ok(())
    }

    /// Runs every layer over `input` (seq steps × batch); `states`: the initial hidden (and
    /// cell) states of the recurrent layers in order, as `state_shapes` lists them, or None for
    /// zeros. Returns the output's flow; the output is `output()`, final states `final_states()`.
    pub fn forward(&mut self, input: Input, seq: usize, batch: usize, states: Option<&[f32]>, training: bool) -> Result<Flow, Error> {
        if seq == 0 || batch == 0 {
            return Err(Error::Argument(format!("sequence length and batch size must be at least 1, got seq={seq} batch={batch}")));
        }
        let rows = seq * batch;
        let n = self.nodes.len();
        self.acts.resize_with(n + 1, Vec::new);
        self.flows.clear();
        let mut flow = Flow { seq: Some(seq), batch, width: self.input_width() };
        match input {
            Input::Ids(ids) => {
                if !self.takes_ids() {
                    return Err(Error::Argument("this model takes features (Float32), not ids: its first layer is not an Embedding".into()));
                }
                if ids.len() != rows {
                    return Err(Error::Shape { what: "ids".into(), expected: format!("{rows} elements [{seq}, {batch}]"), actual: format!("{} elements", ids.len()) });
                }
                let num = self.input_width();
                if let Some((at, &id)) = ids.iter().enumerate().find(|(_, &id)| id < 0 || id as usize >= num) {
                    return Err(Error::Argument(format!("ids: {id} at flat index {at} is outside the embedding's 0..{num}")));
                }
                self.ids.clear();
                self.ids.extend_from_slice(ids);
            }
            Input::Values(x) => {
                if self.takes_ids() {
                    return Err(Error::Argument("this model's first layer is an Embedding: pass Int32 ids [seq, batch]".into()));
                }
                if x.len() != rows * flow.width {
                    return Err(Error::Shape { what: "x".into(), expected: format!("{} elements [{seq}, {batch}, {}]", rows * flow.width, flow.width), actual: format!("{} elements", x.len()) });
                }
                grow(&mut self.acts[0], x.len())?;
                self.acts[0].copy_from_slice(x);
            }
        }
        if !self.lengths.is_empty() {
            if self.lengths.len() != batch {
                return Err(Error::Shape { what: "lengths".into(), expected: format!("{batch} elements (one per sequence)"), actual: format!("{} elements", self.lengths.len()) });
            }
            if let Some((b, &n)) = self.lengths.iter().enumerate().find(|(_, &n)| n > seq) {
                return Err(Error::Argument(format!("lengths: sequence {b} has length {n}, longer than the {seq} steps of x")));
            }
        }
        let expected_states = self.state_len(batch);
        if let Some(s) = states {
            if s.len() != expected_states {
                return Err(Error::Shape { what: "states".into(), expected: format!("{expected_states} elements"), actual: format!("{} elements", s.len()) });
            }
        }
        let mut state_at = 0;
        for i in 0..n {
            self.flows.push(flow);
            let (before, after) = self.acts.split_at_mut(i + 1);
            let (x, y) = (&before[i], &mut after[0]);
            flow = match &mut self.nodes[i] {
                Node::Embedding { dim, w } => {
                    grow(y, rows * *dim)?;
                    embedding::embedding_forward(y, &self.ids, &self.params[w.clone()], *dim);
                    Flow { width: *dim, ..flow }
                }
                Node::Recurrent { nets, params, rows, merge, dropout, masks, dirs, size, work } => {
                    let t = flow.seq.unwrap_or(1);
                    let mut input = std::mem::take(work);
                    grow(&mut input, x.len())?;
                    input.copy_from_slice(x);
                    // This node's states: every stacked layer's h, then every layer's c.
                    let (h_len, c_len) = nets[0].state_lens(batch);
                    let layers = nets.len();
                    for (l, net) in nets.iter_mut().enumerate() {
                        net.set_lengths(&self.lengths);
                        let h0 = states.map(|s| &s[state_at + l * h_len..][..h_len]);
                        let c0 = states.filter(|_| c_len > 0).map(|s| &s[state_at + layers * h_len + l * c_len..][..c_len]);
                        net.forward_with(&self.params[params[l].clone()], &input, t, batch, false, h0, c0, training)?;
                        grow(&mut input, net.output().len())?;
                        input.copy_from_slice(net.output());
                        if l + 1 < params.len() && *dropout > 0.0 && training {
                            let mask = &mut masks[l];
                            grow(mask, input.len())?;
                            dropout::dropout_inplace(&mut input, mask, *dropout, &mut self.rng);
                        }
                    }
                    state_at += layers * (h_len + c_len);
                    let shape = SeqShape { steps: t, batch, dirs: *dirs, size: *size, lengths: &self.lengths };
                    let width = merged_width(*dirs, *size, *merge);
                    let next = if *rows == Rows::Sequence { Flow { width, ..flow } } else { Flow { seq: None, batch, width } };
                    grow(y, next.rows() * width)?;
                    select_and_merge(y, &input, &shape, *rows, *merge);
                    *work = input;
                    next
                }
                Node::Dense { input, output, w, b } => {
                    grow(y, flow.rows() * *output)?;
                    dense::dense_forward(y, x, &self.params[w.clone()], b.clone().map(|b| &self.params[b]), flow.rows(), *input, *output, &mut self.gemm);
                    Flow { width: *output, ..flow }
                }
                Node::LayerNorm { width, eps, gamma, beta, mean, rstd } => {
                    grow(y, x.len())?;
                    grow(mean, flow.rows())?;
                    grow(rstd, flow.rows())?;
                    layer_norm::layer_norm_forward(y, mean, rstd, x, gamma.clone().map(|g| &self.params[g]), beta.clone().map(|b| &self.params[b]), *width, *eps);
                    flow
                }
                Node::Dropout { p, mask } => {
                    grow(y, x.len())?;
                    if training && *p > 0.0 {
                        grow(mask, x.len())?;
                        dropout::dropout_forward(y, mask, x, *p, &mut self.rng);
                    } else {
                        y.copy_from_slice(x);
                    }
                    flow
                }
                Node::Activation(f) => {
                    grow(y, x.len())?;
                    f.forward(y, x, flow.width);
                    flow
                }
            };
        }
        self.flows.push(flow);
        Ok(flow)
    }

    /// The flow of the output for an input of `seq` steps of `batch` rows.
    pub fn output_flow(&self, seq: usize, batch: usize) -> Flow {
        let mut flow = Flow { seq: Some(seq), batch, width: self.input_width() };
        for spec in &self.specs {
            flow = match *spec {
                LayerSpec::Embedding { dim, .. } => Flow { width: dim, ..flow },
                LayerSpec::Recurrent { cfg, rows, merge, .. } => Flow { seq: if rows == Rows::Sequence { flow.seq } else { None }, width: merged_width(cfg.dirs(), cfg.out_size(), merge), ..flow },
                LayerSpec::Dense { output, .. } => Flow { width: output, ..flow },
                LayerSpec::LayerNorm { .. } | LayerSpec::Dropout { .. } | LayerSpec::Activation(_) => flow,
            };
        }
        flow
    }

    /// Floats of all recurrent states for `batch` rows (h then c of each stacked layer, in order).
    pub fn state_len(&self, batch: usize) -> usize {
        self.nodes
            .iter()
            .map(|n| match n {
                Node::Recurrent { nets, .. } => nets.iter().map(|net| net.state_lens(batch).0 + net.state_lens(batch).1).sum(),
                _ => 0,
            })
            .sum()
    }

    /// The final states of the last forward, laid out as its `states` argument.
    pub fn final_states(&self, out: &mut Vec<f32>) {
        out.clear();
        for node in &self.nodes {
            if let Node::Recurrent { nets, .. } = node {
                nets.iter().for_each(|net| out.extend_from_slice(net.h_n()));
                nets.iter().for_each(|net| out.extend_from_slice(net.c_n()));
            }
        }
    }

    /// Loss and (for cross-entropy) accuracy of an inference forward from `states` (zeros when
    /// absent) against `targets`.
    pub fn evaluate(&mut self, input: Input, seq: usize, batch: usize, states: Option<&[f32]>, targets: &Targets) -> Result<(f64, f64), Error> {
        self.train.ok_or_else(not_compiled)?;
        let flow = self.forward(input, seq, batch, states, false)?;
        let loss = self.loss(targets)?;
        let accuracy = match (self.train.map(|t| t.loss), targets) {
            (Some(Loss::CrossEntropy { ignore_index, .. }), Targets::Classes(t)) => {
                let (mut right, mut counted) = (0usize, 0usize);
                for (row, &target) in self.output().chunks_exact(flow.width).zip(t.iter()) {
                    if target == ignore_index {
                        continue;
                    }
                    counted += 1;
                    let best = row.iter().enumerate().fold((0, f32::NEG_INFINITY), |b, (c, &v)| if v > b.1 { (c, v) } else { b }).0;
                    right += usize::from(best == target as usize);
                }
                right as f64 / counted as f64
            }
            _ => f64::NAN,
        };
        Ok((loss, accuracy))
    }

    /// The last forward's output (rows × width of its flow).
    pub fn output(&self) -> &[f32] {
        &self.acts[self.nodes.len()]
    }

    /// The loss of the last forward's output against `targets` (no gradient kept).
    pub fn loss(&mut self, targets: &Targets) -> Result<f64, Error> {
        let train = self.train.ok_or_else(not_compiled)?;
        let flow = *self.flows.last().ok_or_else(|| Error::Argument("call forward first".into()))?;
        self.check_targets(train.loss, targets, flow)?;
        let mut d = std::mem::take(&mut self.d_act[0]);
        grow(&mut d, flow.rows() * flow.width)?;
        let value = match (train.loss, targets, flow.seq) {
            (Loss::Ctc { blank, zero_infinity }, Targets::Classes(labels), Some(seq)) => {
                let lengths = (!self.lengths.is_empty()).then_some(&self.lengths[..]);
                let targets = CtcTargets { labels, max_len: labels.len() / flow.batch };
                ctc_loss(self.output(), seq, flow.batch, flow.width, lengths, &targets, blank, zero_infinity, &mut d)
            }
            _ => loss_forward_backward(train.loss, self.output(), targets, flow.width, &mut d),
        };
        self.d_act[0] = d;
        Ok(value)
    }

    fn check_targets(&self, loss: Loss, targets: &Targets, flow: Flow) -> Result<(), Error> {
        let rows = flow.rows();
        match (loss, targets) {
            (Loss::CrossEntropy { ignore_index, .. }, Targets::Classes(t)) => {
                if t.len() != rows {
                    return Err(Error::Shape { what: "targets".into(), expected: format!("{rows} class ids (one per output row)"), actual: format!("{} elements", t.len()) });
                }
                if let Some((at, &c)) = t.iter().enumerate().find(|(_, &c)| c != ignore_index && (c < 0 || c as usize >= flow.width)) {
                    return Err(Error::Argument(format!("targets: class {c} at flat index {at} is outside 0..{} (and is not ignoreIndex {ignore_index})", flow.width)));
                }
                Ok(())
            }
            (Loss::CrossEntropy { .. }, Targets::Values(_)) => Err(Error::Argument("crossEntropy takes Int32 class targets".into())),
            (Loss::Ctc { blank, .. }, Targets::Classes(t)) => {
                if flow.seq.is_none() {
                    return Err(Error::Argument("ctc needs every step's output (the last recurrent layer has returnSequences: false)".into()));
                }
                if blank < 0 || blank as usize >= flow.width {
                    return Err(Error::Argument(format!("ctc: blank {blank} is outside the {} classes", flow.width)));
                }
                if t.is_empty() || !t.len().is_multiple_of(flow.batch) {
                    return Err(Error::Shape { what: "targets".into(), expected: format!("[{}, S] label ids (S ≥ 1)", flow.batch), actual: format!("{} elements", t.len()) });
                }
                let targets = CtcTargets { labels: t, max_len: t.len() / flow.batch };
                for b in 0..flow.batch {
                    if let Some(&l) = targets.row(b).iter().find(|&&l| l == blank || l as usize >= flow.width) {
                        return Err(Error::Argument(format!("ctc targets: sequence {b} has label {l}, outside 0..{} or equal to the blank", flow.width)));
                    }
                }
                Ok(())
            }
            (Loss::Ctc { .. }, Targets::Values(_)) => Err(Error::Argument("ctc takes Int32 label sequences [batch, S]".into())),
            (_, Targets::Classes(_)) => Err(Error::Argument("this loss takes Float32 targets of the output's shape".into())),
            (_, Targets::Values(t)) => {
                if t.len() != rows * flow.width {
                    return Err(Error::Shape { what: "targets".into(), expected: format!("{} elements (the output's)", rows * flow.width), actual: format!("{} elements", t.len()) });
                }
                Ok(())
            }
        }
    }

    /// Forward (training), loss, backward through every layer, clipping and one optimizer step.
    /// Returns the loss before the update. A non-finite loss or gradient norm updates nothing.
    pub fn train_step(&mut self, input: Input, seq: usize, batch: usize, states: Option<&[f32]>, targets: &Targets) -> Result<f64, Error> {
        let rng = self.rng.clone();
        let (loss, _) = self.compute_gradients(input, seq, batch, states, targets)?;
        self.last_loss = loss;
        if let Err(e) = self.apply_own_gradients(loss) {
            self.rng = rng; // nothing of the step remains, not even its dropout draws
            return Err(e);
        }
        Ok(loss)
    }

    /// Forward (training), loss and backward: fills `grads()` and returns (loss, weight), the
    /// weight being the number of terms the loss averages (elements, or targets not ignored),
    /// so that shards of a batch combine into the whole batch's gradient (data parallelism).
    pub fn compute_gradients(&mut self, input: Input, seq: usize, batch: usize, states: Option<&[f32]>, targets: &Targets) -> Result<(f64, f64), Error> {
        let train = self.train.ok_or_else(not_compiled)?;
        // Targets are checked before the forward draws dropout masks, so a rejected call
        // leaves the model's random stream (and everything else) as it was.
        self.check_targets(train.loss, targets, self.output_flow(seq, batch))?;
        let rng = self.rng.clone();
        let result = self.forward(input, seq, batch, states, true).and_then(|_| self.loss(targets)).and_then(|loss| self.backward().map(|_| loss));
        let loss = match result {
            Ok(loss) if loss.is_finite() => loss,
            Ok(loss) => {
                self.rng = rng;
                return Err(Error::NonFinite(format!("the loss is {loss}: no update was applied")));
            }
            Err(e) => {
                self.rng = rng;
                return Err(e);
            }
        };
        let weight = match (train.loss, targets) {
            (Loss::CrossEntropy { ignore_index, .. }, Targets::Classes(t)) => t.iter().filter(|&&c| c != ignore_index).count() as f64,
            (Loss::Ctc { .. }, _) => batch as f64, // a mean over sequences
            (_, Targets::Values(t)) => t.len() as f64,
            _ => 0.0,
        };
        Ok((loss, weight))
    }

    /// grads = Σ_k (w_k / Σw) · shard_k (each shard a full gradient arena, as `compute_gradients`
    /// leaves it), then clipping and one optimizer step: the update of the whole batch.
    /// `loss` is the combined loss, checked for finiteness with the gradient norm.
    pub fn apply_gradients(&mut self, shards: &[f32], weights: &[f64], loss: f64) -> Result<(), Error> {
        let n = self.grads.len();
        if shards.len() != n * weights.len() || weights.is_empty() {
            return Err(Error::Shape { what: "gradient shards".into(), expected: format!("{} arenas of {n} values", weights.len()), actual: format!("{} values", shards.len()) });
        }
        let total: f64 = weights.iter().sum();
        self.grads.fill(0.0);
        for (shard, &w) in shards.chunks_exact(n).zip(weights) {
            let scale = if total > 0.0 { (w / total) as f32 } else { 0.0 };
            self.grads.iter_mut().zip(shard).for_each(|(g, &s)| *g += scale * s);
        }
        self.apply_own_gradients(loss)
    }

    /// Clipping, the finiteness check and one optimizer step on `grads()`.
    fn apply_own_gradients(&mut self, loss: f64) -> Result<(), Error> {
        let train = self.train.ok_or_else(not_compiled)?;
        let norm = if let Some(max) = train.clip_grad_norm { clip_grad_norm(&mut self.grads, max) } else { self.grads.iter().map(|&g| (g as f64) * (g as f64)).sum::<f64>().sqrt() };
        self.last_grad_norm = norm;
        if !loss.is_finite() || !norm.is_finite() {
            return Err(Error::NonFinite(format!("the loss is {loss} and the gradient norm {norm}: no update was applied")));
        }
        if let Some(v) = train.clip_grad_value {
            clip_grad_value(&mut self.grads, v);
        }
        self.steps += 1;
        train.optimizer.step(&mut self.params, &self.grads, &mut self.state, self.steps);
        self.mark_weights_changed();
        Ok(())
    }

    /// Backpropagates d_act[0] (d loss / d output) through every layer into `grads`.
    fn backward(&mut self) -> Result<(), Error> {
        let n = self.nodes.len();
        let mut dy = std::mem::take(&mut self.d_act[0]);
        let mut dx = std::mem::take(&mut self.d_act[1]);
        for i in (0..n).rev() {
            let flow_in = self.flows[i];
            let x = &self.acts[i];
            grow(&mut dx, flow_in.rows() * flow_in.width)?;
            match &mut self.nodes[i] {
                Node::Embedding { dim, w } => {
                    embedding::embedding_backward(&mut self.grads[w.clone()], &self.ids, &dy, *dim);
                }
                Node::Recurrent { nets, params, rows, merge, dropout, masks, dirs, size, .. } => {
                    let (t, batch) = (flow_in.seq.unwrap_or(1), flow_in.batch);
                    // The output gradient of the top layer, over every step.
                    let d_seq = &mut self.seq_grad;
                    let shape = SeqShape { steps: t, batch, dirs: *dirs, size: *size, lengths: &self.lengths };
                    grow(d_seq, t * batch * *dirs * *size)?;
                    let top = nets.last().expect("a recurrent node has a layer");
                    scatter_and_unmerge(d_seq, &dy, top.output(), &shape, *rows, *merge);
                    for l in (0..nets.len()).rev() {
                        let range = params[l].clone();
                        let (p, g) = (&self.params[range.clone()], &mut self.grads[range]);
                        nets[l].backward_with(p, g, Some(d_seq), None, None)?;
                        let d_input = nets[l].d_input();
                        grow(d_seq, d_input.len())?;
                        d_seq.copy_from_slice(d_input);
                        if l > 0 && *dropout > 0.0 {
                            let mask = &masks[l - 1];
                            d_seq.iter_mut().zip(mask).for_each(|(d, m)| *d *= m);
                        }
                    }
                    dx.copy_from_slice(d_seq);
                }
                Node::Dense { input, output, w, b } => {
                    let (w, b) = (w.clone(), b.clone());
                    let (dw, db) = split_two(&mut self.grads, w.clone(), b);
                    dense::dense_backward(Some(&mut dx), dw, db, &dy, x, &self.params[w], flow_in.rows(), *input, *output, &mut self.gemm);
                }
                Node::LayerNorm { width, gamma, beta, mean, rstd, .. } => {
                    let gamma_v = gamma.clone().map(|g| &self.params[g]);
                    let (dg, db) = match (gamma.clone(), beta.clone()) {
                        (Some(g), b) => {
                            let (dg, db) = split_two(&mut self.grads, g, b);
                            (Some(dg), db)
                        }
                        _ => (None, None),
                    };
                    layer_norm::layer_norm_backward(&mut dx, dg, db, &dy, x, mean, rstd, gamma_v, *width);
                }
                Node::Dropout { p, mask } => {
                    if *p > 0.0 {
                        dropout::dropout_backward(&mut dx, &dy, mask);
                    } else {
                        dx.copy_from_slice(&dy);
                    }
                }
                Node::Activation(f) => f.backward(&mut dx, &dy, x, &self.acts[i + 1], flow_in.width),
            }
            std::mem::swap(&mut dy, &mut dx);
        }
        self.d_act = [dy, dx];
        Ok(())
    }
}

/// Two disjoint ranges of `v` (the second optional), in order.
fn split_two(v: &mut [f32], a: Range<usize>, b: Option<Range<usize>>) -> (&mut [f32], Option<&mut [f32]>) {
    match b {
        None => (&mut v[a], None),
        Some(b) => {
            let (head, tail) = v.split_at_mut(b.start);
            (&mut head[a], Some(&mut tail[..b.len()]))
        }
    }
}

/// Scalars in one layer's parameters (None on overflow).
fn spec_params(spec: &LayerSpec) -> Option<u64> {
    match *spec {
        LayerSpec::Embedding { num, dim } => (num as u64).checked_mul(dim as u64),
        LayerSpec::Dense { input, output, bias } => (input as u64).checked_mul(output as u64)?.checked_add(if bias { output as u64 } else { 0 }),
        LayerSpec::LayerNorm { width, affine, .. } => Some(if affine { 2 * width as u64 } else { 0 }),
        LayerSpec::Dropout { .. } | LayerSpec::Activation(_) => Some(0),
        LayerSpec::Recurrent { cfg, .. } => Some(crate::network::params::param_specs_len(&cfg)),
    }
}

/// Resizes `v` to `len`, failing with E_TOO_LARGE (not a trap) when the instance's budget or
/// the allocator cannot take the growth.
fn grow(v: &mut Vec<f32>, len: usize) -> Result<(), Error> {
    if len > v.capacity() {
        let need = crate::memory::MemoryNeed { activations: 4 * len as u64, ..Default::default() };
        crate::memory::check_budget(&need)?;
        v.try_reserve_exact(len - v.len()).map_err(|_| Error::TooLarge {
            need: 4 * len as u64,
            in_use: crate::memory::bytes_in_use(),
            budget: crate::memory::INSTANCE_BUDGET_BYTES,
            detail: "a model buffer".into(),
        })?;
    }
    v.resize(len, 0.0);
    Ok(())
}

fn check_dims(dims: &[(&str, usize)]) -> Result<(), Error> {
    for &(name, v) in dims {
        if v == 0 || v > 1 << 20 {
            return Err(Error::InvalidConfig(format!("{name} must be an integer in 1..=1048576, got {v}")));
        }
    }
    Ok(())
}

fn not_compiled() -> Error {
    Error::Argument("call compile({ loss, optimizer }) before training or evaluating".into())
}

#[cfg(test)]
mod tests;
