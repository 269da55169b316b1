//! The one searcher the server shares across requests, and its reload: before a request
//! runs, a `stat` of tantivy's `meta.json` (rewritten by every commit, by rename) tells
//! whether a `coindex index` run, in this process or another, has committed since the
//! engine was opened; if so the index is opened again and later requests see the new
//! documents. Requests already running keep the engine they started with.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::error::Result;
use crate::search::Engine;

/// What identifies one commit of the index on disk: `meta.json`'s modification time,
/// size and (on Unix) inode, which a commit's atomic rename changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified_ns: i128,
    len: u64,
    inode: u64,
}

fn stamp(dir: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(dir.join("meta.json")).ok()?;
    let modified_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified_ns,
        len: m.len(),
        inode,
    })
}

/// The shared engine of one index directory.
pub struct Library {
    dir: PathBuf,
    current: RwLock<(Option<Stamp>, Arc<Engine>)>,
    /// Held while an engine is reopened, so that concurrent requests open it once.
    reopening: Mutex<()>,
}

impl Library {
    /// Opens the index at `dir`.
    pub fn open(dir: &Path) -> Result<Library> {
        let before = stamp(dir);
        let engine = Engine::open(dir)?;
        Ok(Library {
            dir: dir.to_path_buf(),
            current: RwLock::new((before, Arc::new(engine))),
            reopening: Mutex::new(()),
        })
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The engine of the latest commit. If the index changed and cannot be opened now
    /// (a run is rewriting it, or it was removed), the engine already open keeps
    /// answering and the next request tries again.
    pub fn engine(&self) -> Arc<Engine> {
        let now = stamp(&self.dir);
        {
            let cur = self.current.read().unwrap_or_else(PoisonError::into_inner);
            if cur.0 == now {
                return cur.1.clone();
            }
        }
        let _one = self
            .reopening
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        {
            // another request may have reopened it while this one waited
            let cur = self.current.read().unwrap_or_else(PoisonError::into_inner);
            if cur.0 == now {
                return cur.1.clone();
            }
        }
        match Engine::open(&self.dir) {
            Ok(engine) => {
                let engine = Arc::new(engine);
                let mut cur = self.current.write().unwrap_or_else(PoisonError::into_inner);
                *cur = (now, engine.clone());
                engine
            }
            Err(e) => {
                eprintln!(
                    "coindex: the index changed but cannot be reopened yet ({}); still serving the previous version",
                    e.chain()
                );
                self.current
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .1
                    .clone()
            }
        }
    }
}
