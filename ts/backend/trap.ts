/**
 * What happens when the wasm instance traps (an `unreachable`, an out-of-bounds access: a bug,
 * never the normal path for bad input, which gets a typed error before anything runs).
 *
 * A trap unwinds no Rust frame, so the shadow-stack pointer (the `__stack_pointer` global the
 * module exports for this) stays where the trapped call left it: every trap would leak that
 * much stack until the instance is dead. Between calls no wasm frame is live, so its value
 * then is a constant: read once, and written back after every trap.
 */
import { bindings } from './init';

interface RawExports {
  __stack_pointer?: WebAssembly.Global;
}

let stack: { pointer: WebAssembly.Global; base: number } | undefined;

/** Remembers the stack pointer's value between calls (call it outside any wasm call). */
export function rememberStackBase(): void {
  if (stack !== undefined) return;
  const exports = bindings().initSync(undefined as never) as unknown as RawExports;
  const pointer = exports.__stack_pointer;
  if (pointer instanceof WebAssembly.Global) stack = { pointer, base: pointer.value as number };
}

/** Whether `error` is a trap of the wasm instance (also from another realm). */
export function isTrap(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  const tag = Object.prototype.toString.call(error);
  const name = (error as { name?: unknown } | null)?.name;
  // Stack exhaustion inside wasm surfaces as a RangeError in V8.
  return (tag === '[object Error]' && name === 'RuntimeError') || (error instanceof RangeError && /call stack/i.test(error.message));
}

/** Puts the stack pointer back after a trap, so the instance keeps its whole stack. */
export function recoverFromTrap(): void {
  if (stack !== undefined) stack.pointer.value = stack.base;
}

/** The stack pointer's current value and its value between calls (for tests). */
export function stackPointer(): { current: number; base: number } | undefined {
  return stack === undefined ? undefined : { current: stack.pointer.value as number, base: stack.base };
}
