//! Every input format, end to end through the library: `read_text` (gzip, encodings) →
//! `detect_format` (extension, then sniffing) → `parse_text` → `normalize`. Each fixture
//! under `fixtures/formats/` is named for what it proves. The last tests check the
//! bundled `sample_corpus/exports/` and run the real binary on the whole sample corpus.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use coindex::Article;
use coindex::ingest::{
    self, Format, IngestOptions, Parsed, detect_format, parse_field_map, parse_text, read_text,
};
use coindex::normalize::{NormalizeOptions, dates, normalize};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn norm_opts() -> NormalizeOptions {
    NormalizeOptions {
        timezone: dates::parse_timezone("America/New_York").unwrap(),
    }
}

/// Reads, detects and parses a file the way the indexer does.
fn load_path(path: &Path, opts: &IngestOptions) -> Result<(Format, Parsed), String> {
    let bytes = ingest::read_bytes(path, opts)?;
    let text = read_text(path, &bytes, opts)?;
    let format = detect_format(path, &text)?;
    Ok((format, parse_text(format, &text, opts)?))
}

fn load_with(name: &str, opts: &IngestOptions) -> (Format, Parsed) {
    load_path(&fixture(name), opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(name: &str) -> (Format, Parsed) {
    load_with(name, &IngestOptions::default())
}

/// Normalized articles and the record errors of a file.
fn normalized(path: &Path, parsed: Parsed) -> (Vec<Article>, Vec<String>) {
    let key = path.to_string_lossy().into_owned();
    let fallback = ingest::folder_source(path);
    let arts = parsed
        .articles
        .into_iter()
        .map(|raw| {
            normalize(raw, &key, &fallback, &norm_opts())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect();
    (arts, parsed.record_errors)
}

fn articles_with(name: &str, opts: &IngestOptions) -> (Format, Vec<Article>, Vec<String>) {
    let (format, parsed) = load_with(name, opts);
    let (arts, errors) = normalized(&fixture(name), parsed);
    (format, arts, errors)
}

fn articles(name: &str) -> (Format, Vec<Article>, Vec<String>) {
    articles_with(name, &IngestOptions::default())
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn assert_no_chrome(a: &Article) {
    for field in [&a.title, &a.dek, &a.body] {
        assert!(
            !field.contains("CHROME"),
            "chrome left in {:?}:\n{field}",
            a.title
        );
    }
}

// ---------------------------------------------------------------- HTML

#[test]
fn html_jsonld_metadata_and_body_without_chrome() {
    let (format, arts, errors) = articles("html-article-with-chrome.html");
    assert_eq!(format, Format::Html);
    assert!(errors.is_empty());
    let a = &arts[0];
    assert_eq!(a.title, "Miners Capitulate as Hashprice Hits Record Low");
    assert_eq!(
        a.dek,
        "Revenue per unit of hash power fell below 4 cents & older machines went dark."
    );
    assert_eq!(
        a.url.as_deref(),
        Some("https://orebit.example/markets/2024/05/02/miners-capitulate")
    );
    assert_eq!(a.source, "orebit-news");
    assert_eq!(a.authors, ["Wren Halloway", "Idris Pallante"]);
    assert_eq!(a.published, utc("2024-05-02T13:15:00Z"));
    assert_eq!(a.updated, utc("2024-05-02T17:40:00Z"));
    assert_eq!(a.tags, ["mining", "hashprice", "markets"]);
    let paras: Vec<&str> = a.body.split("\n\n").collect();
    assert_eq!(paras.len(), 3, "{}", a.body);
    assert!(paras[0].starts_with("Bitcoin miners switched off older machines"));
    assert!(paras[1].ends_with("Orebit News — a sign of stress in the industry."));
    assert_eq!(
        paras[2],
        "“The weakest operators are already gone,” said an analyst."
    );
    assert_no_chrome(a);
    assert!(!a.body.contains("Newsletter") && !a.body.contains("Unsplash"));
}

#[test]
fn html_opengraph_meta_and_canonical_fallbacks() {
    let (_, arts, _) = articles("html-opengraph-fallbacks.html");
    let a = &arts[0];
    assert_eq!(a.title, "Regulators Fine Exchange Over Listing Rules");
    assert_eq!(
        a.dek,
        "The penalty is the first under the new token listing standard."
    );
    assert_eq!(
        a.url.as_deref(),
        Some("https://tallowtimes.example/policy/exchange-fined")
    );
    assert_eq!(a.source, "tallow-times");
    // article:author is a profile URL, so name=author is used
    assert_eq!(a.authors, ["Esperanza Quill", "Mads Oyelaran"]);
    assert_eq!(a.published, utc("2025-02-14T08:00:00Z"));
    assert_eq!(a.updated, utc("2025-02-15T10:30:00Z"));
    assert_eq!(a.tags, ["regulation", "exchanges", "policy"]);
    assert!(
        a.body
            .starts_with("An exchange was fined 2.1 million euros")
    );
    assert!(a.body.ends_with("without publishing a white paper."));
}

#[test]
fn html_title_suffix_time_element_and_heuristics() {
    let (format, arts, _) = articles("html-heuristics-only.htm");
    assert_eq!(format, Format::Html);
    let a = &arts[0];
    assert_eq!(a.title, "Node Count Falls After Client Bug");
    assert_eq!(a.published, utc("2019-03-08T17:45:00Z"));
    assert_eq!(a.url, None);
    assert_eq!(a.source, "formats", "no metadata, no URL: the folder");
    assert_eq!(
        a.body,
        "The number of reachable nodes dropped by a fifth on Friday after a bug in a popular client made it crash on a malformed message.\n\nA patched release followed within hours."
    );
}

#[test]
fn txt_that_is_html_is_read_as_html() {
    let (format, arts, _) = articles("html-saved-as.txt");
    assert_eq!(format, Format::Html);
    let a = &arts[0];
    assert_eq!(a.title, "Saved Page Headline");
    assert_eq!(
        a.url.as_deref(),
        Some("https://relaydesk.example/saved-page")
    );
    assert_eq!(a.source, "relaydesk");
    assert!(
        a.body
            .starts_with("This page was saved with a .txt extension")
    );
    assert!(!a.body.contains('<'));
}

#[test]
fn deeply_nested_html_parses_without_overflow() {
    let n = 100_000;
    let page = format!(
        "<html><body>{}<p>deep text</p>{}<p>after</p></body></html>",
        "<div><span>".repeat(n),
        "</span></div>".repeat(n)
    );
    let p = parse_text(Format::Html, &page, &IngestOptions::default()).unwrap();
    assert!(p.articles[0].body.contains("deep text"));
    assert!(p.articles[0].body.contains("after"));
}

// ---------------------------------------------------------------- Markdown

#[test]
fn markdown_yaml_front_matter() {
    let (format, arts, _) = articles("markdown-yaml-front-matter.md");
    assert_eq!(format, Format::Markdown);
    let a = &arts[0];
    assert_eq!(a.title, "Validators Exit Queue Hits Record & Keeps Growing");
    assert_eq!(
        a.dek,
        "Withdrawals opened two days ago and the queue is still lengthening."
    );
    assert_eq!(
        a.published,
        utc("2023-04-14T10:20:00Z"),
        "an ISO timestamp without offset is UTC"
    );
    assert_eq!(a.updated, utc("2023-04-15T09:00:00Z"));
    assert_eq!(a.tags, ["staking", "ethereum", "withdrawals"]);
    assert_eq!(a.authors, ["Ottoline Brashear"]);
    assert_eq!(a.source, "ledger-lantern");
    assert_eq!(
        a.url.as_deref(),
        Some("https://ledgerlantern.example/2023/04/14/exit-queue")
    );
    assert_eq!(
        a.body,
        "More than 17,000 validators asked to leave the Ethereum beacon chain by Friday, two days after the Shanghai upgrade enabled withdrawals.\n\nMost of the exits came from a single exchange that is winding down its staking service.\n\ncode blocks are kept as text"
    );
    assert_no_chrome(a);
}

#[test]
fn markdown_toml_front_matter() {
    let (_, arts, _) = articles("markdown-toml-front-matter.md");
    let a = &arts[0];
    assert_eq!(a.title, "Lightning Capacity Passes 5,000 BTC");
    assert_eq!(a.published, utc("2023-03-01T12:00:00Z"));
    assert_eq!(a.updated, utc("2023-03-02T08:30:00Z"));
    assert_eq!(a.tags, ["lightning", "layer 2"]);
    assert_eq!(a.authors, ["Halvard Nkemelu", "Soraya Lindgren-Obi"]);
    assert_eq!(a.source, "channel-notes");
    assert_eq!(a.dek, "", "nested tables are not fields");
    assert_eq!(
        a.body,
        "Public channel capacity on the Lightning Network passed 5,000 BTC for the first time on Wednesday.\n\nNode count is flat.\n\nChannel count is up 12%."
    );
}

#[test]
fn markdown_first_heading_is_the_title() {
    let (format, arts, _) = articles("markdown-heading-is-title.markdown");
    assert_eq!(format, Format::Markdown);
    let a = &arts[0];
    assert_eq!(a.title, "Sidechain Peg-Out Delayed by a Week");
    assert!(a.body.starts_with("The federation that runs the sidechain"));
    assert!(
        a.body
            .ends_with("Background\n\nPeg-outs require 11 of 15 signatures.")
    );
}

// ---------------------------------------------------------------- JSON / NDJSON

#[test]
fn json_nested_array_and_field_names() {
    let (format, arts, errors) = articles("json-nested-data-articles.json");
    assert_eq!(format, Format::Json);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(arts.len(), 2);
    let a = &arts[0];
    assert_eq!(a.title, "Fee Market Cools as Mempool Empties");
    assert_eq!(a.dek, "Median fees are at a two-year low.");
    assert_eq!(
        a.body,
        "The bitcoin mempool cleared for the first time in months on Sunday.\n\nMedian fees fell to 1 sat/vB."
    );
    assert_eq!(a.published, utc("2023-11-14T22:13:20Z"), "unix seconds");
    assert_eq!(a.updated, utc("2023-11-15T10:00:00Z"));
    assert_eq!(a.url.as_deref(), Some("https://mintline.example/fees-cool"));
    assert_eq!(a.tags, ["bitcoin", "markets", "fees", "mempool"]);
    assert_eq!(a.authors, ["Cassia Wendt", "Ruairi Tanaka"]);
    assert_eq!(a.source, "mintline", "the container names the site");
    assert!(a.path.ends_with("json-nested-data-articles.json#record 1"));
    assert_no_chrome(a);
    let b = &arts[1];
    assert_eq!(
        b.body,
        "When there is no body field, the summary becomes the body."
    );
    assert_eq!(b.dek, "");
    assert_eq!(b.published, utc("2023-11-14T22:13:20Z"), "RFC 2822");
    assert_eq!(b.source, "mintline-wire", "publisher object with a name");
    assert_eq!(b.authors, ["Anouk Bellweather"]);
}

#[test]
fn json_bad_records_are_reported_and_the_rest_indexed() {
    let (_, arts, errors) = articles("json-array-with-bad-records.json");
    let titles: Vec<&str> = arts.iter().map(|a| a.title.as_str()).collect();
    // tags of the wrong type are left empty: the article is still indexed
    assert_eq!(
        titles,
        [
            "Good Record One",
            "Good Record Four",
            "Bad Tags",
            "Good Record Eight"
        ]
    );
    assert!(arts[2].tags.is_empty());
    assert!(arts[3].path.ends_with("#record 8"));
    assert_eq!(arts[3].published, utc("2022-01-05T16:26:40Z"), "unix ms");
    assert_eq!(arts[1].tags, ["a", "b"]);
    let want = [
        "record 2: not an article object (found text)",
        "record 3: `title` is a boolean, expected text",
        "record 5: no title and no body (fields: id, views;",
        "record 7: not an article object (found null)",
    ];
    assert_eq!(errors.len(), want.len(), "{errors:?}");
    for (e, w) in errors.iter().zip(want) {
        assert!(e.starts_with(w), "{e} should start with {w}");
    }
}

#[test]
fn json_single_object_is_one_article_without_locator() {
    let (_, arts, _) = articles("json-single-article.json");
    assert_eq!(arts.len(), 1);
    let a = &arts[0];
    assert!(a.path.ends_with("json-single-article.json"));
    assert_eq!(a.authors, ["Pell Okafor"]);
    assert_eq!(a.source, "solo-desk");
    assert_eq!(a.published, utc("2020-02-02T02:02:02Z"));
}

#[test]
fn entities_are_decoded_in_json_values() {
    let (_, arts, _) = articles("json-entities-decoded.json");
    let a = &arts[0];
    assert_eq!(a.title, "Ripple & the SEC: What’s Next");
    assert_eq!(a.dek, "Both sides \"claim victory\".");
    assert_eq!(a.body, "Fees < 1 cent & rising.\n\nSecond — para.");
    assert_eq!(a.tags, ["law & order"]);
    assert_eq!(a.authors, ["Zoë Ångström", "Åsa Lind"]);
    assert_eq!(a.url.as_deref(), Some("https://entities.example/a?x=1&y=2"));
}

#[test]
fn json_nested_1000_levels_is_a_clean_error() {
    let path = fixture("json-nested-1000-levels.json");
    let err = load_path(&path, &IngestOptions::default()).unwrap_err();
    assert!(err.contains("nested more than 128 levels"), "{err}");
}

#[test]
fn ndjson_bad_lines_are_reported_with_line_numbers() {
    let (format, arts, errors) = articles("ndjson-with-bad-lines.jsonl");
    assert_eq!(format, Format::Ndjson);
    let found: Vec<(&str, &str)> = arts
        .iter()
        .map(|a| (a.title.as_str(), a.path.rsplit('#').next().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("First Line Article", "line 1"),
            ("Third Line Article", "line 3"),
            ("Seventh Line Article", "line 7"),
        ]
    );
    assert_eq!(arts[2].authors, ["Ann Lee", "Bo Chan"]);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with("line 4: not an article object (found a list)"));
    assert!(errors[1].starts_with("line 5: invalid JSON"));
    assert!(errors[2].starts_with("line 6: no title and no body"));
}

// ---------------------------------------------------------------- CSV / TSV

#[test]
fn csv_quoted_fields_and_embedded_newlines() {
    let (format, arts, errors) = articles("csv-quoted-multiline.csv");
    assert_eq!(format, Format::Csv);
    assert!(errors.is_empty(), "{errors:?}");
    let a = &arts[0];
    assert_eq!(a.title, "Exchange Lists Token, Then Delists It");
    assert_eq!(
        a.body,
        "First paragraph, with a comma.\n\nSecond paragraph continues on a new line with \"quotes\"."
    );
    // an ISO timestamp without offset in an export is UTC
    assert_eq!(a.published, utc("2022-08-09T14:00:00Z"));
    assert_eq!(a.authors, ["Basil Okoye"]);
    assert_eq!(a.tags, ["listings", "exchanges"]);
    assert_eq!(a.source, "chainpaper", "a domain column");
    assert_eq!(
        a.url.as_deref(),
        Some("https://chainpaper.example/list-delist")
    );
    assert!(a.path.ends_with("#line 2"));
    assert!(arts[1].path.ends_with("#line 6"), "{}", arts[1].path);
}

#[test]
fn csv_ragged_rows_are_reported_not_fatal() {
    let (_, arts, errors) = articles("csv-ragged-rows.csv");
    let found: Vec<(&str, &str)> = arts
        .iter()
        .map(|a| (a.title.as_str(), a.path.rsplit('#').next().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("Row Two Is Fine", "line 2"),
            ("Row Five Is Fine", "line 5"),
            ("Row Seven Is Fine", "line 8"),
        ]
    );
    assert_eq!(
        errors,
        [
            "line 3: 4 fields, but the header row has 3",
            "line 4: 1 field, but the header row has 3",
        ]
    );
}

#[test]
fn tsv_with_escaped_newlines_and_unix_times() {
    let (format, arts, _) = articles("tsv-escaped-newlines.tsv");
    assert_eq!(format, Format::Tsv);
    assert_eq!(arts[0].body, "Tab body one.\n\nSecond para.");
    assert_eq!(arts[0].published, utc("2021-01-01T00:00:00Z"));
    assert_eq!(arts[0].tags, ["defi", "dex"]);
    assert_eq!(arts[1].published, utc("2021-01-02T00:00:00Z"), "unix ms");
}

#[test]
fn semicolon_csv_of_a_decimal_comma_locale() {
    let (format, arts, errors) = articles("csv-semicolon-decimal-comma.csv");
    assert_eq!(format, Format::Csv);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(arts.len(), 2);
    let a = &arts[0];
    assert_eq!(a.title, "Bitcoin-Kurs steigt; Anleger atmen auf");
    assert_eq!(
        a.published,
        utc("2025-01-10T19:30:00Z"),
        "day first, New York"
    );
    assert_eq!(a.authors, ["Anna Schmidt"]);
    assert_eq!(
        a.url.as_deref(),
        Some("https://kryptowelt.example/kurs-steigt")
    );
    assert!(
        a.body
            .starts_with("Der Kurs stieg am Freitag um 2,5 Prozent")
    );
    assert!(arts[1].authors.is_empty());
    assert!(arts[1].body.contains("; der Start ist für Montag geplant."));
}

#[test]
fn wordpress_rest_export() {
    let (_, arts, errors) = articles("json-wordpress-rest.json");
    assert!(
        errors.is_empty(),
        "a numeric author is no bad record: {errors:?}"
    );
    assert_eq!(arts.len(), 2);
    let a = &arts[0];
    assert_eq!(a.title, "Miners Extend Rally – Hashprice Recovers");
    assert_eq!(
        a.published,
        utc("2025-01-11T02:30:00Z"),
        "date_gmt, not the local date"
    );
    assert_eq!(a.updated, utc("2025-01-12T13:00:00Z"));
    assert_eq!(a.authors, ["Rosa Jimenez"], "from _embedded");
    assert_eq!(a.dek, "Listed miners rose for a third day.");
    assert!(arts[1].authors.is_empty());
    assert_eq!(arts[1].published, utc("2025-01-11T15:00:00Z"));
}

#[test]
fn qualified_field_names() {
    let (_, arts, errors) = articles("jsonl-qualified-names.jsonl");
    assert!(errors.is_empty(), "{errors:?}");
    let a = &arts[0];
    assert_eq!(a.title, "Solana Validators Back Fee Split Change");
    assert_eq!(
        a.published,
        utc("2025-01-10T14:30:00Z"),
        "published_epoch_ms"
    );
    assert_eq!(
        a.body,
        "Validators holding most of the stake voted for the proposal.\n\nThe change takes effect next epoch."
    );
    assert_eq!(a.authors, ["Tomas Lind", "Mei Arai"]);
}

/// The indexer streams record files; a `;` CSV, a WordPress export and qualified names
/// index whole through it too.
#[test]
fn other_export_shapes_index_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for f in [
        "csv-semicolon-decimal-comma.csv",
        "json-wordpress-rest.json",
        "jsonl-qualified-names.jsonl",
    ] {
        std::fs::copy(fixture(f), data.join(f)).unwrap();
    }
    let idx = dir.path().join("index");
    index_ok(&data, &idx, &[]);
    let out = coindex()
        .args([
            "search",
            "stablecoins OR hashprice OR validators",
            "--format",
            "json",
            "--index",
        ])
        .arg(&idx)
        .output()
        .unwrap();
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = hits["hits"].as_array().map_or(0, Vec::len);
    assert_eq!(n, 3, "{hits}");
}

/// A `;` CSV big enough to be streamed (over `--max-file-mb 1`) is read with the same
/// delimiter as one read whole: every row is an article.
#[test]
fn a_streamed_semicolon_csv_indexes_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut csv = String::from("Titel;Datum;Text\n");
    let rows = 6000;
    for i in 0..rows {
        csv.push_str(&format!(
            "\"Marktbericht Nummer {i}; Kurse im Plus\";{:02}.01.2025 14:30;\"Bericht {i}: der Kurs stieg um {i},5 Prozent, meldeten Händler am Nachmittag, und das Volumen lag über dem Schnitt der Woche davor, als viele Anleger noch abwarteten.\"\n",
            i % 28 + 1
        ));
    }
    assert!(csv.len() > 1 << 20);
    std::fs::write(data.join("export.csv"), csv).unwrap();
    let idx = dir.path().join("index");
    let err = index_ok(&data, &idx, &["--max-file-mb", "1"]);
    assert!(err.contains(&format!("{rows} documents indexed")), "{err}");
}

#[test]
fn map_overrides_column_names() {
    // without --map the header names no title or body coindex knows (only `Datum`, a
    // date in Swedish, German and Dutch), so every row is a bad record that says how to
    // name them
    let path = fixture("csv-custom-columns.csv");
    let (_, loaded) = load_path(&path, &IngestOptions::default()).unwrap();
    assert!(loaded.articles.is_empty());
    assert_eq!(loaded.record_errors.len(), 1);
    assert!(
        loaded.record_errors[0].contains("--map FIELD=NAME"),
        "{:?}",
        loaded.record_errors
    );
    let args: Vec<String> = [
        "title=Rubrik",
        "body=brödtext",
        "published=Datum",
        "source=Källa",
        "url=Länk",
        "tags=Etiketter",
        "authors=Skribent",
        "dek=Ingress",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let opts = IngestOptions {
        field_map: parse_field_map(&args).unwrap(),
        ..Default::default()
    };
    let (_, arts, errors) = articles_with("csv-custom-columns.csv", &opts);
    assert!(errors.is_empty());
    let a = &arts[0];
    assert_eq!(a.title, "Riksbanken testar e-krona");
    assert_eq!(a.body, "Riksbanken har startat en andra testfas.");
    assert_eq!(a.dek, "En kort ingress.");
    assert_eq!(a.published, utc("2021-04-06T04:00:00Z"));
    assert_eq!(a.source, "kryptoposten");
    assert_eq!(
        a.url.as_deref(),
        Some("https://kryptoposten.example/e-krona")
    );
    assert_eq!(a.tags, ["cbdc", "sverige"]);
    assert_eq!(a.authors, ["Lina Berg"]);
    // an override wins over the default names in JSON too
    let opts = IngestOptions {
        field_map: parse_field_map(&["title=dek".to_string()]).unwrap(),
        ..Default::default()
    };
    let (_, arts, _) = articles_with("json-nested-data-articles.json", &opts);
    assert_eq!(arts[0].title, "Median fees are at a two-year low.");
}

#[test]
fn map_arguments_are_validated() {
    let ok = parse_field_map(&["Title=headline".into(), "tags=labels".into()]).unwrap();
    assert_eq!(
        ok,
        [
            ("title".to_string(), "headline".to_string()),
            ("tags".to_string(), "labels".to_string())
        ]
    );
    for bad in ["headline", "heading=title", "title="] {
        let err = parse_field_map(&[bad.to_string()]).unwrap_err();
        assert!(err.contains("--map"), "{bad}: {err}");
    }
    let err = parse_field_map(&["heading=title".into()]).unwrap_err();
    assert!(err.contains("title, dek, body, url, source, authors, published, updated, tags"));
}

// ---------------------------------------------------------------- feeds

#[test]
fn rss_items_with_footer_stripped() {
    let (format, parsed) = load("rss2-with-feed-footer.xml");
    assert_eq!(format, Format::Feed);
    assert_eq!(parsed.articles[0].source.as_deref(), Some("Block & Tackle"));
    let (arts, errors) = normalized(&fixture("rss2-with-feed-footer.xml"), parsed);
    assert_eq!(errors, ["item 3: no title and no body"]);
    let a = &arts[0];
    assert_eq!(a.title, "Rollup Sequencer Goes Down for Two Hours");
    assert_eq!(
        a.url.as_deref(),
        Some("https://blocktackle.example/sequencer-down")
    );
    assert_eq!(a.published, utc("2023-09-04T17:00:00Z"));
    assert_eq!(a.updated, None);
    assert_eq!(a.authors, ["Greer Atwood"]);
    assert_eq!(a.tags, ["layer 2", "outages"]);
    assert_eq!(a.dek, "The sequencer stopped producing blocks.");
    assert_eq!(
        a.body,
        "The sequencer of a large rollup stopped producing blocks for two hours on Monday.\n\nWithdrawals were not affected."
    );
    assert!(a.path.ends_with("#item 1"));
    let b = &arts[1];
    assert_eq!(b.body, "Plain description text becomes the body.");
    assert_eq!(b.authors, ["Marit Solberg"]);
    assert_eq!(b.published, utc("2023-09-05T09:30:00Z"));
}

#[test]
fn atom_entries() {
    let (format, arts, errors) = articles("atom-two-entries.atom");
    assert_eq!(format, Format::Feed);
    assert!(errors.is_empty());
    let a = &arts[0];
    assert_eq!(a.title, "Difficulty Adjusts Down 5%");
    assert_eq!(
        a.url.as_deref(),
        Some("https://hashrateherald.example/difficulty-down"),
        "an http id stands in for the link"
    );
    assert_eq!(a.published, utc("2024-05-09T12:00:00Z"));
    assert_eq!(a.updated, utc("2024-05-10T08:00:00Z"));
    assert_eq!(a.authors, ["Tiberius Mwangi"]);
    assert_eq!(a.tags, ["mining", "difficulty"]);
    assert_eq!(a.dek, "Short summary.");
    assert_eq!(
        a.body,
        "Bitcoin mining difficulty fell about 5% at block 842,688."
    );
    assert_eq!(a.source, "hashrate-herald");
    let b = &arts[1];
    assert_eq!(
        b.published,
        utc("2024-05-11T13:30:00Z"),
        "dated by its update"
    );
    assert_eq!(b.body, "Atom text content.");
    assert!(b.path.ends_with("#entry 2"));
}

#[test]
fn feed_without_extension_is_sniffed() {
    let (format, parsed) = load("feed-without-extension");
    assert_eq!(format, Format::Feed);
    assert_eq!(parsed.articles.len(), 2);
}

#[test]
fn xml_external_entities_and_billion_laughs_are_not_expanded() {
    let (_, arts, _) = articles("rss-xxe-external-entity.xml");
    let a = &arts[0];
    assert_eq!(a.title, "External Entity Item");
    assert!(a.body.starts_with("Before"), "{}", a.body);
    assert!(a.body.ends_with("end."), "{}", a.body);
    assert!(
        a.body.len() < 200,
        "entities were expanded: {}",
        a.body.len()
    );
    for field in [&a.body, &a.source, &a.title] {
        assert!(!field.contains("root:"), "/etc/passwd leaked: {field}");
        assert!(!field.contains("lollol"), "billion laughs expanded");
    }
    if let Ok(passwd) = std::fs::read_to_string("/etc/passwd")
        && let Some(first) = passwd.lines().next()
    {
        assert!(!a.body.contains(first));
    }
}

// ---------------------------------------------------------------- gzip, encodings

#[test]
fn gzip_files_are_detected_by_their_inner_extension() {
    let (format, arts, _) = articles("json-gzipped.json.gz");
    assert_eq!(format, Format::Json);
    assert_eq!(arts[0].title, "Fee Market Cools as Mempool Empties");
    let (format, arts, _) = articles("atom-gzipped.atom.gz");
    assert_eq!(format, Format::Feed);
    assert_eq!(arts.len(), 2);
}

#[test]
fn latin1_and_utf16_inputs() {
    let (_, arts, _) = articles("latin1-page.html");
    let a = &arts[0];
    assert_eq!(a.title, "Zürich Exchange Lists Euro Stablecoin");
    assert_eq!(a.source, "formats");
    assert!(a.body.contains("a minimum of 50 €"), "{}", a.body);
    assert!(
        a.body
            .contains("“We expect strong demand from clients in Genève and Köln,”")
    );
    assert!(a.body.contains("Renée Straßburger"));

    // the prolog says ISO-8859-1 but the text is already decoded
    let (_, arts, _) = articles("latin1-feed-declared.rss");
    assert_eq!(arts[0].title, "Señal: Bolsa de Bogotá Estudia Bitcoin");
    assert_eq!(
        arts[0].body,
        "La bolsa analizará la tecnología «blockchain» este año."
    );
    assert_eq!(arts[0].source, "crème-chain");

    let (_, arts, _) = articles("utf16le-bom-feed.atom");
    assert_eq!(arts[0].title, "UTF-16 Entry — ünïcödé");
    assert_eq!(arts[0].body, "Wide characters: ₿ and € and 日本.");

    let (_, arts, _) = articles("utf16be-bom-export.json");
    assert_eq!(arts[0].title, "Big-Endian Export é");
    assert!(arts[0].body.ends_with("mark: ₿."));

    let (format, arts, _) = articles("utf16le-no-bom.md");
    assert_eq!(format, Format::Markdown);
    assert_eq!(arts[0].title, "Little-Endian Without BOM");
    assert_eq!(arts[0].body, "Detected by the NUL byte pattern: café.");
}

// ---------------------------------------------------------------- detection

#[test]
fn detection_by_extension_then_content() {
    let cases: &[(&str, &str, Option<Format>)] = &[
        ("a.html", "x", Some(Format::Html)),
        ("a.HTM", "x", Some(Format::Html)),
        ("a.txt", "\n<!DOCTYPE html><p>x", Some(Format::Html)),
        ("a.txt", "Share\nTitle\nBody text", Some(Format::PageDump)),
        ("a.md", "plain", Some(Format::Markdown)),
        ("a.markdown", "plain", Some(Format::Markdown)),
        ("a.json", "{}", Some(Format::Json)),
        ("a.ndjson", "{}", Some(Format::Ndjson)),
        ("a.jsonl", "{}", Some(Format::Ndjson)),
        ("a.csv", "a,b", Some(Format::Csv)),
        ("a.tsv", "a\tb", Some(Format::Tsv)),
        ("a.xml", "<?xml version=\"1.0\"?><rss>", Some(Format::Feed)),
        ("a.rss", "<rss version=\"2.0\">", Some(Format::Feed)),
        ("a.atom", "<feed>", Some(Format::Feed)),
        ("a.xml", "<rdf:RDF>", Some(Format::Feed)),
        ("a.xml", "<urlset></urlset>", None),
        ("a.rss.gz", "<rss>", Some(Format::Feed)),
        ("a.csv.gz", "a,b", Some(Format::Csv)),
        (
            "feed",
            "<?xml version=\"1.0\"?>\n<feed xmlns=\"x\">",
            Some(Format::Feed),
        ),
        ("page", "<!-- saved -->\n<html><body>", Some(Format::Html)),
        ("export", "[{\"title\":\"x\"}]", Some(Format::Json)),
        ("export", "{\n  \"title\": \"x\"\n}", Some(Format::Json)),
        (
            "export",
            "{\"title\":\"x\"}\n{\"title\":\"y\"}\n",
            Some(Format::Ndjson),
        ),
        ("note", "---\ntitle: x\n---\nbody", Some(Format::Markdown)),
        (
            "note",
            "+++\ntitle = \"x\"\n+++\nbody",
            Some(Format::Markdown),
        ),
        ("note.data", "<rss version=\"2.0\">", Some(Format::Feed)),
        ("notes", "just words", None),
        ("config.yaml", "---\ntitle: x\n---\n", None),
    ];
    for (name, text, want) in cases {
        let got = detect_format(Path::new(name), text).ok();
        assert_eq!(got, *want, "{name}: {text:?}");
    }
}

#[test]
fn unknown_formats_are_skipped_with_a_reason() {
    let path = fixture("unknown-format.dat");
    let err = load_path(&path, &IngestOptions::default()).unwrap_err();
    assert!(err.contains("unsupported file type `.dat`"), "{err}");
    let err = detect_format(Path::new("README"), "hello").unwrap_err();
    assert!(err.contains("no extension"), "{err}");
}

// ---------------------------------------------------------------- sample corpus

fn exports_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus/exports")
}

#[test]
fn sample_exports_parse_cleanly_and_differ_except_one_duplicate() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(exports_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut formats: HashMap<Format, usize> = HashMap::new();
    let mut all: Vec<Article> = Vec::new();
    for f in &files {
        let (format, parsed) = load_path(f, &IngestOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        *formats.entry(format).or_default() += 1;
        let (arts, errors) = normalized(f, parsed);
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
        for a in &arts {
            assert!(
                !a.title.is_empty() && !a.body.is_empty() && a.published.is_some(),
                "{}",
                a.path
            );
            assert!(a.url.is_some() && !a.authors.is_empty() && !a.tags.is_empty());
            assert!(
                !a.body.contains('<') && !a.body.contains("&amp;"),
                "{}",
                a.path
            );
            assert!(!a.body.contains("appeared first on"), "{}", a.path);
            let year = chrono::Datelike::year(&a.published.unwrap());
            assert!((2013..=2026).contains(&year), "{}", a.path);
        }
        all.extend(arts);
    }
    for f in [
        Format::Html,
        Format::Markdown,
        Format::Json,
        Format::Ndjson,
        Format::Csv,
        Format::Tsv,
        Format::Feed,
    ] {
        assert!(formats.contains_key(&f), "no sample of {f:?}");
    }
    assert!(
        files
            .iter()
            .any(|f| f.to_string_lossy().ends_with(".json.gz"))
    );
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with(".htm")));
    assert_eq!(all.len(), 23);
    // exactly one pair shares an id (same canonical URL): the HTML page and its JSON copy
    let mut by_id: HashMap<&str, Vec<&Article>> = HashMap::new();
    for a in &all {
        by_id.entry(a.id.as_str()).or_default().push(a);
    }
    let dups: Vec<&Vec<&Article>> = by_id.values().filter(|v| v.len() > 1).collect();
    assert_eq!(dups.len(), 1);
    let pair = dups[0];
    let html = pair.iter().find(|a| a.path.ends_with(".html")).unwrap();
    let json = pair.iter().find(|a| a.path.contains(".json#")).unwrap();
    assert!(html.richness() > json.richness(), "the HTML copy is richer");
    // titles are distinct apart from the pair, and none repeats a page-dump article
    let mut titles: Vec<&str> = all.iter().map(|a| a.title.as_str()).collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 22);
    let expected: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/sample_corpus_expected.json")).unwrap();
    for e in expected {
        let t = e["title"].as_str().unwrap();
        assert!(!titles.contains(&t), "{t} repeats a page dump");
    }
}

// ---------------------------------------------------------------- the binary

fn coindex() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coindex"));
    c.env_clear();
    if let Some(p) = std::env::var_os("PATH") {
        c.env("PATH", p);
    }
    c.env("HOME", std::env::temp_dir());
    c
}

/// Runs `coindex index FOLDER --index IDX [extra]` and asserts that every file was
/// indexed (exit 0, nothing skipped, no bad record); returns stderr.
fn index_ok(folder: &Path, idx: &Path, extra: &[&str]) -> String {
    let out = coindex()
        .arg("index")
        .arg(folder)
        .arg("--index")
        .arg(idx)
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("skipped:") && !err.contains("bad record:"),
        "{err}"
    );
    err
}

#[test]
fn whole_sample_corpus_indexes_with_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("index");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    let err = index_ok(&corpus, &idx, &[]);
    assert!(
        err.lines().any(|l| l.starts_with("duplicate:")
            && l.contains("hashwire-export.json")
            && l.contains("hashwire-bitcoin-cash-fork.html")),
        "{err}"
    );
}

#[test]
fn map_with_an_unknown_field_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = coindex()
        .args(["index"])
        .arg(fixture("csv-custom-columns.csv"))
        .arg("--index")
        .arg(dir.path().join("index"))
        .args(["--map", "heading=Rubrik"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field `heading`"), "{err}");
    let out = coindex()
        .args(["index"])
        .arg(fixture("csv-custom-columns.csv"))
        .arg("--index")
        .arg(dir.path().join("index"))
        .args(["--map", "title=Rubrik", "--map", "body=Brödtext"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
