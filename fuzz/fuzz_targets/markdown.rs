//! Markdown with YAML/TOML front matter (`ingest::markdown::parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coindex::ingest::markdown::parse(&text, &[]);
});
