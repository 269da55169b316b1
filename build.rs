//! Build script: link the binaries as position-dependent executables on Linux.
//!
//! A position-independent executable must apply ~75,000 relative relocations at every
//! start (timezone, HTML-entity and coin tables are full of pointers), which faults in
//! and copies ~2 MB of pages: about 4 ms of a one-shot `coindex search`. Linking with
//! `-no-pie` resolves them at link time. Only this package's binaries are affected; the
//! code is still compiled position-independent, so tests and libraries are unchanged.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
