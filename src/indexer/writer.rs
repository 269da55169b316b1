//! The single writer: applies parsed files to the tantivy index and the manifest
//! (deletions, deduplication, upserts) and commits both together. Owns the order of a
//! commit (manifest first, then the index commit whose payload names it).

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::{IndexWriter, TantivyDocument, Term};
use xxhash_rust::xxh3::Xxh3;

use super::parse::Parsed;
use super::plan::{Listed, path_key};
use super::report::{FileReport, FileStatus, Summary};
use super::sites::SiteRun;
use crate::error::{Error, Result};
use crate::index::manifest::{
    CommitPayload, DocEntry, DocId, DupEntry, FileEntry, Manifest, PathKey,
};
use crate::index::registry::Registry;
use crate::index::sketch::{self, Sig};
use crate::index::{self, Opened};
use crate::ingest::WalkProblem;
use crate::model::Article;
use crate::normalize::dates::NumericDate;
use crate::schema::SchemaSpec;

/// Segments grow by merging four of a size (10k documents → 40k → 160k) and stop
/// growing past 100k documents. Tantivy's default (eight of a size, no cap) left one
/// segment with 64% of a 1M-article index: a search runs one task per segment, so
/// that segment alone set the latency of every heavy query, and building it was the
/// largest merge of the run. Balanced segments let both cores share the work.
pub(super) fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut p = tantivy::indexer::LogMergePolicy::default();
    p.set_min_num_segments(4);
    p.set_max_docs_before_merge(100_000);
    p
}

/// Opens the index writer with the run's threads and memory budget, and the merge
/// policy above. A busy lock means another `coindex index` is writing.
pub(super) fn open_writer(
    opened: &Opened,
    cfg: &super::IndexConfig,
) -> Result<IndexWriter<TantivyDocument>> {
    let writer: IndexWriter<TantivyDocument> = opened
        .index
        .writer_with_num_threads(cfg.writer_threads, cfg.writer_heap)
        .map_err(|e| match e {
            // only a busy lock means another writer; an I/O error creating the lock
            // file (read-only folder) falls through to "cannot write"
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            ) => Error::user(format!(
                "another `coindex index` is already writing to {}; wait for it to finish (searches keep working meanwhile)",
                cfg.index_dir.display()
            )),
            other => Error::user(format!(
                "cannot write to the index at {}: {other}; check permissions, or run with --rebuild",
                cfg.index_dir.display()
            )),
        })?;
    writer.set_merge_policy(Box::new(merge_policy()));
    Ok(writer)
}

/// A streamed file being applied (see `stream.rs`, which applies its batches).
#[derive(Default)]
pub(super) struct StreamState {
    /// Content hash of every document of the file now in the index (the previous
    /// version's, then the new ones).
    pub(super) hashes: FxHashMap<DocId, u64>,
    /// Documents of the previous version not met yet in this read.
    pub(super) pending: FxHashSet<DocId>,
    pub(super) existed: bool,
    pub(super) errors: Vec<String>,
    pub(super) dup_of: Vec<(PathKey, String)>,
    /// Records that became articles (new, changed, unchanged or duplicates).
    pub(super) articles: usize,
    pub(super) added: usize,
    pub(super) removed: usize,
    pub(super) records: u64,
}

/// The costly part of an article's fingerprints: the hash of its body, its MinHash
/// signature and its headline key. Computed on the parser pool ([`Prints::of`]) and
/// carried to the writer with the article: the writer is one thread, and the
/// signature was the largest part of its time per document.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Prints {
    body: u64,
    sig: Sig,
    title: Option<u64>,
}

impl Prints {
    pub(super) fn of(a: &Article) -> Prints {
        let mut p = Prints::default();
        // a body long enough to tell an article (200+ bytes) has a hash and a signature
        if a.body.len() >= sketch::MIN_BODY {
            // the xxh3 of `b\u{1f}` and the body, without copying the body
            let mut h = Xxh3::new();
            h.update("b\u{1f}".as_bytes());
            h.update(a.body.as_bytes());
            p.body = h.digest().max(1);
            p.sig = Sig::of(&a.body).unwrap_or_default();
        }
        p.title = sketch::title_key(&a.title).filter(|_| a.published.is_some());
        p
    }
}

/// The fingerprints of an article for deduplication and stories (see `index::sketch`):
/// its manifest entry before the story is known, and its headline key.
fn fingerprint(a: &Article, id: DocId, pr: &Prints) -> (DocEntry, Option<u64>) {
    let mut d = DocEntry::plain(id, u32::try_from(a.richness()).unwrap_or(u32::MAX));
    d.len = u32::try_from(a.body.len()).unwrap_or(u32::MAX);
    d.body = pr.body;
    d.sig = pr.sig;
    if let (Some(t), Some(p)) = (pr.title, a.published) {
        d.title = sketch::title_day_key(t, day(p));
    }
    (d, pr.title)
}

/// Days since 1970-01-01, UTC.
fn day(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

/// The keys of a headline on the day before, the day of and the day after `day`: two
/// dates on adjacent UTC days are at most 48 hours apart.
fn headline_keys(title: u64, day: i64) -> [u64; 3] {
    [day, day - 1, day + 1].map(|d| sketch::title_day_key(title, d))
}

/// How a record matched an indexed document.
enum Found {
    /// A duplicate: merged, with the reason the summary and `--report` give.
    Duplicate(DocId, String),
    /// Another version of the story `.0`, with different text: both stay.
    Story(DocId),
    Nothing,
}

/// Why a record with the id of an indexed one was merged with it.
fn id_reason(a: &Article) -> String {
    if a.url.is_some() {
        "same URL".to_string()
    } else {
        "same title, time and text".to_string()
    }
}

/// The single writer: applies parsed files to the index and the manifest.
pub(super) struct Writer<'a> {
    pub(super) writer: &'a mut IndexWriter<TantivyDocument>,
    pub(super) opened: &'a Opened,
    pub(super) manifest: &'a mut Manifest,
    pub(super) registry: &'a mut Registry,
    /// False while `registry` is left empty (a no-op run): see [`Writer::load_registry`].
    pub(super) registry_loaded: bool,
    /// The index may hold documents the registry does not know (see `run`).
    pub(super) untracked: bool,
    pub(super) since_commit: usize,
    /// Files added to the manifest since it was last packed.
    pub(super) new_files: usize,
    /// Paths whose manifest entry changed since the last commit (what a delta holds).
    pub(super) changed: FxHashSet<PathKey>,
    pub(super) summary: &'a mut Summary,
    /// Streamed files whose batches are being applied (see `stream`).
    pub(super) streams: FxHashMap<PathKey, StreamState>,
    /// Site learning, unless the run has it off.
    pub(super) sites: Option<&'a mut SiteRun>,
}

impl Writer<'_> {
    pub(super) fn delete_id(&mut self, id: DocId) {
        self.writer
            .delete_term(Term::from_field_text(self.opened.fields.id, &id.hex()));
    }

    /// Removes the documents a file owned; returns how many.
    pub(super) fn drop_docs(&mut self, entry: &FileEntry) -> usize {
        for d in &entry.docs {
            self.delete_id(d.id);
            self.registry.remove(d);
        }
        self.since_commit += entry.docs.len();
        entry.docs.len()
    }

    /// Builds the registry from the manifest if the run left it empty.
    pub(super) fn load_registry(&mut self) {
        if !self.registry_loaded {
            *self.registry = Registry::from_manifest(self.manifest);
            self.registry_loaded = true;
        }
    }

    pub(super) fn apply(&mut self, p: Parsed) {
        let previous = self.manifest.files.get(&p.key).cloned();
        if p.touched_only {
            if let Some(e) = self.manifest.files.get_mut(&*p.key) {
                e.mtime_ns = p.found.mtime_ns;
                e.size = p.found.size;
                self.changed.insert(p.key.clone());
            }
            self.summary.unchanged += 1;
            self.summary.report(FileReport::new(
                p.key.to_string(),
                FileStatus::Unchanged,
                previous.map(|e| e.docs.len()).unwrap_or(0),
                None,
            ));
            return;
        }
        // the old version of the file goes away first
        if let Some(old) = &previous {
            let n = self.drop_docs(old);
            self.summary.documents_removed += n;
        }
        let mut entry = FileEntry::new(p.found.size, p.found.mtime_ns, p.hash);
        let status_if_ok = if previous.is_some() {
            FileStatus::Updated
        } else {
            FileStatus::New
        };
        let (articles, errors) = match p.outcome {
            Ok(v) => v,
            Err(reason) => {
                entry.extra.set_skipped(reason.clone());
                self.insert_entry(p.key.clone(), entry);
                self.summary.skipped += 1;
                self.summary.report(FileReport::new(
                    p.key.to_string(),
                    FileStatus::Skipped,
                    0,
                    Some(reason),
                ));
                return;
            }
        };
        if let (Some(sites), Some(page)) = (&mut self.sites, &p.page) {
            sites.observe(&p.key, page);
        }
        let mut dup_of: Vec<(PathKey, String)> = Vec::new();
        let mut added = 0;
        // bad records found here, after parsing, are appended to the parser's list
        let mut more_errors = Vec::new();
        let mut prints = p.prints.into_iter();
        for a in articles {
            // the parser sends one per article; computed here should one be missing, so
            // that no article can be dropped by a short list
            let pr = prints.next().unwrap_or_else(|| Prints::of(&a));
            if self.add_article(&p.key, a, &pr, &mut entry, &mut dup_of, &mut more_errors) {
                added += 1;
            }
        }
        let mut errors = errors;
        errors.append(&mut more_errors);
        entry.docs.shrink_to_fit();
        self.since_commit += added;
        self.summary.documents_indexed += added;
        self.summary.record_errors += errors.len();
        entry.extra.set_record_errors(errors.clone());
        let status = if added == 0 && !dup_of.is_empty() {
            self.summary.duplicate += 1;
            FileStatus::Duplicate
        } else {
            match status_if_ok {
                FileStatus::New => self.summary.new += 1,
                _ => self.summary.updated += 1,
            }
            status_if_ok
        };
        self.insert_entry(p.key.clone(), entry);
        self.summary.report(FileReport {
            path: p.key.to_string(),
            status,
            documents: added,
            reason: None,
            duplicate_of: dup_of.iter().map(|(k, _)| k.to_string()).collect(),
            duplicate_reasons: dup_of.iter().map(|(_, r)| r.to_string()).collect(),
            record_errors: errors,
        });
    }

    /// Indexes one article of the file `key` into `entry`, unless it is a duplicate of
    /// an indexed one (recorded in `dup_of` and the entry) or cannot be indexed (a
    /// message in `errors`). True when it was added.
    pub(super) fn add_article(
        &mut self,
        key: &PathKey,
        a: Article,
        pr: &Prints,
        entry: &mut FileEntry,
        dup_of: &mut Vec<(PathKey, String)>,
        errors: &mut Vec<String>,
    ) -> bool {
        let Some(id) = DocId::parse(&a.id) else {
            // ids are made by `normalize::hex_id`; anything else is a bug, reported
            errors.push(format!("{}: malformed document id {:?}", a.path, a.id));
            return false;
        };
        let (mut d, title) = fingerprint(&a, id, pr);
        let mut story = None;
        let found = if self.registry.owner(id).is_some() {
            Found::Duplicate(id, id_reason(&a))
        } else {
            let near = title
                .zip(a.published)
                .map(|(t, p)| headline_keys(t, day(p)));
            self.match_text(key, &d, near, entry)
        };
        match found {
            Found::Story(s) => story = Some(s),
            Found::Nothing => {}
            Found::Duplicate(existing, reason) => {
                let Some(owner) = self.registry.owner(existing).cloned() else {
                    return false;
                };
                // the owner's copy as the manifest records it; a copy owned by this
                // same file (a repeated record) always wins, so it is not looked up
                let theirs = (owner != *key)
                    .then(|| self.manifest.files.get(&*owner))
                    .flatten()
                    .and_then(|f| f.docs.iter().find(|d| d.id == existing))
                    .copied();
                // the new copy replaces theirs only if it is richer (ties: smaller path)
                let replaced =
                    theirs.filter(|t| d.rich > t.rich || (d.rich == t.rich && *key < owner));
                let Some(theirs) = replaced else {
                    self.summary.duplicate_documents += 1;
                    if !dup_of.iter().any(|(o, _)| *o == owner) {
                        dup_of.push((owner.clone(), reason));
                    }
                    entry.extra.push_dup(DupEntry {
                        id,
                        of: owner.clone(),
                    });
                    return false;
                };
                // the new copy is richer: demote the old owner's copy to a duplicate;
                // the new copy takes its place in its story
                story = Some(theirs.story());
                self.delete_id(existing);
                self.registry.remove(&theirs);
                self.summary.duplicate_documents += 1;
                if let Some(of) = self.manifest.files.get_mut(&*owner) {
                    self.changed.insert(owner.clone());
                    of.docs.retain(|d| d.id != existing);
                    of.extra.push_dup(DupEntry {
                        id: existing,
                        of: key.clone(),
                    });
                    let left = of.docs.len();
                    self.summary
                        .late_duplicate(&owner, key.as_ref(), &reason, left);
                }
            }
        }
        // no version with similar text: a version with the same headline within 48
        // hours (published the same or an adjacent UTC day)
        if story.is_none()
            && let (Some(t), Some(p)) = (title, a.published)
        {
            story = headline_keys(t, day(p))
                .into_iter()
                .find_map(|k| self.registry.title_story(k));
        }
        d.set_story(story.unwrap_or(id));
        // The registry holds exactly the ids in the index (both are committed
        // together): an id it does not know is not indexed, and one it knows was
        // deleted above or in `drop_docs`. So no delete-by-id per document; each
        // queued delete held ~500 bytes until the segments applied it and cost a
        // term lookup per segment (40 MB at 100k documents).
        if self.untracked {
            self.delete_id(id);
        }
        let mut a = a;
        a.story = d.story().hex();
        let doc = index::to_document(&a, &self.opened.fields);
        if let Err(e) = self.writer.add_document(doc) {
            errors.push(format!("{}: cannot index: {e}", a.path));
            return false;
        }
        self.registry.insert(key, &d);
        entry.docs.push(d);
        true
    }

    /// Compares a record's body with the indexed bodies that share a band key with it:
    /// the same text (equal hashes) is a duplicate, and so is near-identical text
    /// (`sketch::near_identical`) under the same headline within 48 hours (`near`: the
    /// record's headline keys, see [`headline_keys`]). 32 bytes of signature cannot
    /// tell a Jaccard of 0.86 from 0.9, and two different articles from one template
    /// differ in a few words only, so the estimate alone never merges. Similar text
    /// (`sketch::STORY_MIN_AGREE`) is another version of the candidate's story.
    /// `entry` is the record's own file's entry, which holds the candidates it owns.
    fn match_text(
        &self,
        key: &PathKey,
        d: &DocEntry,
        near: Option<[u64; 3]>,
        entry: &FileEntry,
    ) -> Found {
        let mut story = None;
        for c in self.registry.candidates(&d.sig) {
            let Some(owner) = self.registry.owner(c) else {
                continue;
            };
            let docs = if owner == key {
                &entry.docs
            } else {
                match self.manifest.files.get(&**owner) {
                    Some(f) => &f.docs,
                    None => continue,
                }
            };
            let Some(theirs) = docs.iter().find(|x| x.id == c) else {
                continue;
            };
            if d.body != 0 && d.body == theirs.body {
                return Found::Duplicate(c, "same text".to_string());
            }
            let agree = d.sig.agree(&theirs.sig);
            let long = |len: u32| len as usize >= sketch::NEAR_MIN_BODY;
            if !(long(d.len) && long(theirs.len)) {
                continue;
            }
            let same_headline =
                near.is_some_and(|k| theirs.title != 0 && k.contains(&theirs.title));
            if same_headline
                && sketch::near_identical(agree, u64::from(d.len), u64::from(theirs.len))
            {
                let pct = (sketch::estimate(agree) * 100.0).round();
                return Found::Duplicate(c, format!("same text {pct}%"));
            }
            if agree >= sketch::STORY_MIN_AGREE && story.is_none() {
                story = Some(theirs.story());
            }
        }
        story.map_or(Found::Nothing, Found::Story)
    }

    fn insert_entry(&mut self, key: PathKey, entry: FileEntry) {
        self.changed.insert(key.clone());
        if self.manifest.files.insert(key, entry).is_none() {
            self.new_files += 1;
        }
    }

    /// Writes the manifest generation, then commits the index pointing at it. `whole`
    /// writes the whole manifest (a run's last commit); otherwise only the entries that
    /// changed since the previous commit are written.
    pub(super) fn commit(&mut self, generation: u64, whole: bool) -> Result<()> {
        // a first run inserts files in nearly sorted order, which leaves the map's
        // nodes about half full; repacking whenever it grew by a quarter keeps them full
        if self.new_files * 4 >= self.manifest.files.len() {
            self.manifest.pack();
            self.new_files = 0;
        }
        self.registry.compact();
        self.flush_streams();
        if let Some(sites) = self.sites.as_deref_mut() {
            sites.save(&self.opened.dir)?;
        }
        if whole {
            self.manifest.save(&self.opened.dir, generation)?;
        } else {
            self.manifest
                .save_delta(&self.opened.dir, generation, &self.changed)?;
        }
        let payload = CommitPayload {
            schema_version: SchemaSpec::bundled().version,
            manifest_gen: generation,
            committed_at: chrono::Utc::now().to_rfc3339(),
        };
        let payload =
            serde_json::to_string(&payload).map_err(|e| Error::Internal(e.to_string()))?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.since_commit = 0;
        self.changed.clear();
        Ok(())
    }

    /// Applies a page read again to be cleaned with its site's newer chrome or date
    /// order: the index changes, the run's counts do not (but `recleaned`).
    pub(super) fn reclean(&mut self, p: Parsed) {
        // a page that cannot be read again now keeps what is indexed: re-cleaning never
        // loses an article
        if p.outcome.is_err() {
            return;
        }
        // the same document as indexed (same id, text and richness; a date read in a
        // new order is not seen in those): only what it was cleaned with is recorded,
        // and the index is left alone
        let redated = p
            .page
            .as_ref()
            .is_some_and(|g| g.date == Some(NumericDate::Ambiguous));
        let same = match (&p.outcome, self.manifest.files.get(&*p.key)) {
            (Ok((arts, _)), Some(old)) if !redated && arts.len() == 1 && old.docs.len() == 1 => {
                let (a, d) = (&arts[0], &old.docs[0]);
                DocId::parse(&a.id) == Some(d.id) && {
                    let (now, _) = fingerprint(a, d.id, &p.prints[0]);
                    now.rich == d.rich && now.body == d.body && now.title == d.title
                }
            }
            _ => false,
        };
        if same {
            if let (Some(sites), Some(page)) = (&mut self.sites, &p.page) {
                sites.observe(&p.key, page);
            }
            return;
        }
        let s = &*self.summary;
        let keep = (
            [s.new, s.updated, s.duplicate, s.skipped],
            [
                s.documents_indexed,
                s.documents_removed,
                s.duplicate_documents,
                s.record_errors,
            ],
            s.files.len(),
        );
        self.apply(p);
        let s = &mut *self.summary;
        [s.new, s.updated, s.duplicate, s.skipped] = keep.0;
        [
            s.documents_indexed,
            s.documents_removed,
            s.duplicate_documents,
            s.record_errors,
        ] = keep.1;
        s.files.truncate(keep.2);
        s.recleaned += 1;
    }

    /// Removes the documents of files that are gone, and reports them.
    pub(super) fn remove_files(&mut self, deleted: &[PathKey]) {
        for key in deleted {
            if let Some(sites) = self.sites.as_deref_mut() {
                sites.forget(key);
            }
            if let Some(entry) = self.manifest.files.remove(key.as_ref()) {
                self.changed.insert(key.clone());
                let n = self.drop_docs(&entry);
                self.summary.documents_removed += n;
                self.summary.removed += 1;
                self.summary.report(FileReport::new(
                    key.to_string(),
                    FileStatus::Removed,
                    n,
                    None,
                ));
            }
        }
    }

    /// Reports the files the walk could not list.
    pub(super) fn report_walk_problems(&mut self, problems: Vec<WalkProblem>) {
        for p in problems {
            self.summary.skipped += 1;
            self.summary.report(FileReport::new(
                path_key(&p.path),
                FileStatus::Skipped,
                0,
                Some(p.reason),
            ));
        }
    }

    /// Reports the files that are not read (unchanged, or skipped before and unchanged)
    /// from the manifest.
    pub(super) fn report_unchanged(&mut self, found: &[Listed], in_todo: &[bool]) {
        for (i, Listed { key, .. }) in found.iter().enumerate() {
            if in_todo[i] {
                continue;
            }
            if let Some(e) = self.manifest.files.get(key) {
                let (status, reason) = match e.extra.skipped() {
                    Some(r) => (FileStatus::Skipped, Some(r.to_string())),
                    None => (FileStatus::Unchanged, None),
                };
                match status {
                    FileStatus::Skipped => self.summary.skipped += 1,
                    _ => self.summary.unchanged += 1,
                }
                self.summary.report(FileReport {
                    path: key.to_string(),
                    status,
                    documents: e.docs.len(),
                    reason,
                    duplicate_of: vec![],
                    duplicate_reasons: vec![],
                    record_errors: vec![],
                });
            }
        }
    }
}
