//! The one document model every input format is normalized into.
//!
//! [`RawArticle`] is what a format parser extracts (strings as found, dates unparsed);
//! [`Article`] is the normalized form that is indexed, searched and exported.
//! Conversion lives in `normalize`; this file only owns the shapes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An article as extracted from one file or record, before normalization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawArticle {
    pub title: Option<String>,
    pub dek: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    /// Date strings as found, parsed later with the configured timezone.
    pub published: Option<String>,
    pub updated: Option<String>,
    pub tags: Vec<String>,
    /// Body paragraphs (already stripped of markup and boilerplate by the format parser).
    pub body: String,
    /// Record locator inside a multi-record file (`line 12`, `record 3`), if any.
    pub locator: Option<String>,
}

/// A normalized article: what the index holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub dek: String,
    pub url: Option<String>,
    pub source: String,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub tags: Vec<String>,
    pub body: String,
    pub path: String,
    /// The story the article is a version of (see `docs/STORIES.md`): set by the
    /// indexer, empty before.
    pub story: String,
}

impl Article {
    /// A rough measure of how much this copy carries, used to keep the richer of two
    /// duplicates.
    pub fn richness(&self) -> u64 {
        let mut r = self.body.len() as u64 + self.title.len() as u64 + self.dek.len() as u64;
        r += 200 * u64::from(self.url.is_some());
        r += 200 * u64::from(self.published.is_some());
        r += 100 * u64::from(self.updated.is_some());
        r += 50 * self.tags.len() as u64 + 50 * self.authors.len() as u64;
        r
    }
}

/// A date in its wire form: RFC 3339 UTC with a `Z`, seconds precision (what every
/// JSON, CSV and report field carries).
pub fn rfc3339(d: &DateTime<Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
