//! `index_schema/schema.toml` turned into a tantivy [`Schema`] and typed field handles.
//!
//! The TOML file is compiled into the binary, so coindex works from any directory. This
//! module owns the mapping from that declarative contract to tantivy options; it does not
//! know about tokenizer internals (see `analysis`) or about opening indexes (see `index`).

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions,
};

use crate::error::{Error, Result};

/// The schema file, as compiled in.
pub const SCHEMA_TOML: &str = include_str!("../index_schema/schema.toml");

/// The declarative schema file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSpec {
    pub version: u32,
    pub default_fields: Vec<String>,
    #[serde(rename = "field")]
    pub fields: Vec<FieldSpec>,
}

/// One field of the schema file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default)]
    pub tokenizer: Option<String>,
    #[serde(default)]
    pub indexed: bool,
    #[serde(default)]
    pub stored: bool,
    #[serde(default)]
    pub fast: bool,
    #[serde(default)]
    pub positions: bool,
    #[serde(default)]
    pub multi: bool,
    #[serde(default)]
    pub boost: Option<f32>,
    pub doc: String,
}

/// Field value types the schema file may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Date,
}

impl SchemaSpec {
    /// Parses the compiled-in schema file.
    pub fn bundled() -> &'static SchemaSpec {
        static SPEC: std::sync::OnceLock<SchemaSpec> = std::sync::OnceLock::new();
        SPEC.get_or_init(|| {
            // The file is part of the source tree and covered by a unit test.
            toml::from_str(SCHEMA_TOML).expect("index_schema/schema.toml is valid")
        })
    }

    /// The spec of a named field.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Builds the tantivy schema from the spec.
    pub fn build(&self) -> Result<Schema> {
        let mut b = Schema::builder();
        for f in &self.fields {
            match f.kind {
                FieldKind::Text => {
                    let mut opts = TextOptions::default();
                    if f.indexed {
                        let tok = f.tokenizer.as_deref().ok_or_else(|| {
                            Error::Internal(format!("field {} has no tokenizer", f.name))
                        })?;
                        let rec = if f.positions {
                            IndexRecordOption::WithFreqsAndPositions
                        } else {
                            IndexRecordOption::Basic
                        };
                        opts = opts.set_indexing_options(
                            TextFieldIndexing::default()
                                .set_tokenizer(tok)
                                .set_index_option(rec)
                                .set_fieldnorms(f.positions),
                        );
                    }
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    if f.fast {
                        opts = opts.set_fast("raw");
                    }
                    b.add_text_field(&f.name, opts);
                }
                FieldKind::Date => {
                    let mut opts = DateOptions::default().set_precision(DateTimePrecision::Seconds);
                    if f.indexed {
                        opts = opts.set_indexed();
                    }
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    if f.fast {
                        opts = opts.set_fast();
                    }
                    b.add_date_field(&f.name, opts);
                }
            }
        }
        Ok(b.build())
    }
}

/// Handles to every field coindex reads or writes.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub url: Field,
    pub source: Field,
    pub title: Field,
    pub dek: Field,
    pub authors: Field,
    pub body: Field,
    pub tags: Field,
    pub published: Field,
    pub updated: Field,
    pub path: Field,
    pub story: Field,
}

impl Fields {
    /// Resolves every handle in `schema`; fails if the schema lacks one.
    pub fn new(schema: &Schema) -> Result<Fields> {
        let get = |name: &str| {
            schema.get_field(name).map_err(|_| {
                Error::user(format!(
                    "the index has no field `{name}`: it was built by another version of coindex; \
                     run {} to rebuild it",
                    crate::error::rebuild_command(None)
                ))
            })
        };
        Ok(Fields {
            id: get("id")?,
            url: get("url")?,
            source: get("source")?,
            title: get("title")?,
            dek: get("dek")?,
            authors: get("authors")?,
            body: get("body")?,
            tags: get("tags")?,
            published: get("published")?,
            updated: get("updated")?,
            path: get("path")?,
            story: get("story")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schema_builds_with_every_required_field() {
        let spec = SchemaSpec::bundled();
        let schema = spec.build().unwrap();
        Fields::new(&schema).unwrap();
        for f in &spec.default_fields {
            assert!(spec.field(f).is_some(), "default field {f} is declared");
        }
        assert!(spec.fields.iter().all(|f| !f.doc.is_empty()));
    }
}
