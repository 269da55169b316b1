//! `coindex get <ID|URL>`: one normalized document, every field, the body in full.

use std::io::{self, Write};

use serde::Serialize;

use super::{Status, format_of, io_err};
use crate::cli;
use crate::config;
use crate::error::Result;
use crate::model::Article;
use crate::output::{self, Format, rfc3339, table};
use crate::search::Engine;

/// The keys of a document object, in wire order (also the CSV/TSV header).
pub const DOCUMENT_FIELDS: &[&str] = &[
    "id",
    "title",
    "dek",
    "url",
    "source",
    "authors",
    "published",
    "updated",
    "tags",
    "body",
    "path",
];

/// `coindex get --format json`: every `Article` field; unknown values are `null`.
#[derive(Debug, Serialize)]
pub struct JsonDocument<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub dek: &'a str,
    pub url: Option<&'a str>,
    pub source: &'a str,
    pub authors: &'a [String],
    pub published: Option<String>,
    pub updated: Option<String>,
    pub tags: &'a [String],
    pub body: &'a str,
    pub path: &'a str,
}

impl<'a> JsonDocument<'a> {
    /// The wire form of an article.
    pub fn new(a: &'a Article) -> JsonDocument<'a> {
        JsonDocument {
            id: &a.id,
            title: &a.title,
            dek: &a.dek,
            url: a.url.as_deref(),
            source: &a.source,
            authors: &a.authors,
            published: a.published.as_ref().map(rfc3339),
            updated: a.updated.as_ref().map(rfc3339),
            tags: &a.tags,
            body: &a.body,
            path: &a.path,
        }
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.to_string(),
            self.dek.to_string(),
            self.url.unwrap_or_default().to_string(),
            self.source.to_string(),
            self.authors.join("|"),
            self.published.clone().unwrap_or_default(),
            self.updated.clone().unwrap_or_default(),
            self.tags.join("|"),
            self.body.to_string(),
            self.path.to_string(),
        ]
    }
}

pub fn run(c: cli::GetCmd, out: &mut dyn Write) -> Result<Status> {
    let dir = config::index_dir(c.index.index)?;
    let engine = Engine::open(&dir)?;
    let Some((_, article)) = engine.find(&c.id)? else {
        eprintln!(
            "coindex: no document with id or URL {:?} in the index at {}",
            c.id,
            dir.display()
        );
        return Ok(1);
    };
    let doc = JsonDocument::new(&article);
    match format_of(c.output.format) {
        Format::Text => text(out, &doc, output::use_color(c.output.color)),
        Format::Json => table::json(out, &doc),
        Format::Ndjson => table::ndjson(out, std::slice::from_ref(&doc)),
        f @ (Format::Csv | Format::Tsv) => {
            table::delimited(out, f, DOCUMENT_FIELDS, &[doc.cells()])
        }
    }
    .map_err(io_err)?;
    Ok(0)
}

/// Human form: one labelled line per field, then the body.
fn text(out: &mut dyn Write, d: &JsonDocument, color: bool) -> io::Result<()> {
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
    let title = if d.title.is_empty() {
        "(untitled)"
    } else {
        d.title
    };
    writeln!(out, "{b}{title}{n}")?;
    let rows = [
        ("id", d.id.to_string()),
        ("dek", or_dash(d.dek)),
        ("url", or_dash(d.url.unwrap_or_default())),
        ("source", or_dash(d.source)),
        ("authors", or_dash(&d.authors.join(", "))),
        (
            "published",
            or_dash(d.published.as_deref().unwrap_or_default()),
        ),
        ("updated", or_dash(d.updated.as_deref().unwrap_or_default())),
        ("tags", or_dash(&d.tags.join(", "))),
        ("path", or_dash(d.path)),
    ];
    for (label, value) in rows {
        writeln!(out, "{dim}{label:<11}{n}{value}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", d.body)?;
    Ok(())
}
