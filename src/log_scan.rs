//! Reading logs the way public nodes allow it: `eth_getLogs` in bounded block ranges, from the
//! block the wallet's contracts were deployed in (never from `earliest`), each range shrunk and
//! retried when the node refuses it as too large, with a cap on how many requests one scan may
//! make. Pure planning: the background runs the requests.

use crate::{Error, Result};

/// The range asked for when a network says nothing (what most public RPCs accept).
pub const DEFAULT_LOG_RANGE: u64 = 2_000;
/// The most requests one scan may make: beyond that the wallet says the chain's history is too
/// long for it to read, rather than hammering a rate-limited node.
pub const MAX_REQUESTS: u32 = 500;
/// The most logs one scan keeps (an account's passkeys and sessions are a handful; a node that
/// sends more is not answering the question asked).
pub const MAX_LOGS: usize = 5_000;

/// A scan of blocks `from..=to` in windows of at most `range` blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogScan {
    next: u64,
    to: u64,
    range: u64,
    requests: u32,
    done: bool,
}

impl LogScan {
    /// A scan of `from..=to`, `range` blocks per request (at least 1). Empty when `from > to`.
    pub fn new(from: u64, to: u64, range: u64) -> Self {
        LogScan {
            next: from,
            to,
            range: range.max(1),
            requests: 0,
            done: from > to,
        }
    }

    /// The next window to ask for (inclusive bounds), or `None` when the scan is complete.
    /// Counts a request; errs once the scan has made [`MAX_REQUESTS`].
    pub fn next_window(&mut self) -> Result<Option<(u64, u64)>> {
        if self.done {
            return Ok(None);
        }
        if self.requests >= MAX_REQUESTS {
            return Err(Error::NotAllowed(format!(
                "reading the chain's logs would take more than {MAX_REQUESTS} requests (blocks {} to {} left, {} per request)",
                self.next, self.to, self.range
            )));
        }
        self.requests += 1;
        let end = self.next.saturating_add(self.range - 1).min(self.to);
        Ok(Some((self.next, end)))
    }

    /// The window ending at `end` was answered: the scan goes on after it.
    pub fn answered(&mut self, end: u64) {
        if end >= self.to {
            self.done = true;
        } else {
            self.next = end + 1;
        }
    }

    /// The node refused the last window as too large: the range halves. Errs when a single
    /// block is already refused (the node is not refusing the range, then).
    pub fn refused(&mut self) -> Result<()> {
        if self.range == 1 {
            return Err(Error::NotAllowed(
                "the node refuses logs even one block at a time".into(),
            ));
        }
        self.range /= 2;
        Ok(())
    }

    /// Never asks more than `range` blocks from now on (what the node accepted elsewhere).
    pub fn narrow_to(&mut self, range: u64) {
        self.range = self.range.min(range.max(1));
    }

    /// The current range per request.
    pub fn range(&self) -> u64 {
        self.range
    }
}

/// Whether a node's error refuses an `eth_getLogs` for its block range or result size (each
/// provider words it its own way: "block range is too large", "query returned more than 10000
/// results", "exceed maximum block range: 1000", "Log response size exceeded", code −32005 "limit
/// exceeded"), as opposed to any other failure.
pub fn is_range_refusal(error: &Error) -> bool {
    let Error::Rpc(rpc) = error else {
        return false;
    };
    if rpc.code == -32005 {
        return true;
    }
    let message = rpc.message.to_ascii_lowercase();
    [
        "range",
        "too many",
        "more than",
        "limit",
        "exceed",
        "too large",
    ]
    .iter()
    .any(|word| message.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::RpcError;

    fn windows(scan: &mut LogScan) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        while let Some((from, to)) = scan.next_window().unwrap() {
            out.push((from, to));
            scan.answered(to);
        }
        out
    }

    #[test]
    fn covers_every_block_once_in_bounded_windows() {
        assert_eq!(
            windows(&mut LogScan::new(10, 25, 7)),
            vec![(10, 16), (17, 23), (24, 25)]
        );
        assert_eq!(windows(&mut LogScan::new(5, 5, 2_000)), vec![(5, 5)]);
        assert!(windows(&mut LogScan::new(6, 5, 10)).is_empty());
        // A zero range is one block per request, not a loop that never advances.
        assert_eq!(windows(&mut LogScan::new(0, 1, 0)), vec![(0, 0), (1, 1)]);
        // The end of the block numbers does not wrap around.
        assert_eq!(
            windows(&mut LogScan::new(u64::MAX - 1, u64::MAX, 10)),
            vec![(u64::MAX - 1, u64::MAX)]
        );
    }

    #[test]
    fn a_refused_window_is_asked_again_smaller_until_one_block() {
        let mut scan = LogScan::new(0, 999, 1_000);
        assert_eq!(scan.next_window().unwrap(), Some((0, 999)));
        scan.refused().unwrap();
        assert_eq!(scan.next_window().unwrap(), Some((0, 499)));
        scan.answered(499);
        assert_eq!(scan.next_window().unwrap(), Some((500, 999)));
        scan.narrow_to(100);
        assert_eq!(scan.range(), 100);
        scan.narrow_to(1_000);
        assert_eq!(scan.range(), 100, "never widens");
        let mut tiny = LogScan::new(0, 0, 2);
        tiny.refused().unwrap();
        assert!(tiny.refused().is_err());
    }

    #[test]
    fn stops_after_the_most_requests_a_scan_may_make() {
        let mut scan = LogScan::new(0, u64::from(MAX_REQUESTS) * 10, 10);
        for _ in 0..MAX_REQUESTS {
            let (_, to) = scan.next_window().unwrap().unwrap();
            scan.answered(to);
        }
        assert!(scan.next_window().is_err());
    }

    #[test]
    fn tells_range_refusals_from_other_errors() {
        let rpc = |code, message: &str| {
            Error::Rpc(RpcError {
                code,
                message: message.into(),
                data: None,
            })
        };
        for refusal in [
            rpc(-32000, "exceed maximum block range: 1000"),
            rpc(
                -32602,
                "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
            ),
            rpc(-32005, "query returned more than 10000 results"),
            rpc(-32600, "block range is too large"),
        ] {
            assert!(is_range_refusal(&refusal), "{refusal:?}");
        }
        assert!(!is_range_refusal(&rpc(-32000, "header not found")));
        assert!(!is_range_refusal(&Error::Internal("limit".into())));
    }
}
