//! Deduplication merges only records that are provably the same article: the same
//! canonical URL (or id), or the same body text. A shared headline and day is not proof,
//! so such records stay two searchable documents. Each merge is named with its reason in
//! the summary and in `--report`. Fixtures: `tests/fixtures/dedup/`, one folder per case.

mod util;

use serde_json::Value;
use std::path::Path;
use util::*;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dedup")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Indexes a fixture folder; returns (exit code, stderr, report, index dir).
fn index(name: &str) -> (i32, String, Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("ix");
    let report = dir.path().join("report.json");
    let o = run(&[
        "index",
        &fixture(name),
        "--index",
        idx.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let rep: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    (o.status.code().unwrap(), stderr(&o), rep, dir)
}

fn count(dir: &tempfile::TempDir) -> u64 {
    let idx = dir.path().join("ix");
    let o = run(&["count", "--index", idx.to_str().unwrap()]);
    stdout(&o).trim().parse().unwrap()
}

fn reasons(rep: &Value) -> Vec<String> {
    rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["duplicate_reasons"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_same_url_with_other_text_is_one_article() {
    let (code, err, rep, dir) = index("same-url");
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&dir), 1);
    assert_eq!(rep["duplicate_documents"], 1);
    assert_eq!(reasons(&rep), vec!["same URL"]);
    assert!(
        err.lines()
            .any(|l| l.starts_with("duplicate:") && l.ends_with("(same URL)")),
        "{err}"
    );
}

#[test]
fn the_same_body_under_another_title_is_one_article() {
    let (code, err, rep, dir) = index("same-text");
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&dir), 1);
    assert_eq!(reasons(&rep), vec!["same text"]);
    assert!(err.contains("(same text)"), "{err}");
}

#[test]
fn the_same_headline_on_the_same_day_with_other_text_stays_two_articles() {
    let (code, err, rep, dir) = index("same-title-different-text");
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&dir), 2, "{err}");
    assert_eq!(rep["duplicate_documents"], 0);
    assert!(!err.contains("duplicate:"), "{err}");
    // both are found by a word only one of them has
    let idx = dir.path().join("ix");
    for (word, source) in [("tariffs", "quarry-ledger"), ("funding", "fenwick-daily")] {
        let o = run(&[
            "search",
            word,
            "--index",
            idx.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let serp: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(serp["total_hits"], 1, "{word}");
        assert_eq!(serp["hits"][0]["source"], source, "{word}");
    }
}

/// A partner's copy of a wire story that changes one figure and one word (estimated
/// Jaccard of the bodies well over 0.9) under the same headline, recased, on the same
/// day: one article, merged with its estimated similarity as the reason.
#[test]
fn a_near_identical_copy_under_the_same_headline_is_one_article() {
    let (code, err, rep, dir) = index("near-identical-text");
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&dir), 1, "{err}");
    assert_eq!(rep["duplicate_documents"], 1);
    let r = reasons(&rep);
    assert_eq!(r.len(), 1, "{r:?}");
    let pct: u32 = r[0]
        .strip_prefix("same text ")
        .and_then(|p| p.strip_suffix('%'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("reason {:?}", r[0]));
    assert!((90..100).contains(&pct), "{pct}");
    assert!(err.contains(&format!("(same text {pct}%)")), "{err}");
    // the richer copy (the wire's, with its byline) is the one kept
    let idx = dir.path().join("ix");
    let o = run(&[
        "search",
        "harbor",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let serp: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(serp["hits"][0]["source"], "example-wire");
}

/// Near-identical bodies under different headlines are not merged: two articles from
/// one template (a price brief, a generated export) differ in a few words only. They
/// stay two documents, grouped as one story.
#[test]
fn near_identical_text_under_another_headline_stays_two_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let src =
        std::fs::read_to_string(fixture("near-identical-text/harbor-partner.ndjson")).unwrap();
    let mut rec: Value = serde_json::from_str(src.trim()).unwrap();
    std::fs::write(docs.join("a.ndjson"), format!("{rec}\n")).unwrap();
    rec["title"] = "Lisbon venue halts customer transfers pending an outside audit".into();
    rec["url"] = "https://third.example.com/lisbon-venue-halts-transfers".into();
    let body = rec["body"]
        .as_str()
        .unwrap()
        .replace("42,000 bitcoin", "43,000 bitcoin");
    rec["body"] = body.into();
    std::fs::write(docs.join("b.ndjson"), format!("{rec}\n")).unwrap();
    let idx = tmp.path().join("ix");
    let o = run(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&[
        "search",
        "harbor",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let serp: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(serp["total_hits"], 2, "{serp}");
    assert_eq!(serp["hits"][0]["story"], serp["hits"][1]["story"]);
    assert_eq!(serp["hits"][0]["story_size"], 2);
}
