//! Answers and events to pages: sent on the page's current port, and held for a page that has
//! none (the worker just restarted) until it reconnects and says which answers it still waits
//! for (`resume`). Below the approval queue and every feature.

use std::cell::RefCell;

use sso_wallet::Error;
use sso_wallet::protocol::PageMessage;

use crate::state;

/// An answer held for a page.
struct Held {
    page: String,
    message: PageMessage,
    /// Its size as JSON (bytes).
    size: usize,
}

/// Answers waiting for pages at most, and their total size (older ones are dropped first).
const OUTBOX_LIMIT: usize = 256;
const OUTBOX_BYTES: usize = 4 * 1024 * 1024;

thread_local! {
    /// Answers for pages that had no port when they were ready (the worker had just restarted),
    /// and copies of approval outcomes until the page shows it got them; delivered when the page
    /// reconnects ([`resume`]). Oldest first.
    static OUTBOX: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
}

/// Keeps an answer for a page until it reconnects. An answer too large to keep (a node's
/// result of megabytes) is replaced by an error asking to retry.
pub fn hold(page: &str, message: PageMessage) {
    let size = serde_json::to_string(&message).map_or(usize::MAX, |t| t.len());
    let (message, size) = match message.id() {
        Some(id) if size > OUTBOX_BYTES / 4 => {
            (PageMessage::answer(id, Err(Error::Interrupted)), 128)
        }
        _ => (message, size),
    };
    OUTBOX.with_borrow_mut(|outbox| {
        let mut total: usize = outbox.iter().map(|h| h.size).sum::<usize>() + size;
        while !outbox.is_empty() && (outbox.len() >= OUTBOX_LIMIT || total > OUTBOX_BYTES) {
            total -= outbox.remove(0).size;
        }
        outbox.push(Held {
            page: page.to_owned(),
            message,
            size,
        });
    });
}

/// Takes the answers held for `page`.
pub fn take_held(page: &str) -> Vec<PageMessage> {
    OUTBOX.with_borrow_mut(|outbox| {
        let (mine, rest): (Vec<Held>, Vec<Held>) = std::mem::take(outbox)
            .into_iter()
            .partition(|h| h.page == page);
        *outbox = rest;
        mine.into_iter().map(|h| h.message).collect()
    })
}

/// The content script reconnected and still waits for `ids`. What the outbox holds for them is
/// sent again, and kept (the new port may have failed too: the next `resume` says); what it holds
/// for ids no longer listed reached the page and is dropped. An id neither held, nor waiting for
/// the user, nor being carried out (approved after the restart, before this resume) was lost
/// with the worker that had it: 4900.
pub fn resume(page: &str, ids: &[u64]) {
    let held = take_held(page);
    for &id in ids {
        match held.iter().find(|m| m.id() == Some(id)) {
            Some(answer) => deliver(page, answer.clone()),
            None if state::with(|s| {
                s.approvals.waits(page, id) || s.carrying.contains(&(page.to_owned(), id))
            }) => {}
            None => reply(page, PageMessage::answer(id, Err(Error::Interrupted))),
        }
    }
}

/// Sends a message to a page on its current port; an answer for a page without a port (the
/// worker just restarted and the page has not reconnected yet) is held until it does.
pub fn reply(page: &str, message: PageMessage) {
    match state::page_port(page) {
        Some(port) => port.send(&message),
        None if message.id().is_some() => hold(page, message),
        None => {}
    }
}

/// Sends an answer the page may have waited for across a worker restart (an approval's outcome)
/// and keeps a copy until the page's next `resume`. A port is no proof of delivery: a content
/// script whose connect raced the worker's start sees it fail ("Could not establish connection")
/// while the worker still gets the port, never closed on its side, and what is sent there is
/// lost; the content script reconnects and resumes, and gets the copy.
pub fn deliver(page: &str, answer: PageMessage) {
    if let Some(port) = state::page_port(page) {
        port.send(&answer);
    }
    hold(page, answer);
}
