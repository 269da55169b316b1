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
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

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
        let mut count = 0;
        let mut all: Vec<Ranked> = Vec::new();
        for (top, n) in fruits {
            all.extend(top);
            count += n;
        }
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        all.truncate(self.limit);
        Ok((all, count))
    }
}
