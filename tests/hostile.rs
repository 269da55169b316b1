//! Hostile input and failures: nothing lost, nothing hangs, nothing panics.
//!
//! Every test runs the real binary (or the library) in a temp dir, with a 60-second
//! deadline around each process: a hang fails the test instead of stalling the suite.
//! Small adversarial files are committed under `fixtures/hostile/` (each named for what
//! it proves, see `docs/ROBUSTNESS.md`); large ones (a 200 MB sparse file, a 5 MB single
//! line, HTML nested 100,000 levels deep) and the ones the file system must make (a
//! symlink loop, unreadable files and folders, a non-UTF-8 name, a FIFO) are generated
//! at test time.

mod util;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use util::*;

/// Longest any single coindex process may run in these tests.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs a command with a deadline (and optional stdin); a process still running at the
/// deadline is killed and fails the test as a hang.
fn run_deadline(mut c: Command, stdin: Option<&[u8]>) -> Output {
    let shown = format!("{c:?}");
    let shown: String = shown.chars().take(300).collect();
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("coindex starts");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout pipe")));
    let err = drain(Box::new(child.stderr.take().expect("stderr pipe")));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hang: still running after {DEADLINE:?}: {shown}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// `coindex ARGS` with the deadline.
fn coindex(args: &[&str]) -> Output {
    let mut c = cmd();
    c.args(args);
    run_deadline(c, None)
}

/// No panic, no internal error, a real exit status (not a signal).
fn assert_clean(o: &Output) {
    let err = stderr(o);
    assert!(
        o.status.code().is_some(),
        "killed by a signal: {:?}\n{err}",
        o.status
    );
    for bad in [
        "panicked",
        "RUST_BACKTRACE",
        "internal error",
        "stack backtrace",
    ] {
        assert!(!err.contains(bad), "`{bad}` on stderr:\n{err}");
    }
}

fn hostile_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

/// The sample page dumps put beside the hostile files: (path in sample_corpus, a query
/// that finds it).
const GOOD: &[(&str, &str)] = &[
    (
        "blockledger/2014/mt-gox-goes-dark.txt",
        "\"mt gox\" 744,000",
    ),
    (
        "coinwire/2019/facebook-libra-unveiled.txt",
        "libra stablecoin",
    ),
    ("chainpost/2013/silk-road-seizure.txt", "\"silk road\" fbi"),
];

/// True when chmod 000 does not stop this process from reading `path` (root).
fn permissions_ignored(path: &Path) -> bool {
    if path.is_dir() {
        std::fs::read_dir(path).is_ok()
    } else {
        std::fs::read(path).is_ok()
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// How the report names a path: UTF-8 paths as they are; invalid bytes as `\xNN`.
fn key(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Builds the hostile folder; returns its canonical path and the path of the secret
/// file an XML external entity points at (outside the folder).
fn hostile_folder(tmp: &Path) -> (PathBuf, PathBuf) {
    let root = tmp.join("news");
    std::fs::create_dir_all(&root).unwrap();
    let root = std::fs::canonicalize(&root).unwrap();
    for e in std::fs::read_dir(hostile_fixture("")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join(e.file_name())).unwrap();
    }
    for (rel, _) in GOOD {
        let dst = root.join("good").join(rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(corpus().join(rel), dst).unwrap();
    }
    // 200 MB, sparse: refused by the 64 MB limit without being read
    let big = std::fs::File::create(root.join("huge-200mb.txt")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    drop(big);
    // 5 MB on a single line: indexed
    let mut line = String::from("Echidnacoin Single Line Story ");
    while line.len() < 5 * 1024 * 1024 {
        line.push_str("the market moved again today while traders watched the echidna charts ");
    }
    line.push_str("closingwordechidna.");
    std::fs::write(root.join("one-line-5mb.txt"), line).unwrap();
    // HTML nested 100,000 levels deep
    let mut html = String::from(
        "<!DOCTYPE html><html><head><title>Dibblercoin Deep Page</title></head><body><article>",
    );
    html.push_str(&"<div>".repeat(100_000));
    html.push_str("<p>Dibblercoin text at the bottom of a very deep page.</p>");
    html.push_str(&"</div>".repeat(100_000));
    html.push_str("</article></body></html>\n");
    std::fs::write(root.join("html-nested-100000-levels.html"), html).unwrap();
    // an XML external entity pointing at a local file outside the folder
    let secret = tmp.join("secret.txt");
    std::fs::write(&secret, "zqxsecretmarker lives only in the secret file\n").unwrap();
    std::fs::write(
        root.join("xml-external-entity.xml"),
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://{}\">]>\n\
             <rss version=\"2.0\"><channel><title>XXE &xxe;</title>\n\
             <item><title>Bandicootcoin Entity Item</title><link>https://xxe.example/b</link>\
             <description>Bandicootcoin before &xxe; after.</description></item></channel></rss>\n",
            secret.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // a symlink loop, and a link to a device that must never be read
        std::os::unix::fs::symlink(".", root.join("loop")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zeros.txt")).unwrap();
        // a FIFO: opening it would block forever
        let fifo = root.join("pipe.txt");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        // file names that are not UTF-8 (two that a lossy conversion would merge)
        for (name, word) in [
            (&b"bad\xff.txt"[..], "Quendacoin"),
            (&b"bad\xfe.txt"[..], "Woylie"),
        ] {
            std::fs::write(
                root.join(std::ffi::OsStr::from_bytes(name)),
                format!(
                    "Share\n\n{word} Story Saved Under a Broken Name\n\nA dek about {word}.\n\n\
                     Published Mar 6, 2024, 9:14 a.m.\n\nmarkets\n\n{word} body text for a file \
                     whose name is not UTF-8.\n"
                ),
            )
            .unwrap();
        }
        // unreadable file and folder
        let unreadable = root.join("unreadable.txt");
        std::fs::write(&unreadable, "Share\n\nUnreadable Page\n\nBody.\n").unwrap();
        set_mode(&unreadable, 0o000);
        let locked = root.join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("inside.txt"), "Share\n\nLocked Page\n\nBody.\n").unwrap();
        set_mode(&locked, 0o000);
    }
    (root, secret)
}

/// Every file and problem the folder holds, as report paths.
fn expected_paths(root: &Path, perms_ignored: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            // the loop and (when permissions hold) the locked folder are reported
            // themselves; other folders by their files
            let reported_itself = name == "loop" || (name == "locked" && !perms_ignored);
            if !reported_itself && p.is_dir() {
                stack.push(p);
            } else {
                out.insert(key(&p));
            }
        }
    }
    out
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn entry<'a>(rep: &'a Value, root: &Path, name: &str) -> &'a Value {
    let want = format!("{}/{name}", key(root));
    rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == want.as_str())
        .unwrap_or_else(|| panic!("{want} is not in the report:\n{rep:#}"))
}

fn hits(idx: &str, q: &str) -> Vec<Value> {
    let o = coindex(&[
        "search", q, "--index", idx, "--format", "json", "--limit", "50",
    ]);
    assert_clean(&o);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "search {q:?}: {}",
        stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["hits"].as_array().unwrap().clone()
}

#[test]
fn hostile_folder_every_file_accounted_for_and_good_files_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, _secret) = hostile_folder(tmp.path());
    let idx = tmp.path().join("ix");
    let idx_s = idx.to_str().unwrap();
    let perms_ignored = permissions_ignored(&root.join("unreadable.txt"))
        || permissions_ignored(&root.join("locked"));
    if perms_ignored {
        eprintln!(
            "note: running as root (chmod 000 does not stop reads): the unreadable file and \
             folder are read, so their `skipped` assertions are not checked"
        );
    }
    let rep_path = tmp.path().join("report.json");
    let started = Instant::now();
    let o = coindex(&[
        "index",
        root.to_str().unwrap(),
        "--index",
        idx_s,
        "--report",
        rep_path.to_str().unwrap(),
    ]);
    eprintln!("hostile run: {:?}", started.elapsed());
    assert_clean(&o);
    assert_code(&o, 1);
    let err = stderr(&o);
    let rep = report(&rep_path);

    // every file is accounted for, exactly once
    let reported: Vec<String> = rep["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<String> = reported.iter().cloned().collect();
    assert_eq!(unique.len(), reported.len(), "a path is reported twice");
    assert_eq!(unique, expected_paths(&root, perms_ignored));
    assert_eq!(rep["files_seen"].as_u64().unwrap() as usize, reported.len());
    let count = |status: &str| {
        rep["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == status)
            .count()
    };
    for status in ["new", "skipped", "duplicate", "unchanged"] {
        assert_eq!(
            rep[status].as_u64().unwrap() as usize,
            count(status),
            "{status}"
        );
    }

    // skipped, each with its specific reason (in the report and on stderr)
    let mut skipped: Vec<(&str, &str)> = vec![
        ("png-image-named.txt", "binary file, not text (PNG image)"),
        (
            "elf-binary-named.html",
            "binary file, not text (ELF executable)",
        ),
        ("empty.txt", "empty file"),
        ("whitespace-only.md", "empty file"),
        ("html-only-scripts-and-styles.html", "no article text found"),
        (
            "json-nested-1000-levels.json",
            "nested more than 128 levels deep",
        ),
        ("truncated.json", "invalid JSON at line 1"),
        ("truncated.json.gz", "broken gzip data"),
        ("truncated.xml", "invalid feed"),
        ("xml-appended-feed-redeclares-encoding.xml", "invalid feed"),
        ("no-title-no-body.json", "no title and no body"),
        (
            "huge-200mb.txt",
            "larger than the 64 MB limit (raise it with --max-file-mb)",
        ),
        ("loop", "symlink loop"),
        ("zeros.txt", "not a regular file"),
        ("pipe.txt", "not a regular file"),
    ];
    if !perms_ignored {
        skipped.push(("unreadable.txt", "cannot open: Permission denied"));
        skipped.push(("locked", "Permission denied"));
    }
    for (name, reason) in &skipped {
        let e = entry(&rep, &root, name);
        assert_eq!(e["status"], "skipped", "{name}: {e}");
        let r = e["reason"].as_str().unwrap();
        assert!(r.contains(reason), "{name}: reason {r:?}, want {reason:?}");
        let line = format!("skipped: {}/{name}: ", key(&root));
        assert!(err.contains(&line), "{line} not on stderr:\n{err}");
    }
    assert_eq!(rep["skipped"].as_u64().unwrap() as usize, skipped.len());

    // indexed (with bad records reported where the file has some)
    let indexed: &[(&str, &str, usize)] = &[
        ("invalid-utf8.txt", "quokkacoin", 0),
        ("utf16le-no-bom.txt", "wallabycoin", 0),
        ("latin1.txt", "numbatcoin", 0),
        // a date or tags of the wrong type leave that field empty: those two
        // records are indexed, the nine without a usable title or body are not
        ("json-wrong-types-and-nulls.json", "bilbycoin", 9),
        ("truncated.ndjson", "potoroocoin", 1),
        ("truncated.csv", "dunnartcoin", 1),
        ("csv-ragged-and-multiline.csv", "quollcoin", 2),
        ("xml-billion-laughs.xml", "antechinuscoin", 0),
        ("xml-external-entity.xml", "bandicootcoin", 0),
        ("xml-author-email-against-dash.xml", "kultarrcoin", 0),
        (
            "pagedump-glued-em-dash-before-camel-case.txt",
            "bettongcoin",
            0,
        ),
        (
            "pagedump-one-line-multibyte-char-at-byte-600.txt",
            "planigalecoin",
            0,
        ),
        (
            "html-ends-in-unclosed-processing-instruction.html",
            "ningaloocoin",
            0,
        ),
        ("json-source-with-dots-and-spaces.json", "mulgaracoin", 0),
        ("dates-nonsense.ndjson", "kowaricoin", 0),
        ("no-title.md", "ningauicoin", 0),
        ("no-body.json", "pebblecoin", 0),
        ("one-line-5mb.txt", "echidnacoin", 0),
        ("html-nested-100000-levels.html", "dibblercoin", 0),
        ("bad\\xFF.txt", "quendacoin", 0),
        ("bad\\xFE.txt", "woylie", 0),
    ];
    for (name, word, bad_records) in indexed {
        let e = entry(&rep, &root, name);
        assert_eq!(e["status"], "new", "{name}: {e}");
        let errs = e["record_errors"].as_array().map_or(0, Vec::len);
        assert_eq!(errs, *bad_records, "{name}: {e}");
        let found = hits(idx_s, word);
        let want = format!("{}/{name}", key(&root));
        assert!(
            !found.is_empty()
                && found
                    .iter()
                    .all(|h| h["path"].as_str().unwrap().starts_with(&want)),
            "{word} should find {want}: {found:?}"
        );
    }
    if perms_ignored {
        assert_eq!(entry(&rep, &root, "unreadable.txt")["status"], "new");
    }
    for (rel, q) in GOOD {
        let found = hits(idx_s, q);
        let want = format!("{}/good/{rel}", key(&root));
        assert_eq!(
            found.first().map(|h| h["path"].clone()),
            Some(want.into()),
            "{q}"
        );
    }

    // what the hostile content must not do
    assert!(
        hits(idx_s, "zqxsecretmarker").is_empty(),
        "XXE read a local file"
    );
    let laughs = hits(idx_s, "antechinuscoin");
    assert!(
        laughs[0]["snippet"].as_str().unwrap().len() < 300,
        "{laughs:?}"
    );
    let dated = hits(idx_s, "kowaricoin");
    assert_eq!(dated.len(), 20);
    for h in &dated {
        assert_eq!(h["published"], Value::Null, "nonsense date kept: {h}");
    }
    // a source copied from the output is a working filter (`Bitcoin.com News` was
    // stored as `bitcoin.com-news`, which `--source` read as the host `bitcoin`)
    let src = hits(idx_s, "mulgaracoin")[0]["source"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(src, "bitcoin-com-news");
    for q in [
        "mulgaracoin source:bitcoin-com-news",
        "mulgaracoin source:\"Bitcoin.com News\"",
    ] {
        assert_eq!(hits(idx_s, q).len(), 1, "{q}");
    }
    let o = coindex(&["search", "mulgaracoin", "--index", idx_s, "--source", &src]);
    assert_code(&o, 0);
    assert!(
        err.contains(&format!("{} skipped", skipped.len())),
        "summary does not say files were skipped:\n{err}"
    );

    // the next run reads nothing new and accounts for the same files
    let o = coindex(&[
        "index",
        root.to_str().unwrap(),
        "--index",
        idx_s,
        "--report",
        rep_path.to_str().unwrap(),
    ]);
    assert_clean(&o);
    assert_code(&o, 1);
    let again = report(&rep_path);
    assert_eq!(again["new"], 0, "{again:#}");
    assert_eq!(again["updated"], 0, "{again:#}");
    assert_eq!(again["removed"], 0, "{again:#}");
    assert_eq!(again["skipped"], rep["skipped"]);
    assert_eq!(
        again["unchanged"].as_u64().unwrap(),
        rep["new"].as_u64().unwrap()
    );
    assert_eq!(again["total_documents"], rep["total_documents"]);
    // restore permissions so the temp dir can be removed
    #[cfg(unix)]
    {
        set_mode(&root.join("unreadable.txt"), 0o644);
        set_mode(&root.join("locked"), 0o755);
    }
}

#[test]
fn oversized_inputs_are_refused_without_reading_them() {
    use coindex::ingest::{IngestOptions, read_bytes};
    let tmp = tempfile::tempdir().unwrap();
    let opts = IngestOptions {
        max_file_bytes: 1024 * 1024,
        ..Default::default()
    };
    // a sparse 200 MB file: refused from its size, before any read
    let big = tmp.path().join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let err = read_bytes(&big, &opts).unwrap_err();
    assert!(err.contains("larger than the 1 MB limit"), "{err}");
    // an endless stream: the read stops at the limit
    #[cfg(unix)]
    {
        let started = Instant::now();
        let err = read_bytes(Path::new("/dev/zero"), &opts).unwrap_err();
        assert!(err.contains("larger than the 1 MB limit"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // a gzip bomb: decompression stops at the limit
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..64 {
        enc.write_all(&[b'a'; 64 * 1024]).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 64 * 1024);
    let err = coindex::ingest::read_text(Path::new("bomb.json.gz"), &bomb, &opts).unwrap_err();
    assert!(
        err.contains("decompressed size exceeds the 1 MB limit"),
        "{err}"
    );
}

#[test]
fn a_file_that_vanishes_before_it_is_read_is_a_clean_error() {
    use coindex::ingest::{IngestOptions, read_bytes, walk};
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("soon-gone.txt");
    std::fs::write(&f, "Share\n\nA Page\n\nBody text.\n").unwrap();
    let (found, problems) = walk(tmp.path());
    assert!(problems.is_empty());
    assert_eq!(found.len(), 1);
    std::fs::remove_file(&f).unwrap();
    let err = read_bytes(&found[0].path, &IngestOptions::default()).unwrap_err();
    assert!(err.starts_with("cannot open: "), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
}

/// Writes `n` distinct small page dumps; returns their paths.
fn generate(dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let sub = dir.join(format!("site{}", i % 4));
        std::fs::create_dir_all(&sub).unwrap();
        let p = sub.join(format!("story-{i}.txt"));
        std::fs::write(
            &p,
            format!(
                "Share\n\nGenerated Story {i} About Liquidity\n\nSummary of story {i}.\n\n\
                 Published Mar {d}, 2021, 10:{m:02} a.m.\n\nmarkets\n\nStory {i} body: \
                 validators and custody and treasury serial{i}.\n",
                d = 1 + i % 28,
                m = i % 60
            ),
        )
        .unwrap();
        out.push(p);
    }
    out
}

fn documents(idx: &str) -> u64 {
    let o = coindex(&["stats", "--index", idx, "--format", "json"]);
    assert_clean(&o);
    assert_code(&o, 0);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["documents"].as_u64().unwrap()
}

#[test]
fn files_deleted_while_indexing_runs_leave_exact_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("news");
    let idx = tmp.path().join("ix");
    let idx_s = idx.to_str().unwrap().to_string();
    let files = generate(&root, 3000);
    let doomed: Vec<PathBuf> = files.iter().step_by(7).cloned().collect();

    let mut c = cmd();
    c.args(["index", root.to_str().unwrap(), "--index", &idx_s]);
    let deleter = std::thread::spawn(move || {
        for (i, p) in doomed.iter().enumerate() {
            let _ = std::fs::remove_file(p);
            if i % 20 == 0 {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        doomed.len()
    });
    let o = run_deadline(c, None);
    let deleted = deleter.join().unwrap();
    assert_clean(&o);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "exit {:?}\n{}",
        o.status,
        stderr(&o)
    );
    // only vanished files may be skipped
    let vanished = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("skipped: "))
        .inspect(|l| assert!(l.contains("No such file or directory"), "{l}"))
        .count();
    assert_eq!(o.status.code() == Some(1), vanished > 0, "{}", stderr(&o));
    eprintln!("deletion race: {deleted} files deleted, {vanished} vanished between walk and read");
    let remaining = files.len() - deleted;
    assert!(files.iter().filter(|p| p.exists()).count() == remaining);

    // the next run settles the counts exactly
    let rep_path = tmp.path().join("r.json");
    let mut c = cmd();
    c.args([
        "index",
        root.to_str().unwrap(),
        "--index",
        &idx_s,
        "--report",
        rep_path.to_str().unwrap(),
    ]);
    let o = run_deadline(c, None);
    assert_clean(&o);
    assert_code(&o, 0);
    let rep = report(&rep_path);
    assert_eq!(rep["files_seen"].as_u64().unwrap() as usize, remaining);
    assert_eq!(rep["skipped"], 0);
    assert_eq!(
        (rep["new"].as_u64().unwrap() + rep["unchanged"].as_u64().unwrap()) as usize,
        remaining,
        "{}",
        stderr(&o)
    );
    assert_eq!(documents(&idx_s) as usize, remaining);
    // and one more run changes nothing
    let o = coindex(&["index", root.to_str().unwrap(), "--index", &idx_s]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains(&format!(
            "{remaining} files seen: 0 new, 0 updated, {remaining} unchanged, 0 removed"
        )),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------- queries

/// Query strings that must give a clean error (exit 2) or a valid result (0/1).
fn nasty_queries() -> Vec<String> {
    let mut q: Vec<String> = [
        "\"spot etf",
        "spot etf\"",
        "\"\"\"",
        "((bitcoin",
        "bitcoin))",
        ")(",
        "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x",
        ".*+?[](){}^$|\\",
        ".*",
        "[a-z]+",
        "a{1,99999}*",
        "\\d*",
        "^$*",
        "bitcoin~99999999999999999999",
        "bitcoin~-1",
        "bitcoin~~",
        "\"a b\"~99999999999",
        "\"a b\"~",
        "published:2024-02-30..",
        "published:99999",
        "published:-2024",
        "published:..",
        "published:2024..2023",
        "published:>=",
        "published:0000",
        "updated:9999-12-31T23:59:59Z",
        "published:(bitcoin)",
        "title:(published:2024)",
        "+",
        "-",
        "+ - OR AND NOT ( )",
        "OR",
        "AND",
        "NOT",
        "NOT NOT bitcoin",
        "- -bitcoin",
        "*",
        "**",
        "bit*coin",
        "~",
        ":",
        "::",
        "title:",
        "title::",
        "title:\"\"",
        "nosuchfield:bitcoin",
        "\"\"",
        "\" \"",
        "",
        " ",
        "\t\n",
        "\u{7}bell",
        "\u{1b}[31mred",
        "\u{202e}rtl override",
        "\u{feff}bom",
        "zero\u{200b}width",
        "😀 🚀 ₿",
        "$",
        "$$$",
        "0x",
        "0xZZZZ",
        "0x7a3f*",
        "http://",
        "https://example.com/a?b=c#d",
        "tag:",
        "source:\"\"",
        "id:*",
        "url:(a b)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    q.push(
        (0..10_000)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" "),
    );
    q.push("a ".repeat(300));
    q.push("(".repeat(2000) + &")".repeat(2000));
    q.push("x".repeat(4096));
    q.push("\"".to_string() + &"y ".repeat(1000) + "\"");
    q.push("9".repeat(4000));
    q
}

#[test]
fn nasty_queries_error_cleanly_or_run() {
    let idx = corpus_index_arg();
    for q in nasty_queries() {
        let o = coindex(&["search", &q, "--index", &idx]);
        assert_clean(&o);
        let shown: String = q.chars().take(60).collect();
        match o.status.code() {
            Some(0 | 1) => {}
            Some(2) => {
                let err = stderr(&o);
                assert!(err.starts_with("coindex: "), "{shown:?}: {err}");
                assert!(
                    err.len() < 12_000,
                    "{shown:?}: a {}-byte message",
                    err.len()
                );
            }
            other => panic!("{shown:?}: exit {other:?}\n{}", stderr(&o)),
        }
    }
}

#[test]
fn nasty_queries_through_the_library() {
    let mut all = nasty_queries();
    all.extend(["a\0b".to_string(), "\0".to_string(), "title:\0".to_string()]);
    for q in &all {
        match coindex::search::query::parse(q) {
            Ok(_) => {}
            Err(e @ (coindex::Error::Query { .. } | coindex::Error::User(_))) => {
                let msg = e.to_string();
                assert!(!msg.is_empty());
            }
            Err(other) => panic!("{q:?}: unexpected error kind {other:?}"),
        }
    }
    let e = coindex::search::query::parse("a\0b").unwrap_err();
    assert!(e.to_string().contains("control character U+0000"), "{e}");
}

#[test]
fn nasty_queries_in_a_batch_from_stdin() {
    let idx = corpus_index_arg();
    let mut input = String::new();
    let mut requests = 0;
    for q in nasty_queries() {
        if q.trim().is_empty() || q.trim_start().starts_with('#') {
            continue; // skipped lines, not requests
        }
        input.push_str(&serde_json::json!({ "q": q }).to_string());
        input.push('\n');
        requests += 1;
    }
    for line in [
        r#"{"q": "a\u0000b"}"#,
        r#"{"q": "\u0000"}"#,
        r#"{"q": "bitcoin", "from": "2024-02-30"}"#,
        r#"{"q": "bitcoin", "limit": 99999999999999999999}"#,
        r#"{"q": "bitcoin", "limit": -1}"#,
        r#"{"q": null}"#,
        r#"{"q": ["a"]}"#,
        r#"{"q": "bitcoin", "tags": "notalist"}"#,
        r#"{"unknown": 1}"#,
        r#"{"q": "bitcoin""#,
        "[1, 2, 3]",
        "\"just a string\"",
        "bitcoin",
    ] {
        input.push_str(line);
        input.push('\n');
        requests += 1;
    }
    let mut c = cmd();
    c.args(["search", "--batch", "-", "--index", &idx]);
    let mut bytes = input.into_bytes();
    bytes.extend_from_slice(b"invalid \xff utf-8\n");
    requests += 1;
    let o = run_deadline(c, Some(&bytes));
    assert_clean(&o);
    assert_code(&o, 2); // some lines failed; the batch still answered every line
    let out = stdout(&o);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), requests);
    for l in &lines {
        assert!(
            l.get("hits").is_some() || l["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{l}"
        );
    }
    let nul = lines
        .iter()
        .find(|l| l["input"] == r#"{"q": "a\u0000b"}"#)
        .expect("the NUL line is answered");
    assert!(
        nul["error"]
            .as_str()
            .unwrap()
            .contains("control character U+0000"),
        "{nul}"
    );
}

// ---------------------------------------------------------------- index damage

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Builds a small index of the good sample dumps; returns (corpus, index).
fn small_index(tmp: &Path) -> (PathBuf, PathBuf) {
    let corpus_dir = tmp.join("news");
    for (rel, _) in GOOD {
        let dst = corpus_dir.join(rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(corpus().join(rel), dst).unwrap();
    }
    let idx = tmp.join("pristine");
    let o = coindex(&[
        "index",
        corpus_dir.to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
        "-q",
    ]);
    assert_code(&o, 0);
    (corpus_dir, idx)
}

/// Segment files of an index, by extension.
fn segment_files(idx: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            !n.starts_with('.') && !n.starts_with("coindex-") && !n.ends_with(".json")
        })
        .collect();
    v.sort();
    v
}

/// Commands on a damaged index: never a panic; a command that needs the damaged part
/// exits with 2, names the problem and suggests `--rebuild` (unless `rebuild_hint` is
/// false); one that does not need it may succeed. At least one command must notice.
fn assert_damage_reported(
    label: &str,
    corpus_dir: &Path,
    idx: &Path,
    rebuild_hint: bool,
    names: &str,
) {
    let idx_s = idx.to_str().unwrap();
    let runs = [
        ("search", coindex(&["search", "bitcoin", "--index", idx_s])),
        (
            "phrase search",
            coindex(&[
                "search",
                "\"silk road\"",
                "--index",
                idx_s,
                "--format",
                "json",
            ]),
        ),
        ("stats", coindex(&["stats", "--index", idx_s])),
        (
            "index",
            coindex(&[
                "index",
                corpus_dir.to_str().unwrap(),
                "--index",
                idx_s,
                "-q",
            ]),
        ),
    ];
    let mut noticed = Vec::new();
    for (what, o) in &runs {
        assert_clean(o);
        let err = stderr(o);
        match o.status.code() {
            Some(0 | 1) => {}
            Some(2) => {
                noticed.push(*what);
                assert!(
                    err.contains(names),
                    "{label}, {what}: should name `{names}`:\n{err}"
                );
                if rebuild_hint {
                    assert!(
                        err.contains("--rebuild"),
                        "{label}, {what}: no --rebuild hint:\n{err}"
                    );
                }
            }
            other => panic!("{label}, {what}: exit {other:?}\n{err}"),
        }
    }
    eprintln!("  {label}: reported by {noticed:?}");
    assert!(
        !noticed.is_empty(),
        "{label}: no command noticed the damage"
    );
}

#[test]
fn damaged_indexes_give_clear_errors_that_suggest_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus_dir, pristine) = small_index(tmp.path());
    let segs = segment_files(&pristine);
    assert!(segs.len() >= 5, "{segs:?}");
    let mut n = 0;
    let mut fresh = |label: &str| {
        n += 1;
        let d = tmp.path().join(format!("damaged-{n}"));
        copy_dir(&pristine, &d);
        eprintln!("damage {n}: {label}");
        d
    };
    for seg in &segs {
        let name = seg.file_name().unwrap().to_string_lossy().into_owned();
        // truncated to half
        let d = fresh(&format!("truncated {name}"));
        let f = d.join(&name);
        let len = std::fs::metadata(&f).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&f)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
        assert_damage_reported(&format!("truncated {name}"), &corpus_dir, &d, true, "index");
        // deleted
        let d = fresh(&format!("deleted {name}"));
        std::fs::remove_file(d.join(&name)).unwrap();
        assert_damage_reported(&format!("deleted {name}"), &corpus_dir, &d, true, "index");
    }
    // meta.json: garbage, truncated, empty, missing
    for (label, content) in [
        ("garbage meta.json", Some(&b"\x00\x01not json at all"[..])),
        ("truncated meta.json", None),
        ("empty meta.json", Some(&b""[..])),
    ] {
        let d = fresh(label);
        let meta = d.join("meta.json");
        let data = match content {
            Some(c) => c.to_vec(),
            None => {
                let full = std::fs::read(&meta).unwrap();
                full[..full.len() / 2].to_vec()
            }
        };
        std::fs::write(&meta, data).unwrap();
        assert_damage_reported(label, &corpus_dir, &d, true, "meta.json");
    }
    let d = fresh("missing meta.json");
    std::fs::remove_file(d.join("meta.json")).unwrap();
    assert_damage_reported("missing meta.json", &corpus_dir, &d, true, "meta.json");
    // the marker file damaged or missing
    let d = fresh("garbage marker");
    std::fs::write(d.join("coindex-index.json"), "{{{").unwrap();
    assert_damage_reported(
        "garbage marker",
        &corpus_dir,
        &d,
        true,
        "coindex-index.json",
    );
    // a folder that is not an index at all: never offered for --rebuild (it would be
    // deleted), the user is told to choose another --index
    let d = tmp.path().join("not-an-index");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("holiday-photo.jpg"), b"\xff\xd8\xff").unwrap();
    assert_damage_reported(
        "not an index",
        &corpus_dir,
        &d,
        false,
        "not a coindex index",
    );
    for o in [
        coindex(&["search", "bitcoin", "--index", d.to_str().unwrap()]),
        coindex(&[
            "index",
            corpus_dir.to_str().unwrap(),
            "--index",
            d.to_str().unwrap(),
        ]),
    ] {
        assert!(stderr(&o).contains("--index"), "{}", stderr(&o));
    }
    let o = coindex(&[
        "index",
        corpus_dir.to_str().unwrap(),
        "--index",
        d.to_str().unwrap(),
        "--rebuild",
    ]);
    assert_code(&o, 2);
    assert!(
        d.join("holiday-photo.jpg").exists(),
        "--rebuild deleted a folder that is not an index"
    );
    // a file where the index folder should be
    let f = tmp.path().join("a-file");
    std::fs::write(&f, "x").unwrap();
    for o in [
        coindex(&["search", "bitcoin", "--index", f.to_str().unwrap()]),
        coindex(&[
            "index",
            corpus_dir.to_str().unwrap(),
            "--index",
            f.to_str().unwrap(),
        ]),
    ] {
        assert_clean(&o);
        assert_code(&o, 2);
    }

    // every damaged index is repaired by --rebuild
    let d = tmp.path().join("damaged-1");
    let o = coindex(&[
        "index",
        corpus_dir.to_str().unwrap(),
        "--index",
        d.to_str().unwrap(),
        "--rebuild",
        "-q",
    ]);
    assert_clean(&o);
    assert_code(&o, 0);
    assert_eq!(documents(d.to_str().unwrap()), GOOD.len() as u64);
}

#[test]
fn an_index_that_cannot_be_written_is_named_not_blamed_on_another_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus_dir, idx) = small_index(tmp.path());
    let idx_s = idx.to_str().unwrap();
    // the writer lock cannot be created (a folder sits where the lock file goes): this
    // is an I/O failure, not another `coindex index` at work
    let lock = idx.join(".tantivy-writer.lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir(&lock).unwrap();
    let o = coindex(&["index", corpus_dir.to_str().unwrap(), "--index", idx_s]);
    assert_clean(&o);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(!err.contains("already writing"), "{err}");
    assert!(err.contains("cannot write to the index"), "{err}");
    // searches still work
    assert_code(&coindex(&["search", "libra", "--index", idx_s]), 0);
    std::fs::remove_dir(&lock).unwrap();

    // a read-only index folder
    #[cfg(unix)]
    {
        set_mode(&idx, 0o555);
        let probe = idx.join(".probe");
        if std::fs::write(&probe, b"x").is_ok() {
            let _ = std::fs::remove_file(&probe);
            eprintln!(
                "note: running as root (a read-only folder stays writable): the read-only \
                 index assertion is not checked"
            );
        } else {
            // touch a file so the run has something to write
            let f = corpus_dir.join(GOOD[0].0);
            let text = std::fs::read_to_string(&f).unwrap() + "\nOne more line.\n";
            std::fs::write(&f, text).unwrap();
            let o = coindex(&["index", corpus_dir.to_str().unwrap(), "--index", idx_s]);
            assert_clean(&o);
            assert_code(&o, 2);
            let err = stderr(&o);
            assert!(
                err.contains("Permission denied") || err.contains("permission"),
                "{err}"
            );
            assert!(
                err.contains("--rebuild") || err.contains("permissions"),
                "{err}"
            );
            assert_code(&coindex(&["search", "libra", "--index", idx_s]), 0);
        }
        set_mode(&idx, 0o755);
    }
}
