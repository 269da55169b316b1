//! Command-line definitions (clap derive) and nothing else: `config` turns these into
//! validated settings, so no module past `commands` and `config` sees clap types.

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

/// `--max-file-mb`'s default.
pub const DEFAULT_MAX_FILE_MB: u64 = 64;
/// `--commit-every`'s default.
pub const DEFAULT_COMMIT_EVERY: usize = 20_000;
/// `--memory-mb`'s default.
pub const DEFAULT_MEMORY_MB: usize = 192;

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

/// What `--collapse` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CollapseArg {
    /// Versions of one story (syndicated copies and rewrites): one hit or count per story
    Story,
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
        after_help = "Examples:\n  coindex index ~/crypto-news\n  coindex index ~/news ~/exports --index /data/coindex --report run.json\n  coindex index ~/news --rebuild\n  coindex index ~/news --watch\n\nExit status: 0 every file indexed, 1 finished but some files or records were skipped (listed on stderr and in --report), 2 error, 130 interrupted (work done so far is committed). With --watch: 0 when stopped with Ctrl-C."
    )]
    Index(IndexCmd),
    /// Search the index: ranked results with highlighted snippets
    #[command(
        after_help = "Query language: words (all required for the first tier), \"phrases\"~slop, OR, -term / NOT term, +term, (groups), title:/dek:/body:/tag:/source:/author: scopes, prefix*, fuzzy~1, published:2017 / published:2017-09..2017-12 / published:>=2024-01-15.\n\nExamples:\n  coindex search \"blockchain research lab\" --from 2017-09 --to 2017-12 --tag china\n  coindex search '$ETH etf -grayscale published:2024'\n  coindex search \"spot etf\" --format json | jq '.hits[0].title'\n  coindex search halving --format csv --fields id,published,title\n  coindex search --batch queries.txt --limit 3 > results.ndjson\n  printf '%s\\n' 'mt gox' '{\"q\": \"etf\", \"from\": \"2024\", \"tags\": [\"etfs\"]}' | coindex search --batch -\n\nExit status: 0 at least one hit, 1 no hits, 2 error. With --batch: 0 no line failed and some query had a hit, 1 no line failed and no hits, 2 some line failed (its output line has an \"error\" key; the other lines still ran)."
    )]
    Search(SearchCmd),
    /// Index statistics: documents, date range, top tags and sources, size, last update
    #[command(
        after_help = "Examples:\n  coindex stats\n  coindex stats --format json | jq .documents"
    )]
    Stats(StatsCmd),
    /// Tag counts over all documents or those matching a query, descending
    #[command(
        after_help = "Examples:\n  coindex tags\n  coindex tags \"spot etf\" --from 2024\n  coindex tags --source coinwire --format csv\n\nExit status: 0 at least one value, 1 none, 2 error."
    )]
    Tags(FacetCmd),
    /// Source counts over all documents or those matching a query, descending
    #[command(
        after_help = "Examples:\n  coindex sources\n  coindex sources hack --tag security --format json\n\nExit status: 0 at least one value, 1 none, 2 error."
    )]
    Sources(FacetCmd),
    /// Matching documents per year, month or week, drawn as a bar chart
    #[command(
        after_help = "Examples:\n  coindex timeline \"mt gox\"\n  coindex timeline etf --by month --from 2023 --format json\n\nExit status: 0 at least one match, 1 none, 2 error."
    )]
    Timeline(TimelineCmd),
    /// The articles most related to one article (by id or URL)
    #[command(
        after_help = "Examples:\n  coindex similar 9f2c4e1ab03d7c55\n  coindex similar https://www.example.com/2024/01/10/etf-approved --limit 5\n\nExit status: 0 related articles found, 1 none, 2 error (including an unknown id)."
    )]
    Similar(SimilarCmd),
    /// List the versions of a story (syndicated copies and rewrites), oldest first
    #[command(
        after_help = "The story id is printed by `coindex search` (`+N versions · … · coindex story ID`) and is the `story` key of JSON hits; the id or URL of any version also works.\n\nExamples:\n  coindex story 9f2c4e1ab03d7c55\n  coindex story https://www.example.com/2024/01/10/etf-approved --format json\n\nExit status: 0 found, 1 no such story or document (message on stderr), 2 error."
    )]
    Story(StoryCmd),
    /// Print one document in full (every normalized field and the whole body)
    #[command(
        after_help = "Examples:\n  coindex get 9f2c4e1ab03d7c55\n  coindex get https://www.example.com/2024/01/10/etf-approved --format json | jq -r .body\n\nExit status: 0 found, 1 no such document (message on stderr), 2 error."
    )]
    Get(GetCmd),
    /// Count the documents matching a query (or, without one, the filters)
    #[command(
        after_help = "Examples:\n  coindex count \"spot etf\" --from 2024\n  coindex count --source coinwire --tag mining\n  coindex count halving --format json\n\nExit status: 0 at least one match, 1 none, 2 error."
    )]
    Count(CountCmd),
    /// Export normalized documents as NDJSON (Quickwit, Elasticsearch and OpenSearch ingest it as is), or a Quickwit index config
    #[command(
        after_help = "Examples:\n  coindex export > archive.ndjson\n  coindex export \"spot etf\" --from 2024 --fields id,title,published\n  coindex export --tag mining --format csv --output mining.csv\n  coindex export --quickwit-config > coindex.yaml\n  quickwit index create --index-config coindex.yaml\n  coindex export --require-date | quickwit index ingest --index coindex --force\n\nExit status: 0 at least one document written (or the config), 1 none matched, 2 error."
    )]
    Export(ExportCmd),
    /// Serve a search page and a JSON API on this machine (loopback unless --addr says otherwise)
    #[command(
        after_help = "Examples:\n  coindex serve\n  coindex serve --open\n  coindex serve --watch ~/crypto-news\n  curl 'http://127.0.0.1:7878/api/search?q=spot+etf&from=2024-01'\n\nThe API is documented in docs/API.md. Ctrl-C stops the server (and the watcher, after its current run commits).\n\nExit status: 0 stopped with Ctrl-C, 2 error (the address is taken, no index, a bad flag)."
    )]
    Serve(ServeCmd),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(
        after_help = "Examples:\n  coindex completions bash > ~/.local/share/bash-completion/completions/coindex\n  coindex completions zsh > ~/.zfunc/_coindex\n  coindex completions fish > ~/.config/fish/completions/coindex.fish"
    )]
    Completions(CompletionsCmd),
    /// Print the man page, or write one page per command to a folder
    #[command(
        after_help = "Examples:\n  coindex man | man -l -\n  coindex man --output ~/.local/share/man/man1"
    )]
    Man(ManCmd),
}

#[derive(Debug, Args)]
pub struct StatsCmd {
    #[command(flatten)]
    pub index: IndexArg,
    /// How many top tags and sources to list
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Show what site learning learned instead: per site, pages read, chrome segments (with examples of removed text) and the order of its numeric dates
    #[arg(long)]
    pub sites: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct FacetCmd {
    /// Only count documents matching this query (same language as `search`)
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Number of values to list
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Count each story once, however many versions it has
    #[arg(long, value_enum, value_name = "WHAT")]
    pub collapse: Option<CollapseArg>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Timeline granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Year,
    Month,
    Week,
}

#[derive(Debug, Args)]
pub struct TimelineCmd {
    /// The query (same language as `search`)
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Period of each bar
    #[arg(long, value_enum, default_value = "year")]
    pub by: PeriodArg,
    /// Count each story once, at its first publication
    #[arg(long, value_enum, value_name = "WHAT")]
    pub collapse: Option<CollapseArg>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SimilarCmd {
    /// Document id (from search output) or URL
    #[arg(value_name = "ID|URL")]
    pub target: String,
    #[command(flatten)]
    pub index: IndexArg,
    /// Number of related articles
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    #[command(flatten)]
    pub output: OutputArgs,
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
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_FILE_MB)]
    pub max_file_mb: u64,
    /// Commit every N documents so long runs never lose much work
    #[arg(long, value_name = "N", default_value_t = DEFAULT_COMMIT_EVERY)]
    pub commit_every: usize,
    /// Memory budget of the index writer in MB, shared by its threads (bounds peak memory)
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MEMORY_MB)]
    pub memory_mb: usize,
    /// Indexing threads (parsing and the writer) [default: the number of cores, at most 4]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Write a JSON report with one entry per file
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Keep running: index files added, changed or deleted under the folders within 2 s of
    /// their settling (Ctrl-C stops)
    #[arg(long, conflicts_with = "report")]
    pub watch: bool,
    /// Read coindex FIELD from input key or column NAME in JSON, NDJSON, CSV, TSV and front matter (repeatable; FIELD: title, dek, body, url, source, authors, published, updated, tags)
    #[arg(long = "map", value_name = "FIELD=NAME")]
    pub map: Vec<String>,
    /// Do not learn sites' chrome and date order from their pages, nor clean pages with what was learned (generic rules only; what was learned before is kept)
    #[arg(long)]
    pub no_site_learning: bool,
    /// No progress bar and no summary (errors still go to stderr)
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SearchCmd {
    /// The query (see the query language below)
    #[arg(
        value_name = "QUERY",
        allow_hyphen_values = true,
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub query: Option<String>,
    /// Run many queries from FILE (`-` for stdin), one per line (plain text or JSON); writes NDJSON, one result set per line
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Keys (json, ndjson) or columns (csv, tsv) to output, in order: rank,score,id,title,published,updated,tags,source,url,path,snippet,highlights,story,story_size,story_sources
    #[arg(long, value_name = "F1,F2,...", value_delimiter = ',')]
    pub fields: Vec<String>,
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
    /// One hit per story: its best-ranked version, with `+N versions` and their sources
    #[arg(long, value_enum, value_name = "WHAT")]
    pub collapse: Option<CollapseArg>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct StoryCmd {
    /// Story id (the `story` key of a hit), or the id or URL of any of its versions
    #[arg(value_name = "ID|URL")]
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GetCmd {
    /// Document id (16 hex digits, from search output) or the article's URL
    #[arg(value_name = "ID|URL")]
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CountCmd {
    /// The query (same language as `search`); without one, count what passes the filters
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Tolerate one typo in words of 5 letters or more
    #[arg(long)]
    pub fuzzy: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Ndjson,
    Json,
    Csv,
    Tsv,
}

#[derive(Debug, Args)]
pub struct ExportCmd {
    /// Only documents matching this query (same language as `search`); default: all
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Tolerate one typo in words of 5 letters or more
    #[arg(long)]
    pub fuzzy: bool,
    /// Keys (ndjson, json) or columns (csv, tsv) to output, in order: id,url,source,title,dek,authors,body,tags,published,updated,path
    #[arg(long, value_name = "F1,F2,...", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: ExportFormatArg,
    /// Skip documents without a publication date (Quickwit rejects documents missing its timestamp field)
    #[arg(long)]
    pub require_date: bool,
    /// Write a Quickwit index config (YAML) generated from the index schema instead of documents
    #[arg(long, conflicts_with_all = ["query", "fields", "require_date"])]
    pub quickwit_config: bool,
    /// Quickwit index id written in the config
    #[arg(long, value_name = "ID", requires = "quickwit_config")]
    pub index_id: Option<String>,
    /// Write to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeCmd {
    #[command(flatten)]
    pub index: IndexArg,
    /// Address to listen on; anything but a loopback address makes the archive readable
    /// on the network
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:7878")]
    pub addr: String,
    /// Open the page in the default browser once the server listens
    #[arg(long)]
    pub open: bool,
    /// Also keep these folders indexed as files are added, changed or deleted (like
    /// `coindex index --watch`)
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub watch: Vec<PathBuf>,
    /// Timezone for calendar dates in filters and timelines [default: $COINDEX_TIMEZONE, else America/New_York]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsCmd {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManCmd {
    /// Write coindex.1 and one page per command (coindex-search.1, ...) into DIR instead of printing the main page
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}
