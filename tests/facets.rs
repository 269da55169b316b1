//! Facets, timeline, stats, similar and date sort over the sample corpus, from the CLI.

mod util;

use serde_json::Value;
use util::*;

fn json(args: &[&str]) -> Value {
    let idx = corpus_index_arg();
    let mut a = args.to_vec();
    a.extend_from_slice(&["--index", idx.as_str(), "--format", "json"]);
    let o = run(&a);
    assert_code(&o, 0);
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn tags_and_sources_count_descending_and_respect_filters() {
    let all = json(&["tags"]);
    let counts: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert!(counts.len() >= 12);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let mining = json(&["tags", "hashrate"]);
    assert!(
        mining
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"] == "mining")
    );
    let sources = json(&["sources"]);
    let names: Vec<&str> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    for s in ["blockledger", "coinwire", "chainpost", "satoshi-times"] {
        assert!(names.contains(&s), "{names:?}");
    }
    let only = json(&["sources", "--source", "coinwire"]);
    assert_eq!(only.as_array().unwrap().len(), 1);
    let idx = corpus_index_arg();
    let csv = run(&[
        "tags",
        "--index",
        idx.as_str(),
        "--format",
        "csv",
        "-n",
        "3",
    ]);
    assert!(stdout(&csv).starts_with("tag,count\n"));
    assert_code(
        &run(&["tags", "zzyzzyxnomatch", "--index", idx.as_str()]),
        1,
    );
}

#[test]
fn timeline_shows_when_a_story_ran() {
    let t = json(&["timeline", "mt gox", "--by", "year"]);
    let buckets = t["buckets"].as_array().unwrap();
    assert!(!buckets.is_empty());
    // Mt. Gox is mentioned from 2013 (Silk Road) to 2018 (Coincheck); 2014 is the collapse
    assert!(buckets[0]["period"].as_str().unwrap() <= "2014");
    let y2014 = buckets.iter().find(|b| b["period"] == "2014").unwrap();
    assert!(y2014["count"].as_u64().unwrap() >= 1);
    let total: u64 = buckets.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert!(total >= 1);
    let idx = corpus_index_arg();
    let o = run(&[
        "timeline",
        "bitcoin",
        "--by",
        "month",
        "--index",
        idx.as_str(),
        "--color",
        "never",
    ]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains('█'));
    assert!(stdout(&o).contains("dated matches"));
}

#[test]
fn stats_describe_the_index() {
    let s = json(&["stats"]);
    assert!(s["documents"].as_u64().unwrap() >= 42);
    assert!(s["earliest"].as_str().unwrap().starts_with("2013"));
    assert!(s["latest"].as_str().unwrap().starts_with("2026"));
    assert!(s["index_bytes"].as_u64().unwrap() > 0);
    assert_eq!(s["schema_version"], 4);
    assert!(!s["top_tags"].as_array().unwrap().is_empty());
}

#[test]
fn similar_finds_related_articles_and_not_itself() {
    let serp = json(&["search", "\"blockchain research lab\""]);
    let id = serp["hits"][0]["id"].as_str().unwrap().to_string();
    let sim = json(&["similar", &id, "--limit", "5"]);
    let hits = sim["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["id"] != id.as_str()));
    let idx = corpus_index_arg();
    assert_code(
        &run(&["similar", "0000000000000000", "--index", idx.as_str()]),
        2,
    );
}

/// tantivy's MoreLikeThisQuery picked among equally weighted terms in hash order, so
/// two processes could list different related articles for the same document.
#[test]
fn similar_gives_the_same_answer_in_every_process() {
    let idx = corpus_index_arg();
    let ids = run(&[
        "export",
        "--index",
        idx.as_str(),
        "--fields",
        "id",
        "--format",
        "csv",
    ]);
    assert_code(&ids, 0);
    for id in stdout(&ids).lines().skip(1) {
        let first = json(&["similar", id, "--limit", "10"]);
        for _ in 0..2 {
            assert_eq!(json(&["similar", id, "--limit", "10"]), first, "{id}");
        }
    }
}

#[test]
fn sort_by_date_is_newest_first() {
    let serp = json(&["search", "bitcoin", "--sort", "date", "--limit", "20"]);
    let dates: Vec<&str> = serp["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["published"].as_str())
        .collect();
    assert!(dates.len() > 3);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn malformed_queries_exit_2_with_a_pointer() {
    let idx = corpus_index_arg();
    for q in [
        "\"unbalanced",
        "(open",
        "close)",
        "OR",
        "-only",
        "title:",
        "published:2024-13",
        "a\u{1}b",
        "nosuch:field",
    ] {
        let o = run(&["search", q, "--index", idx.as_str()]);
        assert_code(&o, 2);
        assert!(stderr(&o).contains("query"), "{q:?}: {}", stderr(&o));
    }
    let long = "bitcoin ".repeat(10_000);
    assert_code(&run(&["search", &long, "--index", idx.as_str()]), 2);
}
