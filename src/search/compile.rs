//! Query AST → tantivy queries: the two ranking tiers of an implicit AND, the
//! proximity bonus, the highlighter's terms, and the shapes the fast routes of `mod.rs`
//! recognize (a lone word, a word under flag filters). Owns how a query is scored, not
//! how the top k are collected (`collect`) or what a filter means (`filters`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur as TOccur, PhraseQuery, Query as TQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::Engine;
use super::bm25f::Bm25fQuery;
use super::filters::{
    DateBound, DateInterval, Filters, any_of, clauses, range_query, source_query, tag_query,
    term_query,
};
use super::query::{self, DateField, Node, Occur, Scope};
use super::snippet::Highlighter;
use crate::analysis::{Form, news_forms_at, news_terms_at};
use crate::error::{Error, Result};
use crate::normalize::keys::canonical_url;
use crate::schema::Fields;

/// A compiled query: the two ranking tiers plus what to highlight.
pub struct Compiled {
    pub(super) strict: Box<dyn TQuery>,
    /// `None` when the second tier would equal the first.
    pub(super) loose: Option<Box<dyn TQuery>>,
    pub(super) highlighter: Highlighter,
    /// The first tier is one word's terms OR-ed over fields, nothing else: block-max
    /// WAND can rank it, and counting it is a cheap second pass ([`Counting`]).
    pub(super) term_union: bool,
    /// One word over text fields with flag filters: the word's query and the filters'
    /// (see [`crate::search::collect::top_where`]). `strict` is their intersection.
    pub(super) word_and_filter: Option<(Box<dyn TQuery>, Box<dyn TQuery>)>,
}

impl Compiled {
    /// The documents that contain every word: what aggregations describe.
    pub fn all_words(&self) -> &dyn TQuery {
        &*self.strict
    }

    /// Every matching document, both tiers (the second tier contains the first).
    pub fn any_match(&self) -> &dyn TQuery {
        self.loose.as_deref().unwrap_or(&*self.strict)
    }
}

impl Engine {
    /// Compiles a query string plus filters.
    pub fn compile(&self, q: &str, filters: &Filters, fuzzy: bool, tz: Tz) -> Result<Compiled> {
        match self.compile_with(q, filters, fuzzy, tz, false) {
            // a query of stop words only (`the`, `to be or`): search them as written
            Err(Error::Query { pos: 0, .. }) => self.compile_with(q, filters, fuzzy, tz, true),
            r => r,
        }
    }

    /// Compiles a query; `stops`: search the stop words of unquoted words too (they
    /// are otherwise left out, as in `to the moon`).
    fn compile_with(
        &self,
        q: &str,
        filters: &Filters,
        fuzzy: bool,
        tz: Tz,
        stops: bool,
    ) -> Result<Compiled> {
        let parsed = query::parse(q)?;
        let mut c = Compiler {
            e: self,
            tz,
            fuzzy,
            stops,
            hl: Highlighter::default(),
            src: q,
        };
        let filter_clauses = clauses(self.fields(), filters);
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
        let flat_words: Option<Vec<Form>> = if plain {
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
        // skips matching documents (see docs/PERFORMANCE.md, "History moved out of the
        // code").
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
                        any.extend(word_parts(&self.boosts, w));
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
}

/// The term query of a keyword scope (`tag:`, `source:`, `url:`, `id:`), with the value
/// keyed the way the indexer keys it; `None` for a text scope.
fn keyword(f: &Fields, scope: Scope, text: &str) -> Option<Box<dyn TQuery>> {
    Some(match scope {
        Scope::Tag => tag_query(f, text),
        Scope::Source => source_query(f, text),
        Scope::Url => term_query(f.url, &canonical_url(text)),
        Scope::Id => term_query(f.id, text.trim()),
        _ => return None,
    })
}

/// A `published:`/`updated:` range of the query language. The parser validated the
/// bounds; `>x` / `<x` are exclusive of the whole period.
fn date_range(
    f: &Fields,
    tz: Tz,
    field: DateField,
    from: Option<&str>,
    to: Option<&str>,
) -> Box<dyn TQuery> {
    let start = |s: &str| -> Option<DateTime<Utc>> {
        match s.strip_prefix('>') {
            Some(r) => DateBound::parse(r).ok()?.end_exclusive(tz),
            None => DateBound::parse(s).ok()?.start(tz),
        }
    };
    let end = |s: &str| -> Option<DateTime<Utc>> {
        match s.strip_prefix('<') {
            Some(r) => DateBound::parse(r).ok()?.start(tz),
            None => DateBound::parse(s).ok()?.end_exclusive(tz),
        }
    };
    let iv = DateInterval {
        from: from.and_then(start),
        to_exclusive: to.and_then(end),
    };
    let field = match field {
        DateField::Published => f.published,
        DateField::Updated => f.updated,
    };
    range_query(field, iv)
}

struct Compiler<'a> {
    e: &'a Engine,
    tz: Tz,
    fuzzy: bool,
    /// Search stop words outside quotes too (a query made of nothing else).
    stops: bool,
    hl: Highlighter,
    src: &'a str,
}

/// How much an exact form's occurrences add to its stem's: a document with the word as
/// written scores as if it had it `1 + EXACT_WEIGHT` times as often as a document with
/// only another form of it (`moves` for a `move` query). A word whose term is its exact
/// form (`spot`, a coin) counts every occurrence as exact.
///
/// 20 rather than round 1's 3: a stem-only occurrence is weak evidence for the word
/// as typed (`investments` for `investing`), and at 3 two or three of them in a short
/// body still outranked the article with every word as written (docs/RELEVANCE.md,
/// round 2). Stem-only matches still match, so a word in another number or tense
/// still finds its article.
const EXACT_WEIGHT: f32 = 20.0;

/// The scope and the one word of a plain word: no prefix, no fuzziness, and text that
/// analyzes to exactly one term (not a stop word, not a multi-term phrase).
fn single_term(node: &Node) -> Option<(Scope, Form)> {
    match node {
        Node::Word {
            scope,
            text,
            prefix: false,
            fuzzy: None,
        } if !is_hex_prefix(text) => match news_forms_at(text).as_slice() {
            [f] if f.term.is_some() => Some((*scope, f.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// The scored clauses of one word over `fields`, summed by the caller's OR: one BM25F
/// query over its term and its exact form (with [`EXACT_WEIGHT`]) in every field, each
/// weighted by the field's boost.
fn word_parts(fields: &[(Field, f32)], w: &Form) -> Vec<(TOccur, Box<dyn TQuery>)> {
    let mut streams = Vec::new();
    let mut variants = Vec::new();
    for &(field, boost) in fields {
        let mut push = |text: &str, weight: f32| {
            streams.push((Term::from_field_text(field, text), boost * weight));
        };
        match (&w.term, &w.exact) {
            (Some(t), Some(e)) => {
                push(t, 1.0);
                push(e, EXACT_WEIGHT);
            }
            (Some(t), None) => {
                push(t, 1.0 + EXACT_WEIGHT);
                // A word that is its own stem (`string`, `miner`) prefers its exact form
                // like the others do: its other forms (`=strings`) are taken out of its
                // stem's count with the exact weight (see `Bm25fQuery::with_variants`).
                variants.push((Term::from_field_text(field, t), boost * EXACT_WEIGHT));
            }
            (None, Some(e)) => push(e, 1.0 + EXACT_WEIGHT),
            (None, None) => {}
        }
    }
    if streams.is_empty() {
        return Vec::new();
    }
    vec![(
        TOccur::Should,
        Box::new(Bm25fQuery::new(streams).with_variants(variants)),
    )]
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

    fn word(
        &mut self,
        scope: Scope,
        text: &str,
        prefix: bool,
        fuzzy: Option<u8>,
    ) -> Result<Option<Box<dyn TQuery>>> {
        if matches!(scope, Scope::Tag | Scope::Source | Scope::Url | Scope::Id) {
            return Ok(keyword(&self.e.opened.fields, scope, text));
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
            let pattern = format!("{}.*", regex::escape(&p));
            let mut parts: Vec<Box<dyn TQuery>> = Vec::new();
            for (field, boost) in fields {
                let rq = RegexQuery::from_pattern(&pattern, field).map_err(|e| Error::Query {
                    query: self.src.to_string(),
                    pos: 0,
                    message: format!("bad prefix `{text}`: {e}"),
                })?;
                parts.push(Box::new(BoostQuery::new(Box::new(rq), boost)));
            }
            return Ok(any_of(parts));
        }
        let mut forms = news_forms_at(text);
        if !self.stops {
            forms.retain(|f| f.term.is_some());
        }
        if forms.len() > 1 {
            return Ok(self.phrase(scope, &forms, 0));
        }
        let Some(form) = forms.first() else {
            return Ok(None);
        };
        let Some(term) = form.term.as_ref().or(form.exact.as_ref()) else {
            return Ok(None);
        };
        let distance = fuzzy.or((self.fuzzy && term.chars().count() >= 5).then_some(1));
        self.hl.terms.insert(term.clone());
        if let Some(d) = distance {
            self.hl.fuzzy.push((term.clone(), d));
        }
        if distance.is_none_or(|d| d == 0) || form.term.is_none() {
            return Ok(any_of(
                word_parts(&fields, form).into_iter().map(|p| p.1).collect(),
            ));
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
        Ok(any_of(parts))
    }

    /// A phrase of words at their positions: their terms, and stop words in their
    /// exact form when they are indexed (else they are gaps).
    fn phrase(&mut self, scope: Scope, forms: &[Form], slop: u32) -> Option<Box<dyn TQuery>> {
        let terms: Vec<(usize, String)> = forms
            .iter()
            .filter_map(|f| Some((f.pos, f.term.clone().or(f.exact.clone())?)))
            .collect();
        if terms.len() < 2 {
            // a lone word left: not a phrase
            let f = forms
                .iter()
                .find(|f| f.term.is_some() || f.exact.is_some())?;
            for t in f.term.iter().chain(&f.exact).take(1) {
                self.hl.terms.insert(t.clone());
            }
            return any_of(
                word_parts(&self.fields_for(scope), f)
                    .into_iter()
                    .map(|p| p.1)
                    .collect(),
            );
        }
        for (_, t) in &terms {
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
        any_of(parts)
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
                    return Ok(keyword(&self.e.opened.fields, *scope, text));
                }
                // quoted: stop words count, as written
                let forms = news_forms_at(text);
                match forms.len() {
                    0 => None,
                    1 if forms[0].term.is_some() => self.word(*scope, text, false, None)?,
                    _ => self.phrase(*scope, &forms, *slop),
                }
            }
            Node::DateRange { field, from, to } => Some(date_range(
                self.e.fields(),
                self.tz,
                *field,
                from.as_deref(),
                to.as_deref(),
            )),
            Node::Or(alts) => {
                let mut parts = Vec::new();
                for a in alts {
                    if let Some(q) = self.node(a)? {
                        parts.push(q);
                    }
                }
                any_of(parts)
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
}
