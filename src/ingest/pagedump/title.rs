//! Titles and deks of page dumps: which header line is a title (not a body sentence),
//! a title printed twice (`TitleTitle`), a ` | Site` suffix, and where the title ends
//! and the dek begins in one-line and glued text. The shapes' parsers are in `mod.rs`.

use super::glue_points;

/// Words that stay lowercase inside a title-case headline.
const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "for", "in", "on", "at", "to", "by", "as",
    "vs", "vs.", "via", "with", "from", "into", "over", "per", "up", "off", "out", "is", "are",
    "its", "than", "after", "amid", "on", "be", "if", "so", "yet",
];

/// Words that often open the dek sentence.
const DEK_STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Its",
    "It",
    "In",
    "On",
    "After",
    "With",
    "Some",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Several",
    "Crypto",
    "Investors",
    "Traders",
    "Analysts",
    "Regulators",
    "Lawmakers",
    "Prices",
    "While",
    "As",
    "For",
];

/// The title a header line holds, or `None` when the line is no title: a sentence of
/// the body (a long line, or one ending in a period with many words). A title printed
/// twice in a row (`TitleTitle`) is kept once, and a ` | Site` suffix is dropped.
pub(crate) fn title_from_line(line: &str) -> Option<String> {
    let line = line.trim();
    let words = line.split_whitespace().count();
    if line.is_empty()
        || line.len() > 250
        || words > 30
        || (words > 14 && line.ends_with(['.', '!', '?']))
    {
        return None;
    }
    let line = undouble(line);
    Some(strip_site_suffix(line).to_string())
}

/// `TitleTitle` or `Title Title` → `Title`.
fn undouble(s: &str) -> &str {
    let n = s.len();
    for half in [n / 2, (n.saturating_sub(1)) / 2] {
        if half >= 10
            && s.is_char_boundary(half)
            && let Some(rest) = s.get(half..)
        {
            let rest = rest.trim_start();
            if rest == &s[..half] {
                return &s[..half];
            }
        }
    }
    s
}

/// The headline a header ends with when it is printed twice in a row (`Menu Items
/// TitleTitle`, `Menu Items Title Title`): the longest such run of at least three words
/// and 15 bytes, starting with a capital. `None` when the header ends otherwise.
pub(super) fn doubled_tail(head: &str) -> Option<&str> {
    let s = head.trim_end();
    let b = s.as_bytes();
    // candidate starts of the second copy: a capital after a space or glued to a letter
    // or digit (`CoinsBitcoin`)
    (1..s.len())
        .filter(|&i| s.is_char_boundary(i) && b[i].is_ascii_uppercase() && s.len() - i >= 15)
        .find_map(|i| {
            let x = &s[i..];
            let before = s[..i].strip_suffix(' ').unwrap_or(&s[..i]);
            let first = before.strip_suffix(x)?;
            let starts_word = first.is_empty() || first.ends_with(' ');
            (starts_word && x.split_whitespace().count() >= 3).then_some(x)
        })
}

/// The headline of a header whose parts are separated by bars (`Home News Markets |
/// Headline |`): the part with the most words (the later one of equal parts), when it
/// has three to thirty and the header has at least two parts.
pub(super) fn pipe_headline(head: &str) -> Option<&str> {
    let parts: Vec<&str> = head
        .split(" | ")
        .map(|p| p.trim().trim_end_matches('|').trim())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let words = |p: &str| p.split_whitespace().count();
    let best = parts.iter().copied().max_by_key(|p| words(p))?;
    (3..=30).contains(&words(best)).then_some(best)
}

/// Drops a ` | Site Name` or ` - Site Name` suffix (at most four words, after a title of
/// at least three).
pub(super) fn strip_site_suffix(s: &str) -> &str {
    for sep in [" | ", " – ", " — ", " - "] {
        if let Some(at) = s.rfind(sep) {
            let (head, tail) = (&s[..at], &s[at + sep.len()..]);
            let tail_words = tail.split_whitespace().count();
            let site_like = tail_words <= 4
                && tail.chars().next().is_some_and(|c| c.is_uppercase())
                && !tail.ends_with(['.', '?', '!']);
            if site_like && head.split_whitespace().count() >= 3 {
                return head.trim_end();
            }
        }
    }
    s
}

fn is_small(w: &str) -> bool {
    SMALL_WORDS.contains(&w.to_lowercase().as_str())
}

fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_ascii_digit() || c == '$' || c == '"' || c == '‘' || c == '“'
    })
}

/// Title/dek boundary in spaced text: the dek is the first sentence-case run.
pub(super) fn split_title_dek_spaced(head: &str) -> (String, Option<String>) {
    let words: Vec<&str> = head.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 4 {
        return (head.trim().to_string(), None);
    }
    let content_after_first: Vec<&str> = words[1..words.len().min(6)]
        .iter()
        .copied()
        .filter(|w| !is_small(w) && w.chars().any(char::is_lowercase))
        .collect();
    let caps = content_after_first.iter().filter(|w| is_cap(w)).count();
    let title_case = caps * 2 >= content_after_first.len().max(1);
    let mut boundary = None;
    if title_case {
        // first lowercase content word after the second word
        if let Some(j) = (2..words.len()).find(|&j| !is_cap(words[j]) && !is_small(words[j])) {
            let mut i = j - 1;
            if !is_cap(words[i]) {
                i = j;
            }
            while i > 1 && is_cap(words[i - 1]) && is_small(words[i - 1]) {
                i -= 1;
            }
            if i >= 1 && i < words.len() {
                boundary = Some(i);
            }
        }
    } else {
        let cands: Vec<usize> = (2..words.len().saturating_sub(1))
            .filter(|&i| {
                is_cap(words[i])
                    && !words[i].chars().all(|c| !c.is_lowercase())
                    && !is_cap(words[i - 1])
                    && !words[i - 1].ends_with([',', ':', ';'])
            })
            .collect();
        boundary = cands
            .iter()
            .copied()
            .find(|&i| DEK_STARTERS.contains(&words[i]))
            .or(cands.first().copied());
    }
    match boundary {
        Some(b) => (words[..b].join(" "), Some(words[b..].join(" "))),
        None => (head.trim().to_string(), None),
    }
}

/// Title/dek boundary in glued text: the first lowercase letter or punctuation running
/// straight into a capital that is not inside a known camel-case name.
pub(super) fn split_title_dek_glued(head: &str) -> (String, Option<String>) {
    match glue_points(head).first() {
        Some(&i) => (
            head[..i].trim().to_string(),
            Some(head[i..].trim().to_string()),
        ),
        None => (head.trim().to_string(), None),
    }
}
