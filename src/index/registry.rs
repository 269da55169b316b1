//! The dedup registry: which file owns each indexed document id, which document holds
//! each text band key (candidates for a near-identical or similar body, see `sketch`),
//! and which story holds each headline-and-day key. Derived from the manifest at the
//! start of a run and kept in step with the index as the writer goes. Deciding whether
//! a candidate is a duplicate or a version of a story is the writer's job.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::manifest::{DocEntry, DocId, Manifest, PathKey};
use super::sketch::{BANDS, Sig};

/// In-memory lookups derived from the manifest: which file owns each indexed document
/// id, which document holds each band key of a body signature, and which story each
/// headline-and-day key. A candidate's signature, length and story are read from its
/// manifest entry when a band key matches (rarely), instead of being copied here for
/// every document: at a million documents the copy cost ~65 MB.
///
/// Each lookup is a `Table`: a sorted array built in bulk plus a hash map of what
/// was added since. Two hash maps over a million documents cost ~123 bytes per
/// document (a hash table holds between 1.1 and 2.3 buckets per entry); the sorted
/// arrays cost 16 bytes a key and 24 an id.
#[derive(Debug, Default)]
pub struct Registry {
    by_id: Table<Option<PathKey>>,
    /// Band key → the document that last registered it. A band key shared by two
    /// similar documents names one of them; the other stays findable by its other
    /// bands (a missed candidate means "not merged", never a wrong merge).
    by_band: Table<KeyOwner>,
    /// Headline-and-day key → story id.
    by_title: Table<KeyOwner>,
}

/// A value of a [`Table`] that can mark its slot in the sorted array as removed.
trait Slot {
    fn dead() -> Self;
    fn is_dead(&self) -> bool;
}

impl Slot for Option<PathKey> {
    fn dead() -> Self {
        None
    }
    fn is_dead(&self) -> bool {
        self.is_none()
    }
}

/// The document id holding a dedup key; `u64::MAX` marks a removed slot (a document
/// whose id is `u64::MAX`, one chance in 2^64, is not found by its dedup keys).
#[derive(Debug, Clone, Copy, PartialEq)]
struct KeyOwner(u64);

impl Slot for KeyOwner {
    fn dead() -> Self {
        KeyOwner(u64::MAX)
    }
    fn is_dead(&self) -> bool {
        self.0 == u64::MAX
    }
}

/// A map from `u64` to `V`: `run`, sorted by key and built in bulk, and `recent`, the
/// entries added since. A key is live in at most one of them: inserting a key that
/// `run` holds marks its slot there dead. [`Table::compact`] merges `recent` into `run`
/// once it has grown by a quarter, so the hash map stays small.
#[derive(Debug)]
struct Table<V> {
    run: Vec<(u64, V)>,
    recent: FxHashMap<u64, V>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            run: Vec::new(),
            recent: FxHashMap::default(),
        }
    }
}

impl<V: Slot> Table<V> {
    /// Builds the table from entries in any order; a later entry for a key wins.
    fn from_entries(mut run: Vec<(u64, V)>) -> Self {
        // stable: of equal keys the last inserted stays last, and dedup keeps it
        run.sort_by_key(|e| e.0);
        run.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
        run.shrink_to_fit();
        Table {
            run,
            recent: FxHashMap::default(),
        }
    }

    /// Where `key` is in `run`. Keys are hashes, spread evenly over `u64`, so the
    /// search starts where the key would stand and gallops from there: two or three
    /// probes where a binary search of a 100k-entry run took seventeen cache misses
    /// (the lookups of every document added were most of the writer's own time). Any
    /// spread of keys still gives the right answer, only more slowly.
    fn slot(&self, key: u64) -> Option<usize> {
        let run = &self.run;
        let n = run.len();
        if n == 0 {
            return None;
        }
        let g = ((u128::from(key) * n as u128) >> 64) as usize;
        let at = |i: usize| run[i].0;
        let (lo, hi) = if at(g) < key {
            // the key is right of g: grow the step until an entry is not below it
            let (mut lo, mut step) = (g + 1, 1);
            loop {
                let p = g + step;
                if p >= n {
                    break (lo, n);
                }
                if at(p) >= key {
                    break (lo, p + 1);
                }
                lo = p + 1;
                step *= 2;
            }
        } else {
            let (mut hi, mut step) = (g + 1, 1);
            loop {
                if step > g {
                    break (0, hi);
                }
                let p = g - step;
                if at(p) <= key {
                    break (p, hi);
                }
                hi = p;
                step *= 2;
            }
        };
        run[lo..hi]
            .binary_search_by_key(&key, |e| e.0)
            .ok()
            .map(|i| lo + i)
    }

    fn get(&self, key: u64) -> Option<&V> {
        if let Some(v) = self.recent.get(&key) {
            return Some(v);
        }
        let v = &self.run[self.slot(key)?].1;
        (!v.is_dead()).then_some(v)
    }

    fn insert(&mut self, key: u64, value: V) {
        if let Some(i) = self.slot(key) {
            self.run[i].1 = V::dead();
        }
        self.recent.insert(key, value);
    }

    /// Removes `key` if its value passes `pred`, returning the value.
    fn remove_if(&mut self, key: u64, pred: impl Fn(&V) -> bool) -> Option<V> {
        if let Some(v) = self.recent.get(&key) {
            return if pred(v) {
                self.recent.remove(&key)
            } else {
                None
            };
        }
        let i = self.slot(key)?;
        let v = &mut self.run[i].1;
        if v.is_dead() || !pred(v) {
            return None;
        }
        Some(std::mem::replace(v, V::dead()))
    }

    /// Merges the recent entries into the sorted array (dropping dead slots) once they
    /// are a quarter of it, so a whole run costs a few sorts of the final array.
    fn compact(&mut self) {
        if self.recent.is_empty() || self.recent.len() * 4 < self.run.len() {
            return;
        }
        self.run.retain(|e| !e.1.is_dead());
        self.run.reserve_exact(self.recent.len());
        self.run.extend(self.recent.drain());
        self.recent.shrink_to_fit();
        // keys are unique (a key is live in one place only); an in-place sort of a
        // sorted run followed by the recent entries
        self.run.sort_unstable_by_key(|e| e.0);
    }

    fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<(u64, V)>();
        // a hashbrown table: one control byte per bucket besides the entry
        self.run.capacity() * entry + self.recent.capacity() * (entry + 1)
    }

    #[cfg(test)]
    fn live(&self) -> usize {
        self.recent.len() + self.run.iter().filter(|e| !e.1.is_dead()).count()
    }
}

/// The band keys of a document's signature, none without one.
fn bands(d: &DocEntry) -> SmallVec<[u64; BANDS]> {
    if d.sig.is_none() {
        SmallVec::new()
    } else {
        SmallVec::from_slice(&d.sig.bands())
    }
}

impl Registry {
    /// Builds lookups from a manifest.
    pub fn from_manifest(m: &Manifest) -> Registry {
        let docs: usize = m.files.values().map(|f| f.docs.len()).sum();
        let mut ids = Vec::with_capacity(docs);
        let mut band = Vec::with_capacity(docs * BANDS);
        let mut title = Vec::new();
        for (path, f) in &m.files {
            for d in &f.docs {
                for k in bands(d) {
                    band.push((k, KeyOwner(d.id.0)));
                }
                if d.title != 0 {
                    title.push((d.title, KeyOwner(d.story().0)));
                }
                ids.push((d.id.0, Some(path.clone())));
            }
        }
        Registry {
            by_id: Table::from_entries(ids),
            by_band: Table::from_entries(band),
            by_title: Table::from_entries(title),
        }
    }

    /// Registers a document as owned by `path`.
    pub fn insert(&mut self, path: &PathKey, d: &DocEntry) {
        for k in bands(d) {
            self.by_band.insert(k, KeyOwner(d.id.0));
        }
        if d.title != 0 {
            self.by_title.insert(d.title, KeyOwner(d.story().0));
        }
        self.by_id.insert(d.id.0, Some(path.clone()));
    }

    /// The file that owns an indexed document.
    pub fn owner(&self, id: DocId) -> Option<&PathKey> {
        self.by_id.get(id.0)?.as_ref()
    }

    /// Forgets a document and its keys (those of its manifest entry `d`).
    pub fn remove(&mut self, d: &DocEntry) -> Option<PathKey> {
        let owner = self.by_id.remove_if(d.id.0, |_| true)??;
        for k in bands(d) {
            self.by_band.remove_if(k, |v| v.0 == d.id.0);
        }
        if d.title != 0 {
            let story = d.story().0;
            self.by_title.remove_if(d.title, |v| v.0 == story);
        }
        Some(owner)
    }

    /// Documents whose signature shares a band with `sig`: candidates for the same or
    /// a similar text, to be verified against their signatures.
    pub fn candidates(&self, sig: &Sig) -> SmallVec<[DocId; BANDS]> {
        let mut out: SmallVec<[DocId; BANDS]> = SmallVec::new();
        if sig.is_none() {
            return out;
        }
        for k in sig.bands() {
            if let Some(v) = self.by_band.get(k) {
                let d = DocId(v.0);
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        out
    }

    /// The story that holds a headline-and-day key.
    pub fn title_story(&self, key: u64) -> Option<DocId> {
        self.by_title.get(key).map(|v| DocId(v.0))
    }

    /// Folds what was added since the last call into the sorted arrays, when it has
    /// grown enough to be worth it (called at each commit).
    pub fn compact(&mut self) {
        self.by_id.compact();
        self.by_band.compact();
        self.by_title.compact();
    }

    /// Bytes the lookups hold (their arrays and hash maps; not the shared paths).
    pub fn heap_bytes(&self) -> usize {
        self.by_id.heap_bytes() + self.by_band.heap_bytes() + self.by_title.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::manifest::*;
    use std::sync::Arc;

    /// A document whose signature is `v` in every byte (so two documents with the same
    /// `v` share all band keys), with a headline key `t` (0 for none) and story `s`.
    fn doc(id: u8, v: u8, t: u8, s: u8) -> DocEntry {
        let mut d = DocEntry::plain(DocId(u64::from(id)), 0);
        if v != 0 {
            d.sig = Sig([v; crate::index::sketch::SIG_LEN]);
        }
        d.title = u64::from(t);
        d.set_story(DocId(u64::from(s)));
        d
    }

    /// The galloping search finds every key of the run and no other, for hash keys
    /// spread over `u64` and for keys crowded at either end.
    #[test]
    fn run_slots_are_found_however_the_keys_are_spread() {
        let spread: Vec<u64> = (1..=300u64)
            .map(|i| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()))
            .collect();
        let low: Vec<u64> = (1..=300u64).map(|i| i * 3).collect();
        let high: Vec<u64> = (1..=300u64).map(|i| u64::MAX - i * 3).collect();
        for keys in [spread, low, high, vec![7], vec![]] {
            let t = Table::from_entries(keys.iter().map(|&k| (k, KeyOwner(k / 2))).collect());
            for &k in &keys {
                let i = t.slot(k).expect("a key of the run is found");
                assert_eq!(t.run[i].0, k);
            }
            for k in [0, 1, 2, 4, u64::MAX, u64::MAX - 1, u64::MAX / 2] {
                assert_eq!(t.slot(k).is_some(), keys.contains(&k), "{k}");
            }
            for &k in &keys {
                for probe in [k.wrapping_add(1), k.wrapping_sub(1)] {
                    assert_eq!(t.slot(probe).is_some(), keys.contains(&probe));
                }
            }
        }
    }

    /// The registry's sorted arrays with their overlay behave like plain hash maps,
    /// through any sequence of inserts, removals and compactions.
    mod registry_model {
        use super::*;
        use proptest::prelude::*;
        use std::collections::HashMap;

        #[derive(Debug, Clone)]
        enum Op {
            Insert { path: u8, d: (u8, u8, u8, u8) },
            Remove { id: u8 },
            Compact,
        }

        fn entry() -> impl Strategy<Value = (u8, u8, u8, u8)> {
            (0u8..24, 0u8..6, 0u8..5, 0u8..24)
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                4 => (0u8..6, entry()).prop_map(|(path, d)| Op::Insert { path, d }),
                2 => (0u8..24).prop_map(|id| Op::Remove { id }),
                1 => Just(Op::Compact),
            ]
        }

        /// Hash maps, as the model.
        #[derive(Default)]
        struct Model {
            by_id: HashMap<u64, (PathKey, DocEntry)>,
            /// signature byte → id
            by_sig: HashMap<u8, u64>,
            /// headline key → story
            by_title: HashMap<u64, u64>,
        }

        impl Model {
            fn insert(&mut self, p: PathKey, d: DocEntry) {
                if !d.sig.is_none() {
                    self.by_sig.insert(d.sig.0[0], d.id.0);
                }
                if d.title != 0 {
                    self.by_title.insert(d.title, d.story().0);
                }
                self.by_id.insert(d.id.0, (p, d));
            }
            fn remove(&mut self, id: u64) -> Option<PathKey> {
                let (p, d) = self.by_id.remove(&id)?;
                if !d.sig.is_none() && self.by_sig.get(&d.sig.0[0]) == Some(&id) {
                    self.by_sig.remove(&d.sig.0[0]);
                }
                if d.title != 0 && self.by_title.get(&d.title) == Some(&d.story().0) {
                    self.by_title.remove(&d.title);
                }
                Some(p)
            }
        }

        proptest! {
            // like tests/properties.rs: a failure is reported, never written into the repo
            #![proptest_config(ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            })]
            #[test]
            fn registry_matches_hash_maps(
                start in proptest::collection::vec((0u8..6, entry()), 0..20),
                ops in proptest::collection::vec(op(), 0..60),
            ) {
                let path = |p: u8| -> PathKey { Arc::from(format!("/a/{p}.txt")) };
                let mut model = Model::default();
                let mut m = Manifest::default();
                for (p, (id, v, t, s)) in &start {
                    let e = m.files.entry(path(*p)).or_insert_with(|| FileEntry::new(0, 0, 0));
                    e.docs.push(doc(*id, *v, *t, *s));
                }
                // the manifest's order is the registry's: later entries win
                for (p, f) in &m.files {
                    for d in &f.docs {
                        model.insert(p.clone(), *d);
                    }
                }
                let mut r = Registry::from_manifest(&m);
                for op in ops {
                    match op {
                        Op::Insert { path: p, d: (id, v, t, s) } => {
                            let d = doc(id, v, t, s);
                            r.insert(&path(p), &d);
                            model.insert(path(p), d);
                        }
                        Op::Remove { id } => {
                            let want_entry = model.by_id.get(&u64::from(id)).map(|x| x.1);
                            let want = model.remove(u64::from(id));
                            let got = want_entry.and_then(|d| r.remove(&d));
                            prop_assert_eq!(got, want);
                        }
                        Op::Compact => r.compact(),
                    }
                    for id in 0u8..24 {
                        let id = u64::from(id);
                        prop_assert_eq!(r.owner(DocId(id)), model.by_id.get(&id).map(|x| &x.0));
                    }
                    for v in 1u8..6 {
                        let want: Vec<DocId> = model.by_sig.get(&v).map(|&i| DocId(i)).into_iter().collect();
                        let got = r.candidates(&Sig([v; crate::index::sketch::SIG_LEN]));
                        prop_assert_eq!(got.to_vec(), want);
                    }
                    for t in 1u64..5 {
                        prop_assert_eq!(r.title_story(t).map(|d| d.0), model.by_title.get(&t).copied());
                    }
                    prop_assert_eq!(r.by_id.live(), model.by_id.len());
                }
            }
        }
    }
}
