//! The home page's tabs: one view at a time (Account, Activity, Sessions, Recovery, Settings), chosen by
//! the address's hash (`#activity`, so a reload or a link keeps it; `?calls=<id>` opens
//! Activity), and a WAI-ARIA tab list: arrow keys, Home and End move between tabs.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// One view of the home page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tab {
    Account,
    Activity,
    Sessions,
    Recovery,
    Settings,
}

impl Tab {
    pub(super) const ALL: [Tab; 5] = [
        Tab::Account,
        Tab::Activity,
        Tab::Sessions,
        Tab::Recovery,
        Tab::Settings,
    ];

    /// The name in the address's hash, the tab's element id and its `data-testid` suffix.
    pub(super) fn id(self) -> &'static str {
        match self {
            Tab::Account => "account",
            Tab::Activity => "activity",
            Tab::Sessions => "sessions",
            Tab::Recovery => "recovery",
            Tab::Settings => "settings",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Account => "Account",
            Tab::Activity => "Activity",
            Tab::Sessions => "Sessions",
            Tab::Recovery => "Recovery",
            Tab::Settings => "Settings",
        }
    }

    /// The tab the page's address names: its hash, else Activity for `?calls=`, else Account.
    pub(super) fn from_location() -> Tab {
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return Tab::Account;
        };
        let hash = location.hash().unwrap_or_default();
        if let Some(tab) = Tab::ALL
            .into_iter()
            .find(|t| hash.strip_prefix('#') == Some(t.id()))
        {
            return tab;
        }
        if location
            .search()
            .is_ok_and(|search| search.starts_with("?calls="))
        {
            return Tab::Activity;
        }
        Tab::Account
    }

    /// The tab `steps` places after this one (before, when negative), wrapping around.
    fn step(self, steps: isize) -> Tab {
        let at = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        let len = Tab::ALL.len() as isize;
        Tab::ALL[(at + steps).rem_euclid(len) as usize]
    }
}

/// Shows `tab`, and writes it into the address (without a new history entry) so a reload keeps it.
pub(super) fn select(selected: RwSignal<Tab>, tab: Tab) {
    selected.set(tab);
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{}", tab.id())),
        );
    }
}

/// Follows the address's hash when it changes (a link, or `location.hash = …`).
pub(super) fn follow_hash(selected: RwSignal<Tab>) {
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        selected.set(Tab::from_location());
    });
    on_cleanup(move || handle.remove());
}

/// The tab list: one button per tab; the selected one is the only one in the Tab order.
pub(super) fn tab_list(selected: RwSignal<Tab>) -> impl IntoView {
    let focus = |tab: Tab| {
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("tab-{}", tab.id())))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let now = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => now.step(1),
            "ArrowLeft" => now.step(-1),
            "Home" => Tab::ALL[0],
            "End" => Tab::ALL[Tab::ALL.len() - 1],
            _ => return,
        };
        ev.prevent_default();
        select(selected, next);
        focus(next);
    };
    let buttons = Tab::ALL
        .into_iter()
        .map(|tab| {
            let is = move || selected.get() == tab;
            view! {
                <button role="tab" id=format!("tab-{}", tab.id()) data-testid=format!("tab-{}", tab.id())
                    aria-controls="tab-panel" aria-selected=move || is().to_string()
                    tabindex=move || if is() { "0" } else { "-1" }
                    class:selected=is on:click=move |_| select(selected, tab)>{tab.label()}</button>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <nav class="tabs" role="tablist" aria-label="Wallet" data-testid="tabs" on:keydown=keydown>{buttons}</nav>
    }
}
