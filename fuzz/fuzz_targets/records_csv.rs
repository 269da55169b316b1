//! CSV and TSV exports (`ingest::records::parse_delimited`): the first byte picks the
//! delimiter, the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let delim = if first & 1 == 0 { b',' } else { b'\t' };
    let text = String::from_utf8_lossy(rest);
    let _ = coindex::ingest::records::parse_delimited(&text, delim, &[]);
});
