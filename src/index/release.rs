//! The writer's directory: tantivy's `MmapDirectory`, except that the pages the writer
//! has read, and the pages it has written, are handed back to the kernel as it goes, so
//! that a merge's RSS stays bounded. All of coindex's `unsafe` memory-release code is
//! here and nowhere else; searches never use it.

use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{OwnedBytes, WatchCallback, WatchHandle, WritePtr};

/// A directory for the index writer: tantivy's `MmapDirectory`, except that the pages
/// the writer has read are handed back to the kernel as it goes.
///
/// A merge reads every posting list, position list and docstore block of its source
/// segments once. Through `mmap`, every page it touches stays mapped, and counted in
/// the process's RSS, until the merge ends and its sources are unmapped: up to 374 MB
/// for a merge of four 40k-document segments at a million articles. Here every read
/// is counted, and after each [`RELEASE_EVERY`] bytes the mapped files still open are
/// advised `MADV_DONTNEED`. For a read-only file mapping that only drops the pages
/// from this process's page tables: the data stays in the page cache, and a page read
/// again is mapped again on the next access, with the same contents. Reading with
/// `pread` instead bounds RSS the same way but copies every posting list into a
/// buffer: it cost a 1M build 80 s more system time. A merge's copy of whole document
/// stores is one read, which the count cannot split; the writer drops those pages
/// behind the copy instead (see [`WriterOut`]).
/// Searches open the index with plain `mmap`: a query touches a few pages of each file.
#[derive(Debug, Clone)]
pub(super) struct WriterDirectory {
    inner: tantivy::directory::MmapDirectory,
}

/// Bytes read through a [`WriterDirectory`] between two releases of its mapped pages
/// (unit tests release after every few reads, so that a small merge reads released
/// pages again).
const RELEASE_EVERY: usize = if cfg!(test) { 1 << 10 } else { 8 << 20 };

/// How many times the mapped pages were released (for the tests).
static RELEASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The mapped files of every [`WriterDirectory`] (dead ones are dropped at the next
/// release).
static MAPPED: std::sync::Mutex<Vec<std::sync::Weak<OwnedBytes>>> =
    std::sync::Mutex::new(Vec::new());
/// Bytes read through a [`WriterDirectory`] since the mapped pages were last released.
static READ_SINCE_RELEASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Drops the mapped pages of every file still open (see [`WriterDirectory`]).
fn release_mapped_pages() {
    let Ok(mut mapped) = MAPPED.lock() else {
        return;
    };
    RELEASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    mapped.retain(|weak| {
        let Some(bytes) = weak.upgrade() else {
            return false;
        };
        let data = bytes.as_slice();
        // SAFETY: `data` is the whole of a live, read-only, file-backed mapping made by
        // tantivy's `MmapDirectory` (it starts on a page boundary, and the `Arc` keeps
        // it mapped during the call). MADV_DONTNEED on such a mapping only unmaps its
        // pages from this process; a later access maps the unchanged file data again,
        // so no reader, here or in another thread, can observe a difference.
        unsafe {
            libc::madvise(
                data.as_ptr() as *mut libc::c_void,
                data.len(),
                libc::MADV_DONTNEED,
            );
        }
        true
    });
}

impl WriterDirectory {
    pub(super) fn open(root: &Path) -> tantivy::Result<WriterDirectory> {
        Ok(WriterDirectory {
            inner: tantivy::directory::MmapDirectory::open(root)?,
        })
    }
}

/// One open file of a [`WriterDirectory`]: the whole mapping, and reads counted.
#[derive(Debug)]
struct WriterFile {
    bytes: Arc<OwnedBytes>,
}

impl tantivy::directory::FileHandle for WriterFile {
    fn read_bytes(&self, range: std::ops::Range<usize>) -> std::io::Result<OwnedBytes> {
        if range.end > self.bytes.len() || range.start > range.end {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "read of {range:?} beyond a file of {} bytes",
                    self.bytes.len()
                ),
            ));
        }
        let read = READ_SINCE_RELEASE.fetch_add(range.len(), std::sync::atomic::Ordering::Relaxed);
        if read + range.len() >= RELEASE_EVERY {
            READ_SINCE_RELEASE.store(0, std::sync::atomic::Ordering::Relaxed);
            release_mapped_pages();
        }
        Ok(self.bytes.slice(range))
    }
}

/// Bytes of a large write passed on at a time by [`WriterOut`] (smaller in tests, so
/// that a small file spans several). Far larger than the kernel's fault-around window
/// (64 KB), which maps the pages next to a faulting one again: copying the next slice
/// re-maps at most the end of the slice released before it.
const WRITE_SLICE: usize = if cfg!(test) { 256 << 10 } else { 1 << 20 };

/// How many slices of mapped pages [`WriterOut`] dropped after writing them (for the
/// tests).
static SLICES_RELEASED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A file written through a [`WriterDirectory`]. A merge copies each source segment's
/// document store into the new one as a single slice of its mapping (tantivy's
/// `StoreWriter::stack`), which touches every page of it in one read: the periodic
/// release cannot split that, and a 1M build's mapped memory peaked at 63 MB during
/// those copies. Here a large write is passed on a slice at a time, and a slice that
/// lies inside a mapped file of this directory has its pages dropped once the caller is
/// done with it: at the next write, flush or end of the file, because tantivy's footer
/// writer checksums each slice right after it was written.
struct WriterOut {
    file: Box<dyn tantivy::directory::TerminatingWrite + Send + Sync>,
    /// The last large slice written (address and length), to release at the next call.
    written: Option<(usize, usize)>,
}

impl WriterOut {
    fn release_written(&mut self) {
        if let Some((addr, len)) = self.written.take() {
            release_if_mapped(addr, len);
        }
    }
}

impl std::io::Write for WriterOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.release_written();
        if buf.len() < WRITE_SLICE {
            return self.file.write(buf);
        }
        let n = self.file.write(&buf[..WRITE_SLICE])?;
        self.written = Some((buf.as_ptr() as usize, n));
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.release_written();
        self.file.flush()
    }
}

impl tantivy::directory::TerminatingWrite for WriterOut {
    fn terminate_ref(&mut self, token: tantivy::directory::AntiCallToken) -> std::io::Result<()> {
        self.release_written();
        self.file.terminate_ref(token)
    }
}

/// The system's page size, if it can be read.
fn page_size() -> Option<usize> {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    (n > 0).then_some(n as usize)
}

/// Drops the pages wholly inside `addr..addr + len` if that range lies inside a file
/// mapped by a [`WriterDirectory`] and still mapped; any other memory (a heap buffer,
/// freed or not) is left alone. Addresses are only compared, never dereferenced.
fn release_if_mapped(addr: usize, len: usize) {
    let Some(page) = page_size() else {
        return;
    };
    let (from, to) = (addr, addr.saturating_add(len));
    let start = from.next_multiple_of(page);
    let end = to - to % page;
    if end <= start {
        return;
    }
    let Ok(mapped) = MAPPED.lock() else {
        return;
    };
    // the mapping must stay alive during the call: hold it while advising
    let owner = mapped.iter().filter_map(|w| w.upgrade()).find(|bytes| {
        let b = bytes.as_slice();
        let (lo, hi) = (b.as_ptr() as usize, b.as_ptr() as usize + b.len());
        lo <= from && to <= hi
    });
    drop(mapped);
    if let Some(_alive) = owner {
        // SAFETY: `start..end` is page-aligned and inside a live, read-only,
        // file-backed mapping made by tantivy's `MmapDirectory` (checked just above;
        // `_alive` keeps it mapped during the call). As in `release_mapped_pages`,
        // MADV_DONTNEED only unmaps its pages from this process; a later access maps
        // the unchanged file data again.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
        SLICES_RELEASED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl tantivy::HasLen for WriterFile {
    fn len(&self) -> usize {
        self.bytes.len()
    }
}

impl tantivy::Directory for WriterDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<Arc<dyn tantivy::directory::FileHandle>, OpenReadError> {
        let handle = self.inner.get_file_handle(path)?;
        let whole = handle
            .read_bytes(0..handle.len())
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?;
        let bytes = Arc::new(whole);
        // an empty file is not mapped at all
        if !bytes.is_empty()
            && let Ok(mut mapped) = MAPPED.lock()
        {
            mapped.push(Arc::downgrade(&bytes));
        }
        Ok(Arc::new(WriterFile { bytes }))
    }

    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> std::result::Result<WritePtr, OpenWriteError> {
        // tantivy's buffered writer, taken apart so that large writes reach ours whole
        let file = self
            .inner
            .open_write(path)?
            .into_inner()
            .map_err(|e| OpenWriteError::wrap_io_error(e.into_error(), path.to_path_buf()))?;
        Ok(std::io::BufWriter::new(Box::new(WriterOut {
            file,
            written: None,
        })))
    }

    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> std::result::Result<tantivy::directory::DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    use tantivy::schema::Value;
    use tantivy::schema::{IndexRecordOption, STORED, STRING, Schema, TEXT};
    use tantivy::{Index, TantivyDocument};
    use tantivy::{Term, doc};

    /// A merge through the writer's directory, which drops the pages it has read every
    /// kilobyte in tests, reads every posting and stored document intact.
    #[test]
    fn a_merge_reads_released_pages_again_intact() {
        let tmp = tempfile::tempdir().unwrap();
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING | STORED);
        let body = builder.add_text_field("body", TEXT | STORED);
        let schema = builder.build();
        let index = Index::create(
            WriterDirectory::open(tmp.path()).unwrap(),
            schema,
            Default::default(),
        )
        .unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for batch in 0..4 {
            for i in 0..500 {
                let n = batch * 500 + i;
                writer
                    .add_document(doc!(
                        word => format!("w{}", n % 7),
                        body => format!("document {n} of batch {batch} says hashrate {}", n % 13),
                    ))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let before = RELEASES.load(std::sync::atomic::Ordering::Relaxed);
        let segments = index.searchable_segment_ids().unwrap();
        assert_eq!(segments.len(), 4);
        writer.merge(&segments).wait().unwrap();
        writer.wait_merging_threads().unwrap();
        assert!(
            RELEASES.load(std::sync::atomic::Ordering::Relaxed) > before,
            "the merge read more than a kilobyte without releasing pages"
        );

        // read the merged index back through plain mmap
        let searcher = Index::open_in_dir(tmp.path())
            .unwrap()
            .reader()
            .unwrap()
            .searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        assert_eq!(searcher.num_docs(), 2000);
        let count = |field, text: &str| {
            let q = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
            searcher.search(&q, &Count).unwrap()
        };
        assert_eq!(count(word, "w3"), (0..2000).filter(|n| n % 7 == 3).count());
        assert_eq!(count(body, "batch"), 2000);
        assert_eq!(count(body, "1999"), 1);
        let last = searcher
            .search(
                &TermQuery::new(
                    Term::from_field_text(body, "1999"),
                    IndexRecordOption::Basic,
                ),
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .unwrap();
        let stored: TantivyDocument = searcher.doc(last[0].1).unwrap();
        assert_eq!(
            stored.get_first(body).and_then(|v| v.as_str()),
            Some("document 1999 of batch 3 says hashrate 10")
        );
    }

    /// A large write of a slice of a mapped file (as a merge stacks a document store)
    /// is copied exactly and drops the mapped pages it has written, which read back
    /// unchanged; a large write from the heap is copied and its buffer left alone.
    #[test]
    fn large_writes_from_a_mapping_release_its_pages() {
        use std::io::Write;
        use tantivy::directory::TerminatingWrite;
        let tmp = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..2_600_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(tmp.path().join("source"), &data).unwrap();
        let dir = WriterDirectory::open(tmp.path()).unwrap();
        let source = tantivy::Directory::get_file_handle(&dir, Path::new("source")).unwrap();
        let mapped = source.read_bytes(0..data.len()).unwrap();

        // written as a merge writes: through the index's own directory, whose footer
        // writer reads each slice again after it is written
        let out_dir = tempfile::tempdir().unwrap();
        let index = Index::create(
            WriterDirectory::open(out_dir.path()).unwrap(),
            Schema::builder().build(),
            Default::default(),
        )
        .unwrap();
        let before = SLICES_RELEASED.load(std::sync::atomic::Ordering::Relaxed);
        let mut out = tantivy::Directory::open_write(index.directory(), Path::new("copy")).unwrap();
        out.write_all(b"head").unwrap();
        out.write_all(mapped.as_slice()).unwrap();
        out.terminate().unwrap();
        let released = SLICES_RELEASED.load(std::sync::atomic::Ordering::Relaxed) - before;
        assert!(
            released >= data.len() / WRITE_SLICE,
            "{released} slices released"
        );
        // what stays mapped is the kernel's fault-around near slice boundaries (at most
        // 15 pages each); /proc/self/pagemap says which pages are, where it can be read
        let pages = data.len().div_ceil(page_size().unwrap());
        if let Some(mapped_now) = resident_pages(mapped.as_slice()) {
            assert!(
                mapped_now * 3 < pages,
                "{mapped_now} of {pages} pages mapped"
            );
        }
        let copy = std::fs::read(out_dir.path().join("copy")).unwrap();
        assert_eq!(&copy[..4], b"head");
        // the footer tantivy appends follows the data
        assert_eq!(&copy[4..4 + data.len()], &data[..]);
        assert_eq!(
            mapped.as_slice(),
            &data[..],
            "released pages read back unchanged"
        );

        let heap = data.clone();
        let mut out = tantivy::Directory::open_write(&dir, Path::new("heap")).unwrap();
        out.write_all(&heap).unwrap();
        out.terminate().unwrap();
        assert_eq!(heap, data, "a heap buffer is never advised");
        assert_eq!(std::fs::read(tmp.path().join("heap")).unwrap(), data);
    }

    /// How many pages of `data` are mapped in this process, from `/proc/self/pagemap`
    /// (None where it cannot be read).
    fn resident_pages(data: &[u8]) -> Option<usize> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open("/proc/self/pagemap").ok()?;
        let page = page_size()?;
        let first = data.as_ptr() as usize / page;
        let last = (data.as_ptr() as usize + data.len() - 1) / page;
        f.seek(SeekFrom::Start(first as u64 * 8)).ok()?;
        let mut buf = vec![0u8; (last - first + 1) * 8];
        f.read_exact(&mut buf).ok()?;
        Some(
            buf.chunks_exact(8)
                .filter(|e| {
                    u64::from_le_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]) >> 63 == 1
                })
                .count(),
        )
    }

    /// Reads past the end of a file are errors, not panics; empty reads are empty.
    #[test]
    fn writer_file_reads_check_their_range() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("f"), b"hashrate").unwrap();
        std::fs::write(tmp.path().join("empty"), b"").unwrap();
        let dir = WriterDirectory::open(tmp.path()).unwrap();
        let f = tantivy::Directory::get_file_handle(&dir, Path::new("f")).unwrap();
        assert_eq!(f.read_bytes(4..8).unwrap().as_slice(), b"rate");
        release_mapped_pages();
        assert_eq!(f.read_bytes(0..4).unwrap().as_slice(), b"hash");
        assert!(f.read_bytes(4..9).is_err());
        assert!(f.read_bytes(0..0).unwrap().is_empty());
        let e = tantivy::Directory::get_file_handle(&dir, Path::new("empty")).unwrap();
        assert_eq!(e.len(), 0);
        assert!(matches!(
            tantivy::Directory::get_file_handle(&dir, Path::new("missing")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
