//! Site templates for the generator, and the site-learning benchmark.
//!
//! ```text
//! coindex-bench gen --sites 6 --articles 600 --out DIR [--seed 42]
//! coindex-bench sites [--sites 6] [--pages 40] [--years 3] [--seed 42] [--work DIR] [--coindex PATH] [--json]
//! ```
//!
//! A generated site has a name, a page style (lines, or everything glued onto one line
//! as scrapers that lose newlines save it), a date style (month-first, day-first words
//! with a zone, or day-first numerics) and, for each year, a template: a price ticker
//! whose prices change on every page, a menu, a "HOT Stories" block of four teasers (one
//! slot changes from page to page), a newsletter box, a disclaimer and a footer. The
//! menu, teasers and footer change every year; the disclaimer changes in the last year.
//! Articles are the generator's Zipf prose, by one of the site's five authors.
//!
//! `sites` writes such a corpus with a truth file, indexes it twice with the `coindex`
//! binary (with site learning, and with `--no-site-learning` as the baseline in the same
//! command), exports both, and prints per mode: title right, date right (same day), a
//! body sentence kept, and each of five chrome phrases (menu, teaser, newsletter,
//! disclaimer, footer) gone from the title, dek and body.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use super::extract::{fold, has_phrase, norm};
use super::{Rng, Vocab, sentence, title};

const MONTH_NAMES: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const COINS: &[&str] = &[
    "BTC", "ETH", "SOL", "XRP", "BNB", "DOGE", "ADA", "TRX", "AVAX", "LINK",
];

/// How a site lays out its pages.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Lines,
    Glued,
}

/// How a site prints dates.
#[derive(Clone, Copy)]
enum DateStyle {
    /// `Jul 11, 2025, 8:35 AM`
    MonthFirst,
    /// `Thu 27 Feb 2025 03.35 GMT`
    DayFirstWords,
    /// `11/07/2025 15:28` (day first)
    DayFirstNumeric,
}

/// One year's template of a site.
struct Template {
    coins: Vec<&'static str>,
    menu: String,
    teasers: Vec<String>,
    newsletter: String,
    disclaimer: String,
    footer: String,
}

struct Site {
    name: String,
    style: Style,
    dates: DateStyle,
    authors: Vec<String>,
    years: BTreeMap<i32, Template>,
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn words(v: &Vocab, rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n).map(|_| cap(v.word(rng))).collect()
}

fn site(v: &Vocab, rng: &mut Rng, i: usize, first_year: i32, years: usize) -> Site {
    let name = format!(
        "{}{}",
        v.word(rng),
        ["news", "daily", "wire", "times", "desk", "post"][i % 6]
    );
    let style = if i.is_multiple_of(2) {
        Style::Glued
    } else {
        Style::Lines
    };
    let dates = [
        DateStyle::MonthFirst,
        DateStyle::DayFirstWords,
        DateStyle::DayFirstNumeric,
    ][i % 3];
    let authors = (0..5).map(|_| words(v, rng, 2).join(" ")).collect();
    let coins: Vec<&'static str> = (0..4 + rng.below(4))
        .map(|k| COINS[(i + k * 3) % COINS.len()])
        .collect();
    let mut disclaimer = format!(
        "Disclaimer: {} {} is not investment advice.",
        cap(&name),
        sentence(v, rng, 14).trim_end_matches('.')
    );
    let mut out = BTreeMap::new();
    for y in 0..years {
        if y + 1 == years && years > 1 {
            disclaimer = format!("Legal notice: {}", sentence(v, rng, 16));
        }
        let mut menu = vec!["Home".to_string()];
        menu.extend(words(v, rng, 7));
        menu.push("Sign In".to_string());
        out.insert(
            first_year + y as i32,
            Template {
                coins: coins.clone(),
                menu: menu.join(" "),
                teasers: (0..3).map(|_| title(v, rng)).collect(),
                newsletter: format!(
                    "Get the {} Daily in your inbox. {}",
                    cap(&name),
                    sentence(v, rng, 10)
                ),
                disclaimer: disclaimer.clone(),
                footer: format!(
                    "© {} {} Media. All rights reserved. {} Privacy Terms Contact",
                    first_year + y as i32,
                    cap(&name),
                    words(v, rng, 3).join(" ")
                ),
            },
        );
    }
    Site {
        name,
        style,
        dates,
        authors,
        years: out,
    }
}

/// The truth of one generated page.
struct Truth {
    path: String,
    title: String,
    day: String,
    sentence: String,
    chrome: Vec<String>,
}

fn date_line(style: DateStyle, rng: &mut Rng, year: i32, month: usize, day: usize) -> String {
    let (h, m) = (rng.below(24), rng.below(60));
    match style {
        DateStyle::MonthFirst => format!(
            "{} {day}, {year}, {}:{m:02} {}",
            &MONTH_NAMES[month - 1][..3],
            1 + (h + 11) % 12,
            if h < 12 { "AM" } else { "PM" }
        ),
        DateStyle::DayFirstWords => format!(
            "{} {day} {} {year} {h:02}.{m:02} GMT",
            WEEKDAYS[rng.below(7)],
            &MONTH_NAMES[month - 1][..3]
        ),
        DateStyle::DayFirstNumeric => format!("{day:02}/{month:02}/{year} {h:02}:{m:02}"),
    }
}

/// One page of `s` in `year`, and its truth.
fn page(v: &Vocab, rng: &mut Rng, s: &Site, year: i32, n: usize) -> (String, Truth) {
    let t = &s.years[&year];
    let ticker: Vec<String> = t
        .coins
        .iter()
        .map(|c| {
            format!(
                "{c} ${}.{:02} {}{}.{:02}%",
                1 + rng.below(70_000),
                rng.below(100),
                if rng.below(2) == 0 { "+" } else { "-" },
                rng.below(9),
                rng.below(100)
            )
        })
        .collect();
    let headline = title(v, rng);
    let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
    let author = &s.authors[rng.below(s.authors.len())];
    let dateline = format!(
        "By {author} Published {}",
        date_line(s.dates, rng, year, month, day)
    );
    let paras: Vec<String> = (0..5)
        .map(|_| {
            (0..3)
                .map(|_| {
                    let w = 14 + rng.below(10);
                    sentence(v, rng, w)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let kept = paras[2].split(". ").next().unwrap_or(&paras[2]).to_string();
    let mut teasers = t.teasers.clone();
    teasers.insert(rng.below(4), title(v, rng));
    let hot = format!("HOT Stories {}", teasers.join(" | "));
    let parts = [
        ticker.join(" "),
        t.menu.clone(),
        headline.clone(),
        dateline,
        paras[0].clone(),
        paras[1].clone(),
        t.newsletter.clone(),
        paras[2].clone(),
        paras[3].clone(),
        hot,
        paras[4].clone(),
        t.disclaimer.clone(),
        t.footer.clone(),
    ];
    let text = match s.style {
        Style::Glued => parts.join(" "),
        Style::Lines => parts.join("\n\n"),
    };
    let path = format!("{}/{year}/{}-{n:04}.txt", s.name, s.name);
    let first_words = |x: &str, k: usize| x.split(' ').take(k).collect::<Vec<_>>().join(" ");
    let truth = Truth {
        path,
        title: headline,
        day: format!("{year}-{month:02}-{day:02}"),
        sentence: kept,
        chrome: vec![
            first_words(&t.menu, 6),
            t.teasers[0].clone(),
            first_words(&t.newsletter, 8),
            t.disclaimer
                .split(' ')
                .skip(2)
                .take(8)
                .collect::<Vec<_>>()
                .join(" "),
            first_words(&t.footer, 7),
        ],
    };
    (text, truth)
}

/// Writes `sites` sites × `years` years × `per_year` pages under `out`; returns the
/// truth of every page and the bytes written.
fn generate(
    out: &Path,
    sites: usize,
    years: usize,
    per_year: usize,
    seed: u64,
) -> std::io::Result<(Vec<Truth>, u64)> {
    let mut rng = Rng(seed);
    let v = Vocab::new(&mut rng);
    let mut truths = Vec::new();
    let mut bytes = 0;
    for i in 0..sites {
        let first = 2019 + (i % 4) as i32;
        let s = site(&v, &mut rng, i, first, years);
        let mut n = 0;
        for &year in s.years.keys() {
            std::fs::create_dir_all(out.join(&s.name).join(year.to_string()))?;
            for _ in 0..per_year {
                let (text, t) = page(&v, &mut rng, &s, year, n);
                n += 1;
                bytes += text.len() as u64;
                std::fs::write(out.join(&t.path), text)?;
                truths.push(t);
            }
        }
    }
    Ok((truths, bytes))
}

/// `coindex-bench gen --sites N`: `articles` pages spread over `sites` sites and three
/// years each.
pub fn gen_main(
    out: &Path,
    sites: usize,
    articles: usize,
    seed: u64,
) -> std::io::Result<(u64, usize)> {
    let years = 3;
    let per_year = articles.div_ceil(sites.max(1) * years).max(1);
    let (truths, bytes) = generate(out, sites.max(1), years, per_year, seed)?;
    Ok((bytes, truths.len()))
}

#[derive(Default, Clone, Copy)]
struct Tally {
    pages: usize,
    found: usize,
    title: usize,
    date: usize,
    body: usize,
    chrome: usize,
    chrome_total: usize,
}

impl Tally {
    fn rate(n: usize, d: usize) -> f64 {
        if d == 0 { 0.0 } else { n as f64 / d as f64 }
    }
    fn json(&self) -> Value {
        json!({
            "pages": self.pages,
            "indexed": self.found,
            "title": Tally::rate(self.title, self.pages),
            "date": Tally::rate(self.date, self.pages),
            "body_kept": Tally::rate(self.body, self.pages),
            "chrome_gone": Tally::rate(self.chrome, self.chrome_total),
        })
    }
}

fn index_and_score(
    bin: &Path,
    corpus: &Path,
    idx: &Path,
    extra: &[&str],
    truths: &[Truth],
) -> Result<(Tally, f64), String> {
    let _ = std::fs::remove_dir_all(idx);
    let start = std::time::Instant::now();
    let out = Command::new(bin)
        .arg("index")
        .arg(corpus)
        .arg("--index")
        .arg(idx)
        .arg("--quiet")
        // the pages print wall-clock times; read in UTC, the printed day is the day
        .args(["--timezone", "UTC"])
        .args(extra)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let secs = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "coindex index failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = Command::new(bin)
        .arg("export")
        .arg("--index")
        .arg(idx)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let root = std::fs::canonicalize(corpus).map_err(|e| e.to_string())?;
    let root = format!("{}/", root.display());
    let mut docs: BTreeMap<String, Value> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Ok(v) = serde_json::from_str::<Value>(line)
            && let Some(p) = v["path"].as_str()
        {
            docs.insert(p.strip_prefix(&root).unwrap_or(p).to_string(), v);
        }
    }
    let mut t = Tally::default();
    for tr in truths {
        t.pages += 1;
        t.chrome_total += tr.chrome.len();
        let Some(d) = docs.get(&tr.path) else {
            continue;
        };
        t.found += 1;
        let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
        t.title += usize::from(norm(&s("title")) == norm(&tr.title));
        t.date += usize::from(s("published").starts_with(&tr.day));
        let all = fold(&format!("{}\n{}\n{}", s("title"), s("dek"), s("body")));
        t.body += usize::from(has_phrase(&fold(&s("body")), &tr.sentence));
        t.chrome += tr.chrome.iter().filter(|c| !has_phrase(&all, c)).count();
    }
    Ok((t, secs))
}

const USAGE: &str = "usage: coindex-bench sites [--sites 6] [--pages 40] [--years 3] [--seed 42] [--work DIR] [--coindex PATH] [--json]";

/// `coindex-bench sites`.
pub fn main(args: &[String]) -> i32 {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let num = |name: &str, d: usize| -> Result<usize, String> {
        flag(name).map_or(Ok(d), |s| {
            s.parse().map_err(|_| format!("{name}: not a number: {s}"))
        })
    };
    let parsed = (|| -> Result<_, String> {
        Ok((
            num("--sites", 6)?,
            num("--pages", 40)?,
            num("--years", 3)?,
            num("--seed", 42)?,
        ))
    })();
    let Ok((sites, per_year, years, seed)) = parsed else {
        eprintln!(
            "coindex-bench sites: {}\n{USAGE}",
            parsed.err().unwrap_or_default()
        );
        return 2;
    };
    if sites == 0 || per_year == 0 || years == 0 {
        eprintln!("coindex-bench sites: --sites, --pages and --years must be at least 1\n{USAGE}");
        return 2;
    }
    let bin = flag("--coindex")
        .map(PathBuf::from)
        .unwrap_or_else(super::coindex_bin);
    let (work, remove) = match flag("--work") {
        Some(w) => (PathBuf::from(w), false),
        None => (
            std::env::temp_dir().join(format!("coindex-bench-sites-{}", std::process::id())),
            true,
        ),
    };
    let corpus = work.join("corpus");
    let _ = std::fs::remove_dir_all(&corpus);
    let (truths, bytes) = match generate(&corpus, sites, years, per_year, seed as u64) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("coindex-bench sites: cannot write the corpus: {e}");
            return 2;
        }
    };
    let mut rows = Vec::new();
    for (label, extra) in [
        ("generic rules", vec!["--no-site-learning"]),
        ("site learning", vec![]),
    ] {
        match index_and_score(
            &bin,
            &corpus,
            &work.join(format!("index-{}", extra.len())),
            &extra,
            &truths,
        ) {
            Ok(r) => rows.push((label, r)),
            Err(e) => {
                eprintln!("coindex-bench sites: {e}");
                return 2;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if args.iter().any(|a| a == "--json") {
        let v: Vec<Value> = rows
            .iter()
            .map(|(l, (t, s))| {
                let mut j = t.json();
                j["mode"] = json!(l);
                j["index_seconds"] = json!(s);
                j
            })
            .collect();
        let _ = writeln!(
            out,
            "{}",
            json!({ "sites": sites, "years": years, "pages_per_year": per_year, "seed": seed, "modes": v })
        );
    } else {
        let _ = writeln!(
            out,
            "{} pages ({:.1} MB) of {sites} generated sites × {years} years × {per_year} pages, seed {seed}",
            truths.len(),
            bytes as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "{:<14} {:>7} {:>7} {:>7} {:>10} {:>12} {:>8}",
            "mode", "indexed", "title", "date", "body kept", "chrome gone", "index s"
        );
        for (l, (t, s)) in &rows {
            let _ = writeln!(
                out,
                "{:<14} {:>7} {:>7.3} {:>7.3} {:>10.3} {:>12.3} {:>8.2}",
                l,
                t.found,
                Tally::rate(t.title, t.pages),
                Tally::rate(t.date, t.pages),
                Tally::rate(t.body, t.pages),
                Tally::rate(t.chrome, t.chrome_total),
                s
            );
        }
    }
    if remove {
        let _ = std::fs::remove_dir_all(&work);
    }
    0
}
