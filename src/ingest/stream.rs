//! Record exports read as streams: NDJSON/JSONL, CSV/TSV, JSON lists of records and
//! RSS/Atom feeds (and their `.gz`) are read record by record, in bounded memory
//! whatever the file's size, instead of whole (a feed's items are split by
//! `feedstream`). [`stream_format`] decides which files go this way;
//! [`stream_records`] reads one and hands every record (an article or its bad-record
//! message) to a callback, with the file's bytes read so far.
//!
//! Below the parsers sits a tap on the file that hashes every byte read (the file's
//! content hash, the same xxh3 as a whole read) and counts them (progress). Then gzip
//! (by extension or magic), then the text encoding: a UTF-8 BOM is dropped, UTF-16 is
//! transcoded to UTF-8 as it is read, and a record that is not valid UTF-8 is decoded
//! on its own by `decode`'s guess. The binary-file and empty-file checks look at the
//! first 64 KB.
//!
//! The per-record limit ([`MAX_RECORD_BYTES`]) holds as in a whole read; the file size
//! limit (`--max-file-mb`) does not apply: a record stream is not one document.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use xxhash_rust::xxh3::Xxh3;

use super::decode;
use super::detect::{self, Format, extensions};
use super::feedstream;
use super::jsonsplit::{self, Piece, Problem};
use super::read::IngestOptions;
use super::records::{
    self, MAX_RECORD_BYTES, delimited_headers, delimited_reader, delimited_row, json_record,
    ndjson_line, record_too_large,
};
use crate::model::RawArticle;

/// Record files at most this large (and at most `--max-file-mb`) are still read whole:
/// they cost at most this much memory, and keep the whole-file path's sniffing.
pub const STREAM_MIN_BYTES: u64 = 8 << 20;

/// The format a file is streamed as, or None when it is read whole: `.ndjson`/`.jsonl`,
/// `.csv`, `.tsv`/`.tab`, `.json` and feed (`.rss`, `.atom`, `.rdf`, `.xml` whose
/// first 8 KB sniff as a feed) files larger than [`STREAM_MIN_BYTES`] (or than the size
/// limit, if lower), and every such file under `.gz` (whose decompressed size is not
/// known in advance).
pub fn stream_format(path: &Path, size: u64, opts: &IngestOptions) -> Option<Format> {
    let (ext, gz) = extensions(path);
    let format = match ext.as_str() {
        "ndjson" | "jsonl" => Format::Ndjson,
        "csv" => Format::Csv,
        "tsv" | "tab" => Format::Tsv,
        "json" => Format::Json,
        "rss" | "atom" | "rdf" | "xml" => Format::Feed,
        _ => return None,
    };
    let big = gz || size > STREAM_MIN_BYTES.min(opts.max_file_bytes);
    // an `.xml` may be XHTML, read whole as a page; what is no feed at all is refused
    // by the whole read with its reason
    (big && (format != Format::Feed || sniffs_as_feed(path))).then_some(format)
}

/// The first 8 KB of the file (gunzipped, decoded) sniff as an RSS or Atom feed.
fn sniffs_as_feed(path: &Path) -> bool {
    let Ok((text, _, _)) = open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if text.take(8 << 10).read_to_end(&mut head).is_err() && head.is_empty() {
        return false;
    }
    detect::sniff(&String::from_utf8_lossy(&head)) == Some(Format::Feed)
}

/// How a stream ended (when it was read to its end, or stopped by the callback).
#[derive(Debug)]
pub struct StreamEnd {
    /// xxh3-64 of the file's bytes (as `xxh3_64` of a whole read), when read to the end.
    pub hash: u64,
    /// Bytes of the file read.
    pub bytes: u64,
    /// The callback asked to stop.
    pub stopped: bool,
}

/// Why a stream could not be read (to its end).
#[derive(Debug)]
pub enum StreamError {
    /// Before any record: the file is skipped with this reason.
    Skip(String),
    /// Reading the file failed midway (it vanished, an I/O error): the records handed
    /// over so far are good, the rest is unknown.
    Read(String),
}

#[derive(Default)]
struct TapState {
    hasher: Xxh3,
    bytes: u64,
    failed: bool,
}

/// Hashes and counts every byte read from the file.
struct Tap<R> {
    inner: R,
    state: Rc<RefCell<TapState>>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s = self.state.borrow_mut();
        match self.inner.read(buf) {
            Ok(n) => {
                s.hasher.update(&buf[..n]);
                s.bytes += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                s.failed = true;
                Err(e)
            }
        }
    }
}

/// Text in another encoding (UTF-16, a legacy one for feeds; UTF-8 with invalid
/// bytes) transcoded to UTF-8 as it is read.
struct Transcode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    eof: bool,
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.raw.resize(64 << 10, 0);
            let n = self.inner.read(&mut self.raw)?;
            self.eof = n == 0;
            self.out.clear();
            self.at = 0;
            let need = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.resize(need, 0);
            let (_, _, written, _) =
                self.decoder
                    .decode_to_utf8(&self.raw[..n], &mut self.out, self.eof);
            self.out.truncate(written);
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// xxh3-64 of a file's bytes, read in bounded memory (the same value as `xxh3_64` of
/// the whole file).
pub fn hash_file(path: &Path) -> Result<u64, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let mut h = Xxh3::new();
    loop {
        let buf = r.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
        if buf.is_empty() {
            return Ok(h.digest());
        }
        h.update(buf);
        let n = buf.len();
        r.consume(n);
    }
}

/// The text reader of a stream, the tap under it, and whether it is gzipped.
type Opened = (Box<dyn BufRead>, Rc<RefCell<TapState>>, bool);

/// Opens the layers under the parsers: tap, gzip, encoding; checks the first bytes.
fn open(path: &Path) -> Result<Opened, StreamError> {
    let f =
        std::fs::File::open(path).map_err(|e| StreamError::Skip(format!("cannot open: {e}")))?;
    let state = Rc::new(RefCell::new(TapState::default()));
    let mut raw = BufReader::with_capacity(
        256 << 10,
        Tap {
            inner: f,
            state: state.clone(),
        },
    );
    let skip = |e: std::io::Error| StreamError::Skip(format!("cannot read: {e}"));
    let gz = raw.fill_buf().map_err(skip)?.starts_with(b"\x1f\x8b") || extensions(path).1;
    let mut text: Box<dyn BufRead> = if gz {
        Box::new(BufReader::with_capacity(
            256 << 10,
            flate2::bufread::MultiGzDecoder::new(raw),
        ))
    } else {
        Box::new(raw)
    };
    let head = text
        .fill_buf()
        .map_err(|e| StreamError::Skip(format!("broken gzip data: {e}")))?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(StreamError::Skip("empty file".to_string()));
    }
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(head) {
        text.consume(bom);
        if enc != encoding_rs::UTF_8 {
            text = transcode(text, enc);
        }
    } else if let Some(enc) = decode::utf16_guess(head) {
        text = transcode(text, enc);
    } else if decode::looks_binary(head) {
        return Err(StreamError::Skip("binary file, not text".to_string()));
    }
    Ok((text, state, gz))
}

fn transcode(inner: Box<dyn BufRead>, enc: &'static encoding_rs::Encoding) -> Box<dyn BufRead> {
    Box::new(BufReader::with_capacity(
        256 << 10,
        Transcode {
            inner,
            decoder: enc.new_decoder_without_bom_handling(),
            raw: Vec::new(),
            out: Vec::new(),
            at: 0,
            eof: false,
        },
    ))
}

/// One record handed to the callback: the article or its bad-record message, the
/// record's size in bytes, and the file's bytes read so far. The callback returns false
/// to stop reading.
pub type OnRecord<'a> = dyn FnMut(Result<RawArticle, String>, usize, u64) -> bool + 'a;

/// Reads a record file of `format` as a stream (see the module doc). Records that
/// cannot be used reach `on` as `Err("line 12: reason")`, as in a whole read; so does
/// a problem that ends the file early (a cut, a broken gzip tail), after the records
/// before it.
pub fn stream_records(
    path: &Path,
    format: Format,
    opts: &IngestOptions,
    on: &mut OnRecord<'_>,
) -> Result<StreamEnd, StreamError> {
    let (mut text, tap, gz) = open(path)?;
    let broken = if gz {
        "broken gzip data"
    } else {
        "broken data"
    };
    let read_so_far = || tap.borrow().bytes;
    let map = &opts.field_map;
    let mut any = false;
    let mut stopped = false;
    // an I/O error from the tap is a read failure; from a layer above it (gzip, UTF-16)
    // a problem of the content, reported as a bad record at the end
    let io_problem = |e: std::io::Error, any: bool, tail: &mut Option<String>| {
        if tap.borrow().failed {
            return Err(StreamError::Read(format!("cannot read: {e}")));
        }
        if !any {
            return Err(StreamError::Skip(format!("{broken}: {e}")));
        }
        *tail = Some(format!(
            "{broken}: {e}; the rest of the file cannot be read"
        ));
        Ok(())
    };
    let mut tail: Option<String> = None;
    match format {
        Format::Ndjson => {
            let mut line = Vec::new();
            let mut n = 0usize;
            loop {
                let over = match read_line_capped(&mut text, &mut line, MAX_RECORD_BYTES) {
                    Ok(Some(over)) => over,
                    Ok(None) => break,
                    Err(e) => {
                        io_problem(e, any, &mut tail)?;
                        break;
                    }
                };
                n += 1;
                let rec = if over {
                    Some(Err(format!("line {n}: {}", record_too_large())))
                } else {
                    ndjson_line(&records::utf8_or_decoded(&line), n, map)
                };
                if let Some(rec) = rec {
                    any = true;
                    if !on(rec, line.len(), read_so_far()) {
                        stopped = true;
                        break;
                    }
                }
            }
        }
        Format::Csv | Format::Tsv => {
            let delim = if format == Format::Csv {
                // the header row is in the first buffer, or it is too long for one
                match text.fill_buf() {
                    Ok(head) => records::sniff_delimiter(head),
                    Err(_) => b',',
                }
            } else {
                b'\t'
            };
            let mut rdr = delimited_reader(delim, Bound::new(&mut text));
            let header = match rdr.byte_headers() {
                Ok(h) => h.clone(),
                Err(e) => {
                    return Err(StreamError::Skip(format!(
                        "cannot read the header row: {e}"
                    )));
                }
            };
            let headers = delimited_headers(&header, map).map_err(StreamError::Skip)?;
            let mut rec = csv::ByteRecord::new();
            loop {
                // the reader buffers a few KB past the record's start
                let start = rdr.position().byte();
                rdr.get_mut().limit = start + MAX_RECORD_BYTES as u64 + (1 << 20);
                match rdr.read_byte_record(&mut rec) {
                    Ok(false) => break,
                    Ok(true) => {
                        let size = rec.as_slice().len();
                        if let Some(r) = delimited_row(&rec, &headers, delim, map) {
                            any = true;
                            if !on(r, size, read_so_far()) {
                                stopped = true;
                                break;
                            }
                        }
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        if let csv::ErrorKind::Io(io) = e.kind() {
                            if rdr.get_ref().over {
                                // a runaway quoted field: the rest is one record
                                on(
                                    Err(format!(
                                        "line {line}: {} (an unterminated quote?); the rest of the file was not read",
                                        record_too_large()
                                    )),
                                    0,
                                    read_so_far(),
                                );
                                break;
                            }
                            let io = std::io::Error::new(io.kind(), io.to_string());
                            io_problem(io, any, &mut tail)?;
                            break;
                        }
                        any = true;
                        if !on(Err(format!("line {line}: {e}")), 0, read_so_far()) {
                            stopped = true;
                            break;
                        }
                    }
                }
            }
        }
        Format::Json => {
            let head = text
                .fill_buf()
                .map(|h| String::from_utf8_lossy(&h[..h.len().min(1 << 20)]).into_owned())
                .unwrap_or_default();
            if records::looks_like_ndjson(&head) {
                return stream_records_ndjson_in_json(path, opts, on);
            }
            let mut whole: Option<Result<RawArticle, String>> = None;
            let res = jsonsplit::split(&mut text, &mut |p| match p {
                Piece::Record(n, bytes, ctx) => {
                    let src = records::container_source(ctx);
                    let rec = match bytes {
                        Some(b) => json_record(b, n, src.as_deref(), map),
                        None => Err(format!("record {n}: {}", record_too_large())),
                    };
                    any = true;
                    let go = on(rec, bytes.map_or(0, <[u8]>::len), read_so_far());
                    stopped |= !go;
                    go
                }
                Piece::Whole(bytes) => {
                    whole = Some(match bytes {
                        None => Err(record_too_large()),
                        Some(b) => records::parse_json(&records::utf8_or_decoded(b), map).and_then(
                            |mut p| {
                                p.articles
                                    .pop()
                                    .ok_or_else(|| "no article in the JSON object".to_string())
                            },
                        ),
                    });
                    true
                }
            });
            if let Some(w) = whole {
                // one article object: read as a whole read reads it
                match w {
                    Ok(a) => {
                        any = true;
                        let n = tap.borrow().bytes as usize;
                        on(Ok(a), n, read_so_far());
                    }
                    Err(reason) => return Err(StreamError::Skip(reason)),
                }
            }
            match res {
                Ok(()) => {}
                Err(Problem::Io(e)) => io_problem(e, any, &mut tail)?,
                Err(Problem::Syntax(m)) if !any => {
                    return Err(StreamError::Skip(format!("invalid JSON at {m}")));
                }
                Err(Problem::Syntax(m)) => tail = Some(format!("invalid JSON at {m}")),
            }
        }
        Format::Feed => {
            let head = text.fill_buf().map(|h| h.to_vec()).unwrap_or_default();
            let enc = feedstream::encoding_of(&head);
            text = transcode(
                std::mem::replace(&mut text, Box::new(std::io::empty())),
                enc,
            );
            let res = feedstream::split(&mut text, &mut |rec, size| {
                any = true;
                let go = on(rec, size, read_so_far());
                stopped |= !go;
                go
            });
            match res {
                Ok(_) => {}
                Err(feedstream::Problem::Io(e)) => io_problem(e, any, &mut tail)?,
                Err(feedstream::Problem::Skip(m)) if !any => return Err(StreamError::Skip(m)),
                Err(feedstream::Problem::Syntax(m)) if !any => {
                    return Err(StreamError::Skip(format!("invalid feed: {m}")));
                }
                Err(feedstream::Problem::Skip(m) | feedstream::Problem::Syntax(m)) => {
                    tail = Some(format!(
                        "{m}; the items before it are kept, the rest of the file was not read"
                    ))
                }
            }
        }
        other => {
            return Err(StreamError::Skip(format!(
                "internal error: {} files are not streamed",
                other.name()
            )));
        }
    }
    if stopped {
        return Ok(StreamEnd {
            hash: 0,
            bytes: read_so_far(),
            stopped: true,
        });
    }
    if let Some(t) = tail {
        on(Err(t), 0, read_so_far());
    }
    // read what the parsers left (a trailing cut, bytes after the last record) so the
    // hash covers the whole file
    drop(text);
    let rest = read_rest(path, &tap)?;
    let s = tap.borrow();
    Ok(StreamEnd {
        hash: rest.unwrap_or_else(|| s.hasher.digest()),
        bytes: s.bytes,
        stopped: false,
    })
}

/// When the layers above the tap stopped before the end of the file, the hash is taken
/// over the whole file again (rare: a cut or broken tail).
fn read_rest(path: &Path, tap: &Rc<RefCell<TapState>>) -> Result<Option<u64>, StreamError> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if tap.borrow().bytes >= size {
        return Ok(None);
    }
    hash_file(path).map(Some).map_err(StreamError::Read)
}

/// A `.json` file that holds NDJSON: read as NDJSON from the start.
fn stream_records_ndjson_in_json(
    path: &Path,
    opts: &IngestOptions,
    on: &mut OnRecord<'_>,
) -> Result<StreamEnd, StreamError> {
    stream_records(path, Format::Ndjson, opts, on)
}

/// The CSV reader's input, bounded per record: once more than `limit` bytes were
/// delivered it fails, so that a runaway quoted field cannot grow one record without
/// bound (the csv crate buffers a whole record).
struct Bound<R> {
    inner: R,
    delivered: u64,
    limit: u64,
    over: bool,
}

impl<R> Bound<R> {
    fn new(inner: R) -> Self {
        Bound {
            inner,
            delivered: 0,
            limit: u64::MAX,
            over: false,
        }
    }
}

impl<R: Read> Read for Bound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.delivered >= self.limit {
            self.over = true;
            return Err(std::io::Error::other("record too large"));
        }
        let n = self.inner.read(buf)?;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// Reads one line (without its `\n`) into `out`, keeping at most `cap` bytes; Some(true)
/// when the line was longer (its bytes are consumed, `out` is cleared), None at the end.
fn read_line_capped(
    r: &mut dyn BufRead,
    out: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<bool>> {
    out.clear();
    let mut over = false;
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(any.then_some(over));
        }
        any = true;
        let (n, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if !over {
            if out.len() + n > cap {
                over = true;
                out.clear();
            } else {
                out.extend_from_slice(&buf[..n]);
            }
        }
        r.consume(n + usize::from(done));
        if done {
            return Ok(Some(over));
        }
    }
}
