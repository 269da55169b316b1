//! Listing the files under a folder: hidden files and folders skipped, symlinks followed
//! with loop detection, and what cannot be entered or read as a regular file reported
//! with its reason. Also the source an article falls back to, named after the folder it
//! was found in ([`folder_source`]).
//!
//! It does not open or read the files it lists (see `read`).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// A file found by the walker.
#[derive(Debug, Clone, Default)]
pub struct FoundFile {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: i64,
}

/// Something the walker could not list or enter.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub reason: String,
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
}

/// Lists every non-hidden regular file under `root` (or `root` itself if it is a file).
/// What cannot be listed or read as a file (unreadable folders, symlink loops, FIFOs,
/// sockets, devices) comes back as a [`WalkProblem`] with its reason.
pub fn walk(root: &Path) -> (Vec<FoundFile>, Vec<WalkProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    walk_each(root, |f| files.push(f), &mut problems);
    (files, problems)
}

/// [`walk`], handing each file to `on_file` as it is listed instead of collecting them
/// (a million-file archive need not hold a million `PathBuf`s at once).
pub fn walk_each(root: &Path, mut on_file: impl FnMut(FoundFile), problems: &mut Vec<WalkProblem>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) => {
                let ft = e.file_type();
                if ft.is_dir() {
                    continue;
                }
                if !ft.is_file() {
                    // FIFOs, sockets and devices (also behind symlinks): reading one
                    // could block forever or never end, so it is reported, not read
                    problems.push(WalkProblem {
                        path: e.path().to_path_buf(),
                        reason: "not a regular file (a FIFO, socket or device); not read"
                            .to_string(),
                    });
                    continue;
                }
                match e.metadata() {
                    Ok(m) => on_file(FoundFile {
                        path: e.path().to_path_buf(),
                        size: m.len(),
                        mtime_ns: m
                            .modified()
                            .ok()
                            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                            .map(|d| d.as_nanos() as i64)
                            .unwrap_or(0),
                    }),
                    Err(err) => problems.push(WalkProblem {
                        path: e.path().to_path_buf(),
                        reason: format!("cannot read file metadata: {err}"),
                    }),
                }
            }
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf());
                let reason = if err.loop_ancestor().is_some() {
                    "symlink loop: the link points back to one of its parent folders".to_string()
                } else if let Some(io) = err.io_error() {
                    format!("cannot read: {io}")
                } else {
                    err.to_string()
                };
                problems.push(WalkProblem { path, reason });
            }
        }
    }
}

/// The source to use when an article names none: the nearest folder that is not a
/// date-like or generic name (`blockledger/2017/x.txt` → `blockledger`).
pub fn folder_source(path: &Path) -> String {
    const GENERIC: &[&str] = &[
        "archive", "archives", "articles", "pages", "dumps", "raw", "data", "exports", "news",
        "txt", "html", "json", "feeds", "posts",
    ];
    for anc in path.ancestors().skip(1) {
        let Some(name) = anc.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let lower = name.to_lowercase();
        if lower
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '_')
            || GENERIC.contains(&lower.as_str())
        {
            continue;
        }
        return lower;
    }
    "unknown".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_source_table() {
        let cases = [
            ("/a/sample_corpus/blockledger/2017/x.txt", "blockledger"),
            ("/a/coinwire/2024/01/x.txt", "coinwire"),
            ("/a/news/x.txt", "a"),
            ("x.txt", "unknown"),
        ];
        for (p, want) in cases {
            assert_eq!(folder_source(Path::new(p)), want, "{p}");
        }
    }
}
