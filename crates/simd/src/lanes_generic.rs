//! `F32x4` as `[f32; 4]`: the scalar wasm build and native builds (tests, the "wasm tax" bench).

pub const LANE_IMPL: &str = "scalar";

/// See the wasm32 twin: without vector registers a broadcast is one scalar load either way.
pub const BROADCAST_BY_SHUFFLE: bool = false;

#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct F32x4([f32; 4]);

#[inline(always)]
fn map(a: [f32; 4], f: impl Fn(f32) -> f32) -> [f32; 4] {
    [f(a[0]), f(a[1]), f(a[2]), f(a[3])]
}
#[inline(always)]
fn zip(a: [f32; 4], b: [f32; 4], f: impl Fn(f32, f32) -> f32) -> [f32; 4] {
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
}

impl F32x4 {
    pub const LANES: usize = 4;

    #[inline(always)]
    pub fn splat(x: f32) -> Self {
        Self([x; 4])
    }
    #[inline(always)]
    pub fn zero() -> Self {
        Self([0.0; 4])
    }
    #[inline(always)]
    pub fn load(s: &[f32]) -> Self {
        Self([s[0], s[1], s[2], s[3]])
    }
    #[inline(always)]
    pub fn store(self, s: &mut [f32]) {
        s[..4].copy_from_slice(&self.0);
    }
    /// # Safety
    /// `p..p+4` must be readable.
    #[inline(always)]
    pub unsafe fn load_ptr(p: *const f32) -> Self {
        Self([*p, *p.add(1), *p.add(2), *p.add(3)])
    }
    /// # Safety
    /// `p` must be readable.
    #[inline(always)]
    pub unsafe fn splat_ptr(p: *const f32) -> Self {
        Self([*p; 4])
    }
    #[inline(always)]
    pub fn add(self, o: Self) -> Self {
        Self(zip(self.0, o.0, |a, b| a + b))
    }
    #[inline(always)]
    pub fn sub(self, o: Self) -> Self {
        Self(zip(self.0, o.0, |a, b| a - b))
    }
    #[inline(always)]
    pub fn mul(self, o: Self) -> Self {
        Self(zip(self.0, o.0, |a, b| a * b))
    }
    #[inline(always)]
    pub fn div(self, o: Self) -> Self {
        Self(zip(self.0, o.0, |a, b| a / b))
    }
    /// `self * b + c`, unfused (as the non-relaxed SIMD build).
    #[inline(always)]
    pub fn mul_add(self, b: Self, c: Self) -> Self {
        self.mul(b).add(c)
    }
    /// Lane-wise minimum as wasm `f32x4.min`: NaN if either lane is NaN, −0 below +0.
    #[inline(always)]
    pub fn min(self, o: Self) -> Self {
        Self(zip(self.0, o.0, |a, b| {
            if a < b || (a == b && a.is_sign_negative()) {
                a
            } else if b <= a {
                b
            } else {
                a + b
            }
        }))
    }
    /// Lane-wise maximum as wasm `f32x4.max`: NaN if either lane is NaN, +0 above −0.
    #[inline(always)]
    pub fn max(self, o: Self) -> Self {
        Self(zip(self.0, o.0, |a, b| {
            if a > b || (a == b && a.is_sign_positive()) {
                a
            } else if b >= a {
                b
            } else {
                a + b
            }
        }))
    }
    #[inline(always)]
    pub fn abs(self) -> Self {
        Self(map(self.0, f32::abs))
    }
    #[inline(always)]
    pub fn neg(self) -> Self {
        Self(map(self.0, |a| -a))
    }
    #[inline(always)]
    pub fn with_sign_of(self, sign: Self) -> Self {
        Self(zip(self.0, sign.0, |a, s| f32::from_bits(a.to_bits() | (s.to_bits() & 0x8000_0000))))
    }
    #[inline(always)]
    pub fn select_lt(self, o: Self, a: Self, b: Self) -> Self {
        let mut r = b.0;
        for (i, lane) in r.iter_mut().enumerate() {
            if self.0[i] < o.0[i] {
                *lane = a.0[i];
            }
        }
        Self(r)
    }
    #[inline(always)]
    pub fn positive_or_zero(self, a: Self) -> Self {
        Self(zip(self.0, a.0, |x, a| if x > 0.0 { a } else { 0.0 }))
    }
    #[inline(always)]
    pub fn round_and_exp2(self) -> (Self, Self) {
        let n = map(self.0, |x| x.round_ties_even());
        let p = map(n, |n| f32::from_bits((((n as i32) + 127) as u32) << 23));
        (Self(n), Self(p))
    }
    /// The 4×4 transpose of four rows: lane j of result i is lane i of row j.
    #[inline(always)]
    pub fn transpose4(rows: [Self; 4]) -> [Self; 4] {
        core::array::from_fn(|i| Self(core::array::from_fn(|j| rows[j].0[i])))
    }
    #[inline(always)]
    pub fn broadcast_lane<const L: usize>(self) -> Self {
        Self([self.0[L]; 4])
    }
    #[inline(always)]
    pub fn reduce_sum(self) -> f32 {
        self.0[0] + self.0[1] + self.0[2] + self.0[3]
    }
}
