//! The tokenizer's cache of plain-word terms: word frequencies are Zipfian, so most
//! lookups of a word's stem hit. Owns the cache key (a word of up to 16 letters packed
//! in a `u128`) and the term's compact form.

use std::sync::Arc;

use rustc_hash::FxHashMap;

/// Entries kept in a tokenizer's term cache before it is cleared.
const TERM_CACHE_MAX: usize = 50_000;

/// Cache of plain-word terms: lowercase word (packed in a u128 when it has at most 16
/// letters) -> term.
#[derive(Default, Clone)]
pub(super) struct TermCache {
    pub(super) short: FxHashMap<u128, CachedTerm>,
}

impl TermCache {
    pub(super) fn short_insert(&mut self, key: u128, term: CachedTerm) {
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
pub(super) enum CachedTerm {
    /// A stop word: indexed only as its exact form (see `tokenizer::EXACT`).
    Stop,
    /// `exact`: the word's lowercase form differs from its term, so it is also indexed
    /// as an exact form at the same position.
    Inline {
        len: u8,
        exact: bool,
        bytes: [u8; INLINE_TERM],
    },
    Shared(Arc<str>, bool),
}

/// Longest term stored inline (the entry is then 48 bytes with its 16-byte key).
const INLINE_TERM: usize = 22;

impl CachedTerm {
    pub(super) fn new(term: Option<(&str, bool)>) -> CachedTerm {
        match term {
            None => CachedTerm::Stop,
            Some((t, exact)) if t.len() <= INLINE_TERM => {
                let mut bytes = [0u8; INLINE_TERM];
                bytes[..t.len()].copy_from_slice(t.as_bytes());
                CachedTerm::Inline {
                    len: t.len() as u8,
                    exact,
                    bytes,
                }
            }
            Some((t, exact)) => CachedTerm::Shared(Arc::from(t), exact),
        }
    }

    /// The term text and whether the exact form is indexed too; `None` for a stop word.
    pub(super) fn get(&self) -> Option<(&str, bool)> {
        match self {
            CachedTerm::Stop => None,
            // the bytes were copied from a `str` whole, so they are valid UTF-8
            CachedTerm::Inline { len, exact, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize])
                    .ok()
                    .map(|t| (t, *exact))
            }
            CachedTerm::Shared(t, exact) => Some((t, *exact)),
        }
    }
}

/// A lowercase or capitalized ASCII word (`bitcoin`, `Bitcoin`): no digits, no inner
/// capitals. Its term is a function of its lowercase form alone.
pub(super) fn is_plain_word(raw: &[u8]) -> bool {
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
pub(super) fn word_key(bytes: &[u8], start: usize, len: usize) -> Option<u128> {
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
