//! Page-dump parser (`ingest::pagedump::parse`) on arbitrary text: shape detection,
//! header labels, glue recovery, chrome stripping. Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = coindex::ingest::pagedump::parse(&text);
});
