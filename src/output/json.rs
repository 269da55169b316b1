//! The JSON wire format of search results (documented field by field in
//! `docs/JSON.md`). Shapes here are a stable contract: add fields only with a new
//! documented version, never rename or remove.

use serde::Serialize;

use super::rfc3339;
use crate::search::{Hit, SearchResults};

/// `coindex search --format json`.
#[derive(Debug, Serialize)]
pub struct JsonSerp<'a> {
    pub query: &'a str,
    pub total_hits: usize,
    pub hits: Vec<JsonHit<'a>>,
}

/// One hit in JSON and NDJSON output.
#[derive(Debug, Serialize)]
pub struct JsonHit<'a> {
    pub rank: usize,
    pub score: f32,
    pub id: &'a str,
    pub title: &'a str,
    pub published: Option<String>,
    pub updated: Option<String>,
    pub tags: &'a [String],
    pub source: &'a str,
    pub url: Option<&'a str>,
    pub path: &'a str,
    pub snippet: &'a str,
    /// `[start, end)` character ranges into `snippet`.
    pub highlights: Vec<[usize; 2]>,
}

impl<'a> JsonHit<'a> {
    /// Builds the wire form of a hit.
    pub fn new(h: &'a Hit) -> JsonHit<'a> {
        let a = &h.article;
        JsonHit {
            rank: h.rank,
            score: (h.score * 1000.0).round() / 1000.0,
            id: &a.id,
            title: &a.title,
            published: a.published.as_ref().map(rfc3339),
            updated: a.updated.as_ref().map(rfc3339),
            tags: &a.tags,
            source: &a.source,
            url: a.url.as_deref(),
            path: &a.path,
            snippet: &h.snippet.text,
            highlights: h.snippet.highlights.iter().map(|&(a, b)| [a, b]).collect(),
        }
    }
}

impl<'a> JsonSerp<'a> {
    /// Builds the wire form of a result set.
    pub fn new(r: &'a SearchResults) -> JsonSerp<'a> {
        JsonSerp {
            query: &r.query,
            total_hits: r.total_hits,
            hits: r.hits.iter().map(JsonHit::new).collect(),
        }
    }
}
