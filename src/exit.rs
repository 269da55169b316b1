//! Exit statuses, like grep's and fd's: a command that ran to completion returns one of
//! these; `main` turns an `Err` into [`ExitCode::Error`]. Owns only the numbers and what
//! they mean, not when a command picks which.

/// How a coindex process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: results found, or the command did what it was asked.
    Success,
    /// 1: nothing matched, or indexing finished but some files or records were skipped.
    NoMatch,
    /// 2: a bad flag, query or date, a missing or damaged index, or a failed batch line.
    Error,
    /// 130: interrupted with Ctrl-C (what was done is committed).
    Interrupted,
}

impl ExitCode {
    /// The process status.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::NoMatch => 1,
            ExitCode::Error => 2,
            ExitCode::Interrupted => 130,
        }
    }

    /// [`ExitCode::Success`] when `found`, else [`ExitCode::NoMatch`].
    pub fn found(found: bool) -> ExitCode {
        if found {
            ExitCode::Success
        } else {
            ExitCode::NoMatch
        }
    }
}

impl From<ExitCode> for i32 {
    fn from(c: ExitCode) -> i32 {
        c.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_documented_statuses() {
        let table = [
            (ExitCode::Success, 0),
            (ExitCode::NoMatch, 1),
            (ExitCode::Error, 2),
            (ExitCode::Interrupted, 130),
        ];
        for (c, n) in table {
            assert_eq!(c.code(), n, "{c:?}");
            assert_eq!(i32::from(c), n);
        }
        assert_eq!(ExitCode::found(true), ExitCode::Success);
        assert_eq!(ExitCode::found(false), ExitCode::NoMatch);
    }
}
