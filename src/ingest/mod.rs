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
    dateline_spans_near(text, &[(0, text.len())])
}

/// [`dateline_spans`] of the dates that can reach into the byte ranges `near` (sorted):
/// only the lines from each range's first to 80 bytes past its end are searched, which
/// finds the same dates there as a search of the whole text, because no date the
/// regex reads holds a line break. Cutting a page searched the whole page for dates
/// to keep when only the lines of its chrome runs matter.
pub fn dateline_spans_near(text: &str, near: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut searched = 0;
    for &(a, b) in near {
        let a = text.floor_char_boundary(a.max(searched));
        let from = text[..a].rfind('\n').map_or(0, |i| i + 1).max(searched);
        let reach = text.ceil_char_boundary((b + 80).min(text.len()));
        let to = text[reach..].find('\n').map_or(text.len(), |i| reach + i);
        if from >= to {
            continue;
        }
        searched = to;
        out.extend(header::date_re().find_iter(&text[from..to]).map(|m| {
            let (ms, me) = (from + m.start(), from + m.end());
            let floor = text.floor_char_boundary(ms.saturating_sub(80));
            let start = text[floor..ms]
                .rfind("By ")
                .filter(|&i| i == 0 || text.as_bytes()[floor + i - 1].is_ascii_whitespace())
                .map_or(ms, |i| floor + i);
            (start, me)
        }));
    }
    out
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
        Format::Csv => records::parse_delimited(
            text,
            records::sniff_delimiter(text.as_bytes()),
            &opts.field_map,
        ),
        Format::Tsv => records::parse_delimited(text, b'\t', &opts.field_map),
        Format::Feed => feed::parse(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dates found near some ranges are exactly the dates of the whole text that
    /// can reach into them (a `By` before a date included), for ranges anywhere.
    #[test]
    fn dates_near_ranges_are_the_dates_of_the_whole_text_there() {
        let text = "BTC $61,204 ETH $3,011 Markets News\n\
                    Bitcoin ETF Flows Rise\n\
                    By Dana Whitfield Jul 11, 2025, 8:35 AM EDT\n\
                    Share this article Copy link\n\
                    Body text about flows on 11/07/2025 and more.\n\
                    Updated Fri, Jul 11, 2025, 9:00 AM Published Thu 10 Jul 2025 03.35 GMT\n\
                    Sign up for the newsletter © 2025";
        let all = dateline_spans(text);
        assert!(all.len() >= 4, "{all:?}");
        let n = text.len();
        let mut ranges = Vec::new();
        for a in (0..n).step_by(7) {
            for len in [1, 12, 40, 90] {
                ranges.push(vec![(a, (a + len).min(n))]);
            }
        }
        ranges.push(vec![(0, 5), (60, 70), (150, 160)]);
        ranges.push(vec![(0, n)]);
        for near in ranges {
            let got = dateline_spans_near(text, &near);
            let reaches = |&(s, e): &(usize, usize)| near.iter().any(|&(a, b)| s < b && e > a);
            // every date reaching into a range is found, and nothing else is made up
            for span in all.iter().filter(|s| reaches(s)) {
                assert!(
                    got.contains(span),
                    "{near:?}: {span:?} missing from {got:?}"
                );
            }
            for span in &got {
                assert!(all.contains(span), "{near:?}: {span:?} not in {all:?}");
            }
        }
    }
}
