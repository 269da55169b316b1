//! coindex: a local full-text search engine for crypto-news archives.
//!
//! Two paths, one folder per stage (docs/ARCHITECTURE.md):
//!
//! - a file becomes documents: `ingest` (walk, read, decode, one parser per format;
//!   `text` holds the text rules the parsers share) → `normalize` (the one document
//!   model: dates, tag/source/URL/id keys) → `indexer` (the incremental, crash-safe run)
//!   → `index` (open/create, the manifest, the dedup registry, the site profiles);
//!   `sites` learns each site's chrome and date order from its pages;
//! - a query becomes bytes: `commands` (one module per CLI command; `cli` is clap,
//!   `config` turns flags into settings) → `search` (query language, compilation,
//!   filters, top-k collectors, snippets, aggregations; the coin-aware tokenizer is
//!   `analysis`) → `output` (renderers).
//!
//! `schema` reads the field contract in `index_schema/`; `model` is the document model;
//! `timezone` the zone rules both paths share; `error` and `exit` the error type and
//! exit statuses. The binary in `main.rs` only parses arguments and maps results to
//! exit codes.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod exit;
pub mod index;
pub mod indexer;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod output;
pub mod schema;
pub mod search;
pub mod serve;
pub mod sites;
pub mod text;
pub mod timezone;
pub mod watch;

pub use error::{Error, Result};
pub use model::{Article, RawArticle};
