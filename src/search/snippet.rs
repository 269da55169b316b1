//! Highlighted snippets: up to N fragments of the body cut at sentence or word
//! boundaries around the densest matches, with every matched form highlighted.
//!
//! Matching runs the same `news` analyzer over the stored text, so synonyms (`BTC` for
//! `bitcoin`), stems (`ETFs` for `etf`) and cashtags are highlighted in the form the
//! article used. When the body has no match, the dek is tried, then the lead paragraph
//! is shown without highlights. Highlight ranges are in characters (Unicode scalar
//! values) of the returned snippet.

use std::collections::HashSet;

/// Which analyzed tokens count as matches.
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    pub terms: HashSet<String>,
    pub prefixes: Vec<String>,
    pub fuzzy: Vec<(String, u8)>,
    /// The tokenizer filter for `terms` and `prefixes`, made on first use (the
    /// highlighter does not change once the query is compiled).
    near: std::sync::OnceLock<Vec<Vec<u8>>>,
}

/// A snippet with highlight ranges in characters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The snippet of a listing with no query to highlight (related articles, a
    /// story's versions): the article's dek, else the first 200 characters of its body.
    pub fn lead(article: &crate::model::Article) -> Snippet {
        let text = if article.dek.is_empty() {
            article.body.chars().take(200).collect()
        } else {
            article.dek.clone()
        };
        Snippet {
            text,
            highlights: vec![],
        }
    }
}

impl Highlighter {
    /// True when nothing can match.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.prefixes.is_empty() && self.fuzzy.is_empty()
    }

    fn matches(&self, token: &str) -> bool {
        if token.is_empty() {
            // a word the filtered tokenizer skipped (see `spans`)
            return false;
        }
        // a query has a handful of terms: a scan beats hashing every token of a body
        self.terms.iter().any(|t| t == token)
            || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || self
                .fuzzy
                .iter()
                .any(|(t, d)| levenshtein_within(t, token, *d as usize))
    }

    /// Byte spans of matching tokens in `text`.
    pub fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut push = |t: &str, from, to| {
            if self.matches(t) {
                out.push((from, to));
            }
        };
        if self.fuzzy.is_empty() {
            // exact terms and prefixes: words that cannot become them are skipped
            let filter = self.near.get_or_init(|| {
                let wanted: Vec<&str> = self
                    .terms
                    .iter()
                    .chain(&self.prefixes)
                    .map(String::as_str)
                    .collect();
                crate::analysis::near_filter(&wanted)
            });
            crate::analysis::for_each_token_near(text, filter, &mut push);
        } else {
            crate::analysis::for_each_token(text, &mut push);
        }
        out
    }
}

fn levenshtein_within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        if cur.iter().min().copied().unwrap_or(0) > max {
            return false;
        }
        prev = cur;
    }
    prev[b.len()] <= max
}

/// Builds a snippet of up to `fragments` pieces of about `frag_len` bytes each.
pub fn make(h: &Highlighter, body: &str, dek: &str, fragments: usize, frag_len: usize) -> Snippet {
    let fragments = fragments.max(1);
    for text in [body, dek] {
        let spans = h.spans(text);
        if !spans.is_empty() {
            return from_spans(text, &spans, fragments, frag_len);
        }
    }
    let lead = if dek.is_empty() {
        body.split("\n\n").next().unwrap_or("")
    } else {
        dek
    };
    let end = word_boundary_before(lead, frag_len.min(lead.len()));
    let mut text = lead[..end].trim().to_string();
    if end < lead.len() {
        text.push('…');
    }
    Snippet {
        text,
        highlights: Vec::new(),
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn word_boundary_before(s: &str, i: usize) -> usize {
    let i = floor_char(s, i);
    if i >= s.len() {
        return s.len();
    }
    s[..i]
        .rfind(char::is_whitespace)
        .filter(|&k| k > i / 2)
        .unwrap_or(i)
}

/// Start of the fragment that shows a match at `pos`: the sentence start if close,
/// else a word boundary.
fn fragment_start(text: &str, pos: usize, frag_len: usize) -> usize {
    let lookback = floor_char(text, pos.saturating_sub(frag_len / 2));
    let window = &text[lookback..pos];
    if let Some(k) = window.rfind(['.', '!', '?', '\n']) {
        let s = lookback + k + 1;
        return s + (text[s..].len() - text[s..].trim_start().len());
    }
    if lookback == 0 {
        return 0;
    }
    match window.find(char::is_whitespace) {
        Some(k) => lookback + k + 1,
        None => lookback,
    }
}

fn from_spans(text: &str, spans: &[(usize, usize)], fragments: usize, frag_len: usize) -> Snippet {
    // candidate windows, one per match start
    let mut windows: Vec<(usize, usize, usize)> = Vec::new(); // (score, start, end)
    for &(s, _) in spans {
        let start = fragment_start(text, s, frag_len);
        let raw_end = floor_char(text, start + frag_len);
        let end = if raw_end >= text.len() {
            text.len()
        } else {
            // prefer a sentence end inside the window, else a word boundary
            let w = &text[start..raw_end];
            match w.rfind(['.', '!', '?']) {
                Some(k) if start + k + 1 > s && k > frag_len / 2 => start + k + 1,
                _ => word_boundary_before(text, raw_end).max(s + 1),
            }
        };
        let inside: HashSet<&str> = spans
            .iter()
            .filter(|(a, b)| *a >= start && *b <= end)
            .map(|(a, b)| &text[*a..*b])
            .collect();
        let count = spans
            .iter()
            .filter(|(a, b)| *a >= start && *b <= end)
            .count();
        windows.push((inside.len() * 10 + count, start, end));
    }
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    windows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, s, e) in windows {
        if chosen.len() >= fragments {
            break;
        }
        if chosen.iter().any(|(cs, ce)| s < *ce && e > *cs) {
            continue;
        }
        chosen.push((s, e));
    }
    chosen.sort();
    let mut out = String::new();
    let mut highlights = Vec::new();
    for (i, (s, e)) in chosen.iter().enumerate() {
        if i > 0 {
            out.push_str(" … ");
        } else if *s > 0 {
            out.push('…');
        }
        let frag = text[*s..*e].replace('\n', " ");
        let base_chars = out.chars().count();
        for &(a, b) in spans.iter().filter(|(a, b)| *a >= *s && *b <= *e) {
            let from = base_chars + text[*s..a].chars().count();
            let to = from + text[a..b].chars().count();
            highlights.push((from, to));
        }
        out.push_str(&frag);
        if i + 1 == chosen.len() && *e < text.len() {
            out.push('…');
        }
    }
    Snippet {
        text: out,
        highlights,
    }
}

/// Renders a snippet with highlight markers around each range.
pub fn render(s: &Snippet, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(s.text.len() + s.highlights.len() * 8);
    let mut hl = s.highlights.iter().peekable();
    for (i, c) in s.text.chars().enumerate() {
        if let Some(&&(a, _)) = hl.peek()
            && a == i
        {
            out.push_str(open);
        }
        out.push(c);
        if let Some(&&(_, b)) = hl.peek()
            && b == i + 1
        {
            out.push_str(close);
            hl.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(terms: &[&str]) -> Highlighter {
        Highlighter {
            terms: terms.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn highlights_every_form_used() {
        let body = "Bitcoin fell. Traders sold BTC and $BTC while spot ETFs saw outflows.";
        let s = make(&h(&["bitcoin", "etf"]), body, "", 1, 200);
        assert_eq!(
            render(&s, "[", "]"),
            "[Bitcoin] fell. Traders sold [BTC] and $[BTC] while spot [ETFs] saw outflows."
        );
    }

    #[test]
    fn falls_back_to_dek_then_lead() {
        let s = make(
            &h(&["miner"]),
            "Nothing here.",
            "Miners sold coins.",
            1,
            100,
        );
        assert_eq!(render(&s, "[", "]"), "[Miners] sold coins.");
        let s = make(
            &h(&["zzz"]),
            "First paragraph is the lead.\n\nSecond.",
            "",
            1,
            100,
        );
        assert_eq!(s.text, "First paragraph is the lead.");
        assert!(s.highlights.is_empty());
    }

    #[test]
    fn several_fragments_cut_at_boundaries() {
        let filler = "Lorem ipsum dolor sit amet consectetur. ".repeat(10);
        let body = format!("Ether rallied today. {filler}Later the ether price slipped again.");
        let s = make(&h(&["ethereum"]), &body, "", 2, 60);
        assert!(s.text.contains(" … "), "{}", s.text);
        assert_eq!(s.highlights.len(), 2);
        assert!(s.text.starts_with("Ether rallied today."), "{}", s.text);
        let chars: Vec<char> = s.text.chars().collect();
        for (a, b) in &s.highlights {
            let w: String = chars[*a..*b].iter().collect();
            assert_eq!(w.to_lowercase(), "ether");
        }
    }

    #[test]
    fn fuzzy_and_prefix() {
        assert!(levenshtein_within("bitcon", "bitcoin", 1));
        assert!(!levenshtein_within("bitcon", "bitcoins", 1));
        let hl = Highlighter {
            prefixes: vec!["0x7a3f".into()],
            ..Default::default()
        };
        assert_eq!(hl.spans("to 0x7a3fbeef now").len(), 1);
    }
}
