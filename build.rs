//! Build script:
//! - converts `index_schema/coins.toml` to JSON in `OUT_DIR`: the coin table is read at
//!   every start, and serde_json reads it ~20x faster than the TOML parser (0.6 ms of a
//!   one-shot search); an invalid coin file fails the build instead of the first run;
//! - links the binaries as position-dependent executables on Linux.
//!
//! A position-independent executable must apply ~75,000 relative relocations at every
//! start (timezone, HTML-entity and coin tables are full of pointers), which faults in
//! and copies ~2 MB of pages: about 4 ms of a one-shot `coindex search`. Linking with
//! `-no-pie` resolves them at link time. Only this package's binaries are affected; the
//! code is still compiled position-independent, so tests and libraries are unchanged.
fn main() {
    let coins = std::fs::read_to_string("index_schema/coins.toml")
        .expect("index_schema/coins.toml is readable");
    let value: serde_json::Value =
        toml::from_str(&coins).expect("index_schema/coins.toml is valid TOML");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR is set"));
    std::fs::write(out.join("coins.json"), value.to_string()).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=index_schema/coins.toml");

    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
