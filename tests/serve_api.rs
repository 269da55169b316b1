//! The JSON API's contract: every endpoint returns byte for byte what the matching CLI
//! command prints with `--format json` over the same index (and parses into the same
//! strict structs), parameters are validated like the flags, user errors are 400/404
//! JSON objects and never 500, the shared searcher sees a concurrent `coindex index`
//! without a restart, and Ctrl-C stops the server cleanly.

mod serve_util;
mod util;

use std::sync::OnceLock;

use serde::Deserialize;
use serve_util::*;
use util::*;

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Serp {
    query: String,
    total_hits: usize,
    hits: Vec<Hit>,
}

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
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

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
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

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueCount {
    value: String,
    count: u64,
}

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Timeline {
    query: String,
    undated: u64,
    buckets: Vec<Bucket>,
}

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bucket {
    period: String,
    start: String,
    count: u64,
}

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorReply {
    error: ErrorBody,
}

// read to fail on a missing or unknown key, not every field is looked at
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorBody {
    kind: String,
    message: String,
    position: Option<usize>,
}

/// One server over the shared sample-corpus index for the read-only tests.
fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| Server::start(&corpus_index().join("index")))
}

/// The CLI's stdout for `args` over the shared index.
fn cli(args: &[&str]) -> Vec<u8> {
    let idx = corpus_index_arg();
    let mut v = args.to_vec();
    v.extend_from_slice(&["--index", &idx, "--format", "json"]);
    let o = run(&v);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{args:?}: {}",
        stderr(&o)
    );
    o.stdout
}

fn ok_json(path: &str) -> Vec<u8> {
    let r = server().get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    assert_eq!(r.content_type, "application/json", "{path}");
    r.body
}

fn error(path: &str, status: u16) -> ErrorBody {
    let r = server().get(path);
    assert_eq!(r.status, status, "{path}: {}", r.text());
    assert_eq!(r.content_type, "application/json", "{path}");
    let e: ErrorReply =
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{path}: {e}: {}", r.text()));
    assert!(!e.error.message.is_empty(), "{path}");
    e.error
}

fn same(api: &[u8], cli: &[u8], what: &str) {
    assert!(
        api == cli,
        "{what}: API and CLI differ\n--- api\n{}\n--- cli\n{}",
        String::from_utf8_lossy(api),
        String::from_utf8_lossy(cli)
    );
}

#[test]
fn search_answers_with_the_bytes_of_search_format_json() {
    let cases: &[(&str, &[&str])] = &[
        ("q=bitcoin", &["search", "bitcoin"]),
        (
            "q=spot+etf&from=2024-01&to=2024-12",
            &["search", "spot etf", "--from", "2024-01", "--to", "2024-12"],
        ),
        (
            "q=mining&tag=mining&sort=date&limit=3",
            &[
                "search", "mining", "--tag", "mining", "--sort", "date", "--limit", "3",
            ],
        ),
        (
            "q=halving&source=chainpost&source=blockledger",
            &[
                "search",
                "halving",
                "--source",
                "chainpost",
                "--source",
                "blockledger",
            ],
        ),
        (
            "q=exchnage&fuzzy=true&snippets=2",
            &["search", "exchnage", "--fuzzy", "--snippets", "2"],
        ),
        (
            "q=%22bitcoin+cash%22+-ethereum",
            &["search", "\"bitcoin cash\" -ethereum"],
        ),
        ("q=zzzqqqxxyy", &["search", "zzzqqqxxyy"]),
        (
            "q=bitcoin&collapse=story",
            &["search", "bitcoin", "--collapse", "story"],
        ),
    ];
    for (qs, args) in cases {
        let api = ok_json(&format!("/api/search?{qs}"));
        same(&api, &cli(args), qs);
        let serp: Serp = serde_json::from_slice(&api).unwrap();
        assert!(serp.hits.len() <= serp.total_hits, "{qs}");
        for h in &serp.hits {
            let chars = h.snippet.chars().count();
            assert!(
                h.highlights.iter().all(|[a, b]| a < b && *b <= chars),
                "{qs}: {h:?}"
            );
        }
    }
    let serp: Serp = serde_json::from_slice(&ok_json("/api/search?q=bitcoin")).unwrap();
    assert_eq!(serp.query, "bitcoin");
    assert!(serp.total_hits > 10 && serp.hits.len() == 10);
}

#[test]
fn offset_pages_through_the_same_ranking() {
    let all: Serp = serde_json::from_slice(&ok_json("/api/search?q=bitcoin&limit=12")).unwrap();
    let page: Serp =
        serde_json::from_slice(&ok_json("/api/search?q=bitcoin&limit=5&offset=7")).unwrap();
    assert_eq!(page.total_hits, all.total_hits);
    let ids = |h: &[Hit]| h.iter().map(|h| (h.rank, h.id.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&page.hits), ids(&all.hits[7..12]));
    // past the end: no hits, the same total
    let past: Serp =
        serde_json::from_slice(&ok_json("/api/search?q=bitcoin&limit=5&offset=5000")).unwrap();
    assert!(past.hits.is_empty() && past.total_hits == all.total_hits);
}

#[test]
fn doc_similar_facets_timeline_and_stats_are_the_cli_json() {
    let serp: Serp = serde_json::from_slice(&ok_json("/api/search?q=halving")).unwrap();
    let hit = &serp.hits[0];
    let doc = ok_json(&format!("/api/doc/{}", hit.id));
    same(&doc, &cli(&["get", &hit.id]), "doc");
    let d: Document = serde_json::from_slice(&doc).unwrap();
    assert_eq!(
        (d.id.as_str(), d.title.as_str()),
        (hit.id.as_str(), hit.title.as_str())
    );
    assert!(!d.body.is_empty() && d.path == hit.path);
    // by URL, percent-encoded in the path
    if let Some(url) = &d.url {
        let enc: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
        same(&ok_json(&format!("/api/doc/{enc}")), &doc, "doc by URL");
    }

    let similar = ok_json(&format!("/api/similar/{}?limit=4", hit.id));
    same(
        &similar,
        &cli(&["similar", &hit.id, "--limit", "4"]),
        "similar",
    );
    let s: Serp = serde_json::from_slice(&similar).unwrap();
    assert!(!s.hits.is_empty() && s.hits.iter().all(|h| h.id != hit.id));

    for (qs, args) in [
        ("field=tags", vec!["tags"]),
        ("field=sources&limit=3", vec!["sources", "--limit", "3"]),
        (
            "field=tags&q=bitcoin&from=2017",
            vec!["tags", "bitcoin", "--from", "2017"],
        ),
        (
            "field=sources&q=bitcoin&collapse=story",
            vec!["sources", "bitcoin", "--collapse", "story"],
        ),
        (
            "field=sources&tag=mining",
            vec!["sources", "--tag", "mining"],
        ),
    ] {
        let api = ok_json(&format!("/api/facets?{qs}"));
        same(&api, &cli(&args), qs);
        let rows: Vec<ValueCount> = serde_json::from_slice(&api).unwrap();
        assert!(rows.windows(2).all(|w| w[0].count >= w[1].count), "{qs}");
        assert!(rows.iter().all(|r| !r.value.is_empty()));
    }

    for (qs, args) in [
        ("q=bitcoin", vec!["timeline", "bitcoin"]),
        (
            "q=bitcoin&by=month&from=2017",
            vec!["timeline", "bitcoin", "--by", "month", "--from", "2017"],
        ),
        ("q=etf&by=week", vec!["timeline", "etf", "--by", "week"]),
        (
            "q=bitcoin&collapse=story",
            vec!["timeline", "bitcoin", "--collapse", "story"],
        ),
    ] {
        let api = ok_json(&format!("/api/timeline?{qs}"));
        same(&api, &cli(&args), qs);
        let t: Timeline = serde_json::from_slice(&api).unwrap();
        assert!(!t.query.is_empty() && !t.buckets.is_empty(), "{qs}");
        assert!(
            t.buckets
                .iter()
                .all(|b| !b.period.is_empty() && b.start.len() == 10)
        );
        let _ = t.undated;
    }

    same(&ok_json("/api/stats"), &cli(&["stats"]), "stats");
    same(
        &ok_json("/api/stats?top=3"),
        &cli(&["stats", "--top", "3"]),
        "stats --top",
    );
}

#[test]
fn bad_input_is_a_json_400_or_404_never_a_500() {
    let e = error("/api/search?q=(bitcoin", 400);
    assert_eq!(e.kind, "query");
    assert_eq!(e.position, Some(8), "{}", e.message);
    let e = error("/api/search?q=%C3%A9t%C3%A9+%22open", 400);
    assert_eq!(e.kind, "query");
    // characters, not bytes: `été "open` has the quote at character 4
    assert_eq!(e.position, Some(4), "{}", e.message);
    for (path, kind, needle) in [
        ("/api/search", "parameter", "missing parameter `q`"),
        ("/api/search?q=x&from=2024-13", "date", "from: "),
        (
            "/api/search?q=x&from=2025&to=2024",
            "date",
            "from is after to",
        ),
        ("/api/search?q=x&limit=1001", "parameter", "`limit`"),
        ("/api/search?q=x&limit=0", "parameter", "`limit`"),
        ("/api/search?q=x&offset=-1", "parameter", "`offset`"),
        ("/api/search?q=x&sort=oldest", "parameter", "`sort`"),
        ("/api/search?q=x&collapse=source", "parameter", "`collapse`"),
        (
            "/api/search?q=x&lmit=3",
            "parameter",
            "unknown parameter `lmit`",
        ),
        ("/api/search?q=x&q=y", "parameter", "more than once"),
        ("/api/facets?field=authors", "parameter", "`field`"),
        ("/api/timeline?q=x&by=day", "parameter", "`by`"),
        (
            "/api/timeline?by=year",
            "parameter",
            "missing parameter `q`",
        ),
        ("/api/doc/abc?x=1", "parameter", "unknown parameter `x`"),
    ] {
        let e = error(path, 400);
        assert_eq!(e.kind, kind, "{path}: {}", e.message);
        assert!(e.message.contains(needle), "{path}: {}", e.message);
        assert_eq!(e.position, None, "{path}");
    }
    // the CLI's query limits
    let long = "a".repeat(5000);
    let e = error(&format!("/api/search?q={long}"), 400);
    assert!(e.message.contains("4096"), "{}", e.message);
    let many = vec!["w"; 300].join("+");
    assert_eq!(error(&format!("/api/search?q={many}"), 400).kind, "query");
    let deep = format!("{}x{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(error(&format!("/api/search?q={deep}"), 400).kind, "query");

    for path in [
        "/api/doc/0000000000000000",
        "/api/similar/0000000000000000",
        "/nope",
        "/api/nope",
    ] {
        assert_eq!(error(path, 404).kind, "not_found", "{path}");
    }
    let r = server().request("POST", "/api/search?q=x");
    assert_eq!(r.status, 405);
    let e: ErrorReply = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(e.error.kind, "method");

    // odd but legal input never fails inside the server
    for q in [
        "%2A",
        "~",
        "-",
        "%22",
        "title%3A",
        "published%3A2024-99",
        "tag%3A",
        "%F0%9F%9A%80+moon",
        "%00",
        "a%2A%2A%2A",
        "OR+OR",
        "NOT",
        "%2Bx+-x",
        "published%3A%3E%3D2024-01-15",
    ] {
        let r = server().get(&format!("/api/search?q={q}&fuzzy=1"));
        assert!(
            r.status == 200 || r.status == 400,
            "q={q}: {} {}",
            r.status,
            r.text()
        );
        let r = server().get(&format!("/api/timeline?q={q}"));
        assert!(
            r.status == 200 || r.status == 400,
            "timeline q={q}: {}",
            r.status
        );
    }
    assert!(
        !server().stderr().contains("request failed"),
        "{}",
        server().stderr()
    );
}

#[test]
fn the_page_and_its_assets_are_served_with_a_strict_policy() {
    let r = server().get("/");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    let page = r.text();
    assert!(page.contains("<script src=\"/app.js\""));
    // nothing is loaded from elsewhere
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let js = server().get("/app.js");
    assert_eq!(js.status, 200);
    assert!(js.content_type.starts_with("text/javascript"));
    let js = js.text();
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "app.js uses {sink}");
    }
    assert!(js.contains("/api/search") && js.contains("textContent"));
    let css = server().get("/app.css");
    assert!(
        css.content_type.starts_with("text/css") && css.text().contains("prefers-color-scheme")
    );
    assert!(
        !css.text().contains("url("),
        "the style sheet fetches nothing"
    );
}

#[test]
fn a_concurrent_index_run_shows_up_without_a_restart_and_ctrl_c_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    copy_tree(&util::corpus(), &corpus);
    let index = tmp.path().join("index");
    let o = run(&[
        "index",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--quiet",
    ]);
    assert_code(&o, 0);
    let s = Server::start(&index);
    let hits = |s: &Server| -> usize {
        let r = s.get("/api/search?q=quetzalwidget");
        assert_eq!(r.status, 200, "{}", r.text());
        serde_json::from_slice::<Serp>(&r.body).unwrap().total_hits
    };
    assert_eq!(hits(&s), 0);
    std::fs::write(
        corpus.join("quetzal.md"),
        "---\ntitle: Exchange lists the Quetzalwidget token\ndate: 2024-03-02T10:00:00Z\nsource: testwire\ntags: [listings]\n---\n\nThe quetzalwidget token began trading on Saturday after a listing vote.\n",
    )
    .unwrap();
    let o = run(&[
        "index",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--quiet",
    ]);
    assert_code(&o, 0);
    assert_eq!(hits(&s), 1, "the new document is found without a restart");
    let (code, took) = s.interrupt();
    assert_eq!(code, Some(0), "a clean stop");
    assert!(took.as_secs() < 10);
}

#[test]
fn bad_serve_flags_exit_2_with_a_message() {
    let o = run(&[
        "serve",
        "--index",
        &corpus_index_arg(),
        "--addr",
        "localhost",
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("IP:PORT"), "{}", stderr(&o));
    let missing = tempfile::tempdir().unwrap();
    let o = run(&[
        "serve",
        "--index",
        missing.path().join("none").to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("no index"), "{}", stderr(&o));
}

#[test]
fn a_non_loopback_address_warns_that_the_archive_is_readable() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = cmd()
        .args([
            "serve",
            "--index",
            &corpus_index_arg(),
            "--addr",
            "0.0.0.0:0",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("http://0.0.0.0:"), "{line}");
    // SAFETY: signals the child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning") && err.contains("not a loopback address"),
        "{err}"
    );
    // the default is loopback, and says nothing
    assert!(
        !server().stderr().contains("warning"),
        "{}",
        server().stderr()
    );
}
