//! The writer's side of a streamed file (a big record export read in batches): each
//! batch is applied as it comes, upserting only the records whose content changed since
//! the file was last indexed; the last batch removes the records that vanished and
//! finalizes the file's manifest entry.
//!
//! Until then the entry is marked partial (`PARTIAL_MTIME`): every commit in between
//! records exactly the documents in the index (the previous version's not met yet, and
//! the new ones) with their content hashes, but not the file's size and mtime. A run
//! killed in the middle of the file leaves it partial, and the next run reads it again
//! and upserts exactly what is missing. Deduplication is the writer's (`add_article`).

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::Xxh3;

use super::parse::{Batch, BatchEnd};
use super::report::{FileReport, FileStatus};
use super::writer::{StreamState, Writer};
use crate::index::manifest::{DocId, FileEntry, PARTIAL_MTIME, PathKey};
use crate::model::Article;

/// The content hash of a document as it would be stored: every field, the path with
/// its `#line N` included (a record that moved to another line is rewritten, so that
/// its stored path stays true).
pub(super) fn content_hash(a: &Article) -> u64 {
    let mut h = Xxh3::new();
    let mut put = |s: &str| {
        h.update(s.as_bytes());
        h.update(b"\x1f");
    };
    put(&a.id);
    put(&a.title);
    put(&a.dek);
    put(a.url.as_deref().unwrap_or(""));
    put(&a.source);
    for x in &a.authors {
        put(x);
    }
    put("\x1e");
    for x in &a.tags {
        put(x);
    }
    put("\x1e");
    put(&a.body);
    put(&a.path);
    let ts = |d: Option<chrono::DateTime<chrono::Utc>>| d.map_or(i64::MIN, |d| d.timestamp());
    h.update(&ts(a.published).to_le_bytes());
    h.update(&ts(a.updated).to_le_bytes());
    h.digest()
}

impl Writer<'_> {
    /// Applies one batch of a streamed file.
    pub(super) fn apply_batch(&mut self, b: Batch) {
        let key = b.key.clone();
        if b.first {
            self.begin_stream(&b);
        }
        let Some(mut st) = self.streams.remove(&key) else {
            return;
        };
        let mut entry = self
            .manifest
            .files
            .remove(&key)
            .unwrap_or_else(|| FileEntry::new(b.found.size, PARTIAL_MTIME, 0));
        st.records = b.records;
        // classify first: the changed records' old copies leave the index, the
        // registry and the entry (in one pass) before any new copy is added
        let mut stale: FxHashSet<DocId> = FxHashSet::default();
        let mut todo = Vec::with_capacity(b.articles.len());
        let mut prints = b.prints.into_iter();
        for a in b.articles {
            // one per article from the parser; never a reason to drop an article
            let pr = prints
                .next()
                .unwrap_or_else(|| super::writer::Prints::of(&a));
            st.articles += 1;
            let h = content_hash(&a);
            if let Some(id) = DocId::parse(&a.id)
                && st.pending.remove(&id)
                && self.registry.owner(id).is_some_and(|o| *o == key)
            {
                if st.hashes.get(&id) == Some(&h) {
                    continue; // unchanged: stays as indexed
                }
                self.delete_id(id);
                stale.insert(id);
            }
            todo.push((a, pr, h));
        }
        if !stale.is_empty() {
            for d in entry.docs.iter().filter(|d| stale.contains(&d.id)) {
                self.registry.remove(d);
            }
            entry.docs.retain(|d| !stale.contains(&d.id));
            st.removed += stale.len();
            self.since_commit += stale.len();
        }
        for (a, pr, h) in todo {
            let id = DocId::parse(&a.id);
            if self.add_article(&key, a, &pr, &mut entry, &mut st.dup_of, &mut st.errors) {
                if let Some(id) = id {
                    st.hashes.insert(id, h);
                }
                st.added += 1;
                self.since_commit += 1;
            }
        }
        st.errors.extend(b.errors);
        self.changed.insert(key.clone());
        self.manifest.files.insert(key.clone(), entry);
        match b.end {
            None => {
                self.streams.insert(key, st);
            }
            Some(BatchEnd::Done(hash)) => self.finish_stream(key, st, &b.found, hash),
            Some(BatchEnd::Failed(reason)) => {
                let reason = format!(
                    "{reason} (after {} records; they stay indexed, and the next run reads the file again)",
                    st.records
                );
                self.leave_partial(key, st, reason);
            }
        }
    }

    fn begin_stream(&mut self, b: &Batch) {
        let mut st = StreamState::default();
        let mut entry = FileEntry::new(b.found.size, PARTIAL_MTIME, 0);
        if let Some(old) = self.manifest.files.remove(&b.key) {
            st.existed = true;
            st.hashes = old.extra.record_hashes().iter().copied().collect();
            st.pending = old.docs.iter().map(|d| d.id).collect();
            // its documents are still in the index; duplicates, skip reason and bad
            // records are found again by this read
            entry.docs = old.docs;
        } else {
            self.new_files += 1;
        }
        self.manifest.files.insert(b.key.clone(), entry);
        self.changed.insert(b.key.clone());
        self.streams.insert(b.key.clone(), st);
    }

    /// The last batch was applied: removes the records that vanished and writes the
    /// file's real size, mtime and hash.
    fn finish_stream(
        &mut self,
        key: PathKey,
        mut st: StreamState,
        found: &crate::ingest::FoundFile,
        hash: u64,
    ) {
        let Some(mut entry) = self.manifest.files.remove(&key) else {
            return;
        };
        let vanished: FxHashSet<DocId> = std::mem::take(&mut st.pending)
            .into_iter()
            .filter(|&id| self.registry.owner(id).is_some_and(|o| *o == key))
            .collect();
        if !vanished.is_empty() {
            for d in entry.docs.iter().filter(|d| vanished.contains(&d.id)) {
                self.delete_id(d.id);
                self.registry.remove(d);
            }
            entry.docs.retain(|d| !vanished.contains(&d.id));
            st.removed += vanished.len();
            self.since_commit += vanished.len();
        }
        entry.size = found.size;
        entry.mtime_ns = found.mtime_ns;
        entry.hash = hash;
        entry.docs.shrink_to_fit();
        set_hashes(&mut entry, &st.hashes);
        self.summary.documents_indexed += st.added;
        self.summary.documents_removed += st.removed;
        let errors = std::mem::take(&mut st.errors);
        let status = if st.articles == 0 {
            let reason = match errors.first() {
                Some(e) => format!(
                    "no usable article ({} bad records; first: {e})",
                    errors.len()
                ),
                None => "no articles found in the file".to_string(),
            };
            entry.extra.set_skipped(reason.clone());
            self.summary.skipped += 1;
            self.manifest.files.insert(key.clone(), entry);
            self.summary.report(FileReport::new(
                key.to_string(),
                FileStatus::Skipped,
                0,
                Some(reason),
            ));
            return;
        } else if entry.docs.is_empty() && !st.dup_of.is_empty() {
            self.summary.duplicate += 1;
            FileStatus::Duplicate
        } else if st.existed {
            self.summary.updated += 1;
            FileStatus::Updated
        } else {
            self.summary.new += 1;
            FileStatus::New
        };
        self.summary.record_errors += errors.len();
        entry.extra.set_record_errors(errors.clone());
        let documents = entry.docs.len();
        self.manifest.files.insert(key.clone(), entry);
        self.summary.report(FileReport {
            path: key.to_string(),
            status,
            documents,
            reason: None,
            duplicate_of: st.dup_of.iter().map(|(k, _)| k.to_string()).collect(),
            duplicate_reasons: st.dup_of.iter().map(|(_, r)| r.to_string()).collect(),
            record_errors: errors,
        });
    }

    /// A streamed file that did not reach its end (a read error, Ctrl-C): what was
    /// applied stays, the entry stays partial, and the file is reported skipped.
    fn leave_partial(&mut self, key: PathKey, st: StreamState, reason: String) {
        if let Some(entry) = self.manifest.files.get_mut(&key) {
            set_hashes(entry, &st.hashes);
        }
        self.summary.documents_indexed += st.added;
        self.summary.documents_removed += st.removed;
        self.summary.skipped += 1;
        self.summary.report(FileReport::new(
            key.to_string(),
            FileStatus::Skipped,
            st.added,
            Some(reason),
        ));
    }

    /// Files whose stream did not end in this run (Ctrl-C): left partial.
    pub(super) fn abandon_streams(&mut self) {
        let open: Vec<PathKey> = self.streams.keys().cloned().collect();
        for key in open {
            if let Some(st) = self.streams.remove(&key) {
                let reason = format!(
                    "interrupted after {} records (they stay indexed; the next run finishes the file)",
                    st.records
                );
                self.leave_partial(key, st, reason);
            }
        }
    }

    /// Before a commit: every open stream's entry gets the content hashes of its
    /// documents, so the commit records them.
    pub(super) fn flush_streams(&mut self) {
        for (key, st) in &self.streams {
            if let Some(entry) = self.manifest.files.get_mut(key) {
                set_hashes(entry, &st.hashes);
            }
        }
    }
}

/// The entry's content hashes: those of its documents.
fn set_hashes(entry: &mut FileEntry, hashes: &FxHashMap<DocId, u64>) {
    let v: Vec<(DocId, u64)> = entry
        .docs
        .iter()
        .filter_map(|d| hashes.get(&d.id).map(|&h| (d.id, h)))
        .collect();
    entry.extra.set_record_hashes(v);
}
