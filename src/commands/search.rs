//! `coindex search`: ranked hits with snippets, in every output format; `--fields`
//! picks the keys/columns; `--batch` runs a file of queries (see `batch`).

use std::io::Write;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::{Status, filters, format_of, io_err};
use crate::cli::{self, SortArg};
use crate::config;
use crate::error::{Error, Result};
use crate::output::{self, Format, json::JsonHit, json::JsonSerp, table, text};
use crate::search::{Engine, Hit, SearchRequest, SearchResults, Sort};

/// Every key of a hit object, in wire order (the values `--fields` accepts).
pub const HIT_FIELDS: &[&str] = &[
    "rank",
    "score",
    "id",
    "title",
    "published",
    "updated",
    "tags",
    "source",
    "url",
    "path",
    "snippet",
    "highlights",
];

/// The CSV/TSV columns when `--fields` is not given.
pub const CSV_COLUMNS: &[&str] = &[
    "rank",
    "score",
    "id",
    "title",
    "published",
    "source",
    "tags",
    "url",
    "path",
    "snippet",
];

pub fn run(c: cli::SearchCmd, out: &mut dyn Write) -> Result<Status> {
    let fields = parse_fields(&c.fields, HIT_FIELDS)?;
    if c.batch.is_some() {
        return super::batch::run(&c, fields.as_deref(), out);
    }
    let format = format_of(c.output.format);
    if fields.is_some() && format == Format::Text {
        return Err(Error::user(
            "--fields picks JSON keys or CSV columns: add --format json, ndjson, csv or tsv",
        ));
    }
    let (filters, tz) = filters(&c.filters)?;
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let req = SearchRequest {
        // clap makes QUERY required unless --batch is given
        query: c.query.unwrap_or_default(),
        filters,
        limit: c.limit as usize,
        sort: sort_of(c.sort),
        fuzzy: c.fuzzy,
        recent: c.recent,
        snippets: c.snippets as usize,
        snippet_len: SNIPPET_LEN,
        timezone: tz,
    };
    let results = engine.search(&req)?;
    let color = output::use_color(c.output.color);
    render(out, &results, format, fields.as_deref(), color).map_err(io_err)?;
    let status = if results.hits.is_empty() { 1 } else { 0 };
    // The process exits right after this: unmapping every segment file and freeing
    // the results one by one cost about 1.3 ms of a 10-12 ms one-shot search, which the
    // kernel does at exit anyway in a single pass.
    std::mem::forget(results);
    std::mem::forget(engine);
    Ok(status)
}

/// Writes a result set in any format (also used by `similar`).
pub(crate) fn render(
    out: &mut dyn Write,
    results: &crate::search::SearchResults,
    format: Format,
    fields: Option<&[&'static str]>,
    color: bool,
) -> std::io::Result<()> {
    match (format, fields) {
        (Format::Text, _) => text::search(out, results, color),
        (Format::Json, None) => table::json(out, &JsonSerp::new(results)),
        (Format::Json, Some(keys)) => table::json(out, &PickedSerp::new(results, keys)),
        (Format::Ndjson, keys) => table::ndjson(out, &hit_objects(results, keys)),
        (f @ (Format::Csv | Format::Tsv), keys) => {
            let keys = keys.unwrap_or(CSV_COLUMNS);
            let rows: Vec<Vec<String>> = results
                .hits
                .iter()
                .map(|h| {
                    let j = JsonHit::new(h);
                    keys.iter().map(|k| hit_cell(&j, k)).collect()
                })
                .collect();
            table::delimited(out, f, keys, &rows)
        }
    }
}

/// Snippet length in characters.
pub(crate) const SNIPPET_LEN: usize = 220;

pub(crate) fn sort_of(s: SortArg) -> Sort {
    match s {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Date => Sort::Date,
    }
}

/// Validates `--fields` against the keys of a shape: unknown names are an error that
/// lists the valid ones; empty entries are ignored and repeats are dropped.
pub(crate) fn parse_fields(
    requested: &[String],
    valid: &[&'static str],
) -> Result<Option<Vec<&'static str>>> {
    if requested.is_empty() {
        return Ok(None);
    }
    let mut out: Vec<&'static str> = Vec::new();
    for name in requested.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let Some(k) = valid.iter().find(|v| **v == name) else {
            return Err(Error::user(format!(
                "--fields: unknown field `{name}`; valid fields: {}",
                valid.join(", ")
            )));
        };
        if !out.contains(k) {
            out.push(k);
        }
    }
    if out.is_empty() {
        return Err(Error::user(format!(
            "--fields: no field named; valid fields: {}",
            valid.join(", ")
        )));
    }
    Ok(Some(out))
}

/// One CSV/TSV cell of a hit: tags joined with `|`, highlights as JSON, missing values
/// empty.
fn hit_cell(h: &JsonHit, key: &str) -> String {
    match key {
        "rank" => h.rank.to_string(),
        "score" => format!("{:.3}", h.score),
        "id" => h.id.to_string(),
        "title" => h.title.to_string(),
        "published" => h.published.clone().unwrap_or_default(),
        "updated" => h.updated.clone().unwrap_or_default(),
        "tags" => h.tags.join("|"),
        "source" => h.source.to_string(),
        "url" => h.url.unwrap_or_default().to_string(),
        "path" => h.path.to_string(),
        "snippet" => h.snippet.to_string(),
        "highlights" => serde_json::to_string(&h.highlights).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A JSON object reduced to chosen keys, written in the chosen order. Keys absent from
/// the object are skipped (the export omits unknown dates rather than writing `null`).
pub(crate) struct Picked<'k> {
    map: serde_json::Map<String, serde_json::Value>,
    keys: &'k [&'static str],
}

impl<'k> Picked<'k> {
    /// Projects any serializable object.
    pub(crate) fn new<T: Serialize>(value: &T, keys: &'k [&'static str]) -> Picked<'k> {
        let map = match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        Picked { map, keys }
    }
}

impl Serialize for Picked<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let present: Vec<(&str, &serde_json::Value)> = self
            .keys
            .iter()
            .filter_map(|k| self.map.get(*k).map(|v| (*k, v)))
            .collect();
        let mut m = s.serialize_map(Some(present.len()))?;
        for (k, v) in present {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A hit object: all keys, or the `--fields` selection.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum HitObject<'a> {
    Full(JsonHit<'a>),
    Picked(Picked<'a>),
}

/// The hit objects of a result set, as `--format json` writes them.
pub(crate) fn hit_objects<'a>(
    r: &'a SearchResults,
    keys: Option<&'a [&'static str]>,
) -> Vec<HitObject<'a>> {
    r.hits
        .iter()
        .map(|h: &'a Hit| hit_object(h, keys))
        .collect()
}

fn hit_object<'a>(h: &'a Hit, keys: Option<&'a [&'static str]>) -> HitObject<'a> {
    match keys {
        None => HitObject::Full(JsonHit::new(h)),
        Some(k) => HitObject::Picked(Picked::new(&JsonHit::new(h), k)),
    }
}

/// `--format json` with `--fields`: the result-set envelope is unchanged.
#[derive(Serialize)]
struct PickedSerp<'a> {
    query: &'a str,
    total_hits: usize,
    hits: Vec<HitObject<'a>>,
}

impl<'a> PickedSerp<'a> {
    fn new(r: &'a SearchResults, keys: &'a [&'static str]) -> PickedSerp<'a> {
        PickedSerp {
            query: &r.query,
            total_hits: r.total_hits,
            hits: hit_objects(r, Some(keys)),
        }
    }
}

/// Keeps the kind of a failed write (a closed pipe must stay a `BrokenPipe`).
pub(crate) fn json_io(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_validated_deduplicated_and_ordered() {
        let f = |v: &[&str]| {
            parse_fields(
                &v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                HIT_FIELDS,
            )
        };
        assert_eq!(f(&[]).unwrap(), None);
        assert_eq!(
            f(&["title", "id", "title", " "]).unwrap(),
            Some(vec!["title", "id"])
        );
        let e = f(&["titel"]).unwrap_err().to_string();
        assert!(
            e.contains("`titel`") && e.contains("rank, score, id"),
            "{e}"
        );
        assert!(f(&[""]).is_err());
    }

    #[test]
    fn picked_keeps_requested_keys_in_order() {
        let v = serde_json::json!({"a": 1, "b": null, "c": [1]});
        let p = Picked::new(&v, &["c", "b", "z"]);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"c":[1],"b":null}"#);
    }
}
