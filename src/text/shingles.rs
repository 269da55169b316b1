//! Word shingles of a text: its words with their byte spans, and a hash of every run of
//! [`SHINGLE`] consecutive words. Site learning (the `sites` module) counts the shingles that
//! recur across a site's pages and cuts the runs they cover; this file knows nothing of
//! sites or pages.
//!
//! Words are split on whitespace only, so text glued without newlines (`Bitcoin$61,204
//! +1.02%Ethereum`) still gives the same words on every page of a template. A word is
//! hashed in a normalized form: its letters and digits lowercased (punctuation around
//! and inside it dropped), and any word holding a digit is one placeholder, so a ticker
//! whose prices change on every page still repeats. A token with no letter or digit
//! (`|`, `•`, `—`) is not a word.

use xxhash_rust::xxh3::xxh3_64;

/// Words per shingle. Six words are rarer in article prose than a menu or a disclaimer
/// is on a site's pages, and short enough that a five-item menu plus its neighbour
/// already forms one.
pub const SHINGLE: usize = 6;

/// The words of a text and the hashes of its shingles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shingled {
    /// Byte range of each word in the text.
    pub spans: Vec<(u32, u32)>,
    /// `hashes[i]` covers words `i .. i + SHINGLE` (empty below `SHINGLE` words).
    pub hashes: Vec<u64>,
}

impl Shingled {
    /// The distinct shingle hashes, sorted.
    pub fn distinct(&self) -> Vec<u64> {
        let mut v = self.hashes.clone();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Hash of one word in its normalized form; `None` for a token with no letter or digit.
fn word_hash(token: &str, buf: &mut String) -> Option<u64> {
    if token.is_ascii() && token.len() <= ASCII_WORD {
        return ascii_word_hash(token.as_bytes());
    }
    buf.clear();
    let mut digit = false;
    for c in token.chars() {
        if c.is_numeric() {
            digit = true;
        } else if c.is_alphanumeric() {
            buf.extend(c.to_lowercase());
        }
    }
    if digit {
        return Some(DIGIT_WORD);
    }
    (!buf.is_empty()).then(|| xxh3_64(buf.as_bytes()))
}

/// The one hash of every word holding a digit.
const DIGIT_WORD: u64 = 0x9e37_79b9_7f4a_7c15;

/// Longest ASCII token normalized on the stack.
const ASCII_WORD: usize = 64;

/// [`word_hash`] of an ASCII token, byte by byte: for ASCII, `is_numeric`,
/// `is_alphanumeric` and `to_lowercase` are their `ascii` versions, so the normalized
/// bytes and the hash are the same. Most words of a page are ASCII, and the per-char
/// Unicode tables were a tenth of site learning's time.
fn ascii_word_hash(token: &[u8]) -> Option<u64> {
    let mut out = [0u8; ASCII_WORD];
    let mut n = 0;
    for &b in token {
        if b.is_ascii_digit() {
            return Some(DIGIT_WORD);
        }
        if b.is_ascii_alphabetic() {
            out[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    (n > 0).then(|| xxh3_64(&out[..n]))
}

/// Whether the char starting at byte `i` of `text` is whitespace, and its length: ASCII
/// bytes are tested directly, others decoded.
fn space_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'), 1);
    }
    match text[i..].chars().next() {
        Some(c) => (c.is_whitespace(), c.len_utf8()),
        None => (false, 1),
    }
}

/// Splits `text` into words and hashes its shingles. Texts over 4 GB are not pages;
/// their words past 4 GB are not counted.
pub fn shingle(text: &str) -> Shingled {
    // about one word per six bytes of text: sized once, the buffers are not grown (a
    // grown buffer is copied, and freeing its big predecessors cost page-table work)
    let guess = text.len() / 6 + 8;
    let mut spans = Vec::with_capacity(guess);
    let mut words: Vec<u64> = Vec::with_capacity(guess);
    let mut buf = String::new();
    let limit = text.len().min(u32::MAX as usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < limit {
        let (space, len) = space_at(text, i);
        if space {
            i += len;
            continue;
        }
        // a word: its ASCII letters are lowercased on the stack as it is scanned, so
        // that most words are read once (the general path reads a word again)
        let s = i;
        let mut out = [0u8; ASCII_WORD];
        let mut n = 0;
        let (mut digit, mut simple) = (false, true);
        while i < limit {
            let b = bytes[i];
            if b < 0x80 {
                if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
                    break;
                }
                if b.is_ascii_digit() {
                    digit = true;
                } else if b.is_ascii_alphabetic() {
                    if n < ASCII_WORD {
                        out[n] = b.to_ascii_lowercase();
                        n += 1;
                    } else {
                        simple = false;
                    }
                }
                i += 1;
            } else {
                let (space, len) = space_at(text, i);
                if space {
                    break;
                }
                simple = false;
                i += len;
            }
        }
        let h = if !simple {
            word_hash(&text[s..i], &mut buf)
        } else if digit {
            Some(DIGIT_WORD)
        } else {
            (n > 0).then(|| xxh3_64(&out[..n]))
        };
        if let Some(h) = h {
            spans.push((s as u32, i as u32));
            words.push(h);
        }
    }
    // a shingle's hash is the xxh3 of its words' hashes as little-endian bytes
    let hashes = words
        .windows(SHINGLE)
        .map(|w| {
            let mut b = [0u8; SHINGLE * 8];
            for (o, h) in b.chunks_exact_mut(8).zip(w) {
                o.copy_from_slice(&h.to_le_bytes());
            }
            xxh3_64(&b)
        })
        .collect();
    Shingled { spans, hashes }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-char definition the fast paths must equal.
    fn reference(text: &str) -> Shingled {
        let mut words = Vec::new();
        let mut spans = Vec::new();
        let mut start = None;
        let mut push = |s: usize, e: usize| {
            let t = &text[s..e];
            let digit = t.chars().any(|c| c.is_numeric());
            let norm: String = t
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(|c| c.to_lowercase())
                .collect();
            let h = if digit {
                Some(DIGIT_WORD)
            } else {
                (!norm.is_empty()).then(|| xxh3_64(norm.as_bytes()))
            };
            if let Some(h) = h {
                spans.push((s as u32, e as u32));
                words.push(h);
            }
        };
        for (i, c) in text.char_indices() {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    push(s, i);
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            push(s, text.len());
        }
        let hashes = words
            .windows(SHINGLE)
            .map(|w| {
                let bytes: Vec<u8> = w.iter().flat_map(|h| h.to_le_bytes()).collect();
                xxh3_64(&bytes)
            })
            .collect();
        Shingled { spans, hashes }
    }

    #[test]
    fn the_byte_paths_equal_the_char_definition() {
        let long = format!(
            "{} {}é {}7 end",
            "x".repeat(70),
            "y".repeat(66),
            "z".repeat(80)
        );
        for text in [
            "Home | News  Markets\n\nBitcoin ETF flows rose again on Monday",
            "BTC$61,204.11+1.02%ETH$3,011.40 Sign In Sign Up Consensus 2025",
            "Über die Börse\u{a0}und Märkte: ÉTATS-UNIS — la SEC\u{2003}approuve l'ETF",
            "tabs\tand\x0bvertical\x0cfeeds\r\nand İstanbul ﬁnance Straße",
            "Bitcoin\u{a0}ETF\u{2009}flows café-au-lait naïve 3rd Q4 ... — | • l'ETF",
            long.as_str(),
            "",
            "   ",
        ] {
            assert_eq!(shingle(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn words_skip_punctuation_tokens_and_keep_spans() {
        let text = "Home | News  Markets\n\nBitcoin";
        let s = shingle(text);
        let words: Vec<&str> = s
            .spans
            .iter()
            .map(|&(a, b)| &text[a as usize..b as usize])
            .collect();
        assert_eq!(words, ["Home", "News", "Markets", "Bitcoin"]);
        assert!(s.hashes.is_empty(), "fewer words than a shingle");
    }

    #[test]
    fn changing_numbers_case_and_punctuation_give_the_same_shingles() {
        let a = shingle("BTC $61,204.11 +1.02% ETH $3,011.40 -0.44% Sign In");
        let b = shingle("btc $70,001.9 -3.5% ETH: $2,999 +0.1% sign in");
        assert_eq!(a.hashes, b.hashes);
        assert_eq!(a.hashes.len(), 8 - SHINGLE + 1);
        let c = shingle("BTC $61,204.11 +1.02% SOL $3,011.40 -0.44% Sign In");
        assert_ne!(
            a.hashes[0], c.hashes[0],
            "a different word is a different shingle"
        );
    }

    #[test]
    fn a_shingle_at_any_offset_is_found_in_glued_text() {
        let menu = "News Prices Markets Research Events Podcasts";
        let one = shingle(&format!("Latest {menu} Miners sold coins"));
        let two = shingle(&format!("{menu} Exchange halts withdrawals today"));
        let m = shingle(menu).hashes[0];
        assert!(one.hashes.contains(&m) && two.hashes.contains(&m));
        assert_eq!(one.distinct().len(), one.hashes.len());
    }
}
