//! The account's ERC-7579 modules: listing them (the account's `ModuleInstalled` /
//! `ModuleUninstalled` logs, each checked with `isModuleInstalled`), proposing an install or an
//! uninstall (from the home page or a site's `wallet_installModule`: the module's code and
//! `isModuleType` answer read, the change simulated by the bundler's estimate, then the passkey
//! approval) and recording the change once included — the session validator's uninstall closes
//! its sessions and erases their keys.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use serde_json::{Value, json};

use sso_wallet::abi::IERC7579Module;
use sso_wallet::approval::{ApprovalKind, ReplyTo};
use sso_wallet::erc4337::UserOperation;
use sso_wallet::modules::{
    self, InstalledModule, KnownModule, KnownModuleInstall, ModuleChange, ModuleType,
};
use sso_wallet::network::Network;
use sso_wallet::protocol::{ModuleChangeView, ModuleView};
use sso_wallet::session::registry::{Ended, SessionStatus};
use sso_wallet::{Error, Result};

use crate::{approvals, chain, chrome, rpc, state, userop};

/// The modules installed on the account on `network`, checked on chain, with the selectors the
/// wallet knows for fallback handlers; recorded as the wallet's knowledge of them.
async fn installed(network: &Network, account: Address) -> Result<Vec<KnownModuleInstall>> {
    let known: Vec<KnownModuleInstall> = state::read_wallet(|w| {
        w.modules
            .iter()
            .filter(|m| m.chain_id == network.chain_id && m.account == account)
            .cloned()
            .collect()
    })
    .await?;
    let deployed = chain::is_deployed(network, account).await?;
    let listed = if deployed {
        let logs = rpc::logs(network, account, modules::event_topics()).await?;
        modules::installed_from_logs(account, &logs)
    } else {
        // Not deployed: the passkey validator is installed as it deploys.
        vec![InstalledModule {
            module_type: ModuleType::Validator,
            module: network.contracts.webauthn_validator,
        }]
    };
    let checks = listed.into_iter().map(|module| {
        let selectors: Vec<FixedBytes<4>> = known
            .iter()
            .find(|k| k.installed == module)
            .map(|k| k.selectors.clone())
            .unwrap_or_default();
        async move {
            let type_id = module.module_type.id();
            let (present, selectors) = if !deployed {
                (true, selectors)
            } else if module.module_type == ModuleType::FallbackHandler {
                let mut still = Vec::new();
                for selector in selectors {
                    let context = Bytes::copy_from_slice(selector.as_slice());
                    if chain::module_installed(network, account, type_id, module.module, context)
                        .await?
                    {
                        still.push(selector);
                    }
                }
                // Installed for selectors the wallet never learnt: listed, with none named.
                (true, still)
            } else {
                let installed =
                    chain::module_installed(network, account, type_id, module.module, Bytes::new())
                        .await?;
                (installed, Vec::new())
            };
            Ok::<_, Error>(present.then_some(KnownModuleInstall {
                chain_id: network.chain_id,
                account,
                installed: module,
                selectors,
            }))
        }
    });
    let mut found: Vec<KnownModuleInstall> = futures::future::try_join_all(checks)
        .await?
        .into_iter()
        .flatten()
        .collect();
    found.truncate(modules::MAX_KNOWN_MODULES);
    let recorded = found.clone();
    state::update_wallet(move |w| {
        w.modules
            .retain(|m| !(m.chain_id == network.chain_id && m.account == account));
        w.modules.extend(recorded);
        Ok(())
    })
    .await?;
    Ok(found)
}

/// The account's modules on the selected network, validators first.
pub async fn list() -> Result<Vec<ModuleView>> {
    let (account, network) = state::account_and_network().await?;
    let found = installed(&network, account.address).await?;
    let plain: Vec<InstalledModule> = found.iter().map(|k| k.installed.clone()).collect();
    let mut views: Vec<ModuleView> = found
        .into_iter()
        .map(|k| {
            let uninstall = ModuleChange {
                install: false,
                module_type: k.installed.module_type,
                module: k.installed.module,
                data: Bytes::new(),
            };
            ModuleView {
                module_type: k.installed.module_type,
                module: k.installed.module,
                name: KnownModule::of(k.installed.module, &network.contracts)
                    .map(|n| n.name().to_owned()),
                selectors: k.selectors,
                kept: modules::check_uninstall(&uninstall, &plain, &network.contracts)
                    .err()
                    .map(|e| e.to_string()),
            }
        })
        .collect();
    views.sort_by_key(|v| v.module_type);
    Ok(views)
}

/// Opens the passkey approval of `change` for `origin` (the wallet's home page, or a site).
/// Refused before any window: an uninstall the wallet's guards forbid, an install of an
/// address without code, a change the chain would revert (the bundler's estimate simulates it).
pub async fn propose(origin: &str, reply_to: ReplyTo, change: ModuleChange) -> Result<()> {
    // Checked again whatever its source (a UI message is deserialized, not constructed).
    let mut change = ModuleChange::new(
        change.install,
        change.module_type,
        change.module,
        change.data,
    )?;
    let (account, network) = state::account_and_network().await?;
    let installed = guard(&network, account.address, &change).await?;
    let listed = installed
        .iter()
        .any(|m| m.module == change.module && m.module_type == change.module_type);
    if change.install && listed && change.module_type != ModuleType::FallbackHandler {
        return Err(Error::NotAllowed(format!(
            "{} is already installed as a {}.",
            change.module,
            change.module_type.name()
        )));
    }
    let code = chain::code(&network, change.module).await?;
    if change.install && code.is_empty() {
        return Err(Error::InvalidParams(format!(
            "there is no contract at {} on {}",
            change.module, network.name
        )));
    }
    let probe = IERC7579Module::isModuleTypeCall {
        moduleTypeId: U256::from(change.module_type.id()),
    };
    let answers_type = rpc::call_contract(&network.rpc_url, change.module, &probe, "latest")
        .await
        .ok();
    // The session validator's uninstall closes the account's open sessions on this network.
    let closes: Vec<B256> =
        if !change.install && change.module == network.contracts.session_key_validator {
            let open = open_sessions(&network, account.address).await?;
            change.data = modules::session_validator_deinit(&open);
            open
        } else {
            Vec::new()
        };
    let name = KnownModule::of(change.module, &network.contracts).map(|n| n.name().to_owned());
    let mut warnings = Vec::new();
    if change.install {
        if change.module_type.takes_control() {
            warnings.push(format!(
                "{} Install it only if you trust whoever controls {}.",
                change.module_type.power(),
                change.module
            ));
        }
        if answers_type != Some(true) {
            warnings.push(format!(
                "The module does not say it is a {} (ERC-7579 isModuleType); the account will refuse it.",
                change.module_type.name()
            ));
        }
    } else if !closes.is_empty() {
        warnings.push(format!(
            "Uninstalling the session validator closes {} session(s) on chain; their keys are erased.",
            closes.len()
        ));
    } else if change.module == network.contracts.webauthn_validator {
        warnings.push(
            "This wallet signs only with passkeys: once the passkey validator is gone, it can no longer sign for the account. Only the other validator installed will."
                .into(),
        );
    }
    let call = change.call(account.address);
    let prepared = userop::prepare_network_sponsored(&network, &account, vec![call]).await?;
    let view = ModuleChangeView {
        account: account.address,
        selector: change.selector(),
        power: change.module_type.power().to_owned(),
        change,
        name,
        code_size: code.len(),
        answers_type,
        closes_sessions: closes.len(),
        warnings,
    };
    approvals::enqueue(
        origin,
        reply_to,
        ApprovalKind::ChangeModule {
            prepared: Box::new(prepared),
            view: Box::new(view),
            closes,
        },
    )
    .await
}

/// The wallet's guards on `change` against the modules installed now (`check_install`,
/// `check_uninstall`); answers those modules.
async fn guard(
    network: &Network,
    account: Address,
    change: &ModuleChange,
) -> Result<Vec<InstalledModule>> {
    let installed: Vec<InstalledModule> = installed(network, account)
        .await?
        .into_iter()
        .map(|k| k.installed)
        .collect();
    modules::check_install(change, &network.contracts)?;
    modules::check_uninstall(change, &installed, &network.contracts)?;
    Ok(installed)
}

/// The account's open sessions on `network` (what the session validator's uninstall closes).
async fn open_sessions(network: &Network, account: Address) -> Result<Vec<B256>> {
    state::read_wallet(|w| {
        w.sessions
            .iter()
            .filter(|s| {
                s.chain_id == network.chain_id
                    && s.account == account
                    && !matches!(s.status, SessionStatus::Ended(Ended::Revoked))
            })
            .map(|s| s.context)
            .collect::<Vec<_>>()
    })
    .await
}

/// Opens the approval of a change the user asked for on the home page.
pub async fn propose_from_home(change: ModuleChange) -> Result<()> {
    propose(&chrome::extension_origin(), ReplyTo::nobody(), change).await
}

/// The approved change was signed: send it, wait for its inclusion, and record it (a fallback
/// handler's selector; the sessions an uninstall of the session validator closed, whose keys
/// are erased). Answers the bundle transaction hash.
pub async fn changed(
    network: &Network,
    origin: &str,
    view: &ModuleChangeView,
    closes: &[B256],
    user_op: &UserOperation,
) -> Result<Value> {
    let change = &view.change;
    let what = format!(
        "{} {} {}",
        if change.install {
            "Installed"
        } else {
            "Uninstalled"
        },
        change.module_type.name(),
        view.name
            .clone()
            .unwrap_or_else(|| change.module.to_string())
    );
    // The guards again, now: another change approved meanwhile (uninstalling the other owner
    // validator) or a session created since must not slip through what was checked when shown.
    guard(network, view.account, change).await?;
    if !change.install && change.module == network.contracts.session_key_validator {
        let open = open_sessions(network, view.account).await?;
        if open.iter().any(|s| !closes.contains(s)) {
            return Err(Error::NotAllowed(
                "A session was created since this uninstall was shown; ask again so that it closes it too."
                    .into(),
            ));
        }
    }
    let hash = userop::submit_own(network, origin, &what, user_op).await?;
    let chain_id = network.chain_id;
    let account = view.account;
    let installed = InstalledModule {
        module_type: change.module_type,
        module: change.module,
    };
    let selector = change.selector();
    let closed = closes.to_vec();
    state::update_wallet(move |w| {
        let at = w.modules.iter().position(|m| {
            m.chain_id == chain_id && m.account == account && m.installed == installed
        });
        match (change.install, at) {
            (true, Some(i)) => w.modules[i].selectors.extend(selector),
            (true, None) => w.modules.push(KnownModuleInstall {
                chain_id,
                account,
                installed,
                selectors: selector.into_iter().collect(),
            }),
            // A fallback handler stays known (and protected) until the chain's events say it
            // is gone: it may handle selectors this wallet never learnt.
            (false, Some(i)) if selector.is_some() => {
                w.modules[i].selectors.retain(|s| Some(*s) != selector);
            }
            (false, Some(i)) => {
                w.modules.remove(i);
            }
            (false, None) => {}
        }
        for record in w
            .sessions
            .iter_mut()
            .filter(|s| closed.contains(&s.context))
        {
            record.status = SessionStatus::Ended(Ended::Revoked);
            record.pending.clear();
        }
        Ok(())
    })
    .await?;
    crate::session::erase_keys(closes).await?;
    Ok(json!(hash))
}
