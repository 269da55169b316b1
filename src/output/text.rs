//! Human output for a terminal: rank, title, date, source, tags, path and a snippet
//! with matches in bold (or between `**` markers when color is off).

use std::io::{self, Write};

use crate::search::SearchResults;
use crate::snippet;

/// Writes search results for people.
pub fn search(out: &mut dyn Write, r: &SearchResults, color: bool) -> io::Result<()> {
    let (b, n, dim) = if color {
        ("\x1b[1m", "\x1b[0m", "\x1b[2m")
    } else {
        ("", "", "")
    };
    for h in &r.hits {
        let a = &h.article;
        writeln!(
            out,
            "{b}{}. {}{n}",
            h.rank,
            if a.title.is_empty() {
                "(untitled)"
            } else {
                &a.title
            }
        )?;
        let date = a
            .published
            .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "undated".into());
        let tags = if a.tags.is_empty() {
            String::new()
        } else {
            format!(" · {}", a.tags.join(", "))
        };
        writeln!(
            out,
            "   {dim}{date} · {}{tags} · score {:.2}{n}",
            a.source, h.score
        )?;
        writeln!(out, "   {dim}{}{n}", a.path)?;
        let (open, close) = if color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("**", "**")
        };
        writeln!(out, "   {}", snippet::render(&h.snippet, open, close))?;
        writeln!(out)?;
    }
    let shown = r.hits.len();
    writeln!(
        out,
        "{dim}{shown} of {} hits for {:?}{n}",
        r.total_hits, r.query
    )?;
    Ok(())
}
