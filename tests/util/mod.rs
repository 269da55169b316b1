//! Shared helpers for CLI tests: run the real binary with a scrubbed environment, and
//! build the sample-corpus index once per test binary in a temp dir.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository's sample corpus (read-only).
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus")
}

/// A `coindex` command with a scrubbed environment.
pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_coindex"));
    c.env_clear();
    if let Some(p) = std::env::var_os("PATH") {
        c.env("PATH", p);
    }
    c.env("HOME", std::env::temp_dir());
    c
}

/// Runs `coindex` with args; returns the output.
pub fn run(args: &[&str]) -> Output {
    cmd().args(args).output().expect("coindex runs")
}

/// stdout as a string.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as a string.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit status, printing both streams on failure.
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(o),
        stderr(o)
    );
}

/// The sample corpus indexed once into a temp dir shared by the tests of one binary.
pub fn corpus_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let idx = dir.path().join("index");
        let o = run(&[
            "index",
            corpus().to_str().unwrap(),
            "--index",
            idx.to_str().unwrap(),
            "--quiet",
        ]);
        assert_code(&o, 0);
        dir
    })
    .path()
}

/// `--index` path of the shared corpus index.
pub fn corpus_index_arg() -> String {
    corpus_index().join("index").to_string_lossy().into_owned()
}

/// Runs a search on the shared index with extra args.
pub fn search(query: &str, extra: &[&str]) -> Output {
    let idx = corpus_index_arg();
    let mut args = vec!["search", query, "--index", idx.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}
