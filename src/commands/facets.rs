//! `coindex tags` and `coindex sources`: value counts over matching documents (or
//! stories, with `--collapse story`).

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::FacetCmd;
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::{Engine, aggregate, story};

/// Runs `tags` (field `tags`) or `sources` (field `source`).
pub fn run(c: FacetCmd, field: &str, out: &mut dyn Write) -> Result<ExitCode> {
    let (filters, tz) = config::filters(&c.filters)?;
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let by_story = c.collapse.is_some();
    let count = |q: &dyn tantivy::query::Query| {
        if by_story {
            story::value_counts_by_story(&engine, q, field)
        } else {
            aggregate::value_counts(&engine, q, field)
        }
    };
    let mut counts = match c.query.as_deref() {
        // aggregations describe the documents that contain every word
        Some(q) => count(engine.compile(q, &filters, false, tz)?.all_words())?,
        None => count(&*engine.filter_query(&filters))?,
    };
    counts.truncate(c.limit);
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
