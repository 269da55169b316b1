//! Stories: syndicated copies and rewrites of one story are grouped, never dropped.
//! Every version stays a searchable document with the story's id; `--collapse story`
//! shows one hit per story with its size and sources; `coindex story` lists the
//! versions oldest first; facet and timeline counts can take each story once; story
//! sizes follow new versions and deletions across runs. A generated corpus of distinct
//! articles loses none of them. Fixture: `tests/fixtures/stories/syndicated/` (a wire
//! story, a partner's copy with its own intro under another headline, a rewrite the
//! next day under the wire's headline, and an unrelated article).

mod util;

use serde_json::Value;
use std::path::Path;
use util::*;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stories")
        .join(name)
}

fn index(docs: &Path, idx: &Path) -> std::process::Output {
    run(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
    ])
}

fn json(args: &[&str], idx: &Path) -> Value {
    let mut a = args.to_vec();
    a.extend(["--index", idx.to_str().unwrap(), "--format", "json"]);
    let o = run(&a);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

fn syndicated() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("ix");
    let o = index(&fixture("syndicated"), &idx);
    assert_code(&o, 0);
    (tmp, idx)
}

#[test]
fn syndicated_versions_are_one_story_and_each_stays_searchable() {
    let (_tmp, idx) = syndicated();
    let serp = json(&["search", "withdrawals"], &idx);
    let hits = serp["hits"].as_array().unwrap();
    assert_eq!(serp["total_hits"], 3, "{serp}");
    let story = hits[0]["story"].as_str().unwrap();
    assert_eq!(story.len(), 16);
    for h in hits {
        assert_eq!(h["story"], story, "{h}");
        assert_eq!(h["story_size"], 3, "{h}");
        assert_eq!(
            h["story_sources"],
            serde_json::json!(["coastal-ledger", "example-wire", "partner-daily"])
        );
    }
    // the story id is the first indexed version's id: the wire's
    let wire = hits.iter().find(|h| h["source"] == "example-wire").unwrap();
    assert_eq!(wire["id"], story);
    // a version found by a word only it has
    let serp = json(&["search", "tripled"], &idx);
    assert_eq!(serp["hits"][0]["source"], "coastal-ledger");
    // the unrelated article of the same day is a story of its own
    let serp = json(&["search", "miners"], &idx);
    assert_eq!(serp["hits"][0]["story_size"], 1);
    assert_eq!(serp["hits"][0]["story"], serp["hits"][0]["id"]);
}

#[test]
fn collapse_shows_one_hit_per_story_with_its_versions() {
    let (_tmp, idx) = syndicated();
    let serp = json(&["search", "exchange OR grid", "--collapse", "story"], &idx);
    let hits = serp["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{serp}");
    assert_eq!(serp["total_hits"], 4, "total_hits counts documents");
    let stories: Vec<&Value> = hits.iter().map(|h| &h["story"]).collect();
    assert_ne!(stories[0], stories[1]);
    assert_eq!(hits[0]["rank"], 1);
    assert_eq!(hits[1]["rank"], 2);
    // people see the other versions and their sources
    let o = run(&[
        "search",
        "withdrawals",
        "--collapse",
        "story",
        "--index",
        idx.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_code(&o, 0);
    let text = stdout(&o);
    assert!(
        text.contains("+2 versions · coastal-ledger, example-wire, partner-daily · coindex story"),
        "{text}"
    );
    assert!(text.contains("1 of 3 hits"), "{text}");
    // a bad value is a usage error
    let o = run(&[
        "search",
        "x",
        "--collapse",
        "source",
        "--index",
        idx.to_str().unwrap(),
    ]);
    assert_code(&o, 2);
}

#[test]
fn story_lists_versions_oldest_first_by_story_or_version_id() {
    let (_tmp, idx) = syndicated();
    let serp = json(&["search", "tripled"], &idx);
    let rewrite_id = serp["hits"][0]["id"].as_str().unwrap().to_string();
    let story = serp["hits"][0]["story"].as_str().unwrap().to_string();
    for key in [
        story.as_str(),
        rewrite_id.as_str(),
        "https://partner.example.org/news/2025/03/11/locked-out",
    ] {
        let s = json(&["story", key], &idx);
        let hits = s["hits"].as_array().unwrap();
        let sources: Vec<&str> = hits.iter().map(|h| h["source"].as_str().unwrap()).collect();
        assert_eq!(
            sources,
            ["example-wire", "partner-daily", "coastal-ledger"],
            "{key}"
        );
        let dates: Vec<&str> = hits
            .iter()
            .map(|h| h["published"].as_str().unwrap())
            .collect();
        assert!(dates.is_sorted(), "{dates:?}");
        assert_eq!(s["query"], format!("story:{story}"));
    }
    let o = run(&[
        "story",
        "0000000000000000",
        "--index",
        idx.to_str().unwrap(),
    ]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("no story"), "{}", stderr(&o));
}

#[test]
fn facets_and_timeline_count_each_story_once() {
    let (_tmp, idx) = syndicated();
    let counts = |v: &Value| -> Vec<(String, u64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["value"].as_str().unwrap().to_string(),
                    c["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let tags = json(&["tags"], &idx);
    assert_eq!(counts(&tags)[0], ("exchanges".to_string(), 3));
    let tags = json(&["tags", "--collapse", "story"], &idx);
    assert_eq!(
        counts(&tags),
        [
            ("exchanges".to_string(), 1),
            ("mining".to_string(), 1),
            ("regulation".to_string(), 1)
        ]
    );
    let sources = json(&["sources", "--collapse", "story"], &idx);
    assert!(
        counts(&sources).contains(&("example-wire".to_string(), 2)),
        "{sources}"
    );
    let t = json(&["timeline", "withdrawals", "--by", "month"], &idx);
    assert_eq!(t["buckets"][0]["count"], 3);
    let t = json(
        &[
            "timeline",
            "withdrawals",
            "--by",
            "month",
            "--collapse",
            "story",
        ],
        &idx,
    );
    assert_eq!(t["buckets"][0]["count"], 1, "{t}");
    assert_eq!(t["buckets"][0]["period"], "2025-03");
}

/// A version indexed in a later run joins the story; deleting versions shrinks it.
#[test]
fn story_sizes_follow_new_versions_and_deletions() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let idx = tmp.path().join("ix");
    let all = std::fs::read_to_string(fixture("syndicated/wire-and-partners.ndjson")).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    std::fs::write(docs.join("wire.ndjson"), format!("{}\n", lines[0])).unwrap();
    assert_code(&index(&docs, &idx), 0);
    let size = |q: &str| json(&["search", q], &idx)["hits"][0]["story_size"].clone();
    assert_eq!(size("withdrawals"), 1);
    std::fs::write(docs.join("partner.ndjson"), format!("{}\n", lines[1])).unwrap();
    std::fs::write(docs.join("rewrite.ndjson"), format!("{}\n", lines[2])).unwrap();
    assert_code(&index(&docs, &idx), 0);
    assert_eq!(size("tripled"), 3);
    std::fs::remove_file(docs.join("wire.ndjson")).unwrap();
    assert_code(&index(&docs, &idx), 0);
    // the story keeps its id (the first version's) after that version is gone
    let serp = json(&["search", "withdrawals"], &idx);
    assert_eq!(serp["total_hits"], 2);
    assert_eq!(serp["hits"][0]["story_size"], 2);
    assert_eq!(serp["hits"][0]["story"], serp["hits"][1]["story"]);
    std::fs::remove_file(docs.join("partner.ndjson")).unwrap();
    assert_code(&index(&docs, &idx), 0);
    assert_eq!(size("tripled"), 1);
}

/// A generated corpus of distinct articles, including pairs that share a headline and
/// day and pairs built from one template that differ in a few words: every article is
/// indexed and findable, none merged.
#[test]
fn a_generated_corpus_loses_no_distinct_article() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let words = [
        "exchange",
        "regulator",
        "token",
        "wallet",
        "miners",
        "futures",
        "custody",
        "lender",
        "stablecoin",
        "validator",
        "treasury",
        "audit",
        "settlement",
        "liquidity",
        "index",
        "bridge",
        "outflows",
        "issuer",
        "filing",
        "approval",
        "halving",
        "reserve",
        "desk",
        "spread",
        "volume",
        "rally",
        "slump",
        "court",
        "ruling",
        "fund",
    ];
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let n = 400;
    let mut out = String::new();
    for i in 0..n {
        let body: Vec<String> = if i % 4 == 3 {
            // a template article: the same 120 words as its neighbour but its marker
            // and two figures
            (0..120)
                .map(|k| match k {
                    7 => format!("genmark{i}"),
                    40 => format!("{}", 10 + i),
                    90 => format!("{}.{}", i % 7, i % 9),
                    _ => words[(k * 7 + (i / 4)) % words.len()].to_string(),
                })
                .collect()
        } else {
            let mut b: Vec<String> = (0..120)
                .map(|_| words[next() % words.len()].to_string())
                .collect();
            b[7] = format!("genmark{i}");
            b
        };
        // pairs of articles share a generic headline on one day
        let title = if i % 2 == 0 {
            format!("Why is the crypto market moving today? Part {}", i / 2)
        } else {
            format!(
                "Why is the crypto market moving today? Part {}",
                (i - 1) / 2
            )
        };
        let rec = serde_json::json!({
            "title": title,
            "url": format!("https://gen.example/{i}"),
            "published": format!("2024-0{}-{:02}T12:00:00Z", 1 + (i / 2) % 9, 1 + (i / 2) % 28),
            "body": body.join(" "),
        });
        out.push_str(&format!("{rec}\n"));
    }
    std::fs::write(docs.join("gen.ndjson"), out).unwrap();
    let idx = tmp.path().join("ix");
    let o = index(&docs, &idx);
    assert_code(&o, 0);
    assert!(!stderr(&o).contains("duplicate:"), "{}", stderr(&o));
    let o = run(&["count", "--index", idx.to_str().unwrap()]);
    assert_eq!(stdout(&o).trim(), n.to_string());
    for i in [0, 1, 3, 7, 199, 399] {
        let o = run(&[
            "count",
            &format!("genmark{i}"),
            "--index",
            idx.to_str().unwrap(),
        ]);
        assert_eq!(stdout(&o).trim(), "1", "genmark{i}");
    }
}
