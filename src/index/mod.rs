//! Creating and opening the index, with the schema-version check. The mapping between
//! articles and tantivy documents is `document`, the file → documents bookkeeping
//! `manifest`, the learned site profiles `sites`, and the writer's page-releasing
//! directory `release`.
//!
//! The index directory holds tantivy's files plus `coindex-index.json` (schema version,
//! written at creation) and the manifest generations (see `manifest`). The indexing run
//! itself lives in `indexer`; queries live in `search`.

mod document;
pub mod manifest;
pub mod registry;
mod release;
pub mod sites;
pub mod sketch;

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::analysis;
use crate::error::{Error, Result, rebuild_command};
use crate::schema::{Fields, SchemaSpec};
pub use document::{from_document, to_document};
use manifest::CommitPayload;
use release::WriterDirectory;

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
    format!("run {} to rebuild it", rebuild_command(Some(dir)))
}

/// Opens an existing index for searching (files memory-mapped), checking it is a
/// coindex index of this schema.
pub fn open(dir: &Path) -> Result<Opened> {
    open_with(dir, Access::Mapped)
}

/// How an opened index reads its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Memory-mapped: for searching, where a query touches a few pages of each file.
    Mapped,
    /// Memory-mapped, with the pages read released as the writer goes: its merges
    /// stream whole segments (see [`WriterDirectory`]).
    Writer,
}

fn open_with(dir: &Path, access: Access) -> Result<Opened> {
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
    let result = match access {
        Access::Mapped => Index::open_in_dir(dir),
        Access::Writer => WriterDirectory::open(dir).and_then(Index::open),
    };
    let index = result.map_err(|e| {
        Error::user(format!(
            "the index at {} cannot be opened: {e}; {}",
            dir.display(),
            rebuild_hint(dir)
        ))
    })?;
    opened(index, dir)
}

/// An open index with coindex's analyzers registered and its field handles resolved.
fn opened(index: Index, dir: &Path) -> Result<Opened> {
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
        return open_with(dir, Access::Writer);
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
            compression_level: Some(1),
        }),
        docstore_blocksize: 16 * 1024,
        ..Default::default()
    };
    let index = WriterDirectory::open(dir)
        .and_then(|d| Index::create(d, schema, settings))
        .map_err(|e| Error::user(format!("cannot create an index in {}: {e}", dir.display())))?;
    let marker = Marker {
        schema_version: spec.version,
        created_at: Utc::now().to_rfc3339(),
    };
    let marker_json =
        serde_json::to_vec_pretty(&marker).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(dir.join(MARKER), marker_json).map_err(|e| Error::io(dir.join(MARKER), e))?;
    opened(index, dir)
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
