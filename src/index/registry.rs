//! The dedup registry: which file owns each indexed document id, and which id holds
//! each dedup key, derived from the manifest at the start of a run and kept in step
//! with the index as the writer goes.

use rustc_hash::FxHashMap;

use super::manifest::{DocEntry, DocId, Manifest, PathKey};

/// In-memory lookups derived from the manifest: which file owns each indexed document
/// id, and which id holds each dedup key. An owner's richness and keys are read from
/// its manifest entry when a duplicate needs them (rarely), instead of being copied
/// here for every document: at a million documents the copy cost ~65 MB.
///
/// Each lookup is a `Table`: a sorted array built in bulk plus a hash map of what
/// was added since. Two hash maps over a million documents cost ~123 bytes per
/// document (a hash table holds between 1.1 and 2.3 buckets per entry); the sorted
/// arrays cost 56.
#[derive(Debug, Default)]
pub struct Registry {
    by_id: Table<Option<PathKey>>,
    by_key: Table<KeyOwner>,
}

/// How a duplicate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The same document id: the same canonical URL, or (for an article without one)
    /// the same title, publication time and body.
    Id,
    /// A dedup key: the same body text.
    Key,
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

    fn slot(&self, key: u64) -> Option<usize> {
        self.run.binary_search_by_key(&key, |e| e.0).ok()
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

    #[cfg(test)]
    fn live(&self) -> usize {
        self.recent.len() + self.run.iter().filter(|e| !e.1.is_dead()).count()
    }
}

impl Registry {
    /// Builds lookups from a manifest.
    pub fn from_manifest(m: &Manifest) -> Registry {
        let docs: usize = m.files.values().map(|f| f.docs.len()).sum();
        let mut ids = Vec::with_capacity(docs);
        let mut keys = Vec::with_capacity(docs * 2);
        for (path, f) in &m.files {
            for d in &f.docs {
                for k in d.keys.as_slice() {
                    keys.push((*k, KeyOwner(d.id.0)));
                }
                ids.push((d.id.0, Some(path.clone())));
            }
        }
        Registry {
            by_id: Table::from_entries(ids),
            by_key: Table::from_entries(keys),
        }
    }

    /// Registers a document as owned by `path`.
    pub fn insert(&mut self, path: &PathKey, d: &DocEntry) {
        for k in d.keys.as_slice() {
            self.by_key.insert(*k, KeyOwner(d.id.0));
        }
        self.by_id.insert(d.id.0, Some(path.clone()));
    }

    /// The file that owns an indexed document.
    pub fn owner(&self, id: DocId) -> Option<&PathKey> {
        self.by_id.get(id.0)?.as_ref()
    }

    /// Forgets a document and its dedup `keys` (those of its manifest entry).
    pub fn remove(&mut self, id: DocId, keys: &[u64]) -> Option<PathKey> {
        let owner = self.by_id.remove_if(id.0, |_| true)??;
        for k in keys {
            self.by_key.remove_if(*k, |v| v.0 == id.0);
        }
        Some(owner)
    }

    /// The id of an indexed document that `id` or any of `keys` duplicates.
    pub fn find(&self, id: DocId, keys: &[u64]) -> Option<DocId> {
        self.find_match(id, keys).map(|(d, _)| d)
    }

    /// Like [`Registry::find`], also saying which of the two matched.
    pub fn find_match(&self, id: DocId, keys: &[u64]) -> Option<(DocId, Match)> {
        if self.by_id.get(id.0).is_some() {
            return Some((id, Match::Id));
        }
        keys.iter()
            .find_map(|k| self.by_key.get(*k).map(|v| (DocId(v.0), Match::Key)))
    }

    /// Folds what was added since the last call into the sorted arrays, when it has
    /// grown enough to be worth it (called at each commit).
    pub fn compact(&mut self) {
        self.by_id.compact();
        self.by_key.compact();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::manifest::*;
    use std::sync::Arc;

    /// The registry's sorted arrays with their overlay behave like the two hash maps
    /// they replaced, through any sequence of inserts, removals and compactions.
    mod registry_model {
        use super::*;
        use proptest::prelude::*;
        use std::collections::HashMap;

        #[derive(Debug, Clone)]
        enum Op {
            Insert { path: u8, id: u8, keys: Vec<u8> },
            Remove { id: u8, keys: Vec<u8> },
            Compact,
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                4 => (0u8..6, 0u8..24, proptest::collection::vec(0u8..12, 0..3))
                    .prop_map(|(path, id, keys)| Op::Insert { path, id, keys }),
                2 => (0u8..24, proptest::collection::vec(0u8..12, 0..3))
                    .prop_map(|(id, keys)| Op::Remove { id, keys }),
                1 => Just(Op::Compact),
            ]
        }

        /// The previous implementation, as the model.
        #[derive(Default)]
        struct Model {
            by_id: HashMap<u64, PathKey>,
            by_key: HashMap<u64, u64>,
        }

        proptest! {
            // like tests/properties.rs: a failure is reported, never written into the repo
            #![proptest_config(ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            })]
            #[test]
            fn registry_matches_two_hash_maps(
                start in proptest::collection::vec((0u8..6, 0u8..24, proptest::collection::vec(0u8..12, 0..3)), 0..20),
                ops in proptest::collection::vec(op(), 0..60),
            ) {
                let path = |p: u8| -> PathKey { Arc::from(format!("/a/{p}.txt")) };
                let key = |k: u8| u64::from(k) + 1000;
                let mut model = Model::default();
                let mut m = Manifest::default();
                for (p, id, keys) in &start {
                    let keys: Vec<u64> = keys.iter().map(|&k| key(k)).collect();
                    let e = m.files.entry(path(*p)).or_insert_with(|| FileEntry::new(0, 0, 0));
                    e.docs.push(DocEntry { id: DocId(u64::from(*id)), rich: 0, keys: Keys::new(&keys) });
                }
                for (p, f) in &m.files {
                    for d in &f.docs {
                        for k in d.keys.as_slice() {
                            model.by_key.insert(*k, d.id.0);
                        }
                        model.by_id.insert(d.id.0, p.clone());
                    }
                }
                let mut r = Registry::from_manifest(&m);
                for op in ops {
                    match op {
                        Op::Insert { path: p, id, keys } => {
                            let keys: Vec<u64> = keys.iter().map(|&k| key(k)).collect();
                            let d = DocEntry { id: DocId(u64::from(id)), rich: 0, keys: Keys::new(&keys) };
                            r.insert(&path(p), &d);
                            for k in d.keys.as_slice() {
                                model.by_key.insert(*k, d.id.0);
                            }
                            model.by_id.insert(d.id.0, path(p));
                        }
                        Op::Remove { id, keys } => {
                            let keys: Vec<u64> = keys.iter().map(|&k| key(k)).collect();
                            let got = r.remove(DocId(u64::from(id)), &keys);
                            let want = model.by_id.remove(&u64::from(id));
                            if want.is_some() {
                                for k in &keys {
                                    if model.by_key.get(k) == Some(&u64::from(id)) {
                                        model.by_key.remove(k);
                                    }
                                }
                            }
                            prop_assert_eq!(got, want);
                        }
                        Op::Compact => r.compact(),
                    }
                    for id in 0u8..24 {
                        let id = u64::from(id);
                        prop_assert_eq!(r.owner(DocId(id)), model.by_id.get(&id));
                        for k in 0u8..12 {
                            let want = if model.by_id.contains_key(&id) {
                                Some(id)
                            } else {
                                model.by_key.get(&key(k)).copied()
                            };
                            prop_assert_eq!(r.find(DocId(id), &[key(k)]).map(|d| d.0), want);
                        }
                    }
                    prop_assert_eq!(r.by_id.live(), model.by_id.len());
                    prop_assert_eq!(r.by_key.live(), model.by_key.len());
                }
            }
        }
    }
}
