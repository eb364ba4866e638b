/**
 * WebAssembly feature detection by validating tiny hand-made modules (the technique of the
 * npm package wasm-feature-detect): an engine that does not know an opcode rejects the module.
 * Validation compiles nothing, so it is cheap and allowed everywhere (also in workerd, which
 * forbids compiling from bytes).
 */

/**
 * `(func (result v128) (i8x16.popcnt (i8x16.splat (i32.const 0))))`, a simd128 opcode.
 * Bytes: magic+version; type section [() -> v128]; function section [type 0];
 * code section: 0 locals, i32.const 0, i8x16.splat (0xfd 0x0f), i8x16.popcnt (0xfd 0x62), end.
 */
const SIMD128_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0a, 0x01, 0x08, 0x00,
  0x41, 0x00, 0xfd, 0x0f,
  0xfd, 0x62,
  0x0b,
]);

/**
 * `(func (result v128) (f32x4.relaxed_madd (splat 0) (splat 0) (splat 0)))`: the relaxed-simd
 * opcode the kernels rely on (0xfd 0x85 0x02 = 0x105, f32x4.relaxed_madd).
 * Node 20 / V8 11.3 rejects it unless run with --experimental-wasm-relaxed-simd.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x13, 0x01, 0x11, 0x00,
  0x41, 0x00, 0xfd, 0x0f,
  0x41, 0x00, 0xfd, 0x0f,
  0x41, 0x00, 0xfd, 0x0f,
  0xfd, 0x85, 0x02,
  0x0b,
]);

export interface WasmFeatures {
  /** `WebAssembly` exists at all. */
  readonly wasm: boolean;
  /** Fixed-width SIMD (simd128). */
  readonly simd: boolean;
  /** Relaxed SIMD (needs simd128 too). */
  readonly relaxedSimd: boolean;
}

function validates(bytes: BufferSource): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** What the running engine supports. Not cached, so tests can stub `WebAssembly.validate`. */
export function detectFeatures(): WasmFeatures {
  const wasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const simd = wasm && validates(SIMD128_PROBE);
  const relaxedSimd = simd && validates(RELAXED_SIMD_PROBE);
  return { wasm, simd, relaxedSimd };
}
