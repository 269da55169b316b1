//! The listing commands' results, one call each, so that the CLI commands and the
//! server (`serve`) compute the same thing from the same settings: tag and source
//! counts of a query, a query's timeline, and an article's related articles as a
//! result set. Printing stays `output`'s job.

use chrono_tz::Tz;

use super::aggregate::{self, Bucket, Count, Period};
use super::snippet::Snippet;
use super::story;
use super::{Engine, Filters, Hit, SearchResults};
use crate::error::Result;

/// Value counts of `field` (`tags` or `source`) over the documents that contain every
/// word of `query` (all documents without one) and pass the filters; descending, at
/// most `limit`. With `by_story`, each story counts once (`--collapse story`).
pub fn facet_counts(
    e: &Engine,
    query: Option<&str>,
    filters: &Filters,
    tz: Tz,
    field: &str,
    limit: usize,
    by_story: bool,
) -> Result<Vec<Count>> {
    let count = |q: &dyn tantivy::query::Query| {
        if by_story {
            story::value_counts_by_story(e, q, field)
        } else {
            aggregate::value_counts(e, q, field)
        }
    };
    let mut counts = match query {
        // aggregations describe the documents that contain every word
        Some(q) => count(e.compile(q, filters, false, tz)?.all_words())?,
        None => count(&*e.filter_query(filters))?,
    };
    counts.truncate(limit);
    Ok(counts)
}

/// A query's timeline: the documents that contain every word, per period, and how many
/// of them have no date.
pub struct QueryTimeline {
    pub buckets: Vec<Bucket>,
    pub undated: u64,
    /// Whether any document matched (dated or not).
    pub found: bool,
}

/// The timeline of `query` by `by`; with `by_story`, each story counts once, at its
/// first version's date (`--collapse story`).
pub fn query_timeline(
    e: &Engine,
    query: &str,
    filters: &Filters,
    tz: Tz,
    by: Period,
    by_story: bool,
) -> Result<QueryTimeline> {
    // the story's shape: documents that contain every word of the query
    let compiled = e.compile(query, filters, false, tz)?;
    let (dates, undated) = if by_story {
        story::published_dates_by_story(e, compiled.all_words())?
    } else {
        aggregate::published_dates(e, compiled.all_words())?
    };
    Ok(QueryTimeline {
        buckets: aggregate::timeline(&dates, by, tz),
        undated,
        found: !dates.is_empty() || undated > 0,
    })
}

/// The articles most related to the one with this id or URL, as a result set whose
/// snippet is each article's dek (or the start of its body); `None` when no document
/// has that id or URL.
pub fn similar_results(e: &Engine, id_or_url: &str, limit: usize) -> Result<Option<SearchResults>> {
    let Some((addr, target)) = e.find(id_or_url)? else {
        return Ok(None);
    };
    let related = aggregate::similar(e, addr, &target.id, limit)?;
    let mut hits = Vec::new();
    for (i, (score, a)) in related.into_iter().enumerate() {
        let article = e.article(a)?;
        let story = e.story_info(&article.story)?;
        hits.push(Hit {
            rank: i + 1,
            score,
            snippet: Snippet::lead(&article),
            article,
            story,
        });
    }
    Ok(Some(SearchResults {
        query: format!("similar:{}", target.id),
        total_hits: hits.len(),
        hits,
    }))
}
