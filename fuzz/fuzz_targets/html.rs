//! HTML parser (`ingest::html::parse`): nesting cap, JSON-LD, OpenGraph, chrome
//! removal, heuristics; also the fragment-to-text path used for HTML inside records.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coindex::ingest::html::parse(&text);
    let _ = coindex::ingest::html::fragment_text(&text);
});
