//! The incremental-indexing manifest: which files were indexed, with their size, mtime
//! and content hash, and which document ids each one produced.
//!
//! Crash safety comes from committing the manifest *with* the index: a run writes
//! `coindex-manifest.<gen>.json.zst` (zstd JSON, fsynced, renamed into place) and then commits tantivy
//! with a payload naming that generation. A crash before the commit leaves the old
//! payload pointing at the old manifest, so index and manifest never disagree. This
//! module owns the file format and the lookup tables; deciding what to re-index is the
//! indexer's job.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Commit payload stored in tantivy's `meta.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitPayload {
    pub schema_version: u32,
    pub manifest_gen: u64,
    /// RFC 3339 time of the commit.
    pub committed_at: String,
}

/// One indexed document owned by a file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocEntry {
    pub id: String,
    /// Richness of the indexed copy (see `Article::richness`).
    pub rich: u64,
    /// Dedup keys other than the id: title+day and body hashes.
    #[serde(default)]
    pub keys: Vec<u64>,
}

/// A record of a file that was a duplicate of a document owned by another file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DupEntry {
    pub id: String,
    pub of: String,
}

/// What the manifest knows about one file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: u64,
    #[serde(default)]
    pub docs: Vec<DocEntry>,
    #[serde(default)]
    pub dups: Vec<DupEntry>,
    /// Why the file was skipped, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Records of the file that could not be used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_errors: Vec<String>,
}

/// The manifest: files by absolute path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, FileEntry>,
}

/// Owner of an indexed document, for dedup decisions.
#[derive(Debug, Clone)]
pub struct Owner {
    pub path: String,
    pub rich: u64,
    pub keys: Vec<u64>,
}

/// In-memory lookups derived from the manifest.
#[derive(Debug, Default)]
pub struct Registry {
    pub by_id: HashMap<String, Owner>,
    pub by_key: HashMap<u64, String>,
}

impl Registry {
    /// Builds lookups from a manifest.
    pub fn from_manifest(m: &Manifest) -> Registry {
        let mut r = Registry::default();
        for (path, f) in &m.files {
            for d in &f.docs {
                r.insert(path, d);
            }
        }
        r
    }

    /// Registers a document as owned by `path`.
    pub fn insert(&mut self, path: &str, d: &DocEntry) {
        for k in &d.keys {
            self.by_key.insert(*k, d.id.clone());
        }
        self.by_id.insert(
            d.id.clone(),
            Owner {
                path: path.to_string(),
                rich: d.rich,
                keys: d.keys.clone(),
            },
        );
    }

    /// Forgets a document.
    pub fn remove(&mut self, id: &str) -> Option<Owner> {
        let owner = self.by_id.remove(id)?;
        for k in &owner.keys {
            if self.by_key.get(k).is_some_and(|v| v == id) {
                self.by_key.remove(k);
            }
        }
        Some(owner)
    }

    /// The id of an indexed document that `id` or any of `keys` duplicates.
    pub fn find(&self, id: &str, keys: &[u64]) -> Option<String> {
        if self.by_id.contains_key(id) {
            return Some(id.to_string());
        }
        keys.iter().find_map(|k| self.by_key.get(k).cloned())
    }
}

/// Path of the manifest file of a generation.
pub fn manifest_path(index_dir: &Path, generation: u64) -> PathBuf {
    index_dir.join(format!("coindex-manifest.{generation}.json.zst"))
}

impl Manifest {
    /// Loads the manifest of a generation; generation 0 is the empty manifest.
    pub fn load(index_dir: &Path, generation: u64) -> Result<Manifest> {
        if generation == 0 {
            return Ok(Manifest::default());
        }
        let path = manifest_path(index_dir, generation);
        let data = std::fs::read(&path).map_err(|e| {
            Error::user(format!(
                "the index manifest {} cannot be read ({e}); run `coindex index --rebuild <DIR>...` to rebuild the index",
                path.display()
            ))
        })?;
        let damaged = |e: &dyn std::fmt::Display| {
            Error::user(format!(
                "the index manifest {} is damaged ({e}); run `coindex index --rebuild <DIR>...` to rebuild the index",
                path.display()
            ))
        };
        let json = zstd::stream::decode_all(&data[..]).map_err(|e| damaged(&e))?;
        serde_json::from_slice(&json).map_err(|e| damaged(&e))
    }

    /// Writes the manifest of a generation durably (temp file, fsync, rename).
    pub fn save(&self, index_dir: &Path, generation: u64) -> Result<()> {
        let path = manifest_path(index_dir, generation);
        let tmp = path.with_extension("zst.tmp");
        let write = || -> std::io::Result<()> {
            // zstd-compressed JSON: paths and ids repeat, so it is ~4x smaller
            let f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            let mut z = zstd::stream::write::Encoder::new(f, 3)?;
            serde_json::to_writer(&mut z, self)?;
            let mut f = z.finish()?;
            f.flush()?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            if let Ok(d) = std::fs::File::open(index_dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| Error::io(&path, e))
    }

    /// Removes manifest files of other generations (best effort).
    pub fn remove_others(index_dir: &Path, keep: u64) {
        let Ok(rd) = std::fs::read_dir(index_dir) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(rest) = name.strip_prefix("coindex-manifest.")
                && rest != format!("{keep}.json.zst")
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_roundtrip_and_registry() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::default();
        m.files.insert(
            "/a.txt".into(),
            FileEntry {
                size: 3,
                mtime_ns: 5,
                hash: 7,
                docs: vec![DocEntry {
                    id: "x".into(),
                    rich: 10,
                    keys: vec![1, 2],
                }],
                dups: vec![],
                skipped: None,
                record_errors: vec![],
            },
        );
        m.save(dir.path(), 4).unwrap();
        let back = Manifest::load(dir.path(), 4).unwrap();
        assert_eq!(back.files, m.files);
        let mut r = Registry::from_manifest(&back);
        assert_eq!(r.find("y", &[2]).as_deref(), Some("x"));
        assert_eq!(r.find("x", &[]).as_deref(), Some("x"));
        r.remove("x");
        assert_eq!(r.find("y", &[2]), None);
        Manifest::remove_others(dir.path(), 9);
        assert!(Manifest::load(dir.path(), 4).is_err());
    }
}
