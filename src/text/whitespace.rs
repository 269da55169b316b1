//! Whitespace and entity rules for inline text: every run of whitespace (Unicode
//! `White_Space`) becomes one space, none at either end, and [`clean_inline`] also
//! decodes HTML entities. The parsers use them on titles, lines and paragraphs, the
//! normalizer on every field. Paragraph structure (blank lines between paragraphs) is
//! not kept here: callers split into paragraphs first (see `normalize::clean_body`).

/// Decodes entities and collapses all whitespace to single spaces.
pub fn clean_inline(s: &str) -> String {
    let decoded = html_escape::decode_html_entities(s);
    collapse_ws(&decoded)
}

/// Appends `s` to `out` with every run of whitespace (Unicode `White_Space`) collapsed
/// to one space and none at either end; the same words as `str::split_whitespace`
/// joined by spaces, without the intermediate vector. Text is copied in chunks: a
/// chunk runs on over ASCII word bytes and single spaces between them, so ordinary
/// prose is one copy per line rather than one per word.
pub fn push_collapsed(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let n = b.len();
    // (is whitespace, byte length) of the char at i
    let at = |i: usize| -> (bool, usize) {
        let c = b[i];
        if c < 0x80 {
            (matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'), 1)
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            (ch.is_whitespace(), ch.len_utf8())
        }
    };
    let word_byte = |c: u8| c > b' ' && c < 0x80;
    let mut first = true;
    let mut i = 0;
    loop {
        // skip a whitespace run
        while i < n {
            let (white, len) = at(i);
            if !white {
                break;
            }
            i += len;
        }
        if i == n {
            return;
        }
        let start = i;
        loop {
            i = skip_prose(b, i);
            while i < n && word_byte(b[i]) {
                i += 1;
            }
            if i == n {
                break;
            }
            if b[i] == b' ' && i + 1 < n && word_byte(b[i + 1]) {
                i += 2;
                continue;
            }
            let (white, len) = at(i);
            if white {
                break;
            }
            i += len;
        }
        if !first {
            out.push(' ');
        }
        out.push_str(&s[start..i]);
        first = false;
    }
}

/// Skips ahead of `i` eight bytes at a time over ASCII prose that [`push_collapsed`]
/// copies as it is: printable bytes with single spaces between words. Stops at the first
/// group of eight that holds anything else (a control byte, non-ASCII, two spaces, or a
/// space at the end of the group not followed by a word byte); the byte loop takes over
/// from there.
fn skip_prose(b: &[u8], mut i: usize) -> usize {
    use super::swar::{HIGH, LOW7, ONES, u64_at};
    // the ninth byte is needed when the eighth is a space
    while let (Some(x), Some(&next)) = (u64_at(b, i), b.get(i + 8)) {
        // every byte in 0x20..=0x7f: no high bit, and no borrow out of `byte - 0x20`
        if (x | x.wrapping_sub(0x20 * ONES)) & HIGH != 0 {
            break;
        }
        // 0x80 in exactly the bytes that are spaces
        let y = x ^ (0x20 * ONES);
        let spaces = !(((y & LOW7).wrapping_add(LOW7)) | y | LOW7);
        // a space followed by a space, or a space first in the group (after a space or
        // at the start of a word run it is not a single space between words)
        if spaces & (spaces >> 8) != 0 || spaces & 0x80 != 0 {
            break;
        }
        if b[i + 7] == b' ' && !(next > b' ' && next < 0x80) {
            break;
        }
        i += 8;
    }
    i
}

/// `s` with whitespace runs collapsed to single spaces and trimmed (see [`push_collapsed`]).
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    out
}

/// `s` trimmed, or `None` when nothing is left.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}
