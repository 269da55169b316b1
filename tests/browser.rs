//! The search page in a real browser: headless Chromium driven by playwright-core
//! (`tests/browser/drive.cjs`) over a server on a copy of the sample corpus plus two
//! hostile articles written here. Needs `chromium` (or `COINDEX_CHROMIUM`), `node`, and
//! playwright-core under `<target>/browser-tools` (or `COINDEX_PLAYWRIGHT_CORE`);
//! `.ci/run` installs all three. Without them the test says SKIPPED on stderr and
//! passes, unless `COINDEX_REQUIRE_BROWSER=1` (set by CI), where it fails. Screenshots
//! go to `<target>/tmp/browser/`.

mod serve_util;
mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use serve_util::*;

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Chromium, node and playwright-core, or what is missing.
fn tools() -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let chromium = std::env::var_os("COINDEX_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|n| on_path(n))
        })
        .ok_or("no chromium on PATH (apt-get install chromium, or set COINDEX_CHROMIUM)")?;
    let node = on_path("node").ok_or("no node on PATH (apt-get install nodejs)")?;
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .to_path_buf();
    let playwright = std::env::var_os("COINDEX_PLAYWRIGHT_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("browser-tools/node_modules/playwright-core"));
    if !playwright.join("package.json").is_file() {
        return Err(format!(
            "no playwright-core at {} (npm install --prefix {} playwright-core, as .ci/run does)",
            playwright.display(),
            target.join("browser-tools").display()
        ));
    }
    Ok((chromium, node, playwright))
}

/// A page whose title, dek, tags and source carry markup, and one whose body quotes a
/// script, as scraped pages about wallet drainers do.
fn write_hostile(corpus: &Path) {
    let dir = corpus.join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("hostile.ndjson"),
        concat!(
            r#"{"title": "&lt;img src=x onerror=\"window.__pwned='title'\"&gt; Hostile token lists", "#,
            r#""dek": "&lt;script&gt;window.__pwned='dek'&lt;/script&gt;", "#,
            r#""body": "The hostile token listed today after a vote.\n\nA second paragraph about the hostile token.", "#,
            r#""url": "https://evil.example/2024/01/02/hostile", "source": "<i>evilwire</i>", "#,
            r#""tags": ["<svg onload=alert(1)>", "hostile"], "published": "2024-01-02T10:00:00Z"}"#,
            "\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("drainer.md"),
        "---\ntitle: \"Wallet drainer hides in a hostile2 pricing widget\"\ndate: 2024-01-03T10:00:00Z\nsource: evilwire\ntags: [security, hostile2]\n---\n\nResearchers said the hostile2 widget injected `<script>window.__pwned='body'</script>` into exchange pages.\n\nThey also found `<img src=x onerror=\"window.__pwned='img'\">` tags in the hostile2 loader.\n",
    )
    .unwrap();
}

#[test]
fn the_page_works_in_a_real_browser_and_runs_no_article_code() {
    let (chromium, node, playwright) = match tools() {
        Ok(t) => t,
        Err(why) => {
            if std::env::var("COINDEX_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("browser tests required (COINDEX_REQUIRE_BROWSER=1) but {why}");
            }
            eprintln!("SKIPPED: browser tests did not run: {why}");
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    copy_tree(&util::corpus(), &corpus);
    write_hostile(&corpus);
    let index = tmp.path().join("index");
    let o = util::run(&[
        "index",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--quiet",
    ]);
    util::assert_code(&o, 0);
    let server = Server::start(&index);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/drive.cjs");
    let out = Command::new(node)
        .arg(script)
        .arg(&server.url)
        .arg(chromium)
        .arg(&shots)
        .env("PLAYWRIGHT_CORE", playwright)
        .env("HOME", tmp.path())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "the browser checks failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server\n{}",
        server.stderr()
    );
    assert!(shots.join("results.png").is_file());
    eprintln!("screenshot: {}", shots.join("results.png").display());
}
