//! `coindex tags` and `coindex sources`: value counts over matching documents.

use std::io::Write;

use super::{Status, filters, format_of, io_err};
use crate::cli::FacetCmd;
use crate::config;
use crate::error::Result;
use crate::facets::{self, Count};
use crate::output::{self, Format, table};
use crate::search::Engine;

/// Runs `tags` (field `tags`) or `sources` (field `source`).
pub fn run(c: FacetCmd, field: &str, out: &mut dyn Write) -> Result<Status> {
    let (filters, tz) = filters(&c.filters)?;
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let query = match c.query.as_deref() {
        Some(q) => {
            // aggregations describe the documents that contain every word
            engine.compile(q, &filters, false, tz)?.strict
        }
        None => engine.filter_query(&filters, tz),
    };
    let mut counts = facets::value_counts(&engine, &*query, field)?;
    counts.truncate(c.limit);
    let name = if field == "tags" { "tag" } else { "source" };
    render_counts(
        out,
        &counts,
        name,
        format_of(c.output.format),
        output::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(if counts.is_empty() { 1 } else { 0 })
}

/// Renders value counts in any format (`name` is the value column's name).
pub fn render_counts(
    out: &mut dyn Write,
    counts: &[Count],
    name: &str,
    f: Format,
    color: bool,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        value: &'a str,
        count: u64,
    }
    let rows: Vec<Row> = counts
        .iter()
        .map(|c| Row {
            value: &c.value,
            count: c.count,
        })
        .collect();
    match f {
        Format::Text => {
            let width = counts
                .iter()
                .map(|c| c.value.chars().count())
                .max()
                .unwrap_or(0);
            let (b, n) = if color {
                ("\x1b[1m", "\x1b[0m")
            } else {
                ("", "")
            };
            for c in counts {
                writeln!(out, "{:>7}  {b}{:<width$}{n}", c.count, c.value)?;
            }
            Ok(())
        }
        Format::Json => table::json(out, &rows),
        Format::Ndjson => table::ndjson(out, &rows),
        Format::Csv | Format::Tsv => {
            let data: Vec<Vec<String>> = counts
                .iter()
                .map(|c| vec![c.value.clone(), c.count.to_string()])
                .collect();
            table::delimited(out, f, &[name, "count"], &data)
        }
    }
}
