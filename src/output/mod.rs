//! Renderers: typed results in, bytes out. One module per format family; the search
//! code never formats anything. Only results go to stdout; all of these write to a
//! `Write` handed in by the caller, so tests can capture them.

pub mod json;
pub mod quickwit;
pub mod table;
pub mod text;

use std::io::IsTerminal;

use crate::cli::ColorArg;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Ndjson,
    Csv,
    Tsv,
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

/// RFC 3339 UTC with a `Z`, seconds precision.
pub fn rfc3339(d: &chrono::DateTime<chrono::Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
