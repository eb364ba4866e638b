//! Link-time stubs for the wasm32-wasip1 unit-test binaries of scripts/test-wasm-kernels.sh.
//!
//! Compiled on its own (`rustc --target wasm32-wasip1 --emit=obj`, no core needed, hence
//! `no_core`) and handed to wasm-ld next to Debian's wasi-libc, which lacks two things that
//! Rust 1.96's std for wasm32-wasip1 expects from the wasi-sdk it is normally linked with:
//!
//! - `__cpp_exception`: the exception tag that `-C panic=unwind` code throws and catches (wasm
//!   exception handling). Rust defines it itself only on wasm32-unknown-unknown; on WASI it comes
//!   from wasi-sdk's libunwind. One i32 (a pointer to the exception object), as LLVM expects.
//! - `pthread_join` / `pthread_detach`: referenced by std's thread code, which newer wasi-libc
//!   backs with single-threaded stubs. The tests run with `--test-threads=1` and spawn no
//!   threads, so these are never called; if they were, they return ENOTSUP (58) and std panics.
//!
//! All three are weak: a wasi-libc that does define them wins.
#![feature(no_core, rustc_attrs, decl_macro, asm_experimental_arch)]
#![allow(internal_features)]
#![no_core]
#![crate_type = "lib"]

#[rustc_builtin_macro]
macro global_asm($($t:tt)*) { /* compiler built-in */ }

global_asm!(
    ".weak __cpp_exception",
    ".tagtype __cpp_exception i32",
    "__cpp_exception:",
    //
    ".weak pthread_join",
    ".type pthread_join,@function",
    "pthread_join:",
    ".functype pthread_join (i32, i32) -> (i32)",
    "i32.const 58",
    "end_function",
    //
    ".weak pthread_detach",
    ".type pthread_detach,@function",
    "pthread_detach:",
    ".functype pthread_detach (i32) -> (i32)",
    "i32.const 58",
    "end_function",
);
