//! Page metadata, one slot per origin: JSON-LD `NewsArticle`/`Article`/`BlogPosting`/…
//! (also inside `@graph`), OpenGraph and `article:*` meta, other meta (`author`,
//! `keywords`, `description`), `<link rel=canonical>`, microdata, `<time datetime>`,
//! `<title>` and the first `<h1>`, gathered in one pass over the document.
//!
//! It does not rank the origins against each other (see `html::parse`) or read the
//! article text (see `html::text`).

use scraper::{ElementRef, Html};
use serde_json::Value;

use crate::ingest::values::{authors_of, scalar_text, tags_of};
use crate::model::RawArticle;
use crate::text::collapse_ws as collapse;
use crate::text::lists::{Entities, split_people, split_tags};

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

/// Metadata gathered from the page, one slot per origin.
#[derive(Default)]
pub(super) struct Meta {
    pub(super) ld: RawArticle,
    pub(super) ld_section: Vec<String>,
    pub(super) ld_body: Option<String>,
    pub(super) og: RawArticle,
    pub(super) og_section: Vec<String>,
    pub(super) meta_authors: Vec<String>,
    pub(super) meta_keywords: Vec<String>,
    pub(super) meta_description: Option<String>,
    pub(super) meta_published: Option<String>,
    pub(super) meta_updated: Option<String>,
    pub(super) twitter_title: Option<String>,
    pub(super) canonical: Option<String>,
    pub(super) micro: RawArticle,
    pub(super) time: Option<String>,
    pub(super) rel_authors: Vec<String>,
    pub(super) title_tag: Option<String>,
    pub(super) h1: Option<String>,
    /// The texts of the first few `<h1>`–`<h3>` headings (to tell which side of a
    /// `Site - Title` `<title>` is the headline).
    pub(super) headings: Vec<String>,
}

/// Headings kept in [`Meta::headings`].
const HEADINGS: usize = 12;

pub(super) fn set(slot: &mut Option<String>, v: Option<String>) {
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
    o.get(key).and_then(|v| scalar_text(v).ok().flatten())
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
            Value::Array(list) => list.first().and_then(|x| scalar_text(x).ok().flatten()),
            other => scalar_text(other).ok().flatten(),
        };
        set(&mut a.source, name);
    }
    if let Some(v) = o.get("author").or_else(|| o.get("creator")) {
        a.authors = authors_of(v).unwrap_or_default();
    }
    if let Some(v) = o.get("keywords") {
        a.tags = tags_of(v).unwrap_or_default();
    }
    if let Some(v) = o.get("articleSection") {
        m.ld_section = tags_of(v).unwrap_or_default();
    }
    set(&mut m.ld_body, ld_text(o, "articleBody"));
}

/// Collects metadata from every element of the page, in document order.
pub(super) fn collect_meta(doc: &Html) -> Meta {
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
                        m.og.authors.extend(split_people(content));
                    }
                    "author" | "dc.creator" | "sailthru.author" | "parsely-author" => {
                        m.meta_authors.extend(split_people(content))
                    }
                    "keywords" | "news_keywords" if m.meta_keywords.is_empty() => {
                        m.meta_keywords = split_tags(content, Entities::Decode);
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
            "h1" | "h2" | "h3" => {
                let text = collapse(&el.text().collect::<String>());
                if e.name() == "h1" {
                    set(&mut m.h1, Some(text.clone()));
                }
                if m.headings.len() < HEADINGS && !text.is_empty() {
                    m.headings.push(text);
                }
            }
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
                    m.micro.authors.extend(split_people(&collapse(&name)));
                }
                _ => {}
            }
        }
    }
    m
}
