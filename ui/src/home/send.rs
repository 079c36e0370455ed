//! Send: ETH or a listed ERC-20 to an address the user types. The address is checked here
//! (EIP-55 checksum when written in mixed case, not the account itself) and noted as the
//! background finds it (new to this account, a contract, nothing there on this network); "Max"
//! fills in all of it (ETH less the most the fee can be); the background checks it all again
//! and opens the approval window, where the passkey signs it like any transaction.

use alloy_primitives::Address;
use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{HomeView, UiRequest, UiResponse};
use sso_wallet::send::{RecipientNote, SendAmount};
use sso_wallet::units::Readable;

use super::Page;
use crate::bridge;

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
    // "Max": the amount field shows what it would send now; the background reads it again
    // when it prepares the send (the fee can move meanwhile). Typing an amount ends it.
    let max = RwSignal::new(None::<Option<Readable>>);
    let notes = RwSignal::new(Vec::<RecipientNote>::new());
    // The recipient the notes are about (`data-checked`, once the background answered).
    let checked = RwSignal::new(None::<Address>);
    let network = home
        .networks
        .iter()
        .find(|n| n.network.chain_id == home.chain_id)
        .map(|n| n.network.name.clone())
        .unwrap_or_default();
    let options = home
        .tokens
        .iter()
        .filter(|t| t.token_id.is_none())
        .map(|t| view! { <option value=t.address.to_string()>{t.symbol.clone()}</option> })
        .collect::<Vec<_>>();
    let token = move || asset.get_untracked().parse::<Address>().ok();
    // The recipient's notes, asked again whenever the field holds a whole address.
    Effect::new(move |_| {
        let typed = to.get();
        notes.set(Vec::new());
        checked.set(None);
        let Ok(recipient) = parse_recipient(&typed, account) else {
            return;
        };
        spawn_local(async move {
            if let UiResponse::Recipient { notes: found } =
                bridge::request(UiRequest::CheckRecipient { to: recipient }).await
                && parse_recipient(&to.get_untracked(), account) == Ok(recipient)
            {
                notes.set(found);
                checked.set(Some(recipient));
            }
        });
    });
    let fill_max = move |_| {
        let recipient = parse_recipient(&to.get_untracked(), account).ok();
        page.busy.set(Some("Working out the most you can send…"));
        page.error.set(None);
        spawn_local(async move {
            match bridge::request(UiRequest::SendMax {
                to: recipient,
                token: token(),
            })
            .await
            {
                UiResponse::SendMax { amount: all, fee } => {
                    page.busy.set(None);
                    amount.set(all);
                    max.set(Some(fee));
                }
                other => page.fail(other),
            }
        });
    };
    let review = move |_| {
        let recipient = match parse_recipient(&to.get_untracked(), account) {
            Ok(recipient) => recipient,
            Err(message) => return page.error.set(Some(message)),
        };
        let how_much = match max.get_untracked() {
            Some(_) => SendAmount::Max,
            None => SendAmount::Exact(amount.get_untracked()),
        };
        page.ask(
            "Preparing the transaction…",
            "Review and approve it in the window that opened.",
            UiRequest::Send {
                to: recipient,
                token: token(),
                amount: how_much,
            },
        );
    };
    let note_views = move || {
        let network = network.clone();
        notes
            .get()
            .into_iter()
            .map(|note| {
                let class = if note == RecipientNote::New { "note" } else { "warning" };
                view! { <p class=class data-testid="send-recipient-note" data-note=note.as_str()>{note.text(&network)}</p> }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <button class="secondary small" data-testid="send" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>"Send"</button>
        <div class="form" data-testid="send-panel" hidden=move || !open.get()>
            <select data-testid="send-asset" aria-label="Asset" on:change=move |e| {
                asset.set(event_target_value(&e));
                if max.get_untracked().is_some() {
                    max.set(None);
                    amount.set(String::new());
                }
            }>
                <option value="" selected=true>"ETH"</option>
                {options}
            </select>
            <input data-testid="send-to" aria-label="Recipient" placeholder="Recipient address (0x…)" bind:value=to
                data-checked=move || checked.get().map(|a| a.to_checksum(None))/>
            {note_views}
            <div class="row">
                <input data-testid="send-amount" aria-label="Amount" placeholder="Amount (e.g. 0.5)" inputmode="decimal"
                    prop:value=move || amount.get()
                    on:input=move |e| {
                        amount.set(event_target_value(&e));
                        max.set(None);
                    }/>
                <button class="secondary small" data-testid="send-max" disabled=move || page.busy() on:click=fill_max>"Max"</button>
            </div>
            {move || max.get().map(|fee| view! {
                <p class="note" data-testid="send-max-note">{match fee {
                    Some(fee) => format!("All of it, less at most {} for the network fee (what the fee does not use comes back). The amount is worked out again when you review.", fee.short),
                    None => "All of it. The network fee is paid in ETH.".to_owned(),
                }}</p>
            })}
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
