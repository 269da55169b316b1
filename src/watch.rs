//! Keeping an index in step with folders that grow: `coindex index --watch` and
//! `coindex serve --watch`. The notify crate reports file events; once the folders
//! have been quiet for [`SETTLE`] after a change, an ordinary indexer run goes over the
//! watched roots. Access events are not changes: the run's own walk opens every
//! folder, and counting that would start the next run, for ever. A run is incremental (unchanged files are not read), so
//! running it over the whole roots costs a walk and a `stat` per file, and it keeps
//! every guarantee of `coindex index`: the manifest, the writer lock and the commit that
//! carries both. Events inside the index directory itself are ignored, so an index
//! kept under a watched folder does not wake the watcher with its own commits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::error::{Error, Result};
use crate::indexer::{self, IndexConfig, Summary};

/// How long a file must be quiet before it is indexed.
pub const SETTLE: Duration = Duration::from_millis(500);

/// How often the loop looks at the stop flag while no event comes.
const POLL: Duration = Duration::from_millis(100);

/// After a failed run (another process holds the writer lock, say), the next try.
const RETRY: Duration = Duration::from_secs(1);

/// A watch over the roots of one indexing configuration.
pub struct Watcher {
    cfg: IndexConfig,
    events: Receiver<notify::Result<Event>>,
    index_dir: PathBuf,
    stop: Arc<AtomicBool>,
    _watcher: RecommendedWatcher,
}

impl Watcher {
    /// Starts watching `cfg.roots`, then runs the indexer once over them (events during
    /// that run are kept for the next one). Returns the watcher and the first run's
    /// summary.
    pub fn start(cfg: IndexConfig, stop: Arc<AtomicBool>) -> Result<(Watcher, Summary)> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx)
            .map_err(|e| Error::user(format!("cannot watch files: {e}")))?;
        for root in &cfg.roots {
            let mode = if root.is_dir() {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            // canonical, so that event paths compare with the canonical index directory
            let root = root.canonicalize().unwrap_or_else(|_| root.clone());
            watcher.watch(&root, mode).map_err(|e| {
                Error::user(format!(
                    "cannot watch {}: {e} (on Linux, raise fs.inotify.max_user_watches for very large folders)",
                    root.display()
                ))
            })?;
        }
        let first = indexer::run(&cfg, stop.clone())?;
        let index_dir = cfg
            .index_dir
            .canonicalize()
            .unwrap_or_else(|_| cfg.index_dir.clone());
        let cfg = IndexConfig {
            rebuild: false,
            progress: false,
            ..cfg
        };
        Ok((
            Watcher {
                cfg,
                events,
                index_dir,
                stop,
                _watcher: watcher,
            },
            first,
        ))
    }

    /// The index directory.
    pub fn index_dir(&self) -> &Path {
        &self.cfg.index_dir
    }

    /// Indexes what changes until the stop flag is set; `report` gets each run's
    /// summary. A run that fails is reported on stderr and tried again [`RETRY`] later.
    pub fn follow(self, mut report: impl FnMut(&Summary)) {
        // when the next run is due: SETTLE after the last change seen
        let mut due: Option<Instant> = None;
        while !self.stop.load(Ordering::SeqCst) {
            let wait = due.map_or(POLL, |d| {
                d.saturating_duration_since(Instant::now()).min(POLL)
            });
            match self.events.recv_timeout(wait) {
                Ok(event) => {
                    if self.is_change(event) {
                        due = Some(Instant::now() + SETTLE);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if due.is_none_or(|d| Instant::now() < d) || self.stop.load(Ordering::SeqCst) {
                continue;
            }
            match indexer::run(&self.cfg, self.stop.clone()) {
                Ok(summary) => {
                    due = None;
                    report(&summary);
                }
                Err(e) => {
                    due = Some(Instant::now() + RETRY);
                    eprintln!(
                        "coindex: watch: indexing failed, trying again: {}",
                        e.chain()
                    );
                }
            }
        }
    }

    /// Whether an event may change what is indexed: anything but an access, outside
    /// the index directory. An error (events were lost) counts, so that a run checks.
    fn is_change(&self, event: notify::Result<Event>) -> bool {
        match event {
            Ok(e) => {
                !matches!(e.kind, EventKind::Access(_))
                    && e.paths.iter().any(|p| !p.starts_with(&self.index_dir))
            }
            Err(e) => {
                eprintln!("coindex: watch: {e}; indexing the folders again to be sure");
                true
            }
        }
    }
}
