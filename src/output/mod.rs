//! Renderers: typed results in, bytes out. One function per kind of result here picks
//! the format; the formats live in their own files (`text` for people, `json` for the
//! wire shapes of hits and listings, `document` for an article, `table` for NDJSON,
//! CSV and TSV rows, `stream` for the export's one-document-at-a-time writer,
//! `quickwit` for the cluster config). The search code never formats anything, and
//! nothing here sees clap types. Only results go to stdout; all of these write to a
//! `Write` handed in by the caller, so tests can capture them.

pub mod document;
pub mod fields;
pub mod json;
pub mod quickwit;
pub mod stream;
pub mod table;
pub mod text;

use std::io::{self, Write};

pub use crate::model::rfc3339;
use crate::normalize::dates::DateOrder;
use crate::search::SearchResults;
use crate::search::aggregate::{Bucket, Count, Stats};
use crate::sites::SiteSummary;
use document::Document;
use fields::CSV_COLUMNS;
use json::{JsonCount, JsonHit, JsonSerp, JsonTimeline, JsonValueCount, PickedSerp};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Ndjson,
    Csv,
    Tsv,
}

/// A result set in any format (`search` and `similar`); `fields` is the `--fields`
/// selection, if any.
pub fn results(
    out: &mut dyn Write,
    results: &SearchResults,
    format: Format,
    fields: Option<&[&'static str]>,
    color: bool,
) -> io::Result<()> {
    match (format, fields) {
        (Format::Text, _) => text::search(out, results, color),
        (Format::Json, None) => table::json(out, &JsonSerp::new(results)),
        (Format::Json, Some(keys)) => table::json(out, &PickedSerp::new(results, keys)),
        (Format::Ndjson, keys) => table::ndjson(out, &json::hit_objects(results, keys)),
        (f @ (Format::Csv | Format::Tsv), keys) => {
            let keys = keys.unwrap_or(CSV_COLUMNS);
            let rows: Vec<Vec<String>> = results
                .hits
                .iter()
                .map(|h| {
                    let j = JsonHit::new(h);
                    keys.iter().map(|k| j.cell(k)).collect()
                })
                .collect();
            table::delimited(out, f, keys, &rows)
        }
    }
}

/// One whole document (`get`).
pub fn document(
    out: &mut dyn Write,
    doc: &Document,
    format: Format,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Text => text::document(out, doc, color),
        Format::Json => table::json(out, doc),
        Format::Ndjson => table::ndjson(out, std::slice::from_ref(doc)),
        f @ (Format::Csv | Format::Tsv) => {
            table::delimited(out, f, document::DOCUMENT_FIELDS, &[doc.cells()])
        }
    }
}

/// The number of matches (`count`).
pub fn count(
    out: &mut dyn Write,
    query: Option<&str>,
    count: usize,
    format: Format,
) -> io::Result<()> {
    let j = JsonCount { query, count };
    match format {
        Format::Text => writeln!(out, "{count}"),
        Format::Json => table::json(out, &j),
        Format::Ndjson => table::ndjson(out, std::slice::from_ref(&j)),
        f @ (Format::Csv | Format::Tsv) => table::delimited(
            out,
            f,
            &["query", "count"],
            &[vec![
                query.unwrap_or_default().to_string(),
                count.to_string(),
            ]],
        ),
    }
}

/// Value counts (`tags`, `sources`); `name` is the value column's name in CSV/TSV.
pub fn counts(
    out: &mut dyn Write,
    counts: &[Count],
    name: &str,
    format: Format,
    color: bool,
) -> io::Result<()> {
    let rows: Vec<JsonValueCount> = counts
        .iter()
        .map(|c| JsonValueCount {
            value: &c.value,
            count: c.count,
        })
        .collect();
    match format {
        Format::Text => text::counts(out, counts, color),
        Format::Json => table::json(out, &rows),
        Format::Ndjson => table::ndjson(out, &rows),
        f @ (Format::Csv | Format::Tsv) => {
            let data: Vec<Vec<String>> = counts
                .iter()
                .map(|c| vec![c.value.clone(), c.count.to_string()])
                .collect();
            table::delimited(out, f, &[name, "count"], &data)
        }
    }
}

/// Matches per period (`timeline`).
pub fn timeline(
    out: &mut dyn Write,
    query: &str,
    buckets: &[Bucket],
    undated: u64,
    format: Format,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Text => text::timeline(out, query, buckets, undated, color),
        Format::Json => table::json(
            out,
            &JsonTimeline {
                query,
                undated,
                buckets,
            },
        ),
        Format::Ndjson => table::ndjson(out, buckets),
        f @ (Format::Csv | Format::Tsv) => {
            let rows: Vec<Vec<String>> = buckets
                .iter()
                .map(|b| vec![b.period.clone(), b.start.clone(), b.count.to_string()])
                .collect();
            table::delimited(out, f, &["period", "start", "count"], &rows)
        }
    }
}

/// What each site learned (`stats --sites`).
pub fn sites(out: &mut dyn Write, sites: &[SiteSummary], format: Format) -> io::Result<()> {
    match format {
        Format::Json => table::json(out, &serde_json::json!({ "sites": sites })),
        Format::Ndjson => table::ndjson(out, sites),
        Format::Text => text::sites(out, sites),
        f @ (Format::Csv | Format::Tsv) => {
            let rows: Vec<Vec<String>> = sites
                .iter()
                .map(|s| {
                    vec![
                        s.site.clone(),
                        s.pages.to_string(),
                        s.chrome_segments.to_string(),
                        date_order_name(s.date_order).to_string(),
                        s.examples.first().cloned().unwrap_or_default(),
                    ]
                })
                .collect();
            table::delimited(
                out,
                f,
                &["site", "pages", "chrome_segments", "date_order", "example"],
                &rows,
            )
        }
    }
}

/// The wire name of a date order.
pub fn date_order_name(o: DateOrder) -> &'static str {
    match o {
        DateOrder::Unknown => "unknown",
        DateOrder::DayFirst => "day-first",
        DateOrder::MonthFirst => "month-first",
    }
}

/// Index statistics (`stats`); `dir` is the index directory.
pub fn stats(
    out: &mut dyn Write,
    dir: &std::path::Path,
    s: &Stats,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Json => table::json(out, s),
        Format::Ndjson => table::ndjson(out, std::slice::from_ref(s)),
        Format::Text => text::stats(out, dir, s),
        f @ (Format::Csv | Format::Tsv) => {
            let row = vec![
                s.documents.to_string(),
                s.earliest.clone().unwrap_or_default(),
                s.latest.clone().unwrap_or_default(),
                s.undated.to_string(),
                s.index_bytes.to_string(),
                s.last_update.clone().unwrap_or_default(),
                s.schema_version.to_string(),
            ];
            table::delimited(
                out,
                f,
                &[
                    "documents",
                    "earliest",
                    "latest",
                    "undated",
                    "index_bytes",
                    "last_update",
                    "schema_version",
                ],
                &[row],
            )
        }
    }
}
