//! `coindex export [QUERY] [filters]`: the normalized documents as NDJSON (or JSON, CSV,
//! TSV), streamed one at a time; `--quickwit-config` writes a Quickwit index config
//! generated from the schema instead.
//!
//! Documents come from `Engine::for_each_match` one at a time (deleted documents
//! skipped), so memory stays flat however large the archive: only the ids already
//! written are kept, to guarantee each id appears once.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;

use super::{ExitCode, io_err};
use crate::cli;
use crate::config;
use crate::error::{Error, Result};
use crate::output::document::{Document, EXPORT_FIELDS, Shape};
use crate::output::fields::parse_fields;
use crate::output::quickwit;
use crate::output::stream::Sink;
use crate::schema::SchemaSpec;
use crate::search::Engine;

pub fn run(c: cli::ExportCmd, stdout: &mut dyn Write) -> Result<ExitCode> {
    if c.quickwit_config {
        return quickwit_config(&c, stdout);
    }
    let fields = parse_fields(&c.fields, EXPORT_FIELDS)?;
    let (filters, tz) = config::filters(&c.filters)?;
    let dir = config::index_dir(c.index.index.clone())?;
    let engine = Engine::open(&dir)?;
    let compiled = match c.query.as_deref() {
        Some(q) => Some(engine.compile(q, &filters, c.fuzzy, tz)?),
        None => None,
    };
    let all;
    let query = match &compiled {
        // the loose tier contains the strict one
        Some(compiled) => compiled.any_match(),
        None => {
            all = engine.filter_query(&filters);
            &*all
        }
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
    let mut sink =
        Sink::new(out, config::export_format(c.format), keys, fields.is_some()).map_err(wrap)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut undated = 0usize;
    engine.for_each_match(query, |a| {
        if c.require_date && a.published.is_none() {
            undated += 1;
        } else if seen.insert(a.id.clone()) {
            sink.write(&Document::new(&a, Shape::Export))
                .map_err(wrap)?;
        }
        Ok(())
    })?;
    sink.finish().map_err(wrap)?;
    if undated > 0 {
        eprintln!(
            "coindex: skipped {undated} document{} without a publication date (--require-date)",
            if undated == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::found(!seen.is_empty()))
}

fn quickwit_config(c: &cli::ExportCmd, stdout: &mut dyn Write) -> Result<ExitCode> {
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
    Ok(ExitCode::Success)
}
