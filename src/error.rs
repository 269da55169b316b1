//! The one error type of coindex.
//!
//! Errors are split the way users meet them: [`Error::User`] is a mistake the user can
//! fix (a bad flag, a bad query, a missing or incompatible index) and is printed as a
//! plain sentence; the other variants wrap failures of the machinery underneath and are
//! printed with their whole cause chain. Every error maps to exit status 2.

use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A mistake in what the user asked for; the message says what to do.
    #[error("{0}")]
    User(String),
    /// A query that could not be parsed; `pos` is a byte offset into the query.
    #[error("invalid query at character {}: {message}\n  {query}\n  {caret}", pos + 1, caret = caret(*.pos, .query))]
    Query {
        query: String,
        pos: usize,
        message: String,
    },
    /// An I/O failure on a named path.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A failure inside tantivy.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Anything else that went wrong and is not the user's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

fn caret(pos: usize, query: &str) -> String {
    let col = query.char_indices().take_while(|(i, _)| *i < pos).count();
    format!("{}^", " ".repeat(col))
}

impl Error {
    /// Shorthand for a user error.
    pub fn user(msg: impl Into<String>) -> Self {
        Error::User(msg.into())
    }

    /// Shorthand for an I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The full message with every cause, one per line.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cur = std::error::Error::source(self);
        while let Some(e) = cur {
            let s = e.to_string();
            if !out.contains(&s) {
                out.push_str("\n  caused by: ");
                out.push_str(&s);
            }
            cur = e.source();
        }
        out
    }
}

/// The command that rebuilds an index, for messages about an index that cannot be used
/// as it is: `coindex index --rebuild --index DIR <DIR>...` (without `--index` when the
/// directory is not known where the message is made).
pub fn rebuild_command(index: Option<&std::path::Path>) -> String {
    match index {
        Some(dir) => format!(
            "`coindex index --rebuild --index {} <DIR>...`",
            dir.display()
        ),
        None => "`coindex index --rebuild <DIR>...`".to_string(),
    }
}
