//! coindex for scripts: every output format's contract (strict JSON structs, NDJSON,
//! CSV/TSV read back with the csv crate), `--fields`, batch queries, `get`, `count`,
//! `export` and the Quickwit config checked against Quickwit's documented rules, exit
//! codes, closed pipes, shell completions, man pages and the environment variables.

mod util;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Instant;

use serde::Deserialize;
use util::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Serp {
    query: String,
    total_hits: usize,
    hits: Vec<Hit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hit {
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

/// `coindex get --format json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    id: String,
    title: String,
    dek: String,
    url: Option<String>,
    source: String,
    authors: Vec<String>,
    published: Option<String>,
    updated: Option<String>,
    tags: Vec<String>,
    body: String,
    path: String,
    story: String,
}

/// One `coindex export` line: optional keys are omitted, never null.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exported {
    id: String,
    #[serde(default)]
    url: Option<String>,
    source: String,
    title: String,
    dek: String,
    authors: Vec<String>,
    body: String,
    tags: Vec<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    path: String,
    story: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountJson {
    query: Option<String>,
    count: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Echo {
    q: String,
    from: Option<String>,
    to: Option<String>,
    tags: Vec<String>,
    source: Vec<String>,
    limit: usize,
    sort: String,
}

/// A batch output line: a result set or an error.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum BatchLine {
    Result(BatchResult),
    Error(BatchError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchResult {
    line: usize,
    query: Echo,
    total_hits: usize,
    hits: Vec<Hit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchError {
    line: usize,
    input: String,
    error: String,
}

fn idx() -> String {
    corpus_index_arg()
}

/// Runs a command on the shared index.
fn on_index(args: &[&str]) -> std::process::Output {
    let i = idx();
    let mut v: Vec<&str> = args.to_vec();
    v.extend_from_slice(&["--index", &i]);
    run(&v)
}

fn json_serp(query: &str, extra: &[&str]) -> Serp {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let o = search(query, &args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&o)))
}

fn fact_queries() -> Vec<String> {
    let facts: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/sample_corpus_expected.json")).unwrap();
    facts
        .iter()
        .map(|f| f["query"].as_str().unwrap().to_string())
        .collect()
}

/// Number of documents in the shared index (42 sample articles at the time of writing).
fn corpus_size() -> usize {
    let o = on_index(&["count"]);
    assert_code(&o, 0);
    stdout(&o).trim().parse().unwrap()
}

fn export_lines(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["export"];
    args.extend_from_slice(extra);
    let o = on_index(&args);
    assert_code(&o, 0);
    stdout(&o).lines().map(str::to_string).collect()
}

// ---------------------------------------------------------------- formats

#[test]
fn json_and_ndjson_hits_are_the_same_strict_objects() {
    let serp = json_serp("bitcoin", &["--limit", "20"]);
    assert_eq!(serp.query, "bitcoin");
    assert!(serp.total_hits >= serp.hits.len() && serp.hits.len() == 20);
    let o = search("bitcoin", &["--limit", "20", "--format", "ndjson"]);
    assert_code(&o, 0);
    let lines: Vec<Hit> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), serp.hits.len());
    for (a, b) in lines.iter().zip(&serp.hits) {
        assert_eq!((a.rank, &a.id, &a.snippet), (b.rank, &b.id, &b.snippet));
        assert_eq!((a.score, &a.highlights), (b.score, &b.highlights));
        assert_eq!(
            (&a.title, &a.published, &a.updated),
            (&b.title, &b.published, &b.updated)
        );
        assert_eq!(
            (&a.tags, &a.source, &a.url, &a.path),
            (&b.tags, &b.source, &b.url, &b.path)
        );
    }
}

#[test]
fn csv_and_tsv_read_back_exactly_with_the_csv_crate() {
    // snippets full of quotes and commas ("… nothing alike," said …)
    let serp = json_serp("said", &["--limit", "50"]);
    assert!(
        serp.hits
            .iter()
            .any(|h| h.snippet.contains(',') && h.snippet.contains('"')),
        "the corpus has a snippet with both a comma and a quote"
    );
    for (format, delim) in [("csv", b','), ("tsv", b'\t')] {
        let o = search("said", &["--limit", "50", "--format", format]);
        assert_code(&o, 0);
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delim)
            .from_reader(o.stdout.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(
            header,
            [
                "rank",
                "score",
                "id",
                "title",
                "published",
                "source",
                "tags",
                "url",
                "path",
                "snippet"
            ]
        );
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), serp.hits.len(), "{format}");
        for (row, h) in rows.iter().zip(&serp.hits) {
            assert_eq!(row.len(), header.len());
            assert_eq!(row[0].parse::<usize>().unwrap(), h.rank);
            assert_eq!(&row[2], h.id);
            assert_eq!(&row[3], h.title);
            assert_eq!(&row[4], h.published.as_deref().unwrap_or(""));
            assert_eq!(&row[6], h.tags.join("|"));
            assert_eq!(&row[9], h.snippet, "{format} snippet survives quoting");
        }
    }
}

#[test]
fn fields_pick_keys_and_columns_in_the_requested_order() {
    let o = search(
        "halving",
        &["--format", "ndjson", "--fields", "title,rank,url"],
    );
    assert_code(&o, 0);
    for l in stdout(&o).lines() {
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(l).unwrap();
        assert_eq!(v.len(), 3, "{l}");
        let (t, r, u) = (
            l.find("\"title\"").unwrap(),
            l.find("\"rank\"").unwrap(),
            l.find("\"url\"").unwrap(),
        );
        assert!(t < r && r < u, "keys in requested order: {l}");
        assert!(v["url"].is_null());
    }
    let o = search(
        "halving",
        &["--format", "json", "--fields", "id,highlights"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["query"], "halving");
    assert!(v["total_hits"].as_u64().unwrap() >= 1);
    for h in v["hits"].as_array().unwrap() {
        let keys: Vec<&String> = h.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 2);
        assert!(h["highlights"].is_array() && h["id"].is_string());
    }
    let o = search("halving", &["--format", "tsv", "--fields", "published,id"]);
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_reader(o.stdout.as_slice());
    assert_eq!(r.headers().unwrap(), vec!["published", "id"]);
    assert!(r.records().all(|x| x.unwrap()[1].len() == 16));
    // unknown field: exit 2 and the valid ones listed
    let bad = search("halving", &["--format", "csv", "--fields", "id,titel"]);
    assert_code(&bad, 2);
    let err = stderr(&bad);
    assert!(
        err.contains("titel") && err.contains("rank, score, id, title"),
        "{err}"
    );
    assert!(bad.stdout.is_empty());
    // --fields needs a machine format
    assert_code(&search("halving", &["--fields", "id"]), 2);
    // export: its own keys
    let lines = export_lines(&["halving", "--fields", "published,id"]);
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l.starts_with("{\"published\":") && l.contains(",\"id\":"),
            "{l}"
        );
    }
    let bad = on_index(&["export", "--fields", "snippet"]);
    assert_code(&bad, 2);
    assert!(
        stderr(&bad)
            .contains("id, url, source, title, dek, authors, body, tags, published, updated, path")
    );
}

#[test]
fn text_output_has_no_ansi_codes_unless_asked() {
    let id = json_serp("halving", &[]).hits[0].id.clone();
    for args in [
        vec!["get", id.as_str()],
        vec!["get", id.as_str(), "--color", "auto"],
        vec!["search", "halving"],
    ] {
        let o = on_index(&args);
        assert_code(&o, 0);
        assert!(!stdout(&o).contains('\x1b'), "{args:?}");
    }
    let o = on_index(&["get", &id, "--color", "always"]);
    assert!(stdout(&o).contains("\x1b[1m"));
    // NO_COLOR wins over auto
    let o = cmd()
        .args(["get", &id, "--index", &idx()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&o).contains('\x1b'));
}

// ---------------------------------------------------------------- batch

fn batch_file(lines: &[String]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("queries.txt");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let s = p.to_string_lossy().into_owned();
    (dir, s)
}

fn parse_batch(o: &std::process::Output) -> Vec<BatchLine> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn batch_runs_good_lines_and_reports_bad_ones_in_place() {
    let lines: Vec<String> = [
        "halving",                                                          // 1
        "",                                                                 // 2 skipped
        "# a comment",                                                      // 3 skipped
        r#"{"q": "etf", "from": "2024", "tags": ["etfs"], "limit": 2}"#,    // 4
        r#"{"q": "etf", "lmit": 2}"#,                                       // 5 unknown key
        r#"{"q": "etf""#,                                                   // 6 bad JSON
        r#"{"q": "etf", "to": "2017-13"}"#,                                 // 7 bad date
        "\"unclosed phrase",                                                // 8 bad query
        r#"{"q": "zzyzzyxnomatch", "source": "coinwire", "sort": "date"}"#, // 9 no hits
        "mt gox",                                                           // 10
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (_d, path) = batch_file(&lines);
    let o = on_index(&["search", "--batch", &path, "--limit", "3"]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("4 batch lines failed"),
        "{}",
        stderr(&o)
    );
    let out = parse_batch(&o);
    let numbers: Vec<usize> = out
        .iter()
        .map(|l| match l {
            BatchLine::Result(r) => r.line,
            BatchLine::Error(e) => e.line,
        })
        .collect();
    assert_eq!(numbers, [1, 4, 5, 6, 7, 8, 9, 10]);
    let result = |n: usize| match out
        .iter()
        .find(|l| matches!(l, BatchLine::Result(r) if r.line == n))
    {
        Some(BatchLine::Result(r)) => r,
        _ => panic!("line {n} is a result"),
    };
    let error = |n: usize| match out
        .iter()
        .find(|l| matches!(l, BatchLine::Error(e) if e.line == n))
    {
        Some(BatchLine::Error(e)) => e,
        _ => panic!("line {n} is an error"),
    };
    // plain line: the command-line options apply; same hits as a single search
    let r1 = result(1);
    assert_eq!((r1.query.q.as_str(), r1.query.limit), ("halving", 3));
    assert_eq!(r1.query.sort, "relevance");
    let single = json_serp("halving", &["--limit", "3"]);
    assert_eq!(r1.total_hits, single.total_hits);
    let ids = |h: &[Hit]| h.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&r1.hits), ids(&single.hits));
    // JSON line: its keys replace the options
    let r4 = result(4);
    assert_eq!(r4.query.from.as_deref(), Some("2024"));
    assert_eq!(
        (r4.query.tags.clone(), r4.query.limit),
        (vec!["etfs".to_string()], 2)
    );
    assert!(r4.query.to.is_none() && r4.query.source.is_empty());
    assert!(!r4.hits.is_empty() && r4.hits.len() <= 2);
    assert!(
        r4.hits
            .iter()
            .all(|h| h.tags.contains(&"etfs".to_string())
                && h.published.as_deref().unwrap() >= "2024")
    );
    assert!(error(5).error.contains("unknown key `lmit`"));
    assert_eq!(error(5).input, lines[4]);
    assert!(error(6).error.contains("bad JSON"));
    assert!(error(7).error.contains("invalid month"));
    assert!(error(8).error.contains("invalid query"));
    let r9 = result(9);
    assert_eq!((r9.total_hits, r9.query.sort.as_str()), (0, "date"));
    assert_eq!(r9.query.source, vec!["coinwire"]);
    assert!(!result(10).hits.is_empty());
}

#[test]
fn batch_exit_status_and_stdin() {
    let run_stdin = |input: &str, extra: &[&str]| {
        let mut args = vec!["search", "--batch", "-", "--index"];
        let i = idx();
        args.push(&i);
        args.extend_from_slice(extra);
        let mut child = cmd()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_string();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            // a bad flag makes coindex exit before it reads stdin: the pipe is then
            // closed, which is not this test's failure
            match stdin.write_all(input.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r.unwrap(),
            }
        });
        let o = child.wait_with_output().unwrap();
        writer.join().unwrap();
        o
    };
    let o = run_stdin("bitcoin\nzzyzzyxnomatch\n", &[]);
    assert_code(&o, 0);
    assert!(stderr(&o).is_empty());
    assert_eq!(parse_batch(&o).len(), 2);
    assert_code(&run_stdin("zzyzzyxnomatch\n# nothing else\n", &[]), 1);
    assert_code(&run_stdin("", &[]), 1);
    assert_code(&run_stdin("bitcoin\n{\"q\": 1}\n", &[]), 2);
    // --fields applies to batch hits too
    let o = run_stdin("halving\n", &["--fields", "id,rank"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["hits"][0].as_object().unwrap().len(), 2);
    // batch is NDJSON only; QUERY and --batch exclude each other
    assert_code(&run_stdin("bitcoin\n", &["--format", "csv"]), 2);
    assert_code(&on_index(&["search", "bitcoin", "--batch", "-"]), 2);
    assert_code(&on_index(&["search"]), 2);
    assert_code(
        &on_index(&["search", "--batch", "/nonexistent/queries.txt"]),
        2,
    );
}

#[test]
fn a_thousand_queries_run_in_one_process() {
    let queries = fact_queries();
    let lines: Vec<String> = (0..1000)
        .map(|i| {
            let q = &queries[i % queries.len()];
            if i % 3 == 0 {
                serde_json::json!({"q": q, "limit": 3}).to_string()
            } else {
                q.clone()
            }
        })
        .collect();
    let (_d, path) = batch_file(&lines);
    let start = Instant::now();
    let o = on_index(&["search", "--batch", &path, "--limit", "5"]);
    let took = start.elapsed();
    assert_code(&o, 0);
    let out = parse_batch(&o);
    assert_eq!(out.len(), 1000);
    for (i, l) in out.iter().enumerate() {
        match l {
            BatchLine::Result(r) => {
                assert_eq!(r.line, i + 1);
                assert!(!r.hits.is_empty(), "{:?} finds its article", r.query.q);
                assert_eq!(r.query.limit, if i % 3 == 0 { 3 } else { 5 });
            }
            BatchLine::Error(e) => panic!("line {}: {}", e.line, e.error),
        }
    }
    eprintln!("1000 batch queries (debug build): {took:?}");
}

// ---------------------------------------------------------------- get, count

#[test]
fn get_prints_the_whole_document_by_id() {
    let hit = json_serp("halving", &[]).hits[0].clone();
    let o = on_index(&["get", &hit.id, "--format", "json"]);
    assert_code(&o, 0);
    let d: Document = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((&d.id, &d.title, &d.path), (&hit.id, &hit.title, &hit.path));
    assert_eq!(
        (&d.published, &d.updated, &d.url),
        (&hit.published, &hit.updated, &hit.url)
    );
    assert_eq!((&d.tags, &d.source), (&hit.tags, &hit.source));
    assert!(!d.dek.is_empty());
    assert_eq!(d.story, hit.story);
    assert!(hit.story_size >= 1 && hit.story_sources.contains(&hit.source));
    // the body in full: what export holds, longer than any snippet
    let exported: Exported = export_lines(&[&format!("id:{}", hit.id)])
        .first()
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap();
    assert_eq!(d.body, exported.body);
    assert!(d.body.chars().count() > hit.snippet.chars().count());
    // text: every field, then the body
    let o = on_index(&["get", &hit.id]);
    assert_code(&o, 0);
    let t = stdout(&o);
    assert!(t.starts_with(&d.title), "{t}");
    for v in [&d.id, &d.dek, &d.source, &d.path, &d.body]
        .into_iter()
        .chain(&d.authors)
    {
        assert!(t.contains(v.as_str()), "{v} in {t}");
    }
    assert!(t.contains(d.published.as_deref().unwrap()));
    // ndjson and csv carry the same document
    let o = on_index(&["get", &hit.id, "--format", "ndjson"]);
    assert_eq!(stdout(&o).lines().count(), 1);
    let o = on_index(&["get", &hit.id, "--format", "csv"]);
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let row = r.records().next().unwrap().unwrap();
    assert_eq!((&row[0], &row[9]), (d.id.as_str(), d.body.as_str()));
    // whitespace around the id is tolerated
    assert_code(&on_index(&["get", &format!(" {} ", hit.id)]), 0);
}

#[test]
fn get_of_an_unknown_id_or_url_exits_1_with_a_message() {
    for target in ["0000000000000000", "https://example.com/not/indexed"] {
        let o = on_index(&["get", target, "--format", "json"]);
        assert_code(&o, 1);
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains("no document"), "{}", stderr(&o));
    }
}

#[test]
fn count_matches_total_hits_and_sets_the_exit_status() {
    for (q, extra) in [
        ("bitcoin", vec![]),
        ("halving miners", vec![]),
        ("etf", vec!["--from", "2024", "--tag", "etfs"]),
    ] {
        let serp = json_serp(q, &extra);
        let mut args = vec!["count", q];
        args.extend_from_slice(&extra);
        let o = on_index(&args);
        assert_code(&o, 0);
        assert_eq!(stdout(&o), format!("{}\n", serp.total_hits), "{q}");
        args.extend_from_slice(&["--format", "json"]);
        let c: CountJson = serde_json::from_slice(&on_index(&args).stdout).unwrap();
        assert_eq!((c.query.as_deref(), c.count), (Some(q), serp.total_hits));
    }
    let o = on_index(&["count", "zzyzzyxnomatch"]);
    assert_code(&o, 1);
    assert_eq!(stdout(&o), "0\n");
    // without a query: the documents passing the filters (same set export writes)
    let o = on_index(&["count", "--source", "coinwire", "--format", "ndjson"]);
    assert_code(&o, 0);
    let c: CountJson = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(c.query.is_none());
    assert_eq!(c.count, export_lines(&["--source", "coinwire"]).len());
    let o = on_index(&["count", "--format", "csv"]);
    let all = corpus_size();
    assert_eq!(stdout(&o), format!("query,count\n,{all}\n"));
    assert_code(&on_index(&["count", "bitcoin", "--from", "2017-13"]), 2);
}

// ---------------------------------------------------------------- export, Quickwit

#[test]
fn export_streams_each_document_once() {
    let lines = export_lines(&[]);
    let all = corpus_size();
    assert_eq!(lines.len(), all, "the whole sample corpus");
    let mut ids = HashSet::new();
    for l in &lines {
        let d: Exported = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(ids.insert(d.id.clone()), "{} twice", d.id);
        assert!(!d.title.is_empty() && !d.source.is_empty() && !d.body.is_empty());
        assert!(!l.contains(":null"), "nulls are omitted: {l}");
        assert!(!d.path.is_empty() && d.dek.len() + d.authors.len() + d.tags.len() > 0);
        assert!(d.url.as_deref().is_none_or(|u| u.starts_with("http")));
        assert_eq!(d.story.len(), 16, "{l}");
        for t in d.published.iter().chain(&d.updated) {
            assert!(t.ends_with('Z'));
            chrono::DateTime::parse_from_rfc3339(t).unwrap();
        }
    }
    // a query and filters select the same documents search counts
    let serp = json_serp("etf", &["--from", "2024", "--limit", "100"]);
    let lines = export_lines(&["etf", "--from", "2024"]);
    let got: HashSet<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<Exported>(l).unwrap().id)
        .collect();
    let want: HashSet<String> = serp.hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(got, want);
    // other formats
    let o = on_index(&["export", "--tag", "etfs", "--format", "json"]);
    let arr: Vec<Exported> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(arr.len(), export_lines(&["--tag", "etfs"]).len());
    let o = on_index(&["export", "--format", "csv", "--fields", "id,tags,body"]);
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    assert_eq!(r.headers().unwrap(), vec!["id", "tags", "body"]);
    assert_eq!(r.records().count(), all);
    let o = on_index(&["export", "zzyzzyxnomatch"]);
    assert_code(&o, 1);
    assert!(o.stdout.is_empty());
    let o = on_index(&["export", "zzyzzyxnomatch", "--format", "json"]);
    assert_eq!(stdout(&o), "[]\n");
    // --output FILE
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("out.ndjson");
    let o = on_index(&["export", "--output", f.to_str().unwrap()]);
    assert_code(&o, 0);
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&f).unwrap().lines().count(), all);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QwConfig {
    version: f64,
    index_id: String,
    doc_mapping: QwDocMapping,
    search_settings: QwSearchSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QwDocMapping {
    mode: String,
    field_mappings: Vec<QwField>,
    timestamp_field: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QwSearchSettings {
    default_search_fields: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QwField {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    description: Option<String>,
    stored: Option<bool>,
    indexed: Option<bool>,
    fast: Option<bool>,
    tokenizer: Option<String>,
    record: Option<String>,
    fieldnorms: Option<bool>,
    input_formats: Option<Vec<String>>,
    output_format: Option<String>,
    fast_precision: Option<String>,
}

#[test]
fn quickwit_config_and_export_follow_quickwit_rules() {
    let o = run(&["export", "--quickwit-config"]);
    assert_code(&o, 0);
    let cfg: QwConfig = serde_yaml_ng::from_slice(&o.stdout).unwrap();
    assert_eq!(cfg.version, 0.8);
    assert!(stdout(&o).contains("\nversion: 0.8\n"));
    assert_eq!(cfg.index_id, "coindex");
    let index_id = regex::Regex::new(r"^[a-zA-Z][a-zA-Z0-9_-]{2,254}$").unwrap();
    assert!(index_id.is_match(&cfg.index_id));
    assert_eq!(cfg.doc_mapping.mode, "strict");
    let name_re = regex::Regex::new(r"^[@$_\-a-zA-Z][_\-.a-zA-Z0-9]{0,254}$").unwrap();
    let types = [
        "text",
        "array<text>",
        "datetime",
        "i64",
        "u64",
        "f64",
        "bool",
        "json",
        "bytes",
        "ip",
    ];
    let tokenizers = [
        "raw",
        "default",
        "en_stem",
        "whitespace",
        "chinese_compatible",
        "source_code_default",
        "lowercase",
    ];
    let mut by_name: HashMap<&str, &QwField> = HashMap::new();
    for f in &cfg.doc_mapping.field_mappings {
        assert!(name_re.is_match(&f.name), "field name {:?}", f.name);
        assert!(!["_source", "_dynamic", "_field_presence"].contains(&f.name.as_str()));
        assert!(
            by_name.insert(&f.name, f).is_none(),
            "{} mapped twice",
            f.name
        );
        let base = f.kind.trim_start_matches("array<").trim_end_matches('>');
        assert!(
            types.contains(&f.kind.as_str())
                || (f.kind.starts_with("array<") && types.contains(&base)),
            "type {}",
            f.kind
        );
        assert!(f.description.as_deref().is_none_or(|d| !d.is_empty()));
        let _ = (f.stored, f.indexed);
        if base == "text" {
            let t = f.tokenizer.as_deref().unwrap_or("default");
            assert!(tokenizers.contains(&t), "{}: tokenizer {t}", f.name);
            let r = f.record.as_deref().unwrap_or("basic");
            assert!(
                ["basic", "freq", "position"].contains(&r),
                "{}: record {r}",
                f.name
            );
            assert!(
                f.input_formats.is_none()
                    && f.output_format.is_none()
                    && f.fast_precision.is_none()
            );
            if f.fieldnorms == Some(true) {
                assert_ne!(t, "raw", "{}: fieldnorms on a keyword", f.name);
            }
        } else {
            assert!(
                f.tokenizer.is_none() && f.record.is_none() && f.fieldnorms.is_none(),
                "{}",
                f.name
            );
        }
        if base == "datetime" {
            let inputs = f.input_formats.clone().unwrap_or_default();
            assert!(
                !inputs.is_empty()
                    && inputs
                        .iter()
                        .all(|i| ["rfc3339", "iso8601", "rfc2822", "unix_timestamp"]
                            .contains(&i.as_str()))
            );
            assert!(f.output_format.as_deref().is_none_or(|o| {
                [
                    "rfc3339",
                    "iso8601",
                    "rfc2822",
                    "unix_timestamp_secs",
                    "unix_timestamp_millis",
                    "unix_timestamp_micros",
                    "unix_timestamp_nanos",
                ]
                .contains(&o)
            }));
            assert!(f.fast_precision.as_deref().is_none_or(|p| {
                ["seconds", "milliseconds", "microseconds", "nanoseconds"].contains(&p)
            }));
        }
    }
    let ts = by_name[cfg.doc_mapping.timestamp_field.as_str()];
    assert_eq!(
        (ts.kind.as_str(), ts.fast),
        ("datetime", Some(true)),
        "timestamp field"
    );
    assert_eq!(
        cfg.search_settings.default_search_fields,
        ["title", "dek", "body"]
    );
    for f in &cfg.search_settings.default_search_fields {
        let m = by_name[f.as_str()];
        assert!(m.kind.contains("text") && m.indexed != Some(false), "{f}");
    }
    // the mapping covers every schema field, and --index-id / --output work
    assert_eq!(
        by_name.len(),
        coindex::schema::SchemaSpec::bundled().fields.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("qw.yaml");
    let o = run(&[
        "export",
        "--quickwit-config",
        "--index-id",
        "crypto_news-2",
        "--output",
        f.to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    let cfg2: QwConfig = serde_yaml_ng::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    assert_eq!(cfg2.index_id, "crypto_news-2");
    assert_code(
        &run(&["export", "--quickwit-config", "--index-id", "no"]),
        2,
    );
    assert_code(&run(&["export", "--quickwit-config", "bitcoin"]), 2);

    // every exported line fits the mapping
    for l in export_lines(&["--require-date"]) {
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&l).unwrap();
        assert!(obj.contains_key(&cfg.doc_mapping.timestamp_field), "{l}");
        for (k, v) in &obj {
            let m = by_name
                .get(k.as_str())
                .unwrap_or_else(|| panic!("unmapped key {k} (mode: strict)"));
            let one = |v: &serde_json::Value| {
                let s = v
                    .as_str()
                    .unwrap_or_else(|| panic!("{k}: {v} is not a string"));
                if m.kind.ends_with("datetime") || m.kind.ends_with("datetime>") {
                    let d = chrono::DateTime::parse_from_rfc3339(s)
                        .unwrap_or_else(|e| panic!("{k}: {s}: {e}"));
                    assert_eq!(d.offset().local_minus_utc(), 0);
                }
            };
            if m.kind.starts_with("array<") {
                let arr = v
                    .as_array()
                    .unwrap_or_else(|| panic!("{k} must be an array"));
                arr.iter().for_each(one);
            } else {
                assert!(!v.is_array() && !v.is_null(), "{k}: {v}");
                one(v);
            }
        }
    }
}

// ---------------------------------------------------------------- exit codes, pipes

#[test]
fn exit_codes_of_the_new_commands() {
    let missing = ["--index", "/nonexistent/coindex-test"];
    for args in [
        vec!["get", "0000000000000000"],
        vec!["count", "bitcoin"],
        vec!["export"],
        vec!["search", "--batch", "-"],
    ] {
        let mut a = args.clone();
        a.extend_from_slice(&missing);
        let o = run(&a);
        assert_code(&o, 2);
        assert!(
            stderr(&o).contains("no index at"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_code(&on_index(&["count", "\"unclosed"]), 2);
    assert_code(&on_index(&["export", "\"unclosed"]), 2);
    assert_code(&on_index(&["export", "--format", "text"]), 2);
    assert_code(&run(&["completions", "tcsh"]), 2);
    assert_code(&on_index(&["get"]), 2);
}

/// Reads one line, closes the pipe, and expects a quiet exit 0.
fn closes_quietly(args: &[&str]) {
    let mut child = cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(!line.is_empty(), "{args:?} printed something");
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let i = idx();
    closes_quietly(&[
        "search", "bitcoin", "--limit", "500", "--format", "ndjson", "--index", &i,
    ]);
    // outputs far larger than a pipe buffer, so the writes really fail
    let lines: Vec<String> = (0..3000).map(|_| "bitcoin".to_string()).collect();
    let (_d, path) = batch_file(&lines);
    closes_quietly(&["search", "--batch", &path, "--limit", "50", "--index", &i]);
    let big: Vec<String> = (0..60).map(|_| "said".to_string()).collect();
    let (_d2, path2) = batch_file(&big);
    closes_quietly(&[
        "search",
        "--batch",
        &path2,
        "--limit",
        "100",
        "--snippets",
        "10",
        "--index",
        &i,
    ]);
    closes_quietly(&["export", "--format", "csv", "--index", &i]);
    closes_quietly(&["completions", "zsh"]);
}

// ---------------------------------------------------------------- shell integration

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert_code(&o, 0);
        let s = stdout(&o);
        assert!(s.len() > 1000 && s.contains("coindex"), "{shell}");
        for sub in ["search", "export", "batch", "quickwit-config"] {
            assert!(s.contains(sub), "{shell} completes {sub}");
        }
    }
}

#[test]
fn man_pages_from_the_clap_definitions() {
    let o = run(&["man"]);
    assert_code(&o, 0);
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH coindex 1"),
        "{page}"
    );
    assert!(page.contains(".TH coindex 1") && page.contains("search"));
    let dir = tempfile::tempdir().unwrap();
    let mandir = dir.path().join("man1");
    let o = run(&["man", "--output", mandir.to_str().unwrap()]);
    assert_code(&o, 0);
    for name in [
        "coindex",
        "index",
        "search",
        "get",
        "count",
        "export",
        "completions",
        "man",
    ] {
        let file = if name == "coindex" {
            "coindex.1".to_string()
        } else {
            format!("coindex-{name}.1")
        };
        let text =
            std::fs::read_to_string(mandir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(text.contains(".TH"), "{file}");
    }
    let search_page = std::fs::read_to_string(mandir.join("coindex-search.1")).unwrap();
    assert!(search_page.contains("batch") && search_page.contains("Examples"));
}

#[test]
fn every_command_has_help_with_examples() {
    let o = run(&["--help"]);
    assert_code(&o, 0);
    let top = stdout(&o);
    let commands: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        // command lines are indented by two spaces; wrapped descriptions by more
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    for c in [
        "get",
        "count",
        "export",
        "completions",
        "man",
        "search",
        "index",
    ] {
        assert!(
            commands.iter().any(|x| x == c),
            "{c} listed in {commands:?}"
        );
    }
    for c in &commands {
        let o = run(&[c, "--help"]);
        assert_code(&o, 0);
        let h = stdout(&o);
        assert!(
            h.contains("Examples:") && h.contains(&format!("coindex {c}")),
            "{c}:\n{h}"
        );
    }
}

// ---------------------------------------------------------------- environment

#[test]
fn coindex_index_is_used_without_index() {
    let i = idx();
    let with_flag = json_serp("bitcoin", &[]).total_hits;
    let o = cmd()
        .args(["search", "bitcoin", "--format", "json"])
        .env("COINDEX_INDEX", &i)
        .output()
        .unwrap();
    assert_code(&o, 0);
    let serp: Serp = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(serp.total_hits, with_flag);
    for args in [vec!["count", "bitcoin"], vec!["export", "--fields", "id"]] {
        let o = cmd().args(&args).env("COINDEX_INDEX", &i).output().unwrap();
        assert_code(&o, 0);
    }
    // the flag wins over the variable
    let o = cmd()
        .args(["count", "bitcoin", "--index", &i])
        .env("COINDEX_INDEX", "/nonexistent/coindex-test")
        .output()
        .unwrap();
    assert_code(&o, 0);
}

#[test]
fn coindex_timezone_changes_the_published_time_of_a_page_dump() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pagedump/multiline-lisbon.txt");
    let published = |tz: Option<&str>| -> String {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("news/tagus");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::copy(&fixture, src.join("lisbon.txt")).unwrap();
        let ix = dir.path().join("ix");
        let mut c = cmd();
        c.args([
            "index",
            dir.path().join("news").to_str().unwrap(),
            "--quiet",
        ])
        .env("COINDEX_INDEX", &ix);
        if let Some(tz) = tz {
            c.env("COINDEX_TIMEZONE", tz);
        }
        assert_code(&c.output().unwrap(), 0);
        let o = cmd()
            .args(["export", "--fields", "published"])
            .env("COINDEX_INDEX", &ix)
            .output()
            .unwrap();
        assert_code(&o, 0);
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        v["published"].as_str().unwrap().to_string()
    };
    // "Published Mar 2, 2024, 11:05 a.m." — New York (EST, UTC-5) by default
    assert_eq!(published(None), "2024-03-02T16:05:00Z");
    assert_eq!(published(Some("UTC")), "2024-03-02T11:05:00Z");
    assert_eq!(published(Some("Asia/Tokyo")), "2024-03-02T02:05:00Z");
}
