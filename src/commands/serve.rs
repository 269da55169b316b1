//! `coindex serve`: flags → server settings; with `--watch`, the watcher's first run
//! happens before the server opens the index (so a new index exists), and it then
//! follows the folders in a thread beside the server.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::ExitCode;
use crate::cli;
use crate::config;
use crate::error::{Error, Result};
use crate::serve::{self, ServeOptions};
use crate::watch::Watcher;

pub fn run(c: cli::ServeCmd, out: &mut dyn Write) -> Result<ExitCode> {
    let addr: SocketAddr = c.addr.parse().map_err(|_| {
        Error::user(format!(
            "--addr {:?} is not an IP:PORT address such as 127.0.0.1:7878 or [::1]:7878",
            c.addr
        ))
    })?;
    let tz = config::timezone(c.timezone.as_deref())?;
    let index_dir = config::index_dir(c.index.index)?;
    let watcher = if c.watch.is_empty() {
        None
    } else {
        let cfg = super::index::watch_config(index_dir.clone(), c.watch, tz)?;
        let stop = Arc::new(AtomicBool::new(false));
        let (w, first) = Watcher::start(cfg, stop.clone())?;
        crate::output::text::index_summary(&mut std::io::stderr(), &first, &index_dir);
        Some((w, stop))
    };
    serve::run(
        ServeOptions {
            index_dir,
            addr,
            open: c.open,
            timezone: tz,
        },
        watcher,
        out,
    )?;
    Ok(ExitCode::Success)
}
