//! `F32x4` on wasm simd128; `mul_add` uses relaxed fused multiply-add when the build enables it.
use core::arch::wasm32::*;

#[cfg(target_feature = "relaxed-simd")]
pub const LANE_IMPL: &str = "wasm32-relaxed-simd";
#[cfg(not(target_feature = "relaxed-simd"))]
pub const LANE_IMPL: &str = "wasm32-simd128";

/// Whether a register tile should broadcast its A values with lane shuffles (one vector load
/// for four values) rather than one `load32_splat` each. Shuffles share an execution port with
/// the vector adds: where `mul_add` is a fused instruction that port is otherwise idle, where it
/// is a multiply plus an add the adds need it. (Measured on the LSTM at L: relaxed build equal
/// or 3% faster with shuffles, SIMD build 17% faster with splats.)
pub const BROADCAST_BY_SHUFFLE: bool = cfg!(target_feature = "relaxed-simd");

#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct F32x4(v128);

impl F32x4 {
    pub const LANES: usize = 4;

    #[inline(always)]
    pub fn splat(x: f32) -> Self {
        Self(f32x4_splat(x))
    }
    #[inline(always)]
    pub fn zero() -> Self {
        Self(f32x4_splat(0.0))
    }
    /// Loads lanes from `s[0..4]`; panics (in debug) if `s` is shorter.
    #[inline(always)]
    pub fn load(s: &[f32]) -> Self {
        assert!(s.len() >= 4);
        // SAFETY: the slice holds at least four f32s; v128_load has no alignment requirement.
        Self(unsafe { v128_load(s.as_ptr() as *const v128) })
    }
    #[inline(always)]
    pub fn store(self, s: &mut [f32]) {
        assert!(s.len() >= 4);
        // SAFETY: as in `load`.
        unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
    }
    /// Loads four lanes from `p`.
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub unsafe fn load_ptr(p: *const f32) -> Self {
        Self(v128_load(p as *const v128))
    }
    /// Broadcasts `*p` to all lanes (one `v128.load32_splat`).
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub unsafe fn splat_ptr(p: *const f32) -> Self {
        Self(v128_load32_splat(p as *const u32))
    }
    #[inline(always)]
    pub fn add(self, o: Self) -> Self {
        Self(f32x4_add(self.0, o.0))
    }
    #[inline(always)]
    pub fn sub(self, o: Self) -> Self {
        Self(f32x4_sub(self.0, o.0))
    }
    #[inline(always)]
    pub fn mul(self, o: Self) -> Self {
        Self(f32x4_mul(self.0, o.0))
    }
    #[inline(always)]
    pub fn div(self, o: Self) -> Self {
        Self(f32x4_div(self.0, o.0))
    }
    /// `self * b + c`, fused where relaxed SIMD is enabled.
    #[inline(always)]
    pub fn mul_add(self, b: Self, c: Self) -> Self {
        #[cfg(target_feature = "relaxed-simd")]
        {
            Self(f32x4_relaxed_madd(self.0, b.0, c.0))
        }
        #[cfg(not(target_feature = "relaxed-simd"))]
        {
            Self(f32x4_add(f32x4_mul(self.0, b.0), c.0))
        }
    }
    /// Lane-wise minimum, NaN if either lane is NaN (wasm `f32x4.min`). Not `pmin`: with
    /// relaxed SIMD enabled LLVM turns `pmin` into `relaxed_min`, whose NaN result is
    /// implementation-defined (x86 returns the other operand), so NaN would vanish in one build.
    #[inline(always)]
    pub fn min(self, o: Self) -> Self {
        Self(f32x4_min(self.0, o.0))
    }
    /// Lane-wise maximum, NaN if either lane is NaN (wasm `f32x4.max`; see [`Self::min`]).
    #[inline(always)]
    pub fn max(self, o: Self) -> Self {
        Self(f32x4_max(self.0, o.0))
    }
    #[inline(always)]
    pub fn abs(self) -> Self {
        Self(f32x4_abs(self.0))
    }
    #[inline(always)]
    pub fn neg(self) -> Self {
        Self(f32x4_neg(self.0))
    }
    /// Copies the sign bit of `sign` onto `self` (which must be non-negative).
    #[inline(always)]
    pub fn with_sign_of(self, sign: Self) -> Self {
        let sign_bit = v128_and(sign.0, u32x4_splat(0x8000_0000));
        Self(v128_or(self.0, sign_bit))
    }
    /// Lane-wise `if self < o { a } else { b }`.
    #[inline(always)]
    pub fn select_lt(self, o: Self, a: Self, b: Self) -> Self {
        Self(v128_bitselect(a.0, b.0, f32x4_lt(self.0, o.0)))
    }
    /// Lane-wise `if self > 0 { a } else { 0 }`.
    #[inline(always)]
    pub fn positive_or_zero(self, a: Self) -> Self {
        Self(v128_and(a.0, f32x4_gt(self.0, f32x4_splat(0.0))))
    }
    /// Rounds to nearest integer (ties to even) and converts to i32 lanes, then scales by 2^n.
    /// Returns (round(self) as f32, 2^round(self) as f32); `self` must lie in [-126, 127].
    #[inline(always)]
    pub fn round_and_exp2(self) -> (Self, Self) {
        let n = f32x4_nearest(self.0);
        let ni = i32x4_trunc_sat_f32x4(n);
        let bits = i32x4_shl(i32x4_add(ni, i32x4_splat(127)), 23);
        (Self(n), Self(bits))
    }
    /// The 4×4 transpose of four rows: lane j of result i is lane i of row j.
    #[inline(always)]
    pub fn transpose4(rows: [Self; 4]) -> [Self; 4] {
        let [a, b, c, d] = rows.map(|r| r.0);
        let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a, b); // a0 b0 a1 b1
        let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a, b); // a2 b2 a3 b3
        let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c, d);
        let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c, d);
        [
            Self(i64x2_shuffle::<0, 2>(ab_lo, cd_lo)), // a0 b0 c0 d0
            Self(i64x2_shuffle::<1, 3>(ab_lo, cd_lo)),
            Self(i64x2_shuffle::<0, 2>(ab_hi, cd_hi)),
            Self(i64x2_shuffle::<1, 3>(ab_hi, cd_hi)),
        ]
    }
    /// Lane `L` broadcast to all lanes (one shuffle).
    #[inline(always)]
    pub fn broadcast_lane<const L: usize>(self) -> Self {
        Self(match L {
            0 => i32x4_shuffle::<0, 0, 0, 0>(self.0, self.0),
            1 => i32x4_shuffle::<1, 1, 1, 1>(self.0, self.0),
            2 => i32x4_shuffle::<2, 2, 2, 2>(self.0, self.0),
            _ => i32x4_shuffle::<3, 3, 3, 3>(self.0, self.0),
        })
    }
    #[inline(always)]
    pub fn reduce_sum(self) -> f32 {
        f32x4_extract_lane::<0>(self.0) + f32x4_extract_lane::<1>(self.0) + f32x4_extract_lane::<2>(self.0) + f32x4_extract_lane::<3>(self.0)
    }
}
