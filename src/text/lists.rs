//! Lists written in one string, as metadata and page headers print them: tags
//! (`markets, policy | bitcoin`) and people (`By Ann Lee, Bo Chan and Cy Dee`). Items are
//! trimmed and empty ones dropped.
//!
//! It does not clean an item into a key (see `normalize::keys`) or find the list in a
//! page or record (the parsers do).

use super::non_empty;

/// Whether [`split_tags`] decodes HTML entities before splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entities {
    /// Values from markup (JSON, HTML meta, feed categories) may hold entities; decoded
    /// first, `ETFs &amp; Funds` is one tag rather than being cut at the `;`.
    Decode,
    /// Text as a page showed it (a page-dump tag line): split as it reads, the
    /// normalizer decodes each tag later.
    Keep,
}

/// Tags from one string split on `,` `|` `;`.
pub fn split_tags(s: &str, entities: Entities) -> Vec<String> {
    let decoded;
    let s = match entities {
        Entities::Decode => {
            decoded = html_escape::decode_html_entities(s);
            &*decoded
        }
        Entities::Keep => s,
    };
    s.split([',', '|', ';']).filter_map(non_empty).collect()
}

/// `By Ann Lee, Bo Chan and Cy Dee` → three names. A publisher written before the byline,
/// as feeds do (`Chain Daily by Ann Lee`), is dropped: [`publisher_prefix`].
pub fn split_people(s: &str) -> Vec<String> {
    let decoded = html_escape::decode_html_entities(s);
    let s = decoded.trim();
    let s = match s.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => &s[3..],
        _ => &s[publisher_prefix(s)..],
    };
    s.split([',', ';', '|'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" & "))
        .filter_map(non_empty)
        .collect()
}

/// Length of a `Publisher by ` prefix: one to three capitalized words, then ` by `
/// and a capitalized name (`Cointelegraph by Ann Lee`, `Chain Daily by Bo Chan`); 0 when
/// there is none.
fn publisher_prefix(s: &str) -> usize {
    let Some(at) = s.find(" by ") else {
        return 0;
    };
    let (head, name) = (&s[..at], &s[at + 4..]);
    let words: Vec<&str> = head.split(' ').collect();
    let publisher = words.len() <= 3
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '\''))
        });
    if publisher && name.chars().next().is_some_and(char::is_uppercase) {
        at + 4
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_and_tags_table() {
        let people: &[(&str, &[&str])] = &[
            ("By Ann Lee and Bo Chan", &["Ann Lee", "Bo Chan"]),
            ("by Ann Lee &amp; Bo Chan", &["Ann Lee", "Bo Chan"]),
            (
                "Ann Lee; Bo Chan | Cy Dee",
                &["Ann Lee", "Bo Chan", "Cy Dee"],
            ),
            ("Byron Lee", &["Byron Lee"]),
            ("Chain Daily by Ann Lee", &["Ann Lee"]),
            ("Ledgerpost by Ann Lee and Bo Chan", &["Ann Lee", "Bo Chan"]),
            ("Written by hand", &["Written by hand"]),
        ];
        for (s, want) in people {
            assert_eq!(&split_people(s), want, "{s}");
        }
        assert_eq!(
            split_tags("ETFs &amp; Funds; SEC", Entities::Decode),
            ["ETFs & Funds", "SEC"]
        );
        // a page-dump line is split as it reads; the normalizer decodes each tag
        assert_eq!(
            split_tags("exchanges, security |hacks", Entities::Keep),
            ["exchanges", "security", "hacks"]
        );
    }
}
