//! Exports with one record per article: JSON (one object, an array, or an object holding
//! the array under `articles`, `data`, `items`, …, also one level deeper), NDJSON/JSONL
//! (one object per line) and CSV/TSV (a header row, quoted fields, embedded newlines).
//!
//! Every record goes through the field mapper (`fields::map_record`), which also reads
//! Markdown front matter. A record that is not an object, holds a value of the wrong
//! type, has neither title nor body, or is larger than [`MAX_RECORD_BYTES`] (16 MB) goes
//! to `Parsed.record_errors` as `line 12: reason` / `record 3: reason`; the rest of the
//! file is still read.
//!
//! This module splits files into records and names where each came from; it does not
//! know which key holds which field (see `fields`).

use serde_json::{Map, Value};

use super::fields::{Lookup, known_header, map_record};
use super::values::{kind, source_text};
use crate::model::RawArticle;
use crate::text::non_empty;

/// What a parser got out of one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub articles: Vec<RawArticle>,
    /// Records that could not be used, each `locator: reason`.
    pub record_errors: Vec<String>,
}

/// Largest single record (an NDJSON line, a CSV/TSV row, one JSON article object), in
/// bytes. Files are bounded by `--max-file-mb`; this bounds the work and memory spent on
/// one record of a multi-record file (a whole export glued into one field, a runaway
/// unterminated CSV quote), which is reported as a bad record while the rest is read.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

pub(super) fn record_too_large() -> String {
    format!(
        "record is larger than {} MB",
        MAX_RECORD_BYTES / (1024 * 1024)
    )
}

/// Approximate size of a JSON value in bytes (text, keys, and 8 per other scalar).
fn json_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(json_size).sum::<usize>() + 1,
        Value::Object(o) => o.iter().map(|(k, v)| k.len() + json_size(v)).sum::<usize>() + 1,
        _ => 8,
    }
}

/// Keys under which a JSON export keeps its list of articles.
pub(super) const RECORD_KEYS: &[&str] = &[
    "articles",
    "data",
    "items",
    "results",
    "news",
    "posts",
    "entries",
    "hits",
    "stories",
    "documents",
    "docs",
    "records",
];

/// True when a JSON sniff should read the text as NDJSON: the first non-empty line is a
/// whole object and at least one more object line follows.
pub fn looks_like_ndjson(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    if !first.starts_with('{') || !first.ends_with('}') {
        return false;
    }
    if !matches!(serde_json::from_str::<Value>(first), Ok(Value::Object(_))) {
        return false;
    }
    lines.next().is_some_and(|l| l.starts_with('{'))
}

/// Message of a serde_json error without its ` at line L column C` tail.
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let msg = match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    if msg.contains("recursion limit") {
        "nested more than 128 levels deep".to_string()
    } else {
        msg
    }
}

/// The source a JSON container names for all its records (`source`, `site`,
/// `sitename`, `publisher`; a JSON Feed's title).
pub(super) fn container_source(o: &Map<String, Value>) -> Option<String> {
    let l = Lookup::new(o);
    for k in ["source", "site", "sitename", "publisher"] {
        if let Some((_, v)) = l.get(k)
            && let Ok(Some(s)) = source_text(v)
        {
            return Some(s);
        }
    }
    // JSON Feed: the feed's title is the source
    let jsonfeed = o
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("jsonfeed"));
    if jsonfeed {
        return o.get("title").and_then(Value::as_str).and_then(non_empty);
    }
    None
}

/// Where the list of records sits in a JSON document, and the container's source.
fn find_records(v: &Value) -> Option<(&Vec<Value>, Option<String>)> {
    let Value::Object(o) = v else {
        return None;
    };
    let l = Lookup::new(o);
    for k in RECORD_KEYS {
        match l.get(k) {
            Some((_, Value::Array(items))) => return Some((items, container_source(o))),
            Some((_, Value::Object(inner))) => {
                let li = Lookup::new(inner);
                for k2 in RECORD_KEYS {
                    if let Some((_, Value::Array(items))) = li.get(k2) {
                        let src = container_source(inner).or_else(|| container_source(o));
                        return Some((items, src));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Parses a JSON export: one article, an array, or an object holding the array.
pub fn parse_json(text: &str, map: &[(String, String)]) -> Result<Parsed, String> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            if looks_like_ndjson(text) {
                return Ok(parse_ndjson(text, map));
            }
            return Err(format!(
                "invalid JSON at line {} column {}: {}",
                e.line(),
                e.column(),
                json_message(&e)
            ));
        }
    };
    let mut out = Parsed::default();
    let (items, container_source) = match (&value, find_records(&value)) {
        (Value::Array(items), _) => (items, None),
        (_, Some(found)) => found,
        (Value::Object(o), None) => {
            if json_size(&value) > MAX_RECORD_BYTES {
                return Err(record_too_large());
            }
            out.articles.push(map_record(o, map)?);
            return Ok(out);
        }
        (other, None) => {
            return Err(format!(
                "the JSON holds {}, not an article object or a list of them",
                kind(other)
            ));
        }
    };
    for (i, item) in items.iter().enumerate() {
        match json_item(item, i + 1, container_source.as_deref(), map) {
            Ok(a) => out.articles.push(a),
            Err(e) => out.record_errors.push(e),
        }
    }
    Ok(out)
}

/// One element of a JSON export's list of records (`n` from 1), or its bad-record
/// message (`record 3: reason`).
pub(super) fn json_item(
    item: &Value,
    n: usize,
    container_source: Option<&str>,
    map: &[(String, String)],
) -> Result<RawArticle, String> {
    let loc = format!("record {n}");
    let Value::Object(o) = item else {
        return Err(format!(
            "{loc}: not an article object (found {})",
            kind(item)
        ));
    };
    if json_size(item) > MAX_RECORD_BYTES {
        return Err(format!("{loc}: {}", record_too_large()));
    }
    match map_record(o, map) {
        Ok(mut a) => {
            if a.source.is_none() {
                a.source = container_source.map(str::to_string);
            }
            a.locator = Some(loc);
            Ok(a)
        }
        Err(reason) => Err(format!("{loc}: {reason}")),
    }
}

/// One element of a JSON export's list of records as bytes (from the streaming
/// splitter): parsed, then read as [`json_item`] reads it.
pub(super) fn json_record(
    bytes: &[u8],
    n: usize,
    container_source: Option<&str>,
    map: &[(String, String)],
) -> Result<RawArticle, String> {
    let text = utf8_or_decoded(bytes);
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => json_item(&v, n, container_source, map),
        Err(e) => Err(format!("record {n}: invalid JSON: {}", json_message(&e))),
    }
}

/// Parses NDJSON/JSONL: one article object per line; blank lines are skipped.
pub fn parse_ndjson(text: &str, map: &[(String, String)]) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        match ndjson_line(line, i + 1, map) {
            Some(Ok(a)) => out.articles.push(a),
            Some(Err(e)) => out.record_errors.push(e),
            None => {}
        }
    }
    out
}

/// One NDJSON line (`n` from 1): None for a blank line, else the article or its
/// bad-record message (`line 12: reason`).
pub(super) fn ndjson_line(
    line: &str,
    n: usize,
    map: &[(String, String)],
) -> Option<Result<RawArticle, String>> {
    let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if line.is_empty() {
        return None;
    }
    let loc = format!("line {n}");
    if line.len() > MAX_RECORD_BYTES {
        return Some(Err(format!("{loc}: {}", record_too_large())));
    }
    Some(match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(o)) => match map_record(&o, map) {
            Ok(mut a) => {
                a.locator = Some(loc);
                Ok(a)
            }
            Err(reason) => Err(format!("{loc}: {reason}")),
        },
        Ok(other) => Err(format!(
            "{loc}: not an article object (found {})",
            kind(&other)
        )),
        Err(e) => Err(format!(
            "{loc}: invalid JSON at column {}: {}",
            e.column(),
            json_message(&e)
        )),
    })
}

/// TSV exports (PostgreSQL `COPY`, MySQL, spreadsheets) escape line breaks and tabs
/// inside fields as `\n`, `\t`, `\r` and `\\`.
fn unescape_tsv(v: &str) -> String {
    if !v.contains('\\') {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => {}
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The header row of a CSV/TSV file, trimmed; an error when it names no field coindex
/// knows.
pub(super) fn delimited_headers(
    rec: &csv::ByteRecord,
    map: &[(String, String)],
) -> Result<Vec<String>, String> {
    let headers: Vec<String> = rec
        .iter()
        .map(|h| {
            utf8_or_decoded(h)
                .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .to_string()
        })
        .collect();
    if !headers.iter().any(|h| known_header(h, map)) {
        let shown: Vec<&str> = headers.iter().map(String::as_str).take(8).collect();
        return Err(format!(
            "the header row ({}) names no title, body, url or date column; name them with --map FIELD=NAME",
            shown.join(", ")
        ));
    }
    Ok(headers)
}

/// A field's text: UTF-8 as is, anything else through the encoding guess of `decode`.
pub(super) fn utf8_or_decoded(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => s.into(),
        Err(_) => super::decode::decode(b).0.into(),
    }
}

/// One CSV/TSV row: None for an empty row, else the article or its bad-record message.
pub(super) fn delimited_row(
    rec: &csv::ByteRecord,
    headers: &[String],
    delim: u8,
    map: &[(String, String)],
) -> Option<Result<RawArticle, String>> {
    let line = rec.position().map_or(0, |p| p.line());
    let loc = format!("line {line}");
    if rec.iter().all(|f| utf8_or_decoded(f).trim().is_empty()) {
        return None; // an empty row, not a record
    }
    if rec.as_slice().len() > MAX_RECORD_BYTES {
        return Some(Err(format!("{loc}: {}", record_too_large())));
    }
    if rec.len() != headers.len() {
        return Some(Err(format!(
            "{loc}: {} field{}, but the header row has {}",
            rec.len(),
            if rec.len() == 1 { "" } else { "s" },
            headers.len()
        )));
    }
    let mut obj = Map::new();
    for (h, v) in headers.iter().zip(rec.iter()) {
        let v = utf8_or_decoded(v);
        if !v.trim().is_empty() && !obj.contains_key(h) {
            let v = if delim == b'\t' {
                unescape_tsv(&v)
            } else {
                v.into_owned()
            };
            obj.insert(h.clone(), Value::String(v));
        }
    }
    Some(match map_record(&obj, map) {
        Ok(mut a) => {
            a.locator = Some(loc);
            Ok(a)
        }
        Err(reason) => Err(format!("{loc}: {reason}")),
    })
}

/// The delimiter of a `.csv` file, from its header row: the most frequent of `,`, `;`,
/// tab and `|` outside quotes, `,` when none is there or on a tie with it. Spreadsheets
/// in locales with a decimal comma (German, French, Spanish, Brazilian…) save CSV with
/// `;`, and some scrapers use `|`: read as `,`, such a header is one column and the file
/// would be skipped. The header names fields, so it holds no decimal commas.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    const DELIMS: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(k) = DELIMS.iter().position(|&d| d == b) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for k in 1..DELIMS.len() {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    DELIMS[best]
}

/// The reader settings of CSV/TSV files: a header row, ragged rows allowed (they are
/// reported as bad records).
pub(super) fn delimited_reader<R: std::io::Read>(delim: u8, r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(r)
}

/// Parses CSV (`delim` `,`) or TSV (`\t`) with a header row. Ragged rows are reported
/// as bad records, not fatal.
pub fn parse_delimited(text: &str, delim: u8, map: &[(String, String)]) -> Result<Parsed, String> {
    let mut rdr = delimited_reader(delim, text.as_bytes());
    let header = rdr
        .byte_headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    let headers = delimited_headers(&header, map)?;
    let mut out = Parsed::default();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => match delimited_row(&rec, &headers, delim, map) {
                Some(Ok(a)) => out.articles.push(a),
                Some(Err(e)) => out.record_errors.push(e),
                None => {}
            },
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.record_errors.push(format!("line {line}: {e}"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The delimiter of a `.csv` file comes from its header row, outside quotes.
    #[test]
    fn csv_delimiters_are_sniffed() {
        for (head, want) in [
            ("title,date,body\n", b','),
            ("Titel;Datum;Autor;Link;Text\r\n\"a,b\";1;2;3;4", b';'),
            ("\"title, or headline\";date;body\n", b';'),
            ("title|date|body\n", b'|'),
            ("title\tdate\tbody\n", b'\t'),
            ("title\n", b','),
            ("a;b,c\n", b','),
            ("", b','),
        ] {
            assert_eq!(sniff_delimiter(head.as_bytes()), want, "{head:?}");
        }
        // a `;` export of a locale with decimal commas reads whole
        let csv = "Titel;Datum;Text\n\"Kurs; Bericht\";10.01.2025 14:30;Er stieg um 2,5 Prozent.\n";
        let p = parse_delimited(csv, sniff_delimiter(csv.as_bytes()), &[]).unwrap();
        assert_eq!(p.articles.len(), 1, "{:?}", p.record_errors);
        assert_eq!(p.articles[0].title.as_deref(), Some("Kurs; Bericht"));
        assert_eq!(p.articles[0].body, "Er stieg um 2,5 Prozent.");
    }

    #[test]
    fn json_shapes() {
        let shapes = [
            r#"[{"title":"A"},{"title":"B"}]"#,
            r#"{"articles":[{"title":"A"},{"title":"B"}]}"#,
            r#"{"data":{"articles":[{"title":"A"},{"title":"B"}]}}"#,
            r#"{"hits":{"total":2,"hits":[{"_source":{"title":"A"}},{"_source":{"title":"B"}}]}}"#,
            "{\"title\":\"A\"}\n{\"title\":\"B\"}\n",
        ];
        for s in shapes {
            let p = parse_json(s, &[]).unwrap();
            let titles: Vec<_> = p
                .articles
                .iter()
                .filter_map(|a| a.title.as_deref())
                .collect();
            assert_eq!(titles, ["A", "B"], "{s}");
        }
        let one = parse_json(r#"{"title":"Solo","body":"x"}"#, &[]).unwrap();
        assert_eq!(one.articles.len(), 1);
        assert_eq!(one.articles[0].locator, None);
        assert!(parse_json("42", &[]).unwrap_err().contains("a number"));
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert!(
            parse_json(&deep, &[])
                .unwrap_err()
                .contains("nested more than 128 levels")
        );
    }

    #[test]
    fn oversized_records_are_bad_records_not_fatal() {
        let big = "x".repeat(MAX_RECORD_BYTES + 1);
        let ndjson = format!(
            "{{\"title\":\"A\"}}\n{{\"title\":\"B\",\"body\":\"{big}\"}}\n{{\"title\":\"C\"}}\n"
        );
        let p = parse_ndjson(&ndjson, &[]);
        assert_eq!(p.articles.len(), 2);
        assert_eq!(p.record_errors, ["line 2: record is larger than 16 MB"]);
        let csv = format!("title,body\nA,a\nB,{big}\nC,c\n");
        let p = parse_delimited(&csv, b',', &[]).unwrap();
        assert_eq!(p.articles.len(), 2);
        assert_eq!(p.record_errors, ["line 3: record is larger than 16 MB"]);
        let json = format!("[{{\"title\":\"A\"}},{{\"title\":\"B\",\"body\":\"{big}\"}}]");
        let p = parse_json(&json, &[]).unwrap();
        assert_eq!(p.articles.len(), 1);
        assert_eq!(p.record_errors, ["record 2: record is larger than 16 MB"]);
        let one = format!("{{\"title\":\"B\",\"body\":\"{big}\"}}");
        assert_eq!(
            parse_json(&one, &[]).unwrap_err(),
            "record is larger than 16 MB"
        );
    }

    #[test]
    fn ndjson_and_csv_locators() {
        let p = parse_ndjson("{\"title\":\"A\"}\n\n[1]\n{bad\n{\"title\":\"D\"}\n", &[]);
        assert_eq!(p.articles.len(), 2);
        assert_eq!(p.articles[1].locator.as_deref(), Some("line 5"));
        assert!(p.record_errors[0].starts_with("line 3: not an article object"));
        assert!(p.record_errors[1].starts_with("line 4: invalid JSON"));
        let csv = "title,body\nA,\"multi\nline\"\nB,x,extra\nC,y\n";
        let p = parse_delimited(csv, b',', &[]).unwrap();
        let locs: Vec<_> = p
            .articles
            .iter()
            .filter_map(|a| a.locator.as_deref())
            .collect();
        assert_eq!(locs, ["line 2", "line 5"]);
        assert_eq!(
            p.record_errors,
            ["line 4: 3 fields, but the header row has 2"]
        );
        assert!(parse_delimited("a,b\n1,2\n", b',', &[]).is_err());
        let tsv = "title\tbody\nA\tOne.\\n\\nTwo \\\\ three\\tfour.\n";
        let p = parse_delimited(tsv, b'\t', &[]).unwrap();
        assert_eq!(p.articles[0].body, "One.\n\nTwo \\ three four.");
    }
}
