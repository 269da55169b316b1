//! Text rules the format parsers share, below any one format: whitespace collapsing and
//! entity decoding (`whitespace`, also used by `normalize`), the hand-written boilerplate
//! rules of crypto-news pages (`boilerplate`), lists of tags and people written in one
//! string (`lists`), the word shingles site learning counts (`shingles`), and the
//! eight-bytes-at-a-time scans both
//! of those and the tokenizer in `analysis` build on (`swar`).
//!
//! Nothing here knows a file format, a document field or the index: deciding where an
//! article's text starts and ends is the parsers' job (`ingest`), turning fields into an
//! [`Article`](crate::Article) is `normalize`'s.

pub mod boilerplate;
pub mod lists;
pub mod shingles;
pub(crate) mod swar;
pub mod whitespace;

pub use whitespace::{clean_inline, collapse_ws, non_empty, push_collapsed};
