//! The coin table: every name, ticker and alias of `index_schema/coins.toml` mapped to
//! the coin's canonical id, compiled in by `build.rs`, and the token-standard prefixes
//! (`ERC`, `BEP`, …) joined with their number.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

// The coin table, as compiled in: `build.rs` turns `index_schema/coins.toml` into
// `COIN_WORDS` and `COIN_AMBIGUOUS`.
include!(concat!(env!("OUT_DIR"), "/coins.rs"));

/// Token standard prefixes joined with the number that follows them.
pub(super) const STANDARDS: &[&str] = &[
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
    pub(super) fn words_for<'a>(
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
    pub(super) fn lookup(
        &self,
        lower: &str,
        all_caps: bool,
        cashtag: bool,
    ) -> Option<&'static str> {
        if let Some(id) = self.words.get(lower) {
            return Some(id);
        }
        if all_caps || cashtag {
            return self.ambiguous.get(lower).copied();
        }
        None
    }
}
