//! The way out to a cluster: a Quickwit index config generated from
//! `index_schema/schema.toml`, for the export documents of `document.rs` (the shape
//! Quickwit, Elasticsearch and OpenSearch ingest as is). Both are documented in
//! `docs/QUICKWIT.md` and `docs/JSON.md`.
//!
//! The config is built from the same declarative schema the local index is built from,
//! so a field added to `schema.toml` appears in the export and in the mapping at once.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
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

#[cfg(test)]
mod tests {
    use super::*;

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
