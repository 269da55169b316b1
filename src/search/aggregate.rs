//! Aggregations over the documents a query matches: tag and source counts, a timeline
//! of publication dates, index statistics and "more like this". Everything reads
//! tantivy's columnar fast fields, never the stored documents, so it stays fast on large
//! indexes. Rendering is `output`'s job.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use crate::error::Result;
use crate::search::Engine;

/// A value and how many matching documents carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

/// Counts the values of a multi-valued string fast field (`tags`, `source`) over the
/// documents `query` matches; descending by count, then by value.
pub fn value_counts(e: &Engine, query: &dyn Query, field: &str) -> Result<Vec<Count>> {
    let docs = e.searcher.search(query, &DocSetCollector)?;
    let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
    for a in docs {
        by_segment.entry(a.segment_ord).or_default().push(a.doc_id);
    }
    let mut counts: HashMap<String, u64> = HashMap::new();
    for (seg, ids) in by_segment {
        let reader = e.searcher.segment_reader(seg);
        let Some(col) = reader.fast_fields().str(field)? else {
            continue;
        };
        let mut per_ord: HashMap<u64, u64> = HashMap::new();
        for d in ids {
            for ord in col.term_ords(d) {
                *per_ord.entry(ord).or_default() += 1;
            }
        }
        let mut buf = String::new();
        for (ord, n) in per_ord {
            buf.clear();
            if col.ord_to_str(ord, &mut buf).map_err(|e| {
                crate::error::Error::Internal(format!("cannot read the {field} column: {e}"))
            })? {
                *counts.entry(buf.clone()).or_default() += n;
            }
        }
    }
    let mut out: Vec<Count> = counts
        .into_iter()
        .map(|(value, count)| Count { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    Ok(out)
}

/// Publication dates (UTC seconds) of the documents `query` matches.
pub fn published_dates(e: &Engine, query: &dyn Query) -> Result<(Vec<i64>, u64)> {
    let docs = e.searcher.search(query, &DocSetCollector)?;
    let mut undated = 0;
    let mut out = Vec::with_capacity(docs.len());
    let mut cols = HashMap::new();
    for a in docs {
        let col = match cols.entry(a.segment_ord) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(
                e.searcher
                    .segment_reader(a.segment_ord)
                    .fast_fields()
                    .date("published")
                    .ok(),
            ),
        };
        match col.as_ref().and_then(|c| c.first(a.doc_id)) {
            Some(d) => out.push(d.into_timestamp_secs()),
            None => undated += 1,
        }
    }
    Ok((out, undated))
}

/// Timeline granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    Month,
    Week,
}

/// One period of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// `2017`, `2017-09` or ISO week `2017-W38`.
    pub period: String,
    /// First day of the period.
    pub start: String,
    pub count: u64,
}

fn period_start(d: NaiveDate, by: Period) -> NaiveDate {
    match by {
        Period::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        Period::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d),
        Period::Week => d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64),
    }
}

fn next_period(d: NaiveDate, by: Period) -> NaiveDate {
    match by {
        Period::Year => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(d),
        Period::Month => {
            let (y, m) = if d.month() == 12 {
                (d.year() + 1, 1)
            } else {
                (d.year(), d.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
        }
        Period::Week => d + chrono::Duration::days(7),
    }
}

fn label(d: NaiveDate, by: Period) -> String {
    match by {
        Period::Year => format!("{}", d.year()),
        Period::Month => d.format("%Y-%m").to_string(),
        Period::Week => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
    }
}

/// Buckets dates per period, from the first to the last period with gaps filled with
/// zeros, so the shape of a story is visible. Dates are bucketed in `tz`.
pub fn timeline(dates: &[i64], by: Period, tz: chrono_tz::Tz) -> Vec<Bucket> {
    let mut counts: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for &s in dates {
        if let Some(dt) = DateTime::<Utc>::from_timestamp(s, 0) {
            let local = dt.with_timezone(&tz).date_naive();
            *counts.entry(period_start(local, by)).or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut d = first;
    // bounded: at most ~17 years of weeks for this corpus range; cap for safety
    while d <= last && out.len() < 20_000 {
        out.push(Bucket {
            period: label(d, by),
            start: d.format("%Y-%m-%d").to_string(),
            count: counts.get(&d).copied().unwrap_or(0),
        });
        d = next_period(d, by);
    }
    out
}

/// Most terms a "more like this" query keeps.
const SIMILAR_TERMS: usize = 40;

/// The documents most related to one document, excluding it: its 40 terms of title,
/// dek and body with the highest tf·idf (terms of 3+ characters in at most half of the
/// documents), each a should-clause boosted by its weight relative to the best one.
///
/// The same rule as tantivy's `MoreLikeThisQuery`, but deterministic: terms are
/// counted in a sorted map and ties are broken by field and term, so the same index
/// gives the same answer in every process (tantivy's picks equal-weight terms in hash
/// order).
pub fn similar(
    e: &Engine,
    addr: DocAddress,
    id: &str,
    limit: usize,
) -> Result<Vec<(f32, DocAddress)>> {
    let f = *e.fields();
    let a = e.article(addr)?;
    let mut tf: BTreeMap<(u32, String), u32> = BTreeMap::new();
    for (field, text) in [(f.title, &a.title), (f.dek, &a.dek), (f.body, &a.body)] {
        crate::analysis::for_each_token(text, |t, _, _| {
            if t.chars().count() >= 3 {
                *tf.entry((field.field_id(), t.to_string())).or_insert(0) += 1;
            }
        });
    }
    let num_docs = e.searcher.num_docs();
    let max_df = (num_docs / 2).max(2);
    let mut weighted: Vec<(f32, Term)> = Vec::new();
    for ((field, text), n) in tf {
        let term = Term::from_field_text(tantivy::schema::Field::from_field_id(field), &text);
        let df = e.searcher.doc_freq(&term)?;
        if df == 0 || df > max_df {
            continue;
        }
        // BM25's idf, as tantivy's "more like this" uses
        let idf = (1.0 + (num_docs as f64 - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
        weighted.push((n as f32 * idf as f32, term));
    }
    // best first; ties by field and term (the map's order, kept by a stable sort)
    weighted.sort_by(|x, y| y.0.total_cmp(&x.0));
    weighted.truncate(SIMILAR_TERMS);
    let best = weighted.first().map_or(1.0, |w| w.0);
    let terms: Vec<(Occur, Box<dyn Query>)> = weighted
        .into_iter()
        .map(|(w, term)| {
            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                w / best,
            ));
            (Occur::Should, q)
        })
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let q = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(BooleanQuery::new(terms)) as Box<dyn Query>,
        ),
        (
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(f.id, id),
                IndexRecordOption::Basic,
            )),
        ),
    ]);
    Ok(e.searcher
        .search(&q, &TopDocs::with_limit(limit).order_by_score())?)
}

/// Index statistics.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub documents: u64,
    pub earliest: Option<String>,
    pub latest: Option<String>,
    pub undated: u64,
    pub top_tags: Vec<Count>,
    pub top_sources: Vec<Count>,
    pub index_bytes: u64,
    pub last_update: Option<String>,
    pub schema_version: u32,
    pub segments: usize,
}

/// Computes index statistics.
pub fn stats(e: &Engine, top: usize) -> Result<Stats> {
    let all = tantivy::query::AllQuery;
    let (dates, undated) = published_dates(e, &all)?;
    let fmt = |s: Option<&i64>| {
        s.and_then(|s| DateTime::<Utc>::from_timestamp(*s, 0))
            .map(|d| crate::model::rfc3339(&d))
    };
    let mut tags = value_counts(e, &all, "tags")?;
    tags.truncate(top);
    let mut sources = value_counts(e, &all, "source")?;
    sources.truncate(top);
    let payload = crate::index::last_payload(&e.opened.index)?;
    Ok(Stats {
        documents: e.searcher.num_docs(),
        earliest: fmt(dates.iter().min()),
        latest: fmt(dates.iter().max()),
        undated,
        top_tags: tags,
        top_sources: sources,
        index_bytes: crate::index::size_on_disk(&e.opened.dir),
        last_update: payload.map(|p| p.committed_at),
        schema_version: crate::schema::SchemaSpec::bundled().version,
        segments: e.searcher.segment_readers().len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_fills_gaps_and_buckets_in_the_timezone() {
        let utc = chrono_tz::UTC;
        let d = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        let dates = [
            d("2014-02-25T10:00:00Z"),
            d("2014-02-26T10:00:00Z"),
            d("2014-05-01T10:00:00Z"),
        ];
        let t = timeline(&dates, Period::Month, utc);
        let got: Vec<(String, u64)> = t.iter().map(|b| (b.period.clone(), b.count)).collect();
        assert_eq!(
            got,
            [
                ("2014-02".into(), 2),
                ("2014-03".into(), 0),
                ("2014-04".into(), 0),
                ("2014-05".into(), 1)
            ]
        );
        let y = timeline(&dates, Period::Year, utc);
        assert_eq!(y.len(), 1);
        let w = timeline(&[d("2017-09-20T12:00:00Z")], Period::Week, utc);
        assert_eq!(w[0].period, "2017-W38");
        assert_eq!(w[0].start, "2017-09-18");
        // 04:30 UTC on Jan 1 is still Dec 31 in New York
        let ny = timeline(
            &[d("2024-01-01T04:30:00Z")],
            Period::Year,
            chrono_tz::America::New_York,
        );
        assert_eq!(ny[0].period, "2023");
        assert!(timeline(&[], Period::Year, utc).is_empty());
    }
}
