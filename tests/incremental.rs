//! Incremental and crash-safe indexing: re-runs after files are modified, deleted,
//! renamed or merely touched; unchanged files are not read; a run killed with SIGKILL
//! or stopped with Ctrl-C leaves a searchable index that the next run completes with
//! exact counts; a second indexer is refused while searches keep working; the report.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::*;

/// Writes `n` distinct multi-line page dumps under `dir`.
fn generate(dir: &Path, n: usize) {
    const WORDS: &[&str] = &[
        "bitcoin",
        "miners",
        "exchange",
        "liquidity",
        "regulators",
        "stablecoin",
        "custody",
        "validators",
        "hashrate",
        "treasury",
        "futures",
        "wallet",
        "protocol",
        "auditors",
    ];
    for i in 0..n {
        let sub = dir
            .join(format!("site{}", i % 3))
            .join(format!("{}", 2014 + i % 10));
        std::fs::create_dir_all(&sub).unwrap();
        let mut body = String::new();
        for p in 0..4 {
            for k in 0..30 {
                body.push_str(WORDS[(i * 7 + p * 3 + k) % WORDS.len()]);
                body.push(' ');
            }
            body.push_str(&format!("serial{i}x{p}.\n\n"));
        }
        let text = format!(
            "Share this article\n\nGenerated Story Number {i} About Markets\n\nA summary sentence for story {i} that explains it.\n\nPublished Mar {d}, 2020, 10:{m:02} a.m.\nmarkets, generated\n\n{body}More For You\n\nTeaser Headline\n\nteaserword{i} appears only here.\n",
            d = 1 + i % 28,
            m = i % 60
        );
        std::fs::write(sub.join(format!("story-{i}.txt")), text).unwrap();
    }
}

fn index_cmd(corpus: &Path, idx: &Path, extra: &[&str]) -> std::process::Command {
    let mut c = cmd();
    c.args([
        "index",
        corpus.to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
    ]);
    c.args(extra);
    c
}

fn doc_count(idx: &Path) -> u64 {
    let o = run(&[
        "stats",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_code(&o, 0);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["documents"].as_u64().unwrap()
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn status_of(rep: &Value, suffix: &str) -> String {
    rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
        .map(|f| f["status"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{suffix} not in report: {rep}"))
}

/// Copies a few sample-corpus files into a fresh folder.
fn small_corpus(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for rel in [
        "blockledger/2014/mt-gox-goes-dark.txt",
        "blockledger/2016/the-dao-drained.txt",
        "blockledger/2017/china-blockchain-lab.txt",
        "coinwire/2019/facebook-libra-unveiled.txt",
        "chainpost/2013/silk-road-seizure.txt",
    ] {
        let src = corpus().join(rel);
        let dst = dir.join(rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        out.push(dst);
    }
    out
}

#[test]
fn reruns_follow_modified_deleted_and_renamed_files() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("news");
    let idx = tmp.path().join("ix");
    let files = small_corpus(&corpus);
    assert_code(&index_cmd(&corpus, &idx, &["-q"]).output().unwrap(), 0);
    assert_eq!(doc_count(&idx), 5);

    // modify one, delete one, rename one
    let mut text = std::fs::read_to_string(&files[0]).unwrap();
    text = text.replacen("Tokyo", "Tokyo zebracorn", 1);
    std::fs::write(&files[0], text).unwrap();
    std::fs::remove_file(&files[1]).unwrap();
    let renamed = files[2].with_file_name("renamed-lab.txt");
    std::fs::rename(&files[2], &renamed).unwrap();

    let rep_path = tmp.path().join("report.json");
    let o = index_cmd(&corpus, &idx, &["--report", rep_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let rep = report(&rep_path);
    assert_eq!(status_of(&rep, "mt-gox-goes-dark.txt"), "updated");
    assert_eq!(status_of(&rep, "the-dao-drained.txt"), "removed");
    assert_eq!(status_of(&rep, "china-blockchain-lab.txt"), "removed");
    assert_eq!(status_of(&rep, "renamed-lab.txt"), "new");
    assert_eq!(status_of(&rep, "facebook-libra-unveiled.txt"), "unchanged");
    assert_eq!(rep["updated"], 1);
    assert_eq!(rep["removed"], 2);
    assert_eq!(rep["new"], 1);
    assert_eq!(rep["unchanged"], 2);
    assert_eq!(doc_count(&idx), 4);
    let idx_s = idx.to_str().unwrap();
    assert_code(&run(&["search", "zebracorn", "--index", idx_s]), 0);
    assert_code(&run(&["search", "\"split request\"", "--index", idx_s]), 1);
    let lab = run(&[
        "search",
        "blockchain research lab",
        "--index",
        idx_s,
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&lab.stdout).unwrap();
    assert!(
        v["hits"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("renamed-lab.txt")
    );
    assert_eq!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["title"] == v["hits"][0]["title"])
            .count(),
        1
    );
}

#[test]
fn unchanged_files_are_not_read_and_touch_only_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("news");
    let idx = tmp.path().join("ix");
    let files = small_corpus(&corpus);
    assert_code(&index_cmd(&corpus, &idx, &["-q"]).output().unwrap(), 0);

    // Same size and mtime, different bytes: coindex must trust the manifest and not read it.
    let f = &files[3];
    let meta = std::fs::metadata(f).unwrap();
    let text = std::fs::read_to_string(f).unwrap();
    let swapped = text.replacen("Facebook", "Gacebook", 1);
    assert_eq!(swapped.len(), text.len());
    std::fs::write(f, &swapped).unwrap();
    let h = std::fs::File::options().write(true).open(f).unwrap();
    h.set_modified(meta.modified().unwrap()).unwrap();
    drop(h);
    // Only the mtime changes on another file: it is read, hashed, and still unchanged.
    let g = &files[4];
    let h = std::fs::File::options().write(true).open(g).unwrap();
    h.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(h);

    let rep_path = tmp.path().join("report.json");
    let o = index_cmd(&corpus, &idx, &["--report", rep_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let rep = report(&rep_path);
    assert_eq!(rep["unchanged"], 5, "{rep}");
    assert_eq!(rep["documents_indexed"], 0);
    assert_code(
        &run(&["search", "gacebook", "--index", idx.to_str().unwrap()]),
        1,
    );
}

#[test]
fn a_file_under_two_given_roots_is_read_once() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("news");
    let idx = tmp.path().join("ix");
    small_corpus(&corpus);
    let rep_path = tmp.path().join("report.json");
    let inner = corpus.join("blockledger");
    let o = index_cmd(
        &corpus,
        &idx,
        &[
            inner.to_str().unwrap(),
            "--report",
            rep_path.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert_code(&o, 0);
    let rep = report(&rep_path);
    // the three blockledger files are listed under both roots: each is new once, not
    // "updated" by its second listing
    assert_eq!(rep["files_seen"], 5, "{rep}");
    assert_eq!(rep["new"], 5, "{rep}");
    assert_eq!(rep["updated"], 0, "{rep}");
    assert_eq!(rep["files"].as_array().unwrap().len(), 5, "{rep}");
    assert_eq!(doc_count(&idx), 5);
}

#[test]
fn report_and_exit_status_account_for_skipped_files() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("news");
    let idx = tmp.path().join("ix");
    small_corpus(&corpus);
    std::fs::write(corpus.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(corpus.join("empty.txt"), b"").unwrap();
    std::fs::write(corpus.join("notes.xyz"), b"hello").unwrap();
    std::fs::write(corpus.join(".hidden.txt"), b"secret page").unwrap();
    let rep_path = tmp.path().join("r.json");
    let o = index_cmd(&corpus, &idx, &["--report", rep_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("image.txt: binary file, not text (PNG image)"),
        "{err}"
    );
    assert!(err.contains("empty.txt: empty file"), "{err}");
    assert!(err.contains("notes.xyz: unsupported file type"), "{err}");
    assert!(!err.contains(".hidden"), "{err}");
    let rep = report(&rep_path);
    assert_eq!(rep["files_seen"], 8);
    assert_eq!(rep["skipped"], 3);
    assert_eq!(rep["new"], 5);
    let skipped: Vec<&Value> = rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 3);
    assert!(
        skipped
            .iter()
            .all(|f| f["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );
    // the skipped files are still accounted for on the next (no-op) run
    let o = index_cmd(&corpus, &idx, &[]).output().unwrap();
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("5 unchanged") && stderr(&o).contains("3 skipped"),
        "{}",
        stderr(&o)
    );
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn manifests(idx: &Path) -> usize {
    std::fs::read_dir(idx)
        .map(|r| {
            r.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().to_string();
                    // a commit beyond the first: intermediate commits write deltas
                    n.starts_with("coindex-manifest.")
                        && n.ends_with(".json.zst")
                        && n != "coindex-manifest.1.json.zst"
                        && n != "coindex-manifest.1.delta.json.zst"
                })
                .count()
        })
        .unwrap_or(0)
}

fn spawn_index(corpus: &Path, idx: &Path, extra: &[&str]) -> Child {
    index_cmd(corpus, idx, extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_mid_run_leaves_a_searchable_index_and_the_rerun_completes_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("gen");
    let idx = tmp.path().join("ix");
    let n = 3000;
    generate(&corpus, n);
    let mut child = spawn_index(&corpus, &idx, &["--commit-every", "150", "-q"]);
    // wait for a commit beyond the first, then kill -9
    wait_for("a periodic commit", Duration::from_secs(120), || {
        manifests(&idx) >= 1
    });
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the indexer was killed before finishing");
    // the periodic commits wrote deltas: the rerun must rebuild the manifest from them
    let deltas = std::fs::read_dir(&idx)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".delta.json.zst"))
        .count();
    assert!(deltas >= 2, "{deltas} manifest deltas after the kill");

    let idx_s = idx.to_str().unwrap();
    let mid = doc_count(&idx);
    assert!(mid < n as u64, "killed mid-run: {mid} documents");
    let o = run(&["search", "miners", "--index", idx_s]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));

    let o = index_cmd(&corpus, &idx, &["-q"]).output().unwrap();
    assert_code(&o, 0);
    assert_eq!(doc_count(&idx), n as u64);
    let rep_path = tmp.path().join("r.json");
    let o = index_cmd(&corpus, &idx, &["--report", rep_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let rep = report(&rep_path);
    assert_eq!(rep["unchanged"], n as u64);
    assert_eq!(rep["documents_indexed"], 0);
    assert_code(&run(&["search", "serial2999x3", "--index", idx_s]), 0);
}

#[test]
fn ctrl_c_commits_what_is_done_and_the_rerun_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("gen");
    let idx = tmp.path().join("ix");
    let n = 3000;
    generate(&corpus, n);
    let child = spawn_index(&corpus, &idx, &["--commit-every", "150"]);
    wait_for("a periodic commit", Duration::from_secs(120), || {
        manifests(&idx) >= 1
    });
    let pid = child.id().to_string();
    let k = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(k.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(0) {
        // finished before the signal arrived: nothing to check beyond the count
        assert_eq!(doc_count(&idx), n as u64);
        return;
    }
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let o = index_cmd(&corpus, &idx, &["-q"]).output().unwrap();
    assert_code(&o, 0);
    assert_eq!(doc_count(&idx), n as u64);
}

#[test]
fn a_second_indexer_is_refused_while_search_keeps_working() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("gen");
    let idx = tmp.path().join("ix");
    generate(&corpus, 3000);
    let mut first = spawn_index(&corpus, &idx, &["--commit-every", "200", "-q"]);
    wait_for("the first commit", Duration::from_secs(120), || {
        manifests(&idx) >= 1
    });
    let second = index_cmd(&corpus, &idx, &[]).output().unwrap();
    let still_running = first.try_wait().unwrap().is_none();
    if still_running {
        assert_code(&second, 2);
        assert!(
            stderr(&second).contains("already writing"),
            "{}",
            stderr(&second)
        );
        let s = run(&["search", "miners", "--index", idx.to_str().unwrap()]);
        assert!(matches!(s.status.code(), Some(0 | 1)), "{}", stderr(&s));
    }
    assert!(first.wait().unwrap().success());
    assert_eq!(doc_count(&idx), 3000);
}

#[test]
fn rebuild_starts_from_scratch_and_refuses_foreign_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("news");
    let idx = tmp.path().join("ix");
    small_corpus(&corpus);
    assert_code(&index_cmd(&corpus, &idx, &["-q"]).output().unwrap(), 0);
    let o = index_cmd(&corpus, &idx, &["--rebuild"]).output().unwrap();
    assert_code(&o, 0);
    assert!(stderr(&o).contains("5 new"), "{}", stderr(&o));
    assert_eq!(doc_count(&idx), 5);
    let foreign = tmp.path().join("photos");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("cat.jpg"), b"x").unwrap();
    let o = index_cmd(&corpus, &foreign, &["--rebuild"])
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(foreign.join("cat.jpg").exists());
}

#[test]
fn a_richer_copy_that_comes_later_reports_the_one_it_replaces() {
    // the parse pool hands files to the writer in any order, so the richer of two
    // copies can arrive after the poorer one was indexed; the dropped copy must still
    // be reported (here deterministically: the richer copy comes in a later run)
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let body = "Miners are preparing for the halving by upgrading their fleets and \
                locking in power contracts, according to several operators who spoke \
                about their plans for the months after the reward cut this spring.";
    let poor = format!(
        "{{\"url\":\"https://wire.example/miners-halving\",\"title\":\"Miners Brace for the Halving\",\
         \"published\":\"2024-04-01T10:00:00Z\",\"body\":\"{body}\"}}\n"
    );
    std::fs::write(docs.join("a.ndjson"), poor).unwrap();
    let idx = dir.path().join("ix");
    let idx = idx.to_str().unwrap();
    let d = docs.to_str().unwrap();
    assert_code(&run(&["index", d, "--index", idx]), 0);
    let rich = format!(
        "{{\"url\":\"https://wire.example/miners-halving\",\"title\":\"Miners Brace for the Halving\",\
         \"published\":\"2024-04-01T10:00:00Z\",\"tags\":[\"mining\"],\"authors\":[\"Ana Ruiz\"],\
         \"dek\":\"Operators upgrade fleets ahead of the reward cut.\",\"body\":\"{body}\"}}\n"
    );
    std::fs::write(docs.join("b.ndjson"), rich).unwrap();
    let o = run(&["index", d, "--index", idx]);
    let err = stderr(&o);
    assert!(
        err.lines().any(|l| l.starts_with("duplicate:")
            && l.contains("a.ndjson")
            && l.contains("b.ndjson")),
        "{err}"
    );
    let serp: Value = serde_json::from_slice(
        &run(&["search", "halving", "--index", idx, "--format", "json"]).stdout,
    )
    .unwrap();
    assert_eq!(serp["total_hits"], 1);
    assert!(
        serp["hits"][0]["path"]
            .as_str()
            .unwrap()
            .contains("b.ndjson")
    );
}

/// Writes an NDJSON export of `n` distinct articles, ~700 bytes each.
fn generate_export(path: &Path, n: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        writeln!(
            f,
            r#"{{"title":"Streamed story {i} on exchange flows","url":"https://stream.example/{i}","published":"2023-0{}-{:02}T08:00:00Z","tags":["flows"],"body":"Exchange balances moved as traders rotated into stablecoins, desk notes said. Liquidity in the order books thinned through the session while miners kept selling into strength. Analysts tracked wallet flows and custody inflows across venues, and the record carries its own marker streamrec{i}x so that a search finds exactly it. Funding rates stayed flat and options skew eased."}}"#,
            1 + i % 9,
            1 + i % 28
        )
        .unwrap();
    }
}

/// A big export is streamed (it is over `--max-file-mb`, which no longer applies to
/// record files) and committed several times within the file; killed with SIGKILL in
/// the middle of it, the next run reads it again and upserts exactly the records the
/// killed run had not committed: no duplicates, no loss, nothing written twice.
#[test]
fn sigkill_in_the_middle_of_a_streamed_export_is_recovered_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("exports");
    std::fs::create_dir_all(&corpus).unwrap();
    let idx = tmp.path().join("ix");
    let n = 12_000;
    let file = corpus.join("big.ndjson");
    generate_export(&file, n);
    assert!(std::fs::metadata(&file).unwrap().len() > 5 << 20);
    let mut child = spawn_index(
        &corpus,
        &idx,
        &["--commit-every", "300", "--max-file-mb", "1", "-q"],
    );
    wait_for("a periodic commit", Duration::from_secs(120), || {
        manifests(&idx) >= 1
    });
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the indexer was killed before finishing");
    let mid = doc_count(&idx);
    assert!(
        mid > 0 && mid < n as u64,
        "killed mid-file: {mid} documents"
    );

    let rep_path = tmp.path().join("r.json");
    let rep_s = rep_path.to_str().unwrap();
    let o = index_cmd(&corpus, &idx, &["--max-file-mb", "1", "--report", rep_s])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let rep = report(&rep_path);
    assert_eq!(doc_count(&idx), n as u64, "{rep}");
    assert_eq!(
        rep["documents_indexed"].as_u64().unwrap(),
        n as u64 - mid,
        "only the records the killed run had not committed are written: {rep}"
    );
    assert_eq!(rep["documents_removed"], 0);
    let idx_s = idx.to_str().unwrap();
    for probe in ["streamrec0x", "streamrec11999x"] {
        let o = run(&["count", probe, "--index", idx_s]);
        assert_eq!(stdout(&o).trim(), "1", "{probe}");
    }
    // finished: the next run reads nothing
    let o = index_cmd(&corpus, &idx, &["--max-file-mb", "1", "--report", rep_s])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let rep = report(&rep_path);
    assert_eq!(
        (rep["unchanged"].as_u64(), rep["documents_indexed"].as_u64()),
        (Some(1), Some(0))
    );
}
