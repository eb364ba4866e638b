/** The three builds of the wasm core (see scripts/build-wasm.sh), fastest first. */
export type Variant = 'relaxed' | 'simd' | 'scalar';

/** All variants in order of preference: `init()` picks the first the engine can run. */
export const VARIANTS: readonly Variant[] = Object.freeze(['relaxed', 'simd', 'scalar'] as const);

export function isVariant(value: unknown): value is Variant {
  return typeof value === 'string' && (VARIANTS as readonly string[]).includes(value);
}
