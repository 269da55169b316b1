//! The plan of a run: walk the roots into a sorted list of files, then diff it against
//! the manifest: which files to read (new, changed, or depending on a changed file's
//! duplicates), which were deleted, and which are unchanged and never read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::index::manifest::{Manifest, PARTIAL_MTIME, PathKey};
use crate::ingest::{self, WalkProblem};

/// A file found by the walk.
#[derive(Clone)]
pub(super) struct Listed {
    pub(super) key: PathKey,
    pub(super) size: u64,
    pub(super) mtime_ns: i64,
}

/// Manifest and report key of a path: the path itself when it is UTF-8, else its
/// non-UTF-8 bytes written `\xNN`, so that `bad\xff.txt` and `bad\xfe.txt` keep two
/// keys (a lossy conversion merged them and one file's documents were dropped).
pub(super) fn path_key(p: &Path) -> String {
    let bytes = p.as_os_str().as_encoded_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

pub(super) fn is_under(path: &str, roots: &[String]) -> bool {
    roots.iter().any(|r| {
        path == r
            || path
                .strip_prefix(r.as_str())
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('\\'))
    })
}

/// The files under the roots, sorted by key.
pub(super) struct Walked {
    /// The roots' own keys, to tell which manifest entries lie under them.
    pub(super) root_keys: Vec<String>,
    pub(super) found: Vec<Listed>,
    /// The walk list holds a key, size and mtime per file: the key is the path itself
    /// when it is UTF-8, and only other paths keep their `PathBuf` here.
    pub(super) odd_paths: FxHashMap<PathKey, PathBuf>,
    pub(super) problems: Vec<WalkProblem>,
}

impl Walked {
    /// The index of a key in the walk list.
    pub(super) fn position(&self, key: &str) -> Option<usize> {
        self.found
            .binary_search_by(|f| f.key.as_ref().cmp(key))
            .ok()
    }
}

/// Walks every root. A root that cannot be resolved is an error of the run.
pub(super) fn walk(roots: &[PathBuf], manifest: &Manifest) -> Result<Walked> {
    let roots: Vec<PathBuf> = roots
        .iter()
        .map(|r| {
            std::fs::canonicalize(r)
                .map_err(|e| Error::user(format!("cannot index {}: {e}", r.display())))
        })
        .collect::<Result<_>>()?;
    let root_keys: Vec<String> = roots.iter().map(|r| path_key(r)).collect();
    let mut found: Vec<Listed> = Vec::new();
    let mut odd_paths: FxHashMap<PathKey, PathBuf> = FxHashMap::default();
    let mut problems = Vec::new();
    for r in &roots {
        ingest::walk_each(
            r,
            |f| {
                let key = path_key(&f.path);
                // share the manifest's copy of the path instead of holding a second one
                let key = match manifest.files.get_key_value(key.as_str()) {
                    Some((k, _)) => k.clone(),
                    None => PathKey::from(key),
                };
                if f.path.to_str() != Some(&*key) {
                    odd_paths.insert(key.clone(), f.path);
                }
                found.push(Listed {
                    key,
                    size: f.size,
                    mtime_ns: f.mtime_ns,
                });
            },
            &mut problems,
        );
    }
    // sorted by key: membership is a binary search, and a file under two of the
    // given roots (`a` and `a/b`) is read once
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found.dedup_by(|a, b| a.key == b.key);
    found.shrink_to_fit();
    Ok(Walked {
        root_keys,
        found,
        odd_paths,
        problems,
    })
}

/// What a run must do.
pub(super) struct Diff {
    /// Files to read: their index in the walk list and the hash the manifest has for
    /// them (`None`: new, or re-read because a duplicate it pointed at changed).
    pub(super) todo: Vec<(usize, Option<u64>)>,
    /// `in_todo[i]`: file `i` of the walk list is read.
    pub(super) in_todo: Vec<bool>,
    /// Manifest entries under the roots whose files are gone.
    pub(super) deleted: Vec<PathKey>,
}

/// Compares the walk list with the manifest by size and mtime: unchanged files are not
/// read at all.
pub(super) fn diff(walked: &Walked, manifest: &Manifest) -> Diff {
    let found = &walked.found;
    let mut todo: Vec<(usize, Option<u64>)> = Vec::new();
    let mut in_todo = vec![false; found.len()];
    for (i, f) in found.iter().enumerate() {
        match manifest.files.get(&f.key) {
            Some(e) if e.size == f.size && e.mtime_ns == f.mtime_ns => continue,
            // partly written (a streamed file a run did not finish): read it again,
            // record by record, without first hashing it against a hash it never had
            Some(e) if e.mtime_ns == PARTIAL_MTIME => todo.push((i, None)),
            Some(e) => todo.push((i, Some(e.hash))),
            None => todo.push((i, None)),
        }
        in_todo[i] = true;
    }
    let deleted: Vec<PathKey> = manifest
        .files
        .keys()
        .filter(|k| is_under(k, &walked.root_keys) && walked.position(k).is_none())
        .cloned()
        .collect();

    // Files whose duplicates pointed at a file that goes away or changes must be re-read.
    let affected: HashSet<&str> = deleted
        .iter()
        .map(|k| k.as_ref())
        .chain(
            todo.iter()
                .filter(|(_, h)| h.is_some())
                .map(|&(i, _)| found[i].key.as_ref()),
        )
        .collect();
    let mut dependents = Vec::new();
    for (k, e) in &manifest.files {
        if e.extra
            .dups()
            .iter()
            .any(|d| affected.contains(d.of.as_ref()))
            && let Some(i) = walked.position(k)
            && !in_todo[i]
        {
            dependents.push(i);
        }
    }
    drop(affected);
    for i in dependents {
        in_todo[i] = true;
        todo.push((i, None));
    }
    Diff {
        todo,
        in_todo,
        deleted,
    }
}
