//! Top-k by relevance with the date tie-break, cheap enough for a one-shot search.
//!
//! Results rank by score, then publication date (newest first), then address. The
//! generic `TopDocs::tweak_score` route computed that key for every matching document,
//! which meant a read of the `published` column per match: for a common word at 100k
//! articles that was a third of the query. Here the date is read only for a document
//! whose score can still enter the top k, and the query runs through
//! `Weight::for_each_pruning`, so block-max WAND skips whole posting blocks that cannot
//! reach the current k-th score.
//!
//! The pruning threshold handed back to tantivy is one step *below* the k-th score:
//! tantivy skips documents whose score is not strictly above the threshold, and a
//! document that ties the k-th score must still be seen, because a newer date wins
//! the tie.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{BitSet, DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader};

/// A ranked address: score, publication date in seconds (`i64::MIN` when unknown),
/// and the document.
pub type Ranked = (f32, i64, DocAddress);

/// A document's publication date in seconds from the segment's `published` column,
/// `i64::MIN` when it has none (it then ranks after every dated tie).
pub fn published_secs(dates: Option<&Column<tantivy::DateTime>>, doc: DocId) -> i64 {
    dates
        .and_then(|c| c.first(doc))
        .map(|d| d.into_timestamp_secs())
        .unwrap_or(i64::MIN)
}

/// Collects the top `limit` documents by (score, date, address), and the number of
/// matches unless `prune` is set.
///
/// With `prune`, block-max WAND may skip documents, so nothing is counted (the fruit's
/// count is 0). That is the fast route when the query is a plain union of terms, whose
/// count costs one cheap pass without scoring, or when no count is needed. For a
/// phrase or an intersection a second pass would match every document again, so
/// those count while they rank.
pub struct TopByScore {
    pub limit: usize,
    pub prune: bool,
}

/// One candidate, ordered so that *greater is better*.
#[derive(Clone, Copy)]
struct Cand {
    score: Score,
    date: i64,
    doc: DocId,
}

impl Ord for Cand {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.date.cmp(&other.date))
            // the lower address wins a full tie, as with `TopDocs`
            .then(other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Cand {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Cand {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cand {}

/// The per-segment half of [`TopByScore`].
pub struct TopByScoreSegment {
    segment: SegmentOrdinal,
    limit: usize,
    dates: Option<Column<tantivy::DateTime>>,
    /// The worst kept candidate on top.
    heap: BinaryHeap<Reverse<Cand>>,
    count: usize,
}

impl TopByScoreSegment {
    fn date(&self, doc: DocId) -> i64 {
        published_secs(self.dates.as_ref(), doc)
    }

    /// Offers a matching document; returns the score a later document must exceed to
    /// be worth offering.
    fn offer(&mut self, doc: DocId, score: Score) -> Score {
        self.count += 1;
        if self.heap.len() < self.limit {
            let date = self.date(doc);
            self.heap.push(Reverse(Cand { score, date, doc }));
        } else if let Some(worst) = self.heap.peek().map(|r| r.0)
            && score >= worst.score
        {
            let cand = Cand {
                score,
                date: self.date(doc),
                doc,
            };
            if cand > worst
                && let Some(mut top) = self.heap.peek_mut()
            {
                *top = Reverse(cand);
            }
        }
        self.threshold()
    }

    fn threshold(&self) -> Score {
        if self.heap.len() < self.limit {
            return Score::NEG_INFINITY;
        }
        match self.heap.peek() {
            // strictly below the k-th score, so that its ties are still offered
            Some(worst) => worst.0.score.next_down(),
            None => Score::NEG_INFINITY,
        }
    }
}

impl SegmentCollector for TopByScoreSegment {
    type Fruit = (Vec<Ranked>, usize);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, score);
    }

    fn harvest(self) -> (Vec<Ranked>, usize) {
        let segment = self.segment;
        let top = self
            .heap
            .into_iter()
            .map(|Reverse(c)| (c.score, c.date, DocAddress::new(segment, c.doc)))
            .collect();
        (top, self.count)
    }
}

impl Collector for TopByScore {
    type Fruit = (Vec<Ranked>, usize);
    type Child = TopByScoreSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopByScoreSegment> {
        Ok(TopByScoreSegment {
            segment,
            limit: self.limit,
            dates: reader.fast_fields().date("published").ok(),
            heap: BinaryHeap::with_capacity(self.limit + 1),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<(Vec<Ranked>, usize)> {
        let mut seg = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        if !self.prune {
            weight.for_each(reader, &mut |d, s| {
                if alive.is_none_or(|a| a.is_alive(d)) {
                    seg.offer(d, s);
                }
            })?;
        } else if self.limit > 0 {
            weight.for_each_pruning(Score::NEG_INFINITY, reader, &mut |d, s| {
                if alive.is_none_or(|a| a.is_alive(d)) {
                    seg.offer(d, s)
                } else {
                    seg.threshold()
                }
            })?;
        }
        let (top, count) = seg.harvest();
        Ok((top, if self.prune { 0 } else { count }))
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<Ranked>, usize)>,
    ) -> tantivy::Result<(Vec<Ranked>, usize)> {
        Ok(merge_ranked(fruits, self.limit, |a, b| {
            b.0.total_cmp(&a.0).then(b.1.cmp(&a.1))
        }))
    }
}

/// The documents of one segment a filter query matches (scoring disabled), minus the
/// deleted ones, as a list in order and as a bit set; `None` when there are none.
fn filter_docs(
    filter: &dyn Weight,
    reader: &SegmentReader,
) -> tantivy::Result<Option<(Vec<DocId>, BitSet)>> {
    let mut bits = BitSet::with_max_value(reader.max_doc());
    let mut list = Vec::new();
    let alive = reader.alive_bitset();
    filter.for_each_no_score(reader, &mut |docs| {
        for &d in docs {
            if alive.is_none_or(|a| a.is_alive(d)) {
                bits.insert(d);
                list.push(d);
            }
        }
    })?;
    Ok((!list.is_empty()).then_some((list, bits)))
}

/// The clauses a score is the sum of: those of a boolean query made only of
/// `Should` clauses (one word over several fields), else the query itself.
fn summed_parts(query: &dyn Query) -> Vec<&dyn Query> {
    if let Some(b) = query.downcast_ref::<BooleanQuery>()
        && b.clauses().iter().all(|(o, _)| *o == Occur::Should)
    {
        return b.clauses().iter().map(|(_, q)| &**q).collect();
    }
    vec![query]
}

/// Top `limit` documents by (score, date, address) of `query` that also match `filter`,
/// and their number: the route for one word with `--from`/`--to`/`--tag`/`--source`.
///
/// The generic route intersects the word's union of (word × field) postings with the
/// filter and scores every document of the intersection, seeking the whole union
/// forward for each filtered document: two thirds of a filtered one-word query in
/// `perf`. Here the filter becomes a list and a bit set per segment, and each
/// segment takes the cheaper of two routes:
/// - a filter much smaller than the word's postings drives: each filtered document
///   is sought in each field's postings, and scored and counted where found;
/// - otherwise the word is ranked with block-max WAND as an unfiltered word is, a
///   document offered only when its bit is set, and counted in a second pass without
///   scoring (block-max WAND skips documents, so it cannot count).
///
/// Filters must not score (see `Compiler::filters`), so the ranking is the generic
/// route's.
pub fn top_where(
    searcher: &Searcher,
    query: &dyn Query,
    filter: &dyn Query,
    limit: usize,
) -> tantivy::Result<(Vec<Ranked>, usize)> {
    let scoring = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let plain = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let parts = summed_parts(query)
        .into_iter()
        .map(|q| q.weight(EnableScoring::enabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let filter = filter.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let top = TopByScore { limit, prune: true };
    let per_segment = searcher.index().search_executor().map(
        |(ord, reader): (usize, &SegmentReader)| -> tantivy::Result<(Vec<Ranked>, usize)> {
            let Some((list, keep)) = filter_docs(&*filter, reader)? else {
                return Ok((Vec::new(), 0));
            };
            let mut seg = top.for_segment(ord as SegmentOrdinal, reader)?;
            let mut scorers = parts
                .iter()
                .map(|w| w.scorer(reader, 1.0))
                .collect::<tantivy::Result<Vec<_>>>()?;
            let postings: usize = scorers.iter().map(|s| s.size_hint() as usize).sum();
            let mut n = 0;
            if list.len() * scorers.len() <= postings {
                for &d in &list {
                    let mut score = 0.0;
                    let mut found = false;
                    for s in scorers.iter_mut() {
                        let at = if s.doc() < d { s.seek(d) } else { s.doc() };
                        if at == d {
                            score += s.score();
                            found = true;
                        }
                    }
                    if found {
                        n += 1;
                        if limit > 0 {
                            seg.offer(d, score);
                        }
                    }
                }
                return Ok((seg.harvest().0, n));
            }
            drop(scorers);
            if limit > 0 {
                scoring.for_each_pruning(Score::NEG_INFINITY, reader, &mut |d, s| {
                    if keep.contains(d) {
                        seg.offer(d, s)
                    } else {
                        seg.threshold()
                    }
                })?;
            }
            plain.for_each_no_score(reader, &mut |docs| {
                n += docs.iter().filter(|&&d| keep.contains(d)).count();
            })?;
            Ok((seg.harvest().0, n))
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    let count = per_segment.iter().map(|(_, n)| n).sum();
    let (hits, _) = top.merge_fruits(per_segment)?;
    Ok((hits, count))
}

/// Top `limit` documents of `query` by (date, score, address), newest first, and the
/// number of matches: `--sort date`. With `filter`, only documents it matches count.
///
/// The generic route (`TopDocs::tweak_score`) scored every match to break ties
/// between equal dates and pushed each through a heap of float pairs. Here matches
/// are listed without scoring, their dates read a block at a time, and only the
/// documents that can still be in the top `limit` by date are kept: every document
/// as new as the `limit`-th newest, ties included. Those few are then scored, by
/// seeking a scorer to each in document order.
pub fn top_by_date(
    searcher: &Searcher,
    query: &dyn Query,
    filter: Option<&dyn Query>,
    limit: usize,
) -> tantivy::Result<(Vec<Ranked>, usize)> {
    let scoring = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let plain = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let filter = match filter {
        Some(f) => Some(f.weight(EnableScoring::disabled_from_searcher(searcher))?),
        None => None,
    };
    let per_segment = searcher.index().search_executor().map(
        |(ord, reader): (usize, &SegmentReader)| -> tantivy::Result<(Vec<Ranked>, usize)> {
            let keep = match &filter {
                Some(f) => match filter_docs(&**f, reader)? {
                    Some((_, bits)) => Some(bits),
                    None => return Ok((Vec::new(), 0)),
                },
                None => None,
            };
            let alive = reader.alive_bitset();
            let dates = reader.fast_fields().date("published").ok();
            let mut n = 0;
            let mut cands: Vec<(i64, DocId)> = Vec::new();
            // documents older than `floor` cannot enter the top `limit`
            let mut floor = i64::MIN;
            let mut shrink_at = (limit * 4).max(256);
            let mut passing: Vec<DocId> = Vec::new();
            // the dated documents of a block, their rows in the column, their dates
            let mut dated: Vec<DocId> = Vec::new();
            let mut rows: Vec<u32> = Vec::new();
            let mut vals: Vec<tantivy::DateTime> = Vec::new();
            plain.for_each_no_score(reader, &mut |docs| {
                passing.clear();
                passing.extend(docs.iter().copied().filter(|&d| match &keep {
                    Some(k) => k.contains(d),
                    None => alive.is_none_or(|a| a.is_alive(d)),
                }));
                n += passing.len();
                if limit == 0 {
                    return;
                }
                // a block at a time: `first_vals` ranks each document in the column's
                // optional index on its own, a third of a date-ordered query
                dated.clear();
                rows.clear();
                vals.clear();
                if let Some(col) = &dates {
                    col.row_ids_for_docs(&passing, &mut dated, &mut rows);
                    vals.resize(rows.len(), tantivy::DateTime::MIN);
                    col.values.get_vals(&rows, &mut vals);
                }
                let mut next_dated = dated.iter().zip(&vals).peekable();
                for &d in &passing {
                    let secs = match next_dated.next_if(|(e, _)| **e == d) {
                        Some((_, t)) => t.into_timestamp_secs(),
                        None => i64::MIN,
                    };
                    // a column with several values per document: the first counts
                    while next_dated.next_if(|(e, _)| **e == d).is_some() {}
                    if secs >= floor {
                        cands.push((secs, d));
                        if cands.len() >= shrink_at {
                            floor = keep_newest(&mut cands, limit);
                            // ties can keep it large: do not shrink again at once
                            shrink_at = shrink_at.max(cands.len() * 2);
                        }
                    }
                }
            })?;
            if limit == 0 {
                return Ok((Vec::new(), n));
            }
            keep_newest(&mut cands, limit);
            cands.sort_unstable_by_key(|c| c.1);
            let mut scorer = scoring.scorer(reader, 1.0)?;
            let mut top = Vec::with_capacity(cands.len());
            for (secs, d) in cands {
                let at = if scorer.doc() < d {
                    scorer.seek(d)
                } else {
                    scorer.doc()
                };
                let score = if at == d { scorer.score() } else { 0.0 };
                top.push((score, secs, DocAddress::new(ord as SegmentOrdinal, d)));
            }
            Ok((top, n))
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    Ok(merge_ranked(per_segment, limit, |a, b| {
        b.1.cmp(&a.1).then(b.0.total_cmp(&a.0))
    }))
}

/// Merges per-segment tops and counts: the best `limit` by `order`, then by address
/// (the lower wins a full tie, as with `TopDocs`), and the total count.
fn merge_ranked(
    fruits: Vec<(Vec<Ranked>, usize)>,
    limit: usize,
    order: impl Fn(&Ranked, &Ranked) -> Ordering,
) -> (Vec<Ranked>, usize) {
    let mut count = 0;
    let mut all: Vec<Ranked> = Vec::new();
    for (top, n) in fruits {
        all.extend(top);
        count += n;
    }
    all.sort_by(|a, b| order(a, b).then(a.2.cmp(&b.2)));
    all.truncate(limit);
    (all, count)
}

/// Keeps every candidate as new as the `limit`-th newest (ties included) and returns
/// that date (`i64::MIN` while there are fewer than `limit`).
fn keep_newest(cands: &mut Vec<(i64, DocId)>, limit: usize) -> i64 {
    if cands.len() <= limit || limit == 0 {
        return i64::MIN;
    }
    let (_, kth, _) = cands.select_nth_unstable_by(limit - 1, |a, b| b.0.cmp(&a.0));
    let kth = kth.0;
    cands.retain(|c| c.0 >= kth);
    kth
}
