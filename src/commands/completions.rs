//! `coindex completions <SHELL>` and `coindex man [--output DIR]`: shell completion
//! scripts and man pages generated from the clap definitions, so they never drift from
//! the real flags.

use std::io::Write;

use clap::CommandFactory;

use super::{ExitCode, io_err};
use crate::cli::{self, Cli};
use crate::error::{Error, Result};

pub fn completions(c: cli::CompletionsCmd, out: &mut dyn Write) -> Result<ExitCode> {
    // clap_complete panics on a failed write: render to memory, then write (so a
    // closed pipe is an ordinary, quiet error)
    let mut buf = Vec::new();
    clap_complete::generate(c.shell, &mut Cli::command(), "coindex", &mut buf);
    out.write_all(&buf).map_err(io_err)?;
    Ok(ExitCode::Success)
}

pub fn man(c: cli::ManCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let cmd = Cli::command();
    match c.output {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            clap_mangen::generate_to(cmd, &dir).map_err(|e| Error::io(&dir, e))?;
            let mut pages = vec!["coindex.1".to_string()];
            pages.extend(
                Cli::command()
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| format!("coindex-{}.1", s.get_name())),
            );
            eprintln!(
                "coindex: wrote {} man pages to {} ({})",
                pages.len(),
                dir.display(),
                pages.join(", ")
            );
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| Error::Internal(format!("cannot render the man page: {e}")))?;
            out.write_all(&buf).map_err(io_err)?;
        }
    }
    Ok(ExitCode::Success)
}
