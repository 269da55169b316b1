//! The field mapper: which input key or column gives which coindex field, for records
//! (JSON, NDJSON, CSV, TSV) and Markdown front matter. [`MAP_FIELDS`] and
//! [`parse_field_map`] read the user's `--map FIELD=NAME` overrides; [`map_fields`]
//! finds each field by its common names (case-insensitive, ignoring `_`, `-` and
//! spaces, so `published_at`, `publishedAt` and `Published At` are one name) unless an
//! override names the key, and turns the values into text (`values`). Title, dek and
//! body holding HTML are stripped to text by `html`.
//!
//! It does not split files into records or say where a record came from (see
//! `records`, `markdown`).

use serde_json::{Map, Value};

use super::html::{self, Plain};
use super::values::{
    authors_of, body_text, date_text, scalar_text, source_text, tags_of, url_text,
};
use crate::model::RawArticle;

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
    "hyperlink",
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

/// True when a header names a field coindex knows (or one given with `--map`).
pub(crate) fn known_header(h: &str, map: &[(String, String)]) -> bool {
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

/// Key lookup on one record.
pub(crate) struct Lookup<'a> {
    obj: &'a Map<String, Value>,
    keys: Vec<(String, &'a str)>,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(obj: &'a Map<String, Value>) -> Self {
        Lookup {
            obj,
            keys: obj.keys().map(|k| (norm_key(k), k.as_str())).collect(),
        }
    }

    /// (input key, value) for a name in `norm_key` form.
    pub(crate) fn get(&self, norm: &str) -> Option<(&'a str, &'a Value)> {
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
        title: first_text(&l.field("title", map), scalar_text)?
            .map(|t| html::inline_text(&t, Plain::AsIs)),
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
    a.dek = dek.map(|t| html::inline_text(&t, Plain::AsIs));
    a.body = html::body_to_text(&a.body);
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
            (
                json!({"headline": "N", "published": "2019-05-21", "hyperlink": "https://e.io/v"}),
                "N",
                "2019-05-21",
                "https://e.io/v",
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
}
