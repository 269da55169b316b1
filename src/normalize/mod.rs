//! [`RawArticle`] → [`Article`]: the one place where every format meets the document
//! model. Decodes entities, normalizes whitespace, cleans tags, derives the source,
//! parses dates in the configured timezone (`dates`) and computes the stable id; the keys
//! (tag, source, canonical URL, id) are made in `keys`.
//!
//! It does not read files or know formats (see `ingest`), its whitespace and entity rules
//! are the parsers' too (see `text`), and it does not touch the index (see `index`).

pub mod dates;
pub mod keys;

use chrono_tz::Tz;

use crate::model::{Article, RawArticle};
use crate::text::{clean_inline, push_collapsed};

pub use keys::{canonical_url, clean_tag, hex_id, host_source, is_front_page, source_key};

/// Settings the normalizer needs.
#[derive(Debug, Clone)]
pub struct NormalizeOptions {
    /// Timezone for times printed without an offset.
    pub timezone: Tz,
}

/// Why a record could not become an article.
pub const EMPTY_REASON: &str = "no article text found (no title and no body)";

/// Normalizes one raw article. `fallback_source` is used when neither metadata nor URL
/// name a source (page dumps: the first folder under the indexed root).
pub fn normalize(
    raw: RawArticle,
    path: &str,
    fallback_source: &str,
    opts: &NormalizeOptions,
) -> Result<Article, String> {
    let title = clean_inline(raw.title.as_deref().unwrap_or(""));
    let dek = clean_inline(raw.dek.as_deref().unwrap_or(""));
    let body = clean_body(&raw.body);
    if title.is_empty() && body.is_empty() {
        return Err(EMPTY_REASON.to_string());
    }
    let site_url = raw
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .map(canonical_url);
    // a front page names the site, not the article: no URL (and no URL id) for it
    let url = site_url.clone().filter(|u| !keys::is_front_page(u));
    let source = raw
        .source
        .as_deref()
        .map(source_key)
        .filter(|s| !s.is_empty())
        .or_else(|| site_url.as_deref().and_then(host_source))
        .unwrap_or_else(|| source_key(fallback_source));
    let published = raw
        .published
        .as_deref()
        .and_then(|d| dates::parse_date(d, opts.timezone));
    let updated = raw
        .updated
        .as_deref()
        .and_then(|d| dates::parse_date(d, opts.timezone));
    // A page that only shows an update time is dated by it.
    let published = published.or(updated);
    let mut tags: Vec<String> = Vec::new();
    for t in &raw.tags {
        let t = clean_tag(t);
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    let mut authors: Vec<String> = Vec::new();
    for a in &raw.authors {
        let a = clean_inline(a);
        if !a.is_empty() && !authors.contains(&a) {
            authors.push(a);
        }
    }
    let path = match &raw.locator {
        Some(loc) => format!("{path}#{loc}"),
        None => path.to_string(),
    };
    let id = match &url {
        Some(u) => hex_id(u.as_bytes()),
        None => {
            let key = format!(
                "{}\u{1f}{}\u{1f}{}",
                title.to_lowercase(),
                published.map(|d| d.timestamp()).unwrap_or(0),
                body
            );
            hex_id(key.as_bytes())
        }
    };
    Ok(Article {
        id,
        title,
        dek,
        url,
        source,
        authors,
        published,
        updated,
        tags,
        body,
        path,
        story: String::new(),
    })
}

/// Like [`clean_inline`] but keeps paragraph breaks as blank lines.
pub fn clean_body(s: &str) -> String {
    let decoded = html_escape::decode_html_entities(s);
    let mut out = String::with_capacity(decoded.len());
    for para in decoded.split("\n\n") {
        let mark = out.len();
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let before = out.len();
        push_collapsed(&mut out, para);
        if out.len() == before {
            out.truncate(mark);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> NormalizeOptions {
        NormalizeOptions {
            timezone: dates::parse_timezone("America/New_York").unwrap(),
        }
    }

    #[test]
    fn normalize_builds_ids_dates_and_fallbacks() {
        let raw = RawArticle {
            title: Some("Fed &amp; Crypto".into()),
            body: "First  para.\n\nSecond\u{a0}para.".into(),
            updated: Some("Mar 3, 2024, 9:14 p.m.".into()),
            tags: vec!["Markets".into(), "markets".into()],
            ..Default::default()
        };
        let a = normalize(raw.clone(), "/x/a.txt", "blockledger", &opts()).unwrap();
        assert_eq!(a.title, "Fed & Crypto");
        assert_eq!(a.body, "First para.\n\nSecond para.");
        assert_eq!(a.tags, ["markets"]);
        assert_eq!(a.source, "blockledger");
        assert_eq!(a.published, a.updated);
        assert_eq!(a.id.len(), 16);
        // same content, same id; a URL wins over content
        assert_eq!(
            normalize(raw.clone(), "/y/b.txt", "z", &opts()).unwrap().id,
            a.id
        );
        let with_url = RawArticle {
            url: Some("https://www.coindesk.com/x".into()),
            ..raw
        };
        let b = normalize(with_url, "/x/a.txt", "z", &opts()).unwrap();
        assert_eq!(b.id, hex_id(b"https://www.coindesk.com/x"));
        assert_eq!(b.source, "coindesk");
        let empty = RawArticle::default();
        assert!(normalize(empty, "/e.txt", "z", &opts()).is_err());
    }
}
