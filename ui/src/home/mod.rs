//! The wallet's home page (`home.html`, the toolbar popup). Without an account it onboards
//! (create a passkey, log in with one from another device, or make a passkey for an account
//! another browser holds — [`link`]); while locked it only offers to unlock. Otherwise, one view per tab ([`tabs`]):
//!
//! - Account: address (copy), Send, Receive, network switcher, native balance, deployed or not,
//!   tokens (add an ERC-20 by address, remove; NFTs a site suggested);
//! - Activity: every UserOperation sent (time, site, what it did, status, explorer links);
//!   `wallet_showCallsStatus` opens `home.html?calls=<id>`, which highlights that batch;
//! - Sessions: site, expiry, rules, what is left, Revoke (erases the key at once and opens the
//!   passkey approval that closes it on chain);
//! - Recovery: the account's guardians (set them), its address for those who want it as their
//!   guardian, and approving another account's recovery; while a recovery of the account is
//!   pending, an alert with *Cancel recovery* stands above every tab;
//! - Settings: connected sites (disconnect), passkeys (add, add another browser's from its code,
//!   remove — never the last), the
//!   account's ERC-7579 modules (install, uninstall), networks (add, edit, remove the ones the
//!   user added) and the lock.
//!
//! One file per section: [`account`], [`send`], [`receive`], [`sites`], [`passkeys`], [`link`], [`modules`],
//! [`sessions`], [`activity`], [`recovery`] (also onboarding's *Recover my account*), [`settings`];
//! this file holds the page's state and the parts around them.

mod account;
mod activity;
mod link;
mod modules;
mod passkeys;
mod receive;
mod recovery;
mod send;
mod sessions;
mod settings;
mod sites;
mod tabs;

use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::protocol::{
    ActivityView, HomeView, PasskeyView, SessionView, UiRequest, UiResponse,
};

use crate::{bridge, flows, passkey};
use tabs::Tab;

/// The page's signals.
#[derive(Clone, Copy)]
struct Page {
    home: RwSignal<Option<HomeView>>,
    sessions: RwSignal<Option<Vec<SessionView>>>,
    activity: RwSignal<Option<Vec<ActivityView>>>,
    passkeys: RwSignal<Option<Vec<PasskeyView>>>,
    tab: RwSignal<Tab>,
    busy: RwSignal<Option<&'static str>>,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
}

impl Page {
    /// Reloads everything.
    fn load(self) {
        spawn_local(async move {
            match bridge::request(UiRequest::GetHome).await {
                UiResponse::Home { home } => {
                    let ready = home.account.is_some() && !home.locked;
                    self.home.set(Some(*home));
                    if ready {
                        self.load_lists();
                    }
                }
                other => self.fail(other),
            }
        });
    }

    fn load_lists(self) {
        spawn_local(async move {
            match bridge::request(UiRequest::ListPasskeys).await {
                UiResponse::Passkeys { passkeys } => self.passkeys.set(Some(passkeys)),
                other => self.fail(other),
            }
        });
        spawn_local(async move {
            match bridge::request(UiRequest::ListSessions).await {
                UiResponse::Sessions { sessions } => self.sessions.set(Some(sessions)),
                other => self.fail(other),
            }
        });
        spawn_local(async move {
            match bridge::request(UiRequest::ListActivity).await {
                UiResponse::Activity { items } => self.activity.set(Some(items)),
                other => self.fail(other),
            }
        });
    }

    fn fail(self, response: UiResponse) {
        self.busy.set(None);
        self.error.set(Some(match response {
            UiResponse::Error { message } => message,
            _ => "Unexpected answer from the wallet.".into(),
        }));
    }

    /// Runs an action with a busy label, then reloads; an error stays on screen.
    fn run<F>(self, label: &'static str, done: &'static str, action: F)
    where
        F: std::future::Future<Output = Result<UiResponse, String>> + 'static,
    {
        self.busy.set(Some(label));
        self.error.set(None);
        self.notice.set(None);
        spawn_local(async move {
            match action.await {
                Ok(UiResponse::Error { message }) | Err(message) => {
                    self.busy.set(None);
                    self.error.set(Some(message));
                }
                Ok(_) => {
                    self.busy.set(None);
                    if !done.is_empty() {
                        self.notice.set(Some(done.into()));
                    }
                    self.load();
                }
            }
        });
    }

    fn ask(self, label: &'static str, done: &'static str, request: UiRequest) {
        self.run(
            label,
            done,
            async move { Ok(bridge::request(request).await) },
        );
    }

    fn busy(self) -> bool {
        self.busy.get().is_some()
    }

    /// Copies `text` to the clipboard and says so (`what` names it: "Address").
    fn copy(self, text: String, what: &'static str) {
        spawn_local(async move {
            let copied = match web_sys::window() {
                Some(w) => wasm_bindgen_futures::JsFuture::from(
                    w.navigator().clipboard().write_text(&text),
                )
                .await
                .is_ok(),
                None => false,
            };
            self.notice.set(Some(if copied {
                format!("{what} copied.")
            } else {
                format!(
                    "Copy failed; select the {} to copy it.",
                    what.to_lowercase()
                )
            }));
        });
    }
}

/// The home page's root component.
#[component]
pub fn Home() -> impl IntoView {
    let page = Page {
        home: RwSignal::new(None),
        sessions: RwSignal::new(None),
        activity: RwSignal::new(None),
        passkeys: RwSignal::new(None),
        tab: RwSignal::new(Tab::from_location()),
        busy: RwSignal::new(None),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    page.load();
    tabs::follow_hash(page.tab);
    view! {
        <main class="approval home">
            <header>
                <img src="icons/icon.svg" alt="" width="28" height="28"/>
                <span class="brand">"SSO Wallet"</span>
                <button class="secondary small" data-testid="refresh-sessions" on:click=move |_| page.load()>"Refresh"</button>
            </header>
            {move || match page.home.get() {
                None => view! { <p class="muted" data-testid="loading">"Loading…"</p> }.into_any(),
                Some(home) if home.account.is_none() => onboarding(page, &home).into_any(),
                Some(home) if home.locked => locked(page).into_any(),
                Some(home) => account_page(page, home).into_any(),
            }}
            {move || page.notice.get().map(|message| view! {
                <p class="status" data-testid="notice">{message}</p>
            })}
            {move || page.error.get().map(|message| view! {
                <p class="error" role="alert" data-testid="error">{message}</p>
            })}
            {move || page.busy.get().map(|label| view! {
                <p class="status" data-testid="status">{label}</p>
            })}
        </main>
    }
}

/// The network switcher, and why the selected network cannot be used if it cannot.
fn network_picker(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let options = home
        .networks
        .iter()
        .map(|n| {
            let id = n.network.chain_id;
            view! { <option value=id.to_string() selected=id == home.chain_id>{format!("{} ({id})", n.network.name)}</option> }
        })
        .collect::<Vec<_>>();
    let select = move |ev| {
        if let Ok(chain_id) = event_target_value(&ev).parse::<u64>() {
            page.ask("Switching…", "", UiRequest::SelectNetwork { chain_id });
        }
    };
    view! {
        <div class="label">"Network"</div>
        <select data-testid="network-select" on:change=select disabled=move || page.busy()>{options}</select>
        {home.unusable.clone().map(|why| view! {
            <p class="error" role="alert" data-testid="network-unusable">{why}</p>
        })}
    }
}

fn onboarding(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let unusable = home.unusable.is_some();
    let create = move |_| {
        page.run("Creating your passkey…", "", async {
            let attestation_object = passkey::create(&[]).await?;
            Ok(bridge::request(UiRequest::CreatePasskey { attestation_object }).await)
        })
    };
    view! {
        <section data-testid="no-account">
            <h1>"Welcome to SSO Wallet"</h1>
            <p>"Your account is a smart account owned by a passkey (Face ID, fingerprint or PIN): no seed phrase."</p>
            {network_picker(page, home)}
            <button class="primary" data-testid="create-passkey" disabled=move || page.busy() || unusable on:click=create>"Create passkey"</button>
            <button class="secondary" data-testid="login" disabled=move || page.busy()
                on:click=move |_| page.run("Finding your account…", "", flows::login())>"I already have an account"</button>
            {link::from_another_browser(page)}
            {recovery::recover_view(page)}
        </section>
    }
}

fn locked(page: Page) -> impl IntoView {
    view! {
        <section data-testid="locked">
            <h1>"SSO Wallet is locked"</h1>
            <p>"Unlock with your passkey to see your account and to let sessions sign again."</p>
            <button class="primary" data-testid="unlock" disabled=move || page.busy()
                on:click=move |_| page.run("Unlocking…", "", flows::unlock())>"Unlock"</button>
        </section>
    }
}

fn account_page(page: Page, home: HomeView) -> impl IntoView {
    let address = home.account.expect("checked by the caller");
    let network = home
        .networks
        .iter()
        .find(|n| n.network.chain_id == home.chain_id);
    let network_name = network.map(|n| n.network.name.clone()).unwrap_or_default();
    let copy = move |_| page.copy(address.to_checksum(None), "Address");
    let home_alerts = home.recovery_alerts.clone();
    let unknown = home.recovery_unknown.clone();
    let panel = move || {
        let home = home.clone();
        match page.tab.get() {
            Tab::Account => view! {
                <section id="account" data-testid="account">
                    <div class="label">"Account"</div>
                    <code class="address" data-testid="home-address">{address.to_checksum(None)}</code>
                    <button class="secondary small" data-testid="copy-address" on:click=copy>"Copy"</button>
                    {send::send_view(page, &home, address)}
                    {receive::receive_view(address, network_name.clone())}
                    {network_picker(page, &home)}
                    <dl>
                        <dt>"Balance"</dt>
                        <dd>{match &home.balance {
                            Some(balance) => crate::widgets::amount_view(balance, "native-balance"),
                            None => view! { <span data-testid="native-balance">{format!("{network_name} did not answer")}</span> }.into_any(),
                        }}</dd>
                        <dt>"Deployed"</dt>
                        <dd data-testid="deployed-status">{match home.deployed {
                            Some(true) => "Yes",
                            Some(false) => "Not yet: your first transaction deploys it",
                            None => "Unknown (the node did not answer)",
                        }}</dd>
                    </dl>
                    {account::tokens_view(page, &home)}
                </section>
            }.into_any(),
            Tab::Activity => activity::activity_view(page, &home).into_any(),
            Tab::Sessions => sessions::sessions_view(page).into_any(),
            Tab::Recovery => recovery::recovery_tab(page).into_any(),
            Tab::Settings => view! {
                {sites::sites_view(page, &home)}
                {passkeys::passkeys_view(page, network_name.clone())}
                {modules::modules_view(page)}
                {settings::settings_view(page, &home)}
            }.into_any(),
        }
    };
    let alerts = home_alerts
        .into_iter()
        .map(|alert| recovery::alert_view(page, alert))
        .collect::<Vec<_>>();
    let unknown = (!unknown.is_empty()).then(|| view! {
        <p class="muted" data-testid="recovery-unknown">{format!("Could not check for a pending recovery of this account on {}: its node did not answer.", unknown.join(", "))}</p>
    });
    view! {
        {alerts}
        {unknown}
        {tabs::tab_list(page.tab)}
        <div class="panel" role="tabpanel" id="tab-panel" tabindex="0"
            aria-labelledby=move || format!("tab-{}", page.tab.get().id())
            data-testid=move || format!("panel-{}", page.tab.get().id())>{panel}</div>
    }
}
