//! A `coindex serve` process for tests: started on 127.0.0.1:0 with a scrubbed
//! environment, its address read from the first stdout line, its stderr collected, and
//! stopped with SIGINT (as Ctrl-C) or killed when dropped. Also a small HTTP client.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running server.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

/// A response.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

impl Server {
    /// Starts `coindex serve --index INDEX --addr 127.0.0.1:0 EXTRA...` and waits for
    /// its address (at most `wait`, which covers a `--watch` first run).
    pub fn start_with(
        index: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
        wait: Duration,
    ) -> Server {
        let mut cmd = super::util::cmd();
        cmd.args(["serve", "--index"])
            .arg(index)
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("coindex serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let mut err = child.stderr.take().unwrap();
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let mut server = Server {
            child: Some(child),
            url: String::new(),
            stderr,
        };
        match rx.recv_timeout(wait) {
            Ok(line) => {
                let at = line
                    .find("http://")
                    .unwrap_or_else(|| panic!("no address in {line:?}"));
                server.url = line[at..].trim_end_matches('/').to_string();
            }
            Err(_) => panic!(
                "coindex serve printed no address within {wait:?}; stderr:\n{}",
                server.stderr()
            ),
        }
        server
    }

    /// Starts a server over `index`.
    pub fn start(index: &Path) -> Server {
        Server::start_with(index, &[], &[], Duration::from_secs(60))
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET path` (path and query string, starting with `/`).
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path)
    }

    /// A request with any method.
    pub fn request(&self, method: &str, path: &str) -> Reply {
        let url = format!("{}{path}", self.url);
        let a = agent();
        let r = match method {
            "GET" => a.get(&url).call(),
            "POST" => a.post(&url).send_empty(),
            "DELETE" => a.delete(&url).call(),
            m => panic!("unsupported method {m}"),
        };
        let mut r = r.unwrap_or_else(|e| panic!("{method} {url}: {e}\nstderr:\n{}", self.stderr()));
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("body");
        Reply {
            status: r.status().as_u16(),
            content_type,
            headers,
            body,
        }
    }

    /// Sends SIGINT (what Ctrl-C sends) and waits for the exit; returns its status.
    pub fn interrupt(mut self) -> (Option<i32>, Duration) {
        let mut child = self.child.take().unwrap();
        let started = Instant::now();
        // SAFETY: signals a child process this test started and still owns.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return (status.code(), started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("coindex serve did not stop within 20 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `limit`.
pub fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let started = Instant::now();
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if started.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Copies a folder tree (the sample corpus into a temp dir, so tests can change it).
pub fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
