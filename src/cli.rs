//! Command-line definitions (clap derive) and nothing else: `app` turns these into
//! validated settings, so no other module sees clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Search your crypto-news archive offline: index folders of scraped pages and exports,
/// then query them with ranked, highlighted results.
#[derive(Debug, Parser)]
#[command(name = "coindex", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  coindex index ~/crypto-news\n  coindex search \"spot etf\" --from 2024-01 --to 2024-01 --tag etfs\n  coindex search \"spot etf\" --format json | jq '.hits[0].title'\n\nExit status: 0 results found / success, 1 no results (or files skipped while indexing), 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the index lives.
#[derive(Debug, Args, Clone)]
pub struct IndexArg {
    /// Index directory [default: $COINDEX_INDEX, else the platform data directory]
    #[arg(long, value_name = "PATH", global = true)]
    pub index: Option<PathBuf>,
}

/// Output format of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Ndjson,
    Csv,
    Tsv,
}

/// When to use color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Date,
}

/// Filters shared by every query command.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only articles published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only articles published on or before this date (inclusive: 2017-09 means through Sep 30)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only articles with this tag (repeat for several: all must match)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only articles from this source (repeat for several: any may match)
    #[arg(long, value_name = "SRC")]
    pub source: Vec<String>,
    /// Timezone for calendar dates in filters [default: $COINDEX_TIMEZONE, else America/New_York]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
}

/// Output options shared by every listing command.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// When to color the text output (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index folders of articles (incremental: only new and changed files are read)
    #[command(
        after_help = "Examples:\n  coindex index ~/crypto-news\n  coindex index ~/news ~/exports --index /data/coindex --report run.json\n  coindex index ~/news --rebuild\n\nExit status: 0 every file indexed, 1 finished but some files or records were skipped (listed on stderr and in --report), 2 error, 130 interrupted (work done so far is committed)."
    )]
    Index(IndexCmd),
    /// Search the index: ranked results with highlighted snippets
    #[command(
        after_help = "Query language: words (all required for the first tier), \"phrases\"~slop, OR, -term / NOT term, +term, (groups), title:/dek:/body:/tag:/source:/author: scopes, prefix*, fuzzy~1, published:2017 / published:2017-09..2017-12 / published:>=2024-01-15.\n\nExamples:\n  coindex search \"blockchain research lab\" --from 2017-09 --to 2017-12 --tag china\n  coindex search '$ETH etf -grayscale published:2024'\n  coindex search \"spot etf\" --format json | jq '.hits[0].title'\n\nExit status: 0 at least one hit, 1 no hits, 2 error."
    )]
    Search(SearchCmd),
}

#[derive(Debug, Args)]
pub struct IndexCmd {
    /// Folders (or files) to index
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexArg,
    /// Delete the index and build it again from scratch
    #[arg(long)]
    pub rebuild: bool,
    /// Timezone of page times printed without an offset [default: $COINDEX_TIMEZONE, else America/New_York]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Largest file read, in MB (after decompression)
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub max_file_mb: u64,
    /// Commit every N documents so long runs never lose much work
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub commit_every: usize,
    /// Write a JSON report with one entry per file
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// No progress bar and no summary (errors still go to stderr)
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SearchCmd {
    /// The query (see the query language below)
    #[arg(value_name = "QUERY")]
    pub query: String,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Number of results
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub limit: u64,
    /// Result order
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    /// Tolerate one typo in words of 5 letters or more
    #[arg(long)]
    pub fuzzy: bool,
    /// Boost recent articles (half-life one year)
    #[arg(long)]
    pub recent: bool,
    /// Snippet fragments per hit
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10))]
    pub snippets: u64,
    #[command(flatten)]
    pub output: OutputArgs,
}
