//! The coin-aware `news` tokenizer: finds raw tokens (words, cashtags, numbers, 0x
//! hashes, dotted acronyms, token standards), maps coins to their id and stems the
//! rest, with offsets into the original text. A word whose lowercase form differs from
//! its term is also indexed in that exact form, marked with [`EXACT`], at the same
//! position; stop words are indexed only in their exact form.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::coins::{CoinTable, STANDARDS};
use super::term_cache::{CachedTerm, TermCache, is_plain_word, word_key};

/// The coin-aware tokenizer behind the `news` analyzer.
#[derive(Clone)]
pub struct NewsTokenizer {
    pub(super) coins: &'static CoinTable,
    pub(super) stemmer: Arc<rust_stemmers::Stemmer>,
    /// Terms of recent plain words: word frequencies are Zipfian, so most lookups hit.
    pub(super) cache: TermCache,
    /// When set, plain words that start with none of these prefixes are skipped, not
    /// stemmed or looked up (see [`for_each_token_near`]).
    pub(super) only: Option<Vec<Vec<u8>>>,
    pub(super) token: Token,
}

/// The first byte of an exact-form term (`=moves` beside the stem `move`). No other
/// term starts with it: the tokenizer's terms are letters, digits and `.`.
pub const EXACT: char = '=';

/// All-caps words of at most this many letters are acronyms (`SEC`, `ETF`, `CBDC`):
/// kept unstemmed. Longer ones (`WEBSITE` in a shouted headline) are stemmed like any
/// word, so that `website` finds them.
const ACRONYM_MAX: usize = 4;

/// Function words indexed only in their exact form (Lucene's English stop set without
/// `no` and `not`, which carry meaning in news: "the SEC will not appeal"): never stemmed
/// or matched by a stem, but matched as written in quoted phrases ("the merge") and by a
/// query made of them alone. Only lowercase or capitalized forms are stop words (`IT` the
/// acronym is an ordinary term), and each keeps its position.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with",
];

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
            exact: String::new(),
            pending: false,
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
    /// The exact-form term to emit next, at the current position, when `pending`.
    exact: String,
    pending: bool,
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
    /// its coin id or its stem, and whether its exact form differs from it.
    fn plain_term(&mut self, raw: &str) -> Option<(Arc<str>, bool)> {
        self.scratch.clear();
        self.scratch.push_str(raw);
        self.scratch.make_ascii_lowercase();
        if STOP_WORDS.contains(&self.scratch.as_str()) {
            return None;
        }
        Some(match self.coins.lookup(&self.scratch, false, false) {
            // a coin's id is its exact form, whichever alias was written
            Some(id) => (Arc::from(id), false),
            None => {
                let stem = self.stemmer.stem(&self.scratch);
                let differs = *stem != *self.scratch;
                (Arc::from(&*stem), differs)
            }
        })
    }

    /// Makes the exact form of the word `raw` (lowercased) the next token, at the
    /// current position.
    fn queue_exact(&mut self, raw: &str) {
        self.exact.clear();
        self.exact.push(EXACT);
        self.exact.push_str(raw);
        self.exact[1..].make_ascii_lowercase();
        self.pending = true;
    }

    /// Emits the exact form of a stop word `raw` as the current token.
    fn stop_token(&mut self, raw: &str) {
        self.token.text.clear();
        self.token.text.push(EXACT);
        self.token.text.push_str(raw);
        self.token.text.make_ascii_lowercase();
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
        if self.pending {
            // the exact form of the last word, at its position and offsets
            self.pending = false;
            std::mem::swap(&mut self.token.text, &mut self.exact);
            return true;
        }
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
                    if let Some((term, exact)) = hit.get() {
                        self.token.text.clear();
                        self.token.text.push_str(term);
                        if exact {
                            self.queue_exact(raw);
                        }
                        return true;
                    }
                    // a stop word: it keeps its position (phrases still line up) and
                    // is indexed only in its exact form
                    self.stop_token(raw);
                    return true;
                }
                let term = self.plain_term(raw);
                if let Some(k) = key {
                    self.cache
                        .short_insert(k, CachedTerm::new(term.as_ref().map(|(t, e)| (&**t, *e))));
                }
                let Some((t, exact)) = term else {
                    self.stop_token(raw);
                    return true;
                };
                self.token.text.clear();
                self.token.text.push_str(&t);
                if exact {
                    self.queue_exact(raw);
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
            let acronym = all_caps && self.scratch.chars().count() <= ACRONYM_MAX;
            self.token.text.clear();
            if let Some(id) =
                self.coins
                    .lookup(&self.scratch, all_caps && raw.chars().count() >= 2, cashtag)
            {
                self.token.text.push_str(id);
                return true;
            } else if has_digit || self.scratch.starts_with("0x") {
                // numbers and hashes are never stemmed
                self.token.text.push_str(&self.scratch);
                return true;
            } else if acronym {
                // acronyms are not stemmed (`IRS` is not `ir`); the exact form is added
                // when the stem differs, so that a lowercase `fees` still finds `FEES`
                self.token.text.push_str(&self.scratch);
                if *self.stemmer.stem(&self.scratch) == *self.scratch {
                    return true;
                }
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
                let stem = self.stemmer.stem(&self.scratch);
                self.token.text.push_str(&stem);
                if *stem == *self.scratch {
                    return true;
                }
            }
            self.exact.clear();
            self.exact.push(EXACT);
            self.exact.push_str(&self.scratch);
            self.pending = true;
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
