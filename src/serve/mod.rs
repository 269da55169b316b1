//! `coindex serve`: the search page and the JSON API over one index, on axum with a
//! current-thread tokio runtime. Connections are handled on that one thread; searches
//! run on tokio's blocking pool, capped at one thread per core (`api`). The page and
//! its script and style are compiled in (`page`), so nothing is fetched from anywhere
//! but this server. The index is reopened when it changes (`library`), and with
//! `--watch` a watcher thread keeps it indexed (`crate::watch`).
//!
//! Modules: `api` the handlers, `params` query strings → library settings, `error` the
//! JSON error responses, `library` the shared searcher, `page` the assets.

mod api;
mod error;
mod library;
mod page;
mod params;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::watch::Watcher;
pub use library::Library;

/// The settings of a server.
pub struct ServeOptions {
    pub index_dir: std::path::PathBuf,
    pub addr: SocketAddr,
    /// Open the page in the default browser.
    pub open: bool,
    /// Timezone of calendar dates in filters and timelines.
    pub timezone: Tz,
}

/// What every handler shares.
pub struct App {
    library: Library,
    timezone: Tz,
}

/// A response with a JSON body.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = Response::new(axum::body::Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/api/search", get(api::search))
        .route("/api/doc/{id}", get(api::doc))
        .route("/api/similar/{id}", get(api::similar))
        .route("/api/facets", get(api::facets))
        .route("/api/timeline", get(api::timeline))
        .route("/api/stats", get(api::stats))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .with_state(app)
}

/// Serves until Ctrl-C (or SIGTERM). With a watcher, it keeps indexing in a thread
/// of its own and is stopped with the server. The bound address is written to `out`
/// (`coindex: serving http://127.0.0.1:7878/`), so that scripts and tests that ask for
/// port 0 learn the port.
pub fn run(
    opts: ServeOptions,
    watcher: Option<(Watcher, Arc<AtomicBool>)>,
    out: &mut dyn Write,
) -> Result<()> {
    let library = Library::open(&opts.index_dir)?;
    let listener = std::net::TcpListener::bind(opts.addr)
        .map_err(|e| Error::user(format!("cannot listen on {}: {e}", opts.addr)))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::Internal(e.to_string()))?;
    if !local.ip().is_loopback() {
        eprintln!(
            "coindex: warning: listening on {local}, not a loopback address: anyone who can reach this machine on the network can read the archive"
        );
    }
    let app = Arc::new(App {
        library,
        timezone: opts.timezone,
    });
    let follower = watcher.map(|(w, stop)| {
        let dir = w.index_dir().to_path_buf();
        let thread = std::thread::spawn(move || {
            w.follow(|s| crate::output::text::index_summary(&mut std::io::stderr(), s, &dir))
        });
        (thread, stop)
    });
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .max_blocking_threads(cores)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server runtime: {e}")))?;
    let served = runtime.block_on(async move {
        // the signal handlers exist before the address is printed: whoever reads it
        // (a test, a script) may send Ctrl-C at once
        let shutdown =
            shutdown_signal().map_err(|e| Error::Internal(format!("cannot handle Ctrl-C: {e}")))?;
        let served = |e: std::io::Error| Error::Internal(format!("the server failed: {e}"));
        listener.set_nonblocking(true).map_err(served)?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(served)?;
        let url = format!("http://{local}/");
        writeln!(
            out,
            "coindex: serving {} at {url}",
            opts.index_dir.display()
        )
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
        if opts.open {
            open_browser(&url);
        }
        axum::serve(listener, router(app))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(served)
    });
    if let Some((thread, stop)) = follower {
        stop.store(true, Ordering::SeqCst);
        let _ = thread.join();
    }
    eprintln!("coindex: stopped");
    served
}

/// A future that resolves on Ctrl-C or, on Unix, SIGTERM; the handlers are installed
/// when this returns (it must run inside the runtime).
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {},
                _ = term.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Opens `url` in the default browser; a failure is a warning (the URL is printed).
fn open_browser(url: &str) {
    let (cmd, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => eprintln!("coindex: cannot open a browser ({cmd}: {e}); open {url}"),
    }
}
