//! The approval window (`approval.html`): shows the first pending request, runs the passkey
//! ceremony the user asks for, and moves on to the next request or closes. This file holds the
//! window's life (loading, approving, rejecting, what follows a failure) and its frame (the site,
//! the queue, the fee of what is sent, the buttons); each kind of request is drawn by its own
//! file: `connect` (and onboarding), `signing`, `transaction`, `session`, `network`, `passkeys`,
//! `recovery`, `token`. While a recovery of the account is pending, every window says so first.
//!
//! What the passkey signs comes from the view's one [`SigningRequest`], whatever the kind.

mod connect;
mod modules;
mod network;
mod passkeys;
mod recovery;
mod session;
mod signing;
mod token;
mod transaction;

use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{
    ApprovalView, OperationView, RequestView, SigningRequest, UiRequest, UiResponse,
};
use sso_wallet::units::Readable;

use crate::widgets::{amount_view, is_wallet_origin};
use crate::{bridge, flows, passkey};

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Showing(Box<ApprovalView>),
    /// The request on screen was taken up and failed (its error stays on screen); nothing else
    /// waits. A new request brings the window to the front, and it shows that one.
    Finished,
}

#[derive(Clone, Copy)]
struct Ui {
    phase: RwSignal<Phase>,
    busy: RwSignal<Option<&'static str>>,
    error: RwSignal<Option<String>>,
}

impl Ui {
    /// Shows approval `id`, or the first pending one; closes the window when nothing is left.
    fn load(self, id: Option<u64>) {
        spawn_local(async move {
            match bridge::request(UiRequest::GetApproval { approval_id: id }).await {
                UiResponse::Approval {
                    approval: Some(view),
                } => {
                    self.error.set(None);
                    self.phase.set(Phase::Showing(view));
                }
                UiResponse::Approval { approval: None } => close_window(),
                UiResponse::Error { message } if id.is_some() => {
                    // The approval went away (its page closed): show the next one.
                    self.error.set(Some(message));
                    self.load(None);
                }
                other => self.fail(other),
            }
        });
    }

    fn fail(self, response: UiResponse) {
        let message = match response {
            UiResponse::Error { message } => message,
            _ => "Unexpected answer from the wallet.".into(),
        };
        self.busy.set(None);
        self.error.set(Some(message));
    }

    fn busy(self) -> bool {
        self.busy.get().is_some()
    }

    /// Runs an action with a busy label; on error keeps the request on screen.
    fn run<F>(self, label: &'static str, action: F)
    where
        F: std::future::Future<Output = Result<UiResponse, String>> + 'static,
    {
        self.busy.set(Some(label));
        self.error.set(None);
        spawn_local(async move {
            match action.await {
                Ok(UiResponse::Error { message }) | Err(message) => {
                    self.busy.set(None);
                    self.error.set(Some(message));
                    self.settle();
                }
                // The account now exists, or the wallet is unlocked: the same request again.
                Ok(UiResponse::AccountCreated { .. } | UiResponse::Unlocked) => {
                    self.busy.set(None);
                    let current = match self.phase.get_untracked() {
                        Phase::Showing(view) => Some(view.id),
                        Phase::Loading | Phase::Finished => None,
                    };
                    self.load(current);
                }
                Ok(_) => {
                    self.busy.set(None);
                    self.load(None);
                }
            }
        });
    }

    /// After a failure: if the request on screen is gone (it was carried out and failed, so
    /// retrying cannot help), the window shows the next one with the error above it, or, when
    /// nothing else waits, stays on the error until a new request comes.
    fn settle(self) {
        let Phase::Showing(view) = self.phase.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let still = UiRequest::GetApproval {
                approval_id: Some(view.id),
            };
            if let UiResponse::Approval {
                approval: Some(current),
            } = bridge::request(still).await
            {
                // Still pending: it can be retried or rejected, as it is now (a queued
                // transaction may have been prepared again, with another hash to sign).
                self.phase.set(Phase::Showing(current));
                return;
            }
            match bridge::request(UiRequest::GetApproval { approval_id: None }).await {
                UiResponse::Approval {
                    approval: Some(next),
                } => self.phase.set(Phase::Showing(next)),
                _ => self.phase.set(Phase::Finished),
            }
        });
    }

    /// The window came to the front: when it had nothing left to show, a new request is why.
    fn refocused(self) {
        if self.phase.get_untracked() != Phase::Finished {
            return;
        }
        spawn_local(async move {
            if let UiResponse::Approval {
                approval: Some(next),
            } = bridge::request(UiRequest::GetApproval { approval_id: None }).await
            {
                self.error.set(None);
                self.phase.set(Phase::Showing(next));
            }
        });
    }

    fn create_passkey(self) {
        self.run("Creating your passkey…", async {
            let attestation_object = passkey::create(&[]).await?;
            Ok(bridge::request(UiRequest::CreatePasskey { attestation_object }).await)
        });
    }

    fn login(self) {
        self.run("Finding your account…", flows::login());
    }

    fn unlock(self) {
        self.run("Unlocking…", flows::unlock());
    }

    /// Approves: the passkey signs what the view says it signs (if anything), and the answer
    /// goes back with the approval's id.
    fn approve(self, view: ApprovalView) {
        let approval_id = view.id;
        let label = match (&view.request, &view.signing) {
            (RequestView::Locked, _) => return self.unlock(),
            (RequestView::AddChain { .. }, _) => "Checking the network…",
            (_, None) => "Saving…",
            (
                _,
                Some(SigningRequest {
                    operation: None, ..
                }),
            ) => "Confirm with your passkey…",
            (_, Some(_)) => "Confirm with your passkey, then sending…",
        };
        self.run(label, async move {
            let assertion = match view.signing {
                Some(signing) => Some(passkey::sign(signing.hash, &signing.credential_id).await?),
                None => None,
            };
            Ok(bridge::request(UiRequest::Approve {
                approval_id,
                assertion,
            })
            .await)
        });
    }

    fn reject(self, id: u64) {
        self.run("Rejecting…", async move {
            Ok(bridge::request(UiRequest::Reject { approval_id: id }).await)
        });
    }
}

fn close_window() {
    if let Some(window) = web_sys::window() {
        let _ = window.close();
    }
}

/// The approval window's root component.
#[component]
pub fn App() -> impl IntoView {
    let ui = Ui {
        phase: RwSignal::new(Phase::Loading),
        busy: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    ui.load(None);
    let _ = window_event_listener(leptos::ev::focus, move |_| ui.refocused());
    view! {
        <main class="approval" data-approval-id=move || ui.phase.with(|phase| match phase {
            Phase::Showing(view) => Some(view.id.to_string()),
            Phase::Loading | Phase::Finished => None,
        })>
            <header>
                <img src="icons/icon.svg" alt="" width="28" height="28"/>
                <span class="brand">"SSO Wallet"</span>
            </header>
            {move || match ui.phase.get() {
                Phase::Loading => view! { <p class="muted" data-testid="loading">"Loading…"</p> }.into_any(),
                Phase::Showing(view) => approval_view(ui, *view).into_any(),
                Phase::Finished => view! {
                    <section data-testid="finished">
                        <p class="muted">"That request is over; nothing else is waiting."</p>
                        <button class="secondary" data-testid="close" on:click=|_| close_window()>"Close"</button>
                    </section>
                }
                .into_any(),
            }}
            {move || ui.error.get().map(|message| view! {
                <p class="error" role="alert" data-testid="error">{message}</p>
            })}
            {move || ui.busy.get().map(|label| view! {
                <p class="status" data-testid="status">{label}</p>
            })}
        </main>
    }
}

/// One approval: the site and queue, the request drawn by its kind's file with the label of its
/// approve button, the fee of what it sends, and the buttons.
fn approval_view(ui: Ui, view: ApprovalView) -> AnyView {
    let id = view.id;
    let busy = move || ui.busy();
    let queue = (view.total > 1).then(|| {
        view! {
            <p class="queue">
                <span data-testid="queue-position">{format!("{} of {}", view.position, view.total)}</span>
                <span class="muted" data-testid="queue-note">{format!(
                    " · {} more after this one; closing the window rejects them all",
                    view.total - view.position
                )}</span>
            </p>
        }
    });
    let site = view! {
        <section class="site">
            <div class="label">"Request from"</div>
            <div class="origin" data-testid="approval-origin">{origin_name(&view.origin)}</div>
            <div class="muted" data-testid="approval-network">{format!("{} · chain {}", view.network, view.chain_id)}</div>
        </section>
    };
    let (body, label) = match &view.request {
        RequestView::Locked => {
            let alert = view.recovery_alert.as_ref().map(|a| recovery::alert(ui, a));
            return view! {
                {queue}
                {alert}
                {site}
                <section class="request" data-testid="locked">
                    <h1>"SSO Wallet is locked"</h1>
                    <p>"Unlock with your passkey to see this request."</p>
                </section>
                <footer>
                    <button class="secondary" data-testid="reject" disabled=busy on:click=move |_| ui.reject(id)>"Reject"</button>
                    <button class="primary" data-testid="unlock" disabled=busy on:click=move |_| ui.unlock()>"Unlock"</button>
                </footer>
            }
            .into_any();
        }
        RequestView::Connect { account: None } => {
            return view! {
                {queue}
                {site}
                <section class="request">{connect::onboarding(ui)}</section>
                <footer>
                    <button class="secondary" data-testid="reject" disabled=busy on:click=move |_| ui.reject(id)>"Reject"</button>
                    <button class="primary" data-testid="create-passkey" disabled=busy
                        on:click=move |_| ui.create_passkey()>"Create passkey"</button>
                </footer>
            }
            .into_any();
        }
        RequestView::Connect {
            account: Some(address),
        } => (connect::connect(*address), "Connect"),
        RequestView::SignMessage {
            account,
            text,
            message,
            sign_in,
        } => (
            signing::message(*account, text.clone(), message, sign_in.clone()),
            if sign_in.is_some() {
                "Sign in with passkey"
            } else {
                "Sign with passkey"
            },
        ),
        RequestView::SignTypedData {
            account,
            domain,
            primary_type,
            message,
            permit,
        } => (
            signing::typed_data(*account, domain, primary_type, message, permit.clone()),
            "Sign with passkey",
        ),
        RequestView::SendTransaction {
            from,
            calls,
            warnings,
            session_fallback,
            balance_changes,
        } => (
            transaction::send(
                *from,
                calls,
                warnings,
                session_fallback.clone(),
                balance_changes.clone(),
            ),
            "Confirm with passkey",
        ),
        RequestView::CreateSession {
            account,
            session,
            warnings,
        } => (
            session::create(*account, session, warnings),
            "Approve with passkey",
        ),
        RequestView::RevokeSession { session } => (session::revoke(session), "Revoke with passkey"),
        RequestView::AddChain { request } => (network::add(request), "Add network"),
        RequestView::WatchAsset { asset } => (token::watch(asset), "Add token"),
        RequestView::ChangeModule { module } => (
            modules::change(module),
            if module.change.install {
                "Install with passkey"
            } else {
                "Uninstall with passkey"
            },
        ),
        RequestView::Recovery { change } => recovery::change(change),
        RequestView::ChangePasskeys {
            add,
            passkey,
            other_origin,
        } => (
            passkeys::change(*add, passkey, other_origin.as_deref()),
            if *add {
                "Add with passkey"
            } else {
                "Remove with passkey"
            },
        ),
    };
    let operation = view
        .signing
        .as_ref()
        .and_then(|s| s.operation.clone())
        .map(operation_view);
    let approve = view.clone();
    let alert = view.recovery_alert.as_ref().map(|a| recovery::alert(ui, a));
    view! {
        {queue}
        {alert}
        {site}
        <section class="request">{body}{operation}</section>
        <footer>
            <button class="secondary" data-testid="reject" disabled=busy on:click=move |_| ui.reject(id)>"Reject"</button>
            <button class="primary" data-testid="approve" disabled=busy
                on:click=move |_| ui.approve(approve.clone())>{label}</button>
        </footer>
    }
    .into_any()
}

/// The UserOperation an approval sends: the most it can cost, and whether it deploys the account.
fn operation_view(operation: OperationView) -> impl IntoView {
    let sponsor = operation.sponsor.map(|sponsor| {
        let who = sponsor.name.unwrap_or_else(|| "a paymaster service".to_owned());
        view! {
            <p class="note" data-testid="tx-sponsor">
                {format!("Fees sponsored by {who}: you pay no network fee. The sponsor's service: ")}
                <code data-testid="tx-sponsor-url">{sponsor.url}</code>
            </p>
        }
    });
    view! {
        {sponsor}
        <dl>
            <dt>"Max network fee you pay"</dt><dd>{amount_view(&Readable::ether(operation.max_fee), "tx-fee")}</dd>
        </dl>
        {operation.deploys_account.then(|| view! {
            <p class="note" data-testid="tx-deploys">"This also deploys your account."</p>
        })}
    }
}

/// The requesting origin, or "SSO Wallet" for the wallet's own pages (the home page asked).
fn origin_name(origin: &str) -> String {
    if is_wallet_origin(origin) {
        "SSO Wallet (you, from the home page)".to_owned()
    } else {
        origin.to_owned()
    }
}
