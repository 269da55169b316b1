//! Compact fingerprints of an article for the dedup registry: a b-bit MinHash of the
//! body's word shingles (near-identical text, and similar text for stories), its LSH
//! band keys (candidate lookup), and a headline key (similar title within 48 hours).
//!
//! This module only computes and compares fingerprints; which documents merge or form
//! a story is the writer's decision (`indexer/writer.rs`), and where the fingerprints
//! are kept is the manifest's and the registry's.
//!
//! The signature is [`SIG_LEN`] one-byte MinHash values: for each of 32 hash functions,
//! one byte of the smallest hash over the body's 5-word shingles. Two bodies agree
//! in one value with probability `J + (1 - J) / 256`, where `J` is the Jaccard
//! similarity of their shingle sets, so the share of agreeing bytes estimates `J`
//! ([`estimate`]). 32 bytes cannot tell 0.89 from 0.91 (the estimate's standard error
//! at 0.9 is about 0.05), so [`near_identical`] also requires the bodies' lengths to be
//! within 10% of each other (a Jaccard of 0.9 implies it), and the writer merges on it
//! only under the same headline within 48 hours; see `docs/STORIES.md`.

use xxhash_rust::xxh3::xxh3_64;

/// Bytes of a signature (one per hash function).
pub const SIG_LEN: usize = 32;
/// Words per shingle.
const SHINGLE: usize = 5;
/// Bodies shorter than this (in bytes) get no hash and no signature: too short to
/// tell an article.
pub const MIN_BODY: usize = 200;
/// Bodies shorter than this (about 50 words) are compared only for identical text:
/// a short body (a teaser, a caption) shares most of its shingles with any other
/// short text of its site.
pub const NEAR_MIN_BODY: usize = 300;
/// LSH bands: [`BANDS`] keys of [`BAND_ROWS`] signature bytes each (the first 12
/// bytes; all 32 are compared once a band matches). Two bodies share at least one band
/// key with probability `1 - (1 - J^4)^3`: 0.99 at `J = 0.95`, 0.96 at 0.9, 0.66 at
/// 0.74 (a partner's copy with its own intro and without the last paragraph), 0.18 at
/// 0.5. Four bytes agree by chance with probability 2^-32, so unrelated bodies are
/// rarely compared. Each band costs the registry 16 bytes a document: a fourth band
/// (0.99 at 0.9, 0.76 at 0.74) would take the manifest and registry past 300 bytes a
/// document.
pub const BANDS: usize = 3;
const BAND_ROWS: usize = 4;

/// Agreeing bytes (of 32) for a merge: an estimated Jaccard of at least 0.9.
pub const MERGE_MIN_AGREE: u32 = 29;
/// Agreeing bytes (of 32) for two bodies to be versions of one story: an estimated
/// Jaccard of at least 0.5 (measured on the devset exports: see `docs/STORIES.md`).
pub const STORY_MIN_AGREE: u32 = 17;

/// A body's MinHash signature; all zeros means "none" (too short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Sig(pub [u8; SIG_LEN]);

/// Multipliers of the 32 hash functions: odd 64-bit constants (from a SplitMix64
/// sequence), so each function is a bijection of the shingle hash.
const MULS: [u64; SIG_LEN] = {
    let mut out = [0u64; SIG_LEN];
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut i = 0;
    while i < SIG_LEN {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out[i] = z | 1;
        i += 1;
    }
    out
};

/// The words of a body as the shingles see them: runs of letters and digits,
/// lowercased. Punctuation, case and whitespace differences do not count as edits.
fn words(body: &str) -> Vec<String> {
    body.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The hash of each word of a body, lowercased (as [`words`] cuts them), without an
/// allocation per word: ASCII bytes are classified directly (for them
/// `is_alphanumeric` and `to_lowercase` are the `ascii` versions), other chars
/// decoded, and most words, being ASCII, are lowercased on the stack.
fn word_hashes(body: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(body.len() / 6);
    let bytes = body.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        // skip to the next letter or digit
        let b = bytes[i];
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
        } else {
            match body[i..].chars().next() {
                Some(c) if c.is_alphanumeric() => {}
                Some(c) => {
                    i += c.len_utf8();
                    continue;
                }
                None => break,
            }
        }
        // a word: ASCII letters are lowercased on the stack as it is scanned; a word
        // with another char, or longer than the buffer, is lowercased whole
        let s = i;
        let mut buf = [0u8; 64];
        let mut len = 0;
        let mut simple = true;
        while i < n {
            let b = bytes[i];
            if b < 0x80 {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                if len < buf.len() {
                    buf[len] = b.to_ascii_lowercase();
                    len += 1;
                } else {
                    simple = false;
                }
                i += 1;
            } else {
                match body[i..].chars().next() {
                    Some(c) if c.is_alphanumeric() => {
                        simple = false;
                        i += c.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        out.push(if simple {
            xxh3_64(&buf[..len])
        } else {
            xxh3_64(body[s..i].to_lowercase().as_bytes())
        });
    }
    out
}

/// The MinHash minimums of a body's shingle hashes: for each of the 32 functions, the
/// smallest `h * MULS[i]` mixed once more. The same arithmetic runs with AVX-512
/// (eight 64-bit lanes per multiply) where the CPU has it, else in plain x86-64; both
/// give the same minimums.
fn minimums(shingles: &[u64]) -> [u64; SIG_LEN] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the CPU has the features the function is compiled for
        return unsafe { minimums_avx512(shingles) };
    }
    minimums_portable(shingles)
}

#[inline(always)]
fn minimums_portable(shingles: &[u64]) -> [u64; SIG_LEN] {
    let mut mins = [u64::MAX; SIG_LEN];
    for &h in shingles {
        for (m, mul) in mins.iter_mut().zip(MULS) {
            // a multiply-xorshift permutation per function; the high bits mix best
            let v = h.wrapping_mul(mul);
            let v = v ^ (v >> 29);
            *m = (*m).min(v);
        }
    }
    mins
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn minimums_avx512(shingles: &[u64]) -> [u64; SIG_LEN] {
    minimums_portable(shingles)
}

/// The hash of a shingle from its words' hashes, in order.
fn shingle_hash(words: &[u64]) -> u64 {
    let mut h: u64 = 0x51_7C_C1_B7_27_22_0A_95;
    for &w in words {
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    // a SplitMix64 finalizer
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

impl Sig {
    /// The signature of a body, or `None` when it has no word. A body of fewer than
    /// five words is one shingle.
    pub fn of(body: &str) -> Option<Sig> {
        let w = word_hashes(body);
        if w.is_empty() {
            return None;
        }
        let shingles: Vec<u64> = w.windows(SHINGLE.min(w.len())).map(shingle_hash).collect();
        let mins = minimums(&shingles);
        let mut out = [0u8; SIG_LEN];
        for (o, m) in out.iter_mut().zip(mins) {
            // the minimum's high bits are mostly zero; a byte of it mixed again is a
            // fair function of which shingle was the minimum
            *o = (m.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8;
        }
        // an all-zero signature means "none"; one real chance in 2^256
        Some(Sig(out))
    }

    pub fn is_none(&self) -> bool {
        self.0 == [0; SIG_LEN]
    }

    /// How many of the 32 values two signatures share.
    pub fn agree(&self, other: &Sig) -> u32 {
        self.0
            .iter()
            .zip(other.0)
            .filter(|(a, b)| **a == *b)
            .count() as u32
    }

    /// The LSH band keys: each band's bytes with its number, hashed.
    pub fn bands(&self) -> [u64; BANDS] {
        let mut out = [0u64; BANDS];
        for (i, o) in out.iter_mut().enumerate() {
            let mut b = [0u8; BAND_ROWS + 1];
            b[0] = i as u8;
            b[1..].copy_from_slice(&self.0[i * BAND_ROWS..(i + 1) * BAND_ROWS]);
            // 0 marks an absent key in the registry's tables
            *o = xxh3_64(&b).max(1);
        }
        out
    }

    /// Lowercase hex, for the manifest.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(s: &str) -> Option<Sig> {
        if s.len() != SIG_LEN * 2 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; SIG_LEN];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(Sig(out))
    }
}

/// The estimated Jaccard similarity of two bodies whose signatures share `agree` of
/// 32 values: the share of agreeing values, less the chance that two unrelated values
/// agree in one byte (1/256).
pub fn estimate(agree: u32) -> f64 {
    let p = f64::from(agree) / SIG_LEN as f64;
    let c = 1.0 / 256.0;
    ((p - c) / (1.0 - c)).clamp(0.0, 1.0)
}

/// Whether two bodies are the same text: at least [`MERGE_MIN_AGREE`] values agree and
/// their lengths (in bytes) are within 10% of each other.
pub fn near_identical(agree: u32, len_a: u64, len_b: u64) -> bool {
    let (lo, hi) = (len_a.min(len_b), len_a.max(len_b));
    agree >= MERGE_MIN_AGREE && lo * 10 >= hi * 9
}

/// Words a headline key ignores: wire-service prefixes (`UPDATE 2-`, `RPT-`,
/// `GRAPHIC-`, `EXCLUSIVE-`) and English function words, so that a re-filed or
/// re-cased headline keys the same.
const TITLE_IGNORED: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "in",
    "is",
    "it",
    "its",
    "of",
    "on",
    "or",
    "s",
    "the",
    "to",
    "with",
    "update",
    "rpt",
    "graphic",
    "exclusive",
    "corrected",
    "refile",
];

/// Headlines with fewer distinct content words than this get no key: a two-word
/// headline ("Bitcoin rebounds") is shared by unrelated articles.
pub const TITLE_MIN_WORDS: usize = 4;

/// The headline key: the set of its content words (lowercased, wire prefixes, update
/// numbers and function words left out), hashed in sorted order. Two headlines key the
/// same when they use the same words in any order, case or punctuation.
pub fn title_key(title: &str) -> Option<u64> {
    let mut w: Vec<String> = words(title)
        .into_iter()
        .filter(|w| !TITLE_IGNORED.contains(&w.as_str()))
        .collect();
    // "UPDATE 1-": a lone digit after a wire prefix is the update's number
    w.retain(|x| !(x.len() == 1 && x.as_bytes()[0].is_ascii_digit()));
    w.sort_unstable();
    w.dedup();
    if w.len() < TITLE_MIN_WORDS {
        return None;
    }
    Some(xxh3_64(w.join(" ").as_bytes()).max(1))
}

/// The registry key of a headline on one UTC day (days since 1970-01-01).
pub fn title_day_key(title: u64, day: i64) -> u64 {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&title.to_le_bytes());
    b[8..].copy_from_slice(&day.to_le_bytes());
    xxh3_64(&b).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic text of `n` distinct words (w0 … w{n-1}) with `salt` in every
    /// word, so that two salts share no shingle.
    fn text(n: usize, salt: &str) -> Vec<String> {
        (0..n).map(|i| format!("{salt}{i}")).collect()
    }

    /// The Jaccard similarity of two texts' shingle sets, computed exactly.
    fn jaccard(a: &str, b: &str) -> f64 {
        use std::collections::HashSet;
        let s = |t: &str| -> HashSet<Vec<String>> {
            words(t).windows(SHINGLE).map(|w| w.to_vec()).collect()
        };
        let (x, y) = (s(a), s(b));
        x.intersection(&y).count() as f64 / x.union(&y).count() as f64
    }

    /// `base` with every `step`-th word replaced: each replacement removes up to five
    /// shingles and adds as many.
    fn edited(base: &[String], step: usize) -> String {
        base.iter()
            .enumerate()
            .map(|(i, w)| {
                if i % step == step / 2 {
                    format!("x{i}")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn estimate_and_merge_rule_at_the_boundary() {
        // (agreeing bytes of 32, estimate rounded to two places, merges at equal lengths)
        let table = [
            (32, 1.00, true),
            (30, 0.94, true),
            (29, 0.91, true),
            (28, 0.87, false),
            (17, 0.53, false),
            (16, 0.50, false),
            (0, 0.00, false),
        ];
        for (agree, est, merges) in table {
            assert!(
                (estimate(agree) - est).abs() < 0.006,
                "{agree}: {}",
                estimate(agree)
            );
            assert_eq!(near_identical(agree, 1000, 1000), merges, "{agree}");
        }
        // lengths: 0.9 of the longer is the limit
        assert!(near_identical(32, 900, 1000));
        assert!(!near_identical(32, 899, 1000));
        assert!(estimate(STORY_MIN_AGREE) >= 0.5 && estimate(STORY_MIN_AGREE - 1) < 0.5);
        assert!(estimate(MERGE_MIN_AGREE) >= 0.9 && estimate(MERGE_MIN_AGREE - 1) < 0.9);
    }

    /// Texts a known Jaccard apart: the estimate is within its standard error, and the
    /// merge and story rules fall on the expected side well away from the boundary.
    #[test]
    fn signatures_track_true_jaccard() {
        let base = text(600, "w");
        let a = base.join(" ");
        // (replace every nth word, expected merge, expected story); a replaced word
        // every n words leaves J = (n - 5) / (n + 5)
        let table = [
            (1000, true, true), // one word changed: J = 0.98
            (300, true, true),  // J = 0.97
            (40, false, true),  // J = 0.78: a revised version, not the same text
            (20, false, true),  // J = 0.60
            (9, false, false),  // J = 0.29
            (4, false, false),  // J = 0
        ];
        for (step, merges, story) in table {
            let b = edited(&base, step);
            let j = jaccard(&a, &b);
            let (sa, sb) = (Sig::of(&a).unwrap(), Sig::of(&b).unwrap());
            let agree = sa.agree(&sb);
            assert!(
                (estimate(agree) - j).abs() < 0.2,
                "step {step}: true {j:.2}, estimated {:.2}",
                estimate(agree)
            );
            let len = |s: &str| s.len() as u64;
            assert_eq!(
                near_identical(agree, len(&a), len(&b)),
                merges,
                "step {step}, J {j:.2}"
            );
            assert_eq!(
                agree >= STORY_MIN_AGREE,
                story,
                "step {step}, J {j:.2}, agree {agree}"
            );
        }
        // unrelated texts share nothing, identical texts everything
        let other = text(600, "v").join(" ");
        assert!(Sig::of(&a).unwrap().agree(&Sig::of(&other).unwrap()) < STORY_MIN_AGREE);
        assert_eq!(Sig::of(&a).unwrap().agree(&Sig::of(&a).unwrap()), 32);
    }

    /// The fast paths equal their definitions: the byte-wise word split equals
    /// [`words`] hashed, and the AVX-512 minimums equal the portable ones.
    #[test]
    fn fast_paths_equal_their_definitions() {
        let texts = [
            "Bitcoin's price—$61,204 (+1.02%)—rose; ÉTÉ Über straße ΣΊΣΥΦΟΣ 比特币 x",
            "  leading and trailing  ",
            "tab\tseparated\nlines\u{a0}nbsp\u{2003}em",
            "ĲSSELMEER İstanbul ǅemal",
            "",
            "–",
            "café3 naïveté ABCé x\u{301}y end",
        ];
        let long = format!("{} {}É {}", "Q".repeat(70), "r".repeat(63), "s".repeat(64));
        for t in texts.iter().copied().chain([long.as_str()]) {
            let want: Vec<u64> = words(t).iter().map(|w| xxh3_64(w.as_bytes())).collect();
            assert_eq!(word_hashes(t), want, "{t:?}");
        }
        let hashes: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        assert_eq!(minimums(&hashes), minimums_portable(&hashes));
        assert_eq!(minimums(&[]), [u64::MAX; SIG_LEN]);
    }

    #[test]
    fn case_punctuation_and_spacing_are_not_edits() {
        let a = text(80, "w").join(" ");
        let b = text(80, "W").join(",\n  ");
        assert_eq!(Sig::of(&a), Sig::of(&b));
        assert_eq!(Sig::of(&a).unwrap().bands(), Sig::of(&b).unwrap().bands());
    }

    #[test]
    fn a_body_without_words_has_no_signature() {
        assert!(Sig::of(" -- ").is_none());
        assert!(Sig::of("one two").is_some());
        assert_ne!(Sig::of("one two"), Sig::of("one three"));
    }

    #[test]
    fn hex_roundtrip() {
        let s = Sig::of(&text(90, "w").join(" ")).unwrap();
        assert_eq!(Sig::from_hex(&s.hex()), Some(s));
        assert_eq!(Sig::from_hex("zz"), None);
    }

    #[test]
    fn title_keys() {
        let k = |t: &str| title_key(t);
        // (a, b, same key)
        let table = [
            (
                "China tightens curbs on bitcoin trade",
                "UPDATE 1-China tightens curbs on bitcoin trade",
                true,
            ),
            (
                "Beware Bitcoin - U.S. brokerage regulator",
                "Beware Bitcoin: U.S. brokerage regulator",
                true,
            ),
            (
                "Exchange files for bankruptcy protection",
                "exchange FILES for Bankruptcy protection!",
                true,
            ),
            (
                "SEC extends decision on Cardano ETF",
                "SEC delays decision on Cardano ETF",
                false,
            ),
        ];
        for (a, b, same) in table {
            assert!(k(a).is_some() && k(b).is_some(), "{a} / {b}");
            assert_eq!(k(a) == k(b), same, "{a} / {b}");
        }
        // too generic to key
        assert_eq!(k("Bitcoin rebounds"), None);
        assert_eq!(k("Why is it up?"), None);
        assert_ne!(title_day_key(1, 10), title_day_key(1, 11));
    }
}
