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

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// The coin table, as compiled in.
pub const COINS_TOML: &str = include_str!("../index_schema/coins.toml");

/// Token standard prefixes joined with the number that follows them.
const STANDARDS: &[&str] = &[
    "erc", "bep", "trc", "brc", "eip", "bip", "src", "drc", "arc",
];

/// One row of `coins.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coin {
    pub id: String,
    pub name: String,
    pub tickers: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub ambiguous: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoinFile {
    coin: Vec<Coin>,
}

/// Lookup tables built from the coin list.
#[derive(Debug, Default)]
pub struct CoinTable {
    pub coins: Vec<Coin>,
    /// lowercase name/alias/unambiguous ticker -> canonical id
    words: HashMap<String, Arc<str>>,
    /// lowercase ambiguous ticker -> canonical id (only in capitals or as cashtag)
    ambiguous: HashMap<String, Arc<str>>,
}

impl CoinTable {
    /// The compiled-in table.
    pub fn bundled() -> &'static CoinTable {
        static TABLE: OnceLock<CoinTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let file: CoinFile =
                toml::from_str(COINS_TOML).expect("index_schema/coins.toml is valid");
            CoinTable::new(file.coin)
        })
    }

    /// Builds lookup maps from a coin list.
    pub fn new(coins: Vec<Coin>) -> CoinTable {
        let mut words = HashMap::new();
        let mut ambiguous = HashMap::new();
        for c in &coins {
            let id: Arc<str> = Arc::from(c.id.as_str());
            words.insert(c.id.to_lowercase(), id.clone());
            words.insert(c.name.to_lowercase(), id.clone());
            for a in &c.aliases {
                words.insert(a.to_lowercase(), id.clone());
            }
            for t in &c.tickers {
                let key = t.to_lowercase();
                if c.ambiguous {
                    ambiguous.insert(key, id.clone());
                } else {
                    words.insert(key, id.clone());
                }
            }
        }
        CoinTable {
            coins,
            words,
            ambiguous,
        }
    }

    /// The canonical id for a word, given how it was written.
    fn lookup(&self, lower: &str, all_caps: bool, cashtag: bool) -> Option<&Arc<str>> {
        if let Some(id) = self.words.get(lower) {
            return Some(id);
        }
        if all_caps || cashtag {
            return self.ambiguous.get(lower);
        }
        None
    }
}

/// The coin-aware tokenizer behind the `news` analyzer.
#[derive(Clone)]
pub struct NewsTokenizer {
    coins: &'static CoinTable,
    stemmer: Arc<rust_stemmers::Stemmer>,
    /// Stems of recent words: word frequencies are Zipfian, so most lookups hit.
    stems: HashMap<String, String>,
    token: Token,
}

/// Entries kept in a tokenizer's stem cache before it is cleared.
const STEM_CACHE_MAX: usize = 50_000;

impl Default for NewsTokenizer {
    fn default() -> Self {
        NewsTokenizer {
            coins: CoinTable::bundled(),
            stemmer: Arc::new(rust_stemmers::Stemmer::create(
                rust_stemmers::Algorithm::English,
            )),
            stems: HashMap::new(),
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
            stems: &mut self.stems,
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
    stems: &'a mut HashMap<String, String>,
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
        while i < text.len() {
            let c = char_at(text, i)?;
            if c == '₿' {
                self.pos = i + c.len_utf8();
                return Some((i, self.pos, false));
            }
            if c == '$' {
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
            if is_word_char(c) {
                // 0x addresses and hashes
                if c == '0'
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
        while let Some(c) = char_at(text, e) {
            if is_word_char(c) {
                e += c.len_utf8();
                continue;
            }
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

impl TokenStream for NewsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some((start, end, cashtag)) = self.next_span() else {
                return false;
            };
            let raw = &self.text[start..end];
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
            // possessive 's / ’s
            if let Some(rest) = self.text.get(end..) {
                for apos in ["'s", "’s"] {
                    if rest.starts_with(apos)
                        && !char_at(self.text, end + apos.len()).is_some_and(is_word_char)
                    {
                        self.pos = end + apos.len();
                    }
                }
            }
            if self.scratch.is_empty() {
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
                match self.stems.get(self.scratch.as_str()) {
                    Some(st) => self.token.text.push_str(st),
                    None => {
                        let stemmed = self.stemmer.stem(&self.scratch).into_owned();
                        self.token.text.push_str(&stemmed);
                        if self.stems.len() >= STEM_CACHE_MAX {
                            self.stems.clear();
                        }
                        self.stems.insert(self.scratch.clone(), stemmed);
                    }
                }
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.token.position.wrapping_add(1);
            self.token.position_length = 1;
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
    QUERY_TOKENIZER.with(|cell| {
        let mut tok = cell.borrow_mut();
        let mut stream = tok.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            f(&t.text, t.offset_from, t.offset_to);
        }
    });
}

/// Runs the `news` analyzer over `text` and returns the terms (used by the query builder).
pub fn news_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t, _, _| out.push(t.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::news_terms;

    #[test]
    fn news_analyzer_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Bitcoin BTC $BTC XBT ₿ bitcoin", &["bitcoin"; 6]),
            ("ETH ether Ethereum $eth", &["ethereum"; 4]),
            ("the LINK token", &["the", "chainlink", "token"]),
            ("click the link", &["click", "the", "link"]),
            ("$link rallies", &["chainlink", "ralli"]),
            ("ERC-20 ERC20 erc 20 erc-20", &["erc20"; 4]),
            ("U.S. regulators", &["us", "regul"]),
            ("spot ETFs", &["spot", "etf"]),
            ("$1.25tn and 3.5%", &["1.25tn", "and", "3.5"]),
            ("61,204.11 dollars", &["61204.11", "dollar"]),
            (
                "sent to 0x7a3f9c2b1d4e5f60718293a4b5c6d7e8f9012345 today",
                &[
                    "sent",
                    "to",
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
