//! Creating and opening the index, with the schema-version check, and the mapping
//! between [`Article`] and tantivy documents.
//!
//! The index directory holds tantivy's files plus `coindex-index.json` (schema version,
//! written at creation) and the manifest generations (see `manifest`). The indexing run
//! itself lives in `indexer`; queries live in `search`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{Index, TantivyDocument};

use crate::analysis;
use crate::error::{Error, Result};
use crate::manifest::CommitPayload;
use crate::model::Article;
use crate::schema::{Fields, SchemaSpec};

/// Name of the sidecar file that marks a coindex index.
pub const MARKER: &str = "coindex-index.json";

/// Contents of the marker file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Marker {
    pub schema_version: u32,
    pub created_at: String,
}

/// An opened index with its field handles.
pub struct Opened {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
}

fn rebuild_hint(dir: &Path) -> String {
    format!(
        "run `coindex index --rebuild --index {} <DIR>...` to rebuild it",
        dir.display()
    )
}

/// Opens an existing index for reading, checking it is a coindex index of this schema.
pub fn open(dir: &Path) -> Result<Opened> {
    if !dir.exists() {
        return Err(Error::user(format!(
            "no index at {}: create one with `coindex index <DIR>...` (or point --index / COINDEX_INDEX at an existing one)",
            dir.display()
        )));
    }
    let marker_path = dir.join(MARKER);
    let marker: Marker = match std::fs::read(&marker_path) {
        Ok(data) => serde_json::from_slice(&data).map_err(|e| {
            Error::user(format!(
                "{} is damaged ({e}); {}",
                marker_path.display(),
                rebuild_hint(dir)
            ))
        })?,
        Err(_) => {
            return Err(Error::user(format!(
                "{} is not a coindex index (no {MARKER}); choose another --index, or {}",
                dir.display(),
                rebuild_hint(dir)
            )));
        }
    };
    let want = SchemaSpec::bundled().version;
    if marker.schema_version != want {
        return Err(Error::user(format!(
            "the index at {} was built with schema version {}, this coindex uses version {want}; {}",
            dir.display(),
            marker.schema_version,
            rebuild_hint(dir)
        )));
    }
    let index = Index::open_in_dir(dir).map_err(|e| {
        Error::user(format!(
            "the index at {} cannot be opened: {e}; {}",
            dir.display(),
            rebuild_hint(dir)
        ))
    })?;
    analysis::register(index.tokenizers());
    let fields = Fields::new(&index.schema())?;
    Ok(Opened {
        index,
        fields,
        dir: dir.to_path_buf(),
    })
}

/// Opens the index for writing, creating it (or recreating it with `rebuild`).
pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<Opened> {
    if rebuild && dir.exists() {
        if !dir.join(MARKER).exists() && !is_empty_dir(dir) {
            return Err(Error::user(format!(
                "refusing to --rebuild {}: it is not a coindex index and not empty",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    if dir.join(MARKER).exists() {
        return open(dir);
    }
    if dir.exists() && !is_empty_dir(dir) {
        return Err(Error::user(format!(
            "{} exists and is not a coindex index; choose another --index or an empty folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let spec = SchemaSpec::bundled();
    let schema = spec.build()?;
    // zstd keeps the stored text (served for snippets) small; 16 KB blocks: a search
    // decompresses one block per hit, and 64 KB blocks cost ~3 ms per one-shot search
    // for 4% less index
    let settings = tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 16 * 1024,
        ..Default::default()
    };
    let index = Index::builder()
        .schema(schema)
        .settings(settings)
        .create_in_dir(dir)
        .map_err(|e| Error::user(format!("cannot create an index in {}: {e}", dir.display())))?;
    let marker = Marker {
        schema_version: spec.version,
        created_at: Utc::now().to_rfc3339(),
    };
    let marker_json =
        serde_json::to_vec_pretty(&marker).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(dir.join(MARKER), marker_json).map_err(|e| Error::io(dir.join(MARKER), e))?;
    analysis::register(index.tokenizers());
    let fields = Fields::new(&index.schema())?;
    Ok(Opened {
        index,
        fields,
        dir: dir.to_path_buf(),
    })
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut r| r.next().is_none())
}

/// The payload of the last commit, if any.
pub fn last_payload(index: &Index) -> Result<Option<CommitPayload>> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok()))
}

fn to_tantivy_date(d: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(d.timestamp())
}

fn from_tantivy_date(d: tantivy::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(d.into_timestamp_secs(), 0)
}

/// Article → tantivy document.
pub fn to_document(a: &Article, f: &Fields) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &a.id);
    if let Some(u) = &a.url {
        doc.add_text(f.url, u);
    }
    doc.add_text(f.source, &a.source);
    doc.add_text(f.title, &a.title);
    doc.add_text(f.dek, &a.dek);
    for au in &a.authors {
        doc.add_text(f.authors, au);
    }
    doc.add_text(f.body, &a.body);
    for t in &a.tags {
        doc.add_text(f.tags, t);
    }
    if let Some(p) = a.published {
        doc.add_date(f.published, to_tantivy_date(p));
    }
    if let Some(u) = a.updated {
        doc.add_date(f.updated, to_tantivy_date(u));
    }
    doc.add_text(f.path, &a.path);
    doc
}

/// tantivy document → Article.
pub fn from_document(doc: &TantivyDocument, f: &Fields) -> Article {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let all = |field| {
        doc.get_all(field)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let date = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_datetime())
            .and_then(from_tantivy_date)
    };
    let url = text(f.url);
    Article {
        id: text(f.id),
        title: text(f.title),
        dek: text(f.dek),
        url: (!url.is_empty()).then_some(url),
        source: text(f.source),
        authors: all(f.authors),
        published: date(f.published),
        updated: date(f.updated),
        tags: all(f.tags),
        body: text(f.body),
        path: text(f.path),
    }
}

/// Total size in bytes of the files in the index directory.
pub fn size_on_disk(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
