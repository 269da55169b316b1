//! RSS (0.9x, 1.0, 2.0) and Atom feeds, read with feed-rs: every item or entry is one
//! article. Title, link, pubDate/published/updated, category, dc:creator/author and
//! content:encoded/content/description (HTML stripped to text and boilerplate such as
//! "The post … appeared first on …" removed); the feed's own title is the source.
//!
//! Safety: quick-xml (under feed-rs) never expands custom entities and never reads
//! external ones, so `<!ENTITY xxe SYSTEM "file:///etc/passwd">` and "billion laughs"
//! stay inert text. The text arrives already decoded, so an `encoding="…"` in the XML
//! declaration is rewritten to UTF-8 before parsing.
//!
//! HTML in items is stripped by `html`, tags and names are split by `text::lists`; this
//! module maps feed-rs entries to articles and repairs what feed-rs cannot read.

use super::html::{self, Plain, inline_text};
use super::records::Parsed;
use crate::model::RawArticle;
use crate::text::lists::{Entities, split_people, split_tags};

/// The XML prolog says UTF-8, and no other XML declaration remains: the text is already
/// decoded. A leading declaration is replaced by `<?xml version="1.0"
/// encoding="UTF-8"?>`; any later one (a feed appended to a cut-off one) is turned into
/// an ordinary processing instruction (`<?xml-decl …?>`), because quick-xml panics when
/// a declaration after the start switches the encoding.
fn force_utf8_declaration(text: &str) -> std::borrow::Cow<'_, str> {
    const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    // quick-xml reads `<?xml` + XML whitespace (or `<?xml?>`) as a declaration
    let is_decl = |at: &str| {
        at.strip_prefix("<?xml")
            .is_some_and(|r| r.starts_with([' ', '\t', '\r', '\n', '?']))
    };
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let mut out = String::new();
    let mut copied = 0;
    if is_decl(t)
        && let Some(end) = t.find("?>")
    {
        out.push_str(PROLOG);
        copied = end + 2;
    }
    let mut from = copied;
    while let Some(off) = t[from..].find("<?xml") {
        let at = from + off;
        from = at + "<?xml".len();
        if is_decl(&t[at..]) {
            out.push_str(&t[copied..from]);
            out.push_str("-decl");
            copied = from;
        }
    }
    if out == t[..copied] {
        return t.into(); // nothing changed
    }
    out.push_str(&t[copied..]);
    out.into()
}

/// Puts a space between an e-mail address and a non-ASCII character (or an entity
/// reference, which may decode to one) written right against it. feed-rs 3.0 cuts the
/// name out of `jane@x.io–Jane Doe` one byte past the address and panics when that
/// byte is inside a character; the space keeps every cut on a
/// character boundary and changes nothing a search can see.
fn separate_emails(text: &str) -> std::borrow::Cow<'_, str> {
    static EMAIL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = EMAIL.get_or_init(|| {
        regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?:>\]\))?")
            .expect("e-mail regex compiles")
    });
    if !text.contains('@') {
        return text.into();
    }
    let risky_before = |c: char| !c.is_ascii() || c == ';';
    let risky_after = |c: char| !c.is_ascii() || c == '&';
    let mut out = String::new();
    let mut copied = 0;
    for m in re.find_iter(text) {
        let before = text[..m.start()]
            .chars()
            .next_back()
            .is_some_and(risky_before);
        let after = text[m.end()..].chars().next().is_some_and(risky_after);
        if !before && !after {
            continue;
        }
        out.push_str(&text[copied..m.start()]);
        if before {
            out.push(' ');
        }
        out.push_str(m.as_str());
        if after {
            out.push(' ');
        }
        copied = m.end();
    }
    if copied == 0 {
        return text.into();
    }
    out.push_str(&text[copied..]);
    out.into()
}

/// A person as feeds write them: `Jane Doe`, `jane@x.io (Jane Doe)`, `(Jane Doe)`;
/// a bare e-mail address is no name. (Records and JSON-LD give people as objects, read
/// by `values`; several names in one string are split by `text::lists::split_people`.)
fn person_name(raw: &str) -> Option<String> {
    let t = raw.trim();
    if let (Some(open), true) = (t.find('('), t.ends_with(')')) {
        let inner = t[open + 1..t.len() - 1].trim();
        if !inner.is_empty() {
            return Some(inner.to_string());
        }
    }
    let t = t.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    let bare_email = t.contains('@') && !t.contains(' ');
    (!t.is_empty() && !bare_email).then(|| t.to_string())
}

/// The feed-rs reading of a feed's text: the XML declaration made UTF-8 and e-mail
/// addresses kept off multi-byte characters first (see above).
fn read_feed(text: &str) -> Result<feed_rs::model::Feed, String> {
    let xml = force_utf8_declaration(text);
    let xml = separate_emails(&xml);
    let parser = feed_rs::parser::Builder::new()
        .sanitize_content(false)
        .build();
    parser
        .parse(xml.as_bytes())
        .map_err(|e| format!("invalid feed: {e}"))
}

/// The feed's own title, the source of its articles.
fn feed_source(feed: &feed_rs::model::Feed) -> Option<String> {
    feed.title
        .as_ref()
        .map(|t| inline_text(&t.content, Plain::Collapsed))
        .filter(|s| !s.is_empty())
}

/// What a record of the feed is called in locators: `entry N` in Atom, `item N` in RSS.
fn record_label(feed: &feed_rs::model::Feed) -> &'static str {
    match feed.feed_type {
        feed_rs::model::FeedType::Atom => "entry",
        _ => "item",
    }
}

/// Parses a feed; entries without title and text are reported as bad records.
pub fn parse(text: &str) -> Result<Parsed, String> {
    let feed = read_feed(text)?;
    let source = feed_source(&feed);
    let label = record_label(&feed);
    let mut out = Parsed::default();
    for (i, e) in feed.entries.into_iter().enumerate() {
        match entry_article(e, format!("{label} {}", i + 1), source.as_deref()) {
            Ok(a) => out.articles.push(a),
            Err(reason) => out.record_errors.push(reason),
        }
    }
    Ok(out)
}

/// The source of a streamed feed, from its header alone (the root and channel
/// elements with what precedes the first item, closed: see `feedstream`).
pub(super) fn header_source(doc: &str) -> Result<Option<String>, String> {
    read_feed(doc).map(|f| feed_source(&f))
}

/// One item of a streamed feed, handed over as a feed of its own (the root and
/// channel start tags, the item, the closing tags): its article or bad-record message,
/// read exactly as [`parse`] reads the same item in the whole feed. `loc` is its
/// locator (`item 12`, `entry 12`: its number among the feed's items), `source` the
/// feed's title ([`header_source`]). None when feed-rs finds no entry in it (nor would
/// it in the whole feed, so it is not counted).
pub(super) fn parse_item(
    doc: &str,
    loc: String,
    source: Option<&str>,
) -> Option<Result<RawArticle, String>> {
    let feed = match read_feed(doc) {
        Ok(f) => f,
        Err(reason) => return Some(Err(format!("{loc}: {reason}"))),
    };
    let e = feed.entries.into_iter().next()?;
    Some(entry_article(e, loc, source))
}

/// One feed entry as an article (located at `loc`, `item 12`), or its bad-record
/// message when it has neither title nor text. Shared by whole and streamed feeds.
fn entry_article(
    e: feed_rs::model::Entry,
    loc: String,
    source: Option<&str>,
) -> Result<RawArticle, String> {
    let mut a = RawArticle {
        title: e
            .title
            .as_ref()
            .map(|t| inline_text(&t.content, Plain::Collapsed))
            .filter(|s| !s.is_empty()),
        source: source.map(str::to_string),
        locator: Some(loc),
        ..Default::default()
    };
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| l.href.trim().to_string());
    a.url = link.or_else(|| {
        let id = e.id.trim();
        (id.starts_with("http://") || id.starts_with("https://")).then(|| id.to_string())
    });
    a.published = e.published.or(e.updated).map(|d| d.to_rfc3339());
    // RSS readers fill `updated` with the pubDate: only a distinct time is an update
    a.updated = e
        .updated
        .filter(|u| e.published.is_some_and(|p| p != *u))
        .map(|d| d.to_rfc3339());
    for c in &e.categories {
        let t = c.label.as_deref().unwrap_or(&c.term);
        a.tags.extend(split_tags(t, Entities::Decode));
    }
    for p in &e.authors {
        if let Some(n) = p.name.as_deref().and_then(person_name) {
            a.authors.extend(split_people(&n));
        }
    }
    let content = e
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(html::body_to_text)
        .filter(|s| !s.is_empty());
    let summary = e
        .summary
        .as_ref()
        .map(|s| html::body_to_text(&s.content))
        .filter(|s| !s.is_empty());
    match content {
        Some(body) => {
            // a summary that only repeats the start of the body is not a dek
            a.dek = summary
                .filter(|s| !body.starts_with(s.trim_end_matches(['…', '.', ' '])))
                .map(|s| s.replace("\n\n", " "));
            a.body = body;
        }
        None => a.body = summary.unwrap_or_default(),
    }
    if a.title.is_none() && a.body.is_empty() {
        return Err(format!(
            "{}: no title and no body",
            a.locator.unwrap_or_default()
        ));
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_declaration_table() {
        let utf8 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
        let cases = [
            (
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss/>".to_string(),
                format!("{utf8}<rss/>"),
            ),
            (
                "\u{feff}\n<?xml version='1.0' encoding='windows-1252' ?><feed/>".to_string(),
                format!("{utf8}<feed/>"),
            ),
            ("<?xml version=\"1.0\"?><rss/>".to_string(), format!("{utf8}<rss/>")),
            (format!("{utf8}<rss/>"), format!("{utf8}<rss/>")),
            ("<rss/>".to_string(), "<rss/>".to_string()),
            (String::new(), String::new()),
            ("<?xml ".to_string(), "<?xml-decl ".to_string()),
            // a declaration further down becomes a plain processing instruction
            // (quick-xml panics when one switches the encoding)
            (
                "<?xml version=\"1.0\"?><rss><title>A<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?></title></rss>".to_string(),
                format!("{utf8}<rss><title>A<?xml-decl version=\"1.0\" encoding=\"ISO-8859-1\"?></title></rss>"),
            ),
            (
                "<rss>x<?xml?>y<?xml\tencoding='latin1'?></rss>".to_string(),
                "<rss>x<?xml-decl?>y<?xml-decl\tencoding='latin1'?></rss>".to_string(),
            ),
            (
                "<?xml-stylesheet href=\"a.xsl\"?><rss/>".to_string(),
                "<?xml-stylesheet href=\"a.xsl\"?><rss/>".to_string(),
            ),
            (
                "<?xml version=\"1.0\" encoding=\"utf".to_string(),
                "<?xml-decl version=\"1.0\" encoding=\"utf".to_string(),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(force_utf8_declaration(&input), want, "{input}");
        }
        // feeds with a later declaration that switches the encoding: parsed or refused,
        // never a panic
        let cut_then_appended = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>One</title><item><title>First</title><description>cut\n<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Two</title></channel></rss>";
        let garbled = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><ch<?xml annel><title>Cr\u{e8}hversion=\"1.0\" encoding=\"utf-8\"?<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<item><title>x</title></item></ch></rss>";
        for xml in [cut_then_appended, garbled] {
            let _ = parse(xml);
        }
    }

    #[test]
    fn emails_against_non_ascii_are_separated() {
        let cases = [
            (
                "<author>jane@x.io–Jane Doe</author>",
                "<author>jane@x.io –Jane Doe</author>",
            ),
            (
                "<author>Jane·jane@x.io</author>",
                "<author>Jane· jane@x.io</author>",
            ),
            (
                "<author>jane@x.io&#8211;Jane</author>",
                "<author>jane@x.io &#8211;Jane</author>",
            ),
            (
                "<author>jane@x.io (Jane)</author>",
                "<author>jane@x.io (Jane)</author>",
            ),
            ("no address – here", "no address – here"),
        ];
        for (input, want) in cases {
            assert_eq!(separate_emails(input), want);
        }
        // feeds with such authors parse (feed-rs would cut them inside a character)
        for author in [
            "desk@blocktackle.exa\u{fffd}mple (Marit Solberg)",
            "jane@x.io–Jane Doe",
            "Jane Doe–jane@x.io",
            "jane@x.io&#8211;Jane Doe",
            "Jane &#183;jane@x.io",
        ] {
            let xml = format!(
                "<rss version=\"2.0\"><channel><title>T</title><managingEditor>{author}</managingEditor><item><title>A</title><author>{author}</author><description>x</description></item></channel></rss>"
            );
            assert!(parse(&xml).is_ok(), "{author}");
        }
    }

    #[test]
    fn person_table() {
        let cases = [
            ("Jane Doe", Some("Jane Doe")),
            ("jane@chaindaily.example (Jane Doe)", Some("Jane Doe")),
            ("(Jane Doe)", Some("Jane Doe")),
            ("jane@chaindaily.example", None),
            ("  ", None),
        ];
        for (raw, want) in cases {
            assert_eq!(person_name(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn rss_items() {
        let xml = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Chain Daily</title><link>https://chaindaily.example</link>
<item><title>Fees Fall &amp; Rise</title><link>https://chaindaily.example/fees</link>
<pubDate>Wed, 10 Jan 2024 16:05:00 -0500</pubDate><dc:creator>Ann Lee</dc:creator>
<category>Fees</category><category>Ethereum</category>
<description>Short café dek.</description>
<content:encoded><![CDATA[<p>Fees fell.</p><p>The post Fees Fall appeared first on Chain Daily.</p>]]></content:encoded></item>
<item><description></description></item>
</channel></rss>"#;
        let p = parse(xml).unwrap();
        assert_eq!(p.articles.len(), 1);
        assert_eq!(p.record_errors, ["item 2: no title and no body"]);
        let a = &p.articles[0];
        assert_eq!(a.title.as_deref(), Some("Fees Fall & Rise"));
        assert_eq!(a.url.as_deref(), Some("https://chaindaily.example/fees"));
        assert_eq!(a.published.as_deref(), Some("2024-01-10T21:05:00+00:00"));
        assert_eq!(a.authors, ["Ann Lee"]);
        assert_eq!(a.tags, ["Fees", "Ethereum"]);
        assert_eq!(a.dek.as_deref(), Some("Short café dek."));
        assert_eq!(a.body, "Fees fell.");
        assert_eq!(a.source.as_deref(), Some("Chain Daily"));
        assert_eq!(a.locator.as_deref(), Some("item 1"));
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let mut dtd = String::from("<!DOCTYPE rss [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            dtd.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&{prev};").repeat(10)
            ));
        }
        dtd.push_str("]>");
        let xml = format!(
            "<?xml version=\"1.0\"?>{dtd}<rss version=\"2.0\"><channel><title>T</title><item><title>Laughs</title><description>&lol9;</description></item></channel></rss>"
        );
        let p = parse(&xml).unwrap();
        assert_eq!(p.articles[0].title.as_deref(), Some("Laughs"));
        assert!(p.articles[0].body.len() < 100, "{}", p.articles[0].body);
    }
}
