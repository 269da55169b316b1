//! The one wire form of an article, used by `get` and `export`, and the one place the
//! article's fields are listed. The two commands differ only in key order and in how
//! they write an unknown value, so they share this type and pick a [`Shape`]:
//!
//! - [`Shape::Get`]: every field, in reading order (id, title, dek, url, …); an
//!   unknown URL or date is `null`.
//! - [`Shape::Export`]: exactly the fields of `index_schema/schema.toml`, in schema
//!   order; `url`, `published` and `updated` are omitted when unknown (never `null`),
//!   which is what Quickwit, Elasticsearch and OpenSearch ingest as is.
//!
//! Both are documented in `docs/JSON.md`.

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::model::{Article, rfc3339};

/// Which of the two documented document shapes to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `coindex get`: every field, unknown values `null`.
    Get,
    /// `coindex export`: the schema's fields in schema order, unknown values omitted.
    Export,
}

/// The keys of a `get` document, in wire order (also its CSV/TSV header).
pub const DOCUMENT_FIELDS: &[&str] = &[
    "id",
    "title",
    "dek",
    "url",
    "source",
    "authors",
    "published",
    "updated",
    "tags",
    "body",
    "path",
    "story",
];

/// The keys of an export document: the schema's fields, in schema order (a test checks
/// them against `index_schema/schema.toml`).
pub const EXPORT_FIELDS: &[&str] = &[
    "id",
    "url",
    "source",
    "title",
    "dek",
    "authors",
    "body",
    "tags",
    "published",
    "updated",
    "path",
    "story",
];

impl Shape {
    /// The keys this shape writes, in order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Shape::Get => DOCUMENT_FIELDS,
            Shape::Export => EXPORT_FIELDS,
        }
    }
}

/// One field's value.
enum Value<'a> {
    Str(&'a str),
    /// A URL or a date: may be unknown.
    Opt(Option<&'a str>),
    List(&'a [String]),
}

/// An article ready to be written in one shape.
pub struct Document<'a> {
    article: &'a Article,
    published: Option<String>,
    updated: Option<String>,
    shape: Shape,
}

impl<'a> Document<'a> {
    /// The wire form of an article.
    pub fn new(article: &'a Article, shape: Shape) -> Document<'a> {
        Document {
            article,
            published: article.published.as_ref().map(rfc3339),
            updated: article.updated.as_ref().map(rfc3339),
            shape,
        }
    }

    /// The article it shows.
    pub fn article(&self) -> &'a Article {
        self.article
    }

    /// The RFC 3339 publication time, if known.
    pub fn published(&self) -> Option<&str> {
        self.published.as_deref()
    }

    /// The RFC 3339 update time, if known.
    pub fn updated(&self) -> Option<&str> {
        self.updated.as_deref()
    }

    fn value(&self, key: &str) -> Option<Value<'_>> {
        let a = self.article;
        Some(match key {
            "id" => Value::Str(&a.id),
            "title" => Value::Str(&a.title),
            "dek" => Value::Str(&a.dek),
            "url" => Value::Opt(a.url.as_deref()),
            "source" => Value::Str(&a.source),
            "authors" => Value::List(&a.authors),
            "published" => Value::Opt(self.published()),
            "updated" => Value::Opt(self.updated()),
            "tags" => Value::List(&a.tags),
            "body" => Value::Str(&a.body),
            "path" => Value::Str(&a.path),
            "story" => Value::Str(&a.story),
            _ => return None,
        })
    }

    /// One CSV/TSV column: lists joined with `|`, unknown values empty.
    pub fn cell(&self, key: &str) -> String {
        match self.value(key) {
            Some(Value::Str(s)) => s.to_string(),
            Some(Value::Opt(s)) => s.unwrap_or_default().to_string(),
            Some(Value::List(l)) => l.join("|"),
            None => String::new(),
        }
    }

    /// Every column of the shape, in order.
    pub fn cells(&self) -> Vec<String> {
        self.shape.fields().iter().map(|k| self.cell(k)).collect()
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let entries: Vec<(&str, Value)> = self
            .shape
            .fields()
            .iter()
            .filter_map(|k| self.value(k).map(|v| (*k, v)))
            .filter(|(_, v)| !(self.shape == Shape::Export && matches!(v, Value::Opt(None))))
            .collect();
        let mut m = s.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            match v {
                Value::Str(x) => m.serialize_entry(k, x)?,
                Value::Opt(x) => m.serialize_entry(k, &x)?,
                Value::List(x) => m.serialize_entry(k, x)?,
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaSpec;
    use chrono::TimeZone;

    fn article() -> Article {
        Article {
            id: "0123456789abcdef".into(),
            title: "T".into(),
            dek: "D".into(),
            url: Some("https://example.com/a".into()),
            source: "example".into(),
            authors: vec!["A B".into()],
            published: Some(chrono::Utc.with_ymd_and_hms(2024, 1, 10, 21, 5, 0).unwrap()),
            updated: Some(chrono::Utc.with_ymd_and_hms(2024, 1, 11, 0, 0, 0).unwrap()),
            tags: vec!["etfs".into()],
            body: "B".into(),
            path: "/x.txt".into(),
            story: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn export_document_has_exactly_the_schema_fields_in_order() {
        let a = article();
        let v = serde_json::to_string(&Document::new(&a, Shape::Export)).unwrap();
        let spec = SchemaSpec::bundled();
        let names: Vec<&str> = spec.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, EXPORT_FIELDS);
        // keys appear in schema order
        let mut last = 0;
        for k in EXPORT_FIELDS {
            let at = v
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} in {v}"));
            assert!(at >= last, "{k} out of order in {v}");
            last = at;
        }
        let mut bare = a.clone();
        bare.url = None;
        bare.published = None;
        bare.updated = None;
        let v = serde_json::to_string(&Document::new(&bare, Shape::Export)).unwrap();
        assert!(!v.contains("null") && !v.contains("\"url\"") && !v.contains("\"published\""));
    }

    #[test]
    fn get_document_writes_every_field_with_nulls() {
        let mut bare = article();
        bare.url = None;
        bare.updated = None;
        let v = serde_json::to_string(&Document::new(&bare, Shape::Get)).unwrap();
        assert_eq!(
            v,
            r#"{"id":"0123456789abcdef","title":"T","dek":"D","url":null,"source":"example","authors":["A B"],"published":"2024-01-10T21:05:00Z","updated":null,"tags":["etfs"],"body":"B","path":"/x.txt","story":"0123456789abcdef"}"#
        );
        let d = Document::new(&bare, Shape::Get);
        assert_eq!(d.cells()[3], "");
        assert_eq!(d.cell("authors"), "A B");
        assert_eq!(d.cells().len(), DOCUMENT_FIELDS.len());
    }
}
