//! coindex: a local full-text search engine for crypto-news archives.
//!
//! The pipeline, one module per stage:
//! `ingest` (walk, read, decode, one parser per format) → `normalize` (the one document
//! model, dates, tags, ids, boilerplate rules) → `indexer` (incremental, crash-safe
//! writes; `manifest` keeps the file → document bookkeeping) → `search` (query
//! language in `query`, coin-aware analysis in `analysis`, top-k ranking in `collect`,
//! snippets in `snippet`) →
//! `output` (renderers), `commands` (one module per CLI command). `schema` reads the field contract in `index_schema/`.
//! The binary in `main.rs` only parses arguments and maps results to exit codes.

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
pub mod text;

pub use error::{Error, Result};
pub use model::{Article, RawArticle};
