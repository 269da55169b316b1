//! Human output for a terminal: search hits (rank, title, date, source, tags, path and
//! a snippet with matches in bold, or between `**` markers when color is off), a whole
//! document, value counts, the timeline's bar chart, index statistics and the summary
//! of an indexing run (written to stderr by `coindex index`).

use std::io::{self, Write};

use super::document::Document;
use crate::indexer::{FileStatus, Summary};
use crate::search::SearchResults;
use crate::search::aggregate::{Bucket, Count, Stats};
use crate::search::snippet;

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
        if h.story.size > 1 {
            let more = h.story.size - 1;
            writeln!(
                out,
                "   {dim}+{more} version{} · {} · coindex story {}{n}",
                if more == 1 { "" } else { "s" },
                h.story.sources.join(", "),
                h.story.id
            )?;
        }
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

/// Human form: one labelled line per field, then the body.
pub fn document(out: &mut dyn Write, doc: &Document, color: bool) -> io::Result<()> {
    let (b, dim, n) = if color {
        ("\x1b[1m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let or_dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let d = doc.article();
    let title = if d.title.is_empty() {
        "(untitled)"
    } else {
        &d.title
    };
    writeln!(out, "{b}{title}{n}")?;
    let rows = [
        ("id", d.id.to_string()),
        ("dek", or_dash(&d.dek)),
        ("url", or_dash(d.url.as_deref().unwrap_or_default())),
        ("source", or_dash(&d.source)),
        ("authors", or_dash(&d.authors.join(", "))),
        ("published", or_dash(doc.published().unwrap_or_default())),
        ("updated", or_dash(doc.updated().unwrap_or_default())),
        ("tags", or_dash(&d.tags.join(", "))),
        ("path", or_dash(&d.path)),
    ];
    for (label, value) in rows {
        writeln!(out, "{dim}{label:<11}{n}{value}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", d.body)?;
    Ok(())
}

/// Value counts, one per line, counts right-aligned.
pub fn counts(out: &mut dyn Write, counts: &[Count], color: bool) -> io::Result<()> {
    let width = counts
        .iter()
        .map(|c| c.value.chars().count())
        .max()
        .unwrap_or(0);
    let (b, n) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    for c in counts {
        writeln!(out, "{:>7}  {b}{:<width$}{n}", c.count, c.value)?;
    }
    Ok(())
}

/// The timeline as a bar chart, one line per period, then the totals.
pub fn timeline(
    out: &mut dyn Write,
    query: &str,
    buckets: &[Bucket],
    undated: u64,
    color: bool,
) -> io::Result<()> {
    let max = buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let width = buckets.iter().map(|b| b.period.len()).max().unwrap_or(4);
    let (b, n) = if color {
        ("\x1b[36m", "\x1b[0m")
    } else {
        ("", "")
    };
    for bk in buckets {
        let len = ((bk.count as f64 / max as f64) * 50.0).round() as usize;
        let bar = if bk.count > 0 {
            "█".repeat(len.max(1))
        } else {
            String::new()
        };
        writeln!(out, "{:<width$}  {b}{bar}{n} {}", bk.period, bk.count)?;
    }
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    writeln!(
        out,
        "{total} dated matches for {query:?}{}",
        if undated > 0 {
            format!(", {undated} undated")
        } else {
            String::new()
        }
    )
}

/// Index statistics, one labelled line each.
pub fn stats(out: &mut dyn Write, dir: &std::path::Path, s: &Stats) -> io::Result<()> {
    writeln!(out, "index:          {}", dir.display())?;
    writeln!(out, "documents:      {}", s.documents)?;
    writeln!(
        out,
        "published:      {} .. {}{}",
        s.earliest.as_deref().unwrap_or("-"),
        s.latest.as_deref().unwrap_or("-"),
        if s.undated > 0 {
            format!(" ({} undated)", s.undated)
        } else {
            String::new()
        }
    )?;
    let list = |v: &[Count]| {
        v.iter()
            .map(|c| format!("{} ({})", c.value, c.count))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "top tags:       {}", list(&s.top_tags))?;
    writeln!(out, "top sources:    {}", list(&s.top_sources))?;
    writeln!(
        out,
        "size on disk:   {:.1} MB ({} segments)",
        s.index_bytes as f64 / 1_048_576.0,
        s.segments
    )?;
    writeln!(
        out,
        "last update:    {}",
        s.last_update.as_deref().unwrap_or("-")
    )?;
    writeln!(out, "schema version: {}", s.schema_version)
}

/// What each site learned: one line per site, then its chrome groups and examples.
pub fn sites(out: &mut dyn Write, sites: &[crate::sites::SiteSummary]) -> io::Result<()> {
    if sites.is_empty() {
        return writeln!(
            out,
            "no sites learned yet (pages of page dumps, HTML and Markdown are learned from as they are indexed)"
        );
    }
    let width = sites.iter().map(|s| s.site.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:width$}  {:>7}  {:>6}  date order",
        "site", "pages", "chrome"
    )?;
    for s in sites {
        let votes = if s.day_first_dates + s.month_first_dates > 0 {
            format!(
                " ({} day-first, {} month-first dates)",
                s.day_first_dates, s.month_first_dates
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:width$}  {:>7}  {:>6}  {}{votes}",
            s.site,
            s.pages,
            s.chrome_segments,
            super::date_order_name(s.date_order)
        )?;
        if !s.groups.is_empty() {
            let groups: Vec<String> = s
                .groups
                .iter()
                .map(|g| {
                    format!(
                        "{} ({} pages, {} segments)",
                        g.group, g.pages, g.chrome_segments
                    )
                })
                .collect();
            writeln!(out, "  learned from: {}", groups.join(", "))?;
        }
        for e in &s.examples {
            writeln!(out, "  removed: \"{e}\"")?;
        }
    }
    Ok(())
}

/// The summary of an indexing run. Write errors are ignored: this goes to stderr, and
/// the run's outcome is already decided.
pub fn index_summary(e: &mut dyn Write, s: &Summary, dir: &std::path::Path) {
    let _ = writeln!(
        e,
        "coindex: {} files seen: {} new, {} updated, {} unchanged, {} removed, {} duplicate, {} skipped",
        s.files_seen, s.new, s.updated, s.unchanged, s.removed, s.duplicate, s.skipped
    );
    let _ = writeln!(
        e,
        "coindex: {} documents indexed, {} removed, {} duplicates dropped, {} bad records; index {} holds {} documents ({:.1}s)",
        s.documents_indexed,
        s.documents_removed,
        s.duplicate_documents,
        s.record_errors,
        dir.display(),
        s.total_documents,
        s.elapsed_ms as f64 / 1000.0
    );
    if s.recleaned > 0 {
        let _ = writeln!(
            e,
            "coindex: {} pages cleaned again: their site learned more of its chrome or its date order",
            s.recleaned
        );
    }
    for f in &s.files {
        match f.status {
            FileStatus::Skipped => {
                let _ = writeln!(
                    e,
                    "skipped: {}: {}",
                    f.path,
                    f.reason.as_deref().unwrap_or("")
                );
            }
            _ => {
                for (i, d) in f.duplicate_of.iter().enumerate() {
                    let why = f.duplicate_reasons.get(i).map(String::as_str);
                    let _ = match why {
                        Some(why) => writeln!(e, "duplicate: {} repeats {} ({why})", f.path, d),
                        None => writeln!(e, "duplicate: {} repeats {}", f.path, d),
                    };
                }
                for r in &f.record_errors {
                    let _ = writeln!(e, "bad record: {}: {}", f.path, r);
                }
            }
        }
    }
    if s.interrupted {
        let _ = writeln!(
            e,
            "coindex: interrupted; run the same command again to finish"
        );
    }
}
