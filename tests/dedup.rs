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
