//! The wallet's home page (`home.html`, the toolbar popup). Without an account it onboards
//! (create a passkey, or log in with one from another device); while locked it only offers to
//! unlock. Otherwise, one scrolling page with a link bar:
//!
//! - the account: address (copy), network switcher, native balance, deployed or not, tokens
//!   (add an ERC-20 by address, remove);
//! - connected sites (disconnect) and passkeys (add, remove — never the last);
//! - sessions: site, expiry, rules, what is left, Revoke (erases the key at once and opens the
//!   passkey approval that closes it on chain);
//! - activity: every UserOperation sent (time, site, what it did, status, explorer link);
//!   `wallet_showCallsStatus` opens `home.html?calls=<id>`, which highlights that batch;
//! - settings: networks (add, edit, remove the ones the user added) and the lock.

use alloy_primitives::{Address, Bytes};
use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::lock::LockSettings;
use sso_wallet::protocol::{
    ActivityView, HomeView, NetworkInput, NetworkView, PasskeyView, SessionView, UiRequest,
    UiResponse,
};

use crate::app::{is_wallet_origin, session_rules, short_id};
use crate::{bridge, flows, passkey};

/// The page's signals.
#[derive(Clone, Copy)]
struct Page {
    home: RwSignal<Option<HomeView>>,
    sessions: RwSignal<Option<Vec<SessionView>>>,
    activity: RwSignal<Option<Vec<ActivityView>>>,
    passkeys: RwSignal<Option<Vec<PasskeyView>>>,
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
}

/// The home page's root component.
#[component]
pub fn Home() -> impl IntoView {
    let page = Page {
        home: RwSignal::new(None),
        sessions: RwSignal::new(None),
        activity: RwSignal::new(None),
        passkeys: RwSignal::new(None),
        busy: RwSignal::new(None),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    page.load();
    view! {
        <main class="approval home">
            <header>
                <img src="icons/icon.svg" alt="" width="28" height="28"/>
                <span class="brand">"SSO Wallet"</span>
                <button class="secondary small" data-testid="refresh-sessions" on:click=move |_| page.load()>"Refresh"</button>
            </header>
            {move || match page.home.get() {
                None => view! { <p class="muted" data-testid="loading">"Loading…"</p> }.into_any(),
                Some(home) if home.account.is_none() => onboarding(page).into_any(),
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

fn onboarding(page: Page) -> impl IntoView {
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
            <button class="primary" data-testid="create-passkey" disabled=move || page.busy() on:click=create>"Create passkey"</button>
            <button class="secondary" data-testid="login" disabled=move || page.busy()
                on:click=move |_| page.run("Finding your account…", "", flows::login())>"I already have an account"</button>
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
    let copy = move |_| {
        let text = address.to_checksum(None);
        spawn_local(async move {
            let copied = match web_sys::window() {
                Some(w) => wasm_bindgen_futures::JsFuture::from(
                    w.navigator().clipboard().write_text(&text),
                )
                .await
                .is_ok(),
                None => false,
            };
            page.notice.set(Some(if copied {
                "Address copied.".into()
            } else {
                "Copy failed; select the address to copy it.".into()
            }));
        });
    };
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
        <nav class="links">
            <a href="#account">"Account"</a>
            <a href="#sessions" data-testid="link-sessions">"Sessions"</a>
            <a href="#activity" data-testid="link-activity">"Activity"</a>
            <a href="#settings" data-testid="link-settings">"Settings"</a>
        </nav>
        <section id="account" data-testid="account">
            <div class="label">"Account"</div>
            <code class="address" data-testid="home-address">{address.to_checksum(None)}</code>
            <button class="secondary small" data-testid="copy-address" on:click=copy>"Copy"</button>
            <div class="label">"Network"</div>
            <select data-testid="network-select" on:change=select disabled=move || page.busy()>{options}</select>
            <dl>
                <dt>"Balance"</dt>
                <dd data-testid="native-balance">{home.balance.clone().unwrap_or_else(|| format!("{network_name} did not answer"))}</dd>
                <dt>"Deployed"</dt>
                <dd data-testid="deployed-status">{match home.deployed {
                    Some(true) => "Yes",
                    Some(false) => "Not yet: your first transaction deploys it",
                    None => "Unknown (the node did not answer)",
                }}</dd>
            </dl>
            {tokens_view(page, &home)}
        </section>
        {sites_view(page, &home)}
        {passkeys_view(page, network_name.clone())}
        {sessions_view(page)}
        {activity_view(page, &home)}
        {settings_view(page, &home)}
    }
}

fn tokens_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let chain_id = home.chain_id;
    let rows = home
        .tokens
        .iter()
        .map(|token| {
            let address = token.address;
            view! {
                <li data-testid="token" data-address=address.to_string()>
                    <span data-testid="token-balance">{token.balance.clone().unwrap_or_else(|| format!("? {}", token.symbol))}</span>
                    " "<code class="muted">{sso_wallet::activity::short(address)}</code>
                    <button class="secondary small" data-testid="remove-token"
                        on:click=move |_| page.ask("Removing…", "", UiRequest::RemoveToken { chain_id, address })>"Remove"</button>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let input = RwSignal::new(String::new());
    let add = move |_| match input.get_untracked().trim().parse::<Address>() {
        Ok(address) => page.ask(
            "Reading the token…",
            "Token added.",
            UiRequest::AddToken { address },
        ),
        Err(_) => page.error.set(Some(
            "Enter the token's contract address (0x followed by 40 hex digits).".into(),
        )),
    };
    view! {
        <div class="label">"Tokens"</div>
        <ul class="rules">{rows}</ul>
        <div class="row">
            <input data-testid="token-address" placeholder="ERC-20 contract address (0x…)" bind:value=input/>
            <button class="secondary small" data-testid="add-token" disabled=move || page.busy() on:click=add>"Add token"</button>
        </div>
    }
}

fn sites_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let rows = home
        .sites
        .iter()
        .map(|site| {
            let origin = site.origin.clone();
            let disconnect = origin.clone();
            let shown = origin.clone();
            view! {
                <li data-testid="site" data-origin=origin>
                    <span class="origin">{shown}</span>
                    <button class="secondary small" data-testid="disconnect-site"
                        on:click=move |_| page.ask("Disconnecting…", "Disconnected. Its sessions ended here (keys erased); they stay open on chain until you revoke them under Sessions.", UiRequest::Disconnect { origin: disconnect.clone() })>"Disconnect"</button>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    view! {
        <section id="sites">
            <h1>"Connected sites"</h1>
            {empty.then(|| view! { <p class="muted" data-testid="no-sites">"No site is connected."</p> })}
            <ul class="rules">{rows}</ul>
        </section>
    }
}

fn passkeys_view(page: Page, network: String) -> impl IntoView {
    let add = move |_| {
        let known: Vec<Bytes> = page
            .passkeys
            .get_untracked()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.credential_id)
            .collect();
        page.run(
            "Create the new passkey…",
            "Confirm in the approval window with a passkey the account already has.",
            async move {
                let attestation_object = passkey::create(&known).await?;
                // The new passkey proves it is the user's: it signs its registration challenge.
                let challenge = UiRequest::PasskeyChallenge {
                    attestation_object: attestation_object.clone(),
                };
                let (challenge, credential_id) = match bridge::request(challenge).await {
                    UiResponse::Challenge {
                        challenge,
                        credential_id,
                    } => (challenge, credential_id),
                    other => return Ok(other),
                };
                let assertion = passkey::sign(challenge, &credential_id).await?;
                Ok(bridge::request(UiRequest::AddPasskey {
                    attestation_object,
                    assertion,
                })
                .await)
            },
        );
    };
    view! {
        <section id="passkeys">
            <h1>"Passkeys"</h1>
            <p class="muted">{format!("Every passkey here can sign for the account on {network}, on any device it is on. Passkeys are registered per network; the first one also deploys the account on networks where it is not deployed yet.")}</p>
            {move || page.passkeys.get().map(|list| list.into_iter().map(|p| {
                let id = p.credential_id.clone();
                view! {
                    <div class="passkey" data-testid="passkey" data-credential-id=p.credential_id.to_string() data-current=p.current.to_string()>
                        <code>{short_id(&p.credential_id)}</code>
                        {p.current.then(|| view! { <span class="muted" data-testid="passkey-current">" · this browser"</span> })}
                        <button class="secondary small" data-testid="remove-passkey"
                            on:click=move |_| page.ask("Preparing…", "Confirm the removal in the approval window.", UiRequest::RemovePasskey { credential_id: id.clone() })>"Remove"</button>
                    </div>
                }
            }).collect::<Vec<_>>())}
            <button class="secondary" data-testid="add-passkey" disabled=move || page.busy() on:click=add>"Add a passkey"</button>
        </section>
    }
}

fn status_text(status: &str) -> &'static str {
    match status {
        "active" => "Active",
        "revoking" => "Key erased; revocation waits for your passkey",
        "revoked" => "Revoked",
        "expired" => "Expired",
        "keyLost" => "Open on chain; this browser does not hold its key",
        "disconnected" => "Site disconnected: key erased; revoke it to close it on chain",
        _ => "Unknown",
    }
}

fn sessions_view(page: Page) -> impl IntoView {
    let revoke = move |context| {
        page.ask(
            "Preparing…",
            "Key erased. Confirm in the approval window to close the session on chain.",
            UiRequest::RevokeSession { context },
        )
    };
    view! {
        <section id="sessions">
            <h1>"Sessions"</h1>
            {move || match page.sessions.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted" data-testid="no-sessions">"No site has a session. Sites ask for one when they want to act without a window each time."</p>
                }.into_any(),
                Some(list) => list
                    .into_iter()
                    .map(|session| session_card(session, revoke))
                    .collect::<Vec<_>>()
                    .into_any(),
            }}
        </section>
    }
}

fn session_card(
    session: SessionView,
    revoke: impl Fn(alloy_primitives::B256) + Copy + 'static,
) -> impl IntoView {
    let context = session.context;
    // A session can be closed on chain unless it already is (revoked) or is past its expiry.
    let revocable = matches!(
        session.status.as_str(),
        "active" | "revoking" | "keyLost" | "disconnected"
    );
    let origin = if session.origin.is_empty() {
        "A site (created in another browser)".to_owned()
    } else {
        session.origin.clone()
    };
    view! {
        <section class="session" data-testid="session" data-context=context.to_string() data-status=session.status.clone()>
            <div class="origin" data-testid="session-origin">{origin}</div>
            <div data-testid="session-status">{status_text(&session.status)}</div>
            <div class="muted" data-testid="session-expires">{format!("Expires {}", session.expires)}</div>
            {session_rules(&session)}
            {revocable.then(|| view! {
                <button class="secondary" data-testid="revoke-session" on:click=move |_| revoke(context)>"Revoke"</button>
            })}
        </section>
    }
}

/// The batch named by `?calls=<id>` (`wallet_showCallsStatus`), if any.
fn selected_batch() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let encoded = search.strip_prefix("?calls=")?;
    js_sys::decode_uri_component(encoded).ok().map(String::from)
}

fn activity_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let selected = selected_batch();
    let names: Vec<(u64, String)> = home
        .networks
        .iter()
        .map(|n| (n.network.chain_id, n.network.name.clone()))
        .collect();
    view! {
        <section id="activity">
            <h1>"Activity"</h1>
            {move || match page.activity.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(items) if items.is_empty() => view! {
                    <p class="muted" data-testid="no-activity">"Nothing sent yet."</p>
                }.into_any(),
                Some(items) => items
                    .into_iter()
                    .map(|item| activity_item(item, selected.as_deref(), &names))
                    .collect::<Vec<_>>()
                    .into_any(),
            }}
        </section>
    }
}

fn activity_item(
    item: ActivityView,
    selected: Option<&str>,
    names: &[(u64, String)],
) -> impl IntoView + use<> {
    let is_selected = selected == Some(item.id.as_str());
    let status = match item.status.as_str() {
        "success" => "Success",
        "failed" => "Failed (nothing happened)",
        _ => "Pending",
    };
    let origin = if item.origin.is_empty() || is_wallet_origin(&item.origin) {
        "SSO Wallet".to_owned()
    } else {
        item.origin.clone()
    };
    let chain = names
        .iter()
        .find(|(id, _)| *id == item.chain_id)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| format!("chain {}", item.chain_id));
    let when = if item.sent_at == 0 {
        String::new()
    } else {
        String::from(
            js_sys::Date::new(&(item.sent_at as f64).into())
                .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED),
        )
    };
    let what = if item.what.is_empty() {
        "A batch of calls".to_owned()
    } else {
        item.what.clone()
    };
    view! {
        <section class="activity" class:selected=is_selected data-testid="activity-item"
            data-id=item.id.clone() data-user-op-hash=item.user_op_hash.to_string()
            data-status=item.status.clone() data-selected=is_selected.to_string()>
            <div data-testid="activity-what">{what}</div>
            <div class="origin" data-testid="activity-origin">{origin}</div>
            <div data-testid="activity-status">{status}</div>
            <div class="muted" data-testid="activity-time">{format!("{when} · {chain}")}</div>
            {item.tx_hash.map(|hash| view! {
                <code class="data" data-testid="activity-tx">{hash.to_string()}</code>
            })}
            {item.explorer_url.map(|url| view! {
                <a data-testid="activity-explorer" href=url target="_blank" rel="noopener">"View on explorer"</a>
            })}
        </section>
    }
}

fn settings_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    view! {
        <section id="settings">
            <h1>"Settings"</h1>
            {networks_view(page, &home.networks)}
            {lock_view(page, home.lock)}
        </section>
    }
}

fn networks_view(page: Page, networks: &[NetworkView]) -> impl IntoView + use<> {
    let editing = RwSignal::new(None::<u64>);
    let form = NetworkForm::new();
    let rows = networks
        .iter()
        .map(|n| {
            let network = n.network.clone();
            let chain_id = network.chain_id;
            let edit = move |_| {
                form.fill(&network);
                editing.set(Some(chain_id));
            };
            view! {
                <li data-testid="network" data-chain-id=chain_id.to_string()>
                    <span>{format!("{} ({chain_id})", n.network.name)}</span>
                    {n.user_added.then(|| view! {
                        <button class="secondary small" data-testid="edit-network" on:click=edit>"Edit"</button>
                        <button class="secondary small" data-testid="remove-network"
                            on:click=move |_| page.ask("Removing…", "Network removed.", UiRequest::RemoveNetwork { chain_id })>"Remove"</button>
                    })}
                </li>
            }
        })
        .collect::<Vec<_>>();
    let save = move |_| match form.read() {
        Ok(network) => page.ask(
            "Checking the network…",
            "Network saved.",
            UiRequest::SaveNetwork {
                network,
                replaces: editing.get_untracked(),
            },
        ),
        Err(message) => page.error.set(Some(message)),
    };
    view! {
        <div class="label">"Networks"</div>
        <ul class="rules">{rows}</ul>
        <div class="label">{move || if editing.get().is_some() { "Edit network" } else { "Add a network" }}</div>
        <div class="form">
            <input data-testid="network-chain-id" placeholder="Chain id" inputmode="numeric" bind:value=form.chain_id/>
            <input data-testid="network-name" placeholder="Name" bind:value=form.name/>
            <input data-testid="network-rpc" placeholder="RPC URL" bind:value=form.rpc_url/>
            <input data-testid="network-bundler" placeholder="Bundler URL (optional)" bind:value=form.bundler_url/>
            <input data-testid="network-explorer" placeholder="Explorer URL (optional)" bind:value=form.explorer_url/>
            <button class="secondary small" data-testid="save-network" disabled=move || page.busy() on:click=save>"Save network"</button>
        </div>
    }
}

/// The network form's fields.
#[derive(Clone, Copy)]
struct NetworkForm {
    chain_id: RwSignal<String>,
    name: RwSignal<String>,
    rpc_url: RwSignal<String>,
    bundler_url: RwSignal<String>,
    explorer_url: RwSignal<String>,
}

impl NetworkForm {
    fn new() -> Self {
        NetworkForm {
            chain_id: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            rpc_url: RwSignal::new(String::new()),
            bundler_url: RwSignal::new(String::new()),
            explorer_url: RwSignal::new(String::new()),
        }
    }

    fn fill(self, network: &sso_wallet::network::Network) {
        self.chain_id.set(network.chain_id.to_string());
        self.name.set(network.name.clone());
        self.rpc_url.set(network.rpc_url.clone());
        self.bundler_url.set(network.bundler_url.clone());
        self.explorer_url
            .set(network.explorer_url.clone().unwrap_or_default());
    }

    fn read(self) -> Result<NetworkInput, String> {
        let chain_id = self
            .chain_id
            .get_untracked()
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or("The chain id must be a positive whole number.")?;
        Ok(NetworkInput {
            chain_id,
            name: self.name.get_untracked(),
            rpc_url: self.rpc_url.get_untracked(),
            bundler_url: self.bundler_url.get_untracked(),
            explorer_url: self.explorer_url.get_untracked(),
        })
    }
}

fn lock_view(page: Page, settings: LockSettings) -> impl IntoView {
    let enabled = RwSignal::new(settings.enabled);
    let minutes = RwSignal::new(settings.idle_minutes.to_string());
    let save = move |_| match minutes.get_untracked().trim().parse::<u32>() {
        Ok(idle_minutes) => page.ask(
            "Saving…",
            "Lock settings saved.",
            UiRequest::SetLock {
                settings: LockSettings {
                    enabled: enabled.get_untracked(),
                    idle_minutes,
                },
            },
        ),
        Err(_) => page.error.set(Some(
            "The idle time must be a whole number of minutes.".into(),
        )),
    };
    view! {
        <div class="label">"Lock"</div>
        <p class="muted">"When on, SSO Wallet asks for your passkey after the browser restarts and after the idle time, before any approval window or session signature."</p>
        <label><input type="checkbox" data-testid="lock-enabled" bind:checked=enabled/>" Lock the wallet"</label>
        <label>" after "<input data-testid="lock-minutes" inputmode="numeric" size="4" bind:value=minutes/>" minutes idle"</label>
        <div class="row">
            <button class="secondary small" data-testid="save-lock" disabled=move || page.busy() on:click=save>"Save"</button>
            {settings.enabled.then(|| view! {
                <button class="secondary small" data-testid="lock-now"
                    on:click=move |_| page.ask("Locking…", "", UiRequest::LockNow)>"Lock now"</button>
            })}
        </div>
    }
}
