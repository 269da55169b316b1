//! The incremental-indexing manifest: which files were indexed, with their size, mtime
//! and content hash, and which document ids each one produced.
//!
//! Crash safety comes from committing the manifest *with* the index: a run writes
//! `coindex-manifest.<gen>.json.zst` (zstd JSON, fsynced, renamed into place) and then commits tantivy
//! with a payload naming that generation. A crash before the commit leaves the old
//! payload pointing at the old manifest, so index and manifest never disagree.
//!
//! A run's intermediate commits write only what changed since the previous generation
//! (`coindex-manifest.<gen>.delta.json.zst`, naming the generation it applies to); the
//! last commit of a run writes the whole manifest and removes the others. Rewriting the
//! whole manifest at every commit made a first run over a million files quadratic, and
//! stalled the pipeline for up to a second per commit. This module owns the file
//! format and the lookup tables; deciding what to re-index is the indexer's job.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashSet;

use serde::{Deserialize, Serialize};

use super::sketch::Sig;
use crate::error::{Error, Result};

/// Commit payload stored in tantivy's `meta.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitPayload {
    pub schema_version: u32,
    pub manifest_gen: u64,
    /// RFC 3339 time of the commit.
    pub committed_at: String,
}

/// A document id: 16 hex digits of xxh3-64 on disk and in the index, a `u64` in memory
/// (a `String` per document cost 40 bytes plus the heap block; at a million documents
/// the manifest and its lookups were the largest thing in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub u64);

impl DocId {
    /// Parses the 16-hex-digit form.
    pub fn parse(s: &str) -> Option<DocId> {
        if s.len() != 16 {
            return None;
        }
        u64::from_str_radix(s, 16).ok().map(DocId)
    }

    /// The 16-hex-digit form used in the index.
    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Serialize for DocId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for DocId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<DocId, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DocId::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("bad document id {s:?}")))
    }
}

/// A file path as the manifest keys it; shared between the manifest and the dedup
/// registry instead of copied.
pub type PathKey = Arc<str>;

/// The documents of one file.
pub type Docs = smallvec::SmallVec<[DocEntry; 1]>;

/// One indexed document owned by a file, with the fingerprints the dedup registry and
/// the story grouping need (see `sketch`): 72 bytes in memory.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct DocEntry {
    pub id: DocId,
    /// Richness of the indexed copy (see `Article::richness`).
    pub rich: u32,
    /// Length of the body in bytes (the near-duplicate rule compares lengths).
    #[serde(default)]
    pub len: u32,
    /// Hash of the body text, 0 for a body too short to tell an article (< 200 bytes).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub body: u64,
    /// The headline-and-day key (`sketch::title_day_key`), 0 for none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub title: u64,
    /// The story the document belongs to: the id of its first version (its own id
    /// when it started the story; written only when it differs).
    #[serde(default = "no_story", skip_serializing_if = "is_no_story")]
    pub story: DocId,
    /// The body's MinHash signature; all zeros for none.
    #[serde(default, with = "sig_hex", skip_serializing_if = "Sig::is_none")]
    pub sig: Sig,
}

/// The story of a document that names none: its own (filled in on load).
const NO_STORY: DocId = DocId(u64::MAX);

fn no_story() -> DocId {
    NO_STORY
}

fn is_no_story(d: &DocId) -> bool {
    *d == NO_STORY
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl DocEntry {
    /// The story id, its own id when it started the story.
    pub fn story(&self) -> DocId {
        if self.story == NO_STORY {
            self.id
        } else {
            self.story
        }
    }

    /// Sets the story, stored as "none" when it is the document's own.
    pub fn set_story(&mut self, story: DocId) {
        self.story = if story == self.id { NO_STORY } else { story };
    }

    /// An entry with no fingerprints (tests, and documents of unknown text).
    pub fn plain(id: DocId, rich: u32) -> DocEntry {
        DocEntry {
            id,
            rich,
            len: 0,
            body: 0,
            title: 0,
            story: NO_STORY,
            sig: Sig::default(),
        }
    }
}

/// A signature in the manifest: 43 characters of unpadded base64 (the manifest of 100k
/// documents is a third smaller than with 64 hex digits, and a no-op run reads all of
/// it). Manifests written with hex digits (before 2026-12-07) still read.
mod sig_hex {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    use serde::{Deserializer, Serializer, de};

    use super::Sig;
    use crate::index::sketch::SIG_LEN;

    pub fn serialize<S: Serializer>(s: &Sig, ser: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 44];
        let n = STANDARD_NO_PAD
            .encode_slice(s.0, &mut buf)
            .map_err(serde::ser::Error::custom)?;
        // base64 is ASCII
        ser.serialize_str(std::str::from_utf8(&buf[..n]).map_err(serde::ser::Error::custom)?)
    }

    struct SigVisitor;

    impl de::Visitor<'_> for SigVisitor {
        type Value = Sig;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a signature (43 base64 characters or 64 hex digits)")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Sig, E> {
            let bad = || E::custom("bad signature");
            if v.len() == SIG_LEN * 2 {
                return Sig::from_hex(v).ok_or_else(bad);
            }
            let mut out = [0u8; SIG_LEN + 3];
            match STANDARD_NO_PAD.decode_slice(v, &mut out) {
                Ok(SIG_LEN) => {
                    let mut sig = [0u8; SIG_LEN];
                    sig.copy_from_slice(&out[..SIG_LEN]);
                    Ok(Sig(sig))
                }
                _ => Err(bad()),
            }
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Sig, D::Error> {
        d.deserialize_str(SigVisitor)
    }
}

/// A record of a file that was a duplicate of a document owned by another file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DupEntry {
    pub id: DocId,
    pub of: PathKey,
}

/// The mtime of a file whose documents are only partly written: a streamed file whose
/// last batch has not been committed yet (a run killed or stopped in the middle of
/// it). It matches no real mtime, so the next run reads the file again and upserts
/// exactly what is missing or changed.
pub const PARTIAL_MTIME: i64 = i64::MIN;

/// What the manifest knows about one file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(from = "RawEntry")]
pub struct FileEntry {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: u64,
    /// Usually one document, kept inline in the entry (a heap block per file cost
    /// ~48 bytes at a million files).
    pub docs: Docs,
    /// The rarer facts, boxed so that an ordinary file's entry stays small.
    pub extra: Extra,
}

/// Duplicates, skip reason and bad records of a file: empty for most files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extra(Option<Box<ExtraData>>);

#[derive(Debug, Clone, Default, PartialEq)]
struct ExtraData {
    dups: Vec<DupEntry>,
    /// Content hash of each document of a streamed file (a big record export), sorted
    /// by id: a re-read upserts only the records whose hash changed.
    record_hashes: Vec<(DocId, u64)>,
    /// Why the file was skipped, if it was.
    skipped: Option<String>,
    /// Records of the file that could not be used.
    record_errors: Vec<String>,
}

/// The on-disk shape of a [`FileEntry`] (one flat JSON object, as in schema v2).
#[derive(Deserialize)]
struct RawEntry {
    size: u64,
    mtime_ns: i64,
    hash: u64,
    #[serde(default)]
    docs: Docs,
    #[serde(default)]
    dups: Vec<DupEntry>,
    #[serde(default)]
    skipped: Option<String>,
    #[serde(default)]
    record_errors: Vec<String>,
    #[serde(default)]
    record_hashes: Vec<(DocId, u64)>,
}

impl From<RawEntry> for FileEntry {
    fn from(mut r: RawEntry) -> FileEntry {
        // serde grows a spilled list to four entries; only files with several
        // documents spill
        r.docs.shrink_to_fit();
        let rare = !r.dups.is_empty()
            || r.skipped.is_some()
            || !r.record_errors.is_empty()
            || !r.record_hashes.is_empty();
        FileEntry {
            size: r.size,
            mtime_ns: r.mtime_ns,
            hash: r.hash,
            docs: r.docs,
            extra: Extra(rare.then(|| {
                Box::new(ExtraData {
                    dups: r.dups,
                    skipped: r.skipped,
                    record_errors: r.record_errors,
                    record_hashes: r.record_hashes,
                })
            })),
        }
    }
}

impl Serialize for FileEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("size", &self.size)?;
        m.serialize_entry("mtime_ns", &self.mtime_ns)?;
        m.serialize_entry("hash", &self.hash)?;
        m.serialize_entry("docs", &self.docs)?;
        if let Some(e) = self.extra.0.as_deref() {
            if !e.dups.is_empty() {
                m.serialize_entry("dups", &e.dups)?;
            }
            if let Some(r) = &e.skipped {
                m.serialize_entry("skipped", r)?;
            }
            if !e.record_errors.is_empty() {
                m.serialize_entry("record_errors", &e.record_errors)?;
            }
            if !e.record_hashes.is_empty() {
                m.serialize_entry("record_hashes", &e.record_hashes)?;
            }
        }
        m.end()
    }
}

impl Extra {
    fn data(&mut self) -> &mut ExtraData {
        self.0.get_or_insert_with(Default::default)
    }

    pub fn dups(&self) -> &[DupEntry] {
        self.0.as_deref().map(|e| &e.dups[..]).unwrap_or(&[])
    }

    pub fn skipped(&self) -> Option<&str> {
        self.0.as_deref().and_then(|e| e.skipped.as_deref())
    }

    pub fn push_dup(&mut self, d: DupEntry) {
        self.data().dups.push(d);
    }

    pub fn set_skipped(&mut self, reason: String) {
        self.data().skipped = Some(reason);
    }

    /// The content hashes of a streamed file's documents, sorted by id.
    pub fn record_hashes(&self) -> &[(DocId, u64)] {
        self.0
            .as_deref()
            .map(|e| &e.record_hashes[..])
            .unwrap_or(&[])
    }

    /// Replaces the content hashes (sorted here).
    pub fn set_record_hashes(&mut self, mut hashes: Vec<(DocId, u64)>) {
        hashes.sort_unstable();
        if !hashes.is_empty() || self.0.is_some() {
            self.data().record_hashes = hashes;
        }
    }

    pub fn set_record_errors(&mut self, errors: Vec<String>) {
        if !errors.is_empty() {
            self.data().record_errors = errors;
        }
    }
}

impl FileEntry {
    /// An entry with no documents yet.
    pub fn new(size: u64, mtime_ns: i64, hash: u64) -> FileEntry {
        FileEntry {
            size,
            mtime_ns,
            hash,
            docs: Docs::new(),
            extra: Extra::default(),
        }
    }
}

/// The manifest: files by absolute path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(deserialize_with = "packed_files")]
    pub files: BTreeMap<PathKey, FileEntry>,
}

/// Shortest run bulk-built at a time when loading (tests use short runs so that small
/// manifests take every path).
const MIN_RUN: usize = if cfg!(test) { 4 } else { 1 << 16 };

/// Reads the file map in sorted runs and bulk-builds the tree from them: inserting a
/// million sorted keys one by one leaves every B-tree node about half full (its
/// split keeps six of eleven slots), bulk building fills them.
fn packed_files<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeMap<PathKey, FileEntry>, D::Error> {
    struct Files;
    impl<'de> serde::de::Visitor<'de> for Files {
        type Value = BTreeMap<PathKey, FileEntry>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map from file paths to file entries")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            // Each `append` rebuilds the whole tree, so a run is as long as the tree
            // built so far (at least 65,536): the rebuilds cost O(n) in all, and the
            // run buffer never outgrows the tree.
            let mut files = BTreeMap::new();
            let mut run: Vec<(PathKey, FileEntry)> = Vec::new();
            let flush = |run: &mut Vec<(PathKey, FileEntry)>,
                         files: &mut BTreeMap<PathKey, FileEntry>| {
                // `from_iter` sorts (a no-op on a sorted run) and bulk-builds;
                // `append` merges two trees into one bulk-built tree
                let mut more: BTreeMap<PathKey, FileEntry> = run.drain(..).collect();
                files.append(&mut more);
            };
            while let Some((k, v)) = map.next_entry::<PathKey, FileEntry>()? {
                run.push((k, v));
                if run.len() >= files.len().max(MIN_RUN) {
                    flush(&mut run, &mut files);
                }
            }
            flush(&mut run, &mut files);
            Ok(files)
        }
    }
    d.deserialize_map(Files)
}

/// Path of the manifest file of a generation.
pub fn manifest_path(index_dir: &Path, generation: u64) -> PathBuf {
    index_dir.join(format!("coindex-manifest.{generation}.json.zst"))
}

/// Path of the delta file of a generation (what changed since `generation - 1`).
pub fn delta_path(index_dir: &Path, generation: u64) -> PathBuf {
    index_dir.join(format!("coindex-manifest.{generation}.delta.json.zst"))
}

/// The changes of one generation, as written.
#[derive(Serialize)]
struct DeltaOut<'a> {
    prev: u64,
    set: BTreeMap<&'a str, &'a FileEntry>,
    removed: Vec<&'a str>,
}

/// The changes of one generation, as read.
#[derive(Deserialize)]
struct DeltaIn {
    prev: u64,
    set: BTreeMap<PathKey, FileEntry>,
    removed: Vec<PathKey>,
}

fn rebuild_hint(path: &Path, what: &str) -> Error {
    Error::user(format!(
        "the index manifest {} {what}; run {} to rebuild the index",
        path.display(),
        crate::error::rebuild_command(None)
    ))
}

/// Reads a zstd JSON file without holding its decompressed text.
fn read_zstd_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let file = std::fs::File::open(path)
        .map_err(|e| rebuild_hint(path, &format!("cannot be read ({e})")))?;
    let damaged = |e: &dyn std::fmt::Display| rebuild_hint(path, &format!("is damaged ({e})"));
    // decompressed while parsed: the JSON of a million-file manifest is ~200 MB
    let json = zstd::stream::read::Decoder::new(file).map_err(|e| damaged(&e))?;
    serde_json::from_reader(std::io::BufReader::with_capacity(1 << 16, json))
        .map_err(|e| damaged(&e))
}

/// Writes `value` as zstd JSON durably (temp file, fsync, rename, fsync of the folder).
pub(super) fn write_zstd_json<T: Serialize>(
    index_dir: &Path,
    path: &Path,
    value: &T,
) -> Result<()> {
    let tmp = path.with_extension("zst.tmp");
    let write = || -> std::io::Result<()> {
        // zstd-compressed JSON: paths and ids repeat, so it is ~4x smaller. Level 1:
        // on a 100k-file manifest (21 MB of JSON) it is twice as fast as level 3 and
        // even 13% smaller.
        let f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let mut z = zstd::stream::write::Encoder::new(f, 1)?;
        serde_json::to_writer(&mut z, value)?;
        let mut f = z.finish()?;
        f.flush()?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(index_dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| Error::io(path, e))
}

impl Manifest {
    /// Rebuilds the file map with full nodes. `BTreeMap::append` of two non-empty maps
    /// bulk-builds the merged tree and frees the old nodes as it goes, so packing needs
    /// no second copy of the map.
    pub fn pack(&mut self) {
        if let Some((k, v)) = self.files.pop_first() {
            let mut rest = std::mem::take(&mut self.files);
            self.files.insert(k, v);
            self.files.append(&mut rest);
        }
    }

    /// Loads the manifest of a generation; generation 0 is the empty manifest. A
    /// generation written as a delta is its chain of deltas applied, in order, to the
    /// last whole manifest before it.
    pub fn load(index_dir: &Path, generation: u64) -> Result<Manifest> {
        let mut chain = Vec::new();
        let mut gen_ = generation;
        let mut manifest = loop {
            if gen_ == 0 {
                break Manifest::default();
            }
            let whole = manifest_path(index_dir, gen_);
            let delta = delta_path(index_dir, gen_);
            if !whole.exists() && delta.exists() {
                let d: DeltaIn = read_zstd_json(&delta)?;
                if d.prev >= gen_ {
                    return Err(rebuild_hint(
                        &delta,
                        "is damaged (it names a later generation)",
                    ));
                }
                gen_ = d.prev;
                chain.push(d);
                continue;
            }
            break read_zstd_json(&whole)?;
        };
        if !chain.is_empty() {
            for d in chain.into_iter().rev() {
                for k in d.removed {
                    manifest.files.remove(&k);
                }
                manifest.files.extend(d.set);
            }
            manifest.pack();
        }
        Ok(manifest)
    }

    /// Writes the whole manifest of a generation durably.
    pub fn save(&self, index_dir: &Path, generation: u64) -> Result<()> {
        write_zstd_json(index_dir, &manifest_path(index_dir, generation), self)
    }

    /// Writes generation `generation` as the entries of `changed` (the paths added,
    /// modified or removed since generation `generation - 1`, which must be on disk).
    pub fn save_delta(
        &self,
        index_dir: &Path,
        generation: u64,
        changed: &FxHashSet<PathKey>,
    ) -> Result<()> {
        let mut out = DeltaOut {
            prev: generation - 1,
            set: BTreeMap::new(),
            removed: Vec::new(),
        };
        for k in changed {
            match self.files.get(k) {
                Some(e) => {
                    out.set.insert(k, e);
                }
                None => out.removed.push(k),
            }
        }
        out.removed.sort_unstable();
        // a whole manifest of this generation left by a run that crashed before its
        // commit would shadow the delta: it goes first (the folder fsync after the
        // delta's rename makes both changes durable)
        let stale = manifest_path(index_dir, generation);
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| Error::io(&stale, e))?;
        }
        write_zstd_json(index_dir, &delta_path(index_dir, generation), &out)
    }

    /// Removes manifest files of other generations (best effort).
    pub fn remove_others(index_dir: &Path, keep: u64) {
        let Ok(rd) = std::fs::read_dir(index_dir) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            // the whole manifest of `keep` stays; deltas and other generations go
            if let Some(rest) = name.strip_prefix("coindex-manifest.")
                && rest != format!("{keep}.json.zst")
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::registry::Registry;

    #[test]
    fn save_load_roundtrip_and_registry() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::default();
        let x = DocId::parse("00000000000000ab").unwrap();
        let mut e = FileEntry::new(3, 5, 7);
        let mut d = DocEntry::plain(x, 10);
        d.len = 900;
        d.body = 1;
        d.title = 2;
        d.sig = crate::index::sketch::Sig([7; 32]);
        d.set_story(DocId(0xef));
        e.docs.push(d);
        let mut founder = DocEntry::plain(DocId(0xef), 3);
        founder.title = 2;
        e.docs.push(founder);
        let mut skipped = FileEntry::new(1, 1, 1);
        skipped
            .extra
            .set_skipped("no articles found in the file".into());
        skipped.extra.push_dup(DupEntry {
            id: x,
            of: "/a.txt".into(),
        });
        m.files.insert("/a.txt".into(), e);
        m.files.insert("/b.txt".into(), skipped);
        let before = m.files.clone();
        m.pack();
        assert_eq!(m.files, before);
        m.save(dir.path(), 4).unwrap();
        let back = Manifest::load(dir.path(), 4).unwrap();
        assert_eq!(back.files, m.files);
        assert_eq!(
            back.files["/b.txt"].extra.skipped(),
            Some("no articles found in the file")
        );
        // ids as hex strings; a story only when it is not the document's own, a
        // signature only when there is one
        let json = serde_json::to_string(&back).unwrap();
        assert!(
            json.contains(&format!(
                r#""id":"00000000000000ab","rich":10,"len":900,"body":1,"title":2,"story":"00000000000000ef","sig":"{}""#,
                "BwcH".repeat(10) + "Bwc"
            )),
            "{json}"
        );
        // a manifest of before, with the signature in hex digits, reads the same
        let hex = json.replace(&("BwcH".repeat(10) + "Bwc"), &"07".repeat(32));
        let old: Manifest = serde_json::from_str(&hex).unwrap();
        assert_eq!(old.files, back.files);
        let bad = json.replace(&("BwcH".repeat(10) + "Bwc"), "BwcH");
        assert!(serde_json::from_str::<Manifest>(&bad).is_err());
        assert!(
            json.contains(r#"{"id":"00000000000000ef","rich":3,"len":0,"title":2}"#),
            "{json}"
        );
        assert_eq!(back.files["/a.txt"].docs[1].story(), DocId(0xef));
        assert!(
            json.contains(r#""dups":[{"id":"00000000000000ab","of":"/a.txt"}]"#),
            "{json}"
        );
        let mut r = Registry::from_manifest(&back);
        let sig = back.files["/a.txt"].docs[0].sig;
        assert_eq!(r.candidates(&sig).to_vec(), vec![x]);
        assert_eq!(r.title_story(2), Some(DocId(0xef)));
        assert_eq!(r.owner(x).map(|p| p.as_ref()), Some("/a.txt"));
        assert_eq!(
            r.remove(&back.files["/a.txt"].docs[0]).as_deref(),
            Some("/a.txt")
        );
        assert!(r.candidates(&sig).is_empty());
        assert_eq!(r.owner(x), None);
        Manifest::remove_others(dir.path(), 9);
        assert!(Manifest::load(dir.path(), 4).is_err());
    }

    #[test]
    fn deltas_chain_back_to_the_last_whole_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let entry = |n: u64| {
            let mut e = FileEntry::new(n, n as i64, n);
            e.docs.push(DocEntry::plain(DocId(n), n as u32));
            e
        };
        let key = |s: &str| PathKey::from(s);
        let mut m = Manifest::default();
        m.files.insert(key("/a"), entry(1));
        m.files.insert(key("/b"), entry(2));
        m.save(d, 1).unwrap();
        let gen1 = m.files.clone();

        // gen 2: /a removed, /b changed, /c added
        m.files.remove("/a");
        m.files.get_mut("/b").unwrap().mtime_ns = 20;
        m.files.insert(key("/c"), entry(3));
        let changed: FxHashSet<PathKey> = ["/a", "/b", "/c"].into_iter().map(key).collect();
        m.save_delta(d, 2, &changed).unwrap();
        let gen2 = m.files.clone();

        // gen 3: /c removed again, /d added; /b untouched is not in the delta
        m.files.remove("/c");
        m.files.insert(key("/d"), entry(4));
        let changed: FxHashSet<PathKey> = ["/c", "/d"].into_iter().map(key).collect();
        m.save_delta(d, 3, &changed).unwrap();

        assert_eq!(Manifest::load(d, 3).unwrap().files, m.files);
        assert_eq!(Manifest::load(d, 2).unwrap().files, gen2);
        assert_eq!(Manifest::load(d, 1).unwrap().files, gen1);

        // a whole manifest of gen 4 left by a crashed run must not shadow gen 4's delta
        let mut crashed = m.clone();
        crashed.files.insert(key("/stale"), entry(9));
        crashed.save(d, 4).unwrap();
        m.files.insert(key("/e"), entry(5));
        let changed: FxHashSet<PathKey> = ["/e"].into_iter().map(key).collect();
        m.save_delta(d, 4, &changed).unwrap();
        assert_eq!(Manifest::load(d, 4).unwrap().files, m.files);

        // the run's last commit writes it whole and drops the rest
        m.save(d, 5).unwrap();
        Manifest::remove_others(d, 5);
        assert_eq!(Manifest::load(d, 5).unwrap().files, m.files);
        assert!(Manifest::load(d, 4).is_err());
        let left: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec!["coindex-manifest.5.json.zst".to_string()]);
    }

    #[test]
    fn a_manifest_loaded_in_many_runs_is_the_one_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::default();
        for i in 0..300u64 {
            let mut e = FileEntry::new(i, i as i64, i);
            let mut d = DocEntry::plain(DocId(i), i as u32);
            d.title = i + 1;
            e.docs.push(d);
            m.files.insert(format!("/corpus/{i:05}.txt").into(), e);
        }
        m.save(dir.path(), 1).unwrap();
        let back = Manifest::load(dir.path(), 1).unwrap();
        assert_eq!(back.files, m.files);
        assert!(back.files.keys().is_sorted());
        let r = Registry::from_manifest(&back);
        assert_eq!(r.title_story(300), Some(DocId(299)));
    }

    #[test]
    fn bad_ids_are_refused_not_guessed() {
        assert_eq!(DocId::parse("xyz"), None);
        assert_eq!(DocId::parse("00000000000000zz"), None);
        assert_eq!(DocId(0x1f).hex(), "000000000000001f");
        assert!(serde_json::from_str::<DocEntry>(r#"{"id":"nothex","rich":1}"#).is_err());
    }
}
