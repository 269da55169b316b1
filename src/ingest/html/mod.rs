//! HTML pages: the article's own text as paragraphs, and its metadata.
//!
//! Text: the page's own root is `[itemprop=articleBody]`, else the richest `<article>`,
//! else `<main>`/`[role=main]`, else a container named like `article-body` /
//! `post-content`, else `<body>`. The readability scores (`readability`) then confirm it,
//! replace it when it is missing or wrong (see [`main_content`]), and mark link-heavy
//! blocks (teaser lists, tag clouds) to leave out. Under the root, page chrome is dropped
//! by tag name (nav, header, footer, aside, script, style, form, iframe, svg, …), by ARIA
//! role and `hidden`, and by class/id words (share, social, newsletter, subscribe, cookie,
//! related, recommended, more-for-you, comments, promo, ad-, advert, sidebar,
//! breadcrumb, ticker, …) except on the wrappers around the best-scored block. Each
//! block element is one paragraph; paragraphs then go through `text::boilerplate` and the
//! text stops at a "More For You" style header. If the class rules leave nothing, the
//! text is taken again with tag rules only.
//!
//! Metadata, most trusted first: JSON-LD `NewsArticle`/`Article`/`BlogPosting`/
//! `ReportageNewsArticle` (also inside `@graph`), OpenGraph and `article:*` meta, other
//! meta (`author`, `keywords`, `description`), `<link rel=canonical>`, microdata and
//! `<time datetime>`, `<title>` without its ` | Site` suffix, then the first `<h1>`.
//! Authors that are the site itself (`example.de`) are dropped; with none left, the
//! printed byline names them (`byline`). With no machine-readable date, the date printed
//! in a date or byline block is taken.
//!
//! html5ever builds the tree without recursion, and every walk here is iterative
//! (explicit sibling/parent moves), so 100,000 nested tags cannot overflow the stack.
//!
//! This file ranks the origins and assembles the article; the nesting cap is in
//! `nesting`, the text in `text`, the content scores in `readability`, the metadata in
//! `meta` and the printed byline in `byline`.

mod byline;
mod meta;
mod nesting;
mod readability;
mod text;

use scraper::Html;

use crate::model::RawArticle;
use crate::text::collapse_ws as collapse;
use meta::{collect_meta, set};
use nesting::cap_nesting;
use text::{Origin, Prune, article_paragraphs, content_root, text_len};
pub(crate) use text::{Plain, body_to_text, clean_paragraphs, inline_text};
pub use text::{fragment_text, looks_like_html};

/// The separators between a title and a site name in `<title>` and `og:title`.
const SEPS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " » "];

/// `Title | Site`, `Title - Site`, `Title — Site` → `Title`. With a known site name only
/// that suffix is removed; without one, a short trailing segment is.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
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

/// The element holding the article and what to leave out under it. The page's own
/// markup (`text::content_root`) is weighed against the scores (`readability`):
///
/// - `[itemprop=articleBody]` is kept as the page says;
/// - `<article>`/`<main>`/an `article-body` container is kept when it holds the best
///   scored block or lies inside it, and replaced by the scored content when it does not
///   and has less text (a teaser card marked `<article>`, a `<main>` around a menu);
/// - with no such markup the scored content is the article: the best block's parent with
///   the children that qualify.
///
/// In every case link-heavy blocks are left out, and the wrappers on the way down to the
/// best block are not dropped for their class names (a `node-promoted` or
/// `sc-ad-container` wrapper around the whole article is not an ad).
fn main_content(doc: &Html) -> (scraper::ElementRef<'_>, Prune) {
    let (sem, origin) = content_root(doc);
    let r = readability::find(doc);
    let node = |id| doc.tree.get(id).and_then(scraper::ElementRef::wrap);
    let top = r.top.and_then(node);
    let scored_root = r.root.and_then(node);
    let inside = |inner: scraper::ElementRef<'_>, outer: scraper::ElementRef<'_>| {
        inner.ancestors().any(|a| a.id() == outer.id()) || inner.id() == outer.id()
    };
    let use_scores = match (origin, top, scored_root) {
        (Origin::ArticleBody, _, _) | (_, None, _) | (_, _, None) => false,
        (Origin::Body, Some(_), Some(_)) => true,
        (Origin::Semantic, Some(t), Some(_)) => {
            !(inside(t, sem) || inside(sem, t)) && r.text as usize > text_len(sem)
        }
    };
    let mut prune = Prune {
        drop: r.link_heavy,
        keep: r.keep,
    };
    match scored_root {
        Some(root) if use_scores => {
            prune.drop.extend(r.siblings);
            (root, prune)
        }
        _ => (sem, prune),
    }
}

fn first_list(lists: [Vec<String>; 4]) -> Vec<String> {
    lists
        .into_iter()
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// The side of a `<title>` with a separator (`Site - Headline`, `Headline | Site`) that
/// the page also prints as a heading: that side is the headline, wherever the site
/// name stands.
fn heading_side(title: &str, headings: &[String]) -> Option<String> {
    let t = collapse(title);
    let is_heading = |s: &str| {
        let s = s.trim().to_lowercase();
        !s.is_empty() && headings.iter().any(|h| h.to_lowercase() == s)
    };
    if let Some(side) = SEPS.iter().find_map(|sep| {
        let (head, tail) = t.split_once(sep)?;
        [head, tail]
            .into_iter()
            .find(|side| side.split_whitespace().count() >= 2 && is_heading(side))
            .map(|s| s.trim().to_string())
    }) {
        return Some(side);
    }
    // a section, the site and the headline between separators (`Markets | Site -
    // Headline - Site`): the segment the page prints as a heading
    let mut parts = vec![t.as_str()];
    for sep in SEPS {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    (parts.len() > 2)
        .then(|| {
            parts
                .into_iter()
                .find(|p| p.split_whitespace().count() >= 2 && is_heading(p))
                .map(|p| p.trim().to_string())
        })
        .flatten()
}

/// Whether a title is only the site's name: the `og:site_name`/publisher, or the host's
/// name alone or with a brand word (`Example`, `Example Finance`, `Example.com` on
/// `example.com`; not `Example Hits Record`), compared on letters and digits.
fn is_site_title(title: &str, site: Option<&str>, host: Option<&str>) -> bool {
    const BRAND: &[&str] = &[
        "", "com", "news", "finance", "markets", "magazine", "mag", "media", "daily", "online",
        "crypto", "blog", "times", "today", "post", "wire", "journal",
    ];
    let key = crate::ingest::fields::norm_key;
    let t = key(title);
    if t.is_empty() {
        return false;
    }
    site.is_some_and(|s| key(s) == t)
        || host.map(key).is_some_and(|h| {
            h.len() >= 3 && t.strip_prefix(&h).is_some_and(|rest| BRAND.contains(&rest))
        })
}

/// Parses an HTML page into one raw article.
pub fn parse(text: &str) -> RawArticle {
    let doc = Html::parse_document(&cap_nesting(text));
    let m = collect_meta(&doc);
    let site = m.ld.source.clone().or_else(|| m.og.source.clone());
    let mut a = RawArticle::default();

    // a metadata title that is only the site's name (`og:title` = `og:site_name` on
    // every page, or the host's name) is passed over for the next source
    let host = [&m.canonical, &m.og.url, &m.ld.url]
        .into_iter()
        .flatten()
        .find_map(|u| crate::normalize::host_source(u));
    // and so is one or two words (a section: `Markets | Site - Headline`) when the page
    // prints a longer headline as its `<h1>`
    let long_h1 =
        m.h1.as_deref()
            .is_some_and(|h| h.split_whitespace().count() >= 4);
    let headline = |t: Option<String>| {
        t.filter(|t| {
            let section = long_h1 && t.split_whitespace().count() <= 2;
            !(section || is_site_title(t, site.as_deref(), host.as_deref()))
        })
    };
    set(&mut a.title, headline(m.ld.title.clone()));
    set(
        &mut a.title,
        headline(
            m.og.title
                .as_deref()
                .map(|t| strip_site_suffix(t, site.as_deref().or(Some("")))),
        ),
    );
    set(&mut a.title, headline(m.micro.title.clone()));
    set(&mut a.title, headline(m.twitter_title.clone()));
    set(
        &mut a.title,
        headline(m.title_tag.as_deref().map(|t| {
            heading_side(t, &m.headings).unwrap_or_else(|| strip_site_suffix(t, site.as_deref()))
        })),
    );
    set(&mut a.title, m.h1.clone());

    set(&mut a.dek, m.ld.dek.clone());
    set(&mut a.dek, m.og.dek.clone());
    set(&mut a.dek, m.meta_description.clone());

    // a front page (`og:url` of the home page on every page) is passed over for the next
    let article_url =
        |u: &Option<String>| u.clone().filter(|u| !crate::normalize::is_front_page(u));
    set(&mut a.url, article_url(&m.ld.url));
    set(&mut a.url, article_url(&m.og.url));
    set(&mut a.url, m.canonical.clone());
    a.url = a
        .url
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .or_else(|| m.canonical.clone().filter(|u| u.starts_with("http")));

    a.source = site;

    // a meta author that is the site (`example.de`, the site's name) is no person
    let people = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .filter(|n| !byline::is_site_name(n, a.source.as_deref()))
            .cloned()
            .collect()
    };
    a.authors = first_list([
        m.ld.authors.clone(),
        people(&m.og.authors),
        people(&m.meta_authors),
        if m.micro.authors.is_empty() {
            m.rel_authors.clone()
        } else {
            m.micro.authors.clone()
        },
    ]);
    if a.authors.is_empty() {
        a.authors = byline::byline_authors(&doc);
    }

    set(&mut a.published, m.ld.published.clone());
    set(&mut a.published, m.og.published.clone());
    set(&mut a.published, m.meta_published.clone());
    set(&mut a.published, m.micro.published.clone());
    set(&mut a.published, m.time.clone());
    if a.published.is_none() {
        a.published = byline::printed_date(&doc);
    }
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

    let title = a.title.as_deref();
    let dek = a.dek.as_deref();
    let (root, prune) = main_content(&doc);
    let mut paras = article_paragraphs(root, title, dek, &prune);
    if paras.is_empty() {
        // the scores found nothing the boilerplate rules keep: the page's own root as
        // the rules alone see it
        paras = article_paragraphs(content_root(&doc).0, title, dek, &Prune::default());
    }
    a.body = paras.join("\n\n");
    if a.body.is_empty()
        && let Some(b) = &m.ld_body
    {
        a.body = body_to_text(b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_before_the_site_in_the_title_is_no_headline() {
        let page = r#"<html><head><title>Markets | Terminal - Miners Sell Hoard - Terminal</title>
            <meta property="og:title" content="Markets | Miners Sell Hoard - Terminal"></head>
            <body><h1>Bitcoin Miners Sell Record Hoard as Hashprice Slumps</h1>
            <p>Public miners sold more coins in March than in any month since the halving.</p></body></html>"#;
        assert_eq!(
            parse(page).title.as_deref(),
            Some("Bitcoin Miners Sell Record Hoard as Hashprice Slumps")
        );
    }

    #[test]
    fn site_names_are_no_headlines() {
        for (t, site, host, want) in [
            ("Forbesish", Some("Forbesish"), Some("forbesish"), true),
            ("Yahooish Finance", None, Some("yahooish"), true),
            ("Example.com", None, Some("example"), true),
            ("Bitcoin Hits Record", None, Some("bitcoin"), false),
            ("Bitcoin", None, Some("bitcoin"), true),
            ("The Daily Ledger", Some("The Daily Ledger"), None, true),
            (
                "Stablecoin Bill Advances",
                Some("The Daily Ledger"),
                None,
                false,
            ),
            ("", None, Some("x"), false),
        ] {
            assert_eq!(is_site_title(t, site, host), want, "{t}");
        }
    }

    #[test]
    fn a_title_tags_headline_side_is_the_one_printed_as_a_heading() {
        for (page, want) in [
            (
                r#"<html><head><title>Example News - Bitcoin miners sold record coins</title></head><body><h2 class="post-title">Bitcoin miners sold record coins</h2><p>The miners sold more coins this week than in any week of the year.</p></body></html>"#,
                "Bitcoin miners sold record coins",
            ),
            (
                r#"<html><head><title>Bitcoin miners sold record coins | Example News</title></head><body><h3>Bitcoin miners sold record coins</h3><p>The miners sold more coins this week than in any week of the year.</p></body></html>"#,
                "Bitcoin miners sold record coins",
            ),
            // no heading repeats a side: the suffix rule as before, which keeps a title
            // whose last part is the longer one whole
            (
                r#"<html><head><title>Bitcoin ETF - Everything to know</title></head><body><p>The miners sold more coins this week than in any week of the year.</p></body></html>"#,
                "Bitcoin ETF - Everything to know",
            ),
        ] {
            assert_eq!(parse(page).title.as_deref(), Some(want), "{page}");
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
