//! The account's ERC-7579 modules on this network: each by type (a fallback handler with its
//! selectors), named when the wallet knows it; uninstall any the wallet will let go (never the
//! passkey validator while it holds the only keys); install one by address, type and init data.
//! Installing and uninstalling open the passkey approval, which says what the module can do.

use std::str::FromStr;

use alloy_primitives::{Address, Bytes};
use leptos::prelude::*;
use leptos::task::spawn_local;

use sso_wallet::modules::{ModuleChange, ModuleType};
use sso_wallet::protocol::{ModuleView, UiRequest, UiResponse};

use super::Page;
use crate::bridge;

pub(super) fn modules_view(page: Page) -> impl IntoView {
    let modules = RwSignal::new(None::<Result<Vec<ModuleView>, String>>);
    spawn_local(async move {
        modules.set(Some(match bridge::request(UiRequest::ListModules).await {
            UiResponse::Modules { modules } => Ok(modules),
            UiResponse::Error { message } => Err(message),
            _ => Err("Unexpected answer from the wallet.".into()),
        }));
    });
    let module_type = RwSignal::new("2".to_owned());
    let address = RwSignal::new(String::new());
    let data = RwSignal::new(String::new());
    let install = move |_| {
        let read = || -> Result<ModuleChange, String> {
            let kind = match module_type.get_untracked().as_str() {
                "1" => ModuleType::Validator,
                "3" => ModuleType::FallbackHandler,
                _ => ModuleType::Executor,
            };
            let module = Address::from_str(address.get_untracked().trim()).map_err(|_| {
                "The module address is not an address (0x and 40 hex digits).".to_owned()
            })?;
            let raw = data.get_untracked();
            let raw = raw.trim();
            let bytes = if raw.is_empty() {
                Bytes::new()
            } else {
                Bytes::from_str(raw).map_err(|_| "The init data is not hex (0x…).".to_owned())?
            };
            ModuleChange::new(true, kind, module, bytes).map_err(|e| e.to_string())
        };
        match read() {
            Ok(change) => page.ask(
                "Checking the module…",
                "Confirm the install in the approval window.",
                UiRequest::ChangeModule { change },
            ),
            Err(message) => page.error.set(Some(message)),
        }
    };
    let rows = move || {
        modules.get().map(|listed| match listed {
            Err(message) => {
                view! { <p class="error" data-testid="modules-error">{message}</p> }.into_any()
            }
            Ok(list) if list.is_empty() => {
                view! { <p class="muted" data-testid="modules-empty">"No modules."</p> }.into_any()
            }
            Ok(list) => list
                .into_iter()
                .map(|m| module_row(page, m))
                .collect::<Vec<_>>()
                .into_any(),
        })
    };
    view! {
        <section id="modules" data-testid="modules">
            <h1>"Modules"</h1>
            <p class="muted">"ERC-7579 modules extend the account. A validator can authorise any operation and an executor can move every asset: install only modules you trust."</p>
            {rows}
            <div class="label">"Install a module"</div>
            <div class="form">
                <select data-testid="module-type-input" on:change=move |ev| module_type.set(event_target_value(&ev))>
                    <option value="2" selected=true>"Executor (type 2)"</option>
                    <option value="1">"Validator (type 1)"</option>
                    <option value="3">"Fallback handler (type 3)"</option>
                </select>
                <input data-testid="module-address-input" placeholder="Module address (0x…)" bind:value=address/>
                <input data-testid="module-data-input" placeholder="Init data (0x…; a fallback handler's starts with its selector)" bind:value=data/>
                <button class="secondary small" data-testid="install-module" disabled=move || page.busy() on:click=install>"Install"</button>
            </div>
        </section>
    }
}

fn module_row(page: Page, m: ModuleView) -> AnyView {
    let uninstall = move |data: Bytes| {
        let change = ModuleChange {
            install: false,
            module_type: m.module_type,
            module: m.module,
            data,
        };
        move |_| {
            page.ask(
                "Preparing…",
                "Confirm the uninstall in the approval window.",
                UiRequest::ChangeModule {
                    change: change.clone(),
                },
            )
        }
    };
    let buttons = match (&m.kept, m.module_type) {
        (Some(why), _) => view! { <p class="muted" data-testid="module-kept">{why.clone()}</p> }.into_any(),
        (None, ModuleType::FallbackHandler) if m.selectors.is_empty() => view! {
            <p class="muted" data-testid="module-kept">"Installed for selectors this wallet did not install: uninstall it where it was installed."</p>
        }
        .into_any(),
        (None, ModuleType::FallbackHandler) => m
            .selectors
            .iter()
            .map(|s| {
                let click = uninstall(Bytes::copy_from_slice(s.as_slice()));
                view! {
                    <button class="secondary small" data-testid="uninstall-module" data-selector=s.to_string() on:click=click>
                        {format!("Uninstall for {s}")}
                    </button>
                }
            })
            .collect::<Vec<_>>()
            .into_any(),
        (None, _) => {
            let click = uninstall(Bytes::new());
            view! { <button class="secondary small" data-testid="uninstall-module" on:click=click>"Uninstall"</button> }.into_any()
        }
    };
    let selectors = m
        .selectors
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <div class="module" data-testid="module" data-type=m.module_type.name() data-address=m.module.to_checksum(None)>
            <span class="muted">{m.module_type.name()}</span>" "
            <strong>{m.name.clone().unwrap_or_else(|| "Unknown module".into())}</strong>" "
            <code class="address">{m.module.to_checksum(None)}</code>
            {(!selectors.is_empty()).then(|| view! { <span class="muted" data-testid="module-selectors">{format!(" · handles {selectors}")}</span> })}
            {buttons}
        </div>
    }
    .into_any()
}
