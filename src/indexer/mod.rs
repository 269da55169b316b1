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
//!
//! This file runs the stages in order; `plan` walks and diffs, `parse` reads and
//! normalizes on the pool, `budget` bounds the bytes in flight, `writer` applies and
//! commits, `report` accounts for every file, `sites` hooks in site learning (and cleans
//! again, at the end, the pages whose site learned more).

mod budget;
mod parse;
mod plan;
mod report;
mod sites;
mod stream;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustc_hash::FxHashSet;

use crate::error::{Error, Result};
use crate::index;
use crate::index::manifest::Manifest;
use crate::index::registry::Registry;
use crate::ingest::{self, IngestOptions};
use crate::normalize::NormalizeOptions;
use budget::{ByteBudget, CloseOnDrop};
use parse::PARSE_CHUNK;
use plan::Listed;
pub use report::{FileReport, FileStatus, Summary};
use sites::SiteRun;
use writer::Writer;

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
    /// Learn each site's chrome and date order, and clean its pages with them (see
    /// `crate::sites`); off, pages get only the generic rules and the learned profiles
    /// are left as they are.
    pub learn_sites: bool,
}

/// Runs an indexing pass. `stop` is set by Ctrl-C.
pub fn run(cfg: &IndexConfig, stop: Arc<AtomicBool>) -> Result<Summary> {
    let started = Instant::now();
    let opened = index::open_or_create(&cfg.index_dir, cfg.rebuild)?;
    let mut writer = writer::open_writer(&opened, cfg)?;
    let payload = index::last_payload(&opened.index)?;
    let mut generation = payload.as_ref().map(|p| p.manifest_gen).unwrap_or(0);
    let mut manifest = Manifest::load(&opened.dir, generation)?;
    let mut sites = if cfg.learn_sites {
        Some(SiteRun::open(&opened.dir)?)
    } else {
        None
    };
    let views = sites.as_ref().map(|s| s.views.clone());
    let has_segments = !opened.index.load_metas()?.segments.is_empty();
    let fresh = manifest.files.is_empty() && !has_segments;
    // Documents the manifest does not know about (an index written without one) must
    // be replaced by id; otherwise the registry knows every indexed id.
    let untracked = manifest.files.is_empty() && has_segments;

    let walked = plan::walk(&cfg.roots, &manifest)?;
    let mut summary = Summary::new(cfg.report_every_file);
    summary.files_seen = walked.found.len() + walked.problems.len();
    let diff = plan::diff(&walked, &manifest);
    let plan::Walked {
        found,
        odd_paths,
        problems,
        ..
    } = walked;
    let plan::Diff {
        todo,
        in_todo,
        deleted,
    } = diff;

    // Nothing to read, delete or report: a no-op run commits nothing (no manifest
    // rewrite, no fsyncs), which keeps it fast on big archives.
    let nothing_to_do = !fresh && deleted.is_empty() && todo.is_empty() && problems.is_empty();
    // the duplicate registry (ids, signature bands, headline keys: sorted tables of
    // every document) serves only runs that add or remove documents; a no-op run
    // builds it only if it must clean pages again
    let mut registry = if nothing_to_do {
        Registry::default()
    } else {
        Registry::from_manifest(&manifest)
    };
    let mut w = Writer {
        writer: &mut writer,
        opened: &opened,
        manifest: &mut manifest,
        registry: &mut registry,
        registry_loaded: !nothing_to_do,
        untracked,
        since_commit: 0,
        new_files: 0,
        changed: FxHashSet::default(),
        summary: &mut summary,
        streams: Default::default(),
        sites: sites.as_mut(),
    };
    w.remove_files(&deleted);
    w.report_walk_problems(problems);
    w.report_unchanged(&found, &in_todo);
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
    let budget = Arc::new(ByteBudget::default());
    let (rx, producer) = parse::spawn_parsers(chunks, odd_paths, cfg, &stop, &budget, views)?;
    let mut last_commit = Instant::now();
    let _closer = CloseOnDrop(budget);
    for (item, permit) in rx.iter() {
        // a periodic commit waits for the next item: after the last one, the end of
        // the run (pages cleaned again included) is one commit, not a commit of the
        // last documents and then a tiny one that set off a merge of every segment
        if w.since_commit >= cfg.commit_every || last_commit.elapsed() > Duration::from_secs(300) {
            generation += 1;
            w.commit(generation, false)?;
            last_commit = Instant::now();
        }
        match item {
            parse::Item::File(p) => {
                if let Some(b) = &bar {
                    b.inc(1);
                    b.set_message(format!("{} docs", w.summary.documents_indexed));
                }
                w.apply(p);
            }
            parse::Item::Batch(batch) => {
                if let Some(b) = &bar {
                    b.set_message(stream_message(&batch, w.summary.documents_indexed));
                    if batch.end.is_some() {
                        b.inc(1);
                    }
                }
                w.apply_batch(batch);
            }
        }
        drop(permit);
    }
    producer
        .join()
        .map_err(|_| Error::Internal("a parser thread panicked".into()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    // files whose stream was stopped (Ctrl-C) stay partial, to be finished next run
    w.abandon_streams();
    if !stop.load(Ordering::Relaxed) {
        reclean_stale(&mut w, cfg);
    }
    if !nothing_to_do || w.summary.recleaned > 0 {
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

/// Files cleaned again per parallel round.
const RECLEAN_CHUNK: usize = 64;

/// Reads again, on the rayon pool, the indexed pages whose site's chrome or date order
/// changed since they were indexed, and applies them (not counted again; the summary
/// counts them as `recleaned`).
fn reclean_stale(w: &mut Writer<'_>, cfg: &IndexConfig) {
    use rayon::prelude::*;
    let Some(sites) = w.sites.as_deref_mut() else {
        return;
    };
    let stale = sites.finish();
    let views = sites.views.clone();
    // a page whose text meets the same chrome as when it was cut is not parsed again
    // (most stale pages are the samples the chrome was learned from, cleaned with an
    // early version of it; parsing them all again was a sixth of a 20k-page build)
    let clean: Vec<bool> = stale
        .par_iter()
        .map(|s| sites::still_clean(s, cfg, &views))
        .collect();
    for (s, _) in stale.iter().zip(&clean).filter(|(_, c)| **c) {
        sites.mark_clean(&s.path, &s.site);
    }
    let todo: Vec<(index::manifest::PathKey, ingest::FoundFile)> = stale
        .iter()
        .zip(&clean)
        .filter(|(_, c)| !**c)
        .map(|(s, _)| s.path.as_str())
        .filter_map(|k| {
            let (key, e) = w.manifest.files.get_key_value(k)?;
            // a path that is not valid UTF-8 is keyed by a lossy form: not re-read
            if !std::path::Path::new(k).is_file() {
                return None;
            }
            Some((
                key.clone(),
                ingest::FoundFile {
                    path: PathBuf::from(k),
                    size: e.size,
                    mtime_ns: e.mtime_ns,
                },
            ))
        })
        .collect();
    if !todo.is_empty() {
        w.load_registry();
    }
    for chunk in todo.chunks(RECLEAN_CHUNK) {
        let parsed: Vec<parse::Parsed> = chunk
            .par_iter()
            .map(|(key, found)| {
                parse::parse_one(key.clone(), found.clone(), None, cfg, Some(&views))
            })
            .collect();
        for p in parsed {
            w.reclean(p);
        }
    }
}

/// The progress message while a big file streams: its records and bytes so far.
fn stream_message(b: &parse::Batch, docs: usize) -> String {
    let name = b
        .found
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "{docs} docs; {name}: {} records, {} of {} MB",
        b.records,
        b.read >> 20,
        b.found.size >> 20
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use budget::QUEUE_BYTES;
    use parse::PARSE_CHUNK;
    use std::path::Path;

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
            learn_sites: true,
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

    fn export_line(n: usize, body: &str) -> String {
        format!(
            "{{\"title\":\"Exchange {n} lists a new pair\",\"url\":\"https://news.example/s/{n}\",\"published\":\"2024-04-{:02}T10:00:00Z\",\"body\":\"{body} Record {n} of the export.\"}}\n",
            1 + n % 28
        )
    }

    fn quiet_run(cfg: &IndexConfig) -> Summary {
        run(cfg, Arc::new(AtomicBool::new(false))).unwrap()
    }

    /// A record export over the size limit is streamed in batches (16 records under
    /// test), not skipped; a re-run after an edit upserts only the changed, new and
    /// vanished records; an unchanged re-run reads nothing.
    #[test]
    fn a_big_export_is_streamed_and_a_rerun_upserts_only_changed_records() {
        let src = tempfile::tempdir().unwrap();
        let ix = tempfile::tempdir().unwrap();
        let n = 300;
        let body = "Trading opens this week after a review of the listing rules.";
        let lines: Vec<String> = (0..n).map(|i| export_line(i, body)).collect();
        let path = src.path().join("export.ndjson");
        std::fs::write(&path, lines.concat()).unwrap();
        let mut cfg = config(src.path(), ix.path());
        cfg.ingest.max_file_bytes = 16 << 10;
        cfg.commit_every = 50;
        assert!(std::fs::metadata(&path).unwrap().len() > 2 * cfg.ingest.max_file_bytes);
        let first = quiet_run(&cfg);
        assert_eq!(first.new, 1, "{:?}", first.files);
        assert_eq!(first.documents_indexed, n);
        assert_eq!(first.total_documents, n as u64);

        let again = quiet_run(&cfg);
        assert_eq!((again.unchanged, again.documents_indexed), (1, 0));

        // record 5 edited in place, record 10 blanked (same line count), two appended
        let mut edited = lines.clone();
        edited[5] = export_line(5, "The listing was postponed.");
        edited[10] = "\n".to_string();
        edited.push(export_line(n, body));
        edited.push(export_line(n + 1, body));
        std::fs::write(&path, edited.concat()).unwrap();
        let third = quiet_run(&cfg);
        assert_eq!(third.updated, 1, "{:?}", third.files);
        assert_eq!(third.documents_indexed, 3, "one changed, two new");
        assert_eq!(
            third.documents_removed, 2,
            "the changed one's old copy, the vanished one"
        );
        assert_eq!(third.total_documents, n as u64 + 1);

        // touched only: one hashing pass, nothing upserted
        let now = std::time::SystemTime::now() + Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(now)
            .unwrap();
        let touched = quiet_run(&cfg);
        assert_eq!((touched.unchanged, touched.documents_indexed), (1, 0));
        assert_eq!(touched.total_documents, n as u64 + 1);
    }

    /// The same records as a streamed CSV, JSON list (under a key, gzipped) and TSV
    /// give the documents a whole read gives.
    #[test]
    fn streamed_csv_json_and_gz_index_every_record() {
        use std::io::Write;
        let src = tempfile::tempdir().unwrap();
        let n = 120;
        let mut csv = String::from("title,url,published,body\n");
        let mut tsv = String::from("title\turl\tpublished\tbody\n");
        let mut items = Vec::new();
        for i in 0..n {
            let body = format!("Miners sold {i} coins, \"said\" a desk.\nSecond line.");
            csv.push_str(&format!(
                "Miners sell {i},https://csv.example/{i},2024-05-01,\"{}\"\n",
                body.replace('"', "\"\"")
            ));
            tsv.push_str(&format!(
                "Miners sell {i}\thttps://tsv.example/{i}\t2024-05-01\t{}\n",
                body.replace('\n', "\\n").replace('"', "")
            ));
            items.push(serde_json::json!({"title": format!("Miners sell {i}"), "url": format!("https://json.example/{i}"), "body": body}));
        }
        std::fs::write(src.path().join("a.csv"), &csv).unwrap();
        std::fs::write(src.path().join("b.tsv"), &tsv).unwrap();
        let json =
            serde_json::json!({"status": "ok", "source": "Wire", "data": {"articles": items}});
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(serde_json::to_string_pretty(&json).unwrap().as_bytes())
            .unwrap();
        std::fs::write(src.path().join("c.json.gz"), gz.finish().unwrap()).unwrap();
        std::fs::write(
            src.path().join("d.json"),
            r#"{"title":"Solo","body":"One article."}"#,
        )
        .unwrap();

        let streamed = {
            let ix = tempfile::tempdir().unwrap();
            let mut cfg = config(src.path(), ix.path());
            cfg.ingest.max_file_bytes = 4 << 10;
            quiet_run(&cfg)
        };
        assert_eq!(streamed.new, 4, "{:?}", streamed.files);
        assert_eq!(streamed.documents_indexed, 3 * n + 1);
        assert_eq!(streamed.record_errors, 0, "{:?}", streamed.files);
        // the whole read of the same files (the .gz is streamed in both)
        let ix = tempfile::tempdir().unwrap();
        let whole = quiet_run(&config(src.path(), ix.path()));
        assert_eq!(whole.documents_indexed, streamed.documents_indexed);
    }
}
