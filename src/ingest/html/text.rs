//! DOM → paragraphs: the element holding the article's own text ([`content_root`]),
//! chrome dropped by tag name, ARIA role, `hidden` and class/id words, one paragraph per
//! block element, then the boilerplate rules on paragraphs ([`clean_paragraphs`], also
//! used on Markdown and record bodies). Text of HTML fragments (a feed item, a JSON
//! body) comes from [`fragment_text`].
//!
//! It does not read metadata (see `html::meta`) or decide the article's fields (see
//! `html::parse`); the boilerplate patterns themselves are in `text::boilerplate`.

use ego_tree::NodeId;
use rustc_hash::FxHashSet;
use scraper::{ElementRef, Html, Node};

use super::nesting::cap_nesting;
use crate::ingest::header::{Line, date_re, is_byline, is_dateline};
use crate::text::boilerplate::{is_chrome_line, is_teaser_header, strip_inline};
use crate::text::clean_inline;
use crate::text::collapse_ws as collapse;

/// Elements dropped with everything inside them.
const DROP_TAGS: &[&str] = &[
    "head",
    "nav",
    "header",
    "footer",
    "aside",
    "script",
    "style",
    "noscript",
    "form",
    "iframe",
    "svg",
    "math",
    "button",
    "template",
    "select",
    "textarea",
    "input",
    "label",
    "canvas",
    "object",
    "embed",
    "audio",
    "video",
    "picture",
    "img",
    "figcaption",
    "dialog",
    "menu",
    "link",
    "meta",
];

/// Elements that start and end a paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "figure",
    "hr",
    "address",
    "details",
    "summary",
    "center",
    "body",
    "html",
];

/// Inline elements: only the strongest class words drop them (a `<span class="ticker">`
/// inside a sentence is text).
const INLINE_TAGS: &[&str] = &[
    "a", "span", "b", "strong", "em", "i", "u", "abbr", "code", "small", "sup", "sub", "time",
    "mark", "cite", "q", "s", "del", "ins", "kbd", "var", "font",
];

/// Class/id words that mark chrome on any element.
const CHROME_WORDS: &[&str] = &[
    "share",
    "social",
    "newsletter",
    "subscribe",
    // Substack's and Ghost's sign-up boxes inside the post
    "subscription-widget",
    "subscription-form",
    "signup",
    "sign-up",
    "cookie",
    "consent",
    "gdpr",
    "advert",
    "sponsor",
    "promo",
    "sr-only",
    "visually-hidden",
    "screen-reader",
];

/// Class/id words that mark chrome on block elements only.
const BLOCK_CHROME_WORDS: &[&str] = &[
    "related",
    "recommended",
    "more-for-you",
    "moreforyou",
    "comments",
    "comment-",
    "disqus",
    "sidebar",
    "breadcrumb",
    "byline",
    "ticker",
    "popup",
    "modal",
    "paywall",
    "outbrain",
    "taboola",
    "tag-list",
    "article-tags",
    "post-tags",
    "author-bio",
    "most-read",
    "most-popular",
    "trending",
    "read-next",
    "up-next",
    "toolbar",
];

/// ARIA roles of chrome.
const CHROME_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
];

/// True when a string holds HTML markup (a known tag or a closing tag).
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let j = i + off + 1;
        let rest = &s[j..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = rest.starts_with('/');
        let known = matches!(
            name.as_str(),
            "p" | "div"
                | "br"
                | "a"
                | "span"
                | "strong"
                | "em"
                | "b"
                | "i"
                | "u"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "ul"
                | "ol"
                | "li"
                | "img"
                | "blockquote"
                | "figure"
                | "figcaption"
                | "table"
                | "tr"
                | "td"
                | "section"
                | "article"
                | "html"
                | "body"
                | "script"
                | "style"
                | "iframe"
                | "pre"
                | "code"
                | "hr"
                | "sup"
                | "sub"
                | "small"
        );
        if known || (closing && !name.is_empty()) {
            let after = &rest[rest.starts_with('/') as usize + name.len()..];
            if after.starts_with(['>', ' ', '/', '\n', '\t', '\r']) {
                return true;
            }
        }
        i = j;
        if i >= b.len() {
            break;
        }
    }
    false
}

/// True when the class/id words of an element mark it as chrome.
fn chrome_by_name(el: &scraper::node::Element, inline: bool) -> bool {
    let mut tokens: Vec<String> = el
        .classes()
        .map(|c| c.to_ascii_lowercase().replace('_', "-"))
        .collect();
    if let Some(id) = el.id() {
        tokens.push(id.to_ascii_lowercase().replace('_', "-"));
    }
    tokens.iter().any(|t| {
        // state modifiers on big containers (`has-sidebar`, `with-share-bar`) are not chrome
        if ["has-", "with-", "no-", "is-", "js-", "show-", "hide-"]
            .iter()
            .any(|p| t.starts_with(p))
        {
            return false;
        }
        let ad = t == "ad"
            || t == "ads"
            || t.starts_with("ad-")
            || t.starts_with("ads-")
            || t.ends_with("-ad")
            || t.ends_with("-ads")
            || t.contains("-ad-")
            || t.starts_with("adslot")
            || t.starts_with("adunit");
        // `entry-meta`, `post-meta`: the byline and date line
        let meta = t.ends_with("-meta") || t.starts_with("meta-");
        ad || CHROME_WORDS.iter().any(|w| t.contains(w))
            || (!inline && meta)
            || (!inline && (t == "comment" || BLOCK_CHROME_WORDS.iter().any(|w| t.contains(w))))
    })
}

/// True when an element (and everything in it) is page chrome.
pub(super) fn is_dropped(el: &scraper::node::Element, class_rules: bool) -> bool {
    let name = el.name();
    if DROP_TAGS.contains(&name) {
        return true;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    if let Some(role) = el.attr("role")
        && CHROME_ROLES.contains(&role.to_ascii_lowercase().as_str())
    {
        return true;
    }
    if !class_rules
        || matches!(name, "html" | "body" | "main" | "article")
        || el.attr("itemprop").is_some_and(|p| p == "articleBody")
    {
        return false;
    }
    chrome_by_name(el, INLINE_TAGS.contains(&name))
}

/// Elements that the content finder (`html::readability`) decided on: `drop` are left
/// out with everything in them, `keep` are never dropped by their class/id words (the
/// path down to the article, whatever its wrappers are named).
#[derive(Default)]
pub(super) struct Prune {
    pub(super) drop: FxHashSet<NodeId>,
    pub(super) keep: FxHashSet<NodeId>,
}

/// Raw paragraphs (whitespace collapsed) under `root`, chrome dropped.
fn raw_paragraphs(root: ElementRef<'_>, class_rules: bool, prune: &Prune) -> Vec<String> {
    let mut paras = Vec::new();
    let mut buf = String::new();
    let flush = |buf: &mut String, paras: &mut Vec<String>| {
        let p = collapse(buf);
        if !p.is_empty() {
            paras.push(p);
        }
        buf.clear();
    };
    let is_block = |n: &Node| matches!(n, Node::Element(e) if BLOCK_TAGS.contains(&e.name()));
    let root_id = root.id();
    let mut cur = root.first_child();
    while let Some(n) = cur {
        let mut descend = false;
        match n.value() {
            Node::Text(t) => buf.push_str(t),
            Node::Element(e)
                if !prune.drop.contains(&n.id())
                    && !is_dropped(e, class_rules && !prune.keep.contains(&n.id())) =>
            {
                match e.name() {
                    "br" => flush(&mut buf, &mut paras),
                    "td" | "th" => buf.push(' '),
                    _ => {}
                }
                if is_block(n.value()) {
                    flush(&mut buf, &mut paras);
                }
                descend = true;
            }
            _ => {}
        }
        if descend && let Some(c) = n.first_child() {
            cur = Some(c);
            continue;
        }
        if descend && is_block(n.value()) {
            flush(&mut buf, &mut paras);
        }
        // next sibling, or climb, closing every element left
        let mut m = n;
        cur = None;
        loop {
            if let Some(s) = m.next_sibling() {
                cur = Some(s);
                break;
            }
            match m.parent() {
                Some(p) if p.id() != root_id => {
                    if is_block(p.value()) {
                        flush(&mut buf, &mut paras);
                    }
                    if let Node::Element(e) = p.value()
                        && matches!(e.name(), "td" | "th")
                    {
                        buf.push(' ');
                    }
                    m = p;
                }
                _ => break,
            }
        }
    }
    flush(&mut buf, &mut paras);
    paras
}

/// Boilerplate rules on paragraphs: chrome lines dropped, inline chrome stripped, the
/// title/dek repeated at the top dropped, everything from a teaser header on cut.
pub(crate) fn clean_paragraphs(
    paras: Vec<String>,
    title: Option<&str>,
    dek: Option<&str>,
) -> Vec<String> {
    let same = |a: &str, b: Option<&str>| {
        b.is_some_and(|b| clean_inline(b).eq_ignore_ascii_case(&clean_inline(a)))
    };
    let mut out: Vec<String> = Vec::new();
    for p in paras {
        if is_teaser_header(&p) && !out.is_empty() {
            break;
        }
        if is_chrome_line(&p) || is_teaser_header(&p) {
            continue;
        }
        let cleaned = strip_inline(&p);
        // as long as the trimmed paragraph: nothing stripped, and that paragraph was
        // just found not to be chrome
        let unchanged = cleaned.len() == p.trim().len();
        if cleaned.is_empty() || (!unchanged && is_chrome_line(&cleaned)) {
            continue;
        }
        let p = cleaned;
        // the header repeated above the text: title, dek, a bare date, a byline
        if out.len() < 3
            && (same(&p, title)
                || same(&p, dek)
                || is_dateline(&p, Line::Paragraph)
                || is_byline(&p, Line::Paragraph)
                || is_meta_line(&p))
        {
            continue;
        }
        out.push(p);
    }
    out
}

/// A header line of fields split by bars that starts with the date: `28.04.2021 -
/// 07:18 | Source: AFX | 4 min read | Listen` (at most 200 bytes, three fields or more).
fn is_meta_line(p: &str) -> bool {
    if p.len() > 200 {
        return false;
    }
    let mut fields = p.split(" | ");
    let first = fields.next().unwrap_or("");
    let first = first.trim();
    // the date, and at most a time after it (`March 8, 2019 - 07:18`)
    let dated = date_re()
        .find(first)
        .is_some_and(|m| m.start() == 0 && first.len() - m.end() <= 10);
    fields.count() >= 2 && dated
}

/// Text of an HTML fragment (a feed item, a JSON body): paragraphs joined by a blank
/// line, chrome and boilerplate removed, entities decoded.
pub fn fragment_text(html: &str) -> String {
    let doc = Html::parse_fragment(&cap_nesting(html));
    let root = doc.root_element();
    article_paragraphs(root, None, None, &Prune::default()).join("\n\n")
}

/// Least text that the tag-rules-only fallback must find to be trusted.
const FALLBACK_MIN: usize = 200;

/// Cleaned paragraphs under `root`. If the class/id rules leave nothing (a wrapper
/// named `sidebar-layout` around everything), the text is taken with tag rules only,
/// provided that finds real text (a page that is all cookie banner stays empty).
pub(super) fn article_paragraphs(
    root: ElementRef<'_>,
    title: Option<&str>,
    dek: Option<&str>,
    prune: &Prune,
) -> Vec<String> {
    let paras = clean_paragraphs(raw_paragraphs(root, true, prune), title, dek);
    if !paras.is_empty() {
        return paras;
    }
    let fallback = clean_paragraphs(raw_paragraphs(root, false, prune), title, dek);
    if fallback.iter().map(String::len).sum::<usize>() >= FALLBACK_MIN {
        fallback
    } else {
        Vec::new()
    }
}

/// Length of the text under an element, counted without recursion.
pub(super) fn text_len(el: ElementRef<'_>) -> usize {
    el.text().map(|t| t.trim().len()).sum()
}

/// Where the content root came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// `[itemprop=articleBody]`: the page says so, trusted as it is
    ArticleBody,
    /// `<article>`, `<main>`, `[role=main]` or a container named like `article-body`
    Semantic,
    /// nothing: the `<body>` (or the document)
    Body,
}

/// The element holding the article's own text, by the page's own markup.
pub(super) fn content_root(doc: &Html) -> (ElementRef<'_>, Origin) {
    let mut body_prop = Vec::new();
    let mut articles = Vec::new();
    let mut mains = Vec::new();
    let mut named = Vec::new();
    let mut body = None;
    for node in doc.tree.nodes() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let e = el.value();
        match e.name() {
            "body" if body.is_none() => body = Some(el),
            "article" => articles.push(el),
            "main" => mains.push(el),
            _ => {}
        }
        if e.attr("itemprop") == Some("articleBody") {
            body_prop.push(el);
        }
        if e.attr("role") == Some("main") {
            mains.push(el);
        }
        let names = e
            .classes()
            .chain(e.id())
            .map(|c| c.to_ascii_lowercase().replace('_', "-"))
            .any(|c| {
                [
                    "article-body",
                    "articlebody",
                    "article-content",
                    "article-text",
                    "post-content",
                    "post-body",
                    "entry-content",
                    "story-body",
                    "story-content",
                    "content-body",
                    "article--body",
                    "article__body",
                ]
                .iter()
                .any(|w| c.contains(w))
            });
        if names {
            named.push(el);
        }
    }
    if let Some(e) = best(body_prop, 1) {
        return (e, Origin::ArticleBody);
    }
    best(articles, 200)
        .or_else(|| best(mains, 1))
        .or_else(|| best(named, 200))
        .map(|e| (e, Origin::Semantic))
        .unwrap_or_else(|| (body.unwrap_or_else(|| doc.root_element()), Origin::Body))
}

/// The candidate with the most text (at least `min` bytes); bounded work on pathological
/// pages with thousands of candidates.
fn best(cands: Vec<ElementRef<'_>>, min: usize) -> Option<ElementRef<'_>> {
    cands
        .into_iter()
        .take(50)
        .map(|e| (text_len(e), e))
        .filter(|(n, _)| *n >= min)
        .max_by_key(|(n, _)| *n)
        .map(|(_, e)| e)
}

/// A body value as plain paragraphs: HTML (also entity-escaped HTML) is stripped to
/// text, plain text keeps its blank-line paragraphs; boilerplate is removed.
pub(crate) fn body_to_text(s: &str) -> String {
    if s.trim().is_empty() {
        return String::new();
    }
    if looks_like_html(s) {
        return fragment_text(s);
    }
    if s.contains("&lt;") {
        let decoded = html_escape::decode_html_entities(s);
        if looks_like_html(&decoded) {
            return fragment_text(&decoded);
        }
    }
    let text = s.replace("\r\n", "\n").replace('\r', "\n");
    let paras: Vec<String> = text.split("\n\n").map(collapse).collect();
    clean_paragraphs(paras, None, None).join("\n\n")
}

/// What [`inline_text`] does with text that holds no markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    /// Kept as written: a record's dek can become a Markdown file's body when the file
    /// has no other, and keeps its paragraph breaks there.
    AsIs,
    /// Whitespace collapsed: feed titles and the feed's name, which are kept only when
    /// something is left.
    Collapsed,
}

/// Text of an inline field (a title, a dek, a feed's name): when it holds HTML, the
/// fragment's text with its paragraphs joined by spaces; otherwise as `plain` says.
pub(crate) fn inline_text(s: &str, plain: Plain) -> String {
    if looks_like_html(s) {
        fragment_text(s).replace("\n\n", " ")
    } else {
        match plain {
            Plain::AsIs => s.to_string(),
            Plain::Collapsed => collapse(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_like_html_table() {
        let yes = [
            "<p>Hi</p>",
            "Text<br>more",
            "a <a href=\"x\">link</a>",
            "</custom>",
            "<DIV class=x>y</DIV>",
        ];
        let no = [
            "a < b and c > d",
            "BTC<ETH",
            "plain text",
            "<3 crypto",
            "email <jane@example.com>",
        ];
        for s in yes {
            assert!(looks_like_html(s), "{s}");
        }
        for s in no {
            assert!(!looks_like_html(s), "{s}");
        }
    }

    #[test]
    fn chrome_class_table() {
        let drop = [
            r#"<div class="share-bar">x</div>"#,
            r#"<div id="newsletter-signup">x</div>"#,
            r#"<section class="related_articles">x</section>"#,
            r#"<div class="ad-slot">x</div>"#,
            r#"<div class="entry-meta">Posted on May 11</div>"#,
            r#"<div class="cookie-banner">x</div>"#,
            r#"<ul class="breadcrumb">x</ul>"#,
            r#"<div class="more-for-you">x</div>"#,
            r#"<div role="navigation">x</div>"#,
            r#"<div hidden>x</div>"#,
            r#"<div style="display: none">x</div>"#,
            r#"<div class="subscription-widget-wrap-editor"><p>Subscribe for free</p></div>"#,
        ];
        let keep = [
            r#"<div class="article-lead">x</div>"#,
            r#"<div class="has-sidebar">x</div>"#,
            r#"<div class="download-links">x</div>"#,
            r#"<span class="ticker">x</span>"#,
            r#"<div class="thread-head">x</div>"#,
        ];
        for h in drop {
            assert_eq!(fragment_text(&format!("<p>keep</p>{h}")), "keep", "{h}");
        }
        for h in keep {
            assert_eq!(fragment_text(h), "x", "{h}");
        }
    }

    #[test]
    fn a_dated_meta_line_above_the_text_is_dropped() {
        let paras = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let got = clean_paragraphs(
            paras(&[
                "March 8, 2019 - 07:18 | Source: AFX | Reading time 4 min. | Listen",
                "Miners sold coins | the desk said.",
            ]),
            None,
            None,
        );
        assert_eq!(got, ["Miners sold coins | the desk said."]);
    }

    #[test]
    fn fragment_paragraphs_and_entities() {
        let t = fragment_text(
            "<p>Fees &amp; <b>gas</b> fell&nbsp;sharply.</p><ul><li>One</li><li>Two</li></ul>Tail<br>line<script>x()</script>",
        );
        assert_eq!(t, "Fees & gas fell sharply.\n\nOne\n\nTwo\n\nTail\n\nline");
    }
}
