//! `coindex stats`: what the index holds.

use std::io::Write;

use super::{Status, format_of, io_err};
use crate::cli::StatsCmd;
use crate::config;
use crate::error::Result;
use crate::facets;
use crate::output::{Format, table};
use crate::search::Engine;

/// Runs `stats`.
pub fn run(c: StatsCmd, out: &mut dyn Write) -> Result<Status> {
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let s = facets::stats(&engine, c.top)?;
    let f = format_of(c.output.format);
    let res = match f {
        Format::Json => table::json(out, &s),
        Format::Ndjson => table::ndjson(out, std::slice::from_ref(&s)),
        Format::Text => (|| {
            writeln!(out, "index:          {}", engine.opened.dir.display())?;
            writeln!(out, "documents:      {}", s.documents)?;
            writeln!(
                out,
                "published:      {} .. {}{}",
                s.earliest.as_deref().unwrap_or("-"),
                s.latest.as_deref().unwrap_or("-"),
                if s.undated > 0 {
                    format!(" ({} undated)", s.undated)
                } else {
                    String::new()
                }
            )?;
            let list = |v: &[facets::Count]| {
                v.iter()
                    .map(|c| format!("{} ({})", c.value, c.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(out, "top tags:       {}", list(&s.top_tags))?;
            writeln!(out, "top sources:    {}", list(&s.top_sources))?;
            writeln!(
                out,
                "size on disk:   {:.1} MB ({} segments)",
                s.index_bytes as f64 / 1_048_576.0,
                s.segments
            )?;
            writeln!(
                out,
                "last update:    {}",
                s.last_update.as_deref().unwrap_or("-")
            )?;
            writeln!(out, "schema version: {}", s.schema_version)
        })(),
        Format::Csv | Format::Tsv => {
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
    };
    res.map_err(io_err)?;
    Ok(0)
}
