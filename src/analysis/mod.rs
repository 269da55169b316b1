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

mod coins;
mod term_cache;
mod tokenizer;

use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

use coins::CoinTable;
#[cfg(test)]
use term_cache::word_key;
pub use tokenizer::{EXACT, NewsTokenStream, NewsTokenizer, STOP_WORDS};

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
    // an exact form (`=the`) is found through its word
    let first_two = |w: &str| -> Vec<u8> {
        w.trim_start_matches(EXACT)
            .bytes()
            .take(2)
            .map(|b| b.to_ascii_lowercase())
            .collect()
    };
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
/// are not reported; other tokens still are). Snippets use it: tokenizing ten whole
/// bodies costs about two thirds of an in-process rare-word search, most of it on
/// words that cannot match.
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

/// Runs the `news` analyzer over `text` and returns the terms, without exact forms
/// and stop words (used by the query builder).
pub fn news_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t, _, _| {
        if !t.starts_with(EXACT) {
            out.push(t.to_string())
        }
    });
    out
}

/// The terms of `text` with their positions relative to the first term, without exact
/// forms and stop words: stop words leave gaps (`proof of stake` -> `(0, proof), (2,
/// stake)`), as in the index, so a phrase query built from them matches the indexed
/// text.
pub fn news_terms_at(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = news_forms_at(text)
        .into_iter()
        .filter_map(|f| Some((f.pos, f.term?)))
        .collect();
    if let Some(base) = out.first().map(|t| t.0) {
        for t in &mut out {
            t.0 -= base;
        }
    }
    out
}

/// Whether the English Snowball stem of the lowercase word `word` is `stem`.
pub fn stems_to(word: &str, stem: &str) -> bool {
    QUERY_TOKENIZER.with(|cell| *cell.borrow().stemmer.stem(word) == *stem)
}

/// A query's dotted acronyms typed in lowercase or without the last dot (`u.s`, `n.y.`,
/// `U.S`) written as articles write them (`U.S.`), so that they analyze to the one
/// acronym term (`us`) instead of single letters. Only whole whitespace-separated words
/// of single letters joined by dots qualify.
fn dotted_acronyms_as_written(text: &str) -> std::borrow::Cow<'_, str> {
    fn dotted(w: &str) -> bool {
        let b = w.as_bytes();
        let core = b.strip_suffix(b".").unwrap_or(b);
        core.len() >= 3
            && core.iter().enumerate().all(|(i, c)| {
                if i % 2 == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    *c == b'.'
                }
            })
            && core.len() % 2 == 1
    }
    if !text.split_whitespace().any(dotted) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 2);
    let mut rest = text;
    while !rest.is_empty() {
        let ws = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..ws]);
        rest = &rest[ws..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let w = &rest[..end];
        if dotted(w) {
            out.push_str(&w.trim_end_matches('.').to_ascii_uppercase());
            out.push('.');
        } else {
            out.push_str(w);
        }
        rest = &rest[end..];
    }
    std::borrow::Cow::Owned(out)
}

/// One word of a query as the index holds it (see [`news_forms_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Position relative to the first word (stop words count).
    pub pos: usize,
    /// The term: stem, coin id, acronym, number; `None` for a stop word.
    pub term: Option<String>,
    /// The exact-form term (`=moves`) when the word is indexed in one (its lowercase
    /// form differs from its term, or it is a stop word); `None` when the term is
    /// itself the exact form (`spot`, `bitcoin` for `BTC`).
    pub exact: Option<String>,
}

/// The words of `text` with their terms and exact forms, stop words included (with
/// only an exact form), positions relative to the first word.
pub fn news_forms_at(text: &str) -> Vec<Form> {
    let text = &*dotted_acronyms_as_written(text);
    let mut out: Vec<Form> = Vec::new();
    let mut first = None;
    let mut last = None;
    QUERY_TOKENIZER.with(|cell| {
        let mut tok = cell.borrow_mut();
        tok.only = None;
        let mut stream = tok.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            let base = *first.get_or_insert(t.position);
            let pos = t.position.wrapping_sub(base);
            let is_exact = t.text.starts_with(EXACT);
            if last == Some(t.position)
                && let Some(f) = out.last_mut()
            {
                if is_exact {
                    f.exact = Some(t.text.clone());
                }
                continue;
            }
            last = Some(t.position);
            out.push(if is_exact {
                Form {
                    pos,
                    term: None,
                    exact: Some(t.text.clone()),
                }
            } else {
                Form {
                    pos,
                    term: Some(t.text.clone()),
                    exact: None,
                }
            });
        }
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
    fn dotted_acronyms_in_queries_are_one_term() {
        for q in ["u.s", "U.S", "u.s.", "U.S."] {
            let t: Vec<_> = super::news_forms_at(q)
                .into_iter()
                .filter_map(|f| f.term)
                .collect();
            assert_eq!(t, ["us"], "query {q:?}");
        }
        let t: Vec<_> = super::news_forms_at("n.y regulators")
            .into_iter()
            .filter_map(|f| f.term)
            .collect();
        assert_eq!(t, ["ny", "regul"]);
        // not single letters joined by dots: left alone
        assert_eq!(
            super::dotted_acronyms_as_written("3.5 e.on x."),
            "3.5 e.on x."
        );
    }

    #[test]
    fn exact_forms_beside_their_terms() {
        use super::{Form, news_forms_at};
        let f = |pos, term: &str, exact: Option<&str>| Form {
            pos,
            term: Some(term.to_string()),
            exact: exact.map(str::to_string),
        };
        let cases: &[(&str, Form)] = &[
            ("Moves", f(0, "move", Some("=moves"))),
            ("moves", f(0, "move", Some("=moves"))),
            ("move", f(0, "move", None)),
            // coins: the id is the exact form, whatever the alias
            ("BTC", f(0, "bitcoin", None)),
            ("$btc", f(0, "bitcoin", None)),
            ("Bitcoin", f(0, "bitcoin", None)),
            // acronyms stay unstemmed, with the exact form when a stem would differ
            ("SEC", f(0, "sec", None)),
            ("ETF", f(0, "etf", None)),
            ("IRS", f(0, "irs", Some("=irs"))),
            ("FEES", f(0, "fees", Some("=fees"))),
            ("ETFs", f(0, "etf", Some("=etfs"))),
            // a shouted word of five letters or more is a word: `website` finds it
            ("WEBSITE", f(0, "websit", Some("=website"))),
            ("website", f(0, "websit", Some("=website"))),
            ("61,204.11", f(0, "61204.11", None)),
        ];
        for (input, want) in cases {
            assert_eq!(
                news_forms_at(input),
                std::slice::from_ref(want),
                "input: {input:?}"
            );
        }
        // the exact form shares the position and offsets of its term
        let mut toks = Vec::new();
        super::for_each_token("Miners moved", |t, a, b| toks.push((t.to_string(), a, b)));
        assert_eq!(
            toks,
            [
                ("miner".to_string(), 0, 6),
                ("=miners".to_string(), 0, 6),
                ("move".to_string(), 7, 12),
                ("=moved".to_string(), 7, 12)
            ]
        );
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
