//! `coindex stats`: what the index holds; with `--sites`, what site learning learned.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli::StatsCmd;
use crate::config;
use crate::error::Result;
use crate::output;
use crate::search::{Engine, aggregate};

/// Runs `stats`.
pub fn run(c: StatsCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let engine = Engine::open(&config::index_dir(c.index.index)?)?;
    if c.sites {
        let profiles = crate::index::sites::load(engine.dir())?;
        let sites = profiles.summaries(3);
        output::sites(out, &sites, config::format(c.output.format)).map_err(io_err)?;
        return Ok(ExitCode::Success);
    }
    let s = aggregate::stats(&engine, c.top)?;
    output::stats(out, engine.dir(), &s, config::format(c.output.format)).map_err(io_err)?;
    Ok(ExitCode::Success)
}
