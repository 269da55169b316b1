//! NDJSON/JSONL exports (`ingest::records::parse_ndjson`) and the NDJSON sniffer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coindex::ingest::records::looks_like_ndjson(&text);
    let _ = coindex::ingest::records::parse_ndjson(&text, &[]);
});
