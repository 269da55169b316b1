//! Query + filters → ranked hits (data only; printing is `output`'s job). This file
//! holds the engine: opening the searcher, routing a compiled query to the right
//! collector, the second tier, ties and document loading. The query language is
//! `query`, its compilation `compile`, filters `filters`, the top-k collectors
//! `collect`, snippets `snippet`, and counts over matches `aggregate`.
//!
//! Ranking rule for implicit AND: documents that contain *every* plain clause form the
//! first tier; documents that contain only some of them follow in a second tier. Inside
//! a tier, BM25F over title, dek and body (the schema's boosts, all 1) plus a phrase-proximity
//! bonus when the words occur close together in the title or dek orders results; ties break by publication date
//! (newest first) then id. `+term` is required in both tiers, `-term` excluded from both,
//! and date, tag and source filters (flags or `published:` in the query) are hard
//! filters everywhere. `--sort date` orders each tier newest first.

pub mod aggregate;
mod bm25f;
pub mod collect;
mod compile;
pub mod filters;
pub mod query;
pub mod snippet;
pub mod story;
pub mod views;

use std::collections::HashSet;

use chrono::Utc;
use chrono_tz::Tz;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{EnableScoring, Query as TQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::{self, Opened};
use crate::model::Article;
use crate::normalize::keys::canonical_url;
use crate::schema::{Fields, SchemaSpec};
use collect::{Ranked, TopByScore, published_secs};
pub use compile::Compiled;
pub use filters::{DateBound, DateInterval, Filters};
use snippet::Snippet;
pub use story::StoryInfo;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub sort: Sort,
    pub fuzzy: bool,
    pub recent: bool,
    pub snippets: usize,
    pub snippet_len: usize,
    pub timezone: Tz,
    /// One hit per story (its best-ranked version).
    pub collapse: bool,
}

/// One ranked hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub article: Article,
    pub snippet: Snippet,
    /// The story the hit is a version of.
    pub story: StoryInfo,
}

/// A result set.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: String,
    pub total_hits: usize,
    pub hits: Vec<Hit>,
}

/// Whether and how a ranking pass also counts the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counting {
    No,
    /// In the ranking pass itself: a phrase or an intersection, which a second pass
    /// would have to match all over again.
    WhileRanking,
    /// In a second pass without scoring, so that the ranking pass can prune: a plain
    /// OR of terms, whose count is cheap.
    Separately,
}

/// Indexes with at least this many documents search their segments in parallel.
const PARALLEL_MIN_DOCS: u64 = 250_000;

/// The searcher side of an index.
pub struct Engine {
    pub opened: Opened,
    pub searcher: Searcher,
    boosts: [(Field, f32); 3],
    /// Route every search through tantivy's generic collectors (tests compare the
    /// specialized routes against them).
    generic: bool,
}

impl Engine {
    /// Opens an index for searching.
    pub fn open(dir: &std::path::Path) -> Result<Engine> {
        let mut opened = index::open(dir)?;
        // One task per segment on every core for a large index: a two-word AND over
        // 1M articles took 40 ms in-process on one core and 26 ms on two. Below
        // PARALLEL_MIN_DOCS the query stays on the calling thread: handing light work to
        // a pool cost a one-shot rare-word search about 1 ms at 100k articles.
        let metas = opened.index.searchable_segment_metas().unwrap_or_default();
        let docs: u64 = metas.iter().map(|m| u64::from(m.num_docs())).sum();
        // (the core count reads cgroup files, so only a large index asks for it)
        let threads = if docs >= PARALLEL_MIN_DOCS {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(metas.len())
        } else {
            1
        };
        if threads > 1 {
            // without the pool, search still works on one thread
            let _ = opened.index.set_multithread_executor(threads);
        }
        let reader = opened
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| {
                Error::user(format!(
                    "the index at {} cannot be read: {e}; run {}",
                    dir.display(),
                    crate::error::rebuild_command(Some(dir))
                ))
            })?;
        let searcher = reader.searcher();
        let spec = SchemaSpec::bundled();
        let boost = |name: &str| spec.field(name).and_then(|f| f.boost).unwrap_or(1.0);
        let f = opened.fields;
        let boosts = [
            (f.title, boost("title")),
            (f.dek, boost("dek")),
            (f.body, boost("body")),
        ];
        Ok(Engine {
            opened,
            searcher,
            boosts,
            generic: false,
        })
    }

    /// Turns the specialized search routes off (filtered one-word ranking, date
    /// order), so that tests can check them against tantivy's generic collectors.
    #[doc(hidden)]
    pub fn set_generic_routes(&mut self, generic: bool) {
        self.generic = generic;
    }

    /// The field handles.
    pub fn fields(&self) -> &Fields {
        &self.opened.fields
    }

    /// Number of documents matching a query (both tiers; the loose tier contains the
    /// strict one).
    pub fn count(&self, c: &Compiled) -> Result<usize> {
        Ok(self.searcher.search(c.any_match(), &Count)?)
    }

    /// Number of documents that pass the filters.
    pub fn count_filtered(&self, filters: &Filters) -> Result<usize> {
        Ok(self.searcher.search(&*self.filter_query(filters), &Count)?)
    }

    /// Calls `each` with every live document matching `q`, segment by segment, in
    /// index order, reading stored documents one at a time, so memory stays flat
    /// however many match. Stops at the first error `each` returns.
    pub fn for_each_match(
        &self,
        q: &dyn TQuery,
        mut each: impl FnMut(Article) -> Result<()>,
    ) -> Result<()> {
        let weight = q.weight(EnableScoring::disabled_from_searcher(&self.searcher))?;
        for seg in self.searcher.segment_readers() {
            let store = seg
                .get_store_reader(64)
                .map_err(|e| Error::Index(e.into()))?;
            let alive = seg.alive_bitset();
            let mut docs = weight.scorer(seg, 1.0)?;
            let mut doc = docs.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let stored: TantivyDocument = store.get(doc)?;
                    each(index::from_document(&stored, &self.opened.fields))?;
                }
                doc = docs.advance();
            }
        }
        Ok(())
    }

    /// The index directory.
    pub fn dir(&self) -> &std::path::Path {
        &self.opened.dir
    }

    /// Top `limit` addresses of one query, with their score.
    fn top(&self, q: &dyn TQuery, limit: usize, sort: Sort, recent: bool) -> Result<Vec<Ranked>> {
        Ok(self.top_and_count(q, limit, sort, recent, Counting::No)?.0)
    }

    /// Top `limit` addresses of one query, and the number of matches unless `counting`
    /// is [`Counting::No`].
    fn top_and_count(
        &self,
        q: &dyn TQuery,
        limit: usize,
        sort: Sort,
        recent: bool,
        counting: Counting,
    ) -> Result<(Vec<Ranked>, Option<usize>)> {
        if limit == 0 {
            // nothing to rank; the caller counts with `count`
            return Ok((Vec::new(), None));
        }
        if sort == Sort::Date && !recent && !self.generic {
            let (hits, n) = collect::top_by_date(&self.searcher, q, None, limit)?;
            return Ok((hits, (counting != Counting::No).then_some(n)));
        }
        if sort == Sort::Relevance && !recent {
            let prune = counting != Counting::WhileRanking;
            let (hits, n) = self.searcher.search(q, &TopByScore { limit, prune })?;
            let n = match counting {
                Counting::No => None,
                Counting::WhileRanking => Some(n),
                Counting::Separately => Some(self.searcher.search(q, &Count)?),
            };
            return Ok((hits, n));
        }
        // date order and `--recent` need every match's date: the generic collector
        let now = Utc::now().timestamp();
        let collector =
            TopDocs::with_limit(limit).tweak_score(move |seg: &tantivy::SegmentReader| {
                let col = seg.fast_fields().date("published").ok();
                move |doc: tantivy::DocId, score: tantivy::Score| {
                    let secs = published_secs(col.as_ref(), doc);
                    let mut s = score as f64;
                    if recent && secs != i64::MIN {
                        // half-life of one year; at most doubles the score
                        let age_days = ((now - secs).max(0) as f64) / 86_400.0;
                        s *= 1.0 + (-age_days / 365.0 * std::f64::consts::LN_2).exp();
                    }
                    match sort {
                        Sort::Relevance => (s, secs as f64),
                        Sort::Date => (secs as f64, s),
                    }
                }
            });
        let (hits, n) = if counting != Counting::No {
            let (hits, n) = self.searcher.search(q, &(collector, Count))?;
            (hits, Some(n))
        } else {
            (self.searcher.search(q, &collector)?, None)
        };
        let hits = hits
            .into_iter()
            .map(|((a, b), addr)| match sort {
                Sort::Relevance => (a as f32, b as i64, addr),
                Sort::Date => (b as f32, a as i64, addr),
            })
            .collect();
        Ok((hits, n))
    }

    /// Loads a stored document.
    pub fn article(&self, addr: DocAddress) -> Result<Article> {
        let doc: TantivyDocument = self.searcher.doc(addr)?;
        Ok(index::from_document(&doc, &self.opened.fields))
    }

    /// Runs a search request.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let c = self.compile(&req.query, &req.filters, req.fuzzy, req.timezone)?;
        self.search_compiled(req, &c)
    }

    /// Runs a search with an already compiled query.
    pub fn search_compiled(&self, req: &SearchRequest, c: &Compiled) -> Result<SearchResults> {
        let (ranked, total_hits) = if req.collapse {
            // rank more documents than hits until `limit` stories are found or the
            // matches run out
            let mut fetch = (req.limit * 4).max(40);
            loop {
                let (ranked, n) = self.rank(req, c, fetch)?;
                let exhausted = ranked.len() < fetch;
                let kept = self.first_per_story(ranked, |r| r.2, req.limit)?;
                if kept.len() == req.limit || exhausted {
                    break (kept, n);
                }
                fetch *= 4;
            }
        } else {
            self.rank(req, c, req.limit)?
        };
        let mut hits = Vec::with_capacity(ranked.len());
        for (i, (score, _, addr)) in ranked.into_iter().enumerate() {
            let article = self.article(addr)?;
            let story = self.story_info(&article.story)?;
            let snippet = snippet::make(
                &c.highlighter,
                &article.body,
                &article.dek,
                req.snippets,
                req.snippet_len,
            );
            hits.push(Hit {
                rank: i + 1,
                score,
                article,
                snippet,
                story,
            });
        }
        Ok(SearchResults {
            query: req.query.clone(),
            total_hits,
            hits,
        })
    }

    /// The top `limit` documents of a compiled query, in order, and the number of
    /// matches.
    fn rank(
        &self,
        req: &SearchRequest,
        c: &Compiled,
        limit: usize,
    ) -> Result<(Vec<Ranked>, usize)> {
        // one pass when there is no second tier (a phrase, one word): the count is the
        // first tier's; otherwise it is the loose tier's, which holds the first
        let (mut ranked, n) = match &c.word_and_filter {
            Some((word, filter)) if !self.generic && !req.recent && limit > 0 => {
                let (hits, n) = match req.sort {
                    Sort::Relevance => {
                        collect::top_where(&self.searcher, &**word, &**filter, limit)?
                    }
                    Sort::Date => {
                        collect::top_by_date(&self.searcher, &**word, Some(&**filter), limit)?
                    }
                };
                (hits, Some(n))
            }
            _ => self.top_and_count(
                &*c.strict,
                limit,
                req.sort,
                req.recent,
                match (&c.loose, c.term_union) {
                    (Some(_), _) => Counting::No,
                    (None, true) => Counting::Separately,
                    (None, false) => Counting::WhileRanking,
                },
            )?,
        };
        let total_hits = match n {
            Some(n) => n,
            None => self.count(c)?,
        };
        sort_ties(self, req.sort, &mut ranked)?;
        if ranked.len() < limit
            && let Some(l) = &c.loose
        {
            // every first-tier document also matches the loose query: fetch enough to
            // skip them
            let first: HashSet<DocAddress> = ranked.iter().map(|r| r.2).collect();
            let mut more = self.top(&**l, limit + first.len(), req.sort, req.recent)?;
            more.retain(|r| !first.contains(&r.2));
            more.truncate(limit - ranked.len());
            sort_ties(self, req.sort, &mut more)?;
            ranked.extend(more);
        }
        Ok((ranked, total_hits))
    }

    /// Finds a document by id or URL.
    pub fn find(&self, id_or_url: &str) -> Result<Option<(DocAddress, Article)>> {
        let f = self.opened.fields;
        let term = if id_or_url.starts_with("http://") || id_or_url.starts_with("https://") {
            Term::from_field_text(f.url, &canonical_url(id_or_url))
        } else {
            Term::from_field_text(f.id, id_or_url.trim())
        };
        let q = TermQuery::new(term, IndexRecordOption::Basic);
        let top = self
            .searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some((*addr, self.article(*addr)?))),
            None => Ok(None),
        }
    }
}

/// Orders full ties (equal score and date) by id, keeping the order of `sort`: by
/// score then date, or by date then score.
fn sort_ties(e: &Engine, sort: Sort, v: &mut [(f32, i64, DocAddress)]) -> Result<()> {
    let needs = v.windows(2).any(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1);
    if !needs {
        return Ok(());
    }
    let mut keyed: Vec<(f32, i64, String, DocAddress)> = Vec::with_capacity(v.len());
    for (s, d, a) in v.iter() {
        keyed.push((*s, *d, e.article(*a)?.id, *a));
    }
    keyed.sort_by(|a, b| {
        let score = b.0.total_cmp(&a.0);
        let date = b.1.cmp(&a.1);
        match sort {
            Sort::Relevance => score.then(date),
            Sort::Date => date.then(score),
        }
        .then(a.2.cmp(&b.2))
    });
    for (slot, k) in v.iter_mut().zip(keyed) {
        *slot = (k.0, k.1, k.3);
    }
    Ok(())
}
