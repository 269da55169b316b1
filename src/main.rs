//! The `coindex` binary: parse arguments, run the command, map the outcome to an exit
//! status (0 results/success, 1 none or files skipped, 2 error). A closed stdout pipe
//! (`coindex search … | head`) ends the program quietly with status 0.

use std::io::Write;

use clap::Parser;

/// mimalloc instead of glibc malloc: indexing 100k articles peaked at 430 MB RSS with
/// glibc (freed parser and writer buffers stayed in its per-thread arenas) and at
/// about 300 MB with mimalloc, at the same speed. Built without transparent huge
/// pages (`no_thp`): zeroing a 2 MB page on first touch added 1-3 ms to every one-shot
/// `coindex search` (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // One line per panic instead of a backtrace: the indexer turns a parser panic on one
    // file into a skip reason and goes on, so the message must not flood stderr.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("coindex: internal error (a bug, please report it): {info}");
    }));
    let cli = match coindex::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = coindex::commands::run(cli, &mut out);
    let flushed = out.flush();
    let code = match result {
        Ok(code) => match flushed {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("coindex: cannot write output: {e}");
                2
            }
            _ => code,
        },
        Err(coindex::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            0
        }
        Err(e) => {
            eprintln!("coindex: {}", e.chain());
            2
        }
    };
    std::process::exit(code);
}
