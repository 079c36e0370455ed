//! The approval window: shows the first pending request (connect / onboarding, transaction),
//! runs the passkey ceremony the user asks for, and moves on to the next request or closes.

use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{ApprovalView, RequestView, UiRequest, UiResponse};
use sso_wallet::units::format_ether;

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
            if let UiResponse::Approval { approval: Some(_) } = bridge::request(still).await {
                return; // still pending: it can be retried or rejected
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

    fn approve(self, view: ApprovalView) {
        let approval_id = view.id;
        // What the passkey signs for this request, if anything, and with which credential.
        let (label, to_sign) = match view.request {
            RequestView::Locked => return self.unlock(),
            RequestView::Connect { .. } => ("Saving…", None),
            RequestView::AddChain { .. } => ("Checking the network…", None),
            RequestView::SignMessage {
                digest,
                credential_id,
                ..
            }
            | RequestView::SignTypedData {
                digest,
                credential_id,
                ..
            } => ("Confirm with your passkey…", Some((digest, credential_id))),
            RequestView::SendTransaction {
                user_op_hash,
                credential_id,
                ..
            }
            | RequestView::CreateSession {
                user_op_hash,
                credential_id,
                ..
            }
            | RequestView::RevokeSession {
                user_op_hash,
                credential_id,
                ..
            }
            | RequestView::ChangePasskeys {
                user_op_hash,
                credential_id,
                ..
            } => (
                "Confirm with your passkey, then sending…",
                Some((user_op_hash, credential_id)),
            ),
        };
        self.run(label, async move {
            let assertion = match to_sign {
                Some((hash, credential_id)) => Some(passkey::sign(hash, &credential_id).await?),
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
        <main class="approval">
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

fn approval_view(ui: Ui, view: ApprovalView) -> AnyView {
    let id = view.id;
    let busy = move || ui.busy.get().is_some();
    let queue = (view.total > 1).then(|| {
        view! { <p class="queue" data-testid="queue-position">{format!("{} of {}", view.position, view.total)}</p> }
    });
    let site = view! {
        <section class="site">
            <div class="label">"Request from"</div>
            <div class="origin" data-testid="approval-origin">{origin_name(&view.origin)}</div>
            <div class="muted" data-testid="approval-network">{format!("{} · chain {}", view.network, view.chain_id)}</div>
        </section>
    };
    let needs_passkey = matches!(view.request, RequestView::Connect { account: None });
    let body = match &view.request {
        // Shown by the locked screen below.
        RequestView::Locked => ().into_any(),
        RequestView::Connect { account: None } => view! {
            <h1>"Create your wallet"</h1>
            <p>"SSO Wallet uses a passkey (Face ID, fingerprint or PIN) instead of a seed phrase. Your account is a smart account owned by that passkey."</p>
            <p class="muted">"Already created one on another device or browser? Log in with its passkey: the account, its balance and sessions come back from the chain."</p>
            <button class="secondary" data-testid="login" disabled=busy on:click=move |_| ui.login()>"I already have an account"</button>
        }
        .into_any(),
        RequestView::ChangePasskeys {
            add,
            passkey,
            max_fee,
            deploys_account,
            ..
        } => view! {
            <h1 data-testid="passkey-title">{if *add { "Add this passkey to your account?" } else { "Remove this passkey from your account?" }}</h1>
            <p>{if *add {
                "The new passkey will be able to sign for your account, on any device it is on. Confirm with a passkey the account already has."
            } else {
                "The passkey will no longer be able to sign for your account."
            }}</p>
            <dl>
                <dt>"Passkey"</dt><dd><code class="data" data-testid="passkey-changed">{short_id(passkey)}</code></dd>
                <dt>"Max network fee"</dt><dd data-testid="tx-fee">{format_ether(*max_fee)}</dd>
            </dl>
            {deploys_account.then(|| view! {
                <p class="note" data-testid="tx-deploys">"This also deploys your account."</p>
            })}
        }
        .into_any(),
        RequestView::Connect {
            account: Some(address),
        } => view! {
            <h1>"Connect this site?"</h1>
            <p>"The site will see your account address and can ask you to approve transactions."</p>
            <div class="label">"Account"</div>
            <code class="address" data-testid="account-address">{address.to_string()}</code>
        }
        .into_any(),
        RequestView::SignMessage {
            account,
            text,
            message,
            ..
        } => view! {
            <h1>"Sign message"</h1>
            <p class="muted">"Signing proves you own "<code>{account.to_string()}</code>". It sends nothing and costs nothing."</p>
            {match text {
                Some(text) => view! { <pre class="message" data-testid="sign-message">{text.clone()}</pre> }.into_any(),
                None => view! {
                    <div class="label">"Raw data (not text)"</div>
                    <code class="data" data-testid="sign-message">{message.to_string()}</code>
                }.into_any(),
            }}
        }
        .into_any(),
        RequestView::SignTypedData {
            account,
            domain,
            primary_type,
            message,
            ..
        } => view! {
            <h1>"Sign typed data"</h1>
            <p class="muted">"Signed by "<code>{account.to_string()}</code>". Check the domain: it names the app and contract the signature is for."</p>
            <div class="label">"Domain"</div>
            <div data-testid="sign-typed-domain">{json_tree(domain)}</div>
            <div class="label" data-testid="sign-typed-type">{primary_type.clone()}</div>
            <div data-testid="sign-typed-message">{json_tree(message)}</div>
        }
        .into_any(),
        RequestView::CreateSession {
            account,
            session,
            warnings,
            max_fee,
            deploys_account,
            ..
        } => view! {
            <h1 data-testid="session-title">"Allow this site to act without asking?"</h1>
            <p>"SSO Wallet will keep a session key for this site. It signs the site's transactions that fit the rules below "<strong>"without asking you"</strong>", until the session expires or you revoke it. Anything else still asks."</p>
            <dl>
                <dt>"Account"</dt><dd><code>{account.to_string()}</code></dd>
                <dt>"Expires"</dt><dd data-testid="session-expires">{session.expires.clone()}</dd>
                <dt>"Max network fee now"</dt><dd data-testid="tx-fee">{format_ether(*max_fee)}</dd>
            </dl>
            {warnings_view(warnings)}
            {session_rules(session)}
            {deploys_account.then(|| view! {
                <p class="note" data-testid="tx-deploys">"This also deploys your account."</p>
            })}
        }
        .into_any(),
        RequestView::AddChain { request } => view! {
            <h1 data-testid="chain-title">"Add this network?"</h1>
            <p>"The site suggests a network. When you approve, SSO Wallet checks that its node answers for this chain, that a bundler serves the EntryPoint, and that your account's contracts are deployed there; the network is added only if all of that holds."</p>
            <dl>
                <dt>"Name"</dt><dd data-testid="chain-name">{request.name.clone()}</dd>
                <dt>"Chain id"</dt><dd data-testid="chain-id">{request.chain_id.to_string()}</dd>
                <dt>"Node"</dt>
                {request.rpc_urls.iter().map(|url| view! { <dd><code data-testid="chain-rpc">{url.clone()}</code></dd> }).collect_view()}
                <dt>"Bundler"</dt>
                {if request.bundler_urls.is_empty() {
                    view! { <dd data-testid="chain-bundler">"the node itself, if it serves ERC-4337"</dd> }.into_any()
                } else {
                    request.bundler_urls.iter().map(|url| view! { <dd><code data-testid="chain-bundler">{url.clone()}</code></dd> }).collect_view().into_any()
                }}
                {request.explorer_url.clone().map(|url| view! {
                    <dt>"Explorer"</dt><dd><code data-testid="chain-explorer">{url}</code></dd>
                })}
            </dl>
        }
        .into_any(),
        RequestView::RevokeSession {
            session, max_fee, ..
        } => view! {
            <h1 data-testid="session-title">"Revoke this session?"</h1>
            <p>"The session key is already erased from SSO Wallet. Confirming also closes the session on chain, so no copy of the key could ever use it."</p>
            <dl>
                <dt>"Site"</dt><dd data-testid="session-origin">{session.origin.clone()}</dd>
                <dt>"Expires"</dt><dd>{session.expires.clone()}</dd>
                <dt>"Max network fee"</dt><dd data-testid="tx-fee">{format_ether(*max_fee)}</dd>
            </dl>
            {session_rules(session)}
        }
        .into_any(),
        RequestView::SendTransaction {
            from,
            calls,
            max_fee,
            warnings,
            deploys_account,
            session_fallback,
            balance_changes,
            ..
        } => {
            let request_warnings = warnings_view(warnings);
            let title = if calls.len() == 1 {
                "Send transaction".to_owned()
            } else {
                format!("Send {} calls (all or nothing)", calls.len())
            };
            let rows = calls
                .iter()
                .map(|call| {
                    view! {
                        <dl class="call" data-testid="call">
                            <dt>"To"</dt><dd><code data-testid="tx-to">{call.to.to_string()}</code></dd>
                            <dt>"Amount"</dt><dd data-testid="tx-value">{format_ether(call.value)}</dd>
                            {function_view(call)}
                            {(!call.data.is_empty()).then(|| view! {
                                <dt>"Data"</dt><dd><code class="data" data-testid="tx-data">{call.data.to_string()}</code></dd>
                            })}
                        </dl>
                        {warnings_view(&call.warnings)}
                    }
                })
                .collect::<Vec<_>>();
            view! {
                <h1 data-testid="tx-title">{title}</h1>
                <dl>
                    <dt>"From"</dt><dd><code data-testid="tx-from">{from.to_string()}</code></dd>
                    <dt>"Max network fee"</dt><dd data-testid="tx-fee">{format_ether(*max_fee)}</dd>
                </dl>
                {session_fallback.clone().map(|reason| view! {
                    <p class="note" data-testid="session-fallback">{format!("Your session with this site cannot send this without asking: {reason}.")}</p>
                })}
                {request_warnings}
                {balance_changes.clone().map(|changes| view! {
                    <div class="label">"Expected balance changes (simulated)"</div>
                    {if changes.is_empty() {
                        view! { <p class="muted" data-testid="balance-change-none">"No balance of the account changes."</p> }.into_any()
                    } else {
                        let claims = changes.iter().any(|c| c.contains("(token "));
                        view! {
                            <ul class="rules">{changes.into_iter().map(|c| view! { <li data-testid="balance-change">{c}</li> }).collect::<Vec<_>>()}</ul>
                            {claims.then(|| view! {
                                <p class="muted" data-testid="token-claim">"Token symbols and decimals are what each token's contract says about itself."</p>
                            })}
                        }.into_any()
                    }}
                })}
                {rows}
                {deploys_account.then(|| view! {
                    <p class="note" data-testid="tx-deploys">"This first transaction also deploys your account."</p>
                })}
            }
            .into_any()
        }
    };
    let primary = if needs_passkey {
        view! {
            <button class="primary" data-testid="create-passkey" disabled=busy
                on:click=move |_| ui.create_passkey()>"Create passkey"</button>
        }
        .into_any()
    } else {
        let label = match view.request {
            RequestView::Connect { .. } => "Connect",
            RequestView::AddChain { .. } => "Add network",
            RequestView::SignMessage { .. } | RequestView::SignTypedData { .. } => {
                "Sign with passkey"
            }
            RequestView::SendTransaction { .. } => "Confirm with passkey",
            RequestView::CreateSession { .. } => "Approve with passkey",
            RequestView::RevokeSession { .. } => "Revoke with passkey",
            RequestView::ChangePasskeys { add: true, .. } => "Add with passkey",
            RequestView::ChangePasskeys { add: false, .. } => "Remove with passkey",
            RequestView::Locked => "Unlock",
        };
        let view_for_click = view.clone();
        view! {
            <button class="primary" data-testid="approve" disabled=busy
                on:click=move |_| ui.approve(view_for_click.clone())>{label}</button>
        }
        .into_any()
    };
    if view.request == RequestView::Locked {
        return view! {
            {queue}
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
    view! {
        {queue}
        {site}
        <section class="request">{body}</section>
        <footer>
            <button class="secondary" data-testid="reject" disabled=busy on:click=move |_| ui.reject(id)>"Reject"</button>
            {primary}
        </footer>
    }
    .into_any()
}

/// Whether `origin` is the wallet's own (`chrome-extension://<id>`): requests its pages made.
pub(crate) fn is_wallet_origin(origin: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .is_some_and(|own| own == origin)
}

/// The requesting origin, or "SSO Wallet" for the wallet's own pages (the home page asked).
fn origin_name(origin: &str) -> String {
    if is_wallet_origin(origin) {
        "SSO Wallet (you, from the home page)".to_owned()
    } else {
        origin.to_owned()
    }
}

/// A credential id shortened for display (`a1b2c3…d4e5f6`).
pub(crate) fn short_id(id: &alloy_primitives::Bytes) -> String {
    let hex = alloy_primitives::hex::encode(id);
    if hex.len() <= 16 {
        return hex;
    }
    format!("{}…{}", &hex[..8], &hex[hex.len() - 8..])
}

/// A JSON value as a readable tree: objects and arrays as nested definition lists.
/// The site's typed data, with hidden characters written out (what is signed is shown).
fn json_tree(value: &serde_json::Value) -> AnyView {
    use sso_wallet::untrusted::reveal;
    match value {
        serde_json::Value::Object(map) => {
            let rows = map
                .iter()
                .map(|(key, value)| {
                    view! { <dt>{reveal(key)}</dt><dd>{json_tree(value)}</dd> }
                })
                .collect::<Vec<_>>();
            view! { <dl class="tree">{rows}</dl> }.into_any()
        }
        serde_json::Value::Array(items) => {
            let rows = items
                .iter()
                .enumerate()
                .map(|(i, value)| view! { <dt>{format!("[{i}]")}</dt><dd>{json_tree(value)}</dd> })
                .collect::<Vec<_>>();
            view! { <dl class="tree">{rows}</dl> }.into_any()
        }
        serde_json::Value::String(s) => view! { <code>{reveal(s)}</code> }.into_any(),
        other => view! { <code>{other.to_string()}</code> }.into_any(),
    }
}

/// The decoded function of a call (known selectors), or its raw selector.
fn function_view(call: &sso_wallet::protocol::CallView) -> Option<AnyView> {
    if call.data.is_empty() {
        return None;
    }
    Some(match &call.decoded {
        Some(decoded) => {
            let args = decoded
                .args
                .iter()
                .map(|arg| {
                    view! {
                        <dt>{arg.name.clone()}</dt>
                        <dd data-testid=format!("call-arg-{}", arg.name)>{arg.value.clone()}</dd>
                    }
                })
                .collect::<Vec<_>>();
            view! {
                <dt>"Function"</dt><dd><code data-testid="call-function">{decoded.name.clone()}</code></dd>
                {args}
                {decoded.token_units.then(|| view! {
                    <dd class="muted" data-testid="token-claim">"Amounts in the token's units: its symbol and decimals are what its contract says about itself."</dd>
                })}
            }
            .into_any()
        }
        None => {
            let selector =
                alloy_primitives::hex::encode_prefixed(&call.data[..call.data.len().min(4)]);
            view! {
                <dt>"Function"</dt><dd><code data-testid="call-function">{format!("{selector} (unknown)")}</code></dd>
            }
            .into_any()
        }
    })
}

/// A session's rules, one line each, and the dapp's own words.
pub(crate) fn session_rules(session: &sso_wallet::protocol::SessionView) -> impl IntoView + use<> {
    let lines = session
        .permissions
        .iter()
        .map(|line| view! { <li data-testid="session-permission">{line.clone()}</li> })
        .collect::<Vec<_>>();
    let remaining = session
        .remaining
        .iter()
        .map(|line| view! { <li data-testid="session-remaining">{line.clone()}</li> })
        .collect::<Vec<_>>();
    view! {
        <div class="label">"The session may"</div>
        <ul class="rules">{lines}</ul>
        {(!remaining.is_empty()).then(|| view! {
            <div class="label">"Left"</div>
            <ul class="rules">{remaining}</ul>
        })}
        {session.justification.clone().map(|j| view! {
            <p class="muted" data-testid="session-justification">{format!("The site says: \u{201c}{j}\u{201d}")}</p>
        })}
    }
}

/// Warnings, most important first as the wallet produced them.
pub(crate) fn warnings_view(warnings: &[String]) -> impl IntoView + use<> {
    warnings
        .iter()
        .map(|w| view! { <p class="warning" role="alert" data-testid="warning">{w.clone()}</p> })
        .collect::<Vec<_>>()
}
