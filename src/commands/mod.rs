//! The commands, one module each: clap arguments → validated settings (`config`) →
//! library calls → renderers (`output`). A command neither formats output nor drives
//! tantivy itself. Each returns its [`ExitCode`] (success/results, nothing found or
//! files skipped); errors are returned as `Err` and exit with 2.

mod batch;
mod completions;
mod count;
mod export;
mod facets;
mod get;
mod index;
mod search;
mod serve;
mod similar;
mod stats;
mod story;
mod timeline;

use std::io::Write;

use crate::cli::{self, Command};
use crate::config;
use crate::error::{Error, Result, rebuild_command};
pub use crate::exit::ExitCode;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli, out: &mut dyn Write) -> Result<ExitCode> {
    let index_flag = index_flag(&cli.command);
    run_command(cli, out).map_err(|e| damaged_index(e, index_flag))
}

/// The `--index` flag of commands that use an index (`Some(None)`: not given).
fn index_flag(c: &Command) -> Option<Option<std::path::PathBuf>> {
    let arg = match c {
        Command::Index(c) => &c.index,
        Command::Search(c) => &c.index,
        Command::Stats(c) => &c.index,
        Command::Tags(c) | Command::Sources(c) => &c.index,
        Command::Timeline(c) => &c.index,
        Command::Similar(c) => &c.index,
        Command::Get(c) => &c.index,
        Command::Story(c) => &c.index,
        Command::Count(c) => &c.index,
        Command::Export(c) => &c.index,
        Command::Serve(c) => &c.index,
        Command::Completions(_) | Command::Man(_) => return None,
    };
    Some(arg.index.clone())
}

/// A failure inside tantivy while a command reads or writes the index. tantivy opens
/// segment files lazily, so a truncated or missing one is often noticed only when a
/// search or a commit reads it: name the problem and the way out (`--rebuild`) rather
/// than report an opaque "index error".
fn damaged_index(e: Error, index_flag: Option<Option<std::path::PathBuf>>) -> Error {
    match (e, index_flag) {
        (Error::Index(t), Some(flag)) => {
            let dir = config::index_dir(flag).unwrap_or_else(|_| "PATH".into());
            Error::user(format!(
                "the index at {} cannot be read or written ({t}); it may be damaged: run {} to rebuild it",
                dir.display(),
                rebuild_command(Some(&dir))
            ))
        }
        (e, _) => e,
    }
}

fn run_command(cli: cli::Cli, out: &mut dyn Write) -> Result<ExitCode> {
    match cli.command {
        Command::Index(c) => index::run(c),
        Command::Search(c) => search::run(c, out),
        Command::Stats(c) => stats::run(c, out),
        Command::Tags(c) => facets::run(c, "tags", out),
        Command::Sources(c) => facets::run(c, "source", out),
        Command::Timeline(c) => timeline::run(c, out),
        Command::Similar(c) => similar::run(c, out),
        Command::Get(c) => get::run(c, out),
        Command::Story(c) => story::run(c, out),
        Command::Count(c) => count::run(c, out),
        Command::Export(c) => export::run(c, out),
        Command::Serve(c) => serve::run(c, out),
        Command::Completions(c) => completions::completions(c, out),
        Command::Man(c) => completions::man(c, out),
    }
}

pub(crate) fn io_err(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}
