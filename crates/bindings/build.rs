//! Exports the shadow-stack pointer of the wasm build: after a trap (which unwinds no Rust
//! frame) the JavaScript side resets it to its value between calls, so a trapped call leaks no
//! stack and the instance stays usable (ts/backend/trap.ts).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-cdylib-link-arg=--export=__stack_pointer");
    }
}
