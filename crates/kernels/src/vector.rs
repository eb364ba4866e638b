//! Whole-buffer vector operations used outside the cells (e.g. summing worker gradients).

use wasm_rnn_simd::{load_partial, store_partial};

/// dst += src, lane-wise. Lengths must match (checked by callers).
pub fn add_assign(dst: &mut [f32], src: &[f32]) {
    for (d, s) in dst.chunks_mut(4).zip(src.chunks(4)) {
        store_partial(load_partial(d).add(load_partial(s)), d);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn add_assign_with_tail() {
        let mut a = vec![1.0f32; 7];
        super::add_assign(&mut a, &[0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]);
        assert_eq!(a, vec![1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]);
    }
}
