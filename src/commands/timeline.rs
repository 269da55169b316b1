//! `coindex timeline`: matching documents (or stories, at their first publication, with
//! `--collapse story`) per period, as a terminal bar chart or data.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::{PeriodArg, TimelineCmd};
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::aggregate::{self, Period};
use crate::search::{Engine, story};

/// Runs `timeline`.
pub fn run(c: TimelineCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let (filters, tz) = config::filters(&c.filters)?;
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    // the story's shape: documents that contain every word of the query
    let compiled = engine.compile(&c.query, &filters, false, tz)?;
    let (dates, undated) = if c.collapse.is_some() {
        story::published_dates_by_story(&engine, compiled.all_words())?
    } else {
        aggregate::published_dates(&engine, compiled.all_words())?
    };
    let by = match c.by {
        PeriodArg::Year => Period::Year,
        PeriodArg::Month => Period::Month,
        PeriodArg::Week => Period::Week,
    };
    let buckets = aggregate::timeline(&dates, by, tz);
    output::timeline(
        out,
        &c.query,
        &buckets,
        undated,
        config::format(c.output.format),
        config::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(ExitCode::found(!dates.is_empty() || undated > 0))
}
