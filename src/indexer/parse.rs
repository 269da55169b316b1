//! The parse step, run on the parser pool: read a file, hash it, decode, detect its
//! format, parse and normalize its articles. A bad file becomes a skip reason, never an
//! error of the run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::Receiver;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use super::IndexConfig;
use super::budget::{ByteBudget, Permit, QUEUE_BYTES};
use super::plan::Listed;
use super::sites::{self, RawDates, Views};
use super::writer::Prints;
use crate::error::{Error, Result};
use crate::index::manifest::PathKey;
use crate::ingest::{self, FoundFile};
use crate::model::Article;
use crate::normalize;
use crate::sites::Page;

/// Files per chunk of the walk list handed to the parser pool: small enough that the
/// last chunk, parsed by one thread, is a short tail, and that a chunk's buffer is
/// freed soon after its files are parsed (unit tests use chunks of 8, so that small
/// folders span several).
pub(super) const PARSE_CHUNK: usize = if cfg!(test) { 8 } else { 1024 };

/// What the parsers hand the writer: a file read whole, or one batch of a streamed file
/// (the batches of one file come in order, from one parser).
pub(super) enum Item {
    File(Parsed),
    Batch(Batch),
}

/// Records per batch of a streamed file, and bytes of records per batch: a batch holds
/// a budget permit for its bytes, so a big export is a stream of small weights.
const BATCH_RECORDS: usize = if cfg!(test) { 16 } else { 1000 };
const BATCH_BYTES: usize = 4 << 20;

/// Some records of a streamed file, normalized.
pub(super) struct Batch {
    pub(super) key: PathKey,
    pub(super) found: FoundFile,
    /// The first batch of the file.
    pub(super) first: bool,
    pub(super) articles: Vec<Article>,
    /// The fingerprints of `articles`, in order.
    pub(super) prints: Vec<Prints>,
    pub(super) errors: Vec<String>,
    /// Records read so far, and bytes of the file (for the progress bar).
    pub(super) records: u64,
    pub(super) read: u64,
    /// Set on the last batch.
    pub(super) end: Option<BatchEnd>,
}

/// How a streamed file ended.
pub(super) enum BatchEnd {
    /// Read to the end: the file's content hash.
    Done(u64),
    /// Reading failed midway: what was sent stays, the file is read again next run.
    Failed(String),
}

/// A parsed file on its way to the writer.
pub(super) struct Parsed {
    pub(super) found: FoundFile,
    pub(super) key: PathKey,
    pub(super) hash: u64,
    pub(super) outcome: std::result::Result<(Vec<Article>, Vec<String>), String>,
    /// Content identical to the manifest's: only the mtime needs updating.
    pub(super) touched_only: bool,
    /// The site facts of a page (a page-format file of one article), when sites learn.
    pub(super) page: Option<Page>,
    /// The fingerprints of the outcome's articles, in order.
    pub(super) prints: Vec<Prints>,
}

/// Reads, hashes, parses and normalizes one file (runs on the rayon pool); with
/// `orders` (sites learn), a page also gets its site facts.
pub(super) fn parse_one(
    key: PathKey,
    found: FoundFile,
    old_hash: Option<u64>,
    cfg: &IndexConfig,
    views: Option<&Views>,
) -> Parsed {
    let bytes = match ingest::read_bytes(&found.path, &cfg.ingest) {
        Ok(b) => b,
        Err(reason) => {
            return Parsed {
                found,
                key,
                hash: 0,
                outcome: Err(reason),
                touched_only: false,
                page: None,
                prints: Vec::new(),
            };
        }
    };
    let hash = xxh3_64(&bytes);
    if old_hash == Some(hash) {
        return Parsed {
            found,
            key,
            hash,
            outcome: Ok((vec![], vec![])),
            touched_only: true,
            page: None,
            prints: Vec::new(),
        };
    }
    // A parser bug on one strange file must not stop the run: it becomes a skip reason.
    let read_and_parse = || {
        let mut page = None;
        let text = ingest::read_text(&found.path, &bytes, &cfg.ingest)?;
        drop(bytes);
        let format = ingest::detect_format(&found.path, &text)?;
        let mut pre = views.and_then(|v| sites::precut(format, &text, &found.path, v));
        let cut_parse = pre
            .as_ref()
            .and_then(|p| p.text.as_deref())
            .map(|t| ingest::parse_text(format, t, &cfg.ingest).ok())
            .map(|p| p.filter(|p| p.articles.len() == 1));
        let parsed = match cut_parse {
            Some(Some(p)) => p,
            // the guess cut nothing: its shingles still serve
            None => ingest::parse_text(format, &text, &cfg.ingest)?,
            Some(None) => {
                pre = None;
                ingest::parse_text(format, &text, &cfg.ingest)?
            }
        };
        let learn = views.filter(|_| sites::learns(format, parsed.articles.len()));
        // the articles own their text; a 64 MB export need not be held twice more (a
        // page that learns keeps it: its chrome is cut from it)
        let text = learn.map(|_| text);
        let fallback = ingest::folder_source(&found.path);
        let mut errors = parsed.record_errors;
        let mut articles = Vec::with_capacity(parsed.articles.len());
        let multi = parsed.articles.len() > 1;
        for raw in parsed.articles {
            let loc = raw.locator.clone();
            let dates = learn.map(|_| RawDates::of(&raw));
            match normalize::normalize(raw, &key, &fallback, &cfg.normalize) {
                Ok(mut a) => {
                    if let (Some(views), Some(dates), Some(text)) = (learn, &dates, &text) {
                        page = Some(sites::learn_page(
                            &mut a,
                            dates,
                            format,
                            text,
                            &key,
                            &fallback,
                            cfg,
                            views,
                            pre.take(),
                        ));
                    }
                    articles.push(a)
                }
                Err(reason) if multi || loc.is_some() => {
                    errors.push(format!("{}: {reason}", loc.unwrap_or_default()))
                }
                Err(reason) => return Err(reason),
            }
        }
        if articles.is_empty() {
            return Err(match errors.first() {
                Some(e) => format!(
                    "no usable article ({} bad records; first: {e})",
                    errors.len()
                ),
                None => "no articles found in the file".to_string(),
            });
        }
        Ok((articles, errors, page))
    };
    let (outcome, page) = match ingest::guarded(read_and_parse, |message| {
        format!("internal error while parsing this file (please report it): {message}")
    }) {
        Ok((articles, errors, page)) => (Ok((articles, errors)), page),
        Err(reason) => (Err(reason), None),
    };
    let prints = match &outcome {
        Ok((articles, _)) => articles.iter().map(Prints::of).collect(),
        Err(_) => Vec::new(),
    };
    Parsed {
        found,
        key,
        hash,
        outcome,
        touched_only: false,
        page,
        prints,
    }
}

/// The parsed files and the byte permits that travel with them, and the thread that
/// feeds the parser pool (join it after the channel is drained).
pub(super) type Parsers = (Receiver<(Item, Permit)>, std::thread::JoinHandle<()>);

/// Starts the parser pool on the chunks of the walk list. Each worker takes whole
/// chunks and drops a chunk's buffer when done; every file first takes its size from
/// `budget`, and Ctrl-C (`stop`) stops handing out files.
pub(super) fn spawn_parsers(
    chunks: Vec<Vec<(Listed, Option<u64>)>>,
    odd_paths: FxHashMap<PathKey, PathBuf>,
    cfg: &IndexConfig,
    stop: &Arc<AtomicBool>,
    budget: &Arc<ByteBudget>,
    views: Option<Views>,
) -> Result<Parsers> {
    let (tx, rx) = crossbeam_channel::bounded::<(Item, Permit)>(64);
    let budget2 = budget.clone();
    let cfg2 = cfg.clone();
    let stop2 = stop.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.writer_threads)
        .thread_name(|i| format!("coindex-parse-{i}"))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the parser threads: {e}")))?;
    let producer = std::thread::spawn(move || {
        pool.install(|| {
            // each worker takes whole chunks and drops a chunk's buffer when done
            chunks
                .into_par_iter()
                .flat_map_iter(|chunk| chunk.into_iter())
                .for_each_with(tx, |tx, (f, old_hash)| {
                    if stop2.load(Ordering::Relaxed) {
                        return;
                    }
                    let found = FoundFile {
                        path: odd_paths
                            .get(&f.key)
                            .cloned()
                            .unwrap_or_else(|| PathBuf::from(&*f.key)),
                        size: f.size,
                        mtime_ns: f.mtime_ns,
                    };
                    if let Some(format) =
                        ingest::stream_format(&found.path, found.size, &cfg2.ingest)
                    {
                        stream_one(f.key, found, format, old_hash, &cfg2, &budget2, tx, &stop2);
                        return;
                    }
                    // The file's size is taken from the budget before it is read and
                    // given back once the writer has applied it. A file over the size
                    // limit is refused without being read, so it weighs nothing.
                    let weight = if found.size > cfg2.ingest.max_file_bytes {
                        1
                    } else {
                        found.size.max(1)
                    };
                    let Some(permit) = budget2.acquire(weight, QUEUE_BYTES) else {
                        return;
                    };
                    // Ctrl-C may have come while this parser waited for room
                    if stop2.load(Ordering::Relaxed) {
                        return;
                    }
                    let parsed = parse_one(f.key, found, old_hash, &cfg2, views.as_ref());
                    let _ = tx.send((Item::File(parsed), permit));
                })
        });
    });
    Ok((rx, producer))
}

/// Reads a record export as a stream (`ingest::stream_records`), normalizes its records
/// and sends them in batches, each with a budget permit for its bytes. A file whose
/// content hash is the manifest's is only touched (one hashing pass, nothing parsed).
/// Ctrl-C stops between records; the writer then keeps the file as partly written.
#[allow(clippy::too_many_arguments)]
fn stream_one(
    key: PathKey,
    found: FoundFile,
    format: ingest::Format,
    old_hash: Option<u64>,
    cfg: &IndexConfig,
    budget: &Arc<ByteBudget>,
    tx: &crossbeam_channel::Sender<(Item, Permit)>,
    stop: &AtomicBool,
) {
    let whole = |outcome: std::result::Result<(Vec<Article>, Vec<String>), String>,
                 hash: u64,
                 touched_only: bool| {
        if let Some(permit) = budget.acquire(1, QUEUE_BYTES) {
            let parsed = Parsed {
                found: found.clone(),
                key: key.clone(),
                hash,
                outcome,
                touched_only,
                page: None,
                prints: Vec::new(),
            };
            let _ = tx.send((Item::File(parsed), permit));
        }
    };
    if let Some(old) = old_hash {
        match ingest::hash_file(&found.path) {
            Ok(h) if h == old => return whole(Ok((vec![], vec![])), h, true),
            Ok(_) => {}
            Err(reason) => return whole(Err(reason), 0, false),
        }
    }
    let fallback = ingest::folder_source(&found.path);
    let mut batch = Batch {
        key: key.clone(),
        found: found.clone(),
        first: true,
        articles: Vec::new(),
        prints: Vec::new(),
        errors: Vec::new(),
        records: 0,
        read: 0,
        end: None,
    };
    let mut bytes = 0usize;
    let mut gone = false;
    // sends the batch; false once the writer has gone
    let send = |batch: &mut Batch, bytes: &mut usize, end: Option<BatchEnd>| -> bool {
        let Some(permit) = budget.acquire((*bytes).max(1) as u64, QUEUE_BYTES) else {
            return false;
        };
        let next = Batch {
            key: batch.key.clone(),
            found: batch.found.clone(),
            first: false,
            articles: Vec::with_capacity(BATCH_RECORDS),
            prints: Vec::with_capacity(BATCH_RECORDS),
            errors: Vec::new(),
            records: batch.records,
            read: batch.read,
            end: None,
        };
        let mut full = std::mem::replace(batch, next);
        full.end = end;
        *bytes = 0;
        tx.send((Item::Batch(full), permit)).is_ok()
    };
    let result = ingest::guarded(
        || {
            let mut on = |rec: std::result::Result<crate::model::RawArticle, String>,
                          size: usize,
                          read: u64| {
                batch.records += 1;
                batch.read = read;
                bytes += size;
                match rec {
                    Ok(raw) => {
                        let loc = raw.locator.clone().unwrap_or_default();
                        match normalize::normalize(raw, &key, &fallback, &cfg.normalize) {
                            Ok(a) => {
                                batch.prints.push(Prints::of(&a));
                                batch.articles.push(a);
                            }
                            Err(reason) => batch.errors.push(format!("{loc}: {reason}")),
                        }
                    }
                    Err(e) => batch.errors.push(e),
                }
                let full = batch.articles.len() + batch.errors.len() >= BATCH_RECORDS
                    || bytes >= BATCH_BYTES;
                if full && (stop.load(Ordering::Relaxed) || !send(&mut batch, &mut bytes, None)) {
                    gone = true;
                    return false;
                }
                true
            };
            Ok(ingest::stream_records(
                &found.path,
                format,
                &cfg.ingest,
                &mut on,
            ))
        },
        |message| format!("internal error while reading this file (please report it): {message}"),
    );
    if gone {
        return;
    }
    let end = match result {
        Ok(Ok(end)) if end.stopped => return,
        Ok(Ok(end)) => BatchEnd::Done(end.hash),
        Ok(Err(ingest::StreamError::Skip(reason))) if batch.first => {
            return whole(Err(reason), 0, false);
        }
        Ok(Err(ingest::StreamError::Skip(reason) | ingest::StreamError::Read(reason))) => {
            BatchEnd::Failed(reason)
        }
        Err(reason) if batch.first => return whole(Err(reason), 0, false),
        Err(reason) => BatchEnd::Failed(reason),
    };
    if stop.load(Ordering::Relaxed) {
        return;
    }
    send(&mut batch, &mut bytes, Some(end));
}
