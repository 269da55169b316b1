//! The `coindex` binary: parse arguments, run the command, map the outcome to an exit
//! status (0 results/success, 1 none or files skipped, 2 error). A closed stdout pipe
//! (`coindex search … | head`) ends the program quietly with status 0.

use std::io::Write;

use clap::Parser;
use coindex::exit::ExitCode;

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
            let code = if e.use_stderr() {
                ExitCode::Error
            } else {
                ExitCode::Success
            };
            let _ = e.print();
            std::process::exit(code.code());
        }
    };
    if matches!(cli.command, coindex::cli::Command::Index(_)) {
        return_freed_memory_promptly();
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = coindex::commands::run(cli, &mut out);
    let flushed = out.flush();
    let code = match result {
        Ok(code) => match flushed {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("coindex: cannot write output: {e}");
                ExitCode::Error
            }
            _ => code,
        },
        Err(coindex::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::Success
        }
        Err(e) => {
            eprintln!("coindex: {}", e.chain());
            ExitCode::Error
        }
    };
    std::process::exit(code.code());
}

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (`mimalloc.h`); the Rust
/// bindings name only the options of v2's numbering.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Lets mimalloc hand freed pages back to the OS at once instead of after its default
/// delay of one second. An indexing run frees a segment writer's arena, the parsers'
/// buffers and a merge's working memory over and over; held for a second each, they
/// added 30-50 MB to the peak RSS of a 100k build (medians 259 MB with the delay,
/// 209 MB without) for no measurable gain in speed. Searches keep the default: a
/// one-shot process frees little and exits within milliseconds.
fn return_freed_memory_promptly() {
    // SAFETY: sets a process-wide allocator option; mimalloc documents options as
    // settable at any time, and this runs on the main thread before any other starts.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    debug_assert_eq!(
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
        0
    );
}
