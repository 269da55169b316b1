//! Raw file bytes through the whole reading pipeline, as the indexer runs it: gunzip
//! (bounded), binary detection, encoding detection and decoding, format detection
//! (the first byte picks a file name), the format parser, and normalization.
#![no_main]

use std::path::Path;

use coindex::ingest::{self, IngestOptions};
use coindex::normalize::{NormalizeOptions, normalize};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "page.txt",
    "page.html",
    "note.md",
    "export.json",
    "export.ndjson",
    "export.csv",
    "export.tsv",
    "feed.xml",
    "feed.rss",
    "feed.atom",
    "export.json.gz",
    "page.txt.gz",
    "noextension",
    "notes.dat",
    "page.htm",
    "feed.rdf",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let path = Path::new("/news/site").join(name);
    let opts = IngestOptions {
        max_file_bytes: 1024 * 1024,
        ..Default::default()
    };
    let Ok(text) = ingest::read_text(&path, bytes, &opts) else {
        return;
    };
    let Ok(format) = ingest::detect_format(&path, &text) else {
        return;
    };
    let Ok(parsed) = ingest::parse_text(format, &text, &opts) else {
        return;
    };
    let nopts = NormalizeOptions {
        timezone: chrono_tz::America::New_York,
    };
    for raw in parsed.articles {
        let _ = normalize(raw, "/news/site/x", "site", &nopts);
    }
});
