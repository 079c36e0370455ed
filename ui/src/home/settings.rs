//! Settings: networks (add, edit, remove the user's own) and the lock.

use leptos::prelude::*;

use sso_wallet::lock::LockSettings;
use sso_wallet::protocol::{HomeView, NetworkInput, NetworkView, UiRequest};

use super::Page;

pub(super) fn settings_view(page: Page, home: &HomeView) -> impl IntoView + use<> {
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
