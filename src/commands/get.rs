//! `coindex get <ID|URL>`: one normalized document, every field, the body in full.

use std::io::Write;

use super::{ExitCode, io_err};
use crate::cli;
use crate::config;
use crate::error::Result;
use crate::output::{self, document::Document, document::Shape};
use crate::search::Engine;

pub fn run(c: cli::GetCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let Some((_, article)) = engine.find(&c.id)? else {
        eprintln!(
            "coindex: no document with id or URL {:?} in the index at {}",
            c.id,
            dir.display()
        );
        return Ok(ExitCode::NoMatch);
    };
    output::document(
        out,
        &Document::new(&article, Shape::Get),
        config::format(c.output.format),
        config::use_color(c.output.color),
    )
    .map_err(io_err)?;
    Ok(ExitCode::Success)
}
