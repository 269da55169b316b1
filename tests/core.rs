//! The core contract over the bundled sample corpus: every page dump parses into the
//! facts written down in `fixtures/sample_corpus_expected.json`; known queries return
//! their article first; teaser-only and chrome-only words match nothing; date, tag and
//! source filters are hard; JSON output parses into strict structs; exit codes.

mod util;

use std::path::Path;

use chrono::{NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use util::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fact {
    path: String,
    shape: String,
    source: String,
    title: String,
    dek: String,
    authors: Vec<String>,
    published_local: Option<String>,
    updated_local: Option<String>,
    tags: Vec<String>,
    query: String,
    body_phrase: String,
    teaser_words: Vec<String>,
    chrome_words: Vec<String>,
}

fn facts() -> Vec<Fact> {
    let data = include_str!("fixtures/sample_corpus_expected.json");
    serde_json::from_str(data).unwrap()
}

fn utc(local: &str) -> chrono::DateTime<Utc> {
    let n = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap();
    chrono_tz::America::New_York
        .from_local_datetime(&n)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Serp {
    query: String,
    total_hits: usize,
    hits: Vec<JsonHit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonHit {
    rank: usize,
    score: f32,
    id: String,
    title: String,
    published: Option<String>,
    updated: Option<String>,
    tags: Vec<String>,
    source: String,
    url: Option<String>,
    path: String,
    snippet: String,
    highlights: Vec<[usize; 2]>,
    story: String,
    story_size: u64,
    story_sources: Vec<String>,
}

fn json_search(query: &str, extra: &[&str]) -> Serp {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let o = search(query, &args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&o)))
}

#[test]
fn every_page_dump_parses_into_its_facts() {
    let opts = coindex::normalize::NormalizeOptions {
        timezone: chrono_tz::America::New_York,
    };
    let mut failures = Vec::new();
    for f in facts() {
        let path = corpus().join(&f.path);
        let text = std::fs::read_to_string(&path).unwrap();
        let raw = coindex::ingest::pagedump::parse(&text);
        let a = coindex::normalize::normalize(
            raw,
            &f.path,
            &coindex::ingest::folder_source(Path::new(&f.path)),
            &opts,
        )
        .unwrap();
        let want_pub = f
            .published_local
            .as_deref()
            .or(f.updated_local.as_deref())
            .map(utc);
        let want_upd = f.updated_local.as_deref().map(utc);
        let checks = [
            (
                "title",
                a.title == f.title,
                format!("{:?} vs {:?}", a.title, f.title),
            ),
            ("dek", a.dek == f.dek, format!("{:?} vs {:?}", a.dek, f.dek)),
            (
                "authors",
                a.authors == f.authors,
                format!("{:?} vs {:?}", a.authors, f.authors),
            ),
            (
                "published",
                a.published == want_pub,
                format!("{:?} vs {:?}", a.published, want_pub),
            ),
            (
                "updated",
                a.updated == want_upd,
                format!("{:?} vs {:?}", a.updated, want_upd),
            ),
            (
                "tags",
                a.tags == f.tags,
                format!("{:?} vs {:?}", a.tags, f.tags),
            ),
            (
                "source",
                a.source == f.source,
                format!("{:?} vs {:?}", a.source, f.source),
            ),
            (
                "body phrase",
                a.body.contains(&f.body_phrase),
                f.body_phrase.clone(),
            ),
        ];
        for (what, ok, detail) in checks {
            if !ok {
                failures.push(format!("{} ({}): {what}: {detail}", f.path, f.shape));
            }
        }
        let lower = format!("{} {} {}", a.title, a.dek, a.body).to_lowercase();
        for w in f.teaser_words.iter().chain(&f.chrome_words) {
            let found = lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|t| t == w.as_str());
            if found {
                failures.push(format!(
                    "{}: boilerplate word {w:?} kept in the article",
                    f.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn known_queries_return_their_article_first() {
    let mut failures = Vec::new();
    for f in facts() {
        let serp = json_search(&f.query, &["--limit", "3"]);
        let first = serp
            .hits
            .first()
            .map(|h| h.path.clone())
            .unwrap_or_default();
        if !first.ends_with(&f.path) {
            failures.push(format!(
                "{:?}: expected {} first, got {first}",
                f.query, f.path
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn teaser_and_chrome_words_match_nothing() {
    for f in facts() {
        for w in f.teaser_words.iter().chain(&f.chrome_words) {
            let o = search(w, &["--format", "json"]);
            let serp: Serp = serde_json::from_slice(&o.stdout).unwrap();
            let leaked: Vec<_> = serp
                .hits
                .iter()
                .filter(|h| h.path.ends_with(&f.path))
                .collect();
            assert!(
                leaked.is_empty(),
                "{w:?} from the chrome/teasers of {} matches it",
                f.path
            );
        }
    }
    let o = search("kestrune", &[]);
    assert_code(&o, 1);
}

#[test]
fn date_filters_are_inclusive_at_day_boundaries() {
    // Published Dec 31, 2023, 11:30 p.m. New York time (04:30 UTC on Jan 1).
    let late = facts()
        .into_iter()
        .find(|f| f.published_local.as_deref() == Some("2023-12-31T23:30"))
        .expect("corpus has the New Year's Eve article");
    let q = late.query.as_str();
    let hit = |extra: &[&str]| {
        json_search(q, extra)
            .hits
            .iter()
            .any(|h| h.path.ends_with(&late.path))
    };
    assert!(hit(&["--from", "2023-12-31", "--to", "2023-12-31"]));
    assert!(hit(&["--to", "2023-12"]));
    assert!(!hit(&["--from", "2024-01-01"]));
    assert!(!hit(&["--to", "2023-12-30"]));
    // the same instant read in UTC belongs to January 1
    assert!(hit(&["--from", "2024-01-01", "--timezone", "UTC"]));
    assert!(hit(&[
        "--from",
        "2024-01-01T04:30:00Z",
        "--to",
        "2024-01-01T04:30:00Z"
    ]));
    assert!(!hit(&["--from", "2024-01-01T04:30:01Z"]));
    // every hit of a year filter lies inside the year
    let serp = json_search(
        "bitcoin",
        &["--from", "2017", "--to", "2017", "--limit", "50"],
    );
    assert!(!serp.hits.is_empty());
    for h in serp.hits {
        let p = h.published.unwrap();
        assert!(
            p.as_str() >= "2017-01-01T05:00:00Z" && p.as_str() < "2018-01-01T05:00:00Z",
            "{p}"
        );
    }
}

#[test]
fn issue_example_blockchain_research_lab() {
    let serp = json_search(
        "blockchain research lab",
        &["--from", "2017-09", "--to", "2017-12", "--tag", "china"],
    );
    assert!(
        serp.hits[0]
            .path
            .ends_with("blockledger/2017/china-blockchain-lab.txt"),
        "{:?}",
        serp.hits[0].path
    );
    for h in &serp.hits {
        assert!(h.tags.contains(&"china".to_string()));
    }
}

#[test]
fn tag_and_source_filters_are_hard() {
    let serp = json_search("bitcoin", &["--tag", "mining", "--limit", "50"]);
    assert!(!serp.hits.is_empty());
    assert!(
        serp.hits
            .iter()
            .all(|h| h.tags.contains(&"mining".to_string()))
    );
    let serp = json_search("bitcoin", &["--source", "coinwire", "--limit", "50"]);
    assert!(!serp.hits.is_empty());
    assert!(serp.hits.iter().all(|h| h.source == "coinwire"));
    assert_code(&search("bitcoin", &["--tag", "no-such-tag"]), 1);
}

#[test]
fn all_words_rank_above_some_words() {
    // Every hit containing both words must come before any hit with only one.
    let serp = json_search("halving miners", &["--limit", "40"]);
    let both: Vec<bool> = serp
        .hits
        .iter()
        .map(|h| {
            let t = format!("{} {}", h.title, h.snippet).to_lowercase();
            t.contains("halving") && t.contains("miner")
        })
        .collect();
    assert!(serp.total_hits >= serp.hits.len());
    if let Some(first_partial) = both.iter().position(|b| !b) {
        assert!(
            both[first_partial..].iter().all(|b| !b) || serp.hits.len() < 2,
            "{both:?}"
        );
    }
}

#[test]
fn json_output_is_a_strict_contract() {
    let serp = json_search("spot bitcoin etf", &["--limit", "5"]);
    assert_eq!(serp.query, "spot bitcoin etf");
    assert!(serp.total_hits >= serp.hits.len() && !serp.hits.is_empty());
    for (i, h) in serp.hits.iter().enumerate() {
        assert_eq!(h.rank, i + 1);
        assert!(h.score > 0.0);
        assert_eq!(h.id.len(), 16);
        assert!(!h.title.is_empty() && !h.source.is_empty() && !h.path.is_empty());
        assert!(h.url.is_none() || h.url.as_deref().unwrap().starts_with("http"));
        if let Some(p) = &h.published {
            chrono::DateTime::parse_from_rfc3339(p).unwrap();
            assert!(p.ends_with('Z'));
        }
        if let Some(u) = &h.updated {
            chrono::DateTime::parse_from_rfc3339(u).unwrap();
        }
        let chars: Vec<char> = h.snippet.chars().collect();
        for [a, b] in &h.highlights {
            assert!(a < b && *b <= chars.len());
        }
        // every hit names its story, whose versions include it and its source
        assert_eq!(h.story.len(), 16);
        assert!(h.story_size >= 1);
        assert!(h.story_sources.contains(&h.source), "{h:?}");
        assert_eq!(h.story_size == 1, h.story == h.id, "{h:?}");
    }
    assert!(
        !serp.hits[0].highlights.is_empty(),
        "top hit has highlighted terms"
    );
}

#[test]
fn text_output_shows_rank_title_path_and_marked_snippet() {
    let o = search("blockchain research lab", &["--color", "never"]);
    assert_code(&o, 0);
    let s = stdout(&o);
    assert!(s.starts_with("1. "), "{s}");
    assert!(s.contains("china-blockchain-lab.txt"));
    assert!(s.contains("**"), "visible highlight markers: {s}");
    assert!(!s.contains('\x1b'));
    let o = search("blockchain research lab", &["--color", "always"]);
    assert!(stdout(&o).contains("\x1b[1m"));
}

#[test]
fn exit_codes() {
    assert_code(&search("bitcoin", &[]), 0);
    assert_code(&search("zzyzzyxnomatch", &[]), 1);
    let bad_date = search("bitcoin", &["--from", "2017-13"]);
    assert_code(&bad_date, 2);
    assert!(stderr(&bad_date).contains("invalid month"));
    assert_code(&search("bitcoin", &["--limit", "0"]), 2);
    assert_code(&search("bitcoin", &["--sort", "sideways"]), 2);
    assert_code(&search("\"unclosed", &[]), 2);
    let missing = run(&["search", "bitcoin", "--index", "/nonexistent/coindex-test"]);
    assert_code(&missing, 2);
    assert!(stderr(&missing).contains("no index at"));
    assert_code(&run(&["frobnicate"]), 2);
}

#[test]
fn reindexing_the_same_folder_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("ix");
    let idx = idx.to_str().unwrap();
    let c = corpus();
    let c = c.to_str().unwrap();
    assert_code(&run(&["index", c, "--index", idx]), 0);
    let again = run(&["index", c, "--index", idx]);
    assert_code(&again, 0);
    let err = stderr(&again);
    assert!(
        err.contains("0 new") && err.contains("0 documents indexed"),
        "{err}"
    );
    // a forced full re-read (mtime change) upserts by id instead of duplicating
    let o = run(&["index", c, "--index", idx, "--rebuild"]);
    assert_code(&o, 0);
    let n = |s: &str| -> usize {
        let serp: Serp = serde_json::from_slice(
            &run(&[
                "search", s, "--index", idx, "--format", "json", "--limit", "100",
            ])
            .stdout,
        )
        .unwrap();
        serp.total_hits
    };
    assert_eq!(n("bitcoin"), n("bitcoin"));
    let env_o = cmd()
        .args(["search", "bitcoin"])
        .env("COINDEX_INDEX", idx)
        .output()
        .unwrap();
    assert_code(&env_o, 0);
}

#[test]
fn filters_never_widen_a_multi_word_query() {
    // regression: a required filter next to the optional second-tier words made every
    // filtered document match
    let plain = json_search("spot etf", &[]).total_hits;
    let filtered = json_search("spot etf", &["--from", "2010"]).total_hits;
    assert_eq!(plain, filtered);
    let in_query = json_search("spot etf published:2010..2030", &[]).total_hits;
    assert_eq!(plain, in_query);
    assert!(json_search("spot etf +bitcoin", &[]).total_hits <= plain);
}

#[test]
fn stop_words_are_not_indexed_but_phrases_across_them_match_exactly() {
    // "the scale of the theft": `the` and `of` are stop words; the phrase still has to
    // line up word for word (each stop word keeps its position)
    let hit = json_search("\"scale of the theft\"", &[]);
    assert_eq!(hit.total_hits, 1, "{:?}", hit.hits);
    // the same words with a different stop-word count do not match as a phrase
    assert_eq!(json_search("\"scale of theft\"", &[]).total_hits, 0);
    assert_eq!(
        json_search("\"scale the theft conversation\"", &[]).total_hits,
        0
    );
    // stop words are indexed in their exact form: a phrase matches them as written
    assert_eq!(json_search("\"scale of a theft\"", &[]).total_hits, 0);
    // a query made of stop words only is a search (#21), never an error
    let o = search("the of and", &[]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{o:?}"
    );
    let the = json_search("the", &[]);
    assert!(the.total_hits > 10, "{}", the.total_hits);
    // a stop word next to real words changes nothing
    let with = json_search("the hack", &[]);
    let without = json_search("hack", &[]);
    assert_eq!(with.total_hits, without.total_hits);
    assert_eq!(
        with.hits.iter().map(|h| &h.id).collect::<Vec<_>>(),
        without.hits.iter().map(|h| &h.id).collect::<Vec<_>>()
    );
}

#[test]
fn exact_forms_outrank_stems_and_stems_still_match() {
    // two articles with the same words in other forms: each query form ranks the
    // article that has it as written first, and finds the other through the stem
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let lines = [
        r#"{"url":"https://a.example/1","title":"Quarterly report","body":"The pool moved funds while miners watched the market."}"#,
        r#"{"url":"https://a.example/2","title":"Quarterly report","body":"The pool moves funds while a miner watched the market."}"#,
        r#"{"url":"https://a.example/3","title":"THE DAO WEBSITE IS DOWN","body":"Visitors saw an error page for hours."}"#,
        r#"{"url":"https://a.example/4","title":"Ethereum and the merge","body":"The Merge moved Ethereum to proof of stake."}"#,
        r#"{"url":"https://a.example/5","title":"Merge talk","body":"A merge of two exchanges was announced."}"#,
        r#"{"url":"https://a.example/6","title":"GAS FEES SOAR","body":"Users paid more to send tokens."}"#,
    ];
    std::fs::write(docs.join("export.ndjson"), lines.join("\n")).unwrap();
    let idx = dir.path().join("ix");
    let idx = idx.to_str().unwrap();
    assert_code(
        &run(&["index", docs.to_str().unwrap(), "--index", idx, "-q"]),
        0,
    );
    let urls = |q: &str| -> Vec<String> {
        let o = run(&["search", q, "--index", idx, "--format", "json"]);
        assert_code(&o, 0);
        let serp: Serp = serde_json::from_slice(&o.stdout).unwrap();
        serp.hits.into_iter().filter_map(|h| h.url).collect()
    };
    let urls_or_none = |q: &str| -> Vec<String> {
        let o = run(&["search", q, "--index", idx, "--format", "json"]);
        let serp: Serp = serde_json::from_slice(&o.stdout).unwrap();
        serp.hits.into_iter().filter_map(|h| h.url).collect()
    };
    let moves = urls("moves");
    assert_eq!((moves.len(), moves[0].as_str()), (3, "https://a.example/2"));
    let moved = urls("moved");
    assert_eq!((moved.len(), moved[2].as_str()), (3, "https://a.example/2"));
    assert_eq!(urls("moved funds")[0], "https://a.example/1");
    assert_eq!(urls("moves funds")[0], "https://a.example/2");
    assert_eq!(urls("miners")[0], "https://a.example/1");
    // `miner` is its own stem, so it is not indexed twice; the query takes the other
    // forms' exact terms (`=miners`) back out of its stem, so it prefers `miner` too
    let miner = urls("miner");
    assert_eq!((miner.len(), miner[0].as_str()), (2, "https://a.example/2"));
    // taking other forms out never makes a match: `FEES` is the acronym `fees` with
    // the exact form `=fees`, which `fee` takes out but does not match by
    assert!(urls_or_none("fee").is_empty());
    assert_eq!(urls("fees"), ["https://a.example/6"]);
    // an all-caps headline is found by its words in lowercase, and in other forms
    assert_eq!(urls("website"), ["https://a.example/3"]);
    assert_eq!(urls("websites"), ["https://a.example/3"]);
    // a quoted phrase with a stop word matches it exactly
    assert_eq!(urls("\"the merge\"")[0], "https://a.example/4");
    assert!(!urls("\"the merge\"").contains(&"https://a.example/5".to_string()));
    assert_eq!(urls("\"a merge\""), ["https://a.example/5"]);
    // the highlighter shows the stop word of a phrase too
    let o = run(&[
        "search",
        "\"the merge\"",
        "--index",
        idx,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let hit = &v["hits"][0];
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            snippet[a..b].iter().collect::<String>().to_lowercase()
        })
        .collect();
    assert!(
        marked.contains(&"the".to_string()) && marked.contains(&"merge".to_string()),
        "{marked:?}"
    );
}

#[test]
fn equal_scores_rank_newest_first_and_a_short_top_matches_the_full_ranking() {
    // 12 copies of one story (equal scores) dated a day apart among 800 other matches:
    // the top 5 must be the five newest copies, newest first, even though the ranking
    // skips postings that cannot reach the top (block-max WAND) and reads dates only
    // for candidates; and any short top must be the head of the full ranking.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let mut lines = String::new();
    // the copies sit in the middle of the file, so that they land in a later posting
    // block than the first matches (block-max WAND skips whole blocks)
    for n in 0..812 {
        if (700..712).contains(&n) {
            let i = n - 700;
            lines.push_str(&format!(
                "{{\"url\":\"https://ties.example/copy-{i}\",\"title\":\"Hashrate hits a hashrate record\",\"tags\":[\"mining\"],\
                 \"published\":\"2024-03-{:02}T12:00:00Z\",\"body\":\"The network hashrate set a record.\"}}\n",
                i + 1
            ));
            continue;
        }
        let i = if n < 700 { n } else { n - 12 };
        let filler = "miners reported steady output across the quarter ".repeat(1 + i % 9);
        lines.push_str(&format!(
            "{{\"url\":\"https://other.example/{i}\",\"title\":\"Quarterly miner report {i}\",\"tags\":[\"mining\"],\
             \"published\":\"2023-02-01T{:02}:{:02}:00Z\",\"body\":\"Report {i}: {filler} The hashrate rose {i} percent.\"}}\n",
            i / 60,
            i % 60
        ));
    }
    std::fs::write(docs.join("export.ndjson"), lines).unwrap();
    let idx = dir.path().join("ix");
    let idx = idx.to_str().unwrap();
    assert_code(
        &run(&["index", docs.to_str().unwrap(), "--index", idx, "-q"]),
        0,
    );
    let search = |q: &str, limit: &str| -> Serp {
        let o = run(&[
            "search", q, "--index", idx, "--format", "json", "--limit", limit,
        ]);
        assert_code(&o, 0);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let top = |limit: &str| search("hashrate", limit);
    let newest = [
        "2024-03-12T12:00:00Z",
        "2024-03-11T12:00:00Z",
        "2024-03-10T12:00:00Z",
        "2024-03-09T12:00:00Z",
        "2024-03-08T12:00:00Z",
    ];
    let dates = |s: &Serp| -> Vec<String> {
        s.hits
            .iter()
            .map(|h| h.published.clone().unwrap_or_default())
            .collect()
    };
    let five = top("5");
    assert_eq!(five.total_hits, 812);
    assert_eq!(dates(&five), newest);
    // every document ties on a tag query: it is the date alone that orders them
    let tagged = search("tag:mining", "5");
    assert_eq!(tagged.total_hits, 812);
    assert_eq!(dates(&tagged), newest);
    let all = top("1000");
    assert_eq!(all.total_hits, 812);
    assert_eq!(all.hits.len(), 812);
    for limit in ["1", "12", "13", "50"] {
        let short = top(limit);
        let n = short.hits.len();
        let ids = |s: &Serp, n: usize| s.hits[..n].iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&short, n), ids(&all, n), "--limit {limit}");
    }
}

/// The specialized search routes (one word with filters; date order) rank and count
/// exactly as tantivy's generic collectors do, on an index of many segments with tied
/// scores, tied dates and undated articles. A wrong seek, a filter bit set from the
/// wrong segment or a lost tie shows up as a different id list or count.
#[test]
fn specialized_search_routes_match_the_generic_ones() {
    use coindex::search::{Engine, Filters, SearchRequest, Sort};
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("exports");
    std::fs::create_dir_all(&src).unwrap();
    let words = [
        "bitcoin",
        "miners",
        "hashrate",
        "exchange",
        "regulators",
        "etf",
        "stablecoin",
        "treasury",
        "halving",
        "wallet",
        "ledger",
        "custody",
        "kalomer",
        "tokens",
    ];
    let tags = ["markets", "mining", "policy", "defi"];
    let sources = ["coinwire", "chainpost", "blockledger"];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    for file in 0..3 {
        let mut lines = String::new();
        for i in 0..300 {
            let mut pick = |n: usize| -> String {
                (0..n)
                    .map(|_| words[next(words.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let title = pick(3);
            let mut body = pick(25 + i % 30);
            if i % 17 == 0 {
                body.push_str(" kalomer");
            }
            // twelve distinct dates a year: many ties; every 13th article undated
            let date = (i % 13 != 0)
                .then(|| format!("20{}-{:02}-01T00:00:00Z", 15 + next(10), 1 + next(12)));
            let mut t = vec![tags[next(tags.len())]];
            if next(2) == 0 {
                t.push(tags[next(tags.len())]);
            }
            let rec = serde_json::json!({
                "title": format!("{title} {file}-{i}"),
                "url": format!("https://news.example/{file}/{i}"),
                "publishedAt": date,
                "source": sources[next(sources.len())],
                "tags": t,
                "content": body,
            });
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        std::fs::write(src.join(format!("part-{file}.ndjson")), lines).unwrap();
    }
    let idx = dir.path().join("index");
    let out = run(&[
        "index",
        src.to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
        // segments of 300: large enough that the date route drops candidates
        "--commit-every",
        "300",
        "--quiet",
    ]);
    assert_code(&out, 0);
    let fast = Engine::open(&idx).unwrap();
    let mut generic = Engine::open(&idx).unwrap();
    generic.set_generic_routes(true);
    assert!(
        fast.searcher.segment_readers().len() > 1,
        "several segments"
    );
    let day = |s: &str| coindex::search::DateBound::parse(s).unwrap();
    let filter_sets: Vec<Filters> = vec![
        Filters::default(),
        Filters {
            tags: vec!["markets".into()],
            ..Default::default()
        },
        Filters {
            sources: vec!["chainpost".into()],
            ..Default::default()
        },
        Filters {
            tags: vec!["mining".into(), "policy".into()],
            ..Default::default()
        },
        {
            let mut f = Filters::default();
            f.dates.from = day("2017-03").start(chrono_tz::UTC);
            f.dates.to_exclusive = day("2021").end_exclusive(chrono_tz::UTC);
            f
        },
        {
            let mut f = Filters {
                tags: vec!["defi".into()],
                ..Default::default()
            };
            f.dates.from = day("2023").start(chrono_tz::UTC);
            f
        },
    ];
    let mut checked = 0;
    for q in [
        "bitcoin",
        "halving",
        "title:custody",
        "outflows",
        "bitcoin miners",
    ] {
        for filters in &filter_sets {
            for sort in [Sort::Relevance, Sort::Date] {
                // 60: every `kalomer` article, the undated ones last
                for limit in [3, 10, 60] {
                    let req = SearchRequest {
                        query: q.to_string(),
                        filters: filters.clone(),
                        limit,
                        sort,
                        fuzzy: false,
                        recent: false,
                        snippets: 1,
                        snippet_len: 120,
                        timezone: chrono_tz::UTC,
                        collapse: false,
                    };
                    let a = fast.search(&req).unwrap();
                    let b = generic.search(&req).unwrap();
                    let what = format!("{q:?} {filters:?} {sort:?} limit {limit}");
                    assert_eq!(a.total_hits, b.total_hits, "count of {what}");
                    let ids = |r: &coindex::search::SearchResults| -> Vec<String> {
                        r.hits.iter().map(|h| h.article.id.clone()).collect()
                    };
                    assert_eq!(ids(&a), ids(&b), "ranking of {what}");
                    for (h, g) in a.hits.iter().zip(&b.hits) {
                        assert!((h.score - g.score).abs() < 1e-4, "score in {what}");
                    }
                    checked += usize::from(!a.hits.is_empty());
                }
            }
        }
    }
    assert!(checked > 100, "{checked} searches had hits");
}
