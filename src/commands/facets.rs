//! `coindex tags` and `coindex sources`: value counts over matching documents.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::FacetCmd;
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::{Engine, views};

/// Runs `tags` (field `tags`) or `sources` (field `source`).
pub fn run(c: FacetCmd, field: &str, out: &mut dyn Write) -> Result<ExitCode> {
    let (filters, tz) = config::filters(&c.filters)?;
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let counts = views::facet_counts(
        &engine,
        c.query.as_deref(),
        &filters,
        tz,
        field,
        c.limit,
        c.collapse.is_some(),
    )?;
    let name = if field == "tags" { "tag" } else { "source" };
    output::counts(
        out,
        &counts,
        name,
        config::format(c.output.format),
        config::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(ExitCode::found(!counts.is_empty()))
}
