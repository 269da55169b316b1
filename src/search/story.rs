//! Stories at query time: a story's size and sources (counted from the `story` field
//! of the live documents, so deletions and new versions are always reflected), one hit
//! per story (`--collapse story`), a story's versions oldest first (`coindex story`),
//! and counts that take each story once (`tags`, `sources`, `timeline` with
//! `--collapse story`). Which documents share a story is decided when indexing
//! (`indexer/writer.rs`); nothing here formats output.

use std::collections::{HashMap, HashSet};

use tantivy::collector::DocSetCollector;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::Engine;
use super::aggregate::{self, Count};
use crate::error::{Error, Result};
use crate::model::Article;

/// The story a hit belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryInfo {
    /// The story id (the id of its first indexed version).
    pub id: String,
    /// Live versions in the index, this one included.
    pub size: u64,
    /// The sources of its versions, most versions first.
    pub sources: Vec<String>,
}

impl Engine {
    /// The query matching every version of a story.
    fn story_query(&self, story: &str) -> TermQuery {
        TermQuery::new(
            Term::from_field_text(self.opened.fields.story, story),
            IndexRecordOption::Basic,
        )
    }

    /// The story id stored with a document.
    pub fn story_id(&self, addr: DocAddress) -> Result<String> {
        Ok(self.article(addr)?.story)
    }

    /// A story's size and sources, counted over the live documents.
    pub fn story_info(&self, story: &str) -> Result<StoryInfo> {
        let counts = aggregate::value_counts(self, &self.story_query(story), "source")?;
        Ok(StoryInfo {
            id: story.to_string(),
            size: counts.iter().map(|c| c.count).sum::<u64>().max(1),
            sources: counts.into_iter().map(|c| c.value).collect(),
        })
    }

    /// Keeps the first address of each story, in order, until `limit` are kept.
    pub(super) fn first_per_story<T>(
        &self,
        ranked: Vec<T>,
        addr: impl Fn(&T) -> DocAddress,
        limit: usize,
    ) -> Result<Vec<T>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for r in ranked {
            if out.len() == limit {
                break;
            }
            if seen.insert(self.story_id(addr(&r))?) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Every version of a story, oldest first (undated versions last, then by id).
    pub fn story_versions(&self, story: &str) -> Result<Vec<(DocAddress, Article)>> {
        let docs = self
            .searcher
            .search(&self.story_query(story), &DocSetCollector)?;
        let mut out = Vec::with_capacity(docs.len());
        for a in docs {
            out.push((a, self.article(a)?));
        }
        out.sort_by(|(_, a), (_, b)| {
            (a.published.is_none(), a.published, &a.id).cmp(&(
                b.published.is_none(),
                b.published,
                &b.id,
            ))
        });
        Ok(out)
    }
}

/// For each matching document, its story id and the values of a string fast field
/// (`story` itself gives the story only), read from the columns.
fn stories_and_values(
    e: &Engine,
    query: &dyn Query,
    field: Option<&str>,
    mut each: impl FnMut(&str, &[String], DocAddress),
) -> Result<()> {
    let docs = e.searcher.search(query, &DocSetCollector)?;
    let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
    for a in docs {
        by_segment.entry(a.segment_ord).or_default().push(a.doc_id);
    }
    let bad = |f: &str, err: std::io::Error| {
        Error::Internal(format!("cannot read the {f} column: {err}"))
    };
    for (seg, ids) in by_segment {
        let reader = e.searcher.segment_reader(seg);
        let Some(stories) = reader.fast_fields().str("story")? else {
            continue;
        };
        let values = match field {
            Some(f) => reader.fast_fields().str(f)?,
            None => None,
        };
        let (mut s, mut v) = (String::new(), Vec::new());
        for d in ids {
            s.clear();
            if let Some(ord) = stories.term_ords(d).next() {
                stories
                    .ord_to_str(ord, &mut s)
                    .map_err(|x| bad("story", x))?;
            }
            v.clear();
            if let Some(col) = &values {
                for ord in col.term_ords(d) {
                    let mut buf = String::new();
                    if col
                        .ord_to_str(ord, &mut buf)
                        .map_err(|x| bad(field.unwrap_or(""), x))?
                    {
                        v.push(buf);
                    }
                }
            }
            each(&s, &v, DocAddress::new(seg, d));
        }
    }
    Ok(())
}

/// Like [`aggregate::value_counts`], counting stories instead of documents: a value
/// counts each story once, however many of its versions carry it.
pub fn value_counts_by_story(e: &Engine, query: &dyn Query, field: &str) -> Result<Vec<Count>> {
    let mut pairs: HashSet<(String, String)> = HashSet::new();
    stories_and_values(e, query, Some(field), |story, values, _| {
        for v in values {
            pairs.insert((v.clone(), story.to_string()));
        }
    })?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    for (v, _) in pairs {
        *counts.entry(v).or_default() += 1;
    }
    let mut out: Vec<Count> = counts
        .into_iter()
        .map(|(value, count)| Count { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    Ok(out)
}

/// Like [`aggregate::published_dates`], one date per story: its first publication
/// among the matching versions; a story none of whose matching versions is dated
/// counts as undated.
pub fn published_dates_by_story(e: &Engine, query: &dyn Query) -> Result<(Vec<i64>, u64)> {
    let mut first: HashMap<String, Option<i64>> = HashMap::new();
    let mut dates: HashMap<u32, Option<tantivy::columnar::Column<tantivy::DateTime>>> =
        HashMap::new();
    stories_and_values(e, query, None, |story, _, a| {
        let col = dates.entry(a.segment_ord).or_insert_with(|| {
            e.searcher
                .segment_reader(a.segment_ord)
                .fast_fields()
                .date("published")
                .ok()
        });
        let d = col
            .as_ref()
            .and_then(|c| c.first(a.doc_id))
            .map(|d| d.into_timestamp_secs());
        let slot = first.entry(story.to_string()).or_insert(d);
        *slot = match (*slot, d) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
    })?;
    let undated = first.values().filter(|d| d.is_none()).count() as u64;
    Ok((first.into_values().flatten().collect(), undated))
}
