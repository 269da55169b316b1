//! `coindex-bench stories`: the precision and recall of coindex's story grouping on
//! real exports, against a labelled list of article pairs (`bench/data/story-pairs.tsv`:
//! document ids and a label, no article text), with a baseline in the same run: the
//! rule coindex used to merge duplicates by (the same headline on the same UTC day).
//!
//! ```text
//! coindex-bench stories [EXPORTS_DIR] [--coindex PATH] [--work DIR] [--labels FILE]
//! ```
//!
//! It indexes the folder with the real `coindex` binary, exports every document (id,
//! source, title, date, story), and counts, for each rule, the labelled pairs it
//! groups. Pairs a rule groups that the list does not label are printed with their ids
//! so that they can be read and labelled: precision counts only labelled pairs, and the
//! report says how many were not. See `docs/STORIES.md`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One exported document, as far as the rules need it.
struct Doc {
    id: String,
    story: String,
    title: String,
    day: Option<String>,
}

type Pair = (String, String);

fn pair(a: &str, b: &str) -> Pair {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// Every pair of documents that share a key.
fn pairs_by<K: std::hash::Hash + Eq>(
    docs: &[Doc],
    key: impl Fn(&Doc) -> Option<K>,
) -> HashSet<Pair> {
    let mut groups: HashMap<K, Vec<&str>> = HashMap::new();
    for d in docs {
        if let Some(k) = key(d) {
            groups.entry(k).or_default().push(&d.id);
        }
    }
    let mut out = HashSet::new();
    for ids in groups.values() {
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                out.insert(pair(a, b));
            }
        }
    }
    out
}

fn load_labels(path: &Path) -> Result<HashMap<Pair, bool>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("id_a") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let same = match f.get(2) {
            Some(&"same") => true,
            Some(&"different") => false,
            _ => {
                return Err(format!(
                    "{}:{}: expected id_a, id_b, same|different",
                    path.display(),
                    n + 1
                ));
            }
        };
        out.insert(pair(f[0], f[1]), same);
    }
    Ok(out)
}

fn export(bin: &Path, exports: &Path, work: &Path) -> Result<Vec<Doc>, String> {
    let idx = work.join("stories-index");
    let _ = std::fs::remove_dir_all(&idx);
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let o = Command::new(bin)
        .args(["index", "-q", "--index"])
        .arg(&idx)
        .arg(exports)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if !o.status.success() && o.status.code() != Some(1) {
        return Err(format!(
            "coindex index failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let o = Command::new(bin)
        .args(["export", "--fields", "id,title,published,story", "--index"])
        .arg(&idx)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "coindex export failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let mut docs = Vec::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        docs.push(Doc {
            id: s("id"),
            story: s("story"),
            title: s("title"),
            day: v["published"]
                .as_str()
                .map(|p| p.chars().take(10).collect()),
        });
    }
    Ok(docs)
}

/// One rule's row: grouped pairs, labelled ones, precision and recall.
fn row(name: &str, grouped: &HashSet<Pair>, labels: &HashMap<Pair, bool>) -> Vec<Pair> {
    let same_total = labels.values().filter(|s| **s).count();
    let labelled: Vec<bool> = grouped
        .iter()
        .filter_map(|p| labels.get(p).copied())
        .collect();
    let right = labelled.iter().filter(|s| **s).count();
    let unlabelled: Vec<Pair> = grouped
        .iter()
        .filter(|p| !labels.contains_key(*p))
        .cloned()
        .collect();
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    println!(
        "{name:<34} {:>7} {:>9} {:>8} {:>9.1}% {:>7.1}%",
        grouped.len(),
        labelled.len(),
        right,
        pct(right, labelled.len()),
        pct(right, same_total),
    );
    unlabelled
}

pub fn main(args: &[String]) -> i32 {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let exports = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "../shared/devset/exports".into());
    let bin = flag("--coindex")
        .map(PathBuf::from)
        .unwrap_or_else(super::coindex_bin);
    let work = flag("--work")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("coindex-bench-stories"));
    let labels_path = flag("--labels")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data/story-pairs.tsv"));
    let labels = match load_labels(&labels_path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("coindex-bench: {e}");
            return 2;
        }
    };
    let docs = match export(&bin, Path::new(&exports), &work) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("coindex-bench: {e}");
            return 2;
        }
    };
    let stories: HashSet<&str> = docs.iter().map(|d| d.story.as_str()).collect();
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for d in &docs {
        *sizes.entry(&d.story).or_default() += 1;
    }
    let multi = sizes.values().filter(|n| **n > 1).count();
    let versions: usize = sizes.values().filter(|n| **n > 1).sum();
    println!(
        "{} documents in {} stories; {multi} stories of 2+ versions hold {versions} documents (largest {})",
        docs.len(),
        stories.len(),
        sizes.values().max().copied().unwrap_or(0)
    );
    println!(
        "{} labelled pairs ({} same story, {} different)\n",
        labels.len(),
        labels.values().filter(|s| **s).count(),
        labels.values().filter(|s| !**s).count()
    );
    println!(
        "{:<34} {:>7} {:>9} {:>8} {:>10} {:>8}",
        "rule", "grouped", "labelled", "correct", "precision", "recall"
    );
    let coindex = pairs_by(&docs, |d| Some(d.story.clone()));
    let unlabelled = row("coindex stories", &coindex, &labels);
    // the old dedup rule: the same headline (case and spacing aside) on the same UTC day
    let title_day = pairs_by(&docs, |d| {
        let t = d
            .title
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let day = d.day.clone()?;
        (!t.is_empty()).then_some((t, day))
    });
    row("baseline: same title, same day", &title_day, &labels);
    if !unlabelled.is_empty() {
        println!(
            "\ncoindex grouped {} pairs the list does not label (read and label them):",
            unlabelled.len()
        );
        for (a, b) in &unlabelled {
            println!("{a}\t{b}");
        }
    }
    0
}

/// `coindex-bench registry --docs N`: the memory the manifest's document entries and
/// the dedup registry hold per document, for `N` single-document files whose bodies
/// all have a signature and whose headlines all have a key (the worst case: every
/// lookup table holds every document). Measured as the process's resident memory
/// before and after building them (paths included), and as the registry's own count
/// of its arrays.
pub fn registry_row(args: &[String]) -> i32 {
    use coindex::index::manifest::{DocEntry, DocId, FileEntry, Manifest};
    use coindex::index::registry::Registry;
    use coindex::index::sketch::{Sig, title_day_key};
    let n: usize = args
        .iter()
        .position(|a| a == "--docs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let rss = || -> u64 {
        let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: u64 = s
            .split_whitespace()
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        pages * 4096
    };
    // signatures of distinct bodies, made cheaply: a body of 60 words per document
    let mut m = Manifest::default();
    let before = rss();
    for i in 0..n as u64 {
        let body: String = (0..60).map(|k| format!("w{}x{k} ", i * 61 + k)).collect();
        let mut d = DocEntry::plain(DocId(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1), 4000);
        d.len = 4000;
        d.body = i + 1;
        d.title = title_day_key(i + 7, 19_000);
        d.sig = Sig::of(&body).unwrap_or_default();
        let mut e = FileEntry::new(4000, 1, i);
        e.docs.push(d);
        m.files.insert(
            format!("/corpus/site-{:02}/article-{i:07}.txt", i % 40).into(),
            e,
        );
    }
    m.pack();
    let manifest = rss().saturating_sub(before);
    let r = Registry::from_manifest(&m);
    let registry = rss().saturating_sub(before) - manifest;
    println!(
        "{n} documents: manifest {:.0} B/doc (DocEntry {} B), registry {:.0} B/doc by RSS, {:.0} B/doc by its own count; total {:.0} B/doc",
        manifest as f64 / n as f64,
        std::mem::size_of::<DocEntry>(),
        registry as f64 / n as f64,
        r.heap_bytes() as f64 / n as f64,
        (manifest + registry) as f64 / n as f64,
    );
    std::hint::black_box((&m, &r));
    0
}
