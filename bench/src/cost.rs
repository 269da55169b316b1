//! `coindex-bench cost`: what a change costs the indexer, as medians over interleaved
//! runs of two or more `coindex` binaries on one corpus (interleaving spreads the
//! machine's other load over all of them): a full build (`index --rebuild`: wall and
//! CPU time, documents per second, peak RSS) and a no-op re-index (nothing changed).
//!
//! ```text
//! coindex-bench cost --corpus DIR --work DIR --coindex main=PATH --coindex new=PATH [--runs 3]
//! coindex-bench cost --corpus DIR --work DIR --coindex main=PATH --coindex 'off=PATH --no-site-learning'
//! ```
//!
//! Words after the path are passed to `coindex index` (the same binary with a switch).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Measured, measure_full, median};

struct Row {
    label: String,
    bin: PathBuf,
    /// Extra arguments of `coindex index`.
    extra: Vec<String>,
    full: Vec<f64>,
    cpu: Vec<f64>,
    rss: Vec<f64>,
    noop: Vec<f64>,
    docs: u64,
}

fn index(bin: &Path, extra: &[String], corpus: &Path, idx: &Path, rebuild: bool) -> Measured {
    let mut c = Command::new(bin);
    c.arg("index").arg("-q").args(extra);
    if rebuild {
        c.arg("--rebuild");
    }
    c.arg(corpus).arg("--index").arg(idx);
    let m = measure_full(&mut c);
    assert!(
        m.code == 0 || m.code == 1,
        "{} index failed with {}",
        bin.display(),
        m.code
    );
    m
}

fn count(bin: &Path, idx: &Path) -> u64 {
    let o = Command::new(bin)
        .arg("count")
        .arg("--index")
        .arg(idx)
        .output()
        .expect("count");
    String::from_utf8_lossy(&o.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

pub fn main(args: &[String]) -> i32 {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(corpus), Some(work)) = (flag("--corpus"), flag("--work")) else {
        eprintln!(
            "usage: coindex-bench cost --corpus DIR --work DIR --coindex 'LABEL=PATH [INDEX ARGS]'... [--runs 3]"
        );
        return 2;
    };
    let runs: usize = flag("--runs").and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut rows: Vec<Row> = args
        .windows(2)
        .filter(|w| w[0] == "--coindex")
        .map(|w| {
            let (label, spec) = w[1].split_once('=').unwrap_or(("coindex", &w[1]));
            let mut words = spec.split_whitespace().map(str::to_string);
            Row {
                label: label.to_string(),
                bin: PathBuf::from(words.next().unwrap_or_default()),
                extra: words.collect(),
                full: vec![],
                cpu: vec![],
                rss: vec![],
                noop: vec![],
                docs: 0,
            }
        })
        .collect();
    if rows.is_empty() {
        eprintln!("coindex-bench cost: give at least one --coindex LABEL=PATH");
        return 2;
    }
    let (corpus, work) = (Path::new(&corpus), Path::new(&work));
    std::fs::create_dir_all(work).expect("work dir");
    for run in 0..runs {
        for r in rows.iter_mut() {
            let idx = work.join(format!("cost-{}", r.label));
            let m = index(&r.bin, &r.extra, corpus, &idx, true);
            r.full.push(m.wall.as_secs_f64());
            r.cpu.push(m.cpu.as_secs_f64());
            r.rss.push(m.max_rss_kb as f64 / 1024.0);
            r.docs = count(&r.bin, &idx);
            for _ in 0..2 {
                r.noop.push(
                    index(&r.bin, &r.extra, corpus, &idx, false)
                        .wall
                        .as_secs_f64(),
                );
            }
            eprintln!(
                "run {}: {} full {:.1} s",
                run + 1,
                r.label,
                m.wall.as_secs_f64()
            );
        }
    }
    let base_rate = rows[0].docs as f64 / median(&mut rows[0].full.clone());
    let base_noop = median(&mut rows[0].noop.clone());
    println!(
        "corpus {}; medians of {runs} full builds and {} no-op runs each",
        corpus.display(),
        2 * runs
    );
    println!(
        "| binary | documents | full build | CPU | docs/s | vs first | peak RSS | no-op re-index | vs first |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &mut rows {
        let full = median(&mut r.full);
        let rate = r.docs as f64 / full;
        let noop = median(&mut r.noop);
        println!(
            "| {} | {} | {:.1} s | {:.1} s | {:.0} | {:.0}% | {:.0} MB | {:.2} s | {:.0}% |",
            r.label,
            r.docs,
            full,
            median(&mut r.cpu),
            rate,
            100.0 * rate / base_rate,
            median(&mut r.rss),
            noop,
            100.0 * noop / base_noop
        );
    }
    0
}
