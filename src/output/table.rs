//! Row formats for scripts: NDJSON (one JSON object per line), CSV and TSV (RFC 4180
//! quoting by the `csv` crate, header row first). Every listing command renders through
//! here so the formats behave the same everywhere.

use std::io::{self, Write};

use serde::Serialize;

use super::Format;
use super::fields::IntoIo;

/// Writes rows of `(header, values)` as CSV or TSV.
pub fn delimited(
    out: &mut dyn Write,
    format: Format,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let delim = if format == Format::Tsv { b'\t' } else { b',' };
    let mut w = csv::WriterBuilder::new().delimiter(delim).from_writer(out);
    w.write_record(header).map_err(IntoIo::into_io)?;
    for r in rows {
        w.write_record(r).map_err(IntoIo::into_io)?;
    }
    w.flush()
}

/// Writes one JSON object per line.
pub fn ndjson<T: Serialize>(out: &mut dyn Write, items: &[T]) -> io::Result<()> {
    for it in items {
        serde_json::to_writer(&mut *out, it).map_err(IntoIo::into_io)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes one pretty JSON document.
pub fn json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(IntoIo::into_io)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let mut buf = Vec::new();
        let rows = vec![vec![
            "a, b".to_string(),
            "say \"hi\"".to_string(),
            "two\nlines".to_string(),
        ]];
        delimited(&mut buf, Format::Csv, &["x", "y", "z"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "x,y,z\n\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        );
        let mut buf = Vec::new();
        delimited(
            &mut buf,
            Format::Tsv,
            &["x", "y"],
            &[vec!["a".into(), "b c".into()]],
        )
        .unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "x\ty\na\tb c\n");
    }
}
