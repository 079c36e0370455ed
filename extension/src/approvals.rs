//! The approval queue and its window: a request that needs the user is queued (within the
//! caps of [`sso_wallet::approval::ApprovalQueue`]) and shown in one window; it is rejected,
//! dropped with its page or site, or taken out once to be carried out (`approve`). Below every
//! feature: features queue their requests here; the approve step above them carries them out.

use serde_json::Value;

use sso_wallet::approval::{Approval, ApprovalKind, ReplyTo};
use sso_wallet::protocol::PageMessage;
use sso_wallet::{Error, Result};

use crate::{chrome, outbox, state};

const WINDOW_PATH: &str = "approval.html";
const WINDOW_WIDTH: u32 = 400;
const WINDOW_HEIGHT: u32 = 640;

/// Queues an approval and makes sure the approval window shows.
pub async fn enqueue(origin: &str, reply_to: ReplyTo, kind: ApprovalKind) -> Result<()> {
    let id = state::with(|s| s.approvals.push(origin.to_owned(), reply_to, kind))?;
    let shown = async {
        state::save_approvals().await?;
        show_window(id).await
    }
    .await;
    // The page is told it failed: the request must not stay behind to be approved later.
    if shown.is_err() && state::with(|s| s.approvals.take(id)).is_ok() {
        let _ = state::save_approvals().await;
    }
    shown
}

/// Brings the one approval window to the front, or opens it. Requests arriving together (a
/// page sending ten at once) open one window between them: while it is being opened the others
/// only wait in the queue, which the window shows one by one ("1 of 10").
async fn show_window(id: u64) -> Result<()> {
    let tried = state::with(|s| s.approval_window);
    if let Some(window) = tried
        && chrome::focus_window(window).await
    {
        return Ok(());
    }
    // Checked and set with no await in between: only one request opens the window (none when
    // another opened one while this one found the old window gone).
    let opening = state::with(|s| {
        if s.approval_window_opening || s.approval_window != tried {
            return false;
        }
        s.approval_window_opening = true;
        true
    });
    if !opening {
        return Ok(());
    }
    let opened = chrome::open_popup(WINDOW_PATH, WINDOW_WIDTH, WINDOW_HEIGHT).await;
    state::with(|s| {
        s.approval_window_opening = false;
        if let Ok(window) = opened {
            s.approval_window = Some(window);
        }
    });
    match opened {
        Ok(_) => state::save_approvals().await,
        Err(e) => {
            // No window, so nobody can approve what waited for this one: every request but
            // `id` (its caller answers it) is answered with the failure.
            let waiting = state::with(|s| s.approvals.drain());
            for approval in waiting.iter().filter(|a| a.id != id) {
                answer(approval, Err(e.clone()));
            }
            let _ = state::save_approvals().await;
            Err(e)
        }
    }
}

/// Rejects an approval with 4001.
pub async fn reject(approval_id: u64) -> Result<()> {
    let approval = take(approval_id).await?;
    answer(&approval, Err(Error::UserRejected));
    Ok(())
}

/// The approval window was closed: everything still pending is rejected with 4001.
pub fn window_closed(window_id: i32) {
    if state::with(|s| s.approval_window != Some(window_id)) {
        return;
    }
    let gone = state::with(|s| {
        s.approval_window = None;
        s.approvals.drain()
    });
    for approval in &gone {
        answer(approval, Err(Error::UserRejected));
    }
    wasm_bindgen_futures::spawn_local(async {
        let _ = state::save_approvals().await;
    });
}

pub fn answer(approval: &Approval, outcome: Result<Value>) {
    if approval.reply_to.page.is_empty() {
        return; // the wallet's own UI asked; nobody waits
    }
    state::with(|s| s.carrying.remove(&carried(approval)));
    outbox::deliver(
        &approval.reply_to.page,
        PageMessage::answer(approval.reply_to.request, outcome),
    );
}

/// Takes an approval out of the queue and persists that before anything is carried out, so a
/// worker restart can never bring it back (exactly once). If that cannot be persisted, nothing
/// is carried out and the approval stays pending (the window shows the error).
/// From the moment it leaves the queue until [`answer`], the page's request counts as being
/// carried out (`state::Background::carrying`), so a page resuming meanwhile keeps waiting.
pub async fn take(approval_id: u64) -> Result<Approval> {
    let approval = state::with(|s| {
        let approval = s.approvals.take(approval_id)?;
        s.carrying.insert(carried(&approval));
        Ok::<_, Error>(approval)
    })?;
    if let Err(e) = state::save_approvals().await {
        // Nothing is carried out: the approval goes back, pending as before.
        state::with(|s| {
            s.carrying.remove(&carried(&approval));
            s.approvals.put_back(approval)
        });
        return Err(e);
    }
    Ok(approval)
}

fn carried(approval: &Approval) -> (String, u64) {
    (approval.reply_to.page.clone(), approval.reply_to.request)
}

/// A site was disconnected: what it still asked is answered 4100 and dropped.
pub async fn drop_origin(origin: &str) -> Result<()> {
    let gone = state::with(|s| s.approvals.drop_origin(origin));
    if gone.is_empty() {
        return Ok(());
    }
    for approval in &gone {
        answer(approval, Err(Error::Unauthorized(origin.to_owned())));
    }
    state::save_approvals().await
}

/// Opens the activity view (the home page) on one batch, in place of the one opened before (a
/// site calling this in a loop gets one window, not one per call).
pub async fn show_activity(id: &str) -> Result<()> {
    let path = format!(
        "home.html?calls={}",
        String::from(js_sys::encode_uri_component(id))
    );
    if let Some(previous) = state::with(|s| s.activity_window.take()) {
        chrome::close_window(previous).await;
    }
    let window = chrome::open_popup(&path, WINDOW_WIDTH, WINDOW_HEIGHT).await?;
    state::with(|s| s.activity_window = Some(window));
    Ok(())
}
