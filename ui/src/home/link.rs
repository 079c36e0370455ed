//! A passkey for an account another browser holds (`sso_wallet::passkey_link`): in a browser
//! without an account, create a passkey here for that account and show its code; in the browser
//! that holds the account, add a passkey from such a code (Settings → Passkeys). Each browser's
//! wallet signs for its own origin, so an account is usable in a second browser only once it
//! has a passkey of that browser.

use std::str::FromStr;

use alloy_primitives::Address;
use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{UiRequest, UiResponse};

use super::Page;
use crate::{bridge, flows};

/// In a browser without an account: the account's address, a new passkey of this browser, and
/// the code to take to the browser that holds the account.
pub(super) fn from_another_browser(page: Page) -> impl IntoView {
    let address = RwSignal::new(String::new());
    let code = RwSignal::new(None::<String>);
    let create = move |_| {
        let Ok(account) = Address::from_str(address.get_untracked().trim()) else {
            page.error.set(Some(
                "Enter the account's address as the other browser shows it (0x…).".into(),
            ));
            return;
        };
        page.busy.set(Some("Creating a passkey for this browser…"));
        page.error.set(None);
        spawn_local(async move {
            match code_for(account).await {
                Ok(made) => code.set(Some(made)),
                Err(message) => page.error.set(Some(message)),
            }
            page.busy.set(None);
        });
    };
    view! {
        <details data-testid="link">
            <summary>"My account is in another browser"</summary>
            <p class="muted">"Each browser's wallet needs a passkey of its own on the account. Create one here, then add its code in the other browser (Settings → Passkeys → Add a passkey from another browser) and come back to log in."</p>
            <label>"Account address "<input data-testid="link-account" placeholder="0x…" bind:value=address/></label>
            <button class="secondary" data-testid="link-create" disabled=move || page.busy() on:click=create>"Create a passkey for this account"</button>
            {move || code.get().map(|made| {
                let copied = made.clone();
                view! {
                    <label>"Code for the other browser"
                        <textarea data-testid="link-code" readonly rows="4">{made}</textarea>
                    </label>
                    <button class="secondary small" data-testid="link-copy" on:click=move |_| page.copy(copied.clone(), "Code")>"Copy"</button>
                    <p class="muted">"Once it is added there, use “I already have an account” here with this passkey."</p>
                }
            })}
        </details>
    }
}

/// Creates the passkey, has it sign its registration challenge for `account`, and returns the
/// code.
async fn code_for(account: Address) -> Result<String, String> {
    let (attestation_object, assertion) = flows::new_passkey_for(account).await?;
    match bridge::request(UiRequest::LinkPasskey {
        account,
        attestation_object,
        assertion,
    })
    .await
    {
        UiResponse::PasskeyCode { code } => Ok(code),
        other => Err(flows::error_text(other)),
    }
}

/// In the browser that holds the account: add a passkey from another browser's code (the
/// approval window shows where it comes from).
pub(super) fn add_from_code(page: Page) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let add = move |_| {
        page.ask(
            "Checking the code…",
            "Confirm in the approval window with a passkey the account already has.",
            UiRequest::AddLinkedPasskey {
                code: code.get_untracked(),
            },
        );
    };
    view! {
        <details data-testid="link-add-section">
            <summary>"Add a passkey from another browser"</summary>
            <p class="muted">"Paste the code the other browser's SSO Wallet showed (“My account is in another browser”). The passkey it names will control this account."</p>
            <textarea data-testid="link-paste" rows="4" bind:value=code></textarea>
            <button class="secondary" data-testid="link-add" disabled=move || page.busy() on:click=add>"Add this passkey"</button>
        </details>
    }
}
