//! `coindex-bench extract`: the extraction benchmark of issue #22 (method, rules and
//! baseline: `docs/EXTRACTION.md`).
//!
//! ```text
//! coindex-bench extract [DIR] [--coindex PATH] [--work DIR] [--json] [--verbose]
//!                       [--min-title F] [--min-date F] [--min-authors F]
//!                       [--min-body F] [--min-chrome F] [--min-site F]
//! ```
//! Indexes the data folders of a devset (`html/`, `pagedumps/`, `exports/`) with the real
//! `coindex` binary into a scratch index, exports every document, matches each line of
//! `DIR/truth.ndjson` to its document by file (and record, for multi-record files) and
//! scores title, date, authors, body phrase kept and chrome phrase gone, per site, per
//! kind and in total. It talks to coindex only through its command line.
//!
//! Exit status: 0 all thresholds met (or none given), 1 some threshold not met (each one
//! named on stderr), 2 usage error, missing DIR, or coindex failed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

const USAGE: &str = "usage: coindex-bench extract [DIR] [--coindex PATH] [--work DIR] [--json] [--verbose]\n                             [--min-title F] [--min-date F] [--min-authors F] [--min-body F]\n                             [--min-chrome F] [--min-site F]\n  DIR defaults to ../shared/devset (from the current directory, else from the repository root)";

/// The data folders of a devset, which are also the kinds results are grouped by.
const KINDS: &[&str] = &["html", "pagedumps", "exports"];

/// What is scored. `Url` is reported but has no threshold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Metric {
    Title,
    Date,
    Authors,
    Body,
    Chrome,
    Url,
}

const METRICS: [Metric; 6] = [
    Metric::Title,
    Metric::Date,
    Metric::Authors,
    Metric::Body,
    Metric::Chrome,
    Metric::Url,
];

/// The metrics with a `--min-*` threshold, in flag order.
const THRESHOLDED: [Metric; 5] = [
    Metric::Title,
    Metric::Date,
    Metric::Authors,
    Metric::Body,
    Metric::Chrome,
];

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::Title => "title",
            Metric::Date => "date",
            Metric::Authors => "authors",
            Metric::Body => "body",
            Metric::Chrome => "chrome",
            Metric::Url => "url",
        }
    }
    fn index(self) -> usize {
        METRICS.iter().position(|&m| m == self).unwrap_or(0)
    }
}

struct Opts {
    dir: PathBuf,
    coindex: PathBuf,
    work: Option<PathBuf>,
    json: bool,
    verbose: bool,
    /// thresholds on the totals, indexed like `THRESHOLDED`
    min: [Option<f64>; 5],
    /// every site, every metric with a denominator, at least this
    min_site: Option<f64>,
}

fn parse_args(args: &[String]) -> Result<Opts, String> {
    let mut dir = None;
    let mut coindex = None;
    let mut work = None;
    let mut json = false;
    let mut verbose = false;
    let mut min = [None; 5];
    let mut min_site = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = || -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        let fraction = |v: String| -> Result<f64, String> {
            match v.parse::<f64>() {
                Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
                _ => Err(format!("{a}: `{v}` is not a number from 0 to 1")),
            }
        };
        match a {
            "--coindex" => coindex = Some(PathBuf::from(value()?)),
            "--work" => work = Some(PathBuf::from(value()?)),
            "--json" => json = true,
            "--verbose" | "-v" => verbose = true,
            "--min-site" => min_site = Some(fraction(value()?)?),
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with("--min-") => {
                let name = &a["--min-".len()..];
                let Some(k) = THRESHOLDED.iter().position(|m| m.name() == name) else {
                    return Err(format!("unknown option {a}"));
                };
                min[k] = Some(fraction(value()?)?);
            }
            _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}")),
        }
        i += 1;
    }
    let dir = match dir {
        Some(d) => d,
        None => {
            let here = PathBuf::from("../shared/devset");
            let from_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/devset");
            if !here.is_dir() && from_root.is_dir() {
                from_root
            } else {
                here
            }
        }
    };
    Ok(Opts {
        dir,
        coindex: coindex.unwrap_or_else(super::coindex_bin),
        work,
        json,
        verbose,
        min,
        min_site,
    })
}

// ---------------------------------------------------------------------------------
// Normalization (documented in docs/EXTRACTION.md; keep the two in step)
// ---------------------------------------------------------------------------------

/// The comparison form of a text: Unicode lowercase (plus `ß`→`ss`, final `ς`→`σ`),
/// typographic quotes, primes and dashes mapped to ASCII `'` `"` `-`, `…` to `...`,
/// zero-width characters and soft hyphens removed, every run of whitespace (any Unicode
/// space, NBSP included) one space, trimmed.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let mapped: &str = match c {
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{2035}'
            | '\u{00b4}' | '`' | '\u{02bc}' => "'",
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{00ab}'
            | '\u{00bb}' => "\"",
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}' => "-",
            '\u{2026}' => "...",
            'ß' | 'ẞ' => "ss",
            'ς' => "σ",
            c if c.is_whitespace() => {
                space = true;
                continue;
            }
            _ => "",
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if mapped.is_empty() {
            out.extend(c.to_lowercase());
        } else {
            out.push_str(mapped);
        }
    }
    out
}

/// `fold`, then every leading and trailing character that is not a letter or digit
/// dropped (`"Crypto's Big Week!"` and `crypto's big week` are equal). Used for titles,
/// authors and the truth phrases.
pub(crate) fn norm(s: &str) -> String {
    fold(s)
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// True when `phrase` (any form) occurs in `folded` (already `fold`ed text). An empty
/// phrase never counts as found.
pub(crate) fn has_phrase(folded: &str, phrase: &str) -> bool {
    let p = norm(phrase);
    !p.is_empty() && folded.contains(&p)
}

/// A URL in comparison form: trimmed, no fragment, no tracking parameters (`utm_*`,
/// `fbclid`, `gclid`, `ref`: coindex drops them from canonical URLs), no trailing
/// slash, scheme and host lowercased.
fn norm_url(u: &str) -> String {
    let u = u.trim();
    let u = u.split('#').next().unwrap_or(u);
    let (base, query) = match u.split_once('?') {
        Some((b, q)) => (b, q),
        None => (u, ""),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !p.is_empty()
                && !key.starts_with("utm_")
                && !matches!(key.as_str(), "fbclid" | "gclid" | "ref")
        })
        .collect();
    let base = base.trim_end_matches('/');
    let base = match base.find("://") {
        Some(k) => {
            let rest = &base[k + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                base[..k].to_lowercase(),
                rest[..host_end].to_lowercase(),
                &rest[host_end..]
            )
        }
        None => base.to_string(),
    };
    if kept.is_empty() {
        base
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// The UTC calendar day of an RFC 3339 time.
fn utc_day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc).date_naive())
}

fn author_set(v: &[String]) -> BTreeSet<String> {
    v.iter()
        .map(|a| norm(a))
        .filter(|a| !a.is_empty())
        .collect()
}

/// At most `n` characters of `s` on one line, with `…` when cut.
fn short(s: &str, n: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= n {
        one
    } else {
        let mut t: String = one.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// About `n` characters of the folded text around its first occurrence of `needle`.
fn around(folded: &str, needle: &str, n: usize) -> String {
    match folded.find(needle) {
        Some(at) => {
            let mut start = at.saturating_sub(n / 3);
            while !folded.is_char_boundary(start) {
                start -= 1;
            }
            let prefix = if start > 0 { "…" } else { "" };
            format!("{prefix}{}", short(&folded[start..], n))
        }
        None => short(folded, n),
    }
}

// ---------------------------------------------------------------------------------
// Truth, documents, matching
// ---------------------------------------------------------------------------------

struct Truth {
    file: String,
    record: Option<u64>,
    url: Option<String>,
    title: Option<String>,
    published: Option<String>,
    authors: Vec<String>,
    source: String,
    body_phrase: Option<String>,
    chrome_phrase: Option<String>,
}

impl Truth {
    fn from_json(v: &Value) -> Option<Truth> {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty())
        };
        Some(Truth {
            file: text("file")?,
            record: v.get("record").and_then(Value::as_u64),
            url: text("url"),
            title: text("title"),
            published: text("published"),
            authors: strings(v.get("authors")),
            source: text("source").unwrap_or_else(|| "?".into()),
            body_phrase: text("body_phrase"),
            chrome_phrase: text("chrome_phrase"),
        })
    }
    /// `file`, or `file#record N` (N as in the truth: 0-based).
    fn label(&self) -> String {
        match self.record {
            Some(r) => format!("{} [record {r}]", self.file),
            None => self.file.clone(),
        }
    }
    fn kind(&self) -> &str {
        self.file.split('/').next().unwrap_or("?")
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

struct Doc {
    path: String,
    title: String,
    dek: String,
    body: String,
    authors: Vec<String>,
    published: Option<String>,
    url: Option<String>,
}

impl Doc {
    fn from_json(v: &Value) -> Option<Doc> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let opt = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(Doc {
            path: opt("path")?,
            title: text("title"),
            dek: text("dek"),
            body: text("body"),
            authors: strings(v.get("authors")),
            published: opt("published"),
            url: opt("url"),
        })
    }
}

/// Splits `…/exports/a.csv#line 12` into the path relative to the devset and its
/// locator (`line 12`; empty for a single-document file).
fn split_path<'a>(path: &'a str, root: &str) -> (&'a str, &'a str) {
    let (file, loc) = match path.rfind('#') {
        Some(k)
            if ["line ", "record ", "item ", "entry "]
                .iter()
                .any(|p| path[k + 1..].starts_with(p)) =>
        {
            (&path[..k], &path[k + 1..])
        }
        _ => (path, ""),
    };
    let rel = file
        .strip_prefix(root)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(file);
    (rel, loc)
}

/// For each data row of a CSV/TSV file (0-based, as the truth counts them): the line
/// the `csv` crate reports for it (what coindex writes as `#line N` today; in a CRLF file
/// the crate places a record at the `\n` ending the line before, so this is one less than
/// the physical line) and the physical 1-based line where the row starts.
fn csv_row_lines(path: &Path) -> Result<Vec<(u64, u64)>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let delim = if path.extension().is_some_and(|e| e == "tsv" || e == "tab") {
        b'\t'
    } else {
        // as coindex reads it: `;` and `|` files too
        coindex::ingest::records::sniff_delimiter(&bytes)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    // newlines counted so far, and up to which byte
    let (mut newlines, mut counted) = (0u64, 0usize);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let (line, byte) = rec
                    .position()
                    .map_or((0, 0), |p| (p.line(), p.byte() as usize));
                let mut byte = byte.clamp(counted, bytes.len());
                // after a CRLF the csv crate puts the next record at the `\n`
                while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
                    byte += 1;
                }
                newlines += bytes[counted..byte].iter().filter(|&&c| c == b'\n').count() as u64;
                counted = byte;
                out.push((line, 1 + newlines));
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(out)
}

/// The longest field of each data row of a CSV/TSV file (the article text in every
/// export we know), read with the same settings as [`csv_row_lines`].
fn csv_row_texts(path: &Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let delim = if path.extension().is_some_and(|e| e == "tsv" || e == "tab") {
        b'\t'
    } else {
        // as coindex reads it: `;` and `|` files too
        coindex::ingest::records::sniff_delimiter(&bytes)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes.as_slice());
    let mut out = Vec::new();
    for rec in rdr.byte_records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let longest = rec.iter().max_by_key(|f| f.len()).unwrap_or_default();
        out.push(String::from_utf8_lossy(longest).into_owned());
    }
    Ok(out)
}

/// Least bytes of identical text for two rows to count as the same article.
const TWIN_MIN_TEXT: usize = 200;

/// Another row of the same file that holds the very same article text (at least
/// [`TWIN_MIN_TEXT`] bytes, byte for byte): the same article published under a second
/// URL (a wire story and its final version), which coindex indexes once.
fn twin_row(texts: &[String], row: usize) -> Option<usize> {
    let text = texts.get(row)?;
    if text.len() < TWIN_MIN_TEXT {
        return None;
    }
    texts
        .iter()
        .enumerate()
        .find(|&(k, t)| k != row && t == text)
        .map(|(k, _)| k)
}

/// One scored truth line.
#[derive(Default, Clone, Copy)]
struct Tally {
    right: [u32; 6],
    of: [u32; 6],
    /// truth lines in the group, and those with no document
    lines: u32,
    missing: u32,
}

impl Tally {
    fn add(&mut self, m: Metric, ok: bool) {
        self.of[m.index()] += 1;
        if ok {
            self.right[m.index()] += 1;
        }
    }
    fn merge(&mut self, o: &Tally) {
        for k in 0..6 {
            self.right[k] += o.right[k];
            self.of[k] += o.of[k];
        }
        self.lines += o.lines;
        self.missing += o.missing;
    }
    fn rate(&self, m: Metric) -> Option<f64> {
        let n = self.of[m.index()];
        (n > 0).then(|| self.right[m.index()] as f64 / n as f64)
    }
    fn json(&self) -> Value {
        let mut o = serde_json::Map::new();
        o.insert("lines".into(), json!(self.lines));
        o.insert("missing".into(), json!(self.missing));
        for m in METRICS {
            o.insert(
                m.name().into(),
                json!({"right": self.right[m.index()], "of": self.of[m.index()], "rate": self.rate(m)}),
            );
        }
        Value::Object(o)
    }
}

struct Failure {
    line: String,
    site: String,
    metric: Metric,
    expected: String,
    got: String,
}

/// Whether a page shows the truth's title and date. The issue's targets count a page
/// dump's title and date only "where the page shows one": a scraper's text of some
/// pages holds only the article body. Saved HTML and exports always count.
#[derive(Debug, Clone, Copy)]
struct Shown {
    title: bool,
    date: bool,
}

impl Shown {
    const ALL: Shown = Shown {
        title: true,
        date: true,
    };

    /// What a page dump's text shows: the title when its folded form is in the folded
    /// text; the date when the day is printed in one of the forms news sites use (month
    /// names in full or short, day-first or month-first, ISO and numeric forms).
    fn on_page(t: &Truth, text: &str) -> Shown {
        let folded = fold(text);
        let title = t
            .title
            .as_ref()
            .is_some_and(|w| !norm(w).is_empty() && folded.contains(&norm(w)));
        let date = t.published.as_deref().and_then(utc_day).is_some_and(|day| {
            const FORMS: &[&str] = &[
                "%B %-d, %Y",
                "%B %d, %Y",
                "%b %-d, %Y",
                "%b %d, %Y",
                "%b. %-d, %Y",
                "%-d %B %Y",
                "%d %B %Y",
                "%-d %b %Y",
                "%d %b %Y",
                "%-d %b, %Y",
                "%Y-%m-%d",
                "%Y/%m/%d",
                "%d/%m/%Y",
                "%m/%d/%Y",
                "%d.%m.%Y",
                "%d%m%Y",
                "%-m/%-d/%Y",
                "%-d/%-m/%Y",
            ];
            FORMS
                .iter()
                .any(|f| folded.contains(&day.format(f).to_string().to_lowercase()))
        });
        Shown { title, date }
    }
}

/// Scores one truth line against its document (`None`: no document, a miss on every
/// metric the line has).
fn score(t: &Truth, d: Option<&Doc>, shown: Shown, tally: &mut Tally, fails: &mut Vec<Failure>) {
    let mut fail = |m: Metric, expected: String, got: String| {
        fails.push(Failure {
            line: t.label(),
            site: t.source.clone(),
            metric: m,
            expected: short(&expected, 100),
            got: short(&got, 100),
        })
    };
    let none = "(no document)".to_string();
    let (body, body_dek) = match d {
        Some(d) => {
            let b = fold(&d.body);
            let bd = format!("{b}\n{}", fold(&d.dek));
            (b, bd)
        }
        None => (String::new(), String::new()),
    };
    if let Some(want) = t.title.as_ref().filter(|_| shown.title) {
        let ok = d.is_some_and(|d| norm(&d.title) == norm(want));
        tally.add(Metric::Title, ok);
        if !ok {
            fail(
                Metric::Title,
                want.clone(),
                d.map_or(none.clone(), |d| format!("{:?}", d.title)),
            );
        }
    }
    if let Some(want) = t.published.as_ref().filter(|_| shown.date) {
        let day = utc_day(want);
        let got = d.and_then(|d| d.published.clone());
        let ok = day.is_some() && got.as_deref().and_then(utc_day) == day;
        tally.add(Metric::Date, ok);
        if !ok {
            fail(
                Metric::Date,
                want.clone(),
                match (d, got) {
                    (None, _) => none.clone(),
                    (Some(_), None) => "(no date)".into(),
                    (Some(_), Some(g)) => g,
                },
            );
        }
    }
    if !t.authors.is_empty() {
        let want = author_set(&t.authors);
        let ok = d.is_some_and(|d| author_set(&d.authors) == want);
        tally.add(Metric::Authors, ok);
        if !ok {
            fail(
                Metric::Authors,
                format!("{:?}", t.authors),
                d.map_or(none.clone(), |d| format!("{:?}", d.authors)),
            );
        }
    }
    if let Some(p) = &t.body_phrase {
        let ok = d.is_some() && has_phrase(&body, p);
        tally.add(Metric::Body, ok);
        if !ok {
            fail(
                Metric::Body,
                p.clone(),
                d.map_or(none.clone(), |d| {
                    format!(
                        "not in body ({} chars): {}",
                        d.body.chars().count(),
                        short(&d.body, 60)
                    )
                }),
            );
        }
    }
    if let Some(p) = &t.chrome_phrase {
        let ok = d.is_some() && !has_phrase(&body_dek, p);
        tally.add(Metric::Chrome, ok);
        if !ok {
            fail(
                Metric::Chrome,
                p.clone(),
                if d.is_some() {
                    format!("still there: {}", around(&body_dek, &norm(p), 80))
                } else {
                    none.clone()
                },
            );
        }
    }
    if let Some(want) = &t.url {
        let got = d.and_then(|d| d.url.clone());
        let ok = got.as_deref().map(norm_url) == Some(norm_url(want));
        tally.add(Metric::Url, ok);
        if !ok {
            fail(
                Metric::Url,
                want.clone(),
                match (d, got) {
                    (None, _) => none,
                    (Some(_), None) => "(no url)".into(),
                    (Some(_), Some(g)) => g,
                },
            );
        }
    }
}

fn fail_usage(msg: &str) -> i32 {
    if !msg.is_empty() {
        eprintln!("coindex-bench extract: {msg}");
    }
    eprintln!("{USAGE}");
    2
}

/// The scratch directory: `--work` as given (kept), else a fresh temporary one (removed).
struct Work {
    dir: PathBuf,
    remove: bool,
}

impl Drop for Work {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn main(args: &[String]) -> i32 {
    let started = Instant::now();
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(e) => return fail_usage(&e),
    };
    let truth_path = opts.dir.join("truth.ndjson");
    if !truth_path.is_file() {
        eprintln!(
            "coindex-bench extract: no devset at {} (expected {})",
            opts.dir.display(),
            truth_path.display()
        );
        return 2;
    }
    let dir = match opts.dir.canonicalize() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("coindex-bench extract: {}: {e}", opts.dir.display());
            return 2;
        }
    };
    if !opts.coindex.is_file() {
        eprintln!(
            "coindex-bench extract: no coindex binary at {} (build it, or pass --coindex PATH)",
            opts.coindex.display()
        );
        return 2;
    }

    // truth
    let truth: Vec<Truth> = match std::fs::read_to_string(&truth_path) {
        Ok(s) => {
            let mut v = Vec::new();
            for (i, l) in s.lines().enumerate() {
                if l.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(l)
                    .ok()
                    .as_ref()
                    .and_then(Truth::from_json)
                {
                    Some(t) => v.push(t),
                    None => {
                        eprintln!(
                            "coindex-bench extract: {}: line {} is not a truth object with a `file`",
                            truth_path.display(),
                            i + 1
                        );
                        return 2;
                    }
                }
            }
            v
        }
        Err(e) => {
            eprintln!("coindex-bench extract: {}: {e}", truth_path.display());
            return 2;
        }
    };

    // index and export
    let work = match &opts.work {
        Some(w) => Work {
            dir: w.clone(),
            remove: false,
        },
        None => Work {
            dir: std::env::temp_dir().join(format!(
                "coindex-extract-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos())
            )),
            remove: true,
        },
    };
    if let Err(e) = std::fs::create_dir_all(&work.dir) {
        eprintln!("coindex-bench extract: {}: {e}", work.dir.display());
        return 2;
    }
    let index = work.dir.join("index");
    let report = work.dir.join("report.json");
    let folders: Vec<PathBuf> = KINDS
        .iter()
        .map(|k| dir.join(k))
        .filter(|p| p.is_dir())
        .collect();
    if folders.is_empty() {
        eprintln!(
            "coindex-bench extract: {} has none of html/, pagedumps/, exports/",
            dir.display()
        );
        return 2;
    }
    let t_index = Instant::now();
    let out = Command::new(&opts.coindex)
        .arg("index")
        .args(&folders)
        .arg("--index")
        .arg(&index)
        .arg("--report")
        .arg(&report)
        .args(["--rebuild", "-q"])
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "coindex-bench extract: cannot run {}: {e}",
                opts.coindex.display()
            );
            return 2;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) | Some(1) => {}
        code => {
            eprintln!(
                "coindex-bench extract: `coindex index` failed ({code:?}):\n{}",
                stderr.trim_end()
            );
            return 2;
        }
    }
    let index_secs = t_index.elapsed().as_secs_f64();
    let root = dir.to_string_lossy().to_string();
    // what the indexer skipped: whole files (from the report) and bad records (stderr)
    let mut skipped_files: BTreeMap<String, String> = BTreeMap::new();
    if let Some(files) = std::fs::read_to_string(&report)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v.get("files").cloned())
        .and_then(|f| f.as_array().cloned())
    {
        for f in files {
            if f.get("status").and_then(Value::as_str) == Some("skipped") {
                let p = f.get("path").and_then(Value::as_str).unwrap_or("?");
                let reason = f.get("reason").and_then(Value::as_str).unwrap_or("skipped");
                skipped_files.insert(split_path(p, &root).0.to_string(), reason.to_string());
            }
        }
    }
    let bad_records: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("bad record:"))
        .map(|l| l.replace(&format!("{root}/"), ""))
        .collect();

    let export_path = work.dir.join("export.ndjson");
    let exported = std::fs::File::create(&export_path).and_then(|f| {
        Command::new(&opts.coindex)
            .arg("export")
            .arg("--index")
            .arg(&index)
            .stdin(Stdio::null())
            .stdout(f)
            .stderr(Stdio::piped())
            .output()
    });
    match exported {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "coindex-bench extract: `coindex export` failed ({:?}):\n{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr).trim_end()
            );
            return 2;
        }
        Err(e) => {
            eprintln!("coindex-bench extract: cannot run coindex export: {e}");
            return 2;
        }
    }
    let docs: Vec<Doc> = std::fs::read_to_string(&export_path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Doc::from_json(&v))
        .collect();
    // (file, locator) → document; canonical URL → path
    let mut by_loc: HashMap<(String, String), usize> = HashMap::new();
    let mut by_url: HashMap<String, usize> = HashMap::new();
    for (k, d) in docs.iter().enumerate() {
        let (f, loc) = split_path(&d.path, &root);
        by_loc.insert((f.to_string(), loc.to_string()), k);
        if let Some(u) = &d.url {
            by_url.entry(norm_url(u)).or_insert(k);
        }
    }

    // match and score
    let mut warnings: Vec<String> = Vec::new();
    let mut csv_lines: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
    for t in &truth {
        if t.record.is_some() && is_delimited(&t.file) && !csv_lines.contains_key(&t.file) {
            match csv_row_lines(&dir.join(&t.file)) {
                Ok(v) => {
                    // guard: coindex's locators should be the csv crate's record lines
                    let lines: BTreeSet<u64> = v.iter().map(|r| r.0).collect();
                    let (mut n, mut off) = (0, 0);
                    for ((f, loc), _) in by_loc.iter() {
                        if f == &t.file {
                            n += 1;
                            let ok = loc
                                .strip_prefix("line ")
                                .and_then(|x| x.parse::<u64>().ok())
                                .is_some_and(|x| lines.contains(&x));
                            off += usize::from(!ok);
                        }
                    }
                    if off > 0 {
                        warnings.push(format!(
                            "{}: {off} of {n} document locators are not record start lines as the csv crate counts them; matching falls back to URLs where it can",
                            t.file
                        ));
                    }
                    csv_lines.insert(t.file.clone(), v);
                }
                Err(e) => warnings.push(format!("cannot read rows of {e}")),
            }
        }
    }
    let mut total = Tally::default();
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_site: BTreeMap<String, Tally> = BTreeMap::new();
    let mut fails: Vec<Failure> = Vec::new();
    let mut missing: Vec<(String, String, String)> = Vec::new(); // (line, site, reason)
    let mut twins: Vec<(String, String)> = Vec::new(); // (line, what it was scored against)
    let mut row_texts: HashMap<String, Vec<String>> = HashMap::new();
    let mut fallbacks = 0;
    // page dumps whose text shows no title / no date of the truth's (not scored on them)
    let mut unshown = (0usize, 0usize);
    // titles of records scored against their twin row's document
    let mut twin_titles = 0usize;
    for t in &truth {
        let candidates: Vec<String> = match t.record {
            None => vec![String::new()],
            Some(r) if is_delimited(&t.file) => {
                match csv_lines.get(&t.file).and_then(|v| v.get(r as usize)) {
                    Some(&(a, b)) if a != b => vec![format!("line {a}"), format!("line {b}")],
                    Some(&(a, _)) => vec![format!("line {a}")],
                    None => vec![],
                }
            }
            // JSON arrays: `record N`, 1-based; NDJSON: `line N`; feeds: `item N`
            // (RSS, JSON Feed) or `entry N` (Atom)
            Some(r) => ["record", "line", "item", "entry"]
                .iter()
                .map(|k| format!("{k} {}", r + 1))
                .collect(),
        };
        let want_url = t.url.as_deref().map(norm_url);
        let url_of = |k: usize| docs[k].url.as_deref().map(norm_url);
        let found: Vec<usize> = candidates
            .iter()
            .filter_map(|c| by_loc.get(&(t.file.clone(), c.clone())).copied())
            .collect();
        let agrees = |k: usize| match (&want_url, url_of(k)) {
            (Some(w), Some(g)) => *w == g,
            _ => true,
        };
        let verified = |k: usize| want_url.is_some() && url_of(k) == want_url;
        // the first candidate unless its URL contradicts the truth; a later candidate
        // only when its URL confirms it
        let pick = match found.first() {
            Some(&k) if agrees(k) => Some(k),
            _ => {
                let alt = found.iter().skip(1).copied().find(|&k| verified(k));
                if alt.is_some() {
                    fallbacks += 1;
                    alt
                } else {
                    found.first().copied()
                }
            }
        };
        let mut tally = Tally {
            lines: 1,
            ..Tally::default()
        };
        // no document of its own, but the same article text is another row's: the
        // article is indexed, once, under that row; score it there and say so
        let twin = match (pick, t.record) {
            (None, Some(r)) if is_delimited(&t.file) => {
                let texts = row_texts
                    .entry(t.file.clone())
                    .or_insert_with(|| csv_row_texts(&dir.join(&t.file)).unwrap_or_default());
                twin_row(texts, r as usize).and_then(|k| {
                    let &(a, b) = csv_lines.get(&t.file)?.get(k)?;
                    [a, b]
                        .iter()
                        .find_map(|l| by_loc.get(&(t.file.clone(), format!("line {l}"))))
                        .map(|&d| (k, d))
                })
            }
            _ => None,
        };
        if let Some((k, d)) = twin {
            let (f, loc) = split_path(&docs[d].path, &root);
            twins.push((
                t.label(),
                format!(
                    "the same article text as record {k}, indexed once as {f}#{loc}; scored against that document (its URL differs; its headline may too, so the title is not scored)"
                ),
            ));
        }
        let doc = pick.or(twin.map(|(_, d)| d)).map(|k| &docs[k]);
        if doc.is_none() {
            tally.missing = 1;
            let reason = if let Some(r) = skipped_files.get(&t.file) {
                format!("file skipped: {r}")
            } else if let Some(b) = bad_records.iter().find(|b| {
                b.contains(&format!("{}: ", t.file))
                    && candidates.iter().any(|c| b.contains(&format!("{c}:")))
            }) {
                b.clone()
            } else if let Some(&k) = want_url.as_ref().and_then(|u| by_url.get(u)) {
                let (f, loc) = split_path(&docs[k].path, &root);
                format!("merged as a duplicate into {f}#{loc}")
            } else if let Some(d) = t.title.as_ref().and_then(|want| {
                let want = norm(want);
                docs.iter()
                    .find(|d| split_path(&d.path, &root).0 == t.file && norm(&d.title) == want)
            }) {
                let (f, loc) = split_path(&d.path, &root);
                format!("merged as a duplicate: the same title is at {f}#{loc}")
            } else if candidates.is_empty() {
                "the file has no such record".into()
            } else {
                format!(
                    "no document at #{} (merged into another copy by title+day or body, or lost)",
                    candidates[0]
                )
            };
            missing.push((t.label(), t.source.clone(), reason));
        }
        let mut shown = if t.kind() == "pagedumps" {
            match std::fs::read(dir.join(&t.file)) {
                Ok(b) => Shown::on_page(t, &String::from_utf8_lossy(&b)),
                Err(_) => Shown::ALL,
            }
        } else {
            Shown::ALL
        };
        if t.title.is_some() && !shown.title {
            unshown.0 += 1;
        }
        // a record merged into its twin row (the same text under another headline or
        // URL) is searchable under the twin's headline, not its own
        if pick.is_none() && twin.is_some() && t.title.is_some() {
            shown.title = false;
            twin_titles += 1;
        }
        if t.published.is_some() && !shown.date {
            unshown.1 += 1;
        }
        score(t, doc, shown, &mut tally, &mut fails);
        total.merge(&tally);
        by_kind
            .entry(t.kind().to_string())
            .or_default()
            .merge(&tally);
        by_site.entry(t.source.clone()).or_default().merge(&tally);
    }
    if fallbacks > 0 {
        warnings.push(format!(
            "{fallbacks} truth lines matched their document by a second locator rule (confirmed by URL)"
        ));
    }

    // thresholds
    let mut short_of: Vec<String> = Vec::new();
    for (k, m) in THRESHOLDED.iter().enumerate() {
        if let (Some(min), Some(rate)) = (opts.min[k], total.rate(*m))
            && rate < min
        {
            short_of.push(format!(
                "{} {:.3} < {min} ({}/{})",
                m.name(),
                rate,
                total.right[m.index()],
                total.of[m.index()]
            ));
        }
    }
    if let Some(min) = opts.min_site {
        for (site, t) in &by_site {
            for m in THRESHOLDED {
                if let Some(rate) = t.rate(m)
                    && rate < min
                {
                    short_of.push(format!(
                        "site {site}: {} {:.3} < {min} ({}/{})",
                        m.name(),
                        rate,
                        t.right[m.index()],
                        t.of[m.index()]
                    ));
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();

    let mut o = std::io::stdout().lock();
    if opts.json {
        let groups = |g: &BTreeMap<String, Tally>| -> Value {
            Value::Object(g.iter().map(|(k, t)| (k.clone(), t.json())).collect())
        };
        let thresholds: serde_json::Map<String, Value> = THRESHOLDED
            .iter()
            .enumerate()
            .filter_map(|(k, m)| opts.min[k].map(|f| (m.name().to_string(), json!(f))))
            .chain(opts.min_site.map(|f| ("site".to_string(), json!(f))))
            .collect();
        let summary = json!({
            "devset": dir,
            "coindex": opts.coindex,
            "truth_lines": truth.len(),
            "documents": docs.len(),
            "skipped_files": skipped_files.iter().map(|(f, r)| json!({"file": f, "reason": r})).collect::<Vec<_>>(),
            "bad_records": bad_records,
            "missing": missing.iter().map(|(l, s, r)| json!({"line": l, "site": s, "reason": r})).collect::<Vec<_>>(),
            "twins": twins.iter().map(|(l, r)| json!({"line": l, "scored_as": r})).collect::<Vec<_>>(),
            "not_shown": {"titles": unshown.0, "dates": unshown.1},
            "twin_titles_not_scored": twin_titles,
            "warnings": warnings,
            "total": total.json(),
            "kinds": groups(&by_kind),
            "sites": groups(&by_site),
            "failures": fails.iter().map(|f| json!({"line": f.line, "site": f.site, "metric": f.metric.name(), "expected": f.expected, "got": f.got})).collect::<Vec<_>>(),
            "thresholds": thresholds,
            "below_thresholds": short_of,
            "index_seconds": (index_secs * 100.0).round() / 100.0,
            "seconds": (secs * 100.0).round() / 100.0,
        });
        let _ = writeln!(o, "{summary}");
    } else {
        let _ = writeln!(
            o,
            "extraction benchmark: {} — {} truth lines, {} documents; coindex {}",
            dir.display(),
            truth.len(),
            docs.len(),
            opts.coindex.display()
        );
        let _ = writeln!(
            o,
            "cells: rate (right/of), over the truth lines that have the field; url is informational\n"
        );
        if twin_titles > 0 {
            let _ = writeln!(
                o,
                "not scored: the titles of {twin_titles} records merged into a twin row (listed below)\n"
            );
        }
        if unshown.0 + unshown.1 > 0 {
            let _ = writeln!(
                o,
                "not scored: {} page-dump titles and {} dates that the page's text does not show (the targets count them where the page shows one)\n",
                unshown.0, unshown.1
            );
        }
        let _ = write!(o, "{:<24} {:>5} {:>4}", "group", "lines", "miss");
        for m in METRICS {
            let _ = write!(o, " {:>15}", m.name());
        }
        let _ = writeln!(o);
        let mut row = |label: &str, t: &Tally| {
            let _ = write!(o, "{label:<24} {:>5} {:>4}", t.lines, t.missing);
            for m in METRICS {
                let cell = match t.rate(m) {
                    Some(r) => format!("{r:.3} ({}/{})", t.right[m.index()], t.of[m.index()]),
                    None => "–".to_string(),
                };
                let _ = write!(o, " {cell:>15}");
            }
            let _ = writeln!(o);
        };
        row("TOTAL", &total);
        for k in KINDS {
            if let Some(t) = by_kind.get(*k) {
                row(&format!("kind {k}"), t);
            }
        }
        for (site, t) in &by_site {
            row(site, t);
        }
        if !skipped_files.is_empty() || !bad_records.is_empty() {
            let _ = writeln!(o, "\nskipped by coindex index:");
            for (f, r) in &skipped_files {
                let _ = writeln!(o, "  {f}: {r}");
            }
            for b in &bad_records {
                let _ = writeln!(o, "  {b}");
            }
        }
        if !missing.is_empty() {
            let _ = writeln!(
                o,
                "\ntruth lines with no document ({}; a miss on each of their metrics):",
                missing.len()
            );
            for (l, _, r) in &missing {
                let _ = writeln!(o, "  {l}: {r}");
            }
        }
        if !twins.is_empty() {
            let _ = writeln!(
                o,
                "\ntruth lines whose record is the same article as another row ({}; scored against the one document):",
                twins.len()
            );
            for (l, r) in &twins {
                let _ = writeln!(o, "  {l}: {r}");
            }
        }
        for w in &warnings {
            let _ = writeln!(o, "\nwarning: {w}");
        }
        if opts.verbose && !fails.is_empty() {
            let _ = writeln!(o, "\nfailures ({}):", fails.len());
            for m in METRICS {
                for f in fails.iter().filter(|f| f.metric == m) {
                    let _ = writeln!(
                        o,
                        "  {:<7} {} ({})\n          expected: {}\n          got:      {}",
                        m.name(),
                        f.line,
                        f.site,
                        f.expected,
                        f.got
                    );
                }
            }
        }
        let _ = writeln!(o, "\n{:.1} s (coindex index {:.1} s)", secs, index_secs);
    }
    drop(o);
    if short_of.is_empty() {
        0
    } else {
        eprintln!(
            "coindex-bench extract: below threshold: {}",
            short_of.join("; ")
        );
        1
    }
}

fn is_delimited(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    f.ends_with(".csv") || f.ends_with(".tsv") || f.ends_with(".tab")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_compare_after_folding() {
        assert_eq!(
            norm("  \u{201c}Crypto\u{2019}s   Big\u{a0}Week\u{201d}! "),
            norm("crypto's big week")
        );
        assert_eq!(norm("Bitcoin \u{2014} Ether"), "bitcoin - ether");
        assert_eq!(norm("Straße"), norm("STRASSE"));
        assert_eq!(norm("DAO or DIE!"), "dao or die");
        assert_ne!(norm("Bitcoin ETF approved"), norm("Bitcoin ETFs approved"));
        assert_eq!(norm("\u{2026}"), "");
    }

    #[test]
    fn phrases_match_inside_folded_text() {
        let body =
            fold("First line.\n\nThe \u{201c}quick\u{201d}\u{a0}brown fox \u{2013} jumped.\nNext");
        assert!(has_phrase(&body, "the \"quick\" brown fox - jumped."));
        assert!(has_phrase(&body, "“Quick” brown FOX"));
        assert!(!has_phrase(&body, "quick red fox"));
        assert!(!has_phrase(&body, " . "));
        // a phrase split by a paragraph break still matches: whitespace is collapsed
        assert!(has_phrase(&body, "jumped. next"));
    }

    #[test]
    fn paths_split_into_file_and_locator() {
        assert_eq!(
            split_path("/d/exports/a.csv#line 12", "/d"),
            ("exports/a.csv", "line 12")
        );
        assert_eq!(
            split_path("/d/html/x/#1.html", "/d"),
            ("html/x/#1.html", "")
        );
        assert_eq!(split_path("/d/exports/a.json#record 1", "/d").1, "record 1");
    }

    #[test]
    fn a_page_shows_a_title_and_date_only_when_its_text_prints_them() {
        let truth = |title: &str, published: &str| Truth {
            file: "pagedumps/x/001.txt".into(),
            record: None,
            url: None,
            title: Some(title.into()),
            published: Some(published.into()),
            authors: vec![],
            source: "x".into(),
            body_phrase: None,
            chrome_phrase: None,
        };
        let t = truth("Miners Sell As Hashrate Climbs", "2024-03-05T09:00:00Z");
        // (page text, title shown, date shown)
        let table = [
            (
                "MenuMiners sell as hashrate climbsBy Jo Published March 5, 2024",
                true,
                true,
            ),
            (
                "Miners sell as hashrate climbs 05/03/2024 10:00",
                true,
                true,
            ),
            (
                "Tue 5 Mar 2024 03.35 GMT Miners Sell As Hashrate Climbs",
                true,
                true,
            ),
            (
                "Only the body: miners sold coins on 2024-03-05.",
                false,
                true,
            ),
            (
                "Only the body, and another day: March 6, 2024.",
                false,
                false,
            ),
            ("", false, false),
        ];
        for (text, title, date) in table {
            let s = Shown::on_page(&t, text);
            assert_eq!((s.title, s.date), (title, date), "{text}");
        }
    }

    #[test]
    fn urls_and_days() {
        assert_eq!(
            norm_url("HTTPS://Www.Example.com/A/b/#top"),
            "https://www.example.com/A/b"
        );
        assert_eq!(
            norm_url("https://a.io/x/?utm_source=rss&id=7&fbclid=z"),
            "https://a.io/x?id=7"
        );
        assert_eq!(
            utc_day("2018-10-31T01:19:00-04:00"),
            utc_day("2018-10-31T05:19:00Z")
        );
        assert_ne!(
            utc_day("2018-10-31T23:00:00-04:00"),
            utc_day("2018-10-31T00:00:00Z")
        );
    }

    #[test]
    fn csv_rows_know_their_lines() {
        let dir = std::env::temp_dir().join(format!("coindex-extract-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lf = dir.join("lf.csv");
        std::fs::write(&lf, "title,body\nA,\"two\nlines\"\nB,x\n").unwrap();
        let rows = csv_row_lines(&lf).unwrap();
        assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 4]);
        let crlf = dir.join("crlf.csv");
        std::fs::write(&crlf, "title,body\r\nA,x\r\nB,y\r\n").unwrap();
        let rows = csv_row_lines(&crlf).unwrap();
        assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), [2, 3]);
        // the csv crate's own count (and so coindex's `#line N`) is one less after CRLF
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn twin_rows_share_their_whole_text() {
        let long = "Miners sold coins. ".repeat(20);
        let texts = vec![
            long.clone(),
            "short".to_string(),
            long.clone(),
            format!("{long}More."),
            "short".to_string(),
        ];
        assert_eq!(twin_row(&texts, 0), Some(2));
        assert_eq!(twin_row(&texts, 2), Some(0));
        // a longer text is another article; short texts prove nothing
        assert_eq!(twin_row(&texts, 3), None);
        assert_eq!(twin_row(&texts, 1), None);
        assert_eq!(twin_row(&texts, 9), None);
    }
}
