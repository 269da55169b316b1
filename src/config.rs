//! Validated settings built from the command line: the index directory, the timezone,
//! filters, sort order, output format and color. Flags win over `COINDEX_INDEX` and
//! `COINDEX_TIMEZONE`, which win over the defaults.
//!
//! This is where clap types end: the commands hand flags to these functions and pass
//! on only library types. What a date bound means is `search::filters`' job.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono_tz::Tz;

use crate::cli::{ColorArg, ExportFormatArg, FilterArgs, FormatArg, PeriodArg, SortArg};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::search::aggregate::Period;
use crate::search::{DateInterval, Filters, Sort};
use crate::timezone;

/// Resolves the timezone from the flag, then `COINDEX_TIMEZONE`, then the default.
pub fn timezone(flag: Option<&str>) -> Result<Tz> {
    let name = flag
        .map(str::to_string)
        .or_else(|| {
            std::env::var("COINDEX_TIMEZONE")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| timezone::DEFAULT_TIMEZONE.to_string());
    timezone::parse_timezone(&name).map_err(Error::user)
}

/// Resolves the index directory from the flag, then `COINDEX_INDEX`, then the platform
/// data directory.
pub fn index_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os("COINDEX_INDEX").filter(|s| !s.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("coindex").join("index"))
        .ok_or_else(|| Error::user("cannot find a data directory for the index: pass --index PATH or set COINDEX_INDEX"))
}

/// Snippet length in characters.
pub const SNIPPET_LEN: usize = 220;

/// The filters of `--from`, `--to`, `--tag` and `--source`, and the timezone calendar
/// dates are read in.
pub fn filters(f: &FilterArgs) -> Result<(Filters, Tz)> {
    let tz = timezone(f.timezone.as_deref())?;
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

/// `--sort`.
pub fn sort(s: SortArg) -> Sort {
    match s {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Date => Sort::Date,
    }
}

/// `--by` of `timeline`.
pub fn period(p: PeriodArg) -> Period {
    match p {
        PeriodArg::Year => Period::Year,
        PeriodArg::Month => Period::Month,
        PeriodArg::Week => Period::Week,
    }
}

/// `--format` of the listing commands.
pub fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Ndjson => Format::Ndjson,
        FormatArg::Csv => Format::Csv,
        FormatArg::Tsv => Format::Tsv,
    }
}

/// `--format` of `export`.
pub fn export_format(f: ExportFormatArg) -> Format {
    match f {
        ExportFormatArg::Ndjson => Format::Ndjson,
        ExportFormatArg::Json => Format::Json,
        ExportFormatArg::Csv => Format::Csv,
        ExportFormatArg::Tsv => Format::Tsv,
    }
}

/// Resolves `--color` with `NO_COLOR` and whether stdout is a terminal.
pub fn use_color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
