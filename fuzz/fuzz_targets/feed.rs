//! RSS and Atom feeds (`ingest::feed::parse`): entities (never expanded), encodings in
//! the prolog, truncated XML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coindex::ingest::feed::parse(&text);
});
