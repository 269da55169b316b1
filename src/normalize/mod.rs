//! [`RawArticle`] → [`Article`]: the one place where every format meets the document
//! model. Decodes entities, normalizes whitespace, cleans tags, derives the source,
//! parses dates in the configured timezone and computes the stable id.
//!
//! It does not read files or know formats (see `ingest`), and it does not touch the
//! index (see `index`).

pub mod dates;

use chrono_tz::Tz;
use xxhash_rust::xxh3::xxh3_64;

use crate::model::{Article, RawArticle};
use crate::text::{clean_inline, push_collapsed};

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
    let url = raw
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .map(canonical_url);
    let source = raw
        .source
        .as_deref()
        .map(source_key)
        .filter(|s| !s.is_empty())
        .or_else(|| url.as_deref().and_then(host_source))
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
    })
}

/// 16 hex digits of xxh3-64.
pub fn hex_id(bytes: &[u8]) -> String {
    format!("{:016x}", xxh3_64(bytes))
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

/// Lowercased, trimmed tag without surrounding punctuation; `#defi` → `defi`.
pub fn clean_tag(t: &str) -> String {
    let t = clean_inline(t).to_lowercase();
    let t = t.trim_matches(|c: char| c == '#' || c == '"' || c == '\'' || c.is_whitespace());
    if t.chars().count() > 64 {
        return String::new();
    }
    t.to_string()
}

/// Lowercased source key: `CoinDesk` → `coindesk`, `The Block` → `the-block`,
/// `Bitcoin.com News` → `bitcoin-com-news`, `www.theblock.co` → `theblock`.
///
/// A key is its own key (`source_key(source_key(s)) == source_key(s)`), so a source
/// copied from the output works as `--source` and `source:`: words are joined with `-`
/// and dots inside words become `-` too, so that a key never reads as a host name.
pub fn source_key(s: &str) -> String {
    let s = clean_inline(s).to_lowercase();
    if s.starts_with("http://") || s.starts_with("https://") {
        return host_source(&s).unwrap_or_default();
    }
    if s.contains('.') && !s.contains(' ') {
        return host_source(&format!("https://{s}")).unwrap_or(s);
    }
    s.split(|c: char| c.is_whitespace() || c == '.')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Source from a URL host: the registrable name without `www.` or the public suffix
/// (`www.coindesk.com` → `coindesk`, `news.bitcoin.com` → `bitcoin`,
/// `www.ft.co.uk` → `ft`).
pub fn host_source(url: &str) -> Option<String> {
    let after = url.split_once("://")?.1;
    let host = after.split(['/', '?', '#', ':']).next()?.to_lowercase();
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let name = match labels.len() {
        0 => return None,
        1 => labels[0],
        n => {
            let sld = labels[n - 2];
            if n >= 3
                && labels[n - 1].len() == 2
                && ["co", "com", "org", "net", "ac", "gov"].contains(&sld)
            {
                labels[n - 3]
            } else {
                sld
            }
        }
    };
    // a malformed URL can carry spaces in its host (`https://coin wire.com`)
    let name = name.split_whitespace().collect::<Vec<_>>().join("-");
    (!name.is_empty()).then_some(name)
}

/// Canonical form of a URL for ids: lowercase scheme and host, no fragment, no tracking
/// parameters, no trailing slash.
pub fn canonical_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            !p.is_empty()
                && !p.starts_with("utm_")
                && !p.starts_with("fbclid")
                && !p.starts_with("gclid")
                && !p.starts_with("ref=")
        })
        .collect();
    let mut out = format!(
        "{}://{}{}",
        scheme.to_lowercase(),
        host.to_lowercase(),
        path.trim_end_matches('/')
    );
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
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
    fn source_table() {
        let cases = [
            (
                "https://www.coindesk.com/policy/2024/01/10/x/",
                Some("coindesk"),
            ),
            ("https://news.bitcoin.com/a", Some("bitcoin")),
            ("https://www.ft.co.uk/a", Some("ft")),
            ("not a url", None),
        ];
        for (u, want) in cases {
            assert_eq!(host_source(u).as_deref(), want, "{u}");
        }
        assert_eq!(source_key("CoinDesk"), "coindesk");
        assert_eq!(source_key("The Block"), "the-block");
        assert_eq!(source_key("www.theblock.co"), "theblock");
        // keys are their own keys (found by the idempotence property)
        for s in [
            "A .",
            "Bitcoin.com News",
            "x.y zz.com",
            "https://coin wire.com/a",
        ] {
            let k = source_key(s);
            assert_eq!(source_key(&k), k, "{s}");
        }
        assert_eq!(source_key("Bitcoin.com News"), "bitcoin-com-news");
        assert_eq!(source_key("https://coin wire.com/a"), "coin-wire");
    }

    #[test]
    fn canonical_url_table() {
        let cases = [
            (
                "HTTPS://WWW.Example.com/a/b/?utm_source=x&id=3#top",
                "https://www.example.com/a/b?id=3",
            ),
            ("https://example.com/a/", "https://example.com/a"),
        ];
        for (u, want) in cases {
            assert_eq!(canonical_url(u), want);
        }
    }

    #[test]
    fn tag_table() {
        let cases = [
            (" Markets ", "markets"),
            ("#DeFi", "defi"),
            ("ETFs &amp; Funds", "etfs & funds"),
            ("", ""),
        ];
        for (t, want) in cases {
            assert_eq!(clean_tag(t), want);
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
