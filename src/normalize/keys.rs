//! The keys documents are found and told apart by: the cleaned tag, the source key (from
//! a name or a URL's host), the canonical URL and the 16-hex-digit id. The normalizer
//! makes them when it builds an [`Article`](crate::Article), and search makes them again
//! from what the user types (`--source`, `source:`, `--tag`), so both agree.
//!
//! It does not decide which raw field a key comes from or what falls back to what (see
//! `normalize::normalize`).

use xxhash_rust::xxh3::xxh3_64;

use crate::text::clean_inline;

/// 16 hex digits of xxh3-64.
pub fn hex_id(bytes: &[u8]) -> String {
    format!("{:016x}", xxh3_64(bytes))
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

/// Whether a URL is a site's front page (`https://www.example.com/`, `…/index.html`):
/// it names no article. Sites that write it as every page's `og:url` would otherwise
/// give all their pages one id.
pub fn is_front_page(url: &str) -> bool {
    let c = canonical_url(url);
    let rest = c.split_once("://").map_or(c.as_str(), |(_, r)| r);
    if rest.contains('?') {
        // `/?p=123`: WordPress's article URL without permalinks
        return false;
    }
    match rest.split_once('/') {
        None => true,
        Some((_, path)) => {
            let path = path.to_ascii_lowercase();
            ["index.html", "index.htm", "index.php"].contains(&path.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // keys are their own keys (normalizing an article twice changes nothing)
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
    fn front_pages_name_no_article() {
        for (u, want) in [
            ("https://www.example.com", true),
            ("https://www.example.com/", true),
            ("https://Example.com/index.html", true),
            ("https://example.com/?utm_source=x", true),
            ("https://example.com/?p=123", false),
            ("https://example.com/news/a-story", false),
            ("https://example.com/2025/01/10/", false),
        ] {
            assert_eq!(is_front_page(u), want, "{u}");
        }
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
}
