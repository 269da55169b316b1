//! Saved HTML of any site, end to end through the binary (`coindex index` then `coindex
//! export`): the main content is found when semantic tags are missing or wrong, and the
//! site's menu, cookie banner, related-stories block, comments and author bio stay out
//! of the searchable text. Each fixture under `fixtures/html/` is a page written for
//! this test (no real site's text) and is named for what it proves.

mod util;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use util::{assert_code, run, stdout};

/// Every fixture page indexed once into a temp dir; documents by file name.
fn documents() -> &'static HashMap<String, Value> {
    static DOCS: std::sync::OnceLock<HashMap<String, Value>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
        let dir = tempfile::tempdir().unwrap();
        let idx = dir.path().join("index");
        let idx = idx.to_str().unwrap();
        assert_code(
            &run(&[
                "index",
                fixtures.to_str().unwrap(),
                "--index",
                idx,
                "--quiet",
            ]),
            0,
        );
        let out = run(&["export", "--index", idx]);
        assert_code(&out, 0);
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("export line is JSON"))
            .map(|v| {
                let name = Path::new(v["path"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, v)
            })
            .collect()
    })
}

fn doc(name: &str) -> &'static Value {
    documents()
        .get(name)
        .unwrap_or_else(|| panic!("no document for {name}: {:?}", documents().keys()))
}

fn text(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_default().to_string()
}

fn authors(v: &Value) -> Vec<String> {
    v["authors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts that every phrase is in the body (`keep`) or in neither body nor dek.
fn check(name: &str, keep: &[&str], gone: &[&str]) {
    let d = doc(name);
    let body = text(d, "body");
    let dek = text(d, "dek");
    for k in keep {
        assert!(body.contains(k), "{name}: body lost {k:?}:\n{body}");
    }
    for g in gone {
        assert!(
            !body.contains(g) && !dek.contains(g),
            "{name}: chrome {g:?} kept:\n{body}\n-- dek: {dek}"
        );
    }
}

#[test]
fn a_page_without_semantic_tags_keeps_its_article_and_drops_the_rest() {
    check(
        "no-semantic-tags.html",
        &[
            // the whole body, first to last paragraph
            "Bitcoin miners in Texas and Quebec switched off thousands of older machines",
            "Hardware makers have cut prices on older models",
            "took almost four months to recover its previous high.",
        ],
        &[
            // nav menu, cookie banner, related stories, comments, sidebar, footer
            "Podcast",
            "We use cookies",
            "More stories",
            "Lightning capacity hits a record high",
            "12 comments",
            "difficulty drop will be smaller than the article suggests",
            "Price index",
            "How to store coins offline",
            "2019 Hashdesk",
        ],
    );
    let d = doc("no-semantic-tags.html");
    assert_eq!(text(d, "title"), "Miners Switch Off Old Rigs as Fees Slump");
    assert_eq!(authors(d), ["Dana Whitfield"]);
    // the date printed in the byline, in the default zone (America/New_York)
    assert_eq!(text(d, "published"), "2019-03-08T05:00:00Z");
}

#[test]
fn wrappers_named_like_ads_do_not_hide_the_article() {
    check(
        "article-wrapped-in-ad-named-divs.html",
        &[
            "published its first full audit on Tuesday",
            "move the remaining bank deposits to institutions with higher credit ratings",
        ],
        &[
            // the author bio in the header and the related links at the foot
            "is a markets reporter who has covered exchanges",
            "Rival issuer cuts its commercial paper holdings",
        ],
    );
    // the meta author is the site; the byline names the person
    assert_eq!(
        authors(doc("article-wrapped-in-ad-named-divs.html")),
        ["Omar Reyes"]
    );
}

#[test]
fn teaser_cards_marked_article_are_not_the_article() {
    check(
        "teaser-cards-marked-article.html",
        &[
            "Validators on the network voted on Thursday to raise the block gas limit",
            "the limit could be lowered again by the same voting process",
        ],
        &[
            "Rollup users paid less for transactions this month",
            "More than a million validators have now withdrawn",
        ],
    );
    // a host name in the author meta is no person: the printed byline names two
    assert_eq!(
        authors(doc("teaser-cards-marked-article.html")),
        ["Jana Roe", "Omar Reyes"]
    );
}

#[test]
fn an_article_in_sibling_sections_keeps_every_section() {
    check(
        "sections-without-semantic-tags.html",
        &[
            // the lead, each short section with its subhead, the list and the close
            "Every four years the reward for mining a block is cut in half",
            "Revenue",
            "Half the reward means half the coins",
            "Power is the largest cost, and a small operator rarely gets the rates",
            "Upgrade to newer machines that use less power per hash.",
            "sell capacity to a larger firm.",
            "None of these choices is new, but the halving makes them urgent.",
        ],
        &[
            "Guides",
            "Ten wallets compared",
            "Reproduction without permission",
        ],
    );
}
