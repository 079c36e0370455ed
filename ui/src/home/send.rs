//! Send: ETH or a listed ERC-20 to an address the user types. The address is checked here
//! (EIP-55 checksum when written in mixed case, not the account itself); the background checks
//! it again with the amount and opens the approval window, where the passkey signs it like any
//! transaction.

use alloy_primitives::Address;
use leptos::prelude::*;

use sso_wallet::protocol::{HomeView, UiRequest};

use super::Page;

/// The recipient as typed: a mixed-case address must carry a valid EIP-55 checksum (a typo in it
/// is caught), an all-lowercase or all-uppercase one is taken as is.
pub(super) fn parse_recipient(text: &str, account: Address) -> Result<Address, String> {
    let text = text.trim();
    let hex = text.strip_prefix("0x").unwrap_or(text);
    let mixed =
        hex.chars().any(|c| c.is_ascii_lowercase()) && hex.chars().any(|c| c.is_ascii_uppercase());
    let to = if mixed {
        Address::parse_checksummed(text, None).map_err(|_| {
            "That address's checksum does not match: check it for a typo.".to_owned()
        })?
    } else {
        text.parse::<Address>().map_err(|_| {
            "Enter the recipient's address (0x followed by 40 hex digits).".to_owned()
        })?
    };
    if to == account {
        return Err("That is this account's own address.".into());
    }
    Ok(to)
}

pub(super) fn send_view(page: Page, home: &HomeView, account: Address) -> impl IntoView + use<> {
    let open = RwSignal::new(false);
    let to = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let asset = RwSignal::new(String::new());
    let options = home
        .tokens
        .iter()
        .filter(|t| t.token_id.is_none())
        .map(|t| view! { <option value=t.address.to_string()>{t.symbol.clone()}</option> })
        .collect::<Vec<_>>();
    let review = move |_| {
        let recipient = match parse_recipient(&to.get_untracked(), account) {
            Ok(recipient) => recipient,
            Err(message) => return page.error.set(Some(message)),
        };
        let token = asset.get_untracked().parse::<Address>().ok();
        page.ask(
            "Preparing the transaction…",
            "Review and approve it in the window that opened.",
            UiRequest::Send {
                to: recipient,
                token,
                amount: amount.get_untracked(),
            },
        );
    };
    view! {
        <button class="secondary small" data-testid="send" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>"Send"</button>
        <div class="form" data-testid="send-panel" hidden=move || !open.get()>
            <select data-testid="send-asset" aria-label="Asset" on:change=move |e| asset.set(event_target_value(&e))>
                <option value="" selected=true>"ETH"</option>
                {options}
            </select>
            <input data-testid="send-to" aria-label="Recipient" placeholder="Recipient address (0x…)" bind:value=to/>
            <input data-testid="send-amount" aria-label="Amount" placeholder="Amount (e.g. 0.5)" inputmode="decimal" bind:value=amount/>
            <button data-testid="send-review" disabled=move || page.busy() on:click=review>"Review and approve"</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn recipients_as_typed() {
        let me = address!("00000000000000000000000000000000000000aa");
        let checksummed = "0x52908400098527886E0F7030069857D2E4169EE7";
        assert_eq!(
            parse_recipient(checksummed, me).unwrap().to_checksum(None),
            checksummed
        );
        assert!(
            parse_recipient(&checksummed.to_lowercase(), me).is_ok(),
            "no checksum to check"
        );
        let typo = "0x52908400098527886E0F7030069857D2E4169Ee7";
        assert!(parse_recipient(typo, me).unwrap_err().contains("checksum"));
        assert!(parse_recipient("0x1234", me).is_err());
        assert!(
            parse_recipient(&me.to_string(), me)
                .unwrap_err()
                .contains("own address")
        );
    }
}
