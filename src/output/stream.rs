//! The export's writer: documents written one at a time as they are read, as NDJSON, a
//! JSON array, CSV or TSV, optionally reduced to `--fields`, so memory stays flat on
//! any archive size.

use std::io::{self, Write};

use super::Format;
use super::document::Document;
use super::fields::{IntoIo, Picked};

/// Writes documents one at a time in the chosen format (text is written as NDJSON:
/// the export has no human form).
pub struct Sink<'a> {
    out: Option<&'a mut dyn Write>,
    csv: Option<csv::Writer<&'a mut dyn Write>>,
    format: Format,
    keys: &'a [&'static str],
    picked: bool,
    first: bool,
}

impl<'a> Sink<'a> {
    pub fn new(
        out: &'a mut dyn Write,
        format: Format,
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
            Format::Csv | Format::Tsv => {
                let delim = if format == Format::Tsv { b'\t' } else { b',' };
                let mut w = csv::WriterBuilder::new().delimiter(delim).from_writer(out);
                w.write_record(keys).map_err(IntoIo::into_io)?;
                s.csv = Some(w);
            }
            Format::Json => {
                out.write_all(b"[")?;
                s.out = Some(out);
            }
            Format::Ndjson | Format::Text => s.out = Some(out),
        }
        Ok(s)
    }

    pub fn write(&mut self, d: &Document) -> io::Result<()> {
        if let Some(w) = &mut self.csv {
            let row: Vec<String> = self.keys.iter().map(|k| d.cell(k)).collect();
            return w.write_record(&row).map_err(IntoIo::into_io);
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        if self.format == Format::Json {
            out.write_all(if self.first { b"\n" } else { b",\n" })?;
        }
        self.first = false;
        if self.picked {
            serde_json::to_writer(&mut **out, &Picked::new(d, self.keys))
                .map_err(IntoIo::into_io)?;
        } else {
            serde_json::to_writer(&mut **out, d).map_err(IntoIo::into_io)?;
        }
        if self.format == Format::Ndjson {
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        if let Some(mut w) = self.csv.take() {
            return w.flush();
        }
        if let Some(out) = self.out.as_mut() {
            if self.format == Format::Json {
                out.write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
            }
            out.flush()?;
        }
        Ok(())
    }
}
