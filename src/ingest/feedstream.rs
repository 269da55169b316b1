//! RSS and Atom feeds read as streams, item by item, in bounded memory whatever the
//! feed's size (`stream` opens the file; this module splits its XML).
//!
//! quick-xml (the reader under feed-rs) walks the feed's events while a recorder under
//! it keeps the raw bytes read. The start tags of the items' ancestors (the root with
//! its namespace declarations and `xml:base`, and for RSS 2.0/0.9x the first
//! `<channel>`) are the prefix of every item: each item's raw bytes, between that
//! prefix and the closing tags, are read by feed-rs as a feed of one item and turned
//! into an article by the code that reads whole feeds (`feed`), so both give the same
//! articles with the same locators (`item 12`, `entry 12`). What precedes the first item
//! (the prolog, kept up to [`MAX_HEADER_BYTES`], and the channel's header, likewise) is
//! read by feed-rs once, for the feed's title (the articles' source).
//!
//! Where the items are is feed-rs's rule: children of the first `<channel>` of `<rss>`,
//! of `<rdf:RDF>` (RSS 1.0), of `<feed>` (Atom). Channel elements after the first item
//! (a title written after the items) are not read. An item larger than
//! [`MAX_RECORD_BYTES`] is a bad record; a single tag or text run larger than that (a
//! runaway, no markup for 16 MB) ends the read. Malformed XML ends the read too: the
//! items before it are kept, the error is reported. Entities are never expanded here
//! (the recorder copies bytes; feed-rs leaves custom entities as text).
//!
//! quick-xml reads UTF-8 only: `stream` transcodes the feed first ([`encoding_of`]).

use std::io::{BufRead, Read};

use quick_xml::events::Event;

use super::feed;
use super::records::{self, MAX_RECORD_BYTES, record_too_large};
use crate::model::RawArticle;

/// The most of a feed's prolog (before its items' container) and of its header (from
/// there to the first item) that is kept. A longer prolog (a giant DOCTYPE) is left
/// out of the header's reading; a longer header is dropped, and the articles have no
/// feed title as their source.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// One XML event (a tag, a text run) longer than this stops the read: quick-xml holds
/// a whole event in memory.
const MAX_EVENT_BYTES: u64 = MAX_RECORD_BYTES as u64 + (1 << 20);

/// Why a feed stream stopped before its end.
pub(super) enum Problem {
    /// An I/O error under the XML reader (the file, gzip, UTF-16).
    Io(std::io::Error),
    /// Malformed XML, or a runaway event: the reason, with its byte offset.
    Syntax(String),
    /// Before any item: the file is not a feed that can be streamed.
    Skip(String),
}

/// The kinds of feed roots, and where their items are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `<feed>`: `<entry>` children of the root.
    Atom,
    /// `<rss>`: `<item>` children of the first `<channel>`.
    Rss,
    /// `<rdf:RDF>`: `<item>` children of the root.
    Rdf,
}

impl Kind {
    fn of_root(local: &str) -> Option<Kind> {
        match local {
            "feed" => Some(Kind::Atom),
            "rss" => Some(Kind::Rss),
            "RDF" => Some(Kind::Rdf),
            _ => None,
        }
    }

    fn item(self) -> &'static str {
        match self {
            Kind::Atom => "entry",
            Kind::Rss | Kind::Rdf => "item",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Atom => "entry",
            Kind::Rss | Kind::Rdf => "item",
        }
    }
}

/// A `BufRead` that keeps the bytes its reader consumed since `base` (an absolute
/// offset) and fails once one event runs past [`MAX_EVENT_BYTES`].
struct Recorder<R> {
    inner: R,
    buf: Vec<u8>,
    at: usize,
    filled: usize,
    kept: Vec<u8>,
    base: u64,
    consumed: u64,
    event_start: u64,
    runaway: bool,
}

impl<R: Read> Recorder<R> {
    fn new(inner: R) -> Self {
        Recorder {
            inner,
            buf: vec![0; 64 << 10],
            at: 0,
            filled: 0,
            kept: Vec::new(),
            base: 0,
            consumed: 0,
            event_start: 0,
            runaway: false,
        }
    }

    /// The kept bytes from absolute offset `from` to `to`.
    fn range(&self, from: u64, to: u64) -> &[u8] {
        let a = (from.saturating_sub(self.base) as usize).min(self.kept.len());
        let b = (to.saturating_sub(self.base) as usize).clamp(a, self.kept.len());
        &self.kept[a..b]
    }

    /// Drops the kept bytes before absolute offset `at`.
    fn forget_before(&mut self, at: u64) {
        let n = (at.saturating_sub(self.base) as usize).min(self.kept.len());
        self.kept.drain(..n);
        self.base += n as u64;
    }
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Recorder<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.consumed - self.event_start > MAX_EVENT_BYTES {
            self.runaway = true;
            return Err(std::io::Error::other(record_too_large()));
        }
        if self.at == self.filled {
            self.filled = self.inner.read(&mut self.buf)?;
            self.at = 0;
        }
        Ok(&self.buf[self.at..self.filled])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.filled - self.at);
        self.kept.extend_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        self.consumed += n as u64;
    }
}

/// The encoding a streamed feed is read in, from its first bytes (UTF-16 is already
/// transcoded): UTF-8 when they are (a character cut at their end aside), else
/// chardetng's guess, as a whole read guesses. Bytes that are invalid in it later
/// become U+FFFD instead of stopping the XML reader.
pub(super) fn encoding_of(head: &[u8]) -> &'static encoding_rs::Encoding {
    match std::str::from_utf8(head) {
        Ok(_) => encoding_rs::UTF_8,
        Err(e) if e.error_len().is_none() => encoding_rs::UTF_8,
        Err(_) => {
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(head, false);
            det.guess(None, chardetng::Utf8Detection::Allow)
        }
    }
}

/// The item being read.
struct Open {
    start: u64,
    /// Its depth (the root is 1).
    depth: usize,
    /// Larger than [`MAX_RECORD_BYTES`]: its bytes are no longer kept.
    over: bool,
}

/// Splits a feed into items and hands each (its article or bad-record message, and its
/// size in bytes) to `on`, which returns false to stop; returns whether it stopped.
pub(super) fn split(
    input: impl BufRead,
    on: &mut dyn FnMut(Result<RawArticle, String>, usize) -> bool,
) -> Result<bool, Problem> {
    let mut reader = quick_xml::Reader::from_reader(Recorder::new(input));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    // the open ancestors of the items (the root, RSS's channel) as written, with their
    // start tags: the prefix of every item, and its closing tags
    let mut path: Vec<(String, Vec<u8>)> = Vec::new();
    let mut kind: Option<Kind> = None;
    let mut container: Option<usize> = None;
    // everything before the container (while it is at most MAX_HEADER_BYTES), then the
    // header after it: the feed read for its title
    let mut prolog_kept = true;
    let mut prolog: Vec<u8> = Vec::new();
    let mut header: Option<Vec<u8>> = Some(Vec::new());
    let mut source: Option<Option<String>> = None;
    let mut prefix: Vec<u8> = Vec::new();
    let mut item: Option<Open> = None;
    let mut n = 0usize;
    loop {
        let before = reader.buffer_position();
        // the prolog is kept until the container starts; an item's bytes until it ends
        let keep = (container.is_none() && prolog_kept) || item.as_ref().is_some_and(|it| !it.over);
        if !keep {
            reader.get_mut().forget_before(before);
        }
        reader.get_mut().event_start = before;
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let runaway = reader.get_ref().runaway;
                return Err(match e {
                    quick_xml::Error::Io(io) if !runaway => {
                        Problem::Io(std::io::Error::new(io.kind(), io.to_string()))
                    }
                    _ if runaway => Problem::Syntax(format!(
                        "{} at byte {before} (one tag or text run)",
                        record_too_large()
                    )),
                    e => Problem::Syntax(format!(
                        "invalid XML at byte {}: {e}",
                        reader.error_position()
                    )),
                });
            }
        };
        let pos = reader.buffer_position();
        let k = kind.unwrap_or(Kind::Rss);
        if let Some(open) = item.as_mut() {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Eof => {
                    return Err(Problem::Syntax(format!(
                        "the file ends inside {} {}",
                        k.label(),
                        n + 1
                    )));
                }
                _ => {}
            }
            if depth >= open.depth {
                if !open.over && pos - open.start > MAX_RECORD_BYTES as u64 {
                    open.over = true;
                }
                continue;
            }
            let (start, over) = (open.start, open.over);
            item = None;
            n += 1;
            let rec = if over {
                Some(Err(format!("{} {n}: {}", k.label(), record_too_large())))
            } else {
                let bytes = reader.get_ref().range(start, pos);
                item_record(&prefix, bytes, &path, k, n, source.as_ref())
            };
            match rec {
                Some(rec) => {
                    if !on(rec, (pos - start) as usize) {
                        return Ok(true);
                    }
                }
                None => n -= 1,
            }
            continue;
        }
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let local = e.local_name().into_inner();
            depth += 1;
            if container.is_some_and(|c| depth == c + 1) && local == k.item() {
                if source.is_none() {
                    let h = header.take().unwrap_or_default();
                    source = Some(header_source(&prolog, &h, &path)?);
                }
                if !empty {
                    item = Some(Open {
                        start: before,
                        depth,
                        over: false,
                    });
                    continue;
                }
                depth -= 1;
                n += 1;
                let bytes = reader.get_ref().range(before, pos);
                match item_record(&prefix, bytes, &path, k, n, source.as_ref()) {
                    Some(rec) => {
                        if !on(rec, (pos - before) as usize) {
                            return Ok(true);
                        }
                    }
                    None => n -= 1,
                }
                continue;
            }
            let mut ancestor = false;
            if depth == 1 {
                kind = Kind::of_root(local);
                match kind {
                    None => {
                        return Err(Problem::Skip(format!(
                            "invalid feed: the root element <{}> is not <rss>, <feed> or <rdf:RDF>",
                            e.name().into_inner()
                        )));
                    }
                    Some(Kind::Rss) => {}
                    Some(_) => container = (!empty).then_some(1),
                }
                ancestor = true;
            } else if depth == 2
                && kind == Some(Kind::Rss)
                && container.is_none()
                && local == "channel"
                && !empty
            {
                container = Some(2);
                ancestor = true;
            }
            if empty {
                depth -= 1;
            } else if ancestor {
                let tag = reader.get_ref().range(before, pos).to_vec();
                path.push((e.name().into_inner().to_string(), tag));
                if container == Some(depth) {
                    // the container starts: what precedes it is the prolog, and the
                    // ancestors' start tags are the prefix of every item
                    prefix = path.iter().flat_map(|(_, t)| t.iter().copied()).collect();
                    prolog = if prolog_kept {
                        reader.get_ref().range(0, pos).to_vec()
                    } else {
                        prefix.clone()
                    };
                    reader.get_mut().forget_before(pos);
                    continue;
                }
            }
        } else {
            match event {
                Event::End(_) => {
                    if depth == path.len() {
                        path.pop();
                    }
                    depth -= 1;
                    if container.is_some_and(|c| depth < c) {
                        break; // the container ended: the rest is not read
                    }
                }
                Event::Eof => {
                    if container.is_some() {
                        return Err(Problem::Syntax(
                            "the file ends inside the feed (a closing tag is missing)".to_string(),
                        ));
                    }
                    return Err(Problem::Skip(
                        "invalid feed: no <rss>, <feed> or <rdf:RDF> element with items"
                            .to_string(),
                    ));
                }
                _ => {}
            }
        }
        if container.is_none() {
            // a prolog too long to keep (a giant DOCTYPE): the header is read under the
            // ancestors' start tags alone
            if prolog_kept && pos > MAX_HEADER_BYTES as u64 {
                prolog_kept = false;
            }
            continue;
        }
        // between the container's start and the first item: the header
        if let Some(h) = header.as_mut() {
            h.extend_from_slice(reader.get_ref().range(before, pos));
            if h.len() > MAX_HEADER_BYTES {
                // too long to keep: the feed's title is not read
                header = None;
                source = Some(None);
            }
        }
    }
    Ok(false)
}

/// The feed's title from its prolog and header, closed.
fn header_source(
    prefix: &[u8],
    header: &[u8],
    path: &[(String, Vec<u8>)],
) -> Result<Option<String>, Problem> {
    let mut doc = Vec::with_capacity(prefix.len() + header.len() + 64);
    doc.extend_from_slice(prefix);
    doc.extend_from_slice(header);
    close(&mut doc, path);
    feed::header_source(&records::utf8_or_decoded(&doc)).map_err(Problem::Skip)
}

/// One item read as a feed of its own (see the module doc).
fn item_record(
    prefix: &[u8],
    item: &[u8],
    path: &[(String, Vec<u8>)],
    kind: Kind,
    n: usize,
    source: Option<&Option<String>>,
) -> Option<Result<RawArticle, String>> {
    let mut doc = Vec::with_capacity(prefix.len() + item.len() + 64);
    doc.extend_from_slice(prefix);
    doc.extend_from_slice(item);
    close(&mut doc, path);
    let loc = format!("{} {n}", kind.label());
    let source = source.and_then(Option::as_deref);
    feed::parse_item(&records::utf8_or_decoded(&doc), loc, source)
}

/// Appends the closing tags of the open elements `path`.
fn close(doc: &mut Vec<u8>, path: &[(String, Vec<u8>)]) {
    for (name, _) in path.iter().rev() {
        doc.extend_from_slice(b"</");
        doc.extend_from_slice(name.as_bytes());
        doc.push(b'>');
    }
}
