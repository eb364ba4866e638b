use super::reference::gemm_naive;
use super::*;
use crate::rng::Rng;

fn random(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

/// Optimized vs reference over odd shapes, transposed operands, strided C, both beta modes.
#[test]
fn gemm_matches_reference_on_odd_shapes() {
    let mut rng = Rng::new(7);
    let mut scratch = GemmScratch::default();
    let sizes = [1usize, 2, 3, 4, 5, 7, 8, 9, 17, 33, 65, 300];
    for &m in &sizes {
        for &n in &[1usize, 3, 8, 13, 33, 70] {
            for &k in &[1usize, 5, 16, 257, 513] {
                for (trans_a, trans_b, accumulate, prepacked) in [(false, false, false, true), (true, false, true, false), (false, true, false, false), (true, true, true, true)] {
                    let a_data = random(m * k, &mut rng);
                    let b_data = random(k * n, &mut rng);
                    let a = if trans_a { MatRef::new(&a_data, k, m).t() } else { MatRef::new(&a_data, m, k) };
                    let b = if trans_b { MatRef::new(&b_data, n, k).t() } else { MatRef::new(&b_data, k, n) };
                    let ldc = n + 3;
                    let init = random(m * ldc, &mut rng);
                    let mut want = init.clone();
                    gemm_naive(MatMut::strided(&mut want, m, n, ldc), a, b, accumulate);
                    let mut got = init.clone();
                    let packed;
                    let rhs = if prepacked {
                        packed = PackedB::from_view(b);
                        Rhs::Packed(&packed)
                    } else {
                        Rhs::View(b)
                    };
                    gemm(MatMut::strided(&mut got, m, n, ldc), a, rhs, accumulate, &mut scratch);
                    for (idx, (g, w)) in got.iter().zip(&want).enumerate() {
                        let tol = 1e-5 * (k as f32).sqrt() * 2.0;
                        assert!((g - w).abs() <= tol, "m={m} n={n} k={k} ta={trans_a} tb={trans_b} acc={accumulate}: [{idx}] {g} vs {w}");
                    }
                }
            }
        }
    }
}

#[test]
fn gemm_with_zero_depth_clears_or_keeps() {
    let mut scratch = GemmScratch::default();
    let mut c = vec![5.0f32; 6];
    let empty: [f32; 0] = [];
    gemm(MatMut::new(&mut c, 2, 3), MatRef::new(&empty, 2, 0), Rhs::View(MatRef::new(&empty, 0, 3)), true, &mut scratch);
    assert_eq!(c, vec![5.0; 6]);
    gemm(MatMut::new(&mut c, 2, 3), MatRef::new(&empty, 2, 0), Rhs::View(MatRef::new(&empty, 0, 3)), false, &mut scratch);
    assert_eq!(c, vec![0.0; 6]);
}
