//! Exports with one record per article: JSON (one object, an array, or an object holding
//! the array under `articles`, `data`, `items`, …, also one level deeper), NDJSON/JSONL
//! (one object per line) and CSV/TSV (a header row, quoted fields, embedded newlines).
//!
//! Every record goes through [`map_fields`], which finds the coindex fields by their
//! common names (case-insensitive, ignoring `_`, `-` and spaces, so `published_at`,
//! `publishedAt` and `Published At` are one name) unless `--map FIELD=NAME` names the
//! key. The same mapper reads Markdown front matter and JSON-LD. A record that is not an
//! object, holds a value of the wrong type, has neither title nor body, or is larger
//! than [`MAX_RECORD_BYTES`] (16 MB) goes to `Parsed.record_errors` as
//! `line 12: reason` / `record 3: reason`; the rest of the file is still read. Bodies
//! that hold HTML are stripped to text by `ingest::html`.

use serde_json::{Map, Value};

use super::html;
use crate::model::RawArticle;

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

fn record_too_large() -> String {
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
const RECORD_KEYS: &[&str] = &[
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

// Default input names per field, already in `norm_key` form, in order of preference.
const TITLE_KEYS: &[&str] = &["title", "headline", "articletitle", "newstitle"];
const BODY_KEYS: &[&str] = &[
    "body",
    "content",
    "text",
    "article",
    "articlebody",
    "fulltext",
    "bodytext",
    "bodyhtml",
    "contenthtml",
    "contenttext",
    "contentencoded",
    "html",
    "story",
];
/// Summary-like fields: the dek when a body exists, else the body.
const SUMMARY_KEYS: &[&str] = &["description", "summary", "excerpt", "abstract", "lead"];
const DEK_KEYS: &[&str] = &[
    "dek",
    "deck",
    "subtitle",
    "subheadline",
    "subhead",
    "standfirst",
    "strapline",
    "teaser",
];
const PUBLISHED_KEYS: &[&str] = &[
    "published",
    "date",
    "publishedat",
    "pubdate",
    "publishedon",
    "datetime",
    "timestamp",
    "createdat",
    "datepublished",
    "publishdate",
    "publicationdate",
    "publisheddate",
    "publishedtime",
    "created",
    "createdon",
    "posted",
    "postedat",
    "postdate",
    "time",
    "isodate",
];
const UPDATED_KEYS: &[&str] = &[
    "updated",
    "modified",
    "updatedat",
    "datemodified",
    "lastmodified",
    "lastmod",
    "modifiedat",
    "updatedon",
    "modifiedon",
    "modifieddate",
    "updateddate",
    "dateupdated",
    "modifiedtime",
    "updatedtime",
];
const URL_KEYS: &[&str] = &[
    "url",
    "link",
    "canonicalurl",
    "permalink",
    "canonical",
    "articleurl",
    "weburl",
    "sourceurl",
    "href",
    "uri",
    "guid",
];
const TAG_KEYS: &[&str] = &[
    "tags",
    "categories",
    "keywords",
    "tag",
    "category",
    "keyword",
    "topics",
    "topic",
    "section",
    "sections",
    "labels",
    "subjects",
    "newskeywords",
];
const SOURCE_KEYS: &[&str] = &[
    "source",
    "site",
    "publisher",
    "domain",
    "sitename",
    "outlet",
    "publication",
    "sourcename",
    "website",
    "provider",
];
const AUTHOR_KEYS: &[&str] = &[
    "author",
    "authors",
    "creator",
    "byline",
    "writer",
    "writers",
    "creators",
    "authorname",
    "dccreator",
    "bylines",
];

/// The default names of a coindex field (`--map` FIELD) in `norm_key` form.
fn default_keys(field: &str) -> &'static [&'static str] {
    match field {
        "title" => TITLE_KEYS,
        "dek" => DEK_KEYS,
        "body" => BODY_KEYS,
        "url" => URL_KEYS,
        "source" => SOURCE_KEYS,
        "authors" => AUTHOR_KEYS,
        "published" => PUBLISHED_KEYS,
        "updated" => UPDATED_KEYS,
        "tags" => TAG_KEYS,
        _ => &[],
    }
}

/// Lowercase, letters and digits only: `published_at`, `publishedAt`, `Published At`
/// and `dc:creator` → `publishedat`, `dccreator`.
pub(crate) fn norm_key(k: &str) -> String {
    k.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// "a string", "a number", … for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Keys that carry the text of an object used where text is expected
/// (`{"rendered": "…"}` from WordPress, `{"name": "…"}`, `{"@id": "…"}`).
const INNER_TEXT_KEYS: &[&str] = &[
    "rendered", "name", "text", "value", "#text", "content", "$t", "href", "url", "@id", "title",
    "label",
];

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn number_text(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// Text of a scalar value: strings and numbers; objects through their text key.
/// `Err(kind)` for values that cannot be text.
pub(crate) fn scalar_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(non_empty(s)),
        Value::Number(n) => Ok(Some(number_text(n))),
        Value::Object(o) => match INNER_TEXT_KEYS.iter().find_map(|k| o.get(*k)) {
            Some(inner @ (Value::String(_) | Value::Number(_) | Value::Null)) => scalar_text(inner),
            _ => Err(kind(v)),
        },
        other => Err(kind(other)),
    }
}

/// Body text: a string, a list of paragraphs, or an object with a text key.
fn body_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Array(items) => {
            let mut paras = Vec::new();
            for it in items {
                if let Some(t) = scalar_text(it).map_err(|_| "a list of non-text values")? {
                    paras.push(t);
                }
            }
            Ok((!paras.is_empty()).then(|| paras.join("\n\n")))
        }
        Value::Object(o) => {
            for k in [
                "rendered", "html", "text", "body", "content", "value", "#text",
            ] {
                if let Some(inner) = o.get(k) {
                    return body_text(inner);
                }
            }
            Err(kind(v))
        }
        other => scalar_text(other),
    }
}

/// A date as a string: text, unix seconds/milliseconds, `{"$date": …}`.
fn date_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Object(o) => match o
            .get("$date")
            .or_else(|| o.get("$numberLong"))
            .or_else(|| o.get("value"))
        {
            Some(inner) => date_text(inner),
            None => Err(kind(v)),
        },
        other => scalar_text(other),
    }
}

/// URL from text or an object with `href`/`url`/`@id`; entities decoded.
fn url_text(v: &Value) -> Result<Option<String>, &'static str> {
    Ok(scalar_text(v)?.map(|u| html_escape::decode_html_entities(&u).trim().to_string()))
}

/// People: a string (`By A, B and C`), a list, or objects with `name`.
pub(crate) fn authors_of(v: &Value) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    match v {
        Value::Null => {}
        Value::String(s) => out.extend(split_people(s)),
        Value::Array(items) => {
            for it in items {
                match it {
                    Value::String(s) => out.extend(split_people(s)),
                    Value::Object(_) => out.extend(person_name(it)?),
                    Value::Null => {}
                    other => return Err(kind(other)),
                }
            }
        }
        Value::Object(_) => out.extend(person_name(v)?),
        other => return Err(kind(other)),
    }
    Ok(out)
}

fn person_name(v: &Value) -> Result<Option<String>, &'static str> {
    let Value::Object(o) = v else {
        return Err(kind(v));
    };
    for k in [
        "name",
        "displayName",
        "fullName",
        "display_name",
        "full_name",
        "title",
    ] {
        if let Some(Value::String(s)) = o.get(k) {
            return Ok(non_empty(s));
        }
    }
    let given = o.get("givenName").and_then(Value::as_str).unwrap_or("");
    let family = o.get("familyName").and_then(Value::as_str).unwrap_or("");
    Ok(non_empty(&format!("{given} {family}")))
}

/// `By Ann Lee, Bo Chan and Cy Dee` → three names.
pub(crate) fn split_people(s: &str) -> Vec<String> {
    let decoded = html_escape::decode_html_entities(s);
    let s = decoded.trim();
    let s = match s.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => &s[3..],
        _ => s,
    };
    s.split([',', ';', '|'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" & "))
        .filter_map(non_empty)
        .collect()
}

/// Tags: a string split on `,` `|` `;`, a list of strings, or objects with `name`.
pub(crate) fn tags_of(v: &Value) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    match v {
        Value::Null => {}
        Value::String(s) => out.extend(split_tags(s)),
        Value::Number(n) => out.push(number_text(n)),
        Value::Array(items) => {
            for it in items {
                match it {
                    Value::String(s) => out.extend(non_empty(s)),
                    Value::Number(n) => out.push(number_text(n)),
                    Value::Object(_) => out.extend(tag_name(it)?),
                    Value::Null => {}
                    other => return Err(kind(other)),
                }
            }
        }
        Value::Object(_) => out.extend(tag_name(v)?),
        Value::Bool(_) => return Err(kind(v)),
    }
    Ok(out)
}

fn tag_name(v: &Value) -> Result<Option<String>, &'static str> {
    let Value::Object(o) = v else {
        return Err(kind(v));
    };
    for k in ["name", "label", "term", "title", "slug", "value"] {
        if let Some(Value::String(s)) = o.get(k) {
            return Ok(non_empty(s));
        }
    }
    Err(kind(v))
}

pub(crate) fn split_tags(s: &str) -> Vec<String> {
    html_escape::decode_html_entities(s)
        .split([',', '|', ';'])
        .filter_map(non_empty)
        .collect()
}

/// Source: text, or an object with `name`/`title`/`domain`/`url`.
fn source_text(v: &Value) -> Result<Option<String>, &'static str> {
    match v {
        Value::Object(o) => {
            for k in ["name", "title", "domain", "url", "@id", "id"] {
                if let Some(inner @ Value::String(_)) = o.get(k) {
                    return scalar_text(inner);
                }
            }
            Err(kind(v))
        }
        other => scalar_text(other),
    }
}

/// Key lookup on one record.
struct Lookup<'a> {
    obj: &'a Map<String, Value>,
    keys: Vec<(String, &'a str)>,
}

impl<'a> Lookup<'a> {
    fn new(obj: &'a Map<String, Value>) -> Self {
        Lookup {
            obj,
            keys: obj.keys().map(|k| (norm_key(k), k.as_str())).collect(),
        }
    }

    /// (input key, value) for a name in `norm_key` form.
    fn get(&self, norm: &str) -> Option<(&'a str, &'a Value)> {
        let (_, k) = self.keys.iter().find(|(n, _)| n == norm)?;
        Some((k, self.obj.get(*k)?))
    }

    /// A `--map` name: exact key, then ignoring case and punctuation, then a dotted path.
    fn get_named(&self, name: &str) -> Option<(&'a str, &'a Value)> {
        if let Some((k, v)) = self.obj.get_key_value(name) {
            return Some((k.as_str(), v));
        }
        if let Some(hit) = self.get(&norm_key(name)) {
            return Some(hit);
        }
        let mut parts = name.split('.');
        let first = parts.next()?;
        let mut cur = Lookup::new(self.obj).get(&norm_key(first))?;
        for p in parts {
            let Value::Object(o) = cur.1 else {
                return None;
            };
            let l = Lookup::new(o);
            cur = l.get(&norm_key(p))?;
        }
        Some((cur.0, cur.1))
    }

    /// Values of a field, in order of preference: the `--map` name alone when given,
    /// else every default name present.
    fn field(&self, field: &str, map: &[(String, String)]) -> Vec<(&'a str, &'a Value)> {
        if let Some((_, name)) = map.iter().find(|(f, _)| f == field) {
            return self.get_named(name).into_iter().collect();
        }
        default_keys(field)
            .iter()
            .filter_map(|k| self.get(k))
            .collect()
    }

    fn summary(&self) -> Vec<(&'a str, &'a Value)> {
        SUMMARY_KEYS.iter().filter_map(|k| self.get(k)).collect()
    }
}

/// First text among candidates; a wrong type is an error only if no candidate gives text.
fn first_text<'a>(
    cands: &[(&'a str, &'a Value)],
    conv: fn(&Value) -> Result<Option<String>, &'static str>,
) -> Result<Option<String>, String> {
    let mut err = None;
    for (k, v) in cands {
        match conv(v) {
            Ok(Some(t)) => return Ok(Some(t)),
            Ok(None) => {}
            Err(kind) => {
                err.get_or_insert_with(|| format!("`{k}` is {kind}, expected text"));
            }
        }
    }
    err.map_or(Ok(None), Err)
}

/// Every text among candidates, in order.
fn all_texts<'a>(
    cands: &[(&'a str, &'a Value)],
    conv: fn(&Value) -> Result<Option<String>, &'static str>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut err = None;
    for (k, v) in cands {
        match conv(v) {
            Ok(Some(t)) => out.push(t),
            Ok(None) => {}
            Err(kind) => {
                err.get_or_insert_with(|| format!("`{k}` is {kind}, expected text"));
            }
        }
    }
    match err {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

fn list_field<'a>(
    cands: &[(&'a str, &'a Value)],
    conv: fn(&Value) -> Result<Vec<String>, &'static str>,
    first_only: bool,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut err = None;
    for (k, v) in cands {
        match conv(v) {
            Ok(list) => {
                out.extend(list);
                if first_only && !out.is_empty() {
                    break;
                }
            }
            Err(kind) => {
                err.get_or_insert_with(|| format!("`{k}` is {kind}, expected text or a list"));
            }
        }
    }
    match err {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

/// Text of an inline field (title, dek): HTML stripped when it holds tags.
fn inline_field(s: String) -> String {
    if html::looks_like_html(&s) {
        html::fragment_text(&s).replace("\n\n", " ")
    } else {
        s
    }
}

/// Maps one record (or front matter) to a raw article, without the emptiness check.
/// `body_elsewhere` (a Markdown body follows the front matter) makes summary fields
/// the dek even when the record has no body field.
pub(crate) fn map_fields(
    obj: &Map<String, Value>,
    map: &[(String, String)],
    body_elsewhere: bool,
) -> Result<RawArticle, String> {
    // Elasticsearch hits keep the document under `_source`.
    if let Some(Value::Object(inner)) = obj.get("_source")
        && !TITLE_KEYS.iter().any(|k| Lookup::new(obj).get(k).is_some())
    {
        return map_fields(inner, map, body_elsewhere);
    }
    let l = Lookup::new(obj);
    let mut a = RawArticle {
        title: first_text(&l.field("title", map), scalar_text)?.map(inline_field),
        ..Default::default()
    };
    // body: the longest body field, else the longest summary field
    let body = all_texts(&l.field("body", map), body_text)?
        .into_iter()
        .max_by_key(String::len);
    let mapped_dek = map.iter().any(|(f, _)| f == "dek");
    let mut dek = first_text(&l.field("dek", map), scalar_text)?;
    let mapped_body = map.iter().any(|(f, _)| f == "body");
    let summaries = if mapped_dek && mapped_body {
        Vec::new()
    } else {
        all_texts(&l.summary(), body_text)?
    };
    if body.is_some() || body_elsewhere {
        if dek.is_none() && !mapped_dek {
            dek = summaries.into_iter().next();
        }
        a.body = body.unwrap_or_default();
    } else {
        // no body: the longest summary is the body, another one the dek
        let mut s = summaries;
        s.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let mut it = s.into_iter();
        if let Some(longest) = it.next() {
            if dek.is_none() && !mapped_dek {
                dek = it.find(|t| *t != longest);
            }
            a.body = longest;
        }
    }
    a.dek = dek.map(inline_field);
    a.body = body_to_text(&a.body);
    let urls = all_texts(&l.field("url", map), url_text)?;
    a.url = urls
        .iter()
        .find(|u| u.starts_with("http://") || u.starts_with("https://"))
        .or(urls.first())
        .cloned();
    a.source = first_text(&l.field("source", map), source_text)?;
    a.authors = list_field(&l.field("authors", map), authors_of, true)?;
    a.published = first_text(&l.field("published", map), date_text)?;
    a.updated = first_text(&l.field("updated", map), date_text)?;
    a.tags = list_field(&l.field("tags", map), tags_of, false)?;
    Ok(a)
}

/// Maps one record and rejects it when it has neither title nor body.
pub(crate) fn map_record(
    obj: &Map<String, Value>,
    map: &[(String, String)],
) -> Result<RawArticle, String> {
    let a = map_fields(obj, map, false)?;
    if a.title.as_deref().is_none_or(|t| t.trim().is_empty()) && a.body.trim().is_empty() {
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
        if obj.len() > 8 {
            keys.push("…");
        }
        return Err(if keys.is_empty() {
            "no title and no body (empty object)".to_string()
        } else {
            format!(
                "no title and no body (fields: {}; name them with --map FIELD=NAME)",
                keys.join(", ")
            )
        });
    }
    Ok(a)
}

/// A body value as plain paragraphs: HTML (also entity-escaped HTML) is stripped to
/// text, plain text keeps its blank-line paragraphs; boilerplate is removed.
pub(crate) fn body_to_text(s: &str) -> String {
    if s.trim().is_empty() {
        return String::new();
    }
    if html::looks_like_html(s) {
        return html::fragment_text(s);
    }
    if s.contains("&lt;") {
        let decoded = html_escape::decode_html_entities(s);
        if html::looks_like_html(&decoded) {
            return html::fragment_text(&decoded);
        }
    }
    let text = s.replace("\r\n", "\n").replace('\r', "\n");
    let paras: Vec<String> = text.split("\n\n").map(crate::text::collapse_ws).collect();
    html::clean_paragraphs(paras, None, None).join("\n\n")
}

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

/// Where the list of records sits in a JSON document, and the container's source.
fn find_records(v: &Value) -> Option<(&Vec<Value>, Option<String>)> {
    let Value::Object(o) = v else {
        return None;
    };
    let l = Lookup::new(o);
    let container_source = |o: &Map<String, Value>| -> Option<String> {
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
    };
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
        let loc = format!("record {}", i + 1);
        let Value::Object(o) = item else {
            out.record_errors.push(format!(
                "{loc}: not an article object (found {})",
                kind(item)
            ));
            continue;
        };
        if json_size(item) > MAX_RECORD_BYTES {
            out.record_errors
                .push(format!("{loc}: {}", record_too_large()));
            continue;
        }
        match map_record(o, map) {
            Ok(mut a) => {
                if a.source.is_none() {
                    a.source = container_source.clone();
                }
                a.locator = Some(loc);
                out.articles.push(a);
            }
            Err(reason) => out.record_errors.push(format!("{loc}: {reason}")),
        }
    }
    Ok(out)
}

/// Parses NDJSON/JSONL: one article object per line; blank lines are skipped.
pub fn parse_ndjson(text: &str, map: &[(String, String)]) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if line.is_empty() {
            continue;
        }
        let loc = format!("line {}", i + 1);
        if line.len() > MAX_RECORD_BYTES {
            out.record_errors
                .push(format!("{loc}: {}", record_too_large()));
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(o)) => match map_record(&o, map) {
                Ok(mut a) => {
                    a.locator = Some(loc);
                    out.articles.push(a);
                }
                Err(reason) => out.record_errors.push(format!("{loc}: {reason}")),
            },
            Ok(other) => out.record_errors.push(format!(
                "{loc}: not an article object (found {})",
                kind(&other)
            )),
            Err(e) => out.record_errors.push(format!(
                "{loc}: invalid JSON at column {}: {}",
                e.column(),
                json_message(&e)
            )),
        }
    }
    out
}

/// True when a header names a field coindex knows (or one given with `--map`).
fn known_header(h: &str, map: &[(String, String)]) -> bool {
    let n = norm_key(h);
    map.iter().any(|(_, name)| name == h || norm_key(name) == n)
        || [
            TITLE_KEYS,
            BODY_KEYS,
            SUMMARY_KEYS,
            DEK_KEYS,
            URL_KEYS,
            PUBLISHED_KEYS,
        ]
        .iter()
        .any(|keys| keys.contains(&n.as_str()))
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

/// Parses CSV (`delim` `,`) or TSV (`\t`) with a header row. Ragged rows are reported
/// as bad records, not fatal.
pub fn parse_delimited(text: &str, delim: u8, map: &[(String, String)]) -> Result<Parsed, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(|h| {
            h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
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
    let mut out = Parsed::default();
    for result in rdr.records() {
        match result {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line());
                let loc = format!("line {line}");
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue; // an empty row, not a record
                }
                if rec.as_slice().len() > MAX_RECORD_BYTES {
                    out.record_errors
                        .push(format!("{loc}: {}", record_too_large()));
                    continue;
                }
                if rec.len() != headers.len() {
                    out.record_errors.push(format!(
                        "{loc}: {} field{}, but the header row has {}",
                        rec.len(),
                        if rec.len() == 1 { "" } else { "s" },
                        headers.len()
                    ));
                    continue;
                }
                let mut obj = Map::new();
                for (h, v) in headers.iter().zip(rec.iter()) {
                    if !v.trim().is_empty() && !obj.contains_key(h) {
                        let v = if delim == b'\t' {
                            unescape_tsv(v)
                        } else {
                            v.to_string()
                        };
                        obj.insert(h.clone(), Value::String(v));
                    }
                }
                match map_record(&obj, map) {
                    Ok(mut a) => {
                        a.locator = Some(loc);
                        out.articles.push(a);
                    }
                    Err(reason) => out.record_errors.push(format!("{loc}: {reason}")),
                }
            }
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
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn key_variants_table() {
        let cases = [
            ("published_at", "publishedat"),
            ("publishedAt", "publishedat"),
            ("Published At", "publishedat"),
            ("dc:creator", "dccreator"),
            ("pubDate", "pubdate"),
        ];
        for (k, want) in cases {
            assert_eq!(norm_key(k), want, "{k}");
        }
    }

    #[test]
    fn field_names_table() {
        // (record, title, published, url)
        let cases = [
            (
                json!({"headline": "H", "publishedAt": "2024-01-10", "link": "https://a.io/x"}),
                "H",
                "2024-01-10",
                "https://a.io/x",
            ),
            (
                json!({"Title": "T", "pub_date": 1704902400, "permalink": "https://b.io/y"}),
                "T",
                "1704902400",
                "https://b.io/y",
            ),
            (
                json!({"title": "T", "created_at": 1704902400123u64, "guid": "id-1", "canonical_url": "https://c.io/z"}),
                "T",
                "1704902400123",
                "https://c.io/z",
            ),
            (
                json!({"title": {"rendered": "WP"}, "date": {"$date": "2024-01-10T00:00:00Z"}, "url": "https://d.io/w"}),
                "WP",
                "2024-01-10T00:00:00Z",
                "https://d.io/w",
            ),
        ];
        for (rec, title, published, url) in cases {
            let a = map_record(&obj(rec.clone()), &[]).unwrap();
            assert_eq!(a.title.as_deref(), Some(title), "{rec}");
            assert_eq!(a.published.as_deref(), Some(published), "{rec}");
            assert_eq!(a.url.as_deref(), Some(url), "{rec}");
        }
    }

    #[test]
    fn body_and_dek_rules() {
        let a = map_record(
            &obj(json!({"title": "T", "description": "Short.", "content": "Long body text here.", "text": "Body."})),
            &[],
        )
        .unwrap();
        assert_eq!(a.body, "Long body text here.");
        assert_eq!(a.dek.as_deref(), Some("Short."));
        // no body: the longest summary becomes the body
        let b = map_record(
            &obj(json!({"title": "T", "summary": "Only a summary."})),
            &[],
        )
        .unwrap();
        assert_eq!(b.body, "Only a summary.");
        assert_eq!(b.dek, None);
        // HTML body stripped
        let c = map_record(
            &obj(json!({"title": "T", "body": "<p>One &amp; two.</p><div class=\"share-bar\">Share</div><p>Three.</p>"})),
            &[],
        )
        .unwrap();
        assert_eq!(c.body, "One & two.\n\nThree.");
    }

    #[test]
    fn people_tags_source_table() {
        let a = map_record(
            &obj(json!({
                "title": "T",
                "authors": [{"name": "Ann Lee"}, "Bo Chan"],
                "tags": ["ETF", {"name": "SEC"}],
                "categories": "markets|policy; bitcoin",
                "source": {"id": null, "name": "Coin Wire"}
            })),
            &[],
        )
        .unwrap();
        assert_eq!(a.authors, ["Ann Lee", "Bo Chan"]);
        assert_eq!(a.tags, ["ETF", "SEC", "markets", "policy", "bitcoin"]);
        assert_eq!(a.source.as_deref(), Some("Coin Wire"));
        let people: &[(&str, &[&str])] = &[
            ("By Ann Lee and Bo Chan", &["Ann Lee", "Bo Chan"]),
            ("by Ann Lee &amp; Bo Chan", &["Ann Lee", "Bo Chan"]),
            (
                "Ann Lee; Bo Chan | Cy Dee",
                &["Ann Lee", "Bo Chan", "Cy Dee"],
            ),
            ("Byron Lee", &["Byron Lee"]),
        ];
        for (s, want) in people {
            assert_eq!(&split_people(s), want, "{s}");
        }
        assert_eq!(split_tags("ETFs &amp; Funds; SEC"), ["ETFs & Funds", "SEC"]);
    }

    #[test]
    fn wrong_types_and_empty_records() {
        let cases = [
            (json!({"title": true, "body": "x"}), "`title` is a boolean"),
            (json!({"title": "T", "tags": [true]}), "`tags` is a boolean"),
            (
                json!({"title": "T", "published": ["2024"]}),
                "`published` is a list",
            ),
            (
                json!({"id": 3, "foo": "bar"}),
                "no title and no body (fields: foo, id",
            ),
            (json!({}), "no title and no body (empty object)"),
        ];
        for (rec, want) in cases {
            let err = map_record(&obj(rec.clone()), &[]).unwrap_err();
            assert!(err.contains(want), "{rec}: {err}");
        }
        // a wrong type is forgiven when another name gives the field
        let ok = map_record(&obj(json!({"title": {"x": 1}, "headline": "H"})), &[]).unwrap();
        assert_eq!(ok.title.as_deref(), Some("H"));
    }

    #[test]
    fn map_override_and_dotted_path() {
        let map = vec![
            ("title".to_string(), "Overskrift".to_string()),
            ("source".to_string(), "meta.outlet.name".to_string()),
            ("body".to_string(), "tekst".to_string()),
        ];
        let a = map_record(
            &obj(json!({
                "title": "ignored",
                "overskrift": "Mapped",
                "tekst": "Mapped body.",
                "content": "Default body that is longer than the mapped one.",
                "meta": {"outlet": {"name": "Nordchain"}}
            })),
            &map,
        )
        .unwrap();
        assert_eq!(a.title.as_deref(), Some("Mapped"));
        assert_eq!(a.body, "Mapped body.");
        assert_eq!(a.source.as_deref(), Some("Nordchain"));
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
