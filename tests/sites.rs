//! Site learning through the CLI, on pages written here: one site's page dumps share a
//! ticker, a menu, a teaser block, a disclaimer and a footer around distinct articles.
//! The chrome becomes unsearchable, the articles stay searchable, a later run cleans a
//! new page with what was learned, a lone page of another site is left to the generic
//! rules, the site's numeric date order comes from its unambiguous dates, and `stats
//! --sites` shows what was learned.

mod util;

use std::path::Path;

use serde::Deserialize;
use util::{assert_code, run, stderr, stdout};

/// Words no article here uses: each names one piece of the template.
const TICKER: &str =
    "BTC $61,204.11 +1.02% ETH $3,011.40 -0.44% SOL $142.90 +2.71% XRP $0.52 -1.10%";
const MENU: &str =
    "Home Latest Coins Markets Deepdives Podcastia Opinionator Learn Newsletter Sign In";
const TEASERS: &str = "Trending Now: Vortexa Whales Rotate Into Staking Tokens | Regulators Weigh Quorvium Stablecoin Rules | Miners Brace For Hashprice Slump";
const DISCLAIMER: &str = "Disclaimer: The views expressed on Wirenews are not investment advice; readers should consult a licensed advisor (Zephyrlaw) before they trade.";
const FOOTER: &str = "Copyright Wirenews Media Group. All rights reserved. Terms Privacy Cookiepolicy Careers Contact";

/// Words articles are made of; each page picks its own sequence.
const WORDS: &[&str] = &[
    "miners",
    "sold",
    "reserves",
    "after",
    "the",
    "halving",
    "as",
    "fees",
    "rose",
    "and",
    "pools",
    "shifted",
    "hashpower",
    "toward",
    "cheaper",
    "power",
    "while",
    "traders",
    "watched",
    "funding",
    "rates",
    "on",
    "perpetual",
    "futures",
    "desks",
    "said",
    "demand",
    "for",
    "options",
    "grew",
    "ahead",
    "of",
    "expiry",
    "exchange",
    "balances",
    "fell",
    "treasury",
    "bought",
    "more",
    "bitcoin",
    "analysts",
    "expect",
    "volatility",
    "to",
    "return",
    "when",
    "liquidity",
    "thins",
    "over",
    "holidays",
    "regulators",
    "asked",
    "issuers",
    "about",
    "custody",
    "audits",
    "lenders",
    "tightened",
    "collateral",
    "terms",
];

/// A word no other page has, spelled in letters (digits would not be searchable alone).
fn marker(i: usize) -> String {
    let mut n = i + 26 * 26;
    let mut s = String::from("kelv");
    while n > 0 {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

/// `n` words of article prose, different for each `seed`.
fn prose(seed: usize, n: usize) -> String {
    let mut x = seed as u64 * 0x9e37_79b9 + 12345;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            WORDS[(x >> 33) as usize % WORDS.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One page of the site; every other page is glued onto one line, as scrapers that
/// lose newlines save them. The ticker's prices change from page to page.
fn page(i: usize, date: &str) -> String {
    let ticker = TICKER.replace("61,204.11", &format!("6{},{}04.1{}", i % 10, i % 7, i % 3));
    let title = format!("{} {}", marker(i), prose(i + 3000, 7));
    let author = ["Ana Ruiz", "Tomas Berg", "Lee Park"][i % 3];
    let paras = [
        format!("{} {}.", marker(i), prose(i, 45)),
        format!("{}.", prose(i + 1000, 50)),
        format!("{}.", prose(i + 2000, 40)),
    ];
    let parts = [
        ticker.as_str(),
        MENU,
        &title,
        &format!("By {author} Published {date}"),
        &paras[0],
        TEASERS,
        &paras[1],
        &paras[2],
        DISCLAIMER,
        FOOTER,
    ];
    if i.is_multiple_of(2) {
        parts.join(" ")
    } else {
        parts.join("\n\n")
    }
}

fn write_site(dir: &Path, pages: std::ops::Range<usize>) {
    std::fs::create_dir_all(dir).unwrap();
    for i in pages {
        let date = format!("Jan {}, 2024", 1 + i % 28);
        std::fs::write(dir.join(format!("story-{i:02}.txt")), page(i, &date)).unwrap();
    }
}

fn index(src: &Path, idx: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "index",
        src.to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_code(&o, 0);
    stderr(&o)
}

/// Paths of the hits of a query (exit 1 and none when nothing matches).
fn hits(idx: &Path, q: &str) -> Vec<String> {
    let o = run(&[
        "search",
        q,
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "csv",
        "--fields",
        "path",
        "--limit",
        "100",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .skip(1)
        .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
        .collect()
}

/// (file name, title, published, authors) of every document.
fn exported(idx: &Path) -> Vec<(String, String, String, Vec<String>)> {
    let o = run(&["export", "--index", idx.to_str().unwrap()]);
    assert_code(&o, 0);
    stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let path = s("path");
            let authors = v["authors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            (name, s("title"), s("published"), authors)
        })
        .collect()
}

/// Chrome words: one from each piece of the template.
const CHROME_WORDS: &[&str] = &[
    "Opinionator",
    "Podcastia",
    "Vortexa",
    "Quorvium",
    "Zephyrlaw",
    "Cookiepolicy",
];

#[test]
fn a_sites_chrome_becomes_unsearchable_and_its_articles_stay() {
    let src = tempfile::tempdir().unwrap();
    let ix = tempfile::tempdir().unwrap();
    let idx = ix.path().join("index");
    let site = src.path().join("wirenews");
    write_site(&site, 0..12);
    // a lone page of another site carries the same words: nothing is learned for it
    let lone = src.path().join("lonesite");
    std::fs::create_dir_all(&lone).unwrap();
    std::fs::write(lone.join("only.txt"), page(99, "Feb 2, 2024")).unwrap();
    index(src.path(), &idx, &[]);

    // the same archive without learning: only the generic rules
    let plain = ix.path().join("plain");
    index(src.path(), &plain, &["--no-site-learning"]);
    assert_eq!(
        hits(&plain, "Opinionator").len(),
        13,
        "the menu is no generic chrome"
    );
    for w in CHROME_WORDS {
        let lone_keeps: Vec<String> = hits(&plain, w)
            .into_iter()
            .filter(|p| p == "only.txt")
            .collect();
        assert_eq!(
            hits(&idx, w),
            lone_keeps,
            "{w}: only the lone page keeps it"
        );
    }
    for i in 0..12 {
        assert_eq!(hits(&idx, &marker(i)), [format!("story-{i:02}.txt")]);
    }
    // with the ticker and menu gone, each page's title, byline and date are found
    for (path, title, published, authors) in exported(&idx) {
        if path == "only.txt" {
            continue;
        }
        let i: usize = path[6..8].parse().unwrap();
        assert_eq!(
            title,
            format!("{} {}", marker(i), prose(i + 3000, 7)),
            "{path}"
        );
        assert!(published.starts_with("2024-01-"), "{path}: {published}");
        assert_eq!(
            authors,
            [["Ana Ruiz", "Tomas Berg", "Lee Park"][i % 3]],
            "{path}"
        );
    }
    // the generic rules alone take the ticker or the menu for a title
    assert!(
        exported(&plain)
            .iter()
            .filter(|(_, t, _, _)| t.starts_with("BTC") || t.starts_with("Home"))
            .count()
            >= 6
    );
    let sentence = prose(1005, 50);
    let phrase: Vec<&str> = sentence.split(' ').take(8).collect();
    assert_eq!(
        hits(&idx, &format!("\"{}\"", phrase.join(" "))),
        ["story-05.txt"],
        "an article's own sentence stays searchable"
    );
}

#[test]
fn a_later_run_cleans_a_new_page_with_what_was_learned() {
    let src = tempfile::tempdir().unwrap();
    let ix = tempfile::tempdir().unwrap();
    let idx = ix.path().join("index");
    let site = src.path().join("wirenews");
    write_site(&site, 0..3);
    index(src.path(), &idx, &[]);
    // three pages: below the threshold, nothing learned yet
    assert_eq!(hits(&idx, "Opinionator").len(), 3);

    // the site crosses the threshold: the earlier pages are cleaned again too
    write_site(&site, 3..7);
    let o = run(&[
        "index",
        src.path().to_str().unwrap(),
        "--index",
        idx.to_str().unwrap(),
    ]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("4 new, 0 updated, 3 unchanged"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("pages cleaned again"), "{}", stderr(&o));
    assert!(hits(&idx, "Opinionator").is_empty());
    assert_eq!(hits(&idx, &marker(1)), ["story-01.txt"]);

    // one more page, in a run of its own: cleaned with the stored profile
    write_site(&site, 7..8);
    index(src.path(), &idx, &[]);
    assert!(hits(&idx, "Zephyrlaw").is_empty());
    assert_eq!(hits(&idx, &marker(7)), ["story-07.txt"]);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SitesOut {
    sites: Vec<SiteOut>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteOut {
    site: String,
    pages: u64,
    chrome_segments: usize,
    date_order: String,
    day_first_dates: u32,
    month_first_dates: u32,
    groups: Vec<GroupOut>,
    examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupOut {
    group: String,
    pages: u32,
    chrome_segments: usize,
    frozen: bool,
}

#[test]
fn stats_sites_shows_pages_chrome_and_date_order() {
    let src = tempfile::tempdir().unwrap();
    let ix = tempfile::tempdir().unwrap();
    let idx = ix.path().join("index");
    let site = src.path().join("wirenews");
    write_site(&site, 0..6);
    // a day-first site: one unambiguous date decides how its 03/04/2024 reads (two
    // glued pages: too few to learn chrome, their bylines are found as they are)
    let eu = src.path().join("eurodesk");
    std::fs::create_dir_all(&eu).unwrap();
    std::fs::write(eu.join("a.txt"), page(50, "25/06/2024 10:00")).unwrap();
    std::fs::write(eu.join("b.txt"), page(52, "03/04/2024 09:30")).unwrap();
    index(src.path(), &idx, &[]);

    let o = run(&[
        "stats",
        "--sites",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_code(&o, 0);
    let got: SitesOut =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|_| panic!("{}", stdout(&o)));
    let wire = got
        .sites
        .iter()
        .find(|s| s.site == "wirenews")
        .expect("wirenews");
    assert_eq!(wire.pages, 6);
    assert!(wire.chrome_segments >= 20, "{wire:?}");
    assert_eq!(wire.date_order, "unknown");
    assert!(
        wire.groups
            .iter()
            .any(|g| g.group == "all" && g.pages == 6 && !g.frozen && g.chrome_segments > 0),
        "{wire:?}"
    );
    assert!(
        wire.examples
            .iter()
            .any(|e| e.contains("Home Latest Coins") || e.contains("Vortexa")),
        "{wire:?}"
    );
    let eu = got
        .sites
        .iter()
        .find(|s| s.site == "eurodesk")
        .expect("eurodesk");
    assert_eq!(
        (
            eu.date_order.as_str(),
            eu.day_first_dates,
            eu.month_first_dates
        ),
        ("day-first", 1, 0)
    );
    assert_eq!(eu.chrome_segments, 0, "two pages learn no chrome");
    assert!(eu.groups.is_empty() && eu.examples.is_empty());

    // 03/04/2024 is 3 April on a day-first site
    let o = run(&[
        "search",
        &marker(52),
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "csv",
        "--fields",
        "published",
    ]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("2024-04-03"), "{}", stdout(&o));

    let o = run(&["stats", "--sites", "--index", idx.to_str().unwrap()]);
    assert_code(&o, 0);
    let text = stdout(&o);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("site") && first.ends_with("date order"),
        "{text}"
    );
    assert!(
        text.contains("eurodesk") && text.contains("day-first (1 day-first, 0 month-first dates)"),
        "{text}"
    );
    // (the pages' dates are read on their first parse too, so a 2024 group may come first)
    assert!(
        text.contains("learned from: ") && text.contains("all (6 pages"),
        "{text}"
    );
    assert!(text.contains("  removed: \""), "{text}");
}
