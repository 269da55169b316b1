//! `coindex export [QUERY] [filters]`: the normalized documents as NDJSON (or JSON, CSV,
//! TSV), streamed one at a time; `--quickwit-config` writes a Quickwit index config
//! generated from the schema instead.
//!
//! Documents are read segment by segment straight from the query's doc sets (deleted
//! documents skipped), so memory stays flat however large the archive: only the ids
//! already written are kept, to guarantee each id appears once.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;

use tantivy::query::{EnableScoring, Query as TQuery};
use tantivy::{DocSet, TERMINATED, TantivyDocument};

use super::search::{Picked, json_io, parse_fields};
use super::{Status, filters, io_err};
use crate::cli::{self, ExportFormatArg};
use crate::config;
use crate::error::{Error, Result};
use crate::index;
use crate::output::quickwit::{self, EXPORT_FIELDS, ExportDocument};
use crate::schema::SchemaSpec;
use crate::search::Engine;

pub fn run(c: cli::ExportCmd, stdout: &mut dyn Write) -> Result<Status> {
    if c.quickwit_config {
        return quickwit_config(&c, stdout);
    }
    let fields = parse_fields(&c.fields, EXPORT_FIELDS)?;
    let (filters, tz) = filters(&c.filters)?;
    let dir = config::index_dir(c.index.index.clone())?;
    let engine = Engine::open(&dir)?;
    let query: Box<dyn TQuery> = match c.query.as_deref() {
        Some(q) => {
            let compiled = engine.compile(q, &filters, c.fuzzy, tz)?;
            // the loose tier contains the strict one
            compiled.loose.unwrap_or(compiled.strict)
        }
        None => engine.filter_query(&filters, tz),
    };
    let mut file;
    let (out, dest): (&mut dyn Write, Option<PathBuf>) = match &c.output {
        Some(p) => {
            file = io::BufWriter::new(std::fs::File::create(p).map_err(|e| Error::io(p, e))?);
            (&mut file, Some(p.clone()))
        }
        None => (stdout, None),
    };
    let wrap = |e: io::Error| match &dest {
        Some(p) => Error::io(p, e),
        None => io_err(e),
    };
    let keys = fields.as_deref().unwrap_or(EXPORT_FIELDS);
    let mut sink = Sink::new(out, c.format, keys, fields.is_some()).map_err(wrap)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut undated = 0usize;
    let searcher = &engine.searcher;
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for seg in searcher.segment_readers() {
        let store = seg
            .get_store_reader(64)
            .map_err(|e| Error::Index(e.into()))?;
        let alive = seg.alive_bitset();
        let mut docs = weight.scorer(seg, 1.0)?;
        let mut doc = docs.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let stored: TantivyDocument = store.get(doc)?;
                let a = index::from_document(&stored, engine.fields());
                if c.require_date && a.published.is_none() {
                    undated += 1;
                } else if seen.insert(a.id.clone()) {
                    sink.write(&ExportDocument::new(&a)).map_err(wrap)?;
                }
            }
            doc = docs.advance();
        }
    }
    sink.finish().map_err(wrap)?;
    if undated > 0 {
        eprintln!(
            "coindex: skipped {undated} document{} without a publication date (--require-date)",
            if undated == 1 { "" } else { "s" }
        );
    }
    Ok(if seen.is_empty() { 1 } else { 0 })
}

fn quickwit_config(c: &cli::ExportCmd, stdout: &mut dyn Write) -> Result<Status> {
    let id = c.index_id.as_deref().unwrap_or(quickwit::DEFAULT_INDEX_ID);
    if !quickwit::valid_index_id(id) {
        return Err(Error::user(format!(
            "--index-id `{id}`: a Quickwit index id starts with a letter and has 3 to 255 letters, digits, `-` or `_`"
        )));
    }
    let yaml = quickwit::index_config_yaml(SchemaSpec::bundled(), id)?;
    match &c.output {
        Some(p) => std::fs::write(p, yaml).map_err(|e| Error::io(p, e))?,
        None => stdout.write_all(yaml.as_bytes()).map_err(io_err)?,
    }
    Ok(0)
}

/// Writes documents one at a time in the chosen format.
struct Sink<'a> {
    out: Option<&'a mut dyn Write>,
    csv: Option<csv::Writer<&'a mut dyn Write>>,
    format: ExportFormatArg,
    keys: &'a [&'static str],
    picked: bool,
    first: bool,
}

impl<'a> Sink<'a> {
    fn new(
        out: &'a mut dyn Write,
        format: ExportFormatArg,
        keys: &'a [&'static str],
        picked: bool,
    ) -> io::Result<Sink<'a>> {
        let mut s = Sink {
            out: None,
            csv: None,
            format,
            keys,
            picked,
            first: true,
        };
        match format {
            ExportFormatArg::Csv | ExportFormatArg::Tsv => {
                let delim = if format == ExportFormatArg::Tsv {
                    b'\t'
                } else {
                    b','
                };
                let mut w = csv::WriterBuilder::new().delimiter(delim).from_writer(out);
                w.write_record(keys).map_err(csv_io)?;
                s.csv = Some(w);
            }
            ExportFormatArg::Json => {
                out.write_all(b"[")?;
                s.out = Some(out);
            }
            ExportFormatArg::Ndjson => s.out = Some(out),
        }
        Ok(s)
    }

    fn write(&mut self, d: &ExportDocument) -> io::Result<()> {
        if let Some(w) = &mut self.csv {
            let row: Vec<String> = self.keys.iter().map(|k| d.cell(k)).collect();
            return w.write_record(&row).map_err(csv_io);
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        if self.format == ExportFormatArg::Json {
            out.write_all(if self.first { b"\n" } else { b",\n" })?;
        }
        self.first = false;
        if self.picked {
            serde_json::to_writer(&mut **out, &Picked::new(d, self.keys)).map_err(json_io)?;
        } else {
            serde_json::to_writer(&mut **out, d).map_err(json_io)?;
        }
        if self.format == ExportFormatArg::Ndjson {
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        if let Some(mut w) = self.csv.take() {
            return w.flush();
        }
        if let Some(out) = self.out.as_mut() {
            if self.format == ExportFormatArg::Json {
                out.write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
            }
            out.flush()?;
        }
        Ok(())
    }
}

/// Keeps the kind of a failed write (a closed pipe must stay a `BrokenPipe`).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}
