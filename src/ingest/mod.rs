//! Walking folders and turning each file into raw articles.
//!
//! One module per step: `walk` lists candidate files and reports what it cannot enter;
//! `read` applies the size limit and turns bytes into text (the byte-level work is in
//! `decode`); `detect` decides the format (extension first, then content sniffing); and
//! [`parse_text`] dispatches to one module per format: `pagedump` (scraped `.txt`),
//! `html`, `markdown`, `records` (JSON, NDJSON, CSV, TSV) and `feed` (RSS, Atom).
//! Large record exports and feeds (and every `.gz` one) are not read whole: `stream`
//! reads them record by record (`jsonsplit` finds the records of a JSON list as it
//! reads, `feedstream` the items of a feed). The
//! record formats and Markdown front matter share the field mapper in `fields`. The
//! text rules the parsers share (whitespace, boilerplate) are in `text`.
//!
//! Nothing here touches the index or normalizes fields (see `normalize`). The formats,
//! their detection and the field mapping are described in `docs/FORMATS.md`.

pub mod decode;
mod detect;
pub mod feed;
mod feedstream;
mod fields;
mod header;
pub mod html;
mod jsonsplit;
pub mod markdown;
pub mod pagedump;
mod read;
pub mod records;
pub mod stream;
mod values;
mod walk;

pub use detect::{Format, detect_format, sniff, sniff_html};
pub use fields::{MAP_FIELDS, parse_field_map};
pub use read::{IngestOptions, read_bytes, read_text};
pub use records::Parsed;
pub use stream::{StreamEnd, StreamError, hash_file, stream_format, stream_records};
pub use walk::{FoundFile, WalkProblem, folder_source, walk, walk_each};

use crate::model::RawArticle;

/// The message of a caught panic (`panic!("...")` payloads are `&str` or `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Runs `f`, turning a panic inside it into `Err(describe(panic message))`. A panic is
/// a bug, but one strange file must not stop a run (and lose the work since the last
/// commit): it becomes the file's skip reason. The panic message is still printed on
/// stderr by the panic hook.
pub fn guarded<T>(
    f: impl FnOnce() -> Result<T, String>,
    describe: impl FnOnce(&str) -> String,
) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(describe(&panic_message(payload.as_ref()))))
}

/// Byte ranges of the dates a page prints as news sites do (with their labels, and a
/// `By NAME` byline just before one): what site learning must not cut from a page
/// before it is parsed, however often a byline recurs on a site.
pub fn dateline_spans(text: &str) -> Vec<(usize, usize)> {
    header::date_re()
        .find_iter(text)
        .map(|m| {
            let floor = text.floor_char_boundary(m.start().saturating_sub(80));
            let start = text[floor..m.start()]
                .rfind("By ")
                .filter(|&i| i == 0 || text.as_bytes()[floor + i - 1].is_ascii_whitespace())
                .map_or(m.start(), |i| floor + i);
            (start, m.end())
        })
        .collect()
}

/// Parses decoded text of a detected format. `opts.field_map` applies to the record
/// formats and to Markdown front matter.
///
/// A panic inside a parser is caught ([`guarded`]) and names the parser; the fuzz
/// targets call the parsers directly, so such bugs stay visible to them.
pub fn parse_text(format: Format, text: &str, opts: &IngestOptions) -> Result<Parsed, String> {
    guarded(
        || parse_text_unguarded(format, text, opts),
        |message| {
            format!(
                "internal error in the {} parser, please report it: {message}",
                format.name()
            )
        },
    )
}

fn parse_text_unguarded(
    format: Format,
    text: &str,
    opts: &IngestOptions,
) -> Result<Parsed, String> {
    let single = |a: RawArticle| Parsed {
        articles: vec![a],
        record_errors: Vec::new(),
    };
    match format {
        Format::PageDump => Ok(single(pagedump::parse(text))),
        Format::Html => Ok(single(html::parse(text))),
        Format::Markdown => markdown::parse(text, &opts.field_map).map(single),
        Format::Json => records::parse_json(text, &opts.field_map),
        Format::Ndjson => Ok(records::parse_ndjson(text, &opts.field_map)),
        Format::Csv => records::parse_delimited(text, b',', &opts.field_map),
        Format::Tsv => records::parse_delimited(text, b'\t', &opts.field_map),
        Format::Feed => feed::parse(text),
    }
}
