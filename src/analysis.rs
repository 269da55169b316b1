//! Tokenizers: the coin-aware `news` analyzer for text fields and `keyword` for tags and
//! sources.
//!
//! `news` is written by hand because generic tokenizers mangle this domain. It:
//! - maps every coin name, ticker and alias from `index_schema/coins.toml` to the coin's
//!   canonical id (`$BTC`, `XBT`, `₿`, `bitcoin` → `bitcoin`); tickers flagged ambiguous
//!   (`LINK`, `ONE`) count only in capitals or as cashtags;
//! - keeps token standards as one term (`ERC-20`, `ERC20`, `erc 20` → `erc20`);
//! - keeps 0x addresses and hashes whole, whatever their length;
//! - keeps numbers whole (`1.25`, `61,204.11` → `61204.11`) and drops currency signs and
//!   percent signs instead of splitting on them;
//! - joins dotted acronyms (`U.S.` → `us`) and drops possessive `'s`;
//! - lowercases and applies the English Snowball stemmer, except to coins, numbers and
//!   acronyms (an all-caps plural such as `ETFs` only loses its `s`).
//!
//! Offsets always point at the original text, so snippets highlight the form the article
//! used. It does not decide which fields use which tokenizer: that is `index_schema/`.

use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

// The coin table, as compiled in: `build.rs` turns `index_schema/coins.toml` into
// `COIN_WORDS` and `COIN_AMBIGUOUS`.
include!(concat!(env!("OUT_DIR"), "/coins.rs"));

/// Token standard prefixes joined with the number that follows them.
const STANDARDS: &[&str] = &[
    "erc", "bep", "trc", "brc", "eip", "bip", "src", "drc", "arc",
];

/// Lookup tables built from the coin list.
#[derive(Debug, Default)]
pub struct CoinTable {
    /// lowercase name/alias/unambiguous ticker -> canonical id
    words: FxHashMap<&'static str, &'static str>,
    /// lowercase ambiguous ticker -> canonical id (only in capitals or as cashtag)
    ambiguous: FxHashMap<&'static str, &'static str>,
}

impl CoinTable {
    /// The compiled-in table (a later row for the same word wins).
    pub fn bundled() -> &'static CoinTable {
        static TABLE: OnceLock<CoinTable> = OnceLock::new();
        TABLE.get_or_init(|| CoinTable {
            words: COIN_WORDS.iter().copied().collect(),
            ambiguous: COIN_AMBIGUOUS.iter().copied().collect(),
        })
    }

    /// Every lowercase word (name, alias, ticker, ambiguous or not) whose canonical id
    /// satisfies `wanted`.
    fn words_for<'a>(
        &'a self,
        wanted: impl Fn(&str) -> bool + 'a,
    ) -> impl Iterator<Item = &'a str> {
        self.words
            .iter()
            .chain(&self.ambiguous)
            .filter(move |(_, id)| wanted(id))
            .map(|(w, _)| *w)
    }

    /// The canonical id for a word, given how it was written.
    fn lookup(&self, lower: &str, all_caps: bool, cashtag: bool) -> Option<&'static str> {
        if let Some(id) = self.words.get(lower) {
            return Some(id);
        }
        if all_caps || cashtag {
            return self.ambiguous.get(lower).copied();
        }
        None
    }
}

/// The coin-aware tokenizer behind the `news` analyzer.
#[derive(Clone)]
pub struct NewsTokenizer {
    coins: &'static CoinTable,
    stemmer: Arc<rust_stemmers::Stemmer>,
    /// Terms of recent plain words: word frequencies are Zipfian, so most lookups hit.
    cache: TermCache,
    /// When set, plain words that start with none of these prefixes are skipped, not
    /// stemmed or looked up (see [`for_each_token_near`]).
    only: Option<Vec<Vec<u8>>>,
    token: Token,
}

/// Entries kept in a tokenizer's term cache before it is cleared.
const TERM_CACHE_MAX: usize = 50_000;

/// Function words that are not indexed (Lucene's English stop set without `no` and
/// `not`, which carry meaning in news: "the SEC will not appeal"). They are 25–30% of
/// the words of an article; dropping them makes indexing faster and the index smaller.
/// Only lowercase or capitalized forms are stop words (`IT` the acronym is kept), and
/// each keeps its position, so phrases such as "proof of stake" still match exactly.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with",
];

/// Cache of plain-word terms: lowercase word (packed in a u128 when it has at most 16
/// letters) -> term.
#[derive(Default, Clone)]
struct TermCache {
    short: FxHashMap<u128, CachedTerm>,
}

impl TermCache {
    fn short_insert(&mut self, key: u128, term: CachedTerm) {
        if self.short.len() >= TERM_CACHE_MAX {
            self.short.clear();
        }
        self.short.insert(key, term);
    }
}

/// The term of a cached word. Short terms are kept inside the table entry: a lookup
/// then touches one cache line, where following a pointer to a shared string cost a
/// second cache miss per token (the table outgrows L2), about 5% of indexing time.
#[derive(Clone)]
enum CachedTerm {
    /// A stop word: not indexed.
    Stop,
    Inline {
        len: u8,
        bytes: [u8; INLINE_TERM],
    },
    Shared(Arc<str>),
}

/// Longest term stored inline (the entry is then 48 bytes with its 16-byte key).
const INLINE_TERM: usize = 22;

impl CachedTerm {
    fn new(term: Option<&str>) -> CachedTerm {
        match term {
            None => CachedTerm::Stop,
            Some(t) if t.len() <= INLINE_TERM => {
                let mut bytes = [0u8; INLINE_TERM];
                bytes[..t.len()].copy_from_slice(t.as_bytes());
                CachedTerm::Inline {
                    len: t.len() as u8,
                    bytes,
                }
            }
            Some(t) => CachedTerm::Shared(Arc::from(t)),
        }
    }

    /// The term text, `None` for a stop word.
    fn get(&self) -> Option<&str> {
        match self {
            CachedTerm::Stop => None,
            // the bytes were copied from a `str` whole, so they are valid UTF-8
            CachedTerm::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).ok(),
            CachedTerm::Shared(t) => Some(t),
        }
    }
}

/// A lowercase or capitalized ASCII word (`bitcoin`, `Bitcoin`): no digits, no inner
/// capitals. Its term is a function of its lowercase form alone.
fn is_plain_word(raw: &[u8]) -> bool {
    match raw.split_first() {
        Some((first, rest)) => {
            !rest.is_empty()
                && first.is_ascii_alphabetic()
                && rest.iter().all(|b| b.is_ascii_lowercase())
        }
        None => false,
    }
}

/// The cache key of the plain word `bytes[start..start + len]`: its lowercase letters
/// packed into a `u128`, little-endian, zero-padded; `None` past 16 letters. Where 16
/// bytes can be read from `start`, the key is one load and a mask: filling a byte array
/// one letter at a time and reading it back as a whole stalled on store forwarding
/// (about a tenth of the tokenizer's time in `perf annotate`).
fn word_key(bytes: &[u8], start: usize, len: usize) -> Option<u128> {
    if len > 16 {
        return None;
    }
    let mask = if len == 16 {
        u128::MAX
    } else {
        (1u128 << (len * 8)) - 1
    };
    const LOWER: u128 = u128::from_le_bytes([0x20; 16]);
    if let Some(chunk) = bytes.get(start..start + 16) {
        let mut word = [0u8; 16];
        word.copy_from_slice(chunk);
        return Some((u128::from_le_bytes(word) | LOWER) & mask);
    }
    let mut key = [0u8; 16];
    for (k, b) in key.iter_mut().zip(&bytes[start..start + len]) {
        *k = b | 0x20;
    }
    Some(u128::from_le_bytes(key))
}

impl Default for NewsTokenizer {
    fn default() -> Self {
        NewsTokenizer {
            coins: CoinTable::bundled(),
            stemmer: Arc::new(rust_stemmers::Stemmer::create(
                rust_stemmers::Algorithm::English,
            )),
            cache: TermCache::default(),
            only: None,
            token: Token::default(),
        }
    }
}

impl Tokenizer for NewsTokenizer {
    type TokenStream<'a> = NewsTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NewsTokenStream<'a> {
        self.token.reset();
        NewsTokenStream {
            text,
            pos: 0,
            coins: self.coins,
            stemmer: &self.stemmer,
            cache: &mut self.cache,
            only: self.only.as_deref(),
            token: &mut self.token,
            scratch: String::new(),
        }
    }
}

/// Token stream of [`NewsTokenizer`].
pub struct NewsTokenStream<'a> {
    text: &'a str,
    pos: usize,
    coins: &'static CoinTable,
    stemmer: &'a rust_stemmers::Stemmer,
    cache: &'a mut TermCache,
    only: Option<&'a [Vec<u8>]>,
    token: &'a mut Token,
    scratch: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

impl NewsTokenStream<'_> {
    /// Finds the next raw token; returns (start, end, cashtag) in bytes.
    fn next_span(&mut self) -> Option<(usize, usize, bool)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                // ASCII fast path: most news text never leaves it
                if b == b'$' {
                    // cashtag: `$` + letter
                    if let Some(n) = char_at(text, i + 1)
                        && n.is_alphabetic()
                    {
                        let end = self.word_end(i + 1);
                        self.pos = end;
                        return Some((i + 1, end, true));
                    }
                    i += 1;
                    continue;
                }
                if !b.is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
                // 0x addresses and hashes
                if b == b'0'
                    && bytes.get(i + 1) == Some(&b'x')
                    && bytes.get(i + 2).is_some_and(|b| b.is_ascii_hexdigit())
                {
                    let mut e = i + 2;
                    while e < bytes.len() && bytes[e].is_ascii_hexdigit() {
                        e += 1;
                    }
                    if !char_at(text, e).is_some_and(is_word_char) {
                        self.pos = e;
                        return Some((i, e, false));
                    }
                }
                let end = self.word_end(i);
                self.pos = end;
                return Some((i, end, false));
            }
            let c = char_at(text, i)?;
            if c == '₿' {
                self.pos = i + c.len_utf8();
                return Some((i, self.pos, false));
            }
            if is_word_char(c) {
                let end = self.word_end(i);
                self.pos = end;
                return Some((i, end, false));
            }
            i += c.len_utf8();
        }
        self.pos = text.len();
        None
    }

    /// End of a word starting at `start`: alphanumerics, with `.`/`,` inside numbers,
    /// dotted acronyms (`U.S.`) and a joined token standard (`ERC-20`).
    fn word_end(&self, start: usize) -> usize {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut e = start;
        while e < bytes.len() {
            let b = bytes[e];
            if b.is_ascii_alphanumeric() {
                e += 1;
                continue;
            }
            if b >= 0x80 {
                match char_at(text, e) {
                    Some(c) if is_word_char(c) => {
                        e += c.len_utf8();
                        continue;
                    }
                    _ => break,
                }
            }
            let c = b as char;
            if (c == '.' || c == ',')
                && e > start
                && bytes[e - 1].is_ascii_digit()
                && bytes.get(e + 1).is_some_and(|b| b.is_ascii_digit())
            {
                e += 1;
                continue;
            }
            // dotted acronym: single letters each followed by a dot: U.S. / U.K.
            if c == '.'
                && e - start == 1
                && bytes[start].is_ascii_uppercase()
                && bytes.get(e + 1).is_some_and(|b| b.is_ascii_uppercase())
                && bytes.get(e + 2) == Some(&b'.')
            {
                let mut k = e;
                while bytes.get(k) == Some(&b'.')
                    && bytes.get(k + 1).is_some_and(|b| b.is_ascii_uppercase())
                    && bytes.get(k + 2) == Some(&b'.')
                {
                    k += 2;
                }
                return k + 1;
            }
            if (c == '-' || c == ' ') && bytes.get(e + 1).is_some_and(|b| b.is_ascii_digit()) {
                let word = &text[start..e];
                if STANDARDS.iter().any(|s| word.eq_ignore_ascii_case(s)) {
                    let mut k = e + 1;
                    while bytes.get(k).is_some_and(|b| b.is_ascii_digit()) {
                        k += 1;
                    }
                    return k;
                }
            }
            break;
        }
        e
    }
}

impl NewsTokenStream<'_> {
    /// True when a filter is set and the plain word `raw` cannot produce a wanted term.
    /// The filter holds the first two letters of every wanted term and of every coin
    /// word that maps to one (see [`for_each_token_near`]): an English Snowball stem
    /// keeps the first two letters of its word (but for `dying` and two others, which
    /// the filter also covers), and a coin word becomes its id, so a word that starts
    /// with none of them cannot match. The check touches no table.
    fn skips(&self, raw: &[u8]) -> bool {
        self.only.is_some_and(|only| Self::filtered_out(only, raw))
    }

    /// True when the plain word `raw` starts with none of the filter's prefixes.
    fn filtered_out(only: &[Vec<u8>], raw: &[u8]) -> bool {
        let lower = |i: usize| raw.get(i).map(|b| b | 0x20);
        !only
            .iter()
            .any(|p| p.iter().enumerate().all(|(i, b)| lower(i) == Some(*b)))
    }

    /// The term of a plain word (see [`is_plain_word`]): `None` for a stop word, else
    /// its coin id or its stem.
    fn plain_term(&mut self, raw: &str) -> Option<Arc<str>> {
        self.scratch.clear();
        self.scratch.push_str(raw);
        self.scratch.make_ascii_lowercase();
        if STOP_WORDS.contains(&self.scratch.as_str()) {
            return None;
        }
        Some(match self.coins.lookup(&self.scratch, false, false) {
            Some(id) => Arc::from(id),
            None => Arc::from(&*self.stemmer.stem(&self.scratch)),
        })
    }

    /// With a filter set, moves past the plain words ahead that it rules out (see
    /// [`NewsTokenStream::skips`]), eight letters at a time, and stops before the first
    /// word that the general path must see: one the filter lets through, or anything but
    /// a plain word ending where [`NewsTokenStream::word_end`] would end it. Each skipped
    /// word takes its position, as on the general path. Snippets spent most of their
    /// time in that path's byte-by-byte scanning of words they then dropped.
    fn skip_filtered_words(&mut self) {
        let Some(only) = self.only else {
            return;
        };
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        loop {
            // the separators `next_span` skips: ASCII but for letters, digits and `$`
            while let Some(&b) = bytes.get(i) {
                if b >= 0x80 || b.is_ascii_alphanumeric() || b == b'$' {
                    break;
                }
                i += 1;
            }
            if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                break;
            }
            let end = lowercase_run_end(bytes, i + 1);
            let ends_here = match bytes.get(end) {
                None => true,
                Some(&b) if b >= 0x80 || b.is_ascii_alphanumeric() => false,
                // a joined standard (`erc-20`, `erc 20`)
                Some(b'-' | b' ') => !bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
                Some(_) => true,
            };
            // `skips` also rules out words under two letters (never plain)
            if !ends_here || end - i < 2 || !Self::filtered_out(only, &bytes[i..end]) {
                break;
            }
            self.token.position = self.token.position.wrapping_add(1);
            i = past_possessive(self.text, end);
        }
        self.pos = i;
    }
}

/// Where the next token may start after a word ending at `end`: past a possessive
/// `'s` or `’s` (’ is E2 80 99) that ends there, else `end`.
fn past_possessive(text: &str, end: usize) -> usize {
    let apos_len = match &text.as_bytes()[end..] {
        [b'\'', b's', ..] => 2,
        [0xe2, 0x80, 0x99, b's', ..] => 4,
        _ => return end,
    };
    if char_at(text, end + apos_len).is_some_and(is_word_char) {
        end
    } else {
        end + apos_len
    }
}

/// End of the run of ASCII lowercase letters from `i`, eight bytes at a time.
fn lowercase_run_end(bytes: &[u8], mut i: usize) -> usize {
    use crate::text::swar::{HIGH, LOW7, ONES, u64_at};
    while let Some(x) = u64_at(bytes, i) {
        let low = x & LOW7; // no carries between bytes below
        let at_least_a = (low + 0x1f * ONES) & HIGH; // byte >= 0x61
        let past_z = (low + 0x05 * ONES) & HIGH; // byte >= 0x7b
        let lower = at_least_a & !past_z & !x & HIGH;
        if lower != HIGH {
            return i + ((!lower & HIGH).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(u8::is_ascii_lowercase) {
        i += 1;
    }
    i
}

impl TokenStream for NewsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            self.skip_filtered_words();
            let Some((start, end, cashtag)) = self.next_span() else {
                return false;
            };
            let raw = &self.text[start..end];
            // `next_span` left `pos` at `end`
            self.pos = past_possessive(self.text, end);
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.token.position.wrapping_add(1);
            self.token.position_length = 1;
            if !cashtag && is_plain_word(raw.as_bytes()) {
                // Fast path for the common case, a lowercase or capitalized ASCII word:
                // its term depends only on its lowercase form, so it is cached. Words of
                // up to 16 letters are keyed by their bytes packed in a u128 (letters are
                // never 0, and `| 0x20` lowercases them).
                let rb = raw.as_bytes();
                if self.skips(rb) {
                    // cannot be a wanted term: not reported at all
                    continue;
                }
                let key = word_key(self.text.as_bytes(), start, rb.len());
                if let Some(k) = key
                    && let Some(hit) = self.cache.short.get(&k)
                {
                    match hit.get() {
                        Some(term) => {
                            self.token.text.clear();
                            self.token.text.push_str(term);
                            return true;
                        }
                        // a stop word: it keeps its position (phrases still line up)
                        // but is not indexed
                        None => continue,
                    }
                }
                let term = self.plain_term(raw);
                let stop = term.is_none();
                if let Some(t) = &term {
                    self.token.text.clear();
                    self.token.text.push_str(t);
                }
                if let Some(k) = key {
                    self.cache.short_insert(k, CachedTerm::new(term.as_deref()));
                }
                if stop {
                    continue;
                }
                return true;
            }
            self.scratch.clear();
            let mut has_lower = false;
            let mut has_upper = false;
            let mut has_digit = false;
            for c in raw.chars() {
                if c.is_alphanumeric() || c == '₿' {
                    has_lower |= c.is_lowercase();
                    has_upper |= c.is_uppercase();
                    has_digit |= c.is_numeric();
                    self.scratch.extend(c.to_lowercase());
                } else if c == '.' && !has_digit {
                    // acronym dots vanish; decimal points stay
                } else if c == ',' {
                    // thousands separators vanish
                } else if c == '.' {
                    self.scratch.push('.');
                }
            }
            if self.scratch.is_empty() {
                self.token.position = self.token.position.wrapping_sub(1);
                continue;
            }
            let all_caps = has_upper && !has_lower;
            self.token.text.clear();
            if let Some(id) =
                self.coins
                    .lookup(&self.scratch, all_caps && raw.chars().count() >= 2, cashtag)
            {
                self.token.text.push_str(id);
            } else if has_digit || self.scratch.starts_with("0x") || all_caps {
                // numbers, hashes and acronyms are never stemmed
                self.token.text.push_str(&self.scratch);
            } else if has_upper
                && raw.ends_with('s')
                && raw[..raw.len() - 1].chars().all(|c| c.is_uppercase())
                && raw.len() > 2
            {
                // ETFs, NFTs, DAOs
                self.token
                    .text
                    .push_str(&self.scratch[..self.scratch.len() - 1]);
            } else {
                self.token.text.push_str(&self.stemmer.stem(&self.scratch));
            }
            return true;
        }
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Registers the analyzers named in `index_schema/` on an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    manager.register(
        "news",
        TextAnalyzer::builder(NewsTokenizer::default()).build(),
    );
    manager.register(
        "keyword",
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

thread_local! {
    /// One analyzer per thread for query-time work (query terms, snippets), so its stem
    /// cache survives from one call to the next.
    static QUERY_TOKENIZER: std::cell::RefCell<NewsTokenizer> = std::cell::RefCell::new(NewsTokenizer::default());
}

/// Runs the `news` analyzer over `text`, calling `f(term, start, end)` for each token
/// (offsets are bytes of `text`).
pub fn for_each_token(text: &str, mut f: impl FnMut(&str, usize, usize)) {
    tokens(text, None, |t| f(&t.text, t.offset_from, t.offset_to));
}

/// The filter of [`for_each_token_near`] for tokens equal to or starting with one of
/// `wanted`: the first two letters of every wanted text and of every coin word whose id
/// starts with one (coin words become their id, which need not share their first
/// letters: `xbt`).
pub fn near_filter(wanted: &[&str]) -> Vec<Vec<u8>> {
    let first_two =
        |w: &str| -> Vec<u8> { w.bytes().take(2).map(|b| b.to_ascii_lowercase()).collect() };
    let mut only: Vec<Vec<u8>> = Vec::new();
    for w in wanted {
        let p = first_two(w);
        // Snowball's exceptions `dying`, `lying`, `tying` stem to `die`, `lie`, `tie`
        if let [c, b'i'] = p[..] {
            only.push(vec![c, b'y']);
        }
        only.push(p);
    }
    only.extend(
        CoinTable::bundled()
            .words_for(|id| wanted.iter().any(|w| id.starts_with(w)))
            .map(first_two),
    );
    only.sort();
    only.dedup();
    only
}

/// Like [`for_each_token`], for callers that only look for tokens equal to or starting
/// with one of the texts `filter` was made from ([`near_filter`]): plain ASCII words
/// that cannot become one of them are skipped without a stem or a table lookup (they
/// are not reported; other tokens still are). Snippets use it: tokenizing ten bodies
/// was two thirds of an in-process rare-word search, most of it on words that could
/// not match.
pub fn for_each_token_near(text: &str, filter: &[Vec<u8>], mut f: impl FnMut(&str, usize, usize)) {
    tokens(text, Some(filter.to_vec()), |t| {
        f(&t.text, t.offset_from, t.offset_to)
    });
}

/// Runs this thread's query-time analyzer over `text` with an optional filter (see
/// [`NewsTokenizer::only`]), calling `f` for each token.
fn tokens(text: &str, only: Option<Vec<Vec<u8>>>, mut f: impl FnMut(&Token)) {
    QUERY_TOKENIZER.with(|cell| {
        let mut tok = cell.borrow_mut();
        tok.only = only;
        {
            let mut stream = tok.token_stream(text);
            while stream.advance() {
                f(stream.token());
            }
        }
        tok.only = None;
    });
}

/// Runs the `news` analyzer over `text` and returns the terms (used by the query builder).
pub fn news_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t, _, _| out.push(t.to_string()));
    out
}

/// The terms of `text` with their positions relative to the first term: stop words
/// leave gaps (`proof of stake` -> `(0, proof), (2, stake)`), as in the index, so a
/// phrase query built from them matches the indexed text.
pub fn news_terms_at(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut first = None;
    tokens(text, None, |t| {
        let base = *first.get_or_insert(t.position);
        out.push((t.position.wrapping_sub(base), t.text.clone()));
    });
    out
}

#[cfg(test)]
mod tests {
    use super::news_terms;

    #[test]
    fn word_keys_are_the_same_near_the_end_of_the_text() {
        // the one-load key and the byte-by-byte key must agree, or the same word would
        // be cached twice (harmless) or two words share a key (wrong terms)
        let text = b"Bitcoin miners SEC Hashrate abcdefghijklmnop abcdefghijklmnopq x";
        let mut padded = text.to_vec();
        padded.extend_from_slice(&[b'Z'; 16]);
        let mut start = 0;
        for word in text.split(|b| *b == b' ') {
            let near_end = super::word_key(text, start, word.len());
            let far_from_end = super::word_key(&padded, start, word.len());
            assert_eq!(near_end, far_from_end, "{}", String::from_utf8_lossy(word));
            if word.len() <= 16 {
                let mut lower = [0u8; 16];
                for (k, b) in lower.iter_mut().zip(word) {
                    *k = b.to_ascii_lowercase();
                }
                assert_eq!(near_end, Some(u128::from_le_bytes(lower)));
            } else {
                assert_eq!(near_end, None);
            }
            start += word.len() + 1;
        }
    }

    #[test]
    fn news_analyzer_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Bitcoin BTC $BTC XBT ₿ bitcoin", &["bitcoin"; 6]),
            ("ETH ether Ethereum $eth", &["ethereum"; 4]),
            ("the LINK token", &["chainlink", "token"]),
            ("click the link", &["click", "link"]),
            ("$link rallies", &["chainlink", "ralli"]),
            ("ERC-20 ERC20 erc 20 erc-20", &["erc20"; 4]),
            ("U.S. regulators", &["us", "regul"]),
            ("spot ETFs", &["spot", "etf"]),
            ("The SEC and the ETF", &["sec", "etf"]),
            ("IT is not", &["it", "not"]),
            ("$1.25tn and 3.5%", &["1.25tn", "3.5"]),
            ("61,204.11 dollars", &["61204.11", "dollar"]),
            (
                "sent to 0x7a3f9c2b1d4e5f60718293a4b5c6d7e8f9012345 today",
                &[
                    "sent",
                    "0x7a3f9c2b1d4e5f60718293a4b5c6d7e8f9012345",
                    "today",
                ],
            ),
            ("Satoshi's paper", &["satoshi", "paper"]),
            ("Miners sold", &["miner", "sold"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(&news_terms(input), want, "input: {input:?}");
        }
    }

    #[test]
    fn stop_words_leave_position_gaps() {
        assert_eq!(
            super::news_terms_at("Proof of Stake and the ETF"),
            [
                (0, "proof".to_string()),
                (2, "stake".to_string()),
                (5, "etf".to_string())
            ]
        );
        assert_eq!(
            super::news_terms_at("the spot ETF"),
            [(0, "spot".to_string()), (1, "etf".to_string())]
        );
        assert!(super::news_terms_at("to be or not").len() == 1);
    }

    #[test]
    fn filtered_tokens_match_the_unfiltered_ones_where_wanted() {
        let text = "Miners' ETFs: Bitcoin miners sold ether and BTC; regulators ruled. \
                    Ripple's XRP, skies, dying, generously mined; xbt and Xbt traders";
        let mut all: Vec<(String, usize, usize)> = Vec::new();
        super::for_each_token(text, |t, a, b| all.push((t.to_string(), a, b)));
        for want in [
            "miner", "etf", "bitcoin", "ethereum", "regul", "xrp", "sky", "die", "generous", "mine",
        ] {
            assert!(all.iter().any(|(t, _, _)| t == want), "{want} occurs");
            assert_filtered_spans_match(text, &all, want);
        }
        // a prefix reaches coin words whose id it starts, not only words it starts
        let mut got = Vec::new();
        super::for_each_token_near(text, &super::near_filter(&["bitc"]), |t, a, _| {
            if t.starts_with("bitc") {
                got.push(&text[a..a + 3]);
            }
        });
        assert_eq!(got, ["Bit", "BTC", "xbt", "Xbt"]);
    }

    #[test]
    fn filtered_tokens_find_every_term_of_the_sample_corpus() {
        // every distinct term of a few real articles, looked for on its own
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_corpus/blockledger");
        let mut text = String::new();
        for year in ["2014", "2016", "2017"] {
            for e in std::fs::read_dir(format!("{dir}/{year}")).unwrap() {
                text.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
        text.push_str(" dying lying tying skies skis idly gently ugly early only singly ");
        let mut all: Vec<(String, usize, usize)> = Vec::new();
        super::for_each_token(&text, |t, a, b| all.push((t.to_string(), a, b)));
        let terms: std::collections::BTreeSet<&str> = all.iter().map(|t| t.0.as_str()).collect();
        assert!(terms.len() > 500, "{} terms", terms.len());
        for want in terms {
            assert_filtered_spans_match(&text, &all, want);
        }
    }

    /// The spans of `want` found through its filter are those of the unfiltered
    /// tokenization `all` of `text`.
    fn assert_filtered_spans_match(text: &str, all: &[(String, usize, usize)], want: &str) {
        let mut got = Vec::new();
        super::for_each_token_near(text, &super::near_filter(&[want]), |t, a, b| {
            if t == want {
                got.push((a, b));
            }
        });
        let expected: Vec<(usize, usize)> = all
            .iter()
            .filter(|(t, _, _)| t == want)
            .map(|(_, a, b)| (*a, *b))
            .collect();
        assert_eq!(got, expected, "term {want}");
    }

    #[test]
    fn offsets_point_at_original_text() {
        use tantivy::tokenizer::{TokenStream, Tokenizer};
        let text = "Buy $BTC now";
        let mut t = super::NewsTokenizer::default();
        let mut s = t.token_stream(text);
        let mut spans = Vec::new();
        while s.advance() {
            let tok = s.token();
            spans.push(&text[tok.offset_from..tok.offset_to]);
        }
        assert_eq!(spans, ["Buy", "BTC", "now"]);
    }
}
