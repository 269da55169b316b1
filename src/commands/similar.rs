//! `coindex similar <ID|URL>`: more like this.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::SimilarCmd;
use crate::config;
use crate::error::{Error, Result};
use crate::output;
use crate::search::{Engine, views};

/// Runs `similar`.
pub fn run(c: SimilarCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    let Some(results) = views::similar_results(&engine, &c.target, c.limit)? else {
        return Err(Error::user(format!(
            "no document with id or URL `{}` in the index (ids are printed by `coindex search --format json`)",
            c.target
        )));
    };
    output::results(
        out,
        &results,
        config::format(c.output.format),
        None,
        config::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(ExitCode::found(!results.hits.is_empty()))
}
