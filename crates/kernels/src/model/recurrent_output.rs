//! What a recurrent node of a model passes on: every step or one row per sequence, and for a
//! bidirectional layer its two directions concatenated or merged (Keras' `merge_mode`).
//!
//! The top stacked layer's output is (T·B, D·O) rows, each [forward O | backward O]. One row per
//! sequence is either the last step's row (PyTorch's `output[-1]`; with lengths, the sequence's
//! own last step) or each direction's final state (PyTorch's `h_n`, Keras' `return_sequences=False`):
//! the forward half at the last step, the backward half at step 0, where the backward direction
//! ends. Merging: concat y = [f | b]; sum y = f + b; ave y = (f + b)/2; mul y = f ⊙ b.

/// How a bidirectional layer combines its two directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    Concat,
    Sum,
    Ave,
    Mul,
}

impl Merge {
    pub fn from_code(code: u32) -> Option<Merge> {
        Some(match code {
            0 => Merge::Concat,
            1 => Merge::Sum,
            2 => Merge::Ave,
            3 => Merge::Mul,
            _ => return None,
        })
    }
}

/// Which rows leave the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// Every step: T·B rows.
    Sequence,
    /// The last step's row of each sequence.
    LastStep,
    /// Each direction's final state (the backward direction's is at step 0).
    FinalStates,
}

/// Sizes of the top layer's output sequence.
#[derive(Clone, Copy, Debug)]
pub struct SeqShape<'a> {
    pub steps: usize,
    pub batch: usize,
    /// Directions (1 or 2).
    pub dirs: usize,
    /// Features per direction.
    pub size: usize,
    /// Each sequence's length (empty: all `steps`).
    pub lengths: &'a [usize],
}

impl SeqShape<'_> {
    /// The sequence row that direction `d` of sequence `b` contributes to the one-row output.
    fn row_of(&self, rows: Rows, b: usize, d: usize) -> usize {
        let last = self.lengths.get(b).map_or(self.steps, |&n| n) - 1;
        let step = if rows == Rows::FinalStates && d == 1 { 0 } else { last };
        step * self.batch + b
    }
    /// Width of the node's output rows.
    pub fn out_width(&self, merge: Merge) -> usize {
        merged_width(self.dirs, self.size, merge)
    }
}

/// Features per row a recurrent node passes on: D·O concatenated, O merged.
pub fn merged_width(dirs: usize, size: usize, merge: Merge) -> usize {
    if dirs == 2 && merge != Merge::Concat {
        size
    } else {
        dirs * size
    }
}

/// y (rows × out_width) from the sequence `seq` (T·B × D·O).
pub fn select_and_merge(y: &mut [f32], seq: &[f32], s: &SeqShape, rows: Rows, merge: Merge) {
    let (o, w) = (s.size, s.dirs * s.size);
    let out_w = s.out_width(merge);
    let row_count = if rows == Rows::Sequence { s.steps * s.batch } else { s.batch };
    for r in 0..row_count {
        let source = |d: usize| -> &[f32] {
            let at = if rows == Rows::Sequence { r } else { s.row_of(rows, r, d) };
            &seq[at * w + d * o..][..o]
        };
        let out = &mut y[r * out_w..][..out_w];
        if s.dirs == 1 || merge == Merge::Concat {
            for d in 0..s.dirs {
                out[d * o..][..o].copy_from_slice(source(d));
            }
            continue;
        }
        let (f, b) = (source(0), source(1));
        for ((y, &f), &b) in out.iter_mut().zip(f).zip(b) {
            *y = match merge {
                Merge::Sum => f + b,
                Merge::Ave => (f + b) * 0.5,
                Merge::Mul => f * b,
                Merge::Concat => unreachable!(),
            };
        }
    }
}

/// d_seq (T·B × D·O) from dy (rows × out_width): the gradient of `select_and_merge` with respect
/// to its sequence (zero at rows that were not selected). `seq` is the forward's sequence (mul).
pub fn scatter_and_unmerge(d_seq: &mut [f32], dy: &[f32], seq: &[f32], s: &SeqShape, rows: Rows, merge: Merge) {
    let (o, w) = (s.size, s.dirs * s.size);
    let out_w = s.out_width(merge);
    if rows != Rows::Sequence {
        d_seq.fill(0.0);
    }
    let row_count = if rows == Rows::Sequence { s.steps * s.batch } else { s.batch };
    for r in 0..row_count {
        let at = |d: usize| if rows == Rows::Sequence { r } else { s.row_of(rows, r, d) };
        let g = &dy[r * out_w..][..out_w];
        if s.dirs == 1 || merge == Merge::Concat {
            for d in 0..s.dirs {
                d_seq[at(d) * w + d * o..][..o].copy_from_slice(&g[d * o..][..o]);
            }
            continue;
        }
        for d in 0..2 {
            // ∂y/∂f = 1 (sum), ½ (ave), b (mul); ∂y/∂b likewise with f.
            let other = 1 - d;
            let other_row = &seq[at(other) * w + other * o..][..o];
            let target = &mut d_seq[at(d) * w + d * o..][..o];
            for ((t, &g), &v) in target.iter_mut().zip(g).zip(other_row) {
                *t = match merge {
                    Merge::Sum => g,
                    Merge::Ave => g * 0.5,
                    Merge::Mul => g * v,
                    Merge::Concat => unreachable!(),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σ dy·y as a function of the sequence, for central differences.
    fn objective(seq: &[f32], dy: &[f32], s: &SeqShape, rows: Rows, merge: Merge) -> f64 {
        let n = if rows == Rows::Sequence { s.steps * s.batch } else { s.batch } * s.out_width(merge);
        let mut y = vec![0.0; n];
        select_and_merge(&mut y, seq, s, rows, merge);
        y.iter().zip(dy).map(|(&a, &b)| a as f64 * b as f64).sum()
    }

    #[test]
    fn gradient_matches_central_differences() {
        let lengths = [3usize, 1, 2];
        for dirs in [1, 2] {
            for rows in [Rows::Sequence, Rows::LastStep, Rows::FinalStates] {
                for merge in [Merge::Concat, Merge::Sum, Merge::Ave, Merge::Mul] {
                    for lens in [&lengths[..], &[][..]] {
                        let s = SeqShape { steps: 3, batch: 3, dirs, size: 2, lengths: lens };
                        let seq: Vec<f32> = (0..s.steps * s.batch * dirs * 2).map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.3).collect();
                        let n = if rows == Rows::Sequence { 9 } else { 3 } * s.out_width(merge);
                        let dy: Vec<f32> = (0..n).map(|i| ((i * 5 % 13) as f32 - 6.0) * 0.25).collect();
                        let mut d_seq = vec![f32::NAN; seq.len()];
                        scatter_and_unmerge(&mut d_seq, &dy, &seq, &s, rows, merge);
                        for i in 0..seq.len() {
                            let (mut p, mut m) = (seq.clone(), seq.clone());
                            p[i] += 0.25;
                            m[i] -= 0.25;
                            let numeric = (objective(&p, &dy, &s, rows, merge) - objective(&m, &dy, &s, rows, merge)) / 0.5;
                            assert!((numeric - d_seq[i] as f64).abs() < 1e-5, "dirs {dirs} {rows:?} {merge:?} lengths {lens:?} element {i}: {} vs {numeric}", d_seq[i]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn final_states_take_the_backward_half_from_step_zero() {
        // 2 steps, 1 sequence, 2 directions of size 1: rows [f0 b0], [f1 b1].
        let seq = [1.0, 10.0, 2.0, 20.0];
        let s = SeqShape { steps: 2, batch: 1, dirs: 2, size: 1, lengths: &[] };
        let mut y = [0.0; 2];
        select_and_merge(&mut y, &seq, &s, Rows::LastStep, Merge::Concat);
        assert_eq!(y, [2.0, 20.0]);
        select_and_merge(&mut y, &seq, &s, Rows::FinalStates, Merge::Concat);
        assert_eq!(y, [2.0, 10.0]);
        let mut one = [0.0; 1];
        select_and_merge(&mut one, &seq, &s, Rows::FinalStates, Merge::Mul);
        assert_eq!(one, [20.0]);
    }
}
