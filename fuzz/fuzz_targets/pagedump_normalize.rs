//! Page dump parsed and normalized (entities, whitespace, tags, source, dates in New
//! York time, id), as the indexer does it.
#![no_main]

use coindex::normalize::{NormalizeOptions, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let raw = coindex::ingest::pagedump::parse(&text);
    let opts = NormalizeOptions {
        timezone: chrono_tz::America::New_York,
    };
    if let Ok(a) = normalize(raw, "/news/site/2024/page.txt", "site", &opts) {
        assert_eq!(a.id.len(), 16);
        assert!(!a.title.is_empty() || !a.body.is_empty());
    }
});
