//! `coindex stats`: what the index holds.

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
    let s = aggregate::stats(&engine, c.top)?;
    output::stats(out, engine.dir(), &s, config::format(c.output.format)).map_err(io_err)?;
    Ok(ExitCode::Success)
}
