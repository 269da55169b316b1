//! The nesting cap applied before html5ever parses a page: start and end tags nested
//! deeper than [`MAX_NESTING`] are dropped (their text stays), found with a rough scan
//! that understands comments, raw-text elements and optional end tags.
//!
//! It does not build or walk the DOM (see `html::text`, `html::meta`).

/// Deepest tag nesting handed to html5ever. Its tree builder scans the stack of open
/// elements on every start tag, so 100,000 nested tags would take minutes; deeper tags
/// are dropped before parsing (their text stays). Real pages nest a few dozen levels.
const MAX_NESTING: usize = 256;

/// Elements whose end tag may be left out (they never grow the stack without bound)
/// and void elements.
const NEUTRAL_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body", "area", "base", "br",
    "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "keygen", "image",
];

/// Elements whose content is raw text, skipped whole by the nesting scan.
const RAW_TEXT_TAGS: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

/// Finds the `>` that ends a tag starting at `from`, skipping quoted attribute values.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut quote = 0u8;
    for (k, &c) in b.iter().enumerate().skip(from) {
        match (quote, c) {
            (0, b'"' | b'\'') => quote = c,
            (0, b'>') => return k,
            (q, c) if q != 0 && c == q => quote = 0,
            _ => {}
        }
    }
    b.len()
}

/// Position of the next `</name` (any case) at or after `from`, or the end.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(off) = memchr::memmem::find(&b[i..], b"</") {
        let at = i + off;
        let cand = &b[at + 2..];
        if cand.len() >= name.len() && cand[..name.len()].eq_ignore_ascii_case(name) {
            return at;
        }
        i = at + 2;
    }
    b.len()
}

/// Drops start and end tags nested deeper than [`MAX_NESTING`], with a rough scan
/// (comments, raw-text elements and optional end tags understood). Borrowed when the
/// page is within the limit, which is every real page.
pub(super) fn cap_nesting(html: &str) -> std::borrow::Cow<'_, str> {
    let b = html.as_bytes();
    // (start, end) byte ranges of tags to drop
    let mut drop: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = match memchr::memmem::find(&b[lt + 4..], b"-->") {
                Some(k) => lt + 4 + k + 3,
                None => b.len(),
            };
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            if matches!(rest.first(), Some(b'!' | b'?')) {
                // an unclosed `<?`/`<!` runs to the end of the text
                i = (tag_end(b, lt) + 1).min(b.len());
            } else {
                i = lt + 1;
            }
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let end = tag_end(b, name_start + name_len);
        let next = (end + 1).min(b.len());
        let counted =
            !NEUTRAL_TAGS.contains(&name.as_str()) && !RAW_TEXT_TAGS.contains(&name.as_str());
        if closing {
            // past the limit every tag goes, neutral ones too
            if depth > MAX_NESTING {
                drop.push((lt, next));
            }
            if counted {
                depth = depth.saturating_sub(1);
            }
            i = next;
            continue;
        }
        let self_closing = end > 0 && end < b.len() && b[end - 1] == b'/';
        if RAW_TEXT_TAGS.contains(&name.as_str()) {
            i = find_end_tag(b, next, name.as_bytes());
            continue;
        }
        if counted && !self_closing {
            depth += 1;
        }
        if depth > MAX_NESTING {
            drop.push((lt, next));
        }
        i = next;
    }
    if drop.is_empty() {
        return html.into();
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (s, e) in drop {
        out.push_str(&html[last..s]);
        last = e;
    }
    out.push_str(&html[last..]);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_cap_table() {
        let deep = format!("{}x{}", "<div>".repeat(300), "</div>".repeat(300));
        let capped = cap_nesting(&deep);
        assert_eq!(capped.matches("<div>").count(), MAX_NESTING);
        assert_eq!(capped.matches("</div>").count(), MAX_NESTING);
        // real pages pass through untouched, raw text and comments are skipped
        let page = "<p>a<p>b<br><img src=x><script>if (a<b) {}</script><!-- <div> --><div class='a>b'>c</div>";
        assert!(matches!(cap_nesting(page), std::borrow::Cow::Borrowed(_)));
        let many_p = "<p>x".repeat(10_000);
        assert!(matches!(
            cap_nesting(&many_p),
            std::borrow::Cow::Borrowed(_)
        ));
        // unclosed processing instructions and declarations at the end: the scan stops at
        // the end of the text
        for tail in ["<?", "<? a", "<!", "<!DOCTYPE", "<", "</", "<!--"] {
            assert!(matches!(cap_nesting(tail), std::borrow::Cow::Borrowed(_)));
        }
    }
}
