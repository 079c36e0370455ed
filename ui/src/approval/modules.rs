//! Installing or uninstalling one of the account's ERC-7579 modules: what that type of module
//! can do, the module's code size and whether it answers `isModuleType`, its data, and red
//! warnings for executors and validators.

use leptos::prelude::*;

use sso_wallet::protocol::ModuleChangeView;

use crate::widgets::warnings_view;

pub(super) fn change(view: &ModuleChangeView) -> AnyView {
    let change = &view.change;
    let kind = change.module_type.name();
    let title = if change.install {
        format!("Install this {kind} on your account?")
    } else {
        format!("Uninstall this {kind} from your account?")
    };
    let answers = match view.answers_type {
        Some(true) => format!("Yes: it says it is a {kind}"),
        Some(false) => format!("No: it says it is not a {kind}"),
        None => "It did not answer".to_owned(),
    };
    let data = if change.data.is_empty() {
        "(none)".to_owned()
    } else {
        change.data.to_string()
    };
    view! {
        <h1 data-testid="module-title">{title}</h1>
        <p data-testid="module-power">{view.power.clone()}</p>
        {warnings_view(&view.warnings, "module-warning")}
        <dl>
            <dt>"Account"</dt><dd><code class="address">{view.account.to_checksum(None)}</code></dd>
            <dt>"Module"</dt>
            <dd>
                <code class="address" data-testid="module-address">{change.module.to_checksum(None)}</code>
                {view.name.clone().map(|n| view! { <span data-testid="module-name">{format!(" · {n}")}</span> })}
            </dd>
            <dt>"Type"</dt><dd data-testid="module-type">{format!("{kind} (ERC-7579 type {})", change.module_type.id())}</dd>
            <dt>"Code"</dt><dd data-testid="module-code-size">{format!("{} bytes", view.code_size)}</dd>
            <dt>"isModuleType"</dt><dd data-testid="module-answers-type">{answers}</dd>
            {view.selector.map(|s| view! { <dt>"Selector"</dt><dd><code data-testid="module-selector">{s.to_string()}</code></dd> })}
            {(view.closes_sessions > 0).then(|| view! {
                <dt>"Sessions closed"</dt><dd data-testid="module-closes-sessions">{view.closes_sessions.to_string()}</dd>
            })}
            <dt>{if change.install { "Init data" } else { "De-init data" }}</dt>
            <dd><code class="data" data-testid="module-data">{data}</code></dd>
        </dl>
    }
    .into_any()
}
