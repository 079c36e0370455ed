//! Recovery with guardians in the approval window: setting the account's guardians, cancelling
//! a pending recovery, approving another account's recovery as its guardian; and the alert every
//! window shows while a recovery of this account is pending.

use leptos::prelude::*;

use sso_wallet::guardian_recovery::{MAX_RECOVERY_OPS, RecoveryChange, browser_of};
use sso_wallet::protocol::{RecoveryAlert, UiRequest};
use sso_wallet::units::Readable;

use super::Ui;
use crate::bridge;

/// What the window shows of a recovery change, and its button's label.
pub(super) fn change(change: &RecoveryChange) -> (AnyView, &'static str) {
    match change {
        RecoveryChange::Setup { setup, install } => {
            let guardians = setup
                .guardians
                .iter()
                .map(|g| view! { <li><code class="data" data-testid="recovery-setup-guardian">{g.to_checksum(None)}</code></li> })
                .collect::<Vec<_>>();
            (
                view! {
                    <h1 data-testid="recovery-title">"Set your recovery guardians?"</h1>
                    <p data-testid="recovery-setup-summary">{format!(
                        "If you lose every passkey, {} of these {} guardians can together give your account a new passkey. It then waits {} hours, during which any of your passkeys can cancel it. Guardians cannot move your assets, and colluding guardians can take the account only if you do not cancel in time.",
                        setup.threshold,
                        setup.guardians.len(),
                        setup.delay_secs / 3600
                    )}</p>
                    <p class="muted" data-testid="recovery-fee-cap">{format!(
                        "A recovery's steps are paid by the account (unless a sponsor pays): at most {} each, at most {} per recovery — ten times today's fees.",
                        Readable::ether(setup.max_recovery_fee).short,
                        MAX_RECOVERY_OPS
                    )}</p>
                    <ul>{guardians}</ul>
                    {install.then(|| view! { <p class="muted" data-testid="recovery-install">"This installs SSO Wallet's recovery module on your account."</p> })}
                }
                .into_any(),
                "Save with passkey",
            )
        }
        RecoveryChange::Cancel => (
            view! {
                <h1 data-testid="recovery-title">"Cancel the recovery?"</h1>
                <p>"Every pending recovery of your account stops: the guardians' approvals so far no longer count, and the new passkey gains no control."</p>
            }
            .into_any(),
            "Cancel recovery with passkey",
        ),
        RecoveryChange::Approve {
            account,
            fingerprint,
            name,
            origin,
        } => (
            view! {
                <h1 data-testid="recovery-title">"Approve this recovery as a guardian?"</h1>
                <p class="warning">"Approve only if the owner of this account asked you themselves and read you this fingerprint. Once enough guardians approve and the delay passes, the new passkey controls their account."</p>
                <dl>
                    <dt>"Account"</dt><dd><code class="data" data-testid="recovery-approve-account">{account.to_checksum(None)}</code></dd>
                    <dt>"New passkey"</dt><dd>"fingerprint "<code data-testid="recovery-approve-fingerprint">{fingerprint.clone()}</code>", made in "{browser_of(origin)}</dd>
                    <dt>"Who asks"</dt><dd>{if name.is_empty() { "(no name given)".to_owned() } else { format!("“{name}”, in their own words") }}</dd>
                </dl>
            }
            .into_any(),
            "Approve with passkey",
        ),
    }
}

/// The alert every approval window shows while a recovery of the account is pending, with
/// *Cancel recovery*: its approval goes before everything waiting, so it is the next shown.
pub(super) fn alert(ui: Ui, alert: &RecoveryAlert) -> impl IntoView + use<> {
    let chain_id = alert.chain_id;
    let fingerprints = alert
        .requests
        .iter()
        .map(|r| format!("{} ({})", r.fingerprint, r.browser))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="alert" role="alert" data-testid="recovery-alert">
            <b>"Someone is recovering this account. "</b>
            {format!("On {}, guardians are approving a new passkey ({fingerprints}). If you did not ask for this, cancel it now: your passkey still controls the account.", alert.network)}
            <button class="primary danger" data-testid="recovery-cancel" disabled=move || ui.busy()
                on:click=move |_| ui.run("Preparing the cancel…", async move { Ok(bridge::request(UiRequest::CancelRecovery { chain_id }).await) })>"Cancel recovery"</button>
        </section>
    }
}
