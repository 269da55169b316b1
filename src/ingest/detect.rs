//! Which format a file is: the extension first (the one under `.gz`), then sniffing the
//! content. The rules are described in `docs/FORMATS.md`.
//!
//! It does not read or decode files (see `read`) and does not parse them: the sniffers
//! for NDJSON and front matter are the parsers' own (`records::looks_like_ndjson`,
//! `markdown::split_front_matter`).

use std::path::Path;

use super::{markdown, records};

/// Input formats coindex understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A scraped page saved as text (`.txt`).
    PageDump,
    /// An HTML page (`.html`, `.htm`, or any file that sniffs as HTML).
    Html,
    /// Markdown with optional YAML (`---`) or TOML (`+++`) front matter.
    Markdown,
    /// One article object, an array of them, or an object holding the array.
    Json,
    /// One JSON article object per line (`.ndjson`, `.jsonl`).
    Ndjson,
    /// Comma-separated records with a header row.
    Csv,
    /// Tab-separated records with a header row.
    Tsv,
    /// An RSS 0.9x/1.0/2.0 or Atom feed.
    Feed,
}

impl Format {
    /// Short name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::PageDump => "pagedump",
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Feed => "feed",
        }
    }
}

/// Lowercased extension, with `.gz` reported separately.
pub(crate) fn extensions(path: &Path) -> (String, bool) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(n) => (n.to_string(), true),
        None => (name, false),
    };
    let ext = Path::new(&name)
        .extension()
        .map(|e| e.to_string_lossy().to_string())
        .unwrap_or_default();
    (ext, gz)
}

/// Decides the format from the extension (the one under `.gz`), then from the content.
///
/// `.txt` stays a page dump unless it sniffs as HTML; `.xml` must sniff as a feed (or
/// XHTML); files with no or an unknown extension are sniffed: `{`/`[` → JSON (NDJSON
/// when the first line is a whole object and more object lines follow), `<rss`/`<feed`/
/// `<rdf:RDF` → feed, `<!doctype html`/`<html` → HTML, front matter → Markdown.
pub fn detect_format(path: &Path, text: &str) -> Result<Format, String> {
    let (ext, _) = extensions(path);
    match ext.as_str() {
        "txt" | "text" => Ok(if sniff_html(text) {
            Format::Html
        } else {
            Format::PageDump
        }),
        "html" | "htm" | "xhtml" | "shtml" => Ok(Format::Html),
        "md" | "markdown" | "mdown" | "mkd" | "mkdn" => Ok(Format::Markdown),
        "json" => Ok(Format::Json),
        "ndjson" | "jsonl" => Ok(Format::Ndjson),
        "csv" => Ok(Format::Csv),
        "tsv" | "tab" => Ok(Format::Tsv),
        "rss" | "atom" | "rdf" | "xml" => match sniff(text) {
            Some(f @ (Format::Feed | Format::Html)) => Ok(f),
            _ => Err(format!(
                "`.{ext}` file is not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root)"
            )),
        },
        // code and configuration are never articles, whatever they start with
        "yaml" | "yml" | "toml" | "js" | "mjs" | "ts" | "css" | "py" | "rs" | "go" | "java"
        | "c" | "h" | "cpp" | "sh" | "ini" | "cfg" | "conf" | "lock" | "log" | "sql" | "svg" => {
            Err(format!("unsupported file type `.{ext}`"))
        }
        other => sniff(text).ok_or_else(|| {
            if other.is_empty() {
                "unknown file type (no extension and no recognizable content)".to_string()
            } else {
                format!("unsupported file type `.{other}` (and the content is not a known format)")
            }
        }),
    }
}

/// The first `n` bytes of `text`, cut at a character boundary.
fn head(text: &str, n: usize) -> &str {
    let mut end = text.len().min(n);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// True when the first KB holds `<!doctype html` or `<html`.
pub fn sniff_html(text: &str) -> bool {
    let h = head(text, 1024).to_ascii_lowercase();
    h.contains("<!doctype html") || h.contains("<html")
}

/// Guesses the format from the content alone.
pub fn sniff(text: &str) -> Option<Format> {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    match t.as_bytes().first() {
        Some(b'{') => {
            return Some(if records::looks_like_ndjson(t) {
                Format::Ndjson
            } else {
                Format::Json
            });
        }
        Some(b'[') => return Some(Format::Json),
        _ => {}
    }
    let h = head(t, 2048).to_ascii_lowercase();
    let feed_at = ["<rss", "<feed", "<rdf:rdf"]
        .iter()
        .filter_map(|m| h.find(m))
        .min();
    let html_at = ["<!doctype html", "<html"]
        .iter()
        .filter_map(|m| h.find(m))
        .min();
    match (feed_at, html_at) {
        (Some(f), Some(p)) if f < p => return Some(Format::Feed),
        (Some(_), None) => return Some(Format::Feed),
        (_, Some(_)) => return Some(Format::Html),
        _ => {}
    }
    if markdown::split_front_matter(t).is_some() {
        return Some(Format::Markdown);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_table() {
        assert_eq!(extensions(Path::new("a/B.TXT")), ("txt".to_string(), false));
        assert_eq!(
            extensions(Path::new("a/b.json.gz")),
            ("json".to_string(), true)
        );
        assert_eq!(extensions(Path::new("a/noext")), (String::new(), false));
    }
}
