//! Invariants checked on generated inputs (proptest, 256 cases per property unless
//! `PROPTEST_CASES` says otherwise, no
//! regression files written; a failure prints the shrunk input, which then becomes a
//! table row in `regressions` below or a fixture in `fixtures/hostile/`).
//!
//! 1. Parsing and normalizing never panic: arbitrary strings and page-like token soup
//!    through `pagedump::parse` + `normalize`, and through every other format parser.
//! 2. Normalizing is idempotent. Precisely: for a normalized [`Article`] `a`, the raw
//!    article `raw_of(a)` (every text field of `a` with `&` written as `&amp;`, since
//!    normalizing decodes entities once; dates as RFC 3339; the same URL; no locator)
//!    normalizes, with `a.path` and the same fallback source, to exactly `a`: every
//!    field, the id included.
//! 3. Dates round-trip: `parse_date(x) = Some(d)` implies
//!    `parse_date(d.to_rfc3339()) = Some(d)` (and the same for the `Z` form the JSON
//!    output prints), in New York and in UTC.
//! 4. The query parser never panics, and its errors are user errors whose position
//!    lies inside the query.

use chrono::SecondsFormat;
use chrono_tz::Tz;
use coindex::ingest::{self, Format, pagedump};
use coindex::model::{Article, RawArticle};
use coindex::normalize::{self, NormalizeOptions, dates};
use proptest::prelude::*;

/// 256 cases per property; `PROPTEST_CASES=N` runs more.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn opts(tz: &str) -> NormalizeOptions {
    NormalizeOptions {
        timezone: dates::parse_timezone(tz).unwrap(),
    }
}

/// Pieces of real pages (labels, dates, chrome, entities, odd whitespace) and noise.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z]{1,12}",
        2 => "[A-Z][a-z]{1,8}[A-Z][a-z]{1,8}",
        1 => "[\\p{L}\\p{N}\\p{P}\\p{S}\\p{Z}]{0,16}",
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "\n", "\n\n", " ", "\t", "\r\n", "\u{a0}", "\u{202f}", "\u{200b}", "\u{feff}",
            "Share", "Share this article", "Copy link", "X icon", "LinkedIn", "Email",
            "By ", "By Dana Whitfield", "Edited by ", "|", ",", ".", ":", "$", "%",
            "Updated Mar 3, 2024, 9:14 a.m.", "Published Feb 25, 2014, 2:20 a.m.",
            "Published", "Updated", "Sep 20, 2017, 2:00 p.m.", "2024-01-10T16:05:00Z",
            "p.m.", "a.m.", "More For You", "STORY CONTINUES BELOW",
            "BTC  $ 66,393.58 - 3.14 % ETH  $ 2,874.87 + 3.11 %",
            "Ad News Markets Prices Podcasts Videos Sponsored  Log In Subscribe",
            "02 DAY 01 HOUR 55 MIN 18 SEC Register Now", "Consensus 2025",
            "Don't miss another story.", "Subscribe to the Crypto Daybook newsletter today.",
            "(Getty Images)", "(Jane Doe/Unsplash)", "Photo by Ann on Unsplash",
            "Disclosure & Polarities", "The post X appeared first on Y.",
            "&amp;", "&lt;p&gt;", "&#x1F600;", "&#0;", "&#xD800;", "&nbsp;", "&",
            "<p>", "</div>", "<script>", "---", "+++", "#", "# Heading",
            "CoinDesk", "BlackRock", "ERC-20", "0x7a3f9c", "₿", "😀", "\u{0}", "\u{7}",
        ])
        .prop_map(str::to_string),
    ]
}

fn page_text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        3 => prop::collection::vec(fragment(), 0..60).prop_map(|v| v.join(" ")),
        2 => prop::collection::vec(fragment(), 0..60).prop_map(|v| v.concat()),
    ]
}

fn date_text() -> impl Strategy<Value = String> {
    let ymd = (1890i32..2210, 0u32..14, 0u32..33);
    let hms = (0u32..26, 0u32..62, 0u32..62);
    let months = prop::sample::select(vec![
        "Jan",
        "Feb",
        "Mar",
        "Sep",
        "Sept",
        "Sept.",
        "Jan.",
        "September",
        "December",
        "Foo",
    ]);
    prop_oneof![
        (ymd.clone(), hms.clone()).prop_map(|((y, m, d), (h, mi, s))| format!(
            "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"
        )),
        (ymd.clone(), hms.clone(), -30i32..30).prop_map(|((y, m, d), (h, mi, s), o)| format!(
            "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}{:02}:{:02}",
            if o < 0 { '-' } else { '+' },
            o.unsigned_abs() / 2,
            (o.unsigned_abs() % 2) * 30
        )),
        (ymd.clone(), hms.clone()).prop_map(|((y, m, d), (h, mi, s))| format!(
            "{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03}",
            s * 7
        )),
        ymd.clone()
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (
            months,
            0u32..33,
            1890i32..2210,
            0u32..14,
            0u32..62,
            any::<bool>()
        )
            .prop_map(|(mo, d, y, h, mi, pm)| format!(
                "{mo} {d}, {y}, {h}:{mi:02} {}",
                if pm { "p.m." } else { "a.m." }
            )),
        (0u32..32, 1890i32..2210, 0u32..25, 0u32..61)
            .prop_map(|(d, y, h, m)| format!("Wed, {d:02} Jan {y} {h:02}:{m:02}:00 GMT")),
        (100_000_000i64..9_999_999_999_999i64).prop_map(|n| n.to_string()),
        "[0-9 :,.TZ+-]{0,30}",
        any::<String>(),
    ]
}

fn raw_article() -> impl Strategy<Value = RawArticle> {
    let text = || prop::option::of(page_text());
    let url = prop::option::of(prop_oneof![
        "https?://[A-Za-z0-9.-]{0,20}(/[A-Za-z0-9._~%-]{0,10}){0,3}/?(\\?[a-z_=&]{0,20})?(#[a-z]{0,5})?",
        "[ -~]{0,40}",
    ]);
    let source = prop::option::of(prop_oneof![
        "[A-Za-z]{1,10}( [A-Za-z.]{1,10}){0,3}",
        "[a-z]{1,8}\\.[a-z]{2,4}( [a-z.]{1,8}){0,2}",
        "https?://[a-z .]{0,20}",
        page_text(),
    ]);
    let list = || prop::collection::vec(page_text(), 0..4);
    (
        (text(), text(), url, source),
        (
            list(),
            prop::option::of(date_text()),
            prop::option::of(date_text()),
            list(),
            page_text(),
            prop::option::of("(line|record) [0-9]{1,3}"),
        ),
    )
        .prop_map(
            |((title, dek, url, source), (authors, published, updated, tags, body, locator))| {
                RawArticle {
                    title,
                    dek,
                    url,
                    source,
                    authors,
                    published,
                    updated,
                    tags,
                    body,
                    locator,
                }
            },
        )
}

/// The raw article that stands for a normalized one (see the module comment).
fn raw_of(a: &Article) -> RawArticle {
    let esc = |s: &str| s.replace('&', "&amp;");
    RawArticle {
        title: Some(esc(&a.title)),
        dek: Some(esc(&a.dek)),
        url: a.url.clone(),
        source: Some(esc(&a.source)),
        authors: a.authors.iter().map(|s| esc(s)).collect(),
        published: a.published.map(|d| d.to_rfc3339()),
        updated: a.updated.map(|d| d.to_rfc3339()),
        tags: a.tags.iter().map(|s| esc(s)).collect(),
        body: esc(&a.body),
        locator: None,
    }
}

/// The parser of a format, called directly: `ingest::parse_text` turns a parser panic
/// into a skip reason, which would hide it from these properties.
fn parse_directly(format: Format, text: &str) -> Vec<RawArticle> {
    use coindex::ingest::{feed, html, markdown, records};
    let many = |r: Result<ingest::Parsed, String>| r.map(|p| p.articles).unwrap_or_default();
    match format {
        Format::PageDump => vec![pagedump::parse(text)],
        Format::Html => vec![html::parse(text)],
        Format::Markdown => markdown::parse(text, &[]).into_iter().collect(),
        Format::Json => many(records::parse_json(text, &[])),
        Format::Ndjson => records::parse_ndjson(text, &[]).articles,
        Format::Csv => many(records::parse_delimited(text, b',', &[])),
        Format::Tsv => many(records::parse_delimited(text, b'\t', &[])),
        Format::Feed => many(feed::parse(text)),
    }
}

const FORMATS: &[Format] = &[
    Format::PageDump,
    Format::Html,
    Format::Markdown,
    Format::Json,
    Format::Ndjson,
    Format::Csv,
    Format::Tsv,
    Format::Feed,
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pagedump_parse_and_normalize_never_panic(text in page_text()) {
        let raw = pagedump::parse(&text);
        let _ = normalize::normalize(raw, "/news/site/x.txt", "site", &opts("America/New_York"));
    }

    #[test]
    fn every_format_parser_and_normalize_never_panic(text in page_text(), i in 0usize..8) {
        for raw in parse_directly(FORMATS[i], &text) {
            let _ = normalize::normalize(raw, "/news/x", "x", &opts("UTC"));
        }
    }

    #[test]
    fn filtered_tokenizing_finds_what_unfiltered_tokenizing_finds(
        text in "([a-z]{1,12}|[A-Z][a-z]{1,9}|[A-Z]{2,4}|ETFs|erc|20|0x1f|[ .,'$-]|’s|'s|é|₿|\n|dying){0,60}",
        pick in 0usize..1000,
        prefix_len in 0usize..4,
    ) {
        // the snippet path skips words its filter rules out, several at a time: every
        // span of a wanted term (or of terms starting with a wanted prefix) must still
        // be found exactly where the plain tokenizer finds it
        let mut all: Vec<(String, usize, usize)> = Vec::new();
        coindex::analysis::for_each_token(&text, |t, a, b| all.push((t.to_string(), a, b)));
        prop_assume!(!all.is_empty());
        let term = &all[pick % all.len()].0;
        let want: String = if prefix_len == 0 {
            term.clone()
        } else {
            term.chars().take(prefix_len).collect()
        };
        let filter = coindex::analysis::near_filter(&[want.as_str()]);
        let mut got = Vec::new();
        coindex::analysis::for_each_token_near(&text, &filter, |t, a, b| {
            if t.starts_with(want.as_str()) {
                got.push((t.to_string(), a, b));
            }
        });
        let expected: Vec<(String, usize, usize)> = all
            .iter()
            .filter(|(t, _, _)| t.starts_with(want.as_str()))
            .cloned()
            .collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn collapsing_whitespace_keeps_the_words_of_split_whitespace(
        text in "([a-z]{1,6}|[ \t\n\r]{1,3}|\u{a0}|\u{2009}|\u{202f}|\u{85}|\u{1}|é|€|[.,]){0,40}",
        prefix in "[a-z ]{0,4}",
    ) {
        let mut out = prefix.clone();
        coindex::text::push_collapsed(&mut out, &text);
        let words: Vec<&str> = text.split_whitespace().collect();
        prop_assert_eq!(&out[..prefix.len()], prefix.as_str());
        prop_assert_eq!(&out[prefix.len()..], words.join(" "));
    }

    #[test]
    fn normalizing_twice_changes_nothing(raw in raw_article(), fallback in "[A-Za-z .]{0,12}") {
        let o = opts("America/New_York");
        if let Ok(a) = normalize::normalize(raw, "/news/site/x.txt", &fallback, &o) {
            let b = normalize::normalize(raw_of(&a), &a.path, &fallback, &o)
                .expect("a normalized article normalizes again");
            prop_assert_eq!(b, a);
        }
    }

    #[test]
    fn parsed_dates_format_back_to_the_same_instant(input in date_text()) {
        for tz in ["America/New_York", "UTC"] {
            let tz: Tz = dates::parse_timezone(tz).unwrap();
            if let Some(d) = dates::parse_date(&input, tz) {
                prop_assert_eq!(dates::parse_date(&d.to_rfc3339(), tz), Some(d), "{}", input);
                let z = d.to_rfc3339_opts(SecondsFormat::AutoSi, true);
                prop_assert_eq!(dates::parse_date(&z, tz), Some(d), "{}", z);
            }
        }
    }

    #[test]
    fn query_parser_never_panics(q in query_text()) {
        match coindex::search::query::parse(&q) {
            Ok(_) => {}
            Err(e @ coindex::Error::Query { .. }) => {
                if let coindex::Error::Query { pos, .. } = &e {
                    prop_assert!(*pos <= q.len(), "position {} past the end of {:?}", pos, q);
                }
                prop_assert!(!e.to_string().is_empty());
            }
            Err(e @ coindex::Error::User(_)) => prop_assert!(!e.to_string().is_empty()),
            Err(other) => prop_assert!(false, "{:?}: unexpected error {:?}", q, other),
        }
    }
}

fn query_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        3 => "[A-Za-z0-9$₿]{1,8}",
        2 => prop::sample::select(vec![
            "\"", "(", ")", "OR", "AND", "NOT", "+", "-", "*", "~", "~1", "~3", "~99", ":",
            "..", ">=", "<=", ">", "<", "title:", "dek:", "body:", "tag:", "source:",
            "author:", "url:", "id:", "published:", "updated:", "date:", "foo:", "2024",
            "2024-02-30", "2017-09..2017-12", "0x7a3f", "http://", "\u{0}", "\t", " ",
            "\u{202e}", "é", "😀", "\\", "[", "]", "{", "}", "^", "|", "?", ".*",
        ])
        .prop_map(str::to_string),
    ];
    prop_oneof![
        1 => any::<String>(),
        3 => prop::collection::vec(token.clone(), 0..24).prop_map(|v| v.join(" ")),
        2 => prop::collection::vec(token, 0..24).prop_map(|v| v.concat()),
    ]
}

/// Inputs the properties found once, kept as plain tests (each was a panic or a
/// broken invariant before its fix; see docs/ROBUSTNESS.md).
mod regressions {
    use super::*;

    #[test]
    fn header_scan_cut_inside_a_character() {
        // a one-line dump with no date: the header was cut at byte 600, inside `€`
        let text = format!("{}€ tail By Someone", "a".repeat(599));
        let _ = pagedump::parse(&text);
    }

    #[test]
    fn glued_word_start_after_a_multibyte_character() {
        for text in ["aByAaUpdated Mar 3, 2024, 9:14 a.m.᭚aA", "─aAaByAaaA"] {
            let _ = pagedump::parse(text);
        }
    }

    #[test]
    fn unclosed_processing_instruction_at_the_end_of_html() {
        for text in ["<?", "<? a", "<!"] {
            let _ = coindex::ingest::html::parse(text);
        }
    }

    #[test]
    fn a_source_key_is_its_own_key() {
        let raw = RawArticle {
            body: "᪠".into(),
            ..Default::default()
        };
        let o = opts("America/New_York");
        let a = normalize::normalize(raw, "/x.txt", "A .", &o).unwrap();
        assert_eq!(a.source, "a");
        let b = normalize::normalize(raw_of(&a), &a.path, "A .", &o).unwrap();
        assert_eq!(b, a);
    }
}
