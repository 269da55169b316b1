//! HTML pages: the article's own text as paragraphs, and its metadata.
//!
//! Text: the content root is `[itemprop=articleBody]`, else the richest `<article>`,
//! else `<main>`/`[role=main]`, else a container named like `article-body` /
//! `post-content`, else `<body>`. Under it, page chrome is dropped by tag name (nav,
//! header, footer, aside, script, style, form, iframe, svg, …), by ARIA role and
//! `hidden`, and by class/id words (share, social, newsletter, subscribe, cookie,
//! related, recommended, more-for-you, comments, promo, ad-, advert, sidebar,
//! breadcrumb, ticker, …). Each block element is one paragraph; paragraphs then go
//! through `text::boilerplate` and the text stops at a "More For You" style header.
//! If the class rules leave nothing, the text is taken again with tag rules only.
//!
//! Metadata, most trusted first: JSON-LD `NewsArticle`/`Article`/`BlogPosting`/
//! `ReportageNewsArticle` (also inside `@graph`), OpenGraph and `article:*` meta, other
//! meta (`author`, `keywords`, `description`), `<link rel=canonical>`, microdata and
//! `<time datetime>`, `<title>` without its ` | Site` suffix, then the first `<h1>`.
//!
//! html5ever builds the tree without recursion, and every walk here is iterative
//! (explicit sibling/parent moves), so 100,000 nested tags cannot overflow the stack.

use scraper::{ElementRef, Html, Node};
use serde_json::Value;

use super::records;
use crate::model::RawArticle;
use crate::normalize::dates::parse_date;
use crate::text::boilerplate::{is_chrome_line, is_teaser_header, strip_inline};
use crate::text::clean_inline;

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

/// JSON-LD types that describe an article.
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "technewsarticle",
    "techarticle",
    "livebloposting",
    "liveblogposting",
    "socialmediaposting",
    "report",
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
fn cap_nesting(html: &str) -> std::borrow::Cow<'_, str> {
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

use crate::text::collapse_ws as collapse;

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
fn is_dropped(el: &scraper::node::Element, class_rules: bool) -> bool {
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

/// Raw paragraphs (whitespace collapsed) under `root`, chrome dropped.
fn raw_paragraphs(root: ElementRef<'_>, class_rules: bool) -> Vec<String> {
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
            Node::Element(e) if !is_dropped(e, class_rules) => {
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

/// A paragraph that is only a date (`March 8, 2019`, `2019-03-08 17:45`).
fn is_dateline(p: &str) -> bool {
    p.len() < 60 && parse_date(p, chrono_tz::UTC).is_some()
}

/// A short `By Jane Doe and Sam Lee` line (not a sentence starting with "By").
fn is_byline(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    words.len() >= 2
        && words.len() <= 8
        && words[0].eq_ignore_ascii_case("by")
        && words[1].chars().next().is_some_and(char::is_uppercase)
        && !p.ends_with(['.', '!', '?'])
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
        if out.len() < 3 && (same(&p, title) || same(&p, dek) || is_dateline(&p) || is_byline(&p)) {
            continue;
        }
        out.push(p);
    }
    out
}

/// Text of an HTML fragment (a feed item, a JSON body): paragraphs joined by a blank
/// line, chrome and boilerplate removed, entities decoded.
pub fn fragment_text(html: &str) -> String {
    let doc = Html::parse_fragment(&cap_nesting(html));
    let root = doc.root_element();
    article_paragraphs(root, None, None).join("\n\n")
}

/// Least text that the tag-rules-only fallback must find to be trusted.
const FALLBACK_MIN: usize = 200;

/// Cleaned paragraphs under `root`. If the class/id rules leave nothing (a wrapper
/// named `sidebar-layout` around everything), the text is taken with tag rules only,
/// provided that finds real text (a page that is all cookie banner stays empty).
fn article_paragraphs(root: ElementRef<'_>, title: Option<&str>, dek: Option<&str>) -> Vec<String> {
    let paras = clean_paragraphs(raw_paragraphs(root, true), title, dek);
    if !paras.is_empty() {
        return paras;
    }
    let fallback = clean_paragraphs(raw_paragraphs(root, false), title, dek);
    if fallback.iter().map(String::len).sum::<usize>() >= FALLBACK_MIN {
        fallback
    } else {
        Vec::new()
    }
}

/// Length of the text under an element, counted without recursion.
fn text_len(el: ElementRef<'_>) -> usize {
    el.text().map(|t| t.trim().len()).sum()
}

/// The element holding the article's own text.
fn content_root(doc: &Html) -> ElementRef<'_> {
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
    best(body_prop, 1)
        .or_else(|| best(articles, 200))
        .or_else(|| best(mains, 1))
        .or_else(|| best(named, 200))
        .or(body)
        .unwrap_or_else(|| doc.root_element())
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

/// Metadata gathered from the page, one slot per origin.
#[derive(Default)]
struct Meta {
    ld: RawArticle,
    ld_section: Vec<String>,
    ld_body: Option<String>,
    og: RawArticle,
    og_section: Vec<String>,
    meta_authors: Vec<String>,
    meta_keywords: Vec<String>,
    meta_description: Option<String>,
    meta_published: Option<String>,
    meta_updated: Option<String>,
    twitter_title: Option<String>,
    canonical: Option<String>,
    micro: RawArticle,
    time: Option<String>,
    rel_authors: Vec<String>,
    title_tag: Option<String>,
    h1: Option<String>,
}

fn set(slot: &mut Option<String>, v: Option<String>) {
    if slot.is_none()
        && let Some(v) = v.map(|s| collapse(&s)).filter(|s| !s.is_empty())
    {
        *slot = Some(v);
    }
}

/// Parses JSON-LD, forgiving raw control characters inside strings.
fn parse_ld(s: &str) -> Option<Value> {
    let s = s.trim().trim_start_matches("<!--").trim_end_matches("-->");
    serde_json::from_str(s).ok().or_else(|| {
        let cleaned: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        serde_json::from_str(&cleaned).ok()
    })
}

fn is_article_type(t: Option<&Value>) -> bool {
    let one = |s: &str| {
        let s = s
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(s)
            .to_ascii_lowercase();
        ARTICLE_TYPES.contains(&s.as_str())
    };
    match t {
        Some(Value::String(s)) => one(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(one),
        _ => false,
    }
}

/// The first article object in a JSON-LD document (breadth-first through arrays,
/// `@graph` and `mainEntity`).
fn ld_article(v: &Value) -> Option<&serde_json::Map<String, Value>> {
    let mut queue = std::collections::VecDeque::from([v]);
    let mut budget = 10_000;
    while let Some(x) = queue.pop_front() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        match x {
            Value::Array(a) => queue.extend(a.iter()),
            Value::Object(o) => {
                if is_article_type(o.get("@type")) {
                    return Some(o);
                }
                for k in ["@graph", "mainEntity"] {
                    if let Some(inner) = o.get(k) {
                        queue.push_back(inner);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn ld_text(o: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(|v| records::scalar_text(v).ok().flatten())
}

fn fill_from_ld(m: &mut Meta, o: &serde_json::Map<String, Value>) {
    let a = &mut m.ld;
    set(
        &mut a.title,
        ld_text(o, "headline").or_else(|| ld_text(o, "name")),
    );
    set(&mut a.dek, ld_text(o, "description"));
    set(&mut a.published, ld_text(o, "datePublished"));
    set(
        &mut a.updated,
        ld_text(o, "dateModified").or_else(|| ld_text(o, "dateUpdated")),
    );
    set(&mut a.url, ld_text(o, "url"));
    set(&mut a.url, ld_text(o, "mainEntityOfPage"));
    if let Some(p) = o.get("publisher") {
        let name = match p {
            Value::Array(list) => list
                .first()
                .and_then(|x| records::scalar_text(x).ok().flatten()),
            other => records::scalar_text(other).ok().flatten(),
        };
        set(&mut a.source, name);
    }
    if let Some(v) = o.get("author").or_else(|| o.get("creator")) {
        a.authors = records::authors_of(v).unwrap_or_default();
    }
    if let Some(v) = o.get("keywords") {
        a.tags = records::tags_of(v).unwrap_or_default();
    }
    if let Some(v) = o.get("articleSection") {
        m.ld_section = records::tags_of(v).unwrap_or_default();
    }
    set(&mut m.ld_body, ld_text(o, "articleBody"));
}

/// Collects metadata from every element of the page, in document order.
fn collect_meta(doc: &Html) -> Meta {
    let mut m = Meta::default();
    let mut ld_found = false;
    for node in doc.tree.nodes() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let e = el.value();
        match e.name() {
            "script" => {
                let ty = e.attr("type").unwrap_or("").to_ascii_lowercase();
                if !ld_found && ty.contains("ld+json") {
                    let text: String = el.text().collect();
                    if let Some(v) = parse_ld(&text)
                        && let Some(o) = ld_article(&v)
                    {
                        fill_from_ld(&mut m, o);
                        ld_found = true;
                    }
                }
            }
            "meta" => {
                let key = e
                    .attr("property")
                    .or_else(|| e.attr("name"))
                    .or_else(|| e.attr("itemprop"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let Some(content) = e.attr("content").map(str::trim).filter(|c| !c.is_empty())
                else {
                    continue;
                };
                let c = Some(content.to_string());
                match key.as_str() {
                    "og:title" => set(&mut m.og.title, c),
                    "og:description" => set(&mut m.og.dek, c),
                    "og:url" => set(&mut m.og.url, c),
                    "og:site_name" => set(&mut m.og.source, c),
                    "article:published_time" | "og:published_time" => set(&mut m.og.published, c),
                    "article:modified_time" | "og:updated_time" | "og:modified_time" => {
                        set(&mut m.og.updated, c)
                    }
                    "article:tag" => m.og.tags.push(content.to_string()),
                    "article:section" => m.og_section.push(content.to_string()),
                    // a profile URL is no name
                    "article:author" if !content.starts_with("http") => {
                        m.og.authors.extend(records::split_people(content));
                    }
                    "author" | "dc.creator" | "sailthru.author" | "parsely-author" => {
                        m.meta_authors.extend(records::split_people(content))
                    }
                    "keywords" | "news_keywords" if m.meta_keywords.is_empty() => {
                        m.meta_keywords = records::split_tags(content);
                    }
                    "description" => set(&mut m.meta_description, c),
                    "twitter:title" => set(&mut m.twitter_title, c),
                    "datepublished" | "pubdate" | "publish-date" | "date" | "dc.date"
                    | "parsely-pub-date" | "sailthru.date" => set(&mut m.meta_published, c),
                    "datemodified" | "last-modified" | "dc.date.modified" => {
                        set(&mut m.meta_updated, c)
                    }
                    _ => {}
                }
            }
            "link" => {
                let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "canonical") {
                    set(&mut m.canonical, e.attr("href").map(str::to_string));
                }
            }
            "title" if m.title_tag.is_none() => {
                let in_head = node
                    .parent()
                    .and_then(|p| p.value().as_element().map(|p| p.name() == "head"))
                    .unwrap_or(false);
                if in_head {
                    set(&mut m.title_tag, Some(el.text().collect()));
                }
            }
            "h1" if m.h1.is_none() => set(&mut m.h1, Some(el.text().collect())),
            "time" if m.time.is_none() => set(&mut m.time, e.attr("datetime").map(String::from)),
            "a" => {
                let rel = e.attr("rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "author") {
                    let name = collapse(&el.text().collect::<String>());
                    if !name.is_empty() {
                        m.rel_authors.push(name);
                    }
                }
            }
            _ => {}
        }
        // microdata
        if let Some(prop) = e.attr("itemprop") {
            let value = || {
                e.attr("content")
                    .or_else(|| e.attr("datetime"))
                    .map(String::from)
                    .unwrap_or_else(|| el.text().collect())
            };
            match prop {
                "headline" => set(&mut m.micro.title, Some(value())),
                "datePublished" => set(&mut m.micro.published, Some(value())),
                "dateModified" => set(&mut m.micro.updated, Some(value())),
                "author" if m.micro.authors.is_empty() => {
                    // `<span itemprop=author><span itemprop=name>…` or plain text
                    let name = el
                        .descendent_elements()
                        .take(50)
                        .find(|d| d.value().attr("itemprop") == Some("name"))
                        .map(|d| {
                            d.value()
                                .attr("content")
                                .map(String::from)
                                .unwrap_or_else(|| d.text().collect())
                        })
                        .unwrap_or_else(value);
                    m.micro
                        .authors
                        .extend(records::split_people(&collapse(&name)));
                }
                _ => {}
            }
        }
    }
    m
}

/// `Title | Site`, `Title - Site`, `Title — Site` → `Title`. With a known site name only
/// that suffix is removed; without one, a short trailing segment is.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    const SEPS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " » "];
    let t = collapse(title);
    if let Some(site) = site {
        let site = collapse(site).to_lowercase();
        for sep in SEPS {
            if let Some((head, tail)) = t.rsplit_once(sep)
                && tail.to_lowercase() == site
                && !head.trim().is_empty()
            {
                return head.trim().to_string();
            }
        }
    }
    if site.is_none() || t.contains(" | ") {
        if let Some((head, _)) = t.split_once(" | ")
            && !head.trim().is_empty()
        {
            return head.trim().to_string();
        }
        for sep in &SEPS[1..] {
            if let Some((head, tail)) = t.rsplit_once(sep)
                && tail.split_whitespace().count() <= 3
                && tail.len() < head.len()
            {
                return head.trim().to_string();
            }
        }
    }
    t
}

fn first_list(lists: [Vec<String>; 4]) -> Vec<String> {
    lists
        .into_iter()
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// Parses an HTML page into one raw article.
pub fn parse(text: &str) -> RawArticle {
    let doc = Html::parse_document(&cap_nesting(text));
    let m = collect_meta(&doc);
    let site = m.ld.source.clone().or_else(|| m.og.source.clone());
    let mut a = RawArticle::default();

    set(&mut a.title, m.ld.title.clone());
    set(
        &mut a.title,
        m.og.title
            .as_deref()
            .map(|t| strip_site_suffix(t, site.as_deref().or(Some("")))),
    );
    set(&mut a.title, m.micro.title.clone());
    set(&mut a.title, m.twitter_title.clone());
    set(
        &mut a.title,
        m.title_tag
            .as_deref()
            .map(|t| strip_site_suffix(t, site.as_deref())),
    );
    set(&mut a.title, m.h1.clone());

    set(&mut a.dek, m.ld.dek.clone());
    set(&mut a.dek, m.og.dek.clone());
    set(&mut a.dek, m.meta_description.clone());

    set(&mut a.url, m.ld.url.clone());
    set(&mut a.url, m.og.url.clone());
    set(&mut a.url, m.canonical.clone());
    a.url = a
        .url
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .or_else(|| m.canonical.clone().filter(|u| u.starts_with("http")));

    a.source = site;

    a.authors = first_list([
        m.ld.authors.clone(),
        m.og.authors.clone(),
        m.meta_authors.clone(),
        if m.micro.authors.is_empty() {
            m.rel_authors.clone()
        } else {
            m.micro.authors.clone()
        },
    ]);

    set(&mut a.published, m.ld.published.clone());
    set(&mut a.published, m.og.published.clone());
    set(&mut a.published, m.meta_published.clone());
    set(&mut a.published, m.micro.published.clone());
    set(&mut a.published, m.time.clone());
    set(&mut a.updated, m.ld.updated.clone());
    set(&mut a.updated, m.og.updated.clone());
    set(&mut a.updated, m.meta_updated.clone());
    set(&mut a.updated, m.micro.updated.clone());

    a.tags = first_list([
        m.ld.tags.clone(),
        m.og.tags.clone(),
        m.meta_keywords.clone(),
        Vec::new(),
    ]);
    let section = if m.ld_section.is_empty() {
        m.og_section.clone()
    } else {
        m.ld_section.clone()
    };
    a.tags.extend(section);

    let root = content_root(&doc);
    let title = a.title.as_deref();
    let dek = a.dek.as_deref();
    a.body = article_paragraphs(root, title, dek).join("\n\n");
    if a.body.is_empty()
        && let Some(b) = &m.ld_body
    {
        a.body = records::body_to_text(b);
    }
    a
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
    fn suffix_table() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("Bitcoin Halves | CoinWire", None, "Bitcoin Halves"),
            (
                "Bitcoin Halves | Markets | CoinWire",
                None,
                "Bitcoin Halves",
            ),
            ("Bitcoin Halves - CoinWire", None, "Bitcoin Halves"),
            (
                "Bitcoin Halves — Chain Post",
                Some("Chain Post"),
                "Bitcoin Halves",
            ),
            (
                "Spot ETF - A Primer",
                Some("CoinWire"),
                "Spot ETF - A Primer",
            ),
            (
                "Terra - Luna Collapse Explained In Full",
                None,
                "Terra - Luna Collapse Explained In Full",
            ),
        ];
        for (t, site, want) in cases {
            assert_eq!(strip_site_suffix(t, *site), *want, "{t}");
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
    fn fragment_paragraphs_and_entities() {
        let t = fragment_text(
            "<p>Fees &amp; <b>gas</b> fell&nbsp;sharply.</p><ul><li>One</li><li>Two</li></ul>Tail<br>line<script>x()</script>",
        );
        assert_eq!(t, "Fees & gas fell sharply.\n\nOne\n\nTwo\n\nTail\n\nline");
    }

    #[test]
    fn jsonld_graph_and_meta_fallbacks() {
        let page = r#"<html><head><title>Ignored | Site</title>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebPage","name":"page"},
 {"@type":["NewsArticle"],"headline":"LD Title","datePublished":"2024-01-10T16:05:00Z",
  "author":[{"@type":"Person","name":"Ann Lee"},{"name":"Bo Chan"}],
  "keywords":"ETF, SEC","publisher":{"@type":"Organization","name":"Coin Wire"},
  "mainEntityOfPage":{"@id":"https://coinwire.example/x"}}]}</script>
<meta property="og:title" content="OG Title"><meta property="article:tag" content="og-tag">
</head><body><article><h1>LD Title</h1><p>Body one.</p></article></body></html>"#;
        let a = parse(page);
        assert_eq!(a.title.as_deref(), Some("LD Title"));
        assert_eq!(a.authors, ["Ann Lee", "Bo Chan"]);
        assert_eq!(a.tags, ["ETF", "SEC"]);
        assert_eq!(a.source.as_deref(), Some("Coin Wire"));
        assert_eq!(a.url.as_deref(), Some("https://coinwire.example/x"));
        assert_eq!(a.body, "Body one.");
        let bare = parse(
            "<html><head><title>Only Title - Site</title></head><body><h1>H</h1><p>T.</p></body></html>",
        );
        assert_eq!(bare.title.as_deref(), Some("Only Title"));
    }

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
        // unclosed processing instructions and declarations at the end (found by the
        // property tests: the scan stepped past the end of the text)
        for tail in ["<?", "<? a", "<!", "<!DOCTYPE", "<", "</", "<!--"] {
            assert!(matches!(cap_nesting(tail), std::borrow::Cow::Borrowed(_)));
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let n = 100_000;
        let page = format!(
            "<html><body>{}<p>deep text</p>{}</body></html>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let a = parse(&page);
        assert!(a.body.contains("deep text"));
    }
}
