//! `coindex-bench relevance`: known-item relevance of coindex against SQLite FTS5
//! (tokenizers `unicode61` and `porter unicode61`) on the same documents, in one run.
//! Method, query rules and the baseline: `docs/RELEVANCE.md`.
//!
//! coindex is driven only through its CLI (`index`, `export`, `search --batch`), so the
//! benchmark works with any `coindex` binary, and several can be compared in one run
//! (`--coindex LABEL=PATH`, repeatable).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Rng;

const USAGE: &str = "usage: coindex-bench relevance [CORPUS...] [--seed N] [--queries N] [--coindex [LABEL=]PATH]... [--work DIR] [--json] [--misses N] [--df LO,HI] [--repo DIR] [--no-topical]";

/// Hits looked at per query (MRR@10, recall@10).
const K: usize = 10;
/// A body needs this many words (whitespace-separated) to give a body query.
const MIN_BODY_WORDS: usize = 150;
/// Body query words have a "mid" document frequency: in at least this share of the
/// documents (and at least 2 of them)...
const DF_LO: f64 = 0.01;
/// ...and in at most this share (and at least 4 more than the lower bound).
const DF_HI: f64 = 0.10;

/// Function words never picked as body query words (a general English list, not
/// coindex's: the benchmark must not follow the engine it measures).
const STOP: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "even",
    "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it",
    "its", "itself", "just", "like", "may", "me", "might", "more", "most", "much", "must", "my",
    "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our",
    "ours", "out", "over", "own", "said", "same", "says", "she", "should", "since", "so", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they",
    "this", "those", "through", "to", "too", "under", "until", "up", "upon", "very", "was", "we",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "yet", "you", "your", "yours",
];

/// Headline words whose suffix rule would give another word, not another form
/// (`new` -> `news`).
const NO_CHANGE: &[&str] = &["new", "news"];

/// One normalized document, as `coindex export` gives it.
#[derive(Debug, Clone)]
struct Doc {
    id: String,
    title: String,
    dek: String,
    body: String,
    path: String,
}

/// A query with its known item(s): the ids and paths that count as correct.
#[derive(Debug, Clone)]
struct Query {
    /// the text given to coindex
    coindex: String,
    /// the same query in FTS5 syntax
    fts: String,
    ids: HashSet<String>,
    paths: Vec<String>,
    /// how `paths` match a hit's path: exact, or as a suffix (topical)
    suffix: bool,
}

/// One hit: id and path.
type Hit = (String, String);

/// The scores of one system on one query set.
#[derive(Debug, Clone, Default, PartialEq)]
struct Score {
    queries: usize,
    /// known item in the top K
    found: usize,
    /// known item first
    first: usize,
    /// queries with no hit at all
    empty: usize,
    /// queries the system refused (an error line)
    errors: usize,
    rr_sum: f64,
}

impl Score {
    fn add(&mut self, rank: Option<usize>) {
        self.queries += 1;
        if let Some(r) = rank {
            self.found += 1;
            self.rr_sum += 1.0 / r as f64;
            if r == 1 {
                self.first += 1;
            }
        }
    }
    fn mrr(&self) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            self.rr_sum / self.queries as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            self.found as f64 / self.queries as f64
        }
    }
}

/// 1-based rank of the first correct hit within the top K.
fn rank_of(q: &Query, hits: &[Hit]) -> Option<usize> {
    hits.iter()
        .take(K)
        .position(|(id, path)| {
            q.ids.contains(id)
                || q.paths.iter().any(|p| {
                    if q.suffix {
                        path.ends_with(p.as_str())
                    } else {
                        path == p
                    }
                })
        })
        .map(|i| i + 1)
}

/// A coindex binary under test.
struct Engine {
    label: String,
    bin: PathBuf,
}

struct Opts {
    corpus: Vec<PathBuf>,
    seed: u64,
    queries: usize,
    engines: Vec<Engine>,
    work: Option<PathBuf>,
    json: bool,
    misses: usize,
    repo: Option<PathBuf>,
    topical: bool,
    /// body query words' document-frequency band, as shares of the documents
    df: (f64, f64),
}

fn die(msg: &str) -> ! {
    eprintln!("coindex-bench relevance: {msg}");
    std::process::exit(2)
}

/// The repository root: the first of the current dir and its ancestors holding
/// `tests/relevance.rs`, else the checkout this bench was built from.
fn repo_root() -> Option<PathBuf> {
    let is_root = |p: &Path| p.join("tests/relevance.rs").is_file();
    if let Ok(cwd) = std::env::current_dir() {
        for a in cwd.ancestors() {
            if is_root(a) {
                return Some(a.to_path_buf());
            }
        }
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    is_root(&built).then(|| built.canonicalize().unwrap_or(built))
}

fn parse_args(args: &[String]) -> Opts {
    let mut o = Opts {
        corpus: Vec::new(),
        seed: 42,
        queries: 300,
        engines: Vec::new(),
        work: None,
        json: false,
        misses: 0,
        repo: None,
        topical: true,
        df: (DF_LO, DF_HI),
    };
    let mut i = 0;
    let value = |i: &mut usize, name: &str| -> String {
        *i += 1;
        args.get(*i)
            .cloned()
            .unwrap_or_else(|| die(&format!("{name} needs a value\n{USAGE}")))
    };
    let number = |s: String, name: &str| -> u64 {
        s.parse()
            .unwrap_or_else(|_| die(&format!("{name}: not a number: {s}")))
    };
    let mut bins = Vec::new();
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => o.seed = number(value(&mut i, "--seed"), "--seed"),
            "--queries" => o.queries = number(value(&mut i, "--queries"), "--queries") as usize,
            "--misses" => o.misses = number(value(&mut i, "--misses"), "--misses") as usize,
            "--coindex" => bins.push(value(&mut i, "--coindex")),
            "--work" => o.work = Some(PathBuf::from(value(&mut i, "--work"))),
            "--repo" => o.repo = Some(PathBuf::from(value(&mut i, "--repo"))),
            "--df" => {
                let v = value(&mut i, "--df");
                o.df = v
                    .split_once(',')
                    .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                    .filter(|(a, b): &(f64, f64)| 0.0 <= *a && a <= b && *b <= 1.0)
                    .unwrap_or_else(|| die(&format!("--df LO,HI: shares 0..1, got {v}")));
            }
            "--json" => o.json = true,
            "--no-topical" => o.topical = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            a if a.starts_with('-') => die(&format!("unknown option {a}\n{USAGE}")),
            a => o.corpus.push(PathBuf::from(a)),
        }
        i += 1;
    }
    if o.repo.is_none() {
        o.repo = repo_root();
    }
    if o.corpus.is_empty() {
        let rel = Path::new("../shared/devset/exports");
        let found = std::iter::once(rel.to_path_buf())
            .chain(o.repo.iter().map(|r| r.join(rel)))
            .find(|p| p.is_dir());
        match found {
            Some(p) => o.corpus.push(p.canonicalize().unwrap_or(p)),
            None => die(
                "no CORPUS given and the default ../shared/devset/exports was found neither \
                 from the current directory nor from the repository root",
            ),
        }
    }
    for c in &o.corpus {
        if !c.exists() {
            die(&format!("corpus not found: {}", c.display()));
        }
    }
    if bins.is_empty() {
        o.engines.push(Engine {
            label: "coindex".into(),
            bin: crate::coindex_bin(),
        });
    } else {
        for (k, b) in bins.iter().enumerate() {
            let (label, path) = match b.split_once('=') {
                Some((l, p)) if !l.is_empty() && !l.contains('/') => (l.to_string(), p),
                _ if bins.len() == 1 => ("coindex".to_string(), b.as_str()),
                _ => (format!("coindex{}", k + 1), b.as_str()),
            };
            o.engines.push(Engine {
                label,
                bin: PathBuf::from(path),
            });
        }
    }
    for e in &o.engines {
        if !e.bin.is_file() {
            die(&format!("coindex binary not found: {}", e.bin.display()));
        }
    }
    if o.queries == 0 {
        die("--queries must be at least 1");
    }
    o
}

/// A `coindex` command with the coindex environment variables removed, so a
/// developer's `COINDEX_INDEX` or `COINDEX_TIMEZONE` cannot change the result.
fn coindex(bin: &Path) -> Command {
    let mut c = Command::new(bin);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("COINDEX_") {
            c.env_remove(k);
        }
    }
    c
}

/// `coindex index CORPUS... --index IDX --rebuild -q`; exit 1 (some files skipped) is fine.
fn index(bin: &Path, corpus: &[PathBuf], idx: &Path) {
    let o = coindex(bin)
        .arg("index")
        .args(corpus)
        .arg("--index")
        .arg(idx)
        .args(["--rebuild", "-q"])
        .stdout(Stdio::null())
        .output()
        .unwrap_or_else(|e| die(&format!("cannot run {}: {e}", bin.display())));
    if !matches!(o.status.code(), Some(0 | 1)) {
        die(&format!(
            "{} index failed ({}):\n{}",
            bin.display(),
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ));
    }
}

/// Every document of the index, from `coindex export`.
fn export(bin: &Path, idx: &Path) -> Vec<Doc> {
    let o = coindex(bin)
        .arg("export")
        .arg("--index")
        .arg(idx)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| die(&format!("cannot run {}: {e}", bin.display())));
    if !o.status.success() {
        die(&format!("{} export failed ({})", bin.display(), o.status));
    }
    let text = String::from_utf8_lossy(&o.stdout);
    let mut docs: Vec<Doc> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)
                .unwrap_or_else(|e| die(&format!("export: bad NDJSON line ({e})")));
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            Doc {
                id: s("id"),
                title: s("title"),
                dek: s("dek"),
                body: s("body"),
                path: s("path"),
            }
        })
        .collect();
    // export order is the index's; sort so query generation depends on the documents only
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    docs
}

/// Runs every query in one `coindex search --batch -`; the top-K hits per query, and
/// whether the query was refused (an error line).
fn coindex_search(bin: &Path, idx: &Path, queries: &[Query]) -> Vec<(Vec<Hit>, bool)> {
    let mut input = String::new();
    for q in queries {
        input.push_str(&serde_json::json!({ "q": q.coindex }).to_string());
        input.push('\n');
    }
    let mut child = coindex(bin)
        .args(["search", "--batch", "-", "--index"])
        .arg(idx)
        .args(["--limit", &K.to_string(), "--format", "ndjson"])
        .args(["--snippets", "1", "--fields", "id,path"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| die(&format!("cannot run {}: {e}", bin.display())));
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut out = String::new();
    let _ = child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out);
    let mut err = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    let _ = writer.join();
    let status = child.wait().expect("wait");
    if !matches!(status.code(), Some(0..=2)) {
        die(&format!(
            "{} search --batch failed ({status}):\n{err}",
            bin.display()
        ));
    }
    let mut res = vec![(Vec::new(), true); queries.len()];
    for l in out.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(l)
            .unwrap_or_else(|e| die(&format!("search --batch: bad NDJSON line ({e}): {l}")));
        let Some(line) = v["line"].as_u64() else {
            continue;
        };
        let Some(slot) = res.get_mut(line as usize - 1) else {
            continue;
        };
        if v.get("error").is_some() {
            continue;
        }
        let hits = v["hits"]
            .as_array()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        let s = |k: &str| h[k].as_str().unwrap_or("").to_string();
                        (s("id"), s("path"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        *slot = (hits, false);
    }
    res
}

/// The two FTS5 tables over the same documents: rowid = index into `docs`.
struct Fts {
    db: rusqlite::Connection,
}

const FTS_TABLES: &[(&str, &str, &str)] = &[
    ("fts5 unicode61", "u61", "unicode61"),
    ("fts5 porter", "porter", "porter unicode61"),
];

impl Fts {
    fn new(docs: &[Doc]) -> Fts {
        let mut db = rusqlite::Connection::open_in_memory().expect("sqlite");
        for (_, table, tok) in FTS_TABLES {
            db.execute_batch(&format!(
                "CREATE VIRTUAL TABLE {table} USING fts5(title, dek, body, tokenize='{tok}');"
            ))
            .unwrap_or_else(|e| die(&format!("SQLite FTS5 unavailable: {e}")));
        }
        let tx = db.transaction().expect("transaction");
        for (_, table, _) in FTS_TABLES {
            let mut ins = tx
                .prepare(&format!(
                    "INSERT INTO {table}(rowid, title, dek, body) VALUES (?1, ?2, ?3, ?4)"
                ))
                .expect("prepare");
            for (i, d) in docs.iter().enumerate() {
                ins.execute(rusqlite::params![i as i64, d.title, d.dek, d.body])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
        Fts { db }
    }

    /// Top-K documents by FTS5's `bm25()` with its default weights (1 for every
    /// column); ties by rowid. A query FTS5 rejects counts as refused.
    fn search(&self, table: &str, docs: &[Doc], q: &str) -> (Vec<Hit>, bool) {
        let mut st = self
            .db
            .prepare_cached(&format!(
                "SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY bm25({table}), rowid LIMIT {K}"
            ))
            .expect("prepare");
        let rows = st.query_map([q], |r| r.get::<_, i64>(0));
        match rows {
            Ok(rows) => {
                let mut hits = Vec::new();
                for r in rows {
                    match r {
                        Ok(i) => {
                            let d = &docs[i as usize];
                            hits.push((d.id.clone(), d.path.clone()));
                        }
                        Err(_) => return (Vec::new(), true),
                    }
                }
                (hits, false)
            }
            Err(_) => (Vec::new(), true),
        }
    }
}

/// Lowercase alphanumeric runs: the unit of document frequency (what FTS5's
/// unicode61 tokenizer sees, without its diacritics folding).
fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A whitespace-separated word usable as a body query word: after trimming
/// punctuation at both ends, 3+ ASCII letters (so no numbers, no `don't` or
/// `e-mail` halves), not a stop word.
fn plain_word(chunk: &str) -> Option<String> {
    let w = chunk.trim_matches(|c: char| !c.is_alphanumeric());
    (w.len() >= 3 && w.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| w.to_ascii_lowercase())
        .filter(|w| !STOP.contains(&w.as_str()))
}

/// Headline words as a reader would type them: whitespace-separated, punctuation
/// trimmed at both ends, a possessive `'s` dropped, lowercase (`U.S.` stays `u.s`).
fn headline_words(title: &str) -> Vec<String> {
    title
        .split_whitespace()
        .map(|c| {
            let w = c
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            ["'s", "\u{2019}s"]
                .iter()
                .find_map(|p| w.strip_suffix(p).map(str::to_string))
                .unwrap_or(w)
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// An FTS5 query: every word double-quoted (FTS5 tokenizes inside the quotes),
/// implicit AND.
fn fts_query<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words
        .into_iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The forms of `w` in the other grammatical number or tense, by suffix rules
/// (see docs/RELEVANCE.md); the caller keeps only forms that occur in the corpus.
fn variants(w: &str) -> Vec<String> {
    let mut v = Vec::new();
    if w.len() < 3 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return v;
    }
    let stem = |n: usize| &w[..w.len() - n];
    let vowel = |b: u8| b"aeiou".contains(&b);
    let b = w.as_bytes();
    let last = b[b.len() - 1];
    // number: plural -> singular
    if let Some(s) = w.strip_suffix("ies").filter(|s| s.len() >= 2) {
        v.push(format!("{s}y"));
    } else if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|e| w.ends_with(e))
    {
        v.push(stem(2).to_string());
    } else if w.ends_with('s') && !["ss", "us", "is"].iter().any(|e| w.ends_with(e)) {
        v.push(stem(1).to_string());
    }
    // number: singular -> plural
    if w.ends_with("ss") || ["sh", "ch", "x", "z"].iter().any(|e| w.ends_with(e)) {
        v.push(format!("{w}es"));
    } else if last == b'y' && !vowel(b[b.len() - 2]) {
        v.push(format!("{}ies", stem(1)));
    } else if last != b's' && !w.ends_with("ed") {
        v.push(format!("{w}s"));
    }
    // tense: -ed <-> -ing
    if let Some(s) = w.strip_suffix("ied").filter(|s| s.len() >= 2) {
        v.push(format!("{s}ying"));
    } else if let Some(s) = w
        .strip_suffix("ed")
        .filter(|s| s.len() >= 3 && !s.ends_with('e'))
    {
        v.push(format!("{s}ing"));
    }
    if let Some(s) = w.strip_suffix("ying").filter(|s| s.len() >= 2) {
        v.push(format!("{s}ied"));
    } else if let Some(s) = w.strip_suffix("ing").filter(|s| s.len() >= 3) {
        v.push(format!("{s}ed"));
    }
    v.retain(|x| x != w);
    v
}

/// A text as its lowercase words, so quote styles and spacing do not matter.
fn norm(s: &str) -> String {
    tokens(s).collect::<Vec<_>>().join(" ")
}

/// Word 5-shingles of a body, hashed, sorted, deduplicated.
fn shingles(body: &str) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<String> = tokens(body).collect();
    let mut v: Vec<u64> = words
        .windows(5)
        .map(|w| {
            let mut h = std::hash::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// Bodies this similar (Jaccard of word 5-shingles) are copies of one article
/// (another edition of a wire story, a dateline added).
const COPY_JACCARD: f64 = 0.8;
/// Shingles per body kept as candidates for the copy test (the smallest hashes).
const SKETCH: usize = 16;

/// The corpus facts the generators need.
struct Corpus<'a> {
    docs: &'a [Doc],
    df: HashMap<String, usize>,
    by_body: HashMap<String, Vec<usize>>,
    by_title: HashMap<String, Vec<usize>>,
    shingles: Vec<Vec<u64>>,
    /// one of a body's `SKETCH` smallest shingle hashes -> the documents with it
    sketch: HashMap<u64, Vec<usize>>,
}

impl<'a> Corpus<'a> {
    fn new(docs: &'a [Doc]) -> Corpus<'a> {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut by_body: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
        let mut sketch: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut all = Vec::with_capacity(docs.len());
        for (i, d) in docs.iter().enumerate() {
            let mut seen = HashSet::new();
            for f in [&d.title, &d.dek, &d.body] {
                for t in tokens(f) {
                    seen.insert(t);
                }
            }
            for t in seen {
                *df.entry(t).or_default() += 1;
            }
            let b = norm(&d.body);
            if !b.is_empty() {
                by_body.entry(b).or_default().push(i);
            }
            let t = norm(&d.title);
            if !t.is_empty() {
                by_title.entry(t).or_default().push(i);
            }
            let sh = shingles(&d.body);
            for h in sh.iter().take(SKETCH) {
                sketch.entry(*h).or_default().push(i);
            }
            all.push(sh);
        }
        Corpus {
            docs,
            df,
            by_body,
            by_title,
            shingles: all,
            sketch,
        }
    }

    /// The document-frequency band of body query words, inclusive.
    fn df_band(&self, (lo, hi): (f64, f64)) -> (usize, usize) {
        let n = self.docs.len() as f64;
        let lo = ((n * lo).ceil() as usize).max(2);
        (lo, ((n * hi).floor() as usize).max(lo + 4))
    }

    /// The known item `i` and its copies: documents with the same body words or a
    /// near-identical body (`COPY_JACCARD`), and with `same_title` also those with
    /// the same headline words.
    fn known(&self, i: usize, same_title: bool) -> Query {
        let d = &self.docs[i];
        let mut set: Vec<usize> = vec![i];
        if let Some(v) = self.by_body.get(&norm(&d.body)) {
            set.extend(v);
        }
        let mine = &self.shingles[i];
        let mut cands: Vec<usize> = mine
            .iter()
            .take(SKETCH)
            .filter_map(|h| self.sketch.get(h))
            .flatten()
            .copied()
            .filter(|&j| j != i)
            .collect();
        cands.sort_unstable();
        cands.dedup();
        set.extend(
            cands
                .into_iter()
                .filter(|&j| jaccard(mine, &self.shingles[j]) >= COPY_JACCARD),
        );
        if same_title && let Some(v) = self.by_title.get(&norm(&d.title)) {
            set.extend(v);
        }
        set.sort_unstable();
        set.dedup();
        Query {
            coindex: String::new(),
            fts: String::new(),
            ids: set.iter().map(|&j| self.docs[j].id.clone()).collect(),
            paths: set.iter().map(|&j| self.docs[j].path.clone()).collect(),
            suffix: false,
        }
    }

    /// Documents in a seeded random order.
    fn shuffled(&self, rng: &mut Rng) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.docs.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        order
    }

    /// Body queries: three distinct mid-frequency words from the middle third of a
    /// long body, in text order.
    fn body_queries(&self, n: usize, seed: u64, band: (usize, usize)) -> Vec<Query> {
        let mut rng = Rng(seed ^ 0xB0D1_B0D1_B0D1_B0D1);
        let (lo, hi) = band;
        let mut out = Vec::new();
        for i in self.shuffled(&mut rng) {
            if out.len() == n {
                break;
            }
            let words: Vec<&str> = self.docs[i].body.split_whitespace().collect();
            if words.len() < MIN_BODY_WORDS {
                continue;
            }
            let third = &words[words.len() / 3..words.len() * 2 / 3];
            let mut cands: Vec<String> = Vec::new();
            for c in third {
                if let Some(w) = plain_word(c)
                    && self.df.get(&w).is_some_and(|&f| (lo..=hi).contains(&f))
                    && !cands.contains(&w)
                {
                    cands.push(w);
                }
            }
            if cands.len() < 3 {
                continue;
            }
            let mut pick: Vec<usize> = Vec::new();
            while pick.len() < 3 {
                let k = rng.below(cands.len());
                if !pick.contains(&k) {
                    pick.push(k);
                }
            }
            pick.sort_unstable();
            let qw: Vec<&str> = pick.iter().map(|&k| cands[k].as_str()).collect();
            let mut q = self.known(i, false);
            q.coindex = qw.join(" ");
            q.fts = fts_query(qw);
            out.push(q);
        }
        out
    }

    /// Headline queries: four to six consecutive headline words, one of them in the
    /// other number or tense (a form that occurs in the corpus).
    fn headline_queries(&self, n: usize, seed: u64) -> Vec<Query> {
        let mut rng = Rng(seed ^ 0x4EAD_11AE_4EAD_11AE);
        let mut out = Vec::new();
        for i in self.shuffled(&mut rng) {
            if out.len() == n {
                break;
            }
            let words = headline_words(&self.docs[i].title);
            if words.len() < 4 {
                continue;
            }
            let len = (4 + rng.below(3)).min(words.len());
            let start = rng.below(words.len() - len + 1);
            let mut window = words[start..start + len].to_vec();
            // a query of function words only says nothing: at least three others
            if window
                .iter()
                .filter(|w| !STOP.contains(&w.as_str()))
                .count()
                < 3
            {
                continue;
            }
            let changeable: Vec<(usize, Vec<String>)> = window
                .iter()
                .enumerate()
                .filter(|(_, w)| !STOP.contains(&w.as_str()) && !NO_CHANGE.contains(&w.as_str()))
                .map(|(k, w)| {
                    let mut v = variants(w);
                    v.retain(|x| self.df.contains_key(x));
                    (k, v)
                })
                .filter(|(_, v)| !v.is_empty())
                .collect();
            if changeable.is_empty() {
                continue;
            }
            let (k, forms) = &changeable[rng.below(changeable.len())];
            window[*k] = forms[rng.below(forms.len())].clone();
            let mut q = self.known(i, true);
            q.coindex = window.join(" ");
            q.fts = fts_query(window.iter().map(String::as_str));
            out.push(q);
        }
        out
    }
}

/// Skips a Rust line comment or whitespace; returns the next significant char index.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            return i;
        }
    }
}

/// A Rust string literal starting at `b[i] == '"'`: (value, index after it).
fn rust_str(s: &str, i: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut it = s[i + 1..].char_indices();
    while let Some((k, c)) = it.next() {
        match c {
            '"' => return Some((out, i + 1 + k + 1)),
            '\\' => match it.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                c @ ('\\' | '"' | '\'') => out.push(c),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// The `HAND_PICKED` table of tests/relevance.rs: (query, flags, path suffix).
fn parse_hand_picked(src: &str) -> Option<Vec<(String, Vec<String>, String)>> {
    let start = src.find("const HAND_PICKED")?;
    let mut i = start + src[start..].find('=')? + 1;
    let b = src.as_bytes();
    i = skip_ws(b, i);
    if !src[i..].starts_with("&[") {
        return None;
    }
    i += 2;
    let mut rows = Vec::new();
    loop {
        i = skip_ws(b, i);
        match b.get(i)? {
            b']' => return Some(rows),
            b',' => i += 1,
            b'(' => {
                i = skip_ws(b, i + 1);
                let (q, j) = rust_str(src, i)?;
                i = skip_ws(b, j);
                (b[i] == b',').then_some(())?;
                i = skip_ws(b, i + 1);
                src[i..].starts_with("&[").then_some(())?;
                i += 2;
                let mut flags = Vec::new();
                loop {
                    i = skip_ws(b, i);
                    match b.get(i)? {
                        b']' => break,
                        b',' => i += 1,
                        b'"' => {
                            let (f, j) = rust_str(src, i)?;
                            flags.push(f);
                            i = j;
                        }
                        _ => return None,
                    }
                }
                i = skip_ws(b, i + 1);
                (b[i] == b',').then_some(())?;
                i = skip_ws(b, i + 1);
                let (p, j) = rust_str(src, i)?;
                i = skip_ws(b, j);
                if b[i] == b',' {
                    i = skip_ws(b, i + 1);
                }
                (b[i] == b')').then_some(())?;
                i += 1;
                rows.push((q, flags, p));
            }
            _ => return None,
        }
    }
}

/// A coindex query in FTS5 syntax, or `None` when FTS5 has no equivalent (date, tag,
/// source and author scopes, fuzzy `~`, prefix `*`, operators). Quoted phrases stay
/// phrases, `title:`/`dek:`/`body:` become FTS5 column filters, every other word is
/// double-quoted.
fn to_fts(q: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        let (tok, tail) = if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"')?;
            (&rest[..end + 2], &r[end + 1..])
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        rest = tail.trim_start();
        if let Some(phrase) = tok.strip_prefix('"') {
            parts.push(fts_query([phrase.trim_end_matches('"')]));
            continue;
        }
        if tok.contains('~')
            || tok.ends_with('*')
            || tok.starts_with(['-', '+', '('])
            || ["OR", "AND", "NOT"].contains(&tok)
        {
            return None;
        }
        if let Some((field, word)) = tok.split_once(':') {
            if !["title", "dek", "body"].contains(&field) {
                return None;
            }
            parts.push(format!("{field} : {}", fts_query([word])));
            continue;
        }
        if tok.chars().any(char::is_alphanumeric) {
            parts.push(fts_query([tok]));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The topical set: the queries of tests/relevance.rs (the expected-facts file and
/// `HAND_PICKED`); (queries, skipped with the reason).
fn topical_queries(repo: &Path) -> Result<(Vec<Query>, Vec<String>), String> {
    let src = std::fs::read_to_string(repo.join("tests/relevance.rs"))
        .map_err(|e| format!("tests/relevance.rs: {e}"))?;
    let facts = std::fs::read_to_string(repo.join("tests/fixtures/sample_corpus_expected.json"))
        .map_err(|e| format!("tests/fixtures/sample_corpus_expected.json: {e}"))?;
    let facts: serde_json::Value = serde_json::from_str(&facts).map_err(|e| e.to_string())?;
    let mut cases: Vec<(String, Vec<String>, String)> = facts
        .as_array()
        .ok_or("facts: not an array")?
        .iter()
        .filter_map(|f| {
            Some((
                f["query"].as_str()?.into(),
                vec![],
                f["path"].as_str()?.into(),
            ))
        })
        .collect();
    cases.extend(parse_hand_picked(&src).ok_or("cannot read HAND_PICKED in tests/relevance.rs")?);
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (q, flags, path) in cases {
        if !flags.is_empty() {
            skipped.push(format!("{q:?} {}: flags", flags.join(" ")));
            continue;
        }
        let Some(fts) = to_fts(&q) else {
            skipped.push(format!("{q:?}: syntax FTS5 cannot express"));
            continue;
        };
        out.push(Query {
            coindex: q,
            fts,
            ids: HashSet::new(),
            paths: vec![path],
            suffix: true,
        });
    }
    Ok((out, skipped))
}

/// One query set's results: per system, the score and each query's rank.
struct SetResult {
    name: &'static str,
    queries: Vec<Query>,
    /// (system label, score, rank per query)
    systems: Vec<(String, Score, Vec<Option<usize>>)>,
    docs: usize,
    note: String,
}

fn evaluate(
    name: &'static str,
    queries: Vec<Query>,
    docs: &[Doc],
    idxs: &[(String, PathBuf, PathBuf)],
    note: String,
) -> SetResult {
    let mut systems = Vec::new();
    for (label, bin, idx) in idxs {
        let res = coindex_search(bin, idx, &queries);
        let mut s = Score::default();
        let mut ranks = Vec::new();
        for (q, (hits, err)) in queries.iter().zip(&res) {
            let r = rank_of(q, hits);
            s.add(r);
            s.errors += *err as usize;
            s.empty += (!*err && hits.is_empty()) as usize;
            ranks.push(r);
        }
        systems.push((label.clone(), s, ranks));
    }
    let fts = Fts::new(docs);
    for (label, table, _) in FTS_TABLES {
        let mut s = Score::default();
        let mut ranks = Vec::new();
        for q in &queries {
            let (hits, err) = fts.search(table, docs, &q.fts);
            let r = rank_of(q, &hits);
            s.add(r);
            s.errors += err as usize;
            s.empty += (!err && hits.is_empty()) as usize;
            ranks.push(r);
        }
        systems.push((label.to_string(), s, ranks));
    }
    SetResult {
        name,
        queries,
        systems,
        docs: docs.len(),
        note,
    }
}

pub fn main(args: &[String]) {
    let o = parse_args(args);
    let t0 = Instant::now();
    let (work, temp) = match &o.work {
        Some(w) => (w.clone(), false),
        None => (
            std::env::temp_dir().join(format!("coindex-relevance-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&work)
        .unwrap_or_else(|e| die(&format!("work dir {}: {e}", work.display())));

    // body and headline: the corpus, indexed by every binary; documents from the first
    let idxs: Vec<(String, PathBuf, PathBuf)> = o
        .engines
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let idx = work.join(format!("index-{k}"));
            index(&e.bin, &o.corpus, &idx);
            (e.label.clone(), e.bin.clone(), idx)
        })
        .collect();
    let docs = export(&idxs[0].1, &idxs[0].2);
    let mut warnings = Vec::new();
    for (label, bin, idx) in &idxs[1..] {
        let other: HashSet<String> = export(bin, idx).into_iter().map(|d| d.id).collect();
        let mine: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let common = other.iter().filter(|i| mine.contains(i.as_str())).count();
        if common != docs.len() || other.len() != docs.len() {
            warnings.push(format!(
                "{label}: {} documents, {common} of them with the ids of {}'s {} (hits also count by path)",
                other.len(),
                idxs[0].0,
                docs.len()
            ));
        }
    }
    let corpus = Corpus::new(&docs);
    let band = corpus.df_band(o.df);
    let body = corpus.body_queries(o.queries, o.seed, band);
    let headline = corpus.headline_queries(o.queries, o.seed);
    let mut sets = vec![
        evaluate(
            "body",
            body,
            &docs,
            &idxs,
            format!(
                "3 words, {} <= df <= {} ({:.1}%-{:.1}% of documents), middle third of a body of {MIN_BODY_WORDS}+ words",
                band.0,
                band.1,
                o.df.0 * 100.0,
                o.df.1 * 100.0
            ),
        ),
        evaluate(
            "headline",
            headline,
            &docs,
            &idxs,
            "4-6 consecutive headline words (3+ not stop words), one in the other number or tense"
                .into(),
        ),
    ];

    // topical: the sample corpus and the hand-written queries of tests/relevance.rs
    if o.topical {
        match o.repo.as_deref().map(topical_queries) {
            Some(Ok((queries, skipped))) => {
                let repo = o.repo.as_deref().unwrap();
                let sample = vec![repo.join("sample_corpus")];
                let tidx: Vec<(String, PathBuf, PathBuf)> = o
                    .engines
                    .iter()
                    .enumerate()
                    .map(|(k, e)| {
                        let idx = work.join(format!("topical-index-{k}"));
                        index(&e.bin, &sample, &idx);
                        (e.label.clone(), e.bin.clone(), idx)
                    })
                    .collect();
                let tdocs = export(&tidx[0].1, &tidx[0].2);
                let note = if skipped.is_empty() {
                    "tests/relevance.rs over sample_corpus/".to_string()
                } else {
                    format!(
                        "tests/relevance.rs over sample_corpus/; skipped {}: {}",
                        skipped.len(),
                        skipped.join("; ")
                    )
                };
                sets.push(evaluate("topical", queries, &tdocs, &tidx, note));
            }
            Some(Err(e)) => warnings.push(format!("topical set skipped: {e}")),
            None => warnings.push(
                "topical set skipped: repository (tests/relevance.rs) not found; use --repo".into(),
            ),
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    if temp {
        let _ = std::fs::remove_dir_all(&work);
    }

    let mut table = String::new();
    report(&o, &docs, &sets, &warnings, secs, &mut table);
    if o.json {
        eprint!("{table}");
        println!("{}", json_summary(&o, &docs, &sets, &warnings, secs));
    } else {
        print!("{table}");
    }
}

fn report(
    o: &Opts,
    docs: &[Doc],
    sets: &[SetResult],
    warnings: &[String],
    secs: f64,
    out: &mut String,
) {
    use std::fmt::Write as _;
    let corpus: Vec<String> = o.corpus.iter().map(|c| c.display().to_string()).collect();
    let _ = writeln!(
        out,
        "relevance: {} documents from {}; seed {}, up to {} queries per set; top {K}",
        docs.len(),
        corpus.join(" "),
        o.seed,
        o.queries
    );
    for e in &o.engines {
        let _ = writeln!(out, "{}: {}", e.label, e.bin.display());
    }
    for w in warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let names: Vec<&str> = sets[0].systems.iter().map(|s| s.0.as_str()).collect();
    let _ = write!(out, "\n| set | queries |");
    for n in &names {
        let _ = write!(out, " {n} MRR@10 | R@10 |");
    }
    for e in &o.engines {
        let _ = write!(out, " {} / best FTS5 (MRR) |", e.label);
    }
    let _ = write!(out, "\n|---|---:|");
    for _ in 0..names.len() * 2 + o.engines.len() {
        let _ = write!(out, "---:|");
    }
    let _ = writeln!(out);
    for s in sets {
        let _ = write!(out, "| {} | {} |", s.name, s.queries.len());
        for (_, sc, _) in &s.systems {
            let _ = write!(out, " {:.3} | {:.3} |", sc.mrr(), sc.recall());
        }
        let best = s.systems[o.engines.len()..]
            .iter()
            .map(|x| x.1.mrr())
            .fold(0.0, f64::max);
        for (_, sc, _) in &s.systems[..o.engines.len()] {
            if best > 0.0 {
                let _ = write!(out, " {:.2} |", sc.mrr() / best);
            } else {
                let _ = write!(out, " - |");
            }
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out);
    for s in sets {
        let _ = writeln!(out, "{} ({} documents): {}", s.name, s.docs, s.note);
        for (label, sc, _) in &s.systems {
            let _ = writeln!(
                out,
                "  {label}: first {}, top-10 {}, no hit {}, refused {} of {}",
                sc.first, sc.found, sc.empty, sc.errors, sc.queries
            );
        }
    }
    if o.misses > 0 {
        let n = o.engines.len();
        for s in sets {
            for (label, _, ranks) in &s.systems[..n] {
                let _ = writeln!(
                    out,
                    "\n{label} misses ({}), rank by {label} / {}:",
                    s.name,
                    s.systems[n..]
                        .iter()
                        .map(|x| x.0.as_str())
                        .collect::<Vec<_>>()
                        .join(" / ")
                );
                let mut shown = 0;
                for (k, q) in s.queries.iter().enumerate() {
                    if shown == o.misses {
                        break;
                    }
                    if ranks[k] == Some(1) {
                        continue;
                    }
                    shown += 1;
                    let r = |x: Option<usize>| x.map_or("-".to_string(), |r| r.to_string());
                    let others: Vec<String> = s.systems[n..].iter().map(|x| r(x.2[k])).collect();
                    let _ = writeln!(
                        out,
                        "  {:<60} {} / {}   (known item: {})",
                        q.coindex,
                        r(ranks[k]),
                        others.join(" / "),
                        q.paths.join(", ")
                    );
                }
            }
        }
    }
    let _ = writeln!(out, "\n{:.1} s", secs);
}

fn json_summary(
    o: &Opts,
    docs: &[Doc],
    sets: &[SetResult],
    warnings: &[String],
    secs: f64,
) -> serde_json::Value {
    let sets: serde_json::Map<String, serde_json::Value> = sets
        .iter()
        .map(|s| {
            let systems: serde_json::Map<String, serde_json::Value> = s
                .systems
                .iter()
                .map(|(label, sc, _)| {
                    (
                        label.clone(),
                        serde_json::json!({
                            "mrr_at_10": (sc.mrr() * 1e4).round() / 1e4,
                            "recall_at_10": (sc.recall() * 1e4).round() / 1e4,
                            "queries": sc.queries,
                            "first": sc.first,
                            "in_top_10": sc.found,
                            "no_hit": sc.empty,
                            "refused": sc.errors,
                        }),
                    )
                })
                .collect();
            (
                s.name.to_string(),
                serde_json::json!({
                    "queries": s.queries.len(),
                    "documents": s.docs,
                    "rule": s.note,
                    "systems": systems,
                }),
            )
        })
        .collect();
    serde_json::json!({
        "corpus": o.corpus.iter().map(|c| c.display().to_string()).collect::<Vec<_>>(),
        "documents": docs.len(),
        "seed": o.seed,
        "queries_per_set": o.queries,
        "k": K,
        "coindex": o.engines.iter().map(|e| serde_json::json!({"label": e.label, "path": e.bin.display().to_string()})).collect::<Vec<_>>(),
        "warnings": warnings,
        "seconds": (secs * 10.0).round() / 10.0,
        "sets": sets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_tense_forms() {
        let v = |w: &str| variants(w);
        assert_eq!(v("coins"), ["coin"]);
        assert_eq!(v("coin"), ["coins"]);
        assert_eq!(v("companies"), ["company"]);
        assert_eq!(v("company"), ["companies"]);
        assert_eq!(v("taxes"), ["tax"]);
        assert_eq!(v("tax"), ["taxes"]);
        assert_eq!(v("loss"), ["losses"]);
        assert_eq!(v("surged"), ["surging"]);
        assert_eq!(v("surging"), ["surgings", "surged"]);
        assert_eq!(v("carried"), ["carrying"]);
        assert_eq!(v("carrying"), ["carryings", "carried"]);
        assert!(v("BTC").is_empty());
        assert!(v("ab").is_empty());
    }

    fn q(ids: &[&str]) -> Query {
        Query {
            coindex: String::new(),
            fts: String::new(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            paths: vec!["a/b.txt".into()],
            suffix: true,
        }
    }

    fn hits(ids: &[&str]) -> Vec<Hit> {
        ids.iter()
            .map(|i| (i.to_string(), format!("/x/{i}.txt")))
            .collect()
    }

    #[test]
    fn reciprocal_rank_and_recall() {
        let mut s = Score::default();
        s.add(rank_of(&q(&["x"]), &hits(&["x", "y"])));
        s.add(rank_of(&q(&["y"]), &hits(&["x", "y"])));
        s.add(rank_of(&q(&["z"]), &hits(&["x", "y"])));
        // a copy (second id) found at rank 4
        s.add(rank_of(&q(&["z", "d"]), &hits(&["a", "b", "c", "d"])));
        // by path suffix
        s.add(rank_of(&q(&[]), &[("n".into(), "/r/a/b.txt".into())]));
        // beyond the top 10 does not count
        let many: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        s.add(rank_of(&q(&["11"]), &hits(&many)));
        assert_eq!((s.queries, s.found, s.first), (6, 4, 2));
        assert!((s.mrr() - (1.0 + 0.5 + 0.0 + 0.25 + 1.0 + 0.0) / 6.0).abs() < 1e-12);
        assert!((s.recall() - 4.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn fts_translation() {
        assert_eq!(to_fts("mt gox").unwrap(), "\"mt\" \"gox\"");
        assert_eq!(to_fts("\"erc 20\" drain").unwrap(), "\"erc 20\" \"drain\"");
        assert_eq!(
            to_fts("title:dao attacker").unwrap(),
            "title : \"dao\" \"attacker\""
        );
        assert_eq!(to_fts("₿ fourth").unwrap(), "\"fourth\"");
        assert!(to_fts("hack published:2014").is_none());
        assert!(to_fts("cryptokittes~1").is_none());
        assert!(to_fts("etf -grayscale").is_none());
    }

    #[test]
    fn reads_the_hand_picked_table() {
        let src = r#"
const HAND_PICKED: &[(&str, &[&str], &str)] = &[
    ("XBT mt gox", &[], "a/b.txt"),
    // a comment
    (
        "\"erc 20\" drain",
        &["--from", "2013"],
        "c/d.txt",
    ),
];
"#;
        let rows = parse_hand_picked(src).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, "\"erc 20\" drain");
        assert_eq!(rows[1].1, ["--from", "2013"]);
        assert_eq!(rows[1].2, "c/d.txt");
    }

    #[test]
    fn headline_words_keep_their_shape() {
        assert_eq!(
            headline_words(
                "Bitcoin's U.S. price \u{2018}tops\u{2019} $41m \u{2014} Korea\u{2019}s"
            ),
            ["bitcoin", "u.s", "price", "tops", "41m", "korea"]
        );
    }

    #[test]
    fn body_words() {
        assert_eq!(plain_word("(Regulators,").as_deref(), Some("regulators"));
        assert_eq!(plain_word("don't"), None);
        assert_eq!(plain_word("2018"), None);
        assert_eq!(plain_word("the"), None);
        assert_eq!(plain_word("e-mail"), None);
    }
}
