//! `coindex count [QUERY] [filters]`: how many documents match (both ranking tiers, as
//! `total_hits` of `search`); without a query, how many pass the filters.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli;
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::Engine;

pub fn run(c: cli::CountCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let (filters, tz) = config::filters(&c.filters)?;
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let count = match c.query.as_deref() {
        Some(q) => engine.count(&engine.compile(q, &filters, c.fuzzy, tz)?)?,
        None => engine.count_filtered(&filters)?,
    };
    output::count(
        out,
        c.query.as_deref(),
        count,
        config::format(c.output.format),
    )
    .map_err(io_err)?;
    Ok(ExitCode::found(count > 0))
}
