//! The way out to a cluster: the export document (one JSON object per article, the
//! shape Quickwit, Elasticsearch and OpenSearch ingest as is) and a Quickwit index
//! config generated from `index_schema/schema.toml`. Both are documented in
//! `docs/QUICKWIT.md` and `docs/JSON.md`.
//!
//! The config is built from the same declarative schema the local index is built from,
//! so a field added to `schema.toml` appears in the export and in the mapping at once.

use serde::{Deserialize, Serialize};

use super::rfc3339;
use crate::error::{Error, Result};
use crate::model::Article;
use crate::schema::{FieldKind, SchemaSpec};

/// The Quickwit index config format version written by `--quickwit-config`.
pub const CONFIG_VERSION: f64 = 0.8;

/// The default Quickwit index id.
pub const DEFAULT_INDEX_ID: &str = "coindex";

/// The field Quickwit shards and prunes by time.
pub const TIMESTAMP_FIELD: &str = "published";

/// A Quickwit index config (the subset coindex writes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexConfig {
    /// Written unquoted (`version: 0.8`), as in Quickwit's own examples.
    pub version: f64,
    pub index_id: String,
    pub doc_mapping: DocMapping,
    pub search_settings: SearchSettings,
}

/// `doc_mapping` of the index config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocMapping {
    pub mode: String,
    pub field_mappings: Vec<FieldMapping>,
    pub timestamp_field: String,
}

/// `search_settings` of the index config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    pub default_search_fields: Vec<String>,
}

/// One entry of `doc_mapping.field_mappings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMapping {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub stored: bool,
    pub indexed: bool,
    pub fast: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fieldnorms: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_formats: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast_precision: Option<String>,
}

/// Quickwit's tokenizer for one of coindex's analyzers: the coin-aware `news` analyzer
/// has no Quickwit counterpart, `default` is the nearest (lowercased words); `raw` and
/// `keyword` (values coindex already lowercases) become `raw`.
fn tokenizer(name: &str, tok: Option<&str>) -> Result<&'static str> {
    match tok {
        Some("news") => Ok("default"),
        Some("raw" | "keyword") => Ok("raw"),
        other => Err(Error::Internal(format!(
            "field {name}: no Quickwit tokenizer for {other:?}"
        ))),
    }
}

/// Builds the Quickwit index config from the schema spec.
pub fn index_config(spec: &SchemaSpec, index_id: &str) -> Result<IndexConfig> {
    let mut field_mappings = Vec::with_capacity(spec.fields.len());
    for f in &spec.fields {
        let array = |t: &str| {
            if f.multi {
                format!("array<{t}>")
            } else {
                t.to_string()
            }
        };
        let base = FieldMapping {
            name: f.name.clone(),
            kind: String::new(),
            description: Some(f.doc.clone()).filter(|d| !d.is_empty()),
            stored: f.stored,
            indexed: f.indexed,
            fast: f.fast,
            tokenizer: None,
            record: None,
            fieldnorms: None,
            input_formats: None,
            output_format: None,
            fast_precision: None,
        };
        let m = match f.kind {
            FieldKind::Text => {
                let indexed = f.indexed.then(|| -> Result<_> {
                    Ok((
                        tokenizer(&f.name, f.tokenizer.as_deref())?.to_string(),
                        if f.positions { "position" } else { "basic" }.to_string(),
                    ))
                });
                let indexed = indexed.transpose()?;
                FieldMapping {
                    kind: array("text"),
                    tokenizer: indexed.as_ref().map(|i| i.0.clone()),
                    record: indexed.map(|i| i.1),
                    fieldnorms: (f.indexed && f.positions).then_some(true),
                    ..base
                }
            }
            FieldKind::Date => FieldMapping {
                kind: array("datetime"),
                input_formats: Some(vec!["rfc3339".to_string()]),
                output_format: Some("rfc3339".to_string()),
                fast_precision: f.fast.then(|| "seconds".to_string()),
                ..base
            },
        };
        field_mappings.push(m);
    }
    match spec.field(TIMESTAMP_FIELD) {
        Some(f) if f.kind == FieldKind::Date && f.fast && !f.multi => {}
        _ => {
            return Err(Error::Internal(format!(
                "index_schema/schema.toml must declare `{TIMESTAMP_FIELD}` as a fast, single-valued date field"
            )));
        }
    }
    Ok(IndexConfig {
        version: CONFIG_VERSION,
        index_id: index_id.to_string(),
        doc_mapping: DocMapping {
            mode: "strict".to_string(),
            field_mappings,
            timestamp_field: TIMESTAMP_FIELD.to_string(),
        },
        search_settings: SearchSettings {
            default_search_fields: spec.default_fields.clone(),
        },
    })
}

/// Checks a Quickwit index id: a letter, then 2 to 254 letters, digits, `-` or `_`.
pub fn valid_index_id(id: &str) -> bool {
    let b = id.as_bytes();
    (3..=255).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

/// The config as YAML, with a header comment saying where it came from.
pub fn index_config_yaml(spec: &SchemaSpec, index_id: &str) -> Result<String> {
    let cfg = index_config(spec, index_id)?;
    let body = serde_yaml_ng::to_string(&cfg)
        .map_err(|e| Error::Internal(format!("cannot write the Quickwit config: {e}")))?;
    Ok(format!(
        "# Quickwit index config generated by coindex {} from index_schema/schema.toml\n\
         # (schema version {}). Create the index with:\n\
         #   quickwit index create --index-config <this file>\n\
         # then ingest with:\n\
         #   coindex export --require-date | quickwit index ingest --index {index_id} --force\n\
         # (Quickwit rejects documents without the timestamp field `published`.)\n{body}",
        env!("CARGO_PKG_VERSION"),
        spec.version,
    ))
}

/// One exported article: exactly the schema fields, in schema order; `url`,
/// `published` and `updated` are omitted when unknown (never `null`).
#[derive(Debug, Serialize)]
pub struct ExportDocument<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    pub source: &'a str,
    pub title: &'a str,
    pub dek: &'a str,
    pub authors: &'a [String],
    pub body: &'a str,
    pub tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub path: &'a str,
}

/// The keys of an export document, in order.
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
];

impl<'a> ExportDocument<'a> {
    /// The export form of an article.
    pub fn new(a: &'a Article) -> ExportDocument<'a> {
        ExportDocument {
            id: &a.id,
            url: a.url.as_deref(),
            source: &a.source,
            title: &a.title,
            dek: &a.dek,
            authors: &a.authors,
            body: &a.body,
            tags: &a.tags,
            published: a.published.as_ref().map(rfc3339),
            updated: a.updated.as_ref().map(rfc3339),
            path: &a.path,
        }
    }

    /// One column of the CSV/TSV export: arrays joined with `|`, missing values empty.
    pub fn cell(&self, key: &str) -> String {
        match key {
            "id" => self.id.to_string(),
            "url" => self.url.unwrap_or_default().to_string(),
            "source" => self.source.to_string(),
            "title" => self.title.to_string(),
            "dek" => self.dek.to_string(),
            "authors" => self.authors.join("|"),
            "body" => self.body.to_string(),
            "tags" => self.tags.join("|"),
            "published" => self.published.clone().unwrap_or_default(),
            "updated" => self.updated.clone().unwrap_or_default(),
            "path" => self.path.to_string(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        }
    }

    #[test]
    fn export_document_has_exactly_the_schema_fields_in_order() {
        let a = article();
        let v = serde_json::to_string(&ExportDocument::new(&a)).unwrap();
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
        let v = serde_json::to_string(&ExportDocument::new(&bare)).unwrap();
        assert!(!v.contains("null") && !v.contains("\"url\"") && !v.contains("\"published\""));
    }

    #[test]
    fn config_maps_every_schema_field() {
        let spec = SchemaSpec::bundled();
        let cfg = index_config(spec, DEFAULT_INDEX_ID).unwrap();
        assert_eq!(cfg.doc_mapping.field_mappings.len(), spec.fields.len());
        let get = |n: &str| {
            cfg.doc_mapping
                .field_mappings
                .iter()
                .find(|m| m.name == n)
                .unwrap()
        };
        assert_eq!(get("body").tokenizer.as_deref(), Some("default"));
        assert_eq!(get("body").record.as_deref(), Some("position"));
        assert_eq!(get("tags").kind, "array<text>");
        assert_eq!(get("source").tokenizer.as_deref(), Some("raw"));
        assert!(get("source").fast);
        assert_eq!(get("published").kind, "datetime");
        let yaml = index_config_yaml(spec, "news-archive").unwrap();
        assert!(yaml.contains("\nversion: 0.8\n"), "{yaml}");
        assert!(yaml.contains("index_id: news-archive"));
        assert!(valid_index_id("coindex") && !valid_index_id("1abc") && !valid_index_id("ab"));
    }
}
