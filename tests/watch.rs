//! Live indexing: `coindex serve --watch` and `coindex index --watch` follow files
//! being added, changed and deleted. Each step polls (every 50 ms, for at most 15 s)
//! until the search answers the new way; the 2-second promise is measured, not
//! asserted, since a loaded CI machine can be slower.

mod serve_util;
mod util;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serve_util::*;
use util::*;

const LIMIT: Duration = Duration::from_secs(15);

fn article(word: &str) -> String {
    format!(
        "---\ntitle: Exchange lists the {word} token\ndate: 2024-03-02T10:00:00Z\nsource: testwire\ntags: [listings]\n---\n\nThe {word} token began trading on Saturday after a listing vote by holders.\n"
    )
}

fn api_hits(s: &Server, word: &str) -> usize {
    let r = s.get(&format!("/api/search?q={word}"));
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    v["total_hits"].as_u64().unwrap() as usize
}

/// Polls until `hits(word) == want`; returns how long it took.
fn follows(
    what: &str,
    want: usize,
    mut hits: impl FnMut() -> usize,
    log: impl Fn() -> String,
) -> Duration {
    let started = Instant::now();
    wait_for(LIMIT, || (hits() == want).then_some(())).unwrap_or_else(|| {
        panic!(
            "{what}: the search did not follow within {LIMIT:?}\n{}",
            log()
        )
    });
    let took = started.elapsed();
    eprintln!("{what}: followed in {took:?}");
    took
}

fn temp_corpus() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    copy_tree(&util::corpus(), &corpus);
    let index = tmp.path().join("index");
    (tmp, corpus, index)
}

/// Writes a file the way editors and downloaders often do: in two writes.
fn write_slowly(path: &Path, text: &str) {
    let (a, b) = text.split_at(text.len() / 2);
    std::fs::write(path, a).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(path, format!("{a}{b}")).unwrap();
}

#[test]
fn serve_watch_follows_additions_changes_and_deletions() {
    let (_tmp, corpus, index) = temp_corpus();
    let s = Server::start_with(
        &index,
        &["--watch", corpus.to_str().unwrap()],
        &[],
        Duration::from_secs(120),
    );
    // the first run indexed the corpus before the server answered
    assert!(api_hits(&s, "bitcoin") > 0);
    assert_eq!(api_hits(&s, "quetzalwidget"), 0);
    let file = corpus.join("new").join("quetzal.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    write_slowly(&file, &article("quetzalwidget"));
    follows("added", 1, || api_hits(&s, "quetzalwidget"), || s.stderr());

    std::fs::write(&file, article("zorblaxium")).unwrap();
    follows("changed", 1, || api_hits(&s, "zorblaxium"), || s.stderr());
    assert_eq!(api_hits(&s, "quetzalwidget"), 0, "the old version is gone");

    std::fs::remove_file(&file).unwrap();
    follows("deleted", 0, || api_hits(&s, "zorblaxium"), || s.stderr());
    let (code, _) = s.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn index_watch_keeps_the_index_in_step_until_ctrl_c() {
    let (_tmp, corpus, index) = temp_corpus();
    let mut child = cmd()
        .args([
            "index",
            corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--watch",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    {
        let mut err = child.stderr.take().unwrap();
        let log = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                log.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    let text = || log.lock().unwrap().clone();
    wait_for(Duration::from_secs(120), || {
        text().contains("watching for changes").then_some(())
    })
    .unwrap_or_else(|| panic!("no first run:\n{}", text()));
    let idx = index.to_str().unwrap().to_string();
    let hits = |word: &str| -> usize {
        let o = run(&["count", word, "--index", &idx]);
        stdout(&o).trim().parse().unwrap_or(0)
    };
    assert!(hits("bitcoin") > 0);
    let file = corpus.join("quetzal.md");
    write_slowly(&file, &article("quetzalwidget"));
    follows("added", 1, || hits("quetzalwidget"), text);
    std::fs::remove_file(&file).unwrap();
    follows("deleted", 0, || hits("quetzalwidget"), text);
    // a run reports like `coindex index` does; its summary is printed after its commit,
    // which the count above may already see
    wait_for(Duration::from_secs(30), || {
        text().contains("1 removed").then_some(())
    })
    .unwrap_or_else(|| panic!("no summary of the deletion run:\n{}", text()));
    // and an idle folder starts no runs: each run's own walk opens every folder, which
    // must not count as a change (it once did, and runs followed each other for ever)
    std::thread::sleep(Duration::from_millis(1500));
    let runs = text().matches("files seen").count();
    assert!(runs <= 4, "{runs} runs for 2 changes:\n{}", text());

    // SAFETY: signals the child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{}", text());
}
