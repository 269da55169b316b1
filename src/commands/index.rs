//! `coindex index`: run the indexer and print the summary on stderr; with `--watch`,
//! keep running and index what changes (`crate::watch`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono_tz::Tz;

use super::ExitCode;
use crate::cli;
use crate::config;
use crate::error::{Error, Result};
use crate::indexer::{self, IndexConfig};
use crate::ingest::IngestOptions;
use crate::normalize::NormalizeOptions;
use crate::output;
use crate::watch::Watcher;

/// The default number of indexing threads: the cores, at most 4.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4))
}

/// The settings of `coindex index DIR...` with every other flag at its default, for
/// `serve --watch`.
pub fn watch_config(index_dir: PathBuf, dirs: Vec<PathBuf>, tz: Tz) -> Result<IndexConfig> {
    check_roots(&dirs)?;
    Ok(IndexConfig {
        index_dir,
        roots: dirs,
        rebuild: false,
        normalize: NormalizeOptions { timezone: tz },
        ingest: IngestOptions {
            max_file_bytes: cli::DEFAULT_MAX_FILE_MB * 1024 * 1024,
            field_map: Vec::new(),
        },
        commit_every: cli::DEFAULT_COMMIT_EVERY,
        report_every_file: false,
        writer_heap: cli::DEFAULT_MEMORY_MB * 1024 * 1024,
        writer_threads: default_threads(),
        progress: false,
        learn_sites: true,
    })
}

fn check_roots(dirs: &[PathBuf]) -> Result<()> {
    for d in dirs {
        if !d.exists() {
            return Err(Error::user(format!(
                "{}: no such file or folder",
                d.display()
            )));
        }
    }
    Ok(())
}

pub fn run(c: cli::IndexCmd) -> Result<ExitCode> {
    let tz = config::timezone(c.timezone.as_deref())?;
    let index_dir = config::index_dir(c.index.index)?;
    if c.max_file_mb == 0 {
        return Err(Error::user("--max-file-mb must be at least 1"));
    }
    if c.commit_every == 0 {
        return Err(Error::user("--commit-every must be at least 1"));
    }
    let threads = match c.threads {
        Some(0) => return Err(Error::user("--threads must be at least 1")),
        Some(n) => n.min(64),
        None => default_threads(),
    };
    // tantivy needs at least 15 MB of writer memory per thread
    if c.memory_mb < 15 * threads || c.memory_mb > 64 * 1024 {
        return Err(Error::user(format!(
            "--memory-mb must be between {} (15 per thread) and 65536",
            15 * threads
        )));
    }
    let field_map = crate::ingest::parse_field_map(&c.map).map_err(Error::user)?;
    check_roots(&c.dirs)?;
    let cfg = IndexConfig {
        index_dir: index_dir.clone(),
        roots: c.dirs.clone(),
        rebuild: c.rebuild,
        normalize: NormalizeOptions { timezone: tz },
        ingest: IngestOptions {
            max_file_bytes: c.max_file_mb * 1024 * 1024,
            field_map,
        },
        commit_every: c.commit_every,
        report_every_file: c.report.is_some(),
        // the writer threads share the budget; tokenizing is the heaviest stage, so it
        // gets every core while the rayon pool parses ahead through the bounded channel
        writer_heap: c.memory_mb * 1024 * 1024,
        writer_threads: threads,
        progress: !c.quiet,
        learn_sites: !c.no_site_learning,
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // A second Ctrl-C falls through to the default handler and kills the process;
        // the last commit keeps the index consistent either way.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, std::sync::atomic::Ordering::SeqCst) {
                std::process::exit(ExitCode::Interrupted.code());
            }
            eprintln!("coindex: interrupted, committing what is done (Ctrl-C again to abort)");
        });
    }
    if c.watch {
        let quiet = c.quiet;
        let (w, first) = Watcher::start(cfg, stop)?;
        let print = |s: &indexer::Summary| {
            if !quiet {
                output::text::index_summary(&mut std::io::stderr().lock(), s, &index_dir);
            }
        };
        print(&first);
        if !quiet {
            eprintln!("coindex: watching for changes (Ctrl-C stops)");
        }
        w.follow(print);
        return Ok(ExitCode::Success);
    }
    let summary = indexer::run(&cfg, stop)?;
    if let Some(path) = &c.report {
        let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(f), &summary)
            .map_err(|e| Error::Internal(format!("cannot write the report: {e}")))?;
    }
    if !c.quiet {
        output::text::index_summary(&mut std::io::stderr().lock(), &summary, &index_dir);
    }
    Ok(if summary.interrupted {
        ExitCode::Interrupted
    } else if summary.skipped > 0 || summary.record_errors > 0 {
        ExitCode::NoMatch
    } else {
        ExitCode::Success
    })
}
