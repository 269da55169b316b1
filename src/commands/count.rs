//! `coindex count [QUERY] [filters]`: how many documents match (both ranking tiers, as
//! `total_hits` of `search`); without a query, how many pass the filters.

use std::io::Write;

use serde::Serialize;
use tantivy::collector::Count;

use super::{Status, filters, format_of, io_err};
use crate::cli;
use crate::config;
use crate::error::Result;
use crate::output::{Format, table};
use crate::search::Engine;

/// `coindex count --format json`.
#[derive(Debug, Serialize)]
pub struct JsonCount<'a> {
    /// The query as given, or `null` when counting by filters only.
    pub query: Option<&'a str>,
    pub count: usize,
}

pub fn run(c: cli::CountCmd, out: &mut dyn Write) -> Result<Status> {
    let (filters, tz) = filters(&c.filters)?;
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let count = match c.query.as_deref() {
        Some(q) => engine.count(&engine.compile(q, &filters, c.fuzzy, tz)?)?,
        None => engine
            .searcher
            .search(&*engine.filter_query(&filters, tz), &Count)?,
    };
    let j = JsonCount {
        query: c.query.as_deref(),
        count,
    };
    match format_of(c.output.format) {
        Format::Text => writeln!(out, "{count}"),
        Format::Json => table::json(out, &j),
        Format::Ndjson => table::ndjson(out, std::slice::from_ref(&j)),
        f @ (Format::Csv | Format::Tsv) => table::delimited(
            out,
            f,
            &["query", "count"],
            &[vec![
                j.query.unwrap_or_default().to_string(),
                count.to_string(),
            ]],
        ),
    }
    .map_err(io_err)?;
    Ok(if count > 0 { 0 } else { 1 })
}
