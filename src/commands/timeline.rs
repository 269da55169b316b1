//! `coindex timeline`: matching documents per period, as a terminal bar chart or data.

use std::io::Write;

use super::{Status, filters, format_of, io_err};
use crate::cli::{PeriodArg, TimelineCmd};
use crate::config;
use crate::error::Result;
use crate::facets::{self, Bucket, Period};
use crate::output::{self, Format, table};
use crate::search::Engine;

/// Runs `timeline`.
pub fn run(c: TimelineCmd, out: &mut dyn Write) -> Result<Status> {
    let (filters, tz) = filters(&c.filters)?;
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    // the story's shape: documents that contain every word of the query
    let q = engine.compile(&c.query, &filters, false, tz)?.strict;
    let (dates, undated) = facets::published_dates(&engine, &*q)?;
    let by = match c.by {
        PeriodArg::Year => Period::Year,
        PeriodArg::Month => Period::Month,
        PeriodArg::Week => Period::Week,
    };
    let buckets = facets::timeline(&dates, by, tz);
    render(
        out,
        &c.query,
        &buckets,
        undated,
        format_of(c.output.format),
        output::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(if dates.is_empty() && undated == 0 {
        1
    } else {
        0
    })
}

fn render(
    out: &mut dyn Write,
    query: &str,
    buckets: &[Bucket],
    undated: u64,
    f: Format,
    color: bool,
) -> std::io::Result<()> {
    match f {
        Format::Text => {
            let max = buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
            let width = buckets.iter().map(|b| b.period.len()).max().unwrap_or(4);
            let (b, n) = if color {
                ("\x1b[36m", "\x1b[0m")
            } else {
                ("", "")
            };
            for bk in buckets {
                let len = ((bk.count as f64 / max as f64) * 50.0).round() as usize;
                let bar = if bk.count > 0 {
                    "█".repeat(len.max(1))
                } else {
                    String::new()
                };
                writeln!(out, "{:<width$}  {b}{bar}{n} {}", bk.period, bk.count)?;
            }
            let total: u64 = buckets.iter().map(|b| b.count).sum();
            writeln!(
                out,
                "{total} dated matches for {query:?}{}",
                if undated > 0 {
                    format!(", {undated} undated")
                } else {
                    String::new()
                }
            )
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct T<'a> {
                query: &'a str,
                undated: u64,
                buckets: &'a [Bucket],
            }
            table::json(
                out,
                &T {
                    query,
                    undated,
                    buckets,
                },
            )
        }
        Format::Ndjson => table::ndjson(out, buckets),
        Format::Csv | Format::Tsv => {
            let rows: Vec<Vec<String>> = buckets
                .iter()
                .map(|b| vec![b.period.clone(), b.start.clone(), b.count.to_string()])
                .collect();
            table::delimited(out, f, &["period", "start", "count"], &rows)
        }
    }
}
