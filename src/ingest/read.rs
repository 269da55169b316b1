//! Reading one file: the size limit (checked before and while reading), gunzipping,
//! refusing binaries and decoding to text, with the limits and overrides in
//! [`IngestOptions`].
//!
//! The byte-level work (gzip, binary detection, encodings) is `decode`'s; this module
//! does not detect formats or parse (see `detect`, `ingest::parse_text`).

use std::path::Path;

use super::decode;
use super::detect::extensions;

/// Limits and overrides for reading files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Largest file (after decompression) that is read, in bytes.
    pub max_file_bytes: u64,
    /// `--map FIELD=NAME` overrides for record formats (JSON, NDJSON, CSV, TSV) and
    /// front matter: (coindex field, input key or column). FIELD is one of
    /// [`MAP_FIELDS`](super::MAP_FIELDS); NAME is matched exactly first, then ignoring case, `_` and `-`,
    /// then as a dotted path (`publisher.name`).
    pub field_map: Vec<(String, String)>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_file_bytes: 64 * 1024 * 1024,
            field_map: Vec::new(),
        }
    }
}

/// Reads, decompresses and decodes a file; returns its text.
pub fn read_text(path: &Path, bytes: &[u8], opts: &IngestOptions) -> Result<String, String> {
    let (_, gz) = extensions(path);
    let owned;
    let data: &[u8] = if gz || bytes.starts_with(b"\x1f\x8b") {
        owned = decode::gunzip(bytes, opts.max_file_bytes)?;
        &owned
    } else {
        bytes
    };
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty file".to_string());
    }
    if decode::looks_binary(data) {
        return Err(format!("binary file, not text ({})", binary_kind(data)));
    }
    Ok(decode::decode(data).0)
}

fn binary_kind(data: &[u8]) -> &'static str {
    if data.starts_with(b"\x89PNG") {
        "PNG image"
    } else if data.starts_with(b"\x7fELF") {
        "ELF executable"
    } else if data.starts_with(b"%PDF") {
        "PDF document"
    } else if data.starts_with(b"PK\x03\x04") {
        "zip archive"
    } else if data.starts_with(b"\xff\xd8\xff") {
        "JPEG image"
    } else {
        "unrecognized binary data"
    }
}

/// Reads a file from disk, bounded by the size limit; returns the bytes. A file whose
/// size is over the limit is refused without being read; at most `limit + 1` bytes are
/// ever read (endless streams included).
pub fn read_bytes(path: &Path, opts: &IngestOptions) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let too_large = || {
        format!(
            "file is larger than the {} MB limit (raise it with --max-file-mb)",
            opts.max_file_bytes / (1024 * 1024)
        )
    };
    let f = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    // refused from its size before any byte is read; the bounded read below still
    // catches files that grow meanwhile and streams whose size is unknown
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    if size > opts.max_file_bytes {
        return Err(too_large());
    }
    let mut buf = Vec::with_capacity(size as usize);
    f.take(opts.max_file_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read: {e}"))?;
    if buf.len() as u64 > opts.max_file_bytes {
        return Err(too_large());
    }
    Ok(buf)
}
