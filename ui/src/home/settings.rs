//! Settings: networks (add — a known chain id fills in its endpoints —, edit any, with a
//! bundler API key; reset shipped ones the user edited, remove the user's own) and the lock.

use leptos::prelude::*;

use sso_wallet::lock::LockSettings;
use sso_wallet::network::Preset;
use sso_wallet::protocol::{HomeView, NetworkInput, NetworkSource, UiRequest};

use super::Page;

pub(super) fn settings_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    view! {
        <section id="settings">
            <h1>"Networks and lock"</h1>
            {networks_view(page, home)}
            {lock_view(page, home.lock)}
        </section>
    }
}

fn networks_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
    let editing = RwSignal::new(None::<u64>);
    let form = NetworkForm::new();
    let rows = home
        .networks
        .iter()
        .map(|n| {
            let network = n.network.clone();
            let chain_id = network.chain_id;
            let edit = move |_| {
                form.fill(&network);
                editing.set(Some(chain_id));
            };
            let (label, done, removes) = match n.source {
                NetworkSource::Shipped => ("", "", false),
                NetworkSource::EditedShipped => ("Reset", "Network reset.", true),
                NetworkSource::Added => ("Remove", "Network removed.", true),
            };
            view! {
                <li data-testid="network" data-chain-id=chain_id.to_string() data-source=n.source.as_str()>
                    <span>{format!("{} ({chain_id})", n.network.name)}</span>
                    <button class="secondary small" data-testid="edit-network" on:click=edit>"Edit"</button>
                    {removes.then(|| view! {
                        <button class="secondary small" data-testid="remove-network"
                            on:click=move |_| page.ask("Saving…", done, UiRequest::RemoveNetwork { chain_id })>{label}</button>
                    })}
                </li>
            }
        })
        .collect::<Vec<_>>();
    // Typing a known chain id into the "add" form fills in its public endpoints (and typing on
    // past it takes them out again).
    let presets = home.presets.clone();
    let filled = StoredValue::new(false);
    Effect::new(move |_| {
        let typed = form.chain_id.get();
        if editing.get_untracked().is_some() {
            return;
        }
        let chain_id = typed.trim().parse::<u64>().ok();
        match presets.iter().find(|p| Some(p.chain_id) == chain_id) {
            Some(preset) => {
                form.fill_preset(Some(preset));
                filled.set_value(true);
            }
            None if filled.get_value() => {
                form.fill_preset(None);
                filled.set_value(false);
            }
            None => {}
        }
    });
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
            <input data-testid="network-chain-id" placeholder="Chain id (a known chain fills in the rest)" inputmode="numeric" bind:value=form.chain_id/>
            <input data-testid="network-name" placeholder="Name" bind:value=form.name/>
            <input data-testid="network-rpc" placeholder="RPC URL" bind:value=form.rpc_url/>
            <input data-testid="network-bundler" placeholder="Bundler URL (optional; {apiKey} where the key goes)" bind:value=form.bundler_url/>
            <input data-testid="network-bundler-key" type="password" autocomplete="off" placeholder="Bundler API key (optional)" bind:value=form.bundler_api_key/>
            <input data-testid="network-explorer" placeholder="Explorer URL (optional)" bind:value=form.explorer_url/>
            <input data-testid="network-sponsor" placeholder="Paymaster service paying fees (optional, ERC-7677)" bind:value=form.sponsor_url/>
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
    bundler_api_key: RwSignal<String>,
    explorer_url: RwSignal<String>,
    sponsor_url: RwSignal<String>,
}

impl NetworkForm {
    fn new() -> Self {
        NetworkForm {
            chain_id: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            rpc_url: RwSignal::new(String::new()),
            bundler_url: RwSignal::new(String::new()),
            bundler_api_key: RwSignal::new(String::new()),
            explorer_url: RwSignal::new(String::new()),
            sponsor_url: RwSignal::new(String::new()),
        }
    }

    fn fill(self, network: &sso_wallet::network::Network) {
        self.chain_id.set(network.chain_id.to_string());
        self.name.set(network.name.clone());
        self.rpc_url.set(network.rpc_url.clone());
        self.bundler_url.set(network.bundler_url.clone());
        self.bundler_api_key
            .set(network.bundler_api_key.clone().unwrap_or_default());
        self.explorer_url
            .set(network.explorer_url.clone().unwrap_or_default());
        self.sponsor_url
            .set(network.sponsor_url.clone().unwrap_or_default());
    }

    /// Fills the endpoints from a preset, or empties them (`None`).
    fn fill_preset(self, preset: Option<&Preset>) {
        self.name
            .set(preset.map(|p| p.name.clone()).unwrap_or_default());
        self.rpc_url
            .set(preset.map(|p| p.rpc_url.clone()).unwrap_or_default());
        self.bundler_url
            .set(preset.map(|p| p.bundler_url.clone()).unwrap_or_default());
        self.explorer_url.set(
            preset
                .and_then(|p| p.explorer_url.clone())
                .unwrap_or_default(),
        );
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
            bundler_api_key: self.bundler_api_key.get_untracked(),
            explorer_url: self.explorer_url.get_untracked(),
            sponsor_url: self.sponsor_url.get_untracked(),
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
