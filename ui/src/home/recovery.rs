//! Recovery with guardians (`sso_wallet::guardian_recovery`) on the home page:
//!
//! - the Recovery tab: the account's guardians, threshold and delay (set them; the passkey
//!   approves), the account's address to give to someone who wants it as their guardian, and
//!   *Approve a recovery* from a request another user shares;
//! - the alert above every tab while a recovery of the account is pending, with *Cancel
//!   recovery*;
//! - in onboarding, *Recover my account*: a new passkey here, the request to share, the guardians'
//!   approvals and the delay as they come, EOA guardians' signatures pasted, and *Finalize*.

use std::str::FromStr;

use alloy_primitives::Address;
use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::guardian_recovery::{DEFAULT_DELAY_SECS, Setup};
use sso_wallet::protocol::{
    RecoveringView, RecoveryAlert, RecoveryCodeView, RecoveryView, UiRequest, UiResponse,
};
use sso_wallet::session::describe::{format_relative, format_utc};

use super::Page;
use crate::{bridge, flows};

/// "1 of 2 approvals" and when it can be finalized.
fn progress(approvals: usize, threshold: u8, ready_at: Option<u64>, now: u64) -> String {
    let count = format!("{approvals} of {threshold} approvals");
    match ready_at {
        None => count,
        Some(at) if at <= now => format!("{count}; can be finalized now"),
        Some(at) => format!(
            "{count}; can be finalized {} ({})",
            format_relative(at, now),
            format_utc(at)
        ),
    }
}

/// The alert above every tab while a recovery of the account is pending.
pub(super) fn alert_view(page: Page, alert: RecoveryAlert) -> impl IntoView {
    let now = alert.now;
    let requests = alert
        .requests
        .iter()
        .map(|r| {
            view! {
                <li data-testid="recovery-alert-request">
                    "A new passkey made in "<b>{r.browser.clone()}</b>" (fingerprint "
                    <code data-testid="recovery-alert-fingerprint">{r.fingerprint.clone()}</code>"): "
                    <span data-testid="recovery-alert-progress">{progress(r.approved_by.len(), alert.threshold, r.ready_at, now)}</span>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let chain_id = alert.chain_id;
    let cancel = move |_| {
        page.ask(
            "Preparing the cancel…",
            "Confirm the cancel in the approval window.",
            UiRequest::CancelRecovery { chain_id },
        )
    };
    let more =
        (alert.more > 0).then(|| view! { <li>{format!("…and {} more requests", alert.more)}</li> });
    view! {
        <section class="alert" role="alert" data-testid="recovery-alert">
            <h1>"Someone is recovering this account"</h1>
            <p>{format!("On {}, the account's guardians are approving a new passkey for it. When enough approve and the delay passes, that passkey will control the account.", alert.network)}</p>
            <ul>{requests}{more}</ul>
            <p>"If you did not ask for this, cancel it now: your passkey still controls the account."</p>
            <button class="primary danger" data-testid="recovery-cancel" disabled=move || page.busy() on:click=cancel>"Cancel recovery"</button>
        </section>
    }
}

/// The Recovery tab.
pub(super) fn recovery_tab(page: Page) -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<RecoveryView, String>>);
    spawn_local(async move {
        loaded.set(Some(match bridge::request(UiRequest::GetRecovery).await {
            UiResponse::Recovery { recovery } => Ok(*recovery),
            other => Err(flows::error_text(other)),
        }));
    });
    move || {
        loaded.get().map(|loaded| match loaded {
            Err(message) => {
                view! { <p class="error" data-testid="recovery-error">{message}</p> }.into_any()
            }
            Ok(view) => view! {
                {guardians_view(page, &view)}
                {my_address(page, view.account)}
                {approve_view(page)}
            }
            .into_any(),
        })
    }
}

/// The account's guardians, and the form that sets them.
fn guardians_view(page: Page, view: &RecoveryView) -> impl IntoView + use<> {
    if let Some(why) = view.unavailable.clone() {
        return view! {
            <section data-testid="recovery-setup">
                <h1>"Recovery"</h1>
                <p class="muted" data-testid="recovery-unavailable">{why}</p>
            </section>
        }
        .into_any();
    }
    let current = match &view.setup {
        None => view! {
            <p data-testid="recovery-off">"No guardians yet: if you lose every passkey of this account, nobody can give it back to you."</p>
        }
        .into_any(),
        Some(setup) => {
            let guardians = setup
                .guardians
                .iter()
                .map(|g| view! { <li><code data-testid="recovery-guardian">{g.to_checksum(None)}</code></li> })
                .collect::<Vec<_>>();
            view! {
                <p data-testid="recovery-summary">{format!(
                    "{} of these {} guardians must approve a new passkey; it then waits {} hours, during which any of your passkeys can cancel.",
                    setup.threshold,
                    setup.guardians.len(),
                    setup.delay_secs / 3600
                )}</p>
                <ul>{guardians}</ul>
            }
            .into_any()
        }
    };
    let existing = view.setup.clone();
    let guardians = RwSignal::new(
        existing
            .as_ref()
            .map(|s| {
                s.guardians
                    .iter()
                    .map(|g| g.to_checksum(None))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
    );
    let threshold = RwSignal::new(
        existing
            .as_ref()
            .map_or("1".to_owned(), |s| s.threshold.to_string()),
    );
    let hours = RwSignal::new(
        existing
            .as_ref()
            .map_or(DEFAULT_DELAY_SECS, |s| s.delay_secs)
            .div_euclid(3600)
            .to_string(),
    );
    let save = move |_| {
        let read = || -> Result<Setup, String> {
            let guardians = guardians
                .get_untracked()
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Address::from_str(s)
                        .map_err(|_| format!("“{s}” is not an address (0x and 40 hex digits)."))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let threshold = threshold
                .get_untracked()
                .trim()
                .parse::<u8>()
                .map_err(|_| "The number of approvals needed is not a number.".to_owned())?;
            let hours = hours
                .get_untracked()
                .trim()
                .parse::<u64>()
                .map_err(|_| "The delay is not a number of hours.".to_owned())?;
            Ok(Setup {
                guardians,
                threshold,
                delay_secs: hours.saturating_mul(3600),
                // The wallet sets the fee cap from the network's fees when it prepares the change.
                max_recovery_fee: Default::default(),
            })
        };
        match read() {
            Ok(setup) => page.ask(
                "Preparing…",
                "Confirm the guardians in the approval window.",
                UiRequest::SetGuardians { setup },
            ),
            Err(message) => page.error.set(Some(message)),
        }
    };
    view! {
        <section data-testid="recovery-setup">
            <h1>"Recovery"</h1>
            {current}
            <p class="muted">"Guardians are people you trust — their SSO Wallet accounts, or any Ethereum address. If you lose every passkey, enough of them can approve a new one; nobody else can, and no server is involved. Guardians cannot move your assets."</p>
            <div class="form">
                <label>"Guardians (one address per line)"
                    <textarea data-testid="recovery-guardians" rows="3" bind:value=guardians></textarea>
                </label>
                <label>"Approvals needed "<input data-testid="recovery-threshold" inputmode="numeric" bind:value=threshold/></label>
                <label>"Delay before a recovery completes (hours, 24 to 2160) "<input data-testid="recovery-delay-hours" inputmode="numeric" bind:value=hours/></label>
                <button class="primary" data-testid="recovery-save" disabled=move || page.busy() on:click=save>"Save guardians"</button>
            </div>
        </section>
    }
    .into_any()
}

/// The account's address, for someone who wants this account as their guardian.
fn my_address(page: Page, account: Address) -> impl IntoView {
    let text = account.to_checksum(None);
    let copied = text.clone();
    view! {
        <section data-testid="recovery-be-guardian">
            <div class="label">"Be someone's guardian"</div>
            <p class="muted">"Give them this address: they add it as a guardian in their SSO Wallet (or any wallet with guardians)."</p>
            <code class="address" data-testid="recovery-my-address">{text}</code>
            <button class="secondary small" data-testid="recovery-copy-address" on:click=move |_| page.copy(copied.clone(), "Address")>"Copy"</button>
        </section>
    }
}

/// A guardian approves another account's recovery from the request its user shared.
fn approve_view(page: Page) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let read = RwSignal::new(None::<RecoveryCodeView>);
    let check = move |_| {
        page.error.set(None);
        spawn_local(async move {
            match bridge::request(UiRequest::ReadRecoveryCode {
                code: code.get_untracked(),
            })
            .await
            {
                UiResponse::RecoveryCode { request } => read.set(Some(*request)),
                other => {
                    read.set(None);
                    page.error.set(Some(flows::error_text(other)));
                }
            }
        });
    };
    let approve = move |_| {
        page.ask(
            "Preparing your approval…",
            "Confirm your approval in the approval window.",
            UiRequest::ApproveRecovery {
                code: code.get_untracked(),
            },
        )
    };
    let details = move || {
        read.get().map(|r| {
            let can = r.problem.is_none() && !r.approved;
            view! {
                <dl data-testid="recovery-request">
                    <dt>"Account"</dt><dd><code data-testid="recovery-request-account">{r.account.to_checksum(None)}</code></dd>
                    <dt>"Network"</dt><dd>{r.network.clone()}</dd>
                    <dt>"New passkey"</dt><dd>"fingerprint "<code data-testid="recovery-request-fingerprint">{r.fingerprint.clone()}</code>", made in "{r.browser.clone()}</dd>
                    <dt>"Who asks"</dt><dd data-testid="recovery-request-name">{if r.name.is_empty() { "(no name given)".to_owned() } else { format!("“{}”, in their own words", r.name) }}</dd>
                </dl>
                <p class="muted">"Approve only if the person who owns this account asked you, and the fingerprint they read to you is the one above. Once enough guardians approve and the delay passes, this passkey controls the account."</p>
                {r.problem.clone().map(|p| view! { <p class="error" data-testid="recovery-request-problem">{p}</p> })}
                {r.approved.then(|| view! { <p class="status" data-testid="recovery-request-approved">"You approved this request."</p> })}
                {can.then(|| view! {
                    <button class="primary" data-testid="recovery-approve" disabled=move || page.busy() on:click=approve>"Approve this recovery"</button>
                })}
            }
        })
    };
    view! {
        <section data-testid="recovery-approve-section">
            <div class="label">"Approve a recovery"</div>
            <p class="muted">"If you are someone's guardian and they lost their passkeys, paste the request they sent you."</p>
            <textarea data-testid="recovery-code-paste" rows="4" bind:value=code></textarea>
            <button class="secondary" data-testid="recovery-code-read" disabled=move || page.busy() on:click=check>"Read the request"</button>
            {details}
        </section>
    }
}

/// Onboarding: recover an account with its guardians (in a browser without an account).
pub(super) fn recover_view(page: Page) -> impl IntoView {
    let state = RwSignal::new(None::<RecoveringView>);
    let refresh = move || {
        spawn_local(async move {
            match bridge::request(UiRequest::GetRecovering).await {
                UiResponse::Recovering { recovering } => state.set(recovering.map(|r| *r)),
                other => page.error.set(Some(flows::error_text(other))),
            }
        });
    };
    refresh();
    let answer = move |response: UiResponse| match response {
        UiResponse::Recovering { recovering } => {
            state.set(recovering.map(|r| *r));
            page.busy.set(None);
        }
        other => page.fail(other),
    };
    let account = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let start = move |_| {
        let Ok(address) = Address::from_str(account.get_untracked().trim()) else {
            page.error.set(Some(
                "Enter the account's address (0x…): your guardians or an old receipt have it."
                    .into(),
            ));
            return;
        };
        page.busy.set(Some("Creating a passkey for this browser…"));
        page.error.set(None);
        spawn_local(async move {
            match start_recovery(address, name.get_untracked()).await {
                Ok(response) => answer(response),
                Err(message) => page.fail(UiResponse::Error { message }),
            }
        });
    };
    let signature = RwSignal::new(String::new());
    let send = move |label: &'static str, request: UiRequest| {
        page.busy.set(Some(label));
        page.error.set(None);
        spawn_local(async move { answer(bridge::request(request).await) });
    };
    let finalize = move |_| {
        page.run(
            "Finalizing the recovery…",
            "Recovered: this passkey now controls your account.",
            async move { Ok(bridge::request(UiRequest::FinalizeRecovery).await) },
        )
    };
    let abandon = move |_| {
        page.busy.set(Some("Abandoning…"));
        spawn_local(async move {
            match bridge::request(UiRequest::AbandonRecovery).await {
                UiResponse::Error { message } => page.fail(UiResponse::Error { message }),
                _ => {
                    state.set(None);
                    page.busy.set(None);
                }
            }
        });
    };
    let status = move |r: RecoveringView| {
        let copied = r.code.clone();
        view! {
            <div data-testid="recover-status">
                <p>"Recovering "<code data-testid="recover-account-shown">{r.account.to_checksum(None)}</code>{format!(" on {}.", r.network)}</p>
                <p>"Send this request to your guardians, and read them this fingerprint when they ask: "
                    <code data-testid="recover-fingerprint">{r.fingerprint.clone()}</code></p>
                <textarea data-testid="recover-code" readonly rows="4">{r.code.clone()}</textarea>
                <button class="secondary small" data-testid="recover-copy" on:click=move |_| page.copy(copied.clone(), "Request")>"Copy"</button>
                {r.void.then(|| view! { <p class="error" data-testid="recover-void">"This request no longer counts: the account's owner cancelled it, or its guardians changed. Abandon it and start again."</p> })}
                <p data-testid="recover-progress">{progress(r.approved_by.len(), r.threshold, r.ready_at, r.now)}</p>
                <details data-testid="recover-eoa">
                    <summary>"A guardian signs with another wallet"</summary>
                    <p class="muted">"A guardian that is a plain Ethereum address signs this typed data (eth_signTypedData_v4) in any wallet and sends you the signature; paste it here, then submit."</p>
                    <textarea data-testid="recover-typed-data" readonly rows="6">{r.typed_data.clone()}</textarea>
                    <label>"Signature "<input data-testid="recover-signature" placeholder="0x…" bind:value=signature/></label>
                    <button class="secondary" data-testid="recover-add-signature" disabled=move || page.busy()
                        on:click=move |_| send("Checking the signature…", UiRequest::AddGuardianSignature { signature: signature.get_untracked() })>"Add signature"</button>
                    {(!r.signed_by.is_empty()).then(|| view! {
                        <p data-testid="recover-signed">{format!("{} signature(s) to submit.", r.signed_by.len())}</p>
                        <button class="primary" data-testid="recover-submit" disabled=move || page.busy()
                            on:click=move |_| send("Submitting the approvals…", UiRequest::SubmitApprovals)>"Submit approvals"</button>
                    })}
                </details>
                <button class="secondary" data-testid="recover-refresh" disabled=move || page.busy() on:click=move |_| refresh()>"Check again"</button>
                <button class="primary" data-testid="recover-finalize" disabled=move || page.busy() on:click=finalize>"Finalize recovery"</button>
                <button class="secondary small" data-testid="recover-abandon" disabled=move || page.busy() on:click=abandon>"Abandon"</button>
            </div>
        }
    };
    view! {
        <details data-testid="recover" open=move || state.get().is_some()>
            <summary>"Recover my account"</summary>
            {move || match state.get() {
                Some(r) => status(r).into_any(),
                None => view! {
                    <p class="muted">"Lost every passkey? If you set guardians, they can give your account a new passkey made here. Nobody else can."</p>
                    <label>"Account address "<input data-testid="recover-account" placeholder="0x…" bind:value=account/></label>
                    <label>"Your name, for your guardians "<input data-testid="recover-name" maxlength="64" bind:value=name/></label>
                    <button class="secondary" data-testid="recover-start" disabled=move || page.busy() on:click=start>"Create a passkey and ask my guardians"</button>
                }
                .into_any(),
            }}
        </details>
    }
}

/// Creates the passkey, has it sign its registration challenge for `account`, and starts the
/// recovery.
async fn start_recovery(account: Address, name: String) -> Result<UiResponse, String> {
    let (attestation_object, assertion) = flows::new_passkey_for(account).await?;
    Ok(bridge::request(UiRequest::StartRecovery {
        account,
        attestation_object,
        assertion,
        name,
    })
    .await)
}
