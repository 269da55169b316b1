//! `coindex-bench`: a deterministic corpus generator and the benchmark behind
//! `docs/PERFORMANCE.md`.
//!
//! ```text
//! coindex-bench gen --articles 100000 --out /tmp/corpus-100k [--seed 42]
//! coindex-bench run --corpus /tmp/corpus-100k --work /tmp/bench [--runs 5] [--queries 200]
//! coindex-bench query --index /tmp/bench/index --work /tmp/bench [--queries 200]
//! coindex-bench extract [../shared/devset] [--json] [--verbose] [--min-title 0.9 …]
//! coindex-bench stream --mb 2000 --work /tmp/bench-stream [--memory-mb 192] [--format ndjson|feed]
//! coindex-bench relevance [CORPUS...] [--seed 42] [--queries 300] [--coindex [LABEL=]PATH]... [--json]
//! coindex-bench gen --sites 6 --articles 600 --out DIR   (pages of templated sites)
//! coindex-bench sites [--sites 6] [--pages 40] [--years 3] [--json]
//! coindex-bench stories [../shared/devset/exports] [--coindex PATH] [--labels FILE]
//! coindex-bench registry [--docs 100000]
//! coindex-bench serve --work /tmp/bench-serve [--corpus DIR | --articles 10000] [--clients 32] [--requests 100]
//! ```
//! `gen --sites N` and `sites` are the site templates and the site-learning benchmark
//! (module `sites`; see `docs/EXTRACTION.md`).
//! `registry` measures the manifest's and the dedup registry's memory per document.
//! `cost` compares binaries' full build and no-op re-index times (module `cost`):
//! `coindex-bench cost --corpus DIR --work DIR --coindex main=PATH --coindex new=PATH`.
//! `stories` measures the story grouping's precision and recall on labelled pairs of
//! real articles, against the old same-title-same-day rule (module `stories`, see
//! `docs/STORIES.md`).
//! `serve` is the load test of `coindex serve` (module `serve`).
//! `extract` is the extraction benchmark over a devset with ground truth (its own
//! module, `extract.rs`; see `docs/EXTRACTION.md`).
//! `gen` writes raw page dumps (multi-line and one-line shapes, with tickers, menus,
//! newsletter promos, credits and "More For You" teasers) whose words follow a Zipf
//! distribution over an English vocabulary mixed with crypto entities, tickers, amounts
//! and addresses, dated 2010–2026, ~4 KB each. `run` measures, as medians over `--runs`
//! runs: full index throughput and peak RSS (the real `coindex` binary as a child
//! process), index size, no-op and 1%-changed re-index times, query latency p50/p95 per
//! query class in-process and as whole `coindex search` processes, and batch throughput.
//! `stream` writes one NDJSON export (or, with `--format feed`, one RSS feed) of `--mb`
//! MB (the same generated articles as records) and measures indexing it as one streamed file: wall time, throughput,
//! peak RSS against the writer budget (`--memory-mb`), and the no-op re-index.
//! `query` runs only the query part against an index built before (the 1M column).
//! `relevance` compares coindex's ranking with SQLite FTS5 on known-item queries
//! generated from a real corpus (`docs/RELEVANCE.md`, module `relevance`).
//! Timing is never asserted anywhere; this binary only reports.

mod cost;
mod relevance;
mod serve;
mod stories;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod extract;
mod sites;

/// The same allocator as the `coindex` binary, so in-process query timings match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// splitmix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const ENGLISH: &str = "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will more about out up into them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three states himself few house use during without again place american around however home small found thought went say part once general high upon school every does got united left number course war until always away something fact though water less public put think almost hand enough far took head yet government system better set told nothing night end why called didn't eyes find going look asked later knew point next city business give group toward young days let room president side social present given several order national possible rather second face per among form important often things looked early white case large become big need four within felt along children saw best church ever least power development light thing seemed family interest want members mind country area others done turned although open god service problem certain kind different thus began door help means sense whole matter perhaps itself york times law human line above name example action company hands local show whether five history gave today either act feet across taken past quite anything seen having death week experience body word half really field car words already themselves information tell together college shall money period held keep sure probably free seems real behind cannot miss political air question making office brought whose special heard major problems ago became federal moment study available known result street economic boy position reason change south board individual job areas society west close turn love community true court force full";
const CRYPTO: &[&str] = &[
    "bitcoin",
    "BTC",
    "$BTC",
    "ether",
    "ETH",
    "Ethereum",
    "Solana",
    "SOL",
    "XRP",
    "Ripple",
    "stablecoin",
    "USDT",
    "USDC",
    "Tether",
    "Coinbase",
    "Binance",
    "Kraken",
    "miners",
    "hashrate",
    "halving",
    "ETF",
    "ETFs",
    "SEC",
    "Gensler",
    "DeFi",
    "NFT",
    "DAO",
    "ERC-20",
    "validators",
    "staking",
    "liquidity",
    "exchange",
    "custody",
    "wallet",
    "on-chain",
    "blockchain",
    "token",
    "tokens",
    "Dogecoin",
    "DOGE",
    "Cardano",
    "ADA",
    "Polygon",
    "MATIC",
    "Chainlink",
    "LINK",
    "Avalanche",
    "Uniswap",
    "Aave",
    "Lido",
    "Arbitrum",
    "BlackRock",
    "Grayscale",
    "MicroStrategy",
    "Saylor",
    "FTX",
    "Bankman-Fried",
    "Terra",
    "LUNA",
    "Celsius",
    "Mt. Gox",
    "Tornado Cash",
    "Treasury",
    "regulators",
    "futures",
];
const TAGS: &[&str] = &[
    "markets",
    "policy",
    "regulation",
    "etfs",
    "mining",
    "defi",
    "nft",
    "security",
    "hacks",
    "stablecoins",
    "exchanges",
    "ethereum",
    "bitcoin",
    "solana",
    "china",
    "legal",
    "tech",
    "payments",
    "cbdc",
    "layer-2",
    "staking",
    "memecoins",
    "research",
    "finance",
];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

struct Vocab {
    words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocab {
    fn new(rng: &mut Rng) -> Vocab {
        let mut words: Vec<String> = ENGLISH.split_whitespace().map(str::to_string).collect();
        // a long tail of rarer invented words
        const SYL: &[&str] = &[
            "ka", "lo", "mer", "ti", "van", "sor", "el", "dra", "qui", "pen", "bar", "ost", "ul",
            "rin", "zed",
        ];
        for _ in 0..20_000 {
            let n = 2 + rng.below(3);
            let w: String = (0..n).map(|_| SYL[rng.below(SYL.len())]).collect();
            words.push(w);
        }
        let mut cdf = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for i in 0..words.len() {
            acc += 1.0 / (i as f64 + 2.7).powf(1.07);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Vocab { words, cdf }
    }
    fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self
            .cdf
            .partition_point(|&c| c < u)
            .min(self.words.len() - 1);
        &self.words[i]
    }
}

fn sentence(v: &Vocab, rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let r = rng.below(100);
        if r < 8 {
            s.push_str(CRYPTO[rng.below(CRYPTO.len())]);
        } else if r < 10 {
            s.push_str(&format!("${}.{}bn", 1 + rng.below(90), rng.below(10)));
        } else if r < 11 {
            s.push_str(&format!("{}.{}%", rng.below(40), rng.below(10)));
        } else {
            s.push_str(v.word(rng));
        }
    }
    let mut c = s.chars();
    let first = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!("{first}{}.", c.as_str())
}

fn title(v: &Vocab, rng: &mut Rng) -> String {
    (0..7)
        .map(|i| {
            let w = if i % 3 == 0 {
                CRYPTO[rng.below(CRYPTO.len())].to_string()
            } else {
                v.word(rng).to_string()
            };
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn date(rng: &mut Rng) -> String {
    let hour = 1 + rng.below(12);
    format!(
        "{} {}, {}, {}:{:02}\u{202f}{}",
        MONTHS[rng.below(12)],
        1 + rng.below(28),
        2010 + rng.below(17),
        hour,
        rng.below(60),
        if rng.below(2) == 0 { "a.m." } else { "p.m." }
    )
}

/// One raw page dump of about 4 KB.
fn article(v: &Vocab, rng: &mut Rng, i: usize) -> String {
    let t = format!("{} {i}", title(v, rng));
    let dek = sentence(v, rng, 22);
    let tags: Vec<&str> = (0..3).map(|_| TAGS[rng.below(TAGS.len())]).collect();
    let paras: Vec<String> = (0..6)
        .map(|_| {
            (0..4)
                .map(|_| {
                    let w = 16 + rng.below(12);
                    sentence(v, rng, w)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let teaser = format!("{} {}", title(v, rng), sentence(v, rng, 20));
    if rng.below(2) == 0 {
        format!(
            "Share this article\n\n{t}\n\n{dek}\n\nUpdated {} Published {}\n{}\n\n{}\n\nSTORY CONTINUES BELOW\nDon't miss another story.Subscribe to the Markets Daily Newsletter today. See all newsletters\n\n{}\n\n{}\n\nSkyline image via Unsplash\n\n{}\n\n{}\n\nMore For You\n\n{teaser}\n\n16:9 Image\n\nWhat to know:\n\n  • {}\n",
            date(rng),
            date(rng),
            tags.join(", "),
            paras[0],
            paras[1],
            paras[2],
            paras[3],
            paras[4],
            sentence(v, rng, 12)
        )
    } else {
        format!(
            "BTC  $ 61,204.11 + 1.02 % ETH  $ 3,011.40 - 0.44 % SOL  $ 142.90 + 2.71 % Ad News Prices Data Indices Research Events Sponsored  Sign In Sign Up  Consensus 2025  Price Increases Friday  02 DAY 20 HOUR 41 MIN 51 SEC Register Now {} Share {t} {dek} By  Sam Ortega | Edited by  Lee Park Updated  {} Published  {} Committee members at the hearing (Getty Images). {} {} {} {} {} What to know: {} More For You {teaser} ...\n",
            {
                let mut c = tags[0].chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            },
            date(rng),
            date(rng),
            paras[0],
            paras[1],
            paras[2],
            paras[3],
            paras[4],
            sentence(v, rng, 12)
        )
    }
}

fn generate(n: usize, out: &Path, seed: u64) -> std::io::Result<(u64, usize)> {
    let mut rng = Rng(seed);
    let v = Vocab::new(&mut rng);
    let mut bytes = 0u64;
    for i in 0..n {
        let dir = out
            .join(format!("site{}", i % 4))
            .join(format!("{:03}", i / 1000));
        if i % 1000 < 4 {
            std::fs::create_dir_all(&dir)?;
        }
        let a = article(&v, &mut rng, i);
        bytes += a.len() as u64;
        std::fs::write(dir.join(format!("a{i}.txt")), a)?;
    }
    Ok((bytes, n))
}

/// The shape of the generated big export.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Ndjson,
    /// An RSS 2.0 feed, the body as `content:encoded` paragraphs.
    Feed,
}

/// Writes an export of about `mb` MB: one record (NDJSON line or RSS item) per
/// generated article (title, url, date, tags, body); the same articles for the same
/// seed in both formats. Returns (bytes, records).
fn generate_export(
    mb: u64,
    path: &Path,
    seed: u64,
    format: ExportFormat,
) -> std::io::Result<(u64, usize)> {
    let mut rng = Rng(seed);
    let v = Vocab::new(&mut rng);
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let (mut bytes, mut n) = (0u64, 0usize);
    if format == ExportFormat::Feed {
        let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n<title>Bench Wire</title>\n<link>https://bench.example/</link>\n<description>generated</description>\n";
        f.write_all(head.as_bytes())?;
        bytes += head.len() as u64;
    }
    while bytes < mb << 20 {
        let body = article(&v, &mut rng, n);
        let tags: Vec<&str> = (0..3).map(|_| TAGS[rng.below(TAGS.len())]).collect();
        let title = format!("{} {n}", title(&v, &mut rng));
        let url = format!("https://bench.example/{}/{n}", 2010 + n % 17);
        let (year, month, day, hour) = (2010 + n % 17, 1 + n % 12, 1 + n % 28, n % 24);
        let rec = match format {
            ExportFormat::Ndjson => {
                let rec = serde_json::json!({
                    "title": title,
                    "url": url,
                    "published": format!("{year}-{month:02}-{day:02}T{hour:02}:00:00Z"),
                    "tags": tags,
                    "body": body,
                });
                format!("{rec}\n")
            }
            ExportFormat::Feed => {
                let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;");
                let date = chrono::NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
                    .and_then(|d| d.and_hms_opt(hour as u32, 0, 0))
                    .map(|d| d.and_utc().to_rfc2822())
                    .unwrap_or_default();
                let cats: String = tags
                    .iter()
                    .map(|t| format!("<category>{}</category>", esc(t)))
                    .collect();
                let paras: String = body
                    .split("\n\n")
                    .map(|p| format!("<p>{}</p>", esc(p)))
                    .collect();
                format!(
                    "<item>\n<title>{}</title>\n<link>{url}</link>\n<pubDate>{date}</pubDate>\n{cats}\n<content:encoded><![CDATA[{}]]></content:encoded>\n</item>\n",
                    esc(&title),
                    paras.replace("]]>", "]]&gt;")
                )
            }
        };
        f.write_all(rec.as_bytes())?;
        bytes += rec.len() as u64;
        n += 1;
    }
    if format == ExportFormat::Feed {
        let tail = "</channel>\n</rss>\n";
        f.write_all(tail.as_bytes())?;
        bytes += tail.len() as u64;
    }
    f.flush()?;
    Ok((bytes, n))
}

/// The big-export row: one NDJSON file (or RSS feed) of `mb` MB indexed as a stream.
fn stream_row(mb: u64, work: &Path, memory_mb: u64, format: ExportFormat) {
    let bin = coindex_bin();
    let corpus = work.join("export");
    let idx = work.join("index");
    std::fs::create_dir_all(&corpus).expect("work dir");
    let (name, label) = match format {
        ExportFormat::Ndjson => ("big.ndjson", "NDJSON"),
        ExportFormat::Feed => ("big.xml", "RSS feed"),
    };
    // one export in the folder: the other format's file is not indexed with it
    for other in ["big.ndjson", "big.xml"].into_iter().filter(|o| *o != name) {
        let _ = std::fs::remove_file(corpus.join(other));
    }
    let file = corpus.join(name);
    let (bytes, records) = match std::fs::metadata(&file) {
        Ok(m) if m.len() >= mb << 20 => (m.len(), 0),
        _ => {
            let start = Instant::now();
            let r = generate_export(mb, &file, 42, format).expect("write the export");
            eprintln!(
                "wrote {} records, {:.0} MB in {:.1}s",
                r.1,
                r.0 as f64 / 1048576.0,
                start.elapsed().as_secs_f64()
            );
            r
        }
    };
    let _ = std::fs::remove_dir_all(&idx);
    let mem = memory_mb.to_string();
    let index = |extra: &[&str]| {
        let mut c = Command::new(&bin);
        c.args([
            "index",
            corpus.to_str().unwrap(),
            "--index",
            idx.to_str().unwrap(),
            "-q",
            "--memory-mb",
            &mem,
        ]);
        c.args(extra);
        c
    };
    let full = measure_full(&mut index(&[]));
    let noop = measure_full(&mut index(&[]));
    let mbs = bytes as f64 / 1048576.0;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "coindex {}; export {} ({:.0} MB{})",
        bin.display(),
        file.display(),
        mbs,
        if records > 0 {
            format!(", {records} records")
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "| row | value |\n|---|---|");
    let _ = writeln!(
        out,
        "| big {label} build | {:.1} s wall, {:.1} s CPU, {:.1} MB/s (exit {}) |",
        full.wall.as_secs_f64(),
        full.cpu.as_secs_f64(),
        mbs / full.wall.as_secs_f64(),
        full.code
    );
    let _ = writeln!(
        out,
        "| peak RSS | {:.0} MB (anonymous {:.0} MB); writer budget {memory_mb} MB, bound budget + 100 = {} MB |",
        full.max_rss_kb as f64 / 1024.0,
        full.max_anon_kb as f64 / 1024.0,
        memory_mb + 100
    );
    let _ = writeln!(
        out,
        "| no-op re-index | {:.2} s, peak RSS {:.0} MB (exit {}) |",
        noop.wall.as_secs_f64(),
        noop.max_rss_kb as f64 / 1024.0,
        noop.code
    );
}

/// Runs a child and returns (wall time, peak RSS in KB, exit code).
// The child is reaped with `wait4` (to read its own peak RSS), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> (Duration, u64, i32) {
    let m = measure_full(cmd);
    (m.wall, m.max_rss_kb, m.code)
}

/// What one child process cost.
struct Measured {
    wall: Duration,
    /// peak resident set (wait4): private memory plus mapped file pages
    max_rss_kb: u64,
    /// peak private (anonymous) memory, sampled from /proc every 20 ms
    max_anon_kb: u64,
    /// user + system CPU time
    cpu: Duration,
    code: i32,
}

// the child is reaped by `wait4` below (which also gives its rusage), not `Child::wait`
#[allow(clippy::zombie_processes)]
fn measure_full(cmd: &mut Command) -> Measured {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0u64;
            let path = format!("/proc/{pid}/status");
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(st) = std::fs::read_to_string(&path)
                    && let Some(kb) = st
                        .lines()
                        .find_map(|l| l.strip_prefix("RssAnon:"))
                        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                {
                    peak = peak.max(kb);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child with valid out-pointers.
    unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let wall = start.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let max_anon_kb = sampler.join().unwrap_or(0);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measured {
        wall,
        max_rss_kb: ru.ru_maxrss as u64,
        max_anon_kb,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        code,
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        0.0
    } else {
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    }
}

/// Total bytes of the files under a folder (the same count `coindex stats` reports).
fn dir_bytes(p: &Path) -> u64 {
    coindex::index::size_on_disk(p)
}

fn coindex_bin() -> PathBuf {
    let me = std::env::current_exe().expect("current exe");
    me.with_file_name("coindex")
}

const QUERY_CLASSES: &[(&str, &[&str], &[&str])] = &[
    (
        "common term",
        &["bitcoin", "government", "market", "people", "world"],
        &[],
    ),
    (
        "rare term",
        &["kalomer", "tivansor", "draqui", "penbar", "ostul"],
        &[],
    ),
    (
        "2-3 term AND",
        &["bitcoin miners", "spot etf approval", "stablecoin treasury"],
        &[],
    ),
    (
        "phrase",
        &["\"united states\"", "\"spot etf\"", "\"bitcoin miners\""],
        &[],
    ),
    (
        "term + date range",
        &["bitcoin", "exchange", "regulators"],
        &["--from", "2019-01", "--to", "2020-06"],
    ),
    (
        "term + tag",
        &["bitcoin", "exchange", "liquidity"],
        &["--tag", "markets"],
    ),
    (
        "sort by date",
        &["bitcoin", "government", "wallet"],
        &["--sort", "date"],
    ),
];

fn run(corpus: &Path, work: &Path, runs: usize, queries: usize) {
    let bin = coindex_bin();
    let raw = dir_bytes(corpus);
    let files = walkdir::WalkDir::new(corpus)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    let idx = work.join("index");
    std::fs::create_dir_all(work).expect("work dir");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "corpus: {files} files, {:.1} MB raw; coindex {}",
        raw as f64 / 1e6,
        bin.display()
    );

    // full index
    let (mut secs, mut rss, mut anon, mut cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let Measured {
            wall: d,
            max_rss_kb: kb,
            max_anon_kb,
            cpu: used,
            code,
        } = measure_full(
            Command::new(&bin)
                .args(["index", "--rebuild", "-q"])
                .arg(corpus)
                .arg("--index")
                .arg(&idx),
        );
        assert!(code == 0 || code == 1, "coindex index failed with {code}");
        secs.push(d.as_secs_f64());
        rss.push(kb as f64 / 1024.0);
        anon.push(max_anon_kb as f64 / 1024.0);
        cpu.push(used.as_secs_f64());
    }
    let t = median(&mut secs);
    let size = dir_bytes(&idx);
    let _ = writeln!(
        out,
        "| full index | {:.1} s (CPU {:.1} s) | {:.0} docs/s | {:.1} MB/s | peak RSS {:.0} MB (max {:.0}; private {:.0} MB, max {:.0}) | index {:.1} MB = {:.2}x raw |",
        t,
        median(&mut cpu),
        files as f64 / t,
        raw as f64 / 1e6 / t,
        median(&mut rss.clone()),
        pct(&mut rss, 1.0),
        median(&mut anon.clone()),
        pct(&mut anon, 1.0),
        size as f64 / 1e6,
        size as f64 / raw as f64
    );

    // an incremental `coindex index` run over the corpus; returns its wall time
    let reindex = || {
        let (d, _, _) = measure(
            Command::new(&bin)
                .args(["index", "-q"])
                .arg(corpus)
                .arg("--index")
                .arg(&idx),
        );
        d.as_secs_f64()
    };

    // no-op re-index
    let mut noop: Vec<f64> = (0..runs).map(|_| reindex()).collect();
    let _ = writeln!(
        out,
        "| no-op re-index | {:.2} s (median of {runs}) |",
        median(&mut noop)
    );

    // 1% changed
    let all: Vec<PathBuf> = walkdir::WalkDir::new(corpus)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let mut changed = Vec::new();
    for r in 0..runs {
        for (k, p) in all.iter().enumerate() {
            if k % 100 == r % 100 {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(p)
                    .expect("open");
                let _ = writeln!(
                    f,
                    "\nAppended paragraph number {r} for the change benchmark."
                );
            }
        }
        changed.push(reindex());
    }
    let _ = writeln!(
        out,
        "| re-index, 1% changed | {:.2} s (median of {runs}) |",
        median(&mut changed)
    );

    query_classes(&bin, &idx, queries, &mut out);

    // batch throughput
    batch_throughput(&bin, &idx, work, &mut out);
}

/// Query latency per class, in-process and as whole `coindex search` processes.
fn query_classes(bin: &Path, idx: &Path, queries: usize, out: &mut dyn Write) {
    let engine = coindex::search::Engine::open(idx).expect("open index");
    let tz = chrono_tz::America::New_York;
    let _ = writeln!(
        out,
        "| query class | in-process p50 | p95 | whole process p50 | p95 |"
    );
    for (name, qs, flags) in QUERY_CLASSES {
        let mut inproc = Vec::new();
        for k in 0..queries {
            let q = qs[k % qs.len()];
            let mut filters = coindex::search::Filters::default();
            let mut sort = coindex::search::Sort::Relevance;
            let mut i = 0;
            while i < flags.len() {
                match flags[i] {
                    "--from" => {
                        filters.dates.from = coindex::search::DateBound::parse(flags[i + 1])
                            .ok()
                            .and_then(|b| b.start(tz))
                    }
                    "--to" => {
                        filters.dates.to_exclusive = coindex::search::DateBound::parse(flags[i + 1])
                            .ok()
                            .and_then(|b| b.end_exclusive(tz))
                    }
                    "--tag" => filters.tags.push(flags[i + 1].to_string()),
                    "--sort" => sort = coindex::search::Sort::Date,
                    _ => {}
                }
                i += 2;
            }
            let req = coindex::search::SearchRequest {
                query: q.to_string(),
                filters,
                limit: 10,
                sort,
                fuzzy: false,
                recent: false,
                snippets: 1,
                snippet_len: 220,
                timezone: tz,
                collapse: false,
            };
            let s = Instant::now();
            let r = engine.search(&req).expect("search");
            std::hint::black_box(r);
            inproc.push(s.elapsed().as_secs_f64() * 1000.0);
        }
        let mut whole = Vec::new();
        for k in 0..(queries / 4).max(5) {
            let q = qs[k % qs.len()];
            let (d, _, _) = measure(
                Command::new(bin)
                    .args(["search", q, "--index"])
                    .arg(idx)
                    .args(*flags),
            );
            whole.push(d.as_secs_f64() * 1000.0);
        }
        let _ = writeln!(
            out,
            "| {name} | {:.2} ms | {:.2} ms | {:.1} ms | {:.1} ms |",
            pct(&mut inproc.clone(), 0.5),
            pct(&mut inproc, 0.95),
            pct(&mut whole.clone(), 0.5),
            pct(&mut whole, 0.95)
        );
    }
}

/// Queries per second of one `coindex search --batch` process over 1000 queries.
fn batch_throughput(bin: &Path, idx: &Path, work: &Path, out: &mut dyn Write) {
    let batch = work.join("batch.txt");
    let mut lines = String::new();
    for k in 0..1000 {
        let (_, qs, _) = QUERY_CLASSES[k % QUERY_CLASSES.len()];
        lines.push_str(qs[k % qs.len()]);
        lines.push('\n');
    }
    std::fs::write(&batch, lines).expect("write batch");
    let (d, _, code) = measure(
        Command::new(bin)
            .args(["search", "--batch"])
            .arg(&batch)
            .arg("--index")
            .arg(idx),
    );
    if code <= 1 {
        let _ = writeln!(
            out,
            "| batch, 1000 queries | {:.2} s | {:.0} queries/s |",
            d.as_secs_f64(),
            1000.0 / d.as_secs_f64()
        );
    } else {
        let _ = writeln!(out, "| batch | not available (exit {code}) |");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let usage = "usage: coindex-bench gen --articles N --out DIR [--seed S] [--sites N]\n       coindex-bench run --corpus DIR --work DIR [--runs 5] [--queries 200]\n       coindex-bench query --index DIR --work DIR [--queries 200]\n       coindex-bench stream --mb MB --work DIR [--memory-mb 192] [--format ndjson|feed]\n       coindex-bench extract [DIR] [--coindex PATH] [--work DIR] [--json] [--verbose] [--min-title F …]\n       coindex-bench relevance [CORPUS...] [--seed 42] [--queries 300] [--coindex [LABEL=]PATH]... [--work DIR] [--json] [--misses N]\n       coindex-bench sites [--sites 6] [--pages 40] [--years 3] [--seed 42] [--work DIR] [--coindex PATH] [--json]\n       coindex-bench stories [EXPORTS_DIR] [--coindex PATH] [--work DIR] [--labels FILE]\n       coindex-bench registry [--docs 100000]\n       coindex-bench cost --corpus DIR --work DIR --coindex 'LABEL=PATH [INDEX ARGS]'... [--runs 3]\n       coindex-bench serve --work DIR [--corpus DIR | --articles 10000] [--clients 32] [--requests 100]";
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let (Some(n), Some(out)) = (
                flag("--articles").and_then(|n| n.parse().ok()),
                flag("--out"),
            ) else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let seed = flag("--seed").and_then(|s| s.parse().ok()).unwrap_or(42);
            let start = Instant::now();
            let written = match flag("--sites").and_then(|s| s.parse().ok()) {
                Some(sites) => sites::gen_main(Path::new(&out), sites, n, seed),
                None => generate(n, Path::new(&out), seed),
            };
            match written {
                Ok((bytes, n)) => eprintln!(
                    "wrote {n} articles, {:.1} MB ({:.0} bytes/article) in {:.1}s",
                    bytes as f64 / 1e6,
                    bytes as f64 / n.max(1) as f64,
                    start.elapsed().as_secs_f64()
                ),
                Err(e) => {
                    eprintln!("coindex-bench: {e}");
                    std::process::exit(2);
                }
            }
        }
        Some("run") => {
            let (Some(corpus), Some(work)) = (flag("--corpus"), flag("--work")) else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let runs = flag("--runs").and_then(|s| s.parse().ok()).unwrap_or(5);
            let queries = flag("--queries")
                .and_then(|s| s.parse().ok())
                .unwrap_or(200);
            run(Path::new(&corpus), Path::new(&work), runs, queries);
        }
        Some("relevance") => relevance::main(&args[2..]),
        Some("stream") => {
            let (Some(mb), Some(work)) =
                (flag("--mb").and_then(|s| s.parse().ok()), flag("--work"))
            else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let memory = flag("--memory-mb")
                .and_then(|s| s.parse().ok())
                .unwrap_or(192);
            let format = match flag("--format").as_deref() {
                None | Some("ndjson") => ExportFormat::Ndjson,
                Some("feed") => ExportFormat::Feed,
                Some(other) => {
                    eprintln!("--format {other}: expected ndjson or feed\n{usage}");
                    std::process::exit(2);
                }
            };
            stream_row(mb, Path::new(&work), memory, format);
        }
        Some("query") => {
            let (Some(idx), Some(work)) = (flag("--index"), flag("--work")) else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let queries = flag("--queries")
                .and_then(|s| s.parse().ok())
                .unwrap_or(200);
            let (bin, idx, work) = (coindex_bin(), Path::new(&idx), Path::new(&work));
            std::fs::create_dir_all(work).expect("work dir");
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "index {}; coindex {}", idx.display(), bin.display());
            query_classes(&bin, idx, queries, &mut out);
            batch_throughput(&bin, idx, work, &mut out);
        }
        Some("extract") => std::process::exit(extract::main(&args[2..])),
        Some("sites") => std::process::exit(sites::main(&args[2..])),
        Some("stories") => std::process::exit(stories::main(&args[2..])),
        Some("registry") => std::process::exit(stories::registry_row(&args[2..])),
        Some("cost") => std::process::exit(cost::main(&args[2..])),
        Some("serve") => {
            let Some(work) = flag("--work") else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let num = |name: &str, default: usize| {
                flag(name)
                    .and_then(|s| s.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or(default)
            };
            let corpus = flag("--corpus");
            serve::main(
                Path::new(&work),
                corpus.as_deref().map(Path::new),
                num("--articles", 10_000),
                num("--clients", 32),
                num("--requests", 100),
            );
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
