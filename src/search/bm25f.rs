//! BM25F: one word scored over several (field, term) streams at once, its title, dek
//! and body postings and those of its exact form, with the frequencies weighted per
//! stream and normalized by each field's length, then saturated once.
//!
//! Summing a BM25 score per field (what a boolean OR of term queries does) saturates
//! each field on its own, so a generic word in the title, the dek and the body scores
//! about three times one occurrence, and the title boost multiplies a whole BM25 score.
//! Here a document's pseudo-frequency is
//! `tf' = Σ weight_s · tf_s / (1 − b + b · len_f(s) / avg_len_f(s))` and its score
//! `idf · tf' · (k1 + 1) / (tf' + k1)`, as in Robertson and Zaragoza's BM25F (with
//! per-field `b`, here one `b` for all). `idf` uses the document frequency of the word's
//! exact form when it has one (the word as typed), else the largest of the streams (a
//! lower bound of the documents holding the word in any field).
//!
//! The scorer is a plain union of the streams' postings: it has no block-max data, so
//! tantivy's pruning scores every match of it (see `search::collect`).

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

const K1: Score = 1.2;

const B: Score = 0.75;

/// One word as weighted (field, term) streams, scored with BM25F.
#[derive(Debug, Clone)]
pub struct Bm25fQuery {
    /// Each term carries its field; weights multiply its frequencies.
    streams: Vec<(Term, Score)>,
    /// Stems whose other forms' occurrences are taken back out (a negative weight):
    /// see [`Bm25fQuery::with_variants`].
    variants: Vec<(Term, Score)>,
}

impl Bm25fQuery {
    pub fn new(streams: Vec<(Term, Score)>) -> Bm25fQuery {
        Bm25fQuery {
            streams,
            variants: Vec::new(),
        }
    }

    /// Adds, for each `(stem term, weight)`, every exact form of its field that stems
    /// to it (`=strings`, `=stringing` for `string`) as a stream of weight `-weight`.
    ///
    /// A word that is its own stem (`string`) has no exact form of its own in the
    /// index, only its other forms do. Its stem stream counts every form, so taking
    /// the other forms back out leaves `string` at the stem's weight and `strings` at
    /// the stem's minus `weight`: the exact-form preference the words with an exact
    /// form get, at query time, without indexing every word twice.
    pub fn with_variants(mut self, variants: Vec<(Term, Score)>) -> Bm25fQuery {
        self.variants = variants;
        self
    }
}

/// Whether a term is an exact form (`=moves`).
fn is_exact(t: &Term) -> bool {
    t.value()
        .as_str()
        .is_some_and(|s| s.starts_with(crate::analysis::EXACT))
}

/// The exact-form terms of `field` in one segment whose word stems to `stem`, with
/// their term infos. Exact forms sort after `=` and share the stem's first letters
/// (English Snowball stems are prefixes of their words, bar a few exceptions such as
/// `dying`, which are then simply not taken out).
fn variant_terms(
    reader: &SegmentReader,
    stem: &Term,
) -> tantivy::Result<Vec<tantivy::postings::TermInfo>> {
    let value = stem.value();
    let Some(text) = value.as_str() else {
        return Ok(Vec::new());
    };
    // short stems would scan many terms for little (and `=ab` would start many words)
    if text.chars().count() < 3 {
        return Ok(Vec::new());
    }
    let lo = format!("{}{text}", crate::analysis::EXACT);
    let mut hi = lo.clone().into_bytes();
    // every key with the prefix is below the prefix followed by 0xff
    hi.push(0xff);
    let inverted = reader.inverted_index(stem.field())?;
    let mut stream = inverted.terms().range().ge(&lo).lt(&hi).into_stream()?;
    let mut out = Vec::new();
    while stream.advance() {
        let Ok(word) = std::str::from_utf8(&stream.key()[1..]) else {
            continue;
        };
        if word != text && crate::analysis::stems_to(word, text) {
            out.push(stream.value().clone());
        }
    }
    Ok(out)
}

impl Query for Bm25fQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !scoring.is_scoring_enabled() {
            // without scores a document matches when a stream has it: tantivy's union
            // of term postings finds the same documents faster than this scorer's
            // merge (a count of the second tier, a date-ordered search)
            let terms: Vec<(Occur, Box<dyn Query>)> = self
                .streams
                .iter()
                .map(|(t, _)| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            return BooleanQuery::new(terms).weight(scoring);
        }
        let mut streams = Vec::with_capacity(self.streams.len());
        let mut idf = 0.0;
        if let EnableScoring::Enabled {
            statistics_provider: stats,
            ..
        } = scoring
        {
            let n = stats.total_num_docs()?;
            // the word as typed: its exact form's document frequency when it has one
            // (`investing` is rarer than the stem `invest`, and that rarity is what the
            // query asks for), else the largest of its streams'
            let mut df = 0;
            let mut exact_df = 0;
            for (t, _) in &self.streams {
                let f = stats.doc_freq(t)?;
                df = df.max(f);
                if is_exact(t) {
                    exact_df = exact_df.max(f);
                }
            }
            if exact_df > 0 {
                df = exact_df;
            }
            let df = df.min(n);
            idf = (1.0 + ((n - df) as Score + 0.5) / (df as Score + 0.5)).ln();
            for (t, w) in &self.streams {
                let tokens = stats.total_num_tokens(t.field())?;
                let avg = if n == 0 {
                    1.0
                } else {
                    (tokens as Score / n as Score).max(1.0)
                };
                streams.push((t.clone(), *w, avg));
            }
        } else {
            streams.extend(self.streams.iter().map(|(t, w)| (t.clone(), *w, 1.0)));
        }
        // taking other forms out only changes scores: without scoring, none are read
        let scoring_on = matches!(scoring, EnableScoring::Enabled { .. });
        let variants = self
            .variants
            .iter()
            .filter(|_| scoring_on)
            .map(|(t, w)| {
                let avg = streams
                    .iter()
                    .find(|s| s.0 == *t)
                    .map(|s| s.2)
                    .unwrap_or(1.0);
                (t.clone(), -*w, avg)
            })
            .collect();
        Ok(Box::new(Bm25fWeight {
            streams,
            variants,
            idf,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (t, _) in &self.streams {
            visitor(t, false);
        }
    }
}

struct Bm25fWeight {
    /// (term, weight, average length of the term's field)
    streams: Vec<(Term, Score, Score)>,
    /// (stem term, negative weight, average length): its other exact forms' streams
    variants: Vec<(Term, Score, Score)>,
    idf: Score,
}

fn stream(
    reader: &SegmentReader,
    field: tantivy::schema::Field,
    postings: SegmentPostings,
    weight: Score,
    avg: Score,
) -> tantivy::Result<Stream> {
    // weight / length normalization, per fieldnorm id
    let mut per_norm = [0.0; 256];
    for (id, slot) in per_norm.iter_mut().enumerate() {
        let len = tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm(id as u8) as Score;
        *slot = weight / (1.0 - B + B * len / avg);
    }
    Ok(Stream {
        postings,
        norms: reader.get_fieldnorms_reader(field)?,
        per_norm: Box::new(per_norm),
    })
}

impl Weight for Bm25fWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut streams = Vec::with_capacity(self.streams.len());
        for (term, weight, avg) in &self.streams {
            let field = term.field();
            let Some(postings) = reader
                .inverted_index(field)?
                .read_postings(term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            streams.push(stream(reader, field, postings, *weight, *avg)?);
        }
        let mut variants = Vec::new();
        for (stem, weight, avg) in &self.variants {
            let field = stem.field();
            let inverted = reader.inverted_index(field)?;
            for info in variant_terms(reader, stem)? {
                let postings =
                    inverted.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                variants.push(stream(reader, field, postings, *weight, *avg)?);
            }
        }
        let mut s = Bm25fScorer {
            streams,
            variants,
            doc: TERMINATED,
            scale: self.idf * boost * (K1 + 1.0),
        };
        s.doc = s.min_doc();
        Ok(Box::new(s))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut s = self.scorer(reader, 1.0)?;
        if s.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("BM25F", s.score()))
    }
}

struct Stream {
    postings: SegmentPostings,
    norms: tantivy::fieldnorm::FieldNormReader,
    per_norm: Box<[Score; 256]>,
}

struct Bm25fScorer {
    /// The streams a document matches by.
    streams: Vec<Stream>,
    /// Negative-weight streams (other forms of a word that is its own stem): read only
    /// to score a document the streams matched, never matching one themselves (a
    /// document with only `=fees`, from `FEES`, is not a match of `fee`).
    variants: Vec<Stream>,
    doc: DocId,
    /// idf · boost · (k1 + 1)
    scale: Score,
}

impl Bm25fScorer {
    fn min_doc(&self) -> DocId {
        self.streams
            .iter()
            .map(|s| s.postings.doc())
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl DocSet for Bm25fScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        if doc == TERMINATED {
            return TERMINATED;
        }
        for s in &mut self.streams {
            if s.postings.doc() == doc {
                s.postings.advance();
            }
        }
        self.doc = self.min_doc();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for s in &mut self.streams {
            if s.postings.doc() < target {
                s.postings.seek(target);
            }
        }
        self.doc = self.min_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.streams.iter().map(|s| s.postings.size_hint()).sum()
    }
}

impl Scorer for Bm25fScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut tf = 0.0;
        for s in &self.streams {
            if s.postings.doc() == doc {
                let id = s.norms.fieldnorm_id(doc);
                tf += s.postings.term_freq() as Score * s.per_norm[id as usize];
            }
        }
        for v in &mut self.variants {
            if v.postings.doc() < doc {
                v.postings.seek(doc);
            }
            if v.postings.doc() == doc {
                let id = v.norms.fieldnorm_id(doc);
                tf += v.postings.term_freq() as Score * v.per_norm[id as usize];
            }
        }
        // other forms are only taken out of their own stem's occurrences, but an
        // acronym's exact form (`=fees` of `FEES`) has no stem beneath it
        let tf = tf.max(0.0);
        self.scale * tf / (tf + K1)
    }
}
