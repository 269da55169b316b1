//! The run report: what happened to each file and the counts of a run, as the summary
//! on stderr and `--report FILE` show them (rendered by `output::text`, serialized as
//! is for `--report`).

use serde::Serialize;

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
    /// Why each merge of `duplicate_of` (same order) was made: `same URL`, `same text`,
    /// or `same title, time and text` (an article without a URL).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicate_reasons: Vec<String>,
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
    /// Pages indexed earlier and cleaned again because their site's chrome or date
    /// order changed (see `sites`).
    pub recleaned: usize,
    pub total_documents: u64,
    pub interrupted: bool,
    pub elapsed_ms: u64,
    /// Per-file outcomes: every file when [`super::IndexConfig::report_every_file`] is set,
    /// else only files that were skipped, repeated others or had bad records (so a run
    /// over a million files does not hold a million reports in memory).
    pub files: Vec<FileReport>,
    #[serde(skip)]
    every_file: bool,
}

impl FileReport {
    /// A file's report line with no duplicates or bad records (yet).
    pub(super) fn new(
        path: String,
        status: FileStatus,
        documents: usize,
        reason: Option<String>,
    ) -> FileReport {
        FileReport {
            path,
            status,
            documents,
            reason,
            duplicate_of: vec![],
            duplicate_reasons: vec![],
            record_errors: vec![],
        }
    }
}

impl Summary {
    /// An empty summary; `every_file` keeps a report line for every file.
    pub(super) fn new(every_file: bool) -> Summary {
        Summary {
            every_file,
            ..Summary::default()
        }
    }

    /// Records that `path`'s copy of a document was dropped for the one in `of`, found
    /// after `path` was processed (a richer copy came later; the parse pool hands files
    /// over in any order, so either file of a pair can come first).
    pub(super) fn late_duplicate(&mut self, path: &str, of: &str, reason: &str, docs_left: usize) {
        if let Some(r) = self.files.iter_mut().rev().find(|r| r.path == path) {
            if !r.duplicate_of.iter().any(|d| d == of) {
                r.duplicate_of.push(of.to_string());
                r.duplicate_reasons.push(reason.to_string());
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
            duplicate_reasons: vec![reason.to_string()],
            record_errors: vec![],
        });
    }

    pub(super) fn report(&mut self, r: FileReport) {
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
