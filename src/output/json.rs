//! The JSON wire format of search results (documented field by field in
//! `docs/JSON.md`). Shapes here are a stable contract: add fields only with a new
//! documented version, never rename or remove.

use serde::Serialize;

use super::fields::Picked;
use super::rfc3339;
use crate::search::aggregate::Bucket;
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
    /// The story id: the id of the story's first indexed version.
    pub story: &'a str,
    /// Versions of the story in the index, this one included.
    pub story_size: u64,
    /// Sources of the story's versions, most versions first.
    pub story_sources: &'a [String],
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
            story: &h.story.id,
            story_size: h.story.size,
            story_sources: &h.story.sources,
        }
    }
}

impl JsonHit<'_> {
    /// One CSV/TSV cell of a hit: tags joined with `|`, highlights as JSON, missing values
    /// empty.
    pub fn cell(&self, key: &str) -> String {
        let h = self;
        match key {
            "rank" => h.rank.to_string(),
            "score" => format!("{:.3}", h.score),
            "id" => h.id.to_string(),
            "title" => h.title.to_string(),
            "published" => h.published.clone().unwrap_or_default(),
            "updated" => h.updated.clone().unwrap_or_default(),
            "tags" => h.tags.join("|"),
            "source" => h.source.to_string(),
            "url" => h.url.unwrap_or_default().to_string(),
            "path" => h.path.to_string(),
            "snippet" => h.snippet.to_string(),
            "highlights" => serde_json::to_string(&h.highlights).unwrap_or_default(),
            "story" => h.story.to_string(),
            "story_size" => h.story_size.to_string(),
            "story_sources" => h.story_sources.join("|"),
            _ => String::new(),
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

/// A hit object: all keys, or the `--fields` selection.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum HitObject<'a> {
    Full(JsonHit<'a>),
    Picked(Picked<'a>),
}

/// The hit objects of a result set, as `--format json` writes them.
pub(crate) fn hit_objects<'a>(
    r: &'a SearchResults,
    keys: Option<&'a [&'static str]>,
) -> Vec<HitObject<'a>> {
    r.hits
        .iter()
        .map(|h: &'a Hit| hit_object(h, keys))
        .collect()
}

fn hit_object<'a>(h: &'a Hit, keys: Option<&'a [&'static str]>) -> HitObject<'a> {
    match keys {
        None => HitObject::Full(JsonHit::new(h)),
        Some(k) => HitObject::Picked(Picked::new(&JsonHit::new(h), k)),
    }
}

/// `--format json` with `--fields`: the result-set envelope is unchanged.
#[derive(Serialize)]
pub(crate) struct PickedSerp<'a> {
    query: &'a str,
    total_hits: usize,
    hits: Vec<HitObject<'a>>,
}

impl<'a> PickedSerp<'a> {
    pub(crate) fn new(r: &'a SearchResults, keys: &'a [&'static str]) -> PickedSerp<'a> {
        PickedSerp {
            query: &r.query,
            total_hits: r.total_hits,
            hits: hit_objects(r, Some(keys)),
        }
    }
}

/// `coindex count --format json`.
#[derive(Debug, Serialize)]
pub struct JsonCount<'a> {
    /// The query as given, or `null` when counting by filters only.
    pub query: Option<&'a str>,
    pub count: usize,
}

/// One row of `coindex tags` / `coindex sources` in JSON and NDJSON.
#[derive(Debug, Serialize)]
pub struct JsonValueCount<'a> {
    pub value: &'a str,
    pub count: u64,
}

/// `coindex timeline --format json`.
#[derive(Debug, Serialize)]
pub struct JsonTimeline<'a> {
    pub query: &'a str,
    pub undated: u64,
    pub buckets: &'a [Bucket],
}
