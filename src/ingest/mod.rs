//! Walking folders and turning each file into raw articles.
//!
//! [`walk`] lists candidate files (hidden files and folders skipped, symlinks followed
//! with loop detection) and reports what it cannot enter. [`read_file`] applies the size
//! limit, gunzips, rejects binaries, decodes text; [`detect_format`] decides the format
//! (extension first, then content sniffing) and [`parse_text`] dispatches to one module
//! per format: `pagedump` (scraped `.txt`), `html`, `markdown`, `records` (JSON, NDJSON,
//! CSV, TSV) and `feed` (RSS, Atom). Nothing here touches the index or normalizes fields
//! (see `normalize`). The formats, their detection and the field mapping are described
//! in `docs/FORMATS.md`.

pub mod decode;
pub mod feed;
pub mod html;
pub mod markdown;
pub mod pagedump;
pub mod records;

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::model::RawArticle;

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

/// The coindex fields a `--map FIELD=NAME` override can target.
pub const MAP_FIELDS: &[&str] = &[
    "title",
    "dek",
    "body",
    "url",
    "source",
    "authors",
    "published",
    "updated",
    "tags",
];

/// Limits and overrides for reading files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Largest file (after decompression) that is read, in bytes.
    pub max_file_bytes: u64,
    /// `--map FIELD=NAME` overrides for record formats (JSON, NDJSON, CSV, TSV) and
    /// front matter: (coindex field, input key or column). FIELD is one of
    /// [`MAP_FIELDS`]; NAME is matched exactly first, then ignoring case, `_` and `-`,
    /// then as a dotted path (`publisher.name`).
    pub field_map: Vec<(String, String)>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_file_bytes: 64 * 1024 * 1024,
            field_map: Vec::new(),
        }
    }
}

/// Parses `--map FIELD=NAME` arguments; the error is a sentence for the user.
pub fn parse_field_map(args: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for arg in args {
        let Some((field, name)) = arg.split_once('=') else {
            return Err(format!(
                "--map {arg:?}: expected FIELD=NAME, for example --map title=headline"
            ));
        };
        let field = field.trim().to_lowercase();
        let name = name.trim();
        if !MAP_FIELDS.contains(&field.as_str()) {
            return Err(format!(
                "--map {arg:?}: unknown field `{field}`; FIELD is one of {}",
                MAP_FIELDS.join(", ")
            ));
        }
        if name.is_empty() {
            return Err(format!("--map {arg:?}: the input name after `=` is empty"));
        }
        out.retain(|(f, _)| *f != field);
        out.push((field, name.to_string()));
    }
    Ok(out)
}

/// A file found by the walker.
#[derive(Debug, Clone, Default)]
pub struct FoundFile {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: i64,
}

/// Something the walker could not list or enter.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub reason: String,
}

/// What a parser got out of one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub articles: Vec<RawArticle>,
    /// Records that could not be used, each `locator: reason`.
    pub record_errors: Vec<String>,
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
}

/// Lists every non-hidden regular file under `root` (or `root` itself if it is a file).
/// What cannot be listed or read as a file (unreadable folders, symlink loops, FIFOs,
/// sockets, devices) comes back as a [`WalkProblem`] with its reason.
pub fn walk(root: &Path) -> (Vec<FoundFile>, Vec<WalkProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    walk_each(root, |f| files.push(f), &mut problems);
    (files, problems)
}

/// [`walk`], handing each file to `on_file` as it is listed instead of collecting them
/// (a million-file archive need not hold a million `PathBuf`s at once).
pub fn walk_each(root: &Path, mut on_file: impl FnMut(FoundFile), problems: &mut Vec<WalkProblem>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) => {
                let ft = e.file_type();
                if ft.is_dir() {
                    continue;
                }
                if !ft.is_file() {
                    // FIFOs, sockets and devices (also behind symlinks): reading one
                    // could block forever or never end, so it is reported, not read
                    problems.push(WalkProblem {
                        path: e.path().to_path_buf(),
                        reason: "not a regular file (a FIFO, socket or device); not read"
                            .to_string(),
                    });
                    continue;
                }
                match e.metadata() {
                    Ok(m) => on_file(FoundFile {
                        path: e.path().to_path_buf(),
                        size: m.len(),
                        mtime_ns: m
                            .modified()
                            .ok()
                            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                            .map(|d| d.as_nanos() as i64)
                            .unwrap_or(0),
                    }),
                    Err(err) => problems.push(WalkProblem {
                        path: e.path().to_path_buf(),
                        reason: format!("cannot read file metadata: {err}"),
                    }),
                }
            }
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf());
                let reason = if err.loop_ancestor().is_some() {
                    "symlink loop: the link points back to one of its parent folders".to_string()
                } else if let Some(io) = err.io_error() {
                    format!("cannot read: {io}")
                } else {
                    err.to_string()
                };
                problems.push(WalkProblem { path, reason });
            }
        }
    }
}

/// Lowercased extension, with `.gz` reported separately.
fn extensions(path: &Path) -> (String, bool) {
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

/// Reads, decompresses and decodes a file; returns its text.
pub fn read_text(path: &Path, bytes: &[u8], opts: &IngestOptions) -> Result<String, String> {
    let (_, gz) = extensions(path);
    let owned;
    let data: &[u8] = if gz || bytes.starts_with(b"\x1f\x8b") {
        owned = decode::gunzip(bytes, opts.max_file_bytes)?;
        &owned
    } else {
        bytes
    };
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty file".to_string());
    }
    if decode::looks_binary(data) {
        return Err(format!("binary file, not text ({})", binary_kind(data)));
    }
    Ok(decode::decode(data).0)
}

fn binary_kind(data: &[u8]) -> &'static str {
    if data.starts_with(b"\x89PNG") {
        "PNG image"
    } else if data.starts_with(b"\x7fELF") {
        "ELF executable"
    } else if data.starts_with(b"%PDF") {
        "PDF document"
    } else if data.starts_with(b"PK\x03\x04") {
        "zip archive"
    } else if data.starts_with(b"\xff\xd8\xff") {
        "JPEG image"
    } else {
        "unrecognized binary data"
    }
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

/// The message of a caught panic (`panic!("...")` payloads are `&str` or `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Parses decoded text of a detected format. `opts.field_map` applies to the record
/// formats and to Markdown front matter.
///
/// A panic inside a parser is a bug, but one file must not stop a run (and lose the
/// work since the last commit): it is caught and becomes the file's skip reason. The
/// panic message is still printed on stderr; the fuzz targets call the parsers
/// directly, so such bugs stay visible to them.
pub fn parse_text(format: Format, text: &str, opts: &IngestOptions) -> Result<Parsed, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_text_unguarded(format, text, opts)
    }))
    .unwrap_or_else(|payload| {
        Err(format!(
            "internal error in the {} parser, please report it: {}",
            format.name(),
            panic_message(payload.as_ref())
        ))
    })
}

fn parse_text_unguarded(
    format: Format,
    text: &str,
    opts: &IngestOptions,
) -> Result<Parsed, String> {
    let single = |a: RawArticle| Parsed {
        articles: vec![a],
        record_errors: Vec::new(),
    };
    match format {
        Format::PageDump => Ok(single(pagedump::parse(text))),
        Format::Html => Ok(single(html::parse(text))),
        Format::Markdown => markdown::parse(text, &opts.field_map).map(single),
        Format::Json => records::parse_json(text, &opts.field_map),
        Format::Ndjson => Ok(records::parse_ndjson(text, &opts.field_map)),
        Format::Csv => records::parse_delimited(text, b',', &opts.field_map),
        Format::Tsv => records::parse_delimited(text, b'\t', &opts.field_map),
        Format::Feed => feed::parse(text),
    }
}

/// Reads a file from disk, bounded by the size limit; returns the bytes. A file whose
/// size is over the limit is refused without being read; at most `limit + 1` bytes are
/// ever read (endless streams included).
pub fn read_bytes(path: &Path, opts: &IngestOptions) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let too_large = || {
        format!(
            "file is larger than the {} MB limit (raise it with --max-file-mb)",
            opts.max_file_bytes / (1024 * 1024)
        )
    };
    let f = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    // refused from its size before any byte is read; the bounded read below still
    // catches files that grow meanwhile and streams whose size is unknown
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    if size > opts.max_file_bytes {
        return Err(too_large());
    }
    let mut buf = Vec::with_capacity(size as usize);
    f.take(opts.max_file_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read: {e}"))?;
    if buf.len() as u64 > opts.max_file_bytes {
        return Err(too_large());
    }
    Ok(buf)
}

/// The source to use when an article names none: the nearest folder that is not a
/// date-like or generic name (`blockledger/2017/x.txt` → `blockledger`).
pub fn folder_source(path: &Path) -> String {
    const GENERIC: &[&str] = &[
        "archive", "archives", "articles", "pages", "dumps", "raw", "data", "exports", "news",
        "txt", "html", "json", "feeds", "posts",
    ];
    for anc in path.ancestors().skip(1) {
        let Some(name) = anc.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let lower = name.to_lowercase();
        if lower
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '_')
            || GENERIC.contains(&lower.as_str())
        {
            continue;
        }
        return lower;
    }
    "unknown".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_source_table() {
        let cases = [
            ("/a/sample_corpus/blockledger/2017/x.txt", "blockledger"),
            ("/a/coinwire/2024/01/x.txt", "coinwire"),
            ("/a/news/x.txt", "a"),
            ("x.txt", "unknown"),
        ];
        for (p, want) in cases {
            assert_eq!(folder_source(Path::new(p)), want, "{p}");
        }
    }

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
