//! The commands, one module each: clap arguments → validated settings → library calls
//! → renderers. Each returns the exit status (0 success/results, 1 nothing found or
//! files skipped); errors are returned as `Err` and exit with 2.

mod batch;
mod completions;
mod count;
mod export;
mod facets;
mod get;
mod index;
mod search;
mod similar;
mod stats;
mod timeline;

use std::io::Write;

use crate::cli::{self, Command, FormatArg};
use crate::config::{self, DateInterval};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::search::Filters;

/// Exit status of a command that ran to completion.
pub type Status = i32;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli, out: &mut dyn Write) -> Result<Status> {
    match cli.command {
        Command::Index(c) => index::run(c),
        Command::Search(c) => search::run(c, out),
        Command::Stats(c) => stats::run(c, out),
        Command::Tags(c) => facets::run(c, "tags", out),
        Command::Sources(c) => facets::run(c, "source", out),
        Command::Timeline(c) => timeline::run(c, out),
        Command::Similar(c) => similar::run(c, out),
        Command::Get(c) => get::run(c, out),
        Command::Count(c) => count::run(c, out),
        Command::Export(c) => export::run(c, out),
        Command::Completions(c) => completions::completions(c, out),
        Command::Man(c) => completions::man(c, out),
    }
}

pub(crate) fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Ndjson => Format::Ndjson,
        FormatArg::Csv => Format::Csv,
        FormatArg::Tsv => Format::Tsv,
    }
}

/// Builds filters from flags.
pub fn filters(f: &cli::FilterArgs) -> Result<(Filters, chrono_tz::Tz)> {
    let tz = config::timezone(f.timezone.as_deref())?;
    let dates = DateInterval::from_flags(f.from.as_deref(), f.to.as_deref(), tz)?;
    Ok((
        Filters {
            dates,
            tags: f.tag.clone(),
            sources: f.source.clone(),
        },
        tz,
    ))
}

pub(crate) fn io_err(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}
