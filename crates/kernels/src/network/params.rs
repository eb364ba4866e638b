//! The parameter arena: every tensor of the network in one allocation, in PyTorch's order and
//! names (`weight_ih_l{k}{_reverse}`, `weight_hh_…`, `bias_ih_…`, `bias_hh_…`, `weight_hr_…`).

use super::config::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    WeightIh,
    WeightHh,
    BiasIh,
    BiasHh,
    WeightHr,
}

#[derive(Clone, Debug)]
pub struct ParamSpec {
    pub name: String,
    pub shape: Vec<usize>,
    pub offset: usize,
    pub len: usize,
    pub layer: usize,
    pub dir: usize,
    pub kind: ParamKind,
}

/// Scalars in all parameters of `cfg` (without building the specs).
pub fn param_specs_len(cfg: &Config) -> u64 {
    let gh = (cfg.cell.gates() * cfg.hidden_size) as u64;
    let (h, o, p) = (cfg.hidden_size as u64, cfg.out_size() as u64, cfg.proj_size as u64);
    let bias = if cfg.bias { 2 * gh } else { 0 };
    (0..cfg.num_layers).map(|l| cfg.dirs() as u64 * (gh * (cfg.layer_input(l) as u64 + o) + bias + p * h)).sum()
}

/// The specs of all parameters, in PyTorch's `_flat_weights_names` order, with arena offsets.
pub fn param_specs(cfg: &Config) -> Vec<ParamSpec> {
    let gh = cfg.cell.gates() * cfg.hidden_size;
    let mut specs = Vec::new();
    let mut offset = 0;
    for layer in 0..cfg.num_layers {
        for dir in 0..cfg.dirs() {
            let suffix = if dir == 1 { "_reverse" } else { "" };
            let mut kinds = vec![(ParamKind::WeightIh, "weight_ih", vec![gh, cfg.layer_input(layer)]), (ParamKind::WeightHh, "weight_hh", vec![gh, cfg.out_size()])];
            if cfg.bias {
                kinds.push((ParamKind::BiasIh, "bias_ih", vec![gh]));
                kinds.push((ParamKind::BiasHh, "bias_hh", vec![gh]));
            }
            if cfg.proj_size > 0 {
                kinds.push((ParamKind::WeightHr, "weight_hr", vec![cfg.proj_size, cfg.hidden_size]));
            }
            for (kind, stem, shape) in kinds {
                let len = shape.iter().product();
                specs.push(ParamSpec { name: format!("{stem}_l{layer}{suffix}"), shape, offset, len, layer, dir, kind });
                offset += len;
            }
        }
    }
    specs
}
