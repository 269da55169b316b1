//! The byte budget between the parsers and the writer: how much input may be read and
//! waiting at once, so that peak memory stays bounded whatever the files' sizes.

use std::sync::Arc;

/// Most input (bytes of the files' sizes) being parsed or waiting for the writer at
/// once. The channel's 64 slots bound the number of files in flight, not their size: a
/// file of 12,000 NDJSON or CSV records is one slot, held whole (text or records) from
/// the moment it is read until the writer has applied it. A 100k build from eight
/// NDJSON exports of 37 MB peaked at 318-380 MB, against 171-184 MB from page dumps. Page dumps (64 files of ~4 KB in the channel) never
/// reach this bound; a file larger than the whole budget still goes through, alone.
/// Compressed files count by their size on disk.
pub(super) const QUEUE_BYTES: u64 = if cfg!(test) { 4 << 10 } else { 48 << 20 };

/// A counting semaphore over bytes: a parser takes its file's size before reading it
/// and holds it as a [`Permit`], which travels with the parsed file and gives the bytes
/// back when dropped: once the writer has applied the file, or if the parser stops or
/// panics on the way. Hand-written because the pipeline is threads, not async, and it
/// is a few lines.
///
/// A file larger than the whole budget waits until nothing else is in flight; the
/// other parsers may keep taking small files meanwhile, so it can wait until the end
/// of the list, but never forever.
#[derive(Default)]
pub(super) struct ByteBudget {
    state: std::sync::Mutex<BudgetState>,
    freed: std::sync::Condvar,
}

#[derive(Default)]
struct BudgetState {
    in_flight: u64,
    /// The writer has gone: nobody waits, nothing is admitted.
    closed: bool,
    /// Parsers waiting for room (read by the tests).
    waiting: usize,
    /// Most bytes ever in flight at once (read by the tests).
    peak: u64,
}

/// Bytes taken from a [`ByteBudget`], given back on drop.
pub(super) struct Permit {
    budget: Arc<ByteBudget>,
    bytes: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.budget.lock();
        s.in_flight = s.in_flight.saturating_sub(self.bytes);
        self.budget.freed.notify_all();
    }
}

impl ByteBudget {
    fn lock(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `n` more bytes fit under `cap` (or nothing is in flight, so that a
    /// file larger than the budget still passes). None once the writer has gone.
    pub(super) fn acquire(self: &Arc<Self>, n: u64, cap: u64) -> Option<Permit> {
        let mut s = self.lock();
        s.waiting += 1;
        while !s.closed && s.in_flight > 0 && s.in_flight + n > cap {
            s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.waiting -= 1;
        if s.closed {
            return None;
        }
        s.in_flight += n;
        s.peak = s.peak.max(s.in_flight);
        Some(Permit {
            budget: self.clone(),
            bytes: n,
        })
    }

    /// The writer stops taking files: wakes and refuses every waiting parser.
    fn close(&self) {
        self.lock().closed = true;
        self.freed.notify_all();
    }
}

/// Closes the budget when the writer loop ends, by error or not, so that no parser
/// waits forever for room the writer will never make.
pub(super) struct CloseOnDrop(pub(super) Arc<ByteBudget>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Waits (up to 30 s) until `n` parsers are blocked in `acquire`.
    fn wait_for_waiters(budget: &ByteBudget, n: usize) {
        let start = Instant::now();
        while budget.lock().waiting < n {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no parser waited"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A file larger than the whole budget passes alone; the next one waits until the
    /// writer drops the permit, and a parser that panics gives its bytes back too.
    #[test]
    fn the_byte_budget_lets_an_oversized_file_through_alone() {
        let budget = Arc::new(ByteBudget::default());
        let big = budget.acquire(10, 8).expect("nothing in flight: admitted");
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let b = budget.clone();
        let waiter = std::thread::spawn(move || {
            let permit = b.acquire(1, 8);
            done_tx.send(permit.is_some()).unwrap();
        });
        wait_for_waiters(&budget, 1);
        assert!(
            done_rx.try_recv().is_err(),
            "a second file must wait while the budget is spent"
        );
        drop(big);
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(30)), Ok(true));
        waiter.join().unwrap();
        assert_eq!(
            budget.lock().in_flight,
            0,
            "the waiter's permit was dropped"
        );
        // small files share the budget
        let a = budget.acquire(3, 8).unwrap();
        let b = budget.acquire(5, 8).unwrap();
        assert_eq!(budget.lock().in_flight, 8);
        drop((a, b));
        // a parser that panics while holding a permit gives the bytes back
        let b = budget.clone();
        let panicked = std::thread::spawn(move || {
            let _permit = b.acquire(6, 8).unwrap();
            panic!("parser bug");
        })
        .join();
        assert!(panicked.is_err());
        assert_eq!(budget.lock().in_flight, 0);
        assert_eq!(budget.lock().peak, 10);
    }

    /// When the writer stops (an error, or the end of the run), a parser blocked in
    /// `acquire` is woken and refused.
    #[test]
    fn closing_the_byte_budget_wakes_waiting_parsers() {
        let budget = Arc::new(ByteBudget::default());
        let _held = budget.acquire(8, 8).unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let b = budget.clone();
        std::thread::spawn(move || {
            let permit = b.acquire(4, 8);
            done_tx.send(permit.is_some()).unwrap();
        });
        wait_for_waiters(&budget, 1);
        drop(CloseOnDrop(budget.clone()));
        assert_eq!(
            done_rx.recv_timeout(Duration::from_secs(30)),
            Ok(false),
            "woken and refused after close"
        );
        assert!(budget.acquire(1, 8).is_none());
    }
}
