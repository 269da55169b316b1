//! `coindex timeline`: matching documents per period, as a terminal bar chart or data.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::TimelineCmd;
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::{Engine, views};

/// Runs `timeline`.
pub fn run(c: TimelineCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let (filters, tz) = config::filters(&c.filters)?;
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let t = views::query_timeline(
        &engine,
        &c.query,
        &filters,
        tz,
        config::period(c.by),
        c.collapse.is_some(),
    )?;
    output::timeline(
        out,
        &c.query,
        &t.buckets,
        t.undated,
        config::format(c.output.format),
        config::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(ExitCode::found(t.found))
}
