//! One `coindex index` run: walk, diff against the manifest, parse changed files in
//! parallel, write documents through a single writer, commit index and manifest
//! together, and account for every file.
//!
//! Pipeline: the walker lists files; files whose size and mtime match the manifest are
//! not read at all. The rest are read, hashed, parsed and normalized on a rayon pool and
//! handed to the writer thread through a bounded channel (so memory stays flat however
//! large the folder). The writer applies deletions, deduplicates, upserts and commits
//! every `commit_every` documents, each commit carrying the manifest generation it
//! matches. Ctrl-C stops the producers; what was received is committed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};
use crate::index::{self, Opened};
use crate::ingest::{self, FoundFile, IngestOptions};
use crate::manifest::{
    CommitPayload, DocEntry, DocId, DupEntry, FileEntry, Keys, Manifest, PathKey, Registry,
};
use crate::model::Article;
use crate::normalize::{self, NormalizeOptions};
use crate::schema::SchemaSpec;

/// Settings of an indexing run.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub index_dir: PathBuf,
    pub roots: Vec<PathBuf>,
    pub rebuild: bool,
    pub normalize: NormalizeOptions,
    pub ingest: IngestOptions,
    /// Commit after this many documents (and at the end).
    pub commit_every: usize,
    /// Writer memory budget in bytes.
    pub writer_heap: usize,
    /// Keep a report line for every file in [`Summary::files`] (for `--report`).
    pub report_every_file: bool,
    /// Threads of the parser pool, and tantivy indexing threads (tokenizing and
    /// building postings run there).
    pub writer_threads: usize,
    /// Show a progress bar (only honoured on a terminal).
    pub progress: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    New,
    Updated,
    Unchanged,
    Removed,
    Duplicate,
    Skipped,
}

/// One line of the run report.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub status: FileStatus,
    pub documents: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicate_of: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub record_errors: Vec<String>,
}

/// Counts and per-file outcomes of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_seen: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub duplicate: usize,
    pub skipped: usize,
    pub documents_indexed: usize,
    pub documents_removed: usize,
    pub duplicate_documents: usize,
    pub record_errors: usize,
    pub total_documents: u64,
    pub interrupted: bool,
    pub elapsed_ms: u64,
    /// Per-file outcomes: every file when [`IndexConfig::report_every_file`] is set,
    /// else only files that were skipped, repeated others or had bad records (so a run
    /// over a million files does not hold a million reports in memory).
    pub files: Vec<FileReport>,
    #[serde(skip)]
    every_file: bool,
}

impl Summary {
    /// Records that `path`'s copy of a document was dropped for the one in `of`, found
    /// after `path` was processed (a richer copy came later; the parse pool hands files
    /// over in any order, so either file of a pair can come first).
    fn late_duplicate(&mut self, path: &str, of: &str, docs_left: usize) {
        if let Some(r) = self.files.iter_mut().rev().find(|r| r.path == path) {
            if !r.duplicate_of.iter().any(|d| d == of) {
                r.duplicate_of.push(of.to_string());
            }
            return;
        }
        // not reported yet: it had nothing to report when it was processed, or it was
        // indexed by an earlier run
        self.files.push(FileReport {
            path: path.to_string(),
            status: if docs_left == 0 {
                FileStatus::Duplicate
            } else {
                FileStatus::Unchanged
            },
            documents: docs_left,
            reason: None,
            duplicate_of: vec![of.to_string()],
            record_errors: vec![],
        });
    }

    fn report(&mut self, r: FileReport) {
        if self.every_file
            || r.status == FileStatus::Skipped
            || r.reason.is_some()
            || !r.duplicate_of.is_empty()
            || !r.record_errors.is_empty()
        {
            self.files.push(r);
        }
    }
}

/// Files per chunk of the walk list handed to the parser pool: small enough that the
/// last chunk, parsed by one thread, is a short tail, and that a chunk's buffer is
/// freed soon after its files are parsed (unit tests use chunks of 8, so that small
/// folders span several).
const PARSE_CHUNK: usize = if cfg!(test) { 8 } else { 1024 };

/// Most input (bytes of the files' sizes) being parsed or waiting for the writer at
/// once. The channel's 64 slots bound the number of files in flight, not their size: a
/// file of 12,000 NDJSON or CSV records is one slot, held whole (text or records) from
/// the moment it is read until the writer has applied it. A 100k build from eight
/// NDJSON exports of 37 MB peaked at 318-380 MB, against 171-184 MB from page dumps. Page dumps (64 files of ~4 KB in the channel) never
/// reach this bound; a file larger than the whole budget still goes through, alone.
/// Compressed files count by their size on disk.
const QUEUE_BYTES: u64 = if cfg!(test) { 4 << 10 } else { 48 << 20 };

/// A counting semaphore over bytes: a parser takes its file's size before reading it
/// and holds it as a [`Permit`], which travels with the parsed file and gives the bytes
/// back when dropped: once the writer has applied the file, or if the parser stops or
/// panics on the way. Hand-written because the pipeline is threads, not async, and it
/// is a few lines.
///
/// A file larger than the whole budget waits until nothing else is in flight; the
/// other parsers may keep taking small files meanwhile, so it can wait until the end
/// of the list, but never forever.
#[derive(Default)]
struct ByteBudget {
    state: std::sync::Mutex<BudgetState>,
    freed: std::sync::Condvar,
}

#[derive(Default)]
struct BudgetState {
    in_flight: u64,
    /// The writer has gone: nobody waits, nothing is admitted.
    closed: bool,
    /// Parsers waiting for room (read by the tests).
    waiting: usize,
    /// Most bytes ever in flight at once (read by the tests).
    peak: u64,
}

/// Bytes taken from a [`ByteBudget`], given back on drop.
struct Permit {
    budget: Arc<ByteBudget>,
    bytes: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.budget.lock();
        s.in_flight = s.in_flight.saturating_sub(self.bytes);
        self.budget.freed.notify_all();
    }
}

impl ByteBudget {
    fn lock(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `n` more bytes fit under `cap` (or nothing is in flight, so that a
    /// file larger than the budget still passes). None once the writer has gone.
    fn acquire(self: &Arc<Self>, n: u64, cap: u64) -> Option<Permit> {
        let mut s = self.lock();
        s.waiting += 1;
        while !s.closed && s.in_flight > 0 && s.in_flight + n > cap {
            s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.waiting -= 1;
        if s.closed {
            return None;
        }
        s.in_flight += n;
        s.peak = s.peak.max(s.in_flight);
        Some(Permit {
            budget: self.clone(),
            bytes: n,
        })
    }

    /// The writer stops taking files: wakes and refuses every waiting parser.
    fn close(&self) {
        self.lock().closed = true;
        self.freed.notify_all();
    }
}

/// Closes the budget when the writer loop ends, by error or not, so that no parser
/// waits forever for room the writer will never make.
struct CloseOnDrop(Arc<ByteBudget>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A file found by the walk.
#[derive(Clone)]
struct Listed {
    key: PathKey,
    size: u64,
    mtime_ns: i64,
}

/// A parsed file on its way to the writer.
struct Parsed {
    found: FoundFile,
    key: PathKey,
    hash: u64,
    outcome: std::result::Result<(Vec<Article>, Vec<String>), String>,
    /// Content identical to the manifest's: only the mtime needs updating.
    touched_only: bool,
}

/// Dedup keys other than the id: title + day, and body.
fn dedup_keys(a: &Article) -> Vec<u64> {
    let mut keys = Vec::new();
    if let Some(p) = a.published
        && !a.title.is_empty()
    {
        let k = format!(
            "t\u{1f}{}\u{1f}{}",
            a.title.to_lowercase(),
            p.format("%Y-%m-%d")
        );
        keys.push(xxh3_64(k.as_bytes()));
    }
    if a.body.len() >= 200 {
        keys.push(xxh3_64(format!("b\u{1f}{}", a.body).as_bytes()));
    }
    keys
}

/// Manifest and report key of a path: the path itself when it is UTF-8, else its
/// non-UTF-8 bytes written `\xNN`, so that `bad\xff.txt` and `bad\xfe.txt` keep two
/// keys (a lossy conversion merged them and one file's documents were dropped).
fn path_key(p: &Path) -> String {
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

fn is_under(path: &str, roots: &[String]) -> bool {
    roots.iter().any(|r| {
        path == r
            || path
                .strip_prefix(r.as_str())
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('\\'))
    })
}

/// Segments grow by merging four of a size (10k documents → 40k → 160k) and stop
/// growing past 100k documents. Tantivy's default (eight of a size, no cap) left one
/// segment with 64% of a 1M-article index: a search runs one task per segment, so
/// that segment alone set the latency of every heavy query, and building it was the
/// largest merge of the run. Balanced segments let both cores share the work.
fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut p = tantivy::indexer::LogMergePolicy::default();
    p.set_min_num_segments(4);
    p.set_max_docs_before_merge(100_000);
    p
}

/// Runs an indexing pass. `stop` is set by Ctrl-C.
pub fn run(cfg: &IndexConfig, stop: Arc<AtomicBool>) -> Result<Summary> {
    let started = Instant::now();
    let opened = index::open_or_create(&cfg.index_dir, cfg.rebuild)?;
    let mut writer: IndexWriter<TantivyDocument> = opened
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
    let payload = index::last_payload(&opened.index)?;
    let mut generation = payload.as_ref().map(|p| p.manifest_gen).unwrap_or(0);
    let mut manifest = Manifest::load(&opened.dir, generation)?;
    let mut registry = Registry::from_manifest(&manifest);
    let has_segments = !opened.index.load_metas()?.segments.is_empty();
    let fresh = manifest.files.is_empty() && !has_segments;
    // Documents the manifest does not know about (an index written without one) must
    // be replaced by id; otherwise the registry knows every indexed id.
    let untracked = manifest.files.is_empty() && has_segments;

    // ---- walk
    let roots: Vec<PathBuf> = cfg
        .roots
        .iter()
        .map(|r| {
            std::fs::canonicalize(r)
                .map_err(|e| Error::user(format!("cannot index {}: {e}", r.display())))
        })
        .collect::<Result<_>>()?;
    let root_keys: Vec<String> = roots.iter().map(|r| path_key(r)).collect();
    let mut summary = Summary {
        every_file: cfg.report_every_file,
        ..Summary::default()
    };
    // The walk list holds a key, size and mtime per file: the key is the path itself
    // when it is UTF-8, and only other paths keep their `PathBuf` (in `odd_paths`).
    let mut found: Vec<Listed> = Vec::new();
    let mut odd_paths: FxHashMap<PathKey, PathBuf> = FxHashMap::default();
    let mut walk_problems = Vec::new();
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
            &mut walk_problems,
        );
    }
    // sorted by key: membership is a binary search, and a file under two of the
    // given roots (`a` and `a/b`) is read once
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found.dedup_by(|a, b| a.key == b.key);
    found.shrink_to_fit();
    let position = |key: &str| found.binary_search_by(|f| f.key.as_ref().cmp(key)).ok();
    summary.files_seen = found.len() + walk_problems.len();

    // ---- diff
    let mut todo: Vec<(usize, Option<u64>)> = Vec::new();
    let mut in_todo = vec![false; found.len()];
    for (i, f) in found.iter().enumerate() {
        match manifest.files.get(&f.key) {
            Some(e) if e.size == f.size && e.mtime_ns == f.mtime_ns => continue,
            Some(e) => todo.push((i, Some(e.hash))),
            None => todo.push((i, None)),
        }
        in_todo[i] = true;
    }
    let deleted: Vec<PathKey> = manifest
        .files
        .keys()
        .filter(|k| is_under(k, &root_keys) && position(k).is_none())
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
            && let Some(i) = position(k)
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

    // Nothing to read, delete or report: a no-op run commits nothing (no manifest
    // rewrite, no fsyncs), which keeps it fast on big archives.
    let nothing_to_do = !fresh && deleted.is_empty() && todo.is_empty() && walk_problems.is_empty();
    let mut w = Writer {
        writer: &mut writer,
        opened: &opened,
        manifest: &mut manifest,
        registry: &mut registry,
        untracked,
        since_commit: 0,
        new_files: 0,
        changed: FxHashSet::default(),
        summary: &mut summary,
    };

    // ---- deletions
    for key in &deleted {
        if let Some(entry) = w.manifest.files.remove(key.as_ref()) {
            w.changed.insert(key.clone());
            let n = w.drop_docs(&entry);
            w.summary.documents_removed += n;
            w.summary.removed += 1;
            w.summary.report(FileReport {
                path: key.to_string(),
                status: FileStatus::Removed,
                documents: n,
                reason: None,
                duplicate_of: vec![],
                record_errors: vec![],
            });
        }
    }
    for p in walk_problems {
        w.summary.skipped += 1;
        w.summary.report(FileReport {
            path: path_key(&p.path),
            status: FileStatus::Skipped,
            documents: 0,
            reason: Some(p.reason),
            duplicate_of: vec![],
            record_errors: vec![],
        });
    }
    // unchanged files are reported from the manifest without being read
    for (i, Listed { key, .. }) in found.iter().enumerate() {
        if in_todo[i] {
            continue;
        }
        if let Some(e) = w.manifest.files.get(key) {
            let (status, reason) = match e.extra.skipped() {
                Some(r) => (FileStatus::Skipped, Some(r.to_string())),
                None => (FileStatus::Unchanged, None),
            };
            match status {
                FileStatus::Skipped => w.summary.skipped += 1,
                _ => w.summary.unchanged += 1,
            }
            w.summary.report(FileReport {
                path: key.to_string(),
                status,
                documents: e.docs.len(),
                reason,
                duplicate_of: vec![],
                record_errors: vec![],
            });
        }
    }
    // The parser jobs get their files from the walk list, which then goes. They get
    // them in chunks, each freed once its files are parsed: the list held whole until
    // the end of a run cost ~48 bytes per file (48 MB at a million files) at the very
    // moment the manifest and the registry are largest.
    let todo_len = todo.len();
    let mut chunks: Vec<Vec<(Listed, Option<u64>)>> = Vec::new();
    for part in todo.chunks(PARSE_CHUNK) {
        chunks.push(part.iter().map(|&(i, h)| (found[i].clone(), h)).collect());
    }
    drop(todo);
    drop(in_todo);
    drop(found);

    // ---- parse in parallel, write here
    let bar = progress_bar(cfg.progress, todo_len as u64);
    let (tx, rx) = crossbeam_channel::bounded::<(Parsed, Permit)>(64);
    let budget = Arc::new(ByteBudget::default());
    let budget2 = budget.clone();
    let cfg2 = cfg.clone();
    let stop2 = stop.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.writer_threads)
        .thread_name(|i| format!("coindex-parse-{i}"))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the parser threads: {e}")))?;
    let producer = std::thread::spawn(move || {
        pool.install(|| {
            // each worker takes whole chunks and drops a chunk's buffer when done
            chunks
                .into_par_iter()
                .flat_map_iter(|chunk| chunk.into_iter())
                .for_each_with(tx, |tx, (f, old_hash)| {
                    if stop2.load(Ordering::Relaxed) {
                        return;
                    }
                    let found = FoundFile {
                        path: odd_paths
                            .get(&f.key)
                            .cloned()
                            .unwrap_or_else(|| PathBuf::from(&*f.key)),
                        size: f.size,
                        mtime_ns: f.mtime_ns,
                    };
                    // The file's size is taken from the budget before it is read and
                    // given back once the writer has applied it. A file over the size
                    // limit is refused without being read, so it weighs nothing.
                    let weight = if found.size > cfg2.ingest.max_file_bytes {
                        1
                    } else {
                        found.size.max(1)
                    };
                    let Some(permit) = budget2.acquire(weight, QUEUE_BYTES) else {
                        return;
                    };
                    // Ctrl-C may have come while this parser waited for room
                    if stop2.load(Ordering::Relaxed) {
                        return;
                    }
                    let parsed = parse_one(f.key, found, old_hash, &cfg2);
                    let _ = tx.send((parsed, permit));
                })
        });
    });
    let mut last_commit = Instant::now();
    let _closer = CloseOnDrop(budget);
    for (p, permit) in rx.iter() {
        if let Some(b) = &bar {
            b.inc(1);
            b.set_message(format!("{} docs", w.summary.documents_indexed));
        }
        w.apply(p);
        drop(permit);
        if w.since_commit >= cfg.commit_every || last_commit.elapsed() > Duration::from_secs(300) {
            generation += 1;
            w.commit(generation, false)?;
            last_commit = Instant::now();
        }
    }
    producer
        .join()
        .map_err(|_| Error::Internal("a parser thread panicked".into()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !nothing_to_do {
        generation += 1;
        w.commit(generation, true)?;
        Manifest::remove_others(&opened.dir, generation);
    }
    summary.interrupted = stop.load(Ordering::Relaxed);
    summary.files.sort_by(|a, b| a.path.cmp(&b.path));
    let reader = opened.index.reader()?;
    summary.total_documents = reader.searcher().num_docs();
    drop(reader);
    let _ = writer.wait_merging_threads();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

fn progress_bar(enabled: bool, len: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() || len == 0 {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files, {msg} ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// Reads, hashes, parses and normalizes one file (runs on the rayon pool).
fn parse_one(key: PathKey, found: FoundFile, old_hash: Option<u64>, cfg: &IndexConfig) -> Parsed {
    let bytes = match ingest::read_bytes(&found.path, &cfg.ingest) {
        Ok(b) => b,
        Err(reason) => {
            return Parsed {
                found,
                key,
                hash: 0,
                outcome: Err(reason),
                touched_only: false,
            };
        }
    };
    let hash = xxh3_64(&bytes);
    if old_hash == Some(hash) {
        return Parsed {
            found,
            key,
            hash,
            outcome: Ok((vec![], vec![])),
            touched_only: true,
        };
    }
    // A parser bug on one strange file must not stop the run: it becomes a skip reason.
    let read_and_parse = || {
        let text = ingest::read_text(&found.path, &bytes, &cfg.ingest)?;
        drop(bytes);
        let format = ingest::detect_format(&found.path, &text)?;
        let parsed = ingest::parse_text(format, &text, &cfg.ingest)?;
        // the articles own their text; a 64 MB export need not be held twice more
        drop(text);
        let fallback = ingest::folder_source(&found.path);
        let mut errors = parsed.record_errors;
        let mut articles = Vec::with_capacity(parsed.articles.len());
        let multi = parsed.articles.len() > 1;
        for raw in parsed.articles {
            let loc = raw.locator.clone();
            match normalize::normalize(raw, &key, &fallback, &cfg.normalize) {
                Ok(a) => articles.push(a),
                Err(reason) if multi || loc.is_some() => {
                    errors.push(format!("{}: {reason}", loc.unwrap_or_default()))
                }
                Err(reason) => return Err(reason),
            }
        }
        if articles.is_empty() {
            return Err(match errors.first() {
                Some(e) => format!(
                    "no usable article ({} bad records; first: {e})",
                    errors.len()
                ),
                None => "no articles found in the file".to_string(),
            });
        }
        Ok((articles, errors))
    };
    let outcome = ingest::guarded(read_and_parse, |message| {
        format!("internal error while parsing this file (please report it): {message}")
    });
    Parsed {
        found,
        key,
        hash,
        outcome,
        touched_only: false,
    }
}

/// The single writer: applies parsed files to the index and the manifest.
struct Writer<'a> {
    writer: &'a mut IndexWriter<TantivyDocument>,
    opened: &'a Opened,
    manifest: &'a mut Manifest,
    registry: &'a mut Registry,
    /// The index may hold documents the registry does not know (see `run`).
    untracked: bool,
    since_commit: usize,
    /// Files added to the manifest since it was last packed.
    new_files: usize,
    /// Paths whose manifest entry changed since the last commit (what a delta holds).
    changed: FxHashSet<PathKey>,
    summary: &'a mut Summary,
}

impl Writer<'_> {
    fn delete_id(&mut self, id: DocId) {
        self.writer
            .delete_term(Term::from_field_text(self.opened.fields.id, &id.hex()));
    }

    /// Removes the documents a file owned; returns how many.
    fn drop_docs(&mut self, entry: &FileEntry) -> usize {
        for d in &entry.docs {
            self.delete_id(d.id);
            self.registry.remove(d.id, d.keys.as_slice());
        }
        self.since_commit += entry.docs.len();
        entry.docs.len()
    }

    fn apply(&mut self, p: Parsed) {
        let previous = self.manifest.files.get(&p.key).cloned();
        if p.touched_only {
            if let Some(e) = self.manifest.files.get_mut(&*p.key) {
                e.mtime_ns = p.found.mtime_ns;
                e.size = p.found.size;
                self.changed.insert(p.key.clone());
            }
            self.summary.unchanged += 1;
            self.summary.report(FileReport {
                path: p.key.to_string(),
                status: FileStatus::Unchanged,
                documents: previous.map(|e| e.docs.len()).unwrap_or(0),
                reason: None,
                duplicate_of: vec![],
                record_errors: vec![],
            });
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
                self.summary.report(FileReport {
                    path: p.key.to_string(),
                    status: FileStatus::Skipped,
                    documents: 0,
                    reason: Some(reason),
                    duplicate_of: vec![],
                    record_errors: vec![],
                });
                return;
            }
        };
        let mut dup_of: Vec<PathKey> = Vec::new();
        let mut added = 0;
        // bad records found here, after parsing (they were once overwritten by the
        // parser's list and lost)
        let mut more_errors = Vec::new();
        for a in articles {
            let Some(id) = DocId::parse(&a.id) else {
                // ids are made by `normalize::hex_id`; anything else is a bug, reported
                more_errors.push(format!("{}: malformed document id {:?}", a.path, a.id));
                continue;
            };
            let keys = dedup_keys(&a);
            let rich = a.richness();
            if let Some(existing) = self.registry.find(id, &keys) {
                let Some(owner) = self.registry.owner(existing).cloned() else {
                    continue;
                };
                // the owner's copy as the manifest records it; a copy owned by this
                // same file (a repeated record) always wins, so it is not looked up
                let theirs = (owner != p.key)
                    .then(|| self.manifest.files.get(&*owner))
                    .flatten()
                    .and_then(|f| f.docs.iter().find(|d| d.id == existing))
                    .copied();
                // the new copy replaces theirs only if it is richer (ties: smaller path)
                let replaced =
                    theirs.filter(|t| rich > t.rich || (rich == t.rich && p.key < owner));
                let Some(theirs) = replaced else {
                    self.summary.duplicate_documents += 1;
                    if !dup_of.contains(&owner) {
                        dup_of.push(owner.clone());
                    }
                    entry.extra.push_dup(DupEntry {
                        id,
                        of: owner.clone(),
                    });
                    continue;
                };
                // the new copy is richer: demote the old owner's copy to a duplicate
                self.delete_id(existing);
                self.registry.remove(existing, theirs.keys.as_slice());
                self.summary.duplicate_documents += 1;
                if let Some(of) = self.manifest.files.get_mut(&*owner) {
                    self.changed.insert(owner.clone());
                    of.docs.retain(|d| d.id != existing);
                    of.extra.push_dup(DupEntry {
                        id: existing,
                        of: p.key.clone(),
                    });
                    let left = of.docs.len();
                    self.summary.late_duplicate(&owner, p.key.as_ref(), left);
                }
            }
            // The registry holds exactly the ids in the index (both are committed
            // together): an id it does not know is not indexed, and one it knows was
            // deleted above or in `drop_docs`. So no delete-by-id per document; each
            // queued delete held ~500 bytes until the segments applied it and cost a
            // term lookup per segment (40 MB at 100k documents).
            if self.untracked {
                self.delete_id(id);
            }
            let doc = index::to_document(&a, &self.opened.fields);
            if let Err(e) = self.writer.add_document(doc) {
                more_errors.push(format!("{}: cannot index: {e}", a.path));
                continue;
            }
            let d = DocEntry {
                id,
                rich,
                keys: Keys::new(&keys),
            };
            self.registry.insert(&p.key, &d);
            entry.docs.push(d);
            added += 1;
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
            duplicate_of: dup_of.iter().map(|k| k.to_string()).collect(),
            record_errors: errors,
        });
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
    fn commit(&mut self, generation: u64, whole: bool) -> Result<()> {
        // a first run inserts files in nearly sorted order, which leaves the map's
        // nodes about half full; repacking whenever it grew by a quarter keeps them full
        if self.new_files * 4 >= self.manifest.files.len() {
            self.manifest.pack();
            self.new_files = 0;
        }
        self.registry.compact();
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(src: &Path, index: &Path) -> IndexConfig {
        IndexConfig {
            index_dir: index.to_path_buf(),
            roots: vec![src.to_path_buf()],
            rebuild: false,
            normalize: NormalizeOptions {
                timezone: chrono_tz::UTC,
            },
            ingest: IngestOptions::default(),
            commit_every: 10,
            writer_heap: 32 << 20,
            report_every_file: true,
            writer_threads: 2,
            progress: false,
        }
    }

    /// The walk list reaches the parsers in chunks: every file of a folder spanning
    /// several chunks and a partial last one is parsed and indexed exactly once, and a
    /// second run over the same folder finds every file unchanged.
    #[test]
    fn every_chunk_of_the_walk_list_is_indexed_once() {
        let src = tempfile::tempdir().unwrap();
        let ix = tempfile::tempdir().unwrap();
        let n = PARSE_CHUNK * 3 + 5;
        for i in 0..n {
            std::fs::write(
                src.path().join(format!("note-{i:03}.md")),
                format!(
                    "---\ntitle: Miners sold {i} BTC\ndate: 2024-01-{:02}\n---\n\nNote {i}: hashrate fell and miners sold {i} coins.\n",
                    1 + i % 28
                ),
            )
            .unwrap();
        }
        let cfg = config(src.path(), ix.path());
        let first = run(&cfg, Arc::new(AtomicBool::new(false))).unwrap();
        assert_eq!(first.files_seen, n);
        assert_eq!(first.new, n, "{:?}", first.files);
        assert_eq!(first.documents_indexed, n);
        assert_eq!(first.total_documents, n as u64);
        let mut paths: Vec<&str> = first.files.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        assert_eq!(paths.len(), n, "each file is reported once");

        let again = run(&cfg, Arc::new(AtomicBool::new(false))).unwrap();
        assert_eq!(again.unchanged, n);
        assert_eq!(again.documents_indexed, 0);
        assert_eq!(again.total_documents, n as u64);
    }

    /// Waits (up to 30 s) until `n` parsers are blocked in `acquire`.
    fn wait_for_waiters(budget: &ByteBudget, n: usize) {
        let start = Instant::now();
        while budget.lock().waiting < n {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no parser waited"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A file larger than the whole budget passes alone; the next one waits until the
    /// writer drops the permit, and a parser that panics gives its bytes back too.
    #[test]
    fn the_byte_budget_lets_an_oversized_file_through_alone() {
        let budget = Arc::new(ByteBudget::default());
        let big = budget.acquire(10, 8).expect("nothing in flight: admitted");
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let b = budget.clone();
        let waiter = std::thread::spawn(move || {
            let permit = b.acquire(1, 8);
            done_tx.send(permit.is_some()).unwrap();
        });
        wait_for_waiters(&budget, 1);
        assert!(
            done_rx.try_recv().is_err(),
            "a second file must wait while the budget is spent"
        );
        drop(big);
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(30)), Ok(true));
        waiter.join().unwrap();
        assert_eq!(
            budget.lock().in_flight,
            0,
            "the waiter's permit was dropped"
        );
        // small files share the budget
        let a = budget.acquire(3, 8).unwrap();
        let b = budget.acquire(5, 8).unwrap();
        assert_eq!(budget.lock().in_flight, 8);
        drop((a, b));
        // a parser that panics while holding a permit gives the bytes back
        let b = budget.clone();
        let panicked = std::thread::spawn(move || {
            let _permit = b.acquire(6, 8).unwrap();
            panic!("parser bug");
        })
        .join();
        assert!(panicked.is_err());
        assert_eq!(budget.lock().in_flight, 0);
        assert_eq!(budget.lock().peak, 10);
    }

    /// When the writer stops (an error, or the end of the run), a parser blocked in
    /// `acquire` is woken and refused.
    #[test]
    fn closing_the_byte_budget_wakes_waiting_parsers() {
        let budget = Arc::new(ByteBudget::default());
        let _held = budget.acquire(8, 8).unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let b = budget.clone();
        std::thread::spawn(move || {
            let permit = b.acquire(4, 8);
            done_tx.send(permit.is_some()).unwrap();
        });
        wait_for_waiters(&budget, 1);
        drop(CloseOnDrop(budget.clone()));
        assert_eq!(
            done_rx.recv_timeout(Duration::from_secs(30)),
            Ok(false),
            "woken and refused after close"
        );
        assert!(budget.acquire(1, 8).is_none());
    }

    /// Record files larger than the budget (4 KB under test) are indexed one at a
    /// time, every record of every file, and the run ends.
    #[test]
    fn record_files_larger_than_the_budget_are_all_indexed() {
        let src = tempfile::tempdir().unwrap();
        let ix = tempfile::tempdir().unwrap();
        let files = 6;
        let per_file = 40;
        for f in 0..files {
            let mut text = String::new();
            for r in 0..per_file {
                let n = f * per_file + r;
                text.push_str(&format!(
                    "{{\"title\":\"Exchange {n} lists a new ETH pair\",\"url\":\"https://news.example/a/{n}\",\"published\":\"2024-03-{:02}T10:00:00Z\",\"body\":\"Exchange {n} said on Monday that trading in the pair opens this week, after a review of {n} tokens.\"}}\n",
                    1 + n % 28
                ));
            }
            assert!(text.len() as u64 > QUEUE_BYTES);
            std::fs::write(src.path().join(format!("export-{f}.ndjson")), text).unwrap();
        }
        let cfg = config(src.path(), ix.path());
        // a leaked permit would hang the run: fail instead
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done_tx.send(run(&cfg, Arc::new(AtomicBool::new(false))));
        });
        let sum = done_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the run finished")
            .unwrap();
        assert_eq!(sum.new, files, "{:?}", sum.files);
        assert_eq!(sum.documents_indexed, files * per_file);
        assert_eq!(sum.total_documents, (files * per_file) as u64);
    }
}
