//! JSON exports (`ingest::records::parse_json`): one object, arrays, nested record
//! lists, wrong types, deep nesting; with and without a `--map` override.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coindex::ingest::records::parse_json(&text, &[]);
    let map = vec![
        ("title".to_string(), "a.b".to_string()),
        ("body".to_string(), "c".to_string()),
    ];
    let _ = coindex::ingest::records::parse_json(&text, &map);
});
