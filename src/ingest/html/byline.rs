//! Authors as the page prints them, for pages whose metadata names none or names the
//! site: the byline element (`<byline>`, or a block whose class/id says `byline`,
//! `submitted` or `author-info`) and, inside it, the element that holds the name
//! (`username`, `author`, `author-name`, `fn`, `rel=author`), else the byline's own text
//! after its "by" word (`By`, `Von`, `Par`, `Por`, `Door`, `Di`, `Av`) up to the date or
//! the agency (`Von Jane Roe, dpa` → Jane Roe).
//!
//! It also says when a metadata author is no person but the site ([`is_site_name`]),
//! and reads the date printed in a date or byline block ([`printed_date`]).
//! It does not pick between origins (`html::parse` does).

use scraper::{ElementRef, Html};

use crate::ingest::header::date_re;
use crate::text::collapse_ws as collapse;
use crate::text::lists::split_people;

use crate::ingest::header::BY_WORDS;

/// Words after the names that start the date or place (`Von X am 24. Juli`, `By X on
/// May 2`, `Par X le 3 mai`).
const AFTER_NAMES: &[&str] = &[
    "am",
    "on",
    "le",
    "el",
    "op",
    "il",
    "um",
    "at",
    "in",
    "updated",
    "published",
    "posted",
];

/// Most byline elements looked at: the first ones on a page are the article's.
const MAX_BYLINES: usize = 20;

/// True when an author value is the site rather than a person: a host name
/// (`example.de`, `www.example.com`) or the site's own name.
pub(super) fn is_site_name(name: &str, site: Option<&str>) -> bool {
    let n = name.trim();
    let host = !n.contains(' ')
        && n.contains('.')
        && n.rsplit('.').next().is_some_and(|tld| {
            (2..=12).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_lowercase())
        });
    host || site.is_some_and(|s| s.trim().eq_ignore_ascii_case(n))
}

/// True when a class/id names a byline block.
fn is_byline_block(el: &scraper::node::Element) -> bool {
    if el.name() == "byline" {
        return true;
    }
    el.classes().chain(el.id()).any(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("byline") || c == "submitted" || c.contains("author-info")
    })
}

/// True when a class/id says author (`author-name`, `article__author`,
/// `ArticleHeader-authors`), or a `data-testid` says byline: a byline block when its
/// text is short ([`AUTHOR_BLOCK_MAX`]); an author's bio box is longer.
fn is_author_block(el: &scraper::node::Element) -> bool {
    !matches!(el.name(), "html" | "body" | "article" | "main" | "a")
        && (el.classes().chain(el.id()).any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("author") && !c.contains("bio") && !c.contains("about")
        }) || el
            .attr("data-testid")
            .is_some_and(|t| t.to_ascii_lowercase().contains("byline")))
}

/// Longest text of an [`is_author_block`] block.
const AUTHOR_BLOCK_MAX: usize = 200;

/// Path segments of links to an author's page (`/author/jane-doe`, `/authors/…`).
const AUTHOR_PATHS: &[&str] = &[
    "/author/",
    "/authors/",
    "/autor/",
    "/auteur/",
    "/writers/",
    "/contributors/",
    "/staff/",
    "/people/",
    "/profile/",
    "/profiles/",
    "/journalists/",
    "/reporters/",
];

/// True when a class names the element that holds an author's name, or it is a link
/// to an author's page.
fn is_name_element(el: &scraper::node::Element) -> bool {
    el.attr("rel").is_some_and(|r| {
        r.split_whitespace()
            .any(|r| r.eq_ignore_ascii_case("author"))
    }) || el.classes().any(|c| {
        let c = c.to_ascii_lowercase().replace('_', "-");
        matches!(
            c.as_str(),
            "username" | "author" | "author-name" | "authorname" | "fn" | "byline-name"
        ) || c.ends_with("-author-name")
            || c.ends_with("--author-name")
            || c.ends_with("-authorname")
    }) || (el.name() == "a"
        && el.attr("href").is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            AUTHOR_PATHS.iter().any(|p| h.contains(p))
        }))
}

/// A person's name as a byline link prints it: two to four capitalized words.
fn name_like(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && plausible(name)
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// A plausible name: a few words, a letter first, no digits, not a sentence.
fn plausible(name: &str) -> bool {
    let words = name.split_whitespace().count();
    (1..=5).contains(&words)
        && name.len() <= 60
        && name.chars().next().is_some_and(char::is_alphabetic)
        && !name.chars().any(|c| c.is_ascii_digit())
        && !name.ends_with(['.', '!', '?', ':'])
}

/// Names from a byline's own text: `By NAME[, NAME and NAME][, AGENCY| on DATE]`.
fn names_from_text(text: &str) -> Vec<String> {
    let t = collapse(text);
    let mut words = t.split(' ');
    let Some(first) = words.next() else {
        return Vec::new();
    };
    if !BY_WORDS.iter().any(|b| first.eq_ignore_ascii_case(b)) {
        return Vec::new();
    }
    let rest: Vec<&str> = words
        .take_while(|w| !AFTER_NAMES.iter().any(|a| w.eq_ignore_ascii_case(a)))
        .take_while(|w| {
            !w.starts_with('|') && !w.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    let names = rest.join(" ");
    // a capitalized name; a lowercase one is an agency tag (`dpa`) or prose
    split_people(names.trim_end_matches([',', '-', '–', '|']))
        .into_iter()
        .filter(|n| plausible(n) && n.chars().next().is_some_and(char::is_uppercase))
        .collect()
}

/// The authors that the page's first byline element names, if any.
pub(super) fn byline_authors(doc: &Html) -> Vec<String> {
    let bylines = doc
        .tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .filter(|e| {
            is_byline_block(e.value())
                || (is_author_block(e.value())
                    && e.text().map(str::len).sum::<usize>() <= AUTHOR_BLOCK_MAX)
        })
        .take(MAX_BYLINES);
    for b in bylines {
        let named: Vec<String> = b
            .descendent_elements()
            .take(200)
            .filter(|d| is_name_element(d.value()))
            .flat_map(|d| {
                // a name element that prints `By A and B` is a byline of its own
                let t = collapse(&d.text().collect::<String>());
                // (not `Di Wu`: a by-word and one more word is a name)
                let by = if t.split_whitespace().count() > 2 {
                    names_from_text(&t)
                } else {
                    Vec::new()
                };
                if by.is_empty() { vec![t] } else { by }
            })
            .filter(|n| plausible(n))
            .collect();
        if !named.is_empty() {
            let mut out: Vec<String> = Vec::new();
            for n in named {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            return out;
        }
        let text: String = b.text().collect();
        let names = names_from_text(&text);
        if !names.is_empty() {
            return names;
        }
        // a byline of links without `By` (`Lena Marsh` / `Senior Contributor`): its
        // first link, when that reads as a person's name
        if let Some(first) = b
            .descendent_elements()
            .take(200)
            .find(|d| d.value().name() == "a")
        {
            let n = collapse(&first.text().collect::<String>());
            if name_like(&n) {
                return vec![n];
            }
        }
    }
    Vec::new()
}

/// Class/id words of the blocks that print the article's date.
const DATE_BLOCK_WORDS: &[&str] = &[
    "date",
    "time",
    "posted",
    "published",
    "submitted",
    "byline",
    "dateline",
    "meta",
];

/// Most date blocks looked at, and the longest text read from one.
const MAX_DATE_BLOCKS: usize = 40;
const DATE_BLOCK_MAX: usize = 300;

/// The publication date as the page prints it near the byline, for pages without a
/// machine-readable one: the first date (as `ingest::header` reads news dates) in a
/// short block whose class/id says `date`, `time`, `posted`, `published`, `submitted`,
/// `byline` or `meta`, skipping one labelled `Updated` unless the page prints no other
/// (an article that shows only when it was updated was published by then, and is dated
/// rather than left out of every date filter). Returned unparsed.
pub(super) fn printed_date(doc: &Html) -> Option<String> {
    let mut updated = None;
    let blocks = doc
        .tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .filter(|e| {
            let el = e.value();
            !matches!(el.name(), "html" | "body" | "script" | "style" | "head")
                && el.classes().chain(el.id()).any(|c| {
                    let c = c.to_ascii_lowercase();
                    DATE_BLOCK_WORDS.iter().any(|w| c.contains(w))
                })
        })
        .take(MAX_DATE_BLOCKS);
    for b in blocks {
        let text = collapse(&b.text().collect::<String>());
        if text.is_empty() || text.len() > DATE_BLOCK_MAX {
            continue;
        }
        // a date and its time in two text nodes (React prints `Jan 14 2025<!-- -->7:32
        // PM`, which reads `Jan 14 20257:32 PM`)
        let text = crate::ingest::pagedump::deglue_date_line(&text);
        for c in date_re().captures_iter(&text) {
            let label = c.get(1).map_or("", |m| m.as_str()).to_ascii_lowercase();
            let Some(d) = c.get(2) else { continue };
            if label.contains("updated") {
                updated.get_or_insert_with(|| d.as_str().to_string());
                continue;
            }
            return Some(d.as_str().to_string());
        }
    }
    updated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_not_authors() {
        for (name, site, want) in [
            ("example.de", None, true),
            ("www.chain-post.com", None, true),
            ("Chain Post", Some("chain post"), true),
            ("Jane Roe", Some("Chain Post"), false),
            ("J. R. Roe", None, false),
            ("Dr.Who", None, false),
        ] {
            assert_eq!(is_site_name(name, site), want, "{name}");
        }
    }

    #[test]
    fn byline_text_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Von Jane Roe, dpa", &["Jane Roe"]),
            ("By Ann Lee and Bo Chan", &["Ann Lee", "Bo Chan"]),
            ("By Ann Lee on May 2, 2024", &["Ann Lee"]),
            ("Par Marie Curie le 3 mai 2021", &["Marie Curie"]),
            ("By Ann Lee | 12:00", &["Ann Lee"]),
            ("Posted in Markets", &[]),
            ("By the close, prices had fallen sharply.", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(names_from_text(text), *want, "{text}");
        }
    }

    #[test]
    fn printed_dates() {
        let page = |body: &str| Html::parse_document(&format!("<html><body>{body}</body></html>"));
        let cases = [
            (
                r#"<div class="post-date">Posted on March 8, 2019</div>"#,
                Some("March 8, 2019"),
            ),
            (
                r#"<p class="meta">Updated May 3, 2024 | Published May 2, 2024, 9:05 AM</p>"#,
                Some("May 2, 2024, 9:05 AM"),
            ),
            (
                r#"<div class="byline">By Ann Lee, 11/07/2025</div>"#,
                Some("11/07/2025"),
            ),
            (
                r#"<div class="date">Updated: Jul 11, 2025 at 08:35 AM EDT</div>"#,
                Some("Jul 11, 2025 at 08:35 AM EDT"),
            ),
            (r#"<p>Published March 8, 2019</p>"#, None),
            (r#"<div class="timeline">Bitcoin hit a record</div>"#, None),
        ];
        for (body, want) in cases {
            assert_eq!(printed_date(&page(body)).as_deref(), want, "{body}");
        }
    }

    #[test]
    fn byline_elements() {
        let doc = Html::parse_document(
            r#"<html><body><div class="submitted">Saved by <span class="username">jroe</span> on 2 May 2024</div>
            <p>By Someone Else</p></body></html>"#,
        );
        assert_eq!(byline_authors(&doc), ["jroe"]);
        let doc = Html::parse_document(
            "<html><body><byline>Von Jane Roe, dpa</byline><p>Text.</p></body></html>",
        );
        assert_eq!(byline_authors(&doc), ["Jane Roe"]);
        let doc = Html::parse_document(
            r#"<html><body><div class="author-bio">Jane Roe is a writer who covers markets.</div></body></html>"#,
        );
        assert!(byline_authors(&doc).is_empty());
    }
}
