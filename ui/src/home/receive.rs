//! Receive: the account's address to copy, as a QR code drawn here (no network, `qrcodegen`), the
//! network it is shown for, and the warning that the account exists only where SSO Wallet's
//! contracts are deployed.

use alloy_primitives::Address;
use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of white border around the code (the QR standard's quiet zone).
const QUIET_ZONE: i32 = 4;

/// The QR code of `text` as an SVG path of its dark modules, one unit each, offset by the quiet
/// zone; with the side of the whole image in units. `None` if the text does not fit a QR code.
pub(super) fn qr_path(text: &str) -> Option<(i32, String)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE));
            }
        }
    }
    Some((size + 2 * QUIET_ZONE, path))
}

pub(super) fn receive_view(address: Address, network_name: String) -> impl IntoView + use<> {
    let open = RwSignal::new(false);
    let text = address.to_checksum(None);
    let qr = qr_path(&text);
    let panel = move || {
        let qr = qr.clone().map(|(side, path)| {
            view! {
                <svg class="qr" data-testid="receive-qr" viewBox=format!("0 0 {side} {side}") width="200" height="200"
                    shape-rendering="crispEdges" role="img" aria-label=format!("QR code of {text}")>
                    <rect width="100%" height="100%" fill="#fff"/>
                    <path d=path fill="#000"/>
                </svg>
            }
        });
        open.get().then(|| view! {
            <div class="receive" data-testid="receive-panel">
                <p data-testid="receive-network">{format!("Your address on {network_name}")}</p>
                {qr}
                <code class="address" data-testid="receive-address">{text.clone()}</code>
                <p class="warning" data-testid="receive-warning">
                    "Receive only on networks where SSO Wallet's contracts are deployed. Your account has this same address on each of them; on any other network nothing can move what is sent to it."
                </p>
            </div>
        })
    };
    view! {
        <button class="secondary small" data-testid="receive" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>"Receive"</button>
        {panel}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_code_of_an_address() {
        let address = "0x52908400098527886E0F7030069857D2E4169EE7";
        let (side, path) = qr_path(address).unwrap();
        // 42 characters at level M need version 3 (29 modules), plus the quiet zones.
        assert_eq!(side, 29 + 8);
        // The three finder patterns' top-left corners are dark, inside the quiet zone.
        for (x, y) in [(4, 4), (4 + 22, 4), (4, 4 + 22)] {
            assert!(
                path.contains(&format!("M{x},{y}h1v1h-1z")),
                "finder at {x},{y}"
            );
        }
        assert!(!path.contains("M0,0"), "the quiet zone stays white");
    }
}
