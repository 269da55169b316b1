//! `coindex search --batch FILE`: many queries against one opened index.
//!
//! Input, one request per line: a plain query, or a JSON object with the keys `q`,
//! `from`, `to`, `tags`, `source`, `limit` and `sort` (keys present replace the
//! command-line options, absent keys fall back to them). Blank lines and lines starting
//! with `#` are skipped. Output, one NDJSON line per request: the result set, or an
//! error object for a line that cannot run; the batch always goes on.
//!
//! Exit status: 0 no line failed and at least one query had a hit; 1 no line failed and
//! no query had a hit; 2 some line failed (the output is still complete).

use std::io::{BufRead, BufReader, Read, Write};

use serde::Serialize;
use serde_json::Value;

use super::{ExitCode, io_err};
use crate::cli::{self, FormatArg};
use crate::config;
use crate::error::{Error, Result};
use crate::output::fields::IntoIo;
use crate::output::json::{HitObject, hit_objects};
use crate::search::{DateInterval, Engine, Filters, SearchRequest, Sort};

/// The keys a JSON request line may carry.
pub const REQUEST_KEYS: &[&str] = &["q", "from", "to", "tags", "source", "limit", "sort"];

/// A request after merging a line with the command-line defaults; echoed back as the
/// `query` object of the result line (and itself a valid request line).
#[derive(Debug, Clone, Serialize)]
struct Effective {
    q: String,
    from: Option<String>,
    to: Option<String>,
    tags: Vec<String>,
    source: Vec<String>,
    limit: usize,
    sort: &'static str,
}

#[derive(Serialize)]
struct ResultLine<'a> {
    line: usize,
    query: &'a Effective,
    total_hits: usize,
    hits: Vec<HitObject<'a>>,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    line: usize,
    input: &'a str,
    error: String,
}

fn sort_name(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "relevance",
        Sort::Date => "date",
    }
}

pub fn run(
    c: &cli::SearchCmd,
    fields: Option<&[&'static str]>,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    if matches!(c.output.format, FormatArg::Csv | FormatArg::Tsv) {
        return Err(Error::user(
            "--batch writes NDJSON (one result set per line); --format csv/tsv is not available with it",
        ));
    }
    let path = c.batch.clone().unwrap_or_default();
    let tz = config::timezone(c.filters.timezone.as_deref())?;
    // validate the shared options once, so a bad flag fails the command, not every line
    DateInterval::from_flags(c.filters.from.as_deref(), c.filters.to.as_deref(), tz)?;
    let input: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?)
    };
    let dir = config::index_dir(c.index.index.clone())?;
    let engine = Engine::open(&dir)?;
    let defaults = Effective {
        q: String::new(),
        from: c.filters.from.clone(),
        to: c.filters.to.clone(),
        tags: c.filters.tag.clone(),
        source: c.filters.source.clone(),
        limit: c.limit as usize,
        sort: sort_name(config::sort(c.sort)),
    };
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let (mut lineno, mut failed, mut any_hit) = (0usize, 0usize, false);
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(&path, e))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        let raw = String::from_utf8_lossy(&buf);
        let text = raw.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let outcome = if std::str::from_utf8(&buf).is_err() {
            Err("the line is not valid UTF-8".to_string())
        } else {
            effective(trimmed, &defaults).and_then(|eff| {
                run_one(&engine, c, tz, &eff)
                    .map(|r| (eff, r))
                    .map_err(|e| e.chain())
            })
        };
        match outcome {
            Ok((eff, results)) => {
                any_hit |= !results.hits.is_empty();
                let line = ResultLine {
                    line: lineno,
                    query: &eff,
                    total_hits: results.total_hits,
                    hits: hit_objects(&results, fields),
                };
                write_line(out, &line)?;
            }
            Err(error) => {
                failed += 1;
                write_line(
                    out,
                    &ErrorLine {
                        line: lineno,
                        input: text,
                        error,
                    },
                )?;
            }
        }
    }
    if failed > 0 {
        out.flush().map_err(io_err)?;
        eprintln!(
            "coindex: {failed} batch line{} failed (see the objects with an \"error\" key)",
            if failed == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::Error);
    }
    Ok(ExitCode::found(any_hit))
}

fn write_line<T: Serialize>(out: &mut dyn Write, v: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, v)
        .map_err(IntoIo::into_io)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(io_err)
}

fn run_one(
    engine: &Engine,
    c: &cli::SearchCmd,
    tz: chrono_tz::Tz,
    eff: &Effective,
) -> Result<crate::search::SearchResults> {
    let dates =
        DateInterval::from_flags(eff.from.as_deref(), eff.to.as_deref(), tz).map_err(|e| {
            Error::user(
                e.to_string()
                    .replacen("--from:", "from:", 1)
                    .replacen("--to:", "to:", 1),
            )
        })?;
    let req = SearchRequest {
        query: eff.q.clone(),
        filters: Filters {
            dates,
            tags: eff.tags.clone(),
            sources: eff.source.clone(),
        },
        limit: eff.limit,
        sort: if eff.sort == "date" {
            Sort::Date
        } else {
            Sort::Relevance
        },
        fuzzy: c.fuzzy,
        recent: c.recent,
        snippets: c.snippets as usize,
        snippet_len: config::SNIPPET_LEN,
        timezone: tz,
        collapse: c.collapse.is_some(),
    };
    engine.search(&req)
}

/// Merges one input line with the defaults.
fn effective(line: &str, defaults: &Effective) -> std::result::Result<Effective, String> {
    let mut eff = defaults.clone();
    if !line.starts_with('{') {
        eff.q = line.to_string();
        return Ok(eff);
    }
    let obj = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err("a JSON request must be an object such as {\"q\": \"bitcoin\"}".into());
        }
        Err(e) => return Err(format!("bad JSON: {e}")),
    };
    let mut q = None;
    for (k, v) in obj {
        match k.as_str() {
            "q" => match v {
                Value::String(s) if !s.trim().is_empty() => q = Some(s),
                _ => return Err("`q` must be a non-empty string".into()),
            },
            "from" | "to" => {
                let d = match v {
                    Value::Null => None,
                    Value::String(s) => Some(s),
                    _ => return Err(format!("`{k}` must be a date string such as \"2024-01\"")),
                };
                if k == "from" {
                    eff.from = d;
                } else {
                    eff.to = d;
                }
            }
            "tags" | "source" => {
                let list = strings(&k, v)?;
                if k == "tags" {
                    eff.tags = list;
                } else {
                    eff.source = list;
                }
            }
            "limit" => match v.as_u64() {
                Some(n @ 1..=10_000) => eff.limit = n as usize,
                _ => return Err("`limit` must be an integer from 1 to 10000".into()),
            },
            "sort" => match v.as_str() {
                Some("relevance") => eff.sort = "relevance",
                Some("date") => eff.sort = "date",
                _ => return Err("`sort` must be \"relevance\" or \"date\"".into()),
            },
            other => {
                return Err(format!(
                    "unknown key `{other}`; valid keys: {}",
                    REQUEST_KEYS.join(", ")
                ));
            }
        }
    }
    eff.q = q.ok_or("missing key `q` (the query)")?;
    Ok(eff)
}

fn strings(key: &str, v: Value) -> std::result::Result<Vec<String>, String> {
    let bad = || format!("`{key}` must be a string or an array of strings");
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s]),
        Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Value::String(s) => Ok(s),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Effective {
        Effective {
            q: String::new(),
            from: Some("2017".into()),
            to: None,
            tags: vec!["china".into()],
            source: vec![],
            limit: 10,
            sort: "relevance",
        }
    }

    #[test]
    fn request_lines_merge_with_defaults() {
        let d = defaults();
        let e = effective("spot etf", &d).unwrap();
        assert_eq!(
            (e.q.as_str(), e.from.as_deref(), e.limit),
            ("spot etf", Some("2017"), 10)
        );
        let e = effective(
            r#"{"q": "etf", "tags": "etfs", "source": ["a", "b"], "from": null, "limit": 3, "sort": "date"}"#,
            &d,
        )
        .unwrap();
        assert_eq!(e.tags, vec!["etfs"]);
        assert_eq!(e.source, vec!["a", "b"]);
        assert_eq!((e.from, e.limit, e.sort), (None, 3, "date"));
        // only lines opening with `{` are JSON
        assert_eq!(effective(r#"["x"]"#, &d).unwrap().q, r#"["x"]"#);
        for (bad, msg) in [
            (r#"{"q": "x", "lmit": 3}"#, "unknown key `lmit`"),
            (r#"{"from": "2017"}"#, "missing key `q`"),
            (r#"{"q": "x", "limit": 0}"#, "`limit`"),
            (r#"{"q": "x", "tags": [1]}"#, "`tags`"),
            (r#"{"q": "x""#, "bad JSON"),
        ] {
            let e = effective(bad, &d).unwrap_err();
            assert!(e.contains(msg), "{bad}: {e}");
        }
    }
}
