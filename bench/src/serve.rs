//! `coindex-bench serve`: a load test of `coindex serve` on loopback. The same request
//! list (the query classes of `run`, with their filters) runs twice: once through one
//! in-process `coindex search --batch` (the rate the engine reaches with no HTTP at
//! all), then as `/api/search` requests from concurrent clients with keep-alive
//! connections, each client a bounded loop (a request count and a deadline). Reports
//! errors, throughput against the batch rate, and latency percentiles. Only reports:
//! nothing is asserted.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{QUERY_CLASSES, coindex_bin, generate, measure, pct};

/// One request: the query and its filters, as (key, value) parameters.
fn requests(n: usize) -> Vec<Vec<(&'static str, &'static str)>> {
    (0..n)
        .map(|k| {
            let (_, qs, flags) = QUERY_CLASSES[k % QUERY_CLASSES.len()];
            let mut p = vec![("q", qs[k % qs.len()])];
            for pair in flags.chunks(2) {
                match pair {
                    ["--from", v] => p.push(("from", *v)),
                    ["--to", v] => p.push(("to", *v)),
                    ["--tag", v] => p.push(("tag", *v)),
                    ["--sort", v] => p.push(("sort", *v)),
                    _ => {}
                }
            }
            p
        })
        .collect()
}

/// The request as a `--batch` JSON line.
fn batch_line(p: &[(&str, &str)]) -> String {
    let mut m = serde_json::Map::new();
    for (k, v) in p {
        let key = if *k == "tag" { "tags" } else { k };
        m.insert(key.to_string(), serde_json::Value::String(v.to_string()));
    }
    serde_json::Value::Object(m).to_string()
}

/// Runs the load test; `corpus` defaults to a generated corpus of `articles` articles.
pub fn main(
    work: &Path,
    corpus: Option<&Path>,
    articles: usize,
    clients: usize,
    per_client: usize,
) {
    let bin = coindex_bin();
    std::fs::create_dir_all(work).expect("work dir");
    let generated = work.join(format!("corpus-{articles}"));
    let corpus = match corpus {
        Some(c) => c.to_path_buf(),
        None => {
            if !generated.exists() {
                generate(articles, &generated, 42).expect("generate the corpus");
            }
            generated
        }
    };
    let idx = work.join("serve-index");
    let (d, _, code) = measure(
        Command::new(&bin)
            .args(["index", "-q"])
            .arg(&corpus)
            .arg("--index")
            .arg(&idx),
    );
    assert!(code <= 1, "coindex index failed with {code}");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "corpus {}; index ready in {:.1} s; coindex {}",
        corpus.display(),
        d.as_secs_f64(),
        bin.display()
    );

    // the in-process rate on the same requests
    let total = clients * per_client;
    let reqs = requests(total);
    let batch = work.join("serve-batch.ndjson");
    let lines: Vec<String> = reqs.iter().map(|p| batch_line(p)).collect();
    std::fs::write(&batch, lines.join("\n") + "\n").expect("write the batch");
    let (d, _, code) = measure(
        Command::new(&bin)
            .args(["search", "--batch"])
            .arg(&batch)
            .arg("--index")
            .arg(&idx),
    );
    assert!(code <= 1, "coindex search --batch failed with {code}");
    let batch_rate = total as f64 / d.as_secs_f64();

    // the server
    let mut child = Command::new(&bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(&idx)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("coindex serve starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .expect("the address line");
    let base = first[first.find("http://").expect("an address")..]
        .trim()
        .trim_end_matches('/')
        .to_string();

    let reqs = Arc::new(reqs);
    let deadline = Instant::now() + Duration::from_secs(300);
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    // warm-up: one pass of each request class, not counted
    {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        for p in reqs.iter().take(QUERY_CLASSES.len() * 3) {
            let _ = get(&agent, &base, p);
        }
    }
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (reqs, base, lat, errs) = (
                reqs.clone(),
                base.clone(),
                latencies.clone(),
                errors.clone(),
            );
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                let mut mine = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    if Instant::now() > deadline {
                        errs.lock().unwrap().push("deadline reached".into());
                        break;
                    }
                    let p = &reqs[(c * per_client + i) % reqs.len()];
                    let s = Instant::now();
                    match get(&agent, &base, p) {
                        Ok(()) => mine.push(s.elapsed().as_secs_f64() * 1000.0),
                        Err(e) => errs.lock().unwrap().push(e),
                    }
                }
                lat.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let wall = started.elapsed().as_secs_f64();
    // SAFETY: signals the child started above (SIGINT, as Ctrl-C).
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let _ = child.wait();

    let mut lat = latencies.lock().unwrap().clone();
    let errors = errors.lock().unwrap();
    let done = lat.len();
    let rate = done as f64 / wall;
    let _ = writeln!(out, "| measure | value |");
    let _ = writeln!(out, "|---|---|");
    let _ = writeln!(
        out,
        "| requests | {done} ok, {} errors ({clients} clients x {per_client}) |",
        errors.len()
    );
    let _ = writeln!(
        out,
        "| `search --batch`, same requests | {batch_rate:.0} queries/s |"
    );
    let _ = writeln!(
        out,
        "| `/api/search` throughput | {rate:.0} requests/s ({:.0}% of batch) |",
        100.0 * rate / batch_rate
    );
    let _ = writeln!(
        out,
        "| `/api/search` latency p50 / p95 / p99 | {:.1} / {:.1} / {:.1} ms |",
        pct(&mut lat.clone(), 0.5),
        pct(&mut lat.clone(), 0.95),
        pct(&mut lat, 0.99)
    );
    for e in errors.iter().take(5) {
        let _ = writeln!(out, "error: {e}");
    }
}

fn get(agent: &ureq::Agent, base: &str, params: &[(&str, &str)]) -> Result<(), String> {
    let mut req = agent.get(format!("{base}/api/search"));
    for (k, v) in params {
        req = req.query(*k, *v);
    }
    let mut r = req.call().map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_vec().map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
    }
    if !body.starts_with(b"{") {
        return Err("not a JSON object".into());
    }
    Ok(())
}
