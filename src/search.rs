//! Query + filters → ranked hits (data only; printing is `output`'s job).
//!
//! Ranking rule for implicit AND: documents that contain *every* plain clause form the
//! first tier; documents that contain only some of them follow in a second tier. Inside
//! a tier, BM25 over title (×3), dek (×1.5) and body (×1) plus a phrase-proximity bonus
//! when the words occur close together in the title or dek orders results; ties break by publication date
//! (newest first) then id. `+term` is required in both tiers, `-term` excluded from both,
//! and date, tag and source filters (flags or `published:` in the query) are hard
//! filters everywhere. `--sort date` orders each tier newest first.

use std::collections::HashSet;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur as TOccur, PhraseQuery,
    Query as TQuery, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analysis::news_terms_at;
use crate::collect::{Ranked, TopByScore, published_secs};
use crate::config::{DateBound, DateInterval};
use crate::error::{Error, Result};
use crate::index::{self, Opened};
use crate::model::Article;
use crate::normalize::{canonical_url, clean_tag, source_key};
use crate::query::{self, DateField, Node, Occur, Scope};
use crate::schema::{Fields, SchemaSpec};
use crate::snippet::{self, Highlighter, Snippet};

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

/// Filters shared by search, count, facets, timeline and export.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub dates: DateInterval,
    /// Every tag must be present.
    pub tags: Vec<String>,
    /// Any of the sources.
    pub sources: Vec<String>,
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
}

/// One ranked hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub article: Article,
    pub snippet: Snippet,
}

/// A result set.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: String,
    pub total_hits: usize,
    pub hits: Vec<Hit>,
}

/// A compiled query: the two ranking tiers plus what to highlight.
pub struct Compiled {
    pub strict: Box<dyn TQuery>,
    /// `None` when the second tier would equal the first.
    pub loose: Option<Box<dyn TQuery>>,
    pub highlighter: Highlighter,
    /// The first tier is one word's terms OR-ed over fields, nothing else: block-max
    /// WAND can rank it, and counting it is a cheap second pass ([`Counting`]).
    pub term_union: bool,
    /// One word over text fields with flag filters: the word's query and the filters'
    /// (see [`crate::collect::top_where`]). `strict` is their intersection.
    pub word_and_filter: Option<(Box<dyn TQuery>, Box<dyn TQuery>)>,
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
                    "the index at {} cannot be read: {e}; run `coindex index --rebuild --index {} <DIR>...`",
                    dir.display(),
                    dir.display()
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

    /// Compiles a query string plus filters.
    pub fn compile(&self, q: &str, filters: &Filters, fuzzy: bool, tz: Tz) -> Result<Compiled> {
        let parsed = query::parse(q)?;
        let mut c = Compiler {
            e: self,
            tz,
            fuzzy,
            hl: Highlighter::default(),
            src: q,
        };
        let filter_clauses = c.filters(filters);
        let lone_text_word = !fuzzy
            && matches!(
                parsed.clauses.as_slice(),
                [(Occur::Default | Occur::Must, n)] if single_term(n).is_some_and(|(scope, _)| {
                    matches!(scope, Scope::All | Scope::Title | Scope::Dek | Scope::Body | Scope::Author)
                })
            );
        // a lone word on a text field (block-max WAND ranks it), and the terms of a
        // query made of plain words only, one per word (see `loose_q`)
        let plain = filter_clauses.is_empty() && !fuzzy;
        let term_union = plain && lone_text_word;
        let flat_words: Option<Vec<String>> = if plain {
            parsed
                .clauses
                .iter()
                .map(|(occur, node)| match (occur, single_term(node)) {
                    (Occur::Default, Some((Scope::All, term))) => Some(term),
                    _ => None,
                })
                .collect()
        } else {
            None
        };
        let mut strict: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let mut loose: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        // second tier: at least one of the plain clauses (grouped, so that required
        // filters next to them do not make them all optional)
        let mut loose_words: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let mut defaults = 0;
        let mut plain_words: Vec<String> = Vec::new();
        for (occur, node) in &parsed.clauses {
            let Some(tq) = c.node(node)? else { continue };
            let is_date = matches!(node, Node::DateRange { .. });
            match (occur, is_date) {
                (Occur::MustNot, _) => {
                    strict.push((TOccur::MustNot, tq.box_clone()));
                    loose.push((TOccur::MustNot, tq));
                }
                (Occur::Must, _) | (Occur::Default, true) => {
                    strict.push((TOccur::Must, tq.box_clone()));
                    loose.push((TOccur::Must, tq));
                }
                (Occur::Default, false) => {
                    defaults += 1;
                    if let Node::Word {
                        scope: Scope::All,
                        text,
                        prefix: false,
                        fuzzy: None,
                    } = node
                    {
                        plain_words.push(text.clone());
                    }
                    strict.push((TOccur::Must, tq.box_clone()));
                    loose_words.push((TOccur::Should, tq));
                }
            }
        }
        if !strict.iter().any(|(o, _)| *o != TOccur::MustNot) {
            return Err(Error::Query {
                query: q.to_string(),
                pos: 0,
                message: "the query has no searchable terms (only punctuation, stop words such as \
                          `the` that are not indexed, or excluded terms)"
                    .into(),
            });
        }
        // phrase-proximity bonus
        if plain_words.len() >= 2 {
            // positions as in the text, so stop words between the words count as gaps
            let terms = news_terms_at(&plain_words.join(" "));
            if terms.len() >= 2 && terms.len() <= 8 {
                let mut per_field: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
                // not the body: walking its positions for every document of the AND
                // set was a third of a two-word query, and relevance did not need it
                for (field, boost) in self.boosts {
                    if field == self.opened.fields.body {
                        continue;
                    }
                    let t: Vec<(usize, Term)> = terms
                        .iter()
                        .map(|(i, s)| (*i, Term::from_field_text(field, s)))
                        .collect();
                    let pq = PhraseQuery::new_with_offset_and_slop(t, 3);
                    per_field.push((
                        TOccur::Should,
                        Box::new(BoostQuery::new(Box::new(pq), boost)),
                    ));
                }
                let bonus: Box<dyn TQuery> = Box::new(BooleanQuery::new(per_field));
                strict.push((TOccur::Should, bonus.box_clone()));
                loose.push((TOccur::Should, bonus));
            }
        }
        if !loose_words.is_empty() {
            loose.push((TOccur::Must, Box::new(BooleanQuery::new(loose_words))));
        }
        let word_and_filter = (lone_text_word && !filter_clauses.is_empty() && strict.len() == 1)
            .then(|| {
                let word = strict[0].1.box_clone();
                let filter: Box<dyn TQuery> = if filter_clauses.len() == 1 {
                    filter_clauses[0].box_clone()
                } else {
                    Box::new(BooleanQuery::new(
                        filter_clauses
                            .iter()
                            .map(|f| (TOccur::Must, f.box_clone()))
                            .collect(),
                    ))
                };
                (word, filter)
            });
        for f in filter_clauses {
            strict.push((TOccur::Must, f.box_clone()));
            loose.push((TOccur::Must, f));
        }
        // A lone word is the query itself. Wrapped in a boolean query it would hide a
        // plain OR of terms from tantivy's block-max WAND, which only sees term scorers
        // at the top level. Only text fields qualify: the keyword fields (tags, source,
        // url, id) index no frequencies, and pruning a bare term query on such a field
        // skipped matching documents when it was tried (`tag:mining` lost its newest
        // hits at 100k articles).
        let strict_q: Box<dyn TQuery> = if term_union && strict.len() == 1 {
            strict.remove(0).1
        } else {
            Box::new(BooleanQuery::new(strict))
        };
        // The second tier is the loose query minus first-tier documents; those are
        // filtered out by address rather than with `MustNot(strict)`, which trips a
        // seek assertion in tantivy 0.27's phrase scorer.
        let loose_q: Option<Box<dyn TQuery>> = (defaults >= 2).then(|| {
            let l: Box<dyn TQuery> = match &flat_words {
                // plain words only: one flat OR of every (word, field) term, which
                // tantivy ranks with block-max WAND and counts without scoring. The
                // proximity bonus is left out: it needs every word in the title or the
                // dek, and such a document is in the first tier, never in this one.
                Some(words) => {
                    let mut any: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
                    for w in words {
                        for (field, boost) in self.boosts {
                            let t = TermQuery::new(
                                Term::from_field_text(field, w),
                                IndexRecordOption::WithFreqs,
                            );
                            any.push((
                                TOccur::Should,
                                Box::new(BoostQuery::new(Box::new(t), boost)),
                            ));
                        }
                    }
                    Box::new(BooleanQuery::new(any))
                }
                None => Box::new(BooleanQuery::new(loose)),
            };
            l
        });
        Ok(Compiled {
            strict: strict_q,
            loose: loose_q,
            highlighter: c.hl,
            term_union,
            word_and_filter,
        })
    }

    /// A query matching every document that passes the filters (for listings).
    pub fn filter_query(&self, filters: &Filters, tz: Tz) -> Box<dyn TQuery> {
        let mut c = Compiler {
            e: self,
            tz,
            fuzzy: false,
            hl: Highlighter::default(),
            src: "",
        };
        let mut clauses: Vec<(TOccur, Box<dyn TQuery>)> = c
            .filters(filters)
            .into_iter()
            .map(|q| (TOccur::Must, q))
            .collect();
        clauses.push((TOccur::Must, Box::new(tantivy::query::AllQuery)));
        Box::new(BooleanQuery::new(clauses))
    }

    /// Number of documents matching a query (both tiers; the loose tier contains the
    /// strict one).
    pub fn count(&self, c: &Compiled) -> Result<usize> {
        let q = c.loose.as_ref().unwrap_or(&c.strict);
        Ok(self.searcher.search(&**q, &Count)?)
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
            let (hits, n) = crate::collect::top_by_date(&self.searcher, q, None, limit)?;
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
        // one pass when there is no second tier (a phrase, one word): the count is the
        // first tier's; otherwise it is the loose tier's, which holds the first
        let (mut ranked, n) = match &c.word_and_filter {
            Some((word, filter)) if !self.generic && !req.recent && req.limit > 0 => {
                let (hits, n) = match req.sort {
                    Sort::Relevance => {
                        crate::collect::top_where(&self.searcher, &**word, &**filter, req.limit)?
                    }
                    Sort::Date => crate::collect::top_by_date(
                        &self.searcher,
                        &**word,
                        Some(&**filter),
                        req.limit,
                    )?,
                };
                (hits, Some(n))
            }
            _ => self.top_and_count(
                &*c.strict,
                req.limit,
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
        if ranked.len() < req.limit
            && let Some(l) = &c.loose
        {
            // every first-tier document also matches the loose query: fetch enough to
            // skip them
            let first: HashSet<DocAddress> = ranked.iter().map(|r| r.2).collect();
            let mut more = self.top(&**l, req.limit + first.len(), req.sort, req.recent)?;
            more.retain(|r| !first.contains(&r.2));
            more.truncate(req.limit - ranked.len());
            sort_ties(self, req.sort, &mut more)?;
            ranked.extend(more);
        }
        let mut hits = Vec::with_capacity(ranked.len());
        for (i, (score, _, addr)) in ranked.into_iter().enumerate() {
            let article = self.article(addr)?;
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
            });
        }
        Ok(SearchResults {
            query: req.query.clone(),
            total_hits,
            hits,
        })
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

struct Compiler<'a> {
    e: &'a Engine,
    tz: Tz,
    fuzzy: bool,
    hl: Highlighter,
    src: &'a str,
}

/// The scope and the one term of a plain word: no prefix, no fuzziness, and text that
/// analyzes to exactly one term (not a stop word, not a multi-term phrase).
fn single_term(node: &Node) -> Option<(Scope, String)> {
    match node {
        Node::Word {
            scope,
            text,
            prefix: false,
            fuzzy: None,
        } if !is_hex_prefix(text) => match news_terms_at(text).as_slice() {
            [(_, t)] => Some((*scope, t.clone())),
            _ => None,
        },
        _ => None,
    }
}

fn is_hex_prefix(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    l.len() >= 4
        && l.len() < 42
        && l.starts_with("0x")
        && l[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

impl Compiler<'_> {
    fn fields_for(&self, scope: Scope) -> Vec<(Field, f32)> {
        let f = self.e.opened.fields;
        match scope {
            Scope::All => self.e.boosts.to_vec(),
            Scope::Title => vec![(f.title, 1.0)],
            Scope::Dek => vec![(f.dek, 1.0)],
            Scope::Body => vec![(f.body, 1.0)],
            Scope::Author => vec![(f.authors, 1.0)],
            Scope::Tag | Scope::Source | Scope::Url | Scope::Id => vec![],
        }
    }

    fn keyword(&self, scope: Scope, text: &str) -> Option<Box<dyn TQuery>> {
        let f = self.e.opened.fields;
        let (field, value) = match scope {
            Scope::Tag => (f.tags, clean_tag(text)),
            Scope::Source => (f.source, source_key(text)),
            Scope::Url => (f.url, canonical_url(text)),
            Scope::Id => (f.id, text.trim().to_string()),
            _ => return None,
        };
        Some(Box::new(TermQuery::new(
            Term::from_field_text(field, &value),
            IndexRecordOption::Basic,
        )))
    }

    fn any_of(parts: Vec<Box<dyn TQuery>>) -> Option<Box<dyn TQuery>> {
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(Box::new(BooleanQuery::new(
                parts.into_iter().map(|p| (TOccur::Should, p)).collect(),
            ))),
        }
    }

    fn word(
        &mut self,
        scope: Scope,
        text: &str,
        prefix: bool,
        fuzzy: Option<u8>,
    ) -> Result<Option<Box<dyn TQuery>>> {
        if matches!(scope, Scope::Tag | Scope::Source | Scope::Url | Scope::Id) {
            return Ok(self.keyword(scope, text));
        }
        let fields = self.fields_for(scope);
        if prefix || is_hex_prefix(text) {
            let p: String = text
                .trim_start_matches('$')
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '.')
                .collect();
            if p.is_empty() {
                return Ok(None);
            }
            self.hl.prefixes.push(p.clone());
            let pattern = format!("{}.*", regex_syntax_escape(&p));
            let mut parts: Vec<Box<dyn TQuery>> = Vec::new();
            for (field, boost) in fields {
                let rq = RegexQuery::from_pattern(&pattern, field).map_err(|e| Error::Query {
                    query: self.src.to_string(),
                    pos: 0,
                    message: format!("bad prefix `{text}`: {e}"),
                })?;
                parts.push(Box::new(BoostQuery::new(Box::new(rq), boost)));
            }
            return Ok(Self::any_of(parts));
        }
        let terms = news_terms_at(text);
        if terms.is_empty() {
            return Ok(None);
        }
        if terms.len() > 1 {
            return Ok(self.phrase(scope, &terms, 0));
        }
        let term = &terms[0].1;
        let distance = fuzzy.or((self.fuzzy && term.chars().count() >= 5).then_some(1));
        self.hl.terms.insert(term.clone());
        if let Some(d) = distance {
            self.hl.fuzzy.push((term.clone(), d));
        }
        let mut parts: Vec<Box<dyn TQuery>> = Vec::new();
        for (field, boost) in fields {
            let t = Term::from_field_text(field, term);
            let exact: Box<dyn TQuery> =
                Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs));
            let q: Box<dyn TQuery> = match distance {
                Some(d) if d > 0 => Box::new(BooleanQuery::new(vec![
                    (TOccur::Should, exact),
                    (TOccur::Should, Box::new(FuzzyTermQuery::new(t, d, true))),
                ])),
                _ => exact,
            };
            parts.push(Box::new(BoostQuery::new(q, boost)));
        }
        Ok(Self::any_of(parts))
    }

    /// A phrase of terms at the given positions (gaps are stop words).
    fn phrase(
        &mut self,
        scope: Scope,
        terms: &[(usize, String)],
        slop: u32,
    ) -> Option<Box<dyn TQuery>> {
        for (_, t) in terms {
            self.hl.terms.insert(t.clone());
        }
        let mut parts: Vec<Box<dyn TQuery>> = Vec::new();
        for (field, boost) in self.fields_for(scope) {
            let t: Vec<(usize, Term)> = terms
                .iter()
                .map(|(i, s)| (*i, Term::from_field_text(field, s)))
                .collect();
            let pq = PhraseQuery::new_with_offset_and_slop(t, slop);
            parts.push(Box::new(BoostQuery::new(Box::new(pq), boost)));
        }
        Self::any_of(parts)
    }

    fn node(&mut self, n: &Node) -> Result<Option<Box<dyn TQuery>>> {
        Ok(match n {
            Node::Word {
                scope,
                text,
                prefix,
                fuzzy,
            } => self.word(*scope, text, *prefix, *fuzzy)?,
            Node::Phrase { scope, text, slop } => {
                if matches!(scope, Scope::Tag | Scope::Source | Scope::Url | Scope::Id) {
                    return Ok(self.keyword(*scope, text));
                }
                let terms = news_terms_at(text);
                match terms.len() {
                    0 => None,
                    1 => self.word(*scope, text, false, None)?,
                    _ => self.phrase(*scope, &terms, *slop),
                }
            }
            Node::DateRange { field, from, to } => {
                Some(self.date_range(*field, from.as_deref(), to.as_deref()))
            }
            Node::Or(alts) => {
                let mut parts = Vec::new();
                for a in alts {
                    if let Some(q) = self.node(a)? {
                        parts.push(q);
                    }
                }
                Self::any_of(parts)
            }
            Node::Group(clauses) => {
                let mut parts: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
                for (o, c) in clauses {
                    if let Some(q) = self.node(c)? {
                        let occ = match o {
                            Occur::MustNot => TOccur::MustNot,
                            _ => TOccur::Must,
                        };
                        parts.push((occ, q));
                    }
                }
                if parts.iter().all(|(o, _)| *o == TOccur::MustNot) {
                    None
                } else {
                    Some(Box::new(BooleanQuery::new(parts)))
                }
            }
        })
    }

    fn date_range(
        &self,
        field: DateField,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Box<dyn TQuery> {
        // the parser validated the bounds; `>x` / `<x` are exclusive of the whole period
        let start = |s: &str| -> Option<DateTime<Utc>> {
            match s.strip_prefix('>') {
                Some(r) => DateBound::parse(r).ok()?.end_exclusive(self.tz),
                None => DateBound::parse(s).ok()?.start(self.tz),
            }
        };
        let end = |s: &str| -> Option<DateTime<Utc>> {
            match s.strip_prefix('<') {
                Some(r) => DateBound::parse(r).ok()?.start(self.tz),
                None => DateBound::parse(s).ok()?.end_exclusive(self.tz),
            }
        };
        let iv = DateInterval {
            from: from.and_then(start),
            to_exclusive: to.and_then(end),
        };
        let f = match field {
            DateField::Published => self.e.opened.fields.published,
            DateField::Updated => self.e.opened.fields.updated,
        };
        range_query(f, iv)
    }

    /// The flag filters, one clause each. They match or not and add nothing to a
    /// score: a tag's term would otherwise add BM25 over the tag list, favouring
    /// documents with fewer tags, and a date range a constant.
    fn filters(&mut self, filters: &Filters) -> Vec<Box<dyn TQuery>> {
        let out = self.filter_clauses(filters);
        out.into_iter()
            .map(|q| Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn TQuery>)
            .collect()
    }

    fn filter_clauses(&mut self, filters: &Filters) -> Vec<Box<dyn TQuery>> {
        let f = self.e.opened.fields;
        let mut out: Vec<Box<dyn TQuery>> = Vec::new();
        if filters.dates.from.is_some() || filters.dates.to_exclusive.is_some() {
            out.push(range_query(f.published, filters.dates));
        }
        for t in &filters.tags {
            if let Some(q) = self.keyword(Scope::Tag, t) {
                out.push(q);
            }
        }
        let sources: Vec<Box<dyn TQuery>> = filters
            .sources
            .iter()
            .filter_map(|s| self.keyword(Scope::Source, s))
            .collect();
        if let Some(q) = Self::any_of(sources) {
            out.push(q);
        }
        out
    }
}

fn range_query(field: Field, iv: DateInterval) -> Box<dyn TQuery> {
    let to_term = |d: DateTime<Utc>| {
        Term::from_field_date(field, tantivy::DateTime::from_timestamp_secs(d.timestamp()))
    };
    let lower = iv
        .from
        .map(|d| Bound::Included(to_term(d)))
        .unwrap_or(Bound::Unbounded);
    let upper = iv
        .to_exclusive
        .map(|d| Bound::Excluded(to_term(d)))
        .unwrap_or(Bound::Unbounded);
    Box::new(RangeQuery::new(lower, upper))
}

fn regex_syntax_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
