//! The account's ERC-7579 modules: their types and what each can do, the modules installed as
//! the account's own `ModuleInstalled` / `ModuleUninstalled` events tell it (the background
//! checks each with `isModuleInstalled`), the names the wallet knows, a request to install or
//! uninstall one (from the home page or a dapp's `wallet_installModule`, read totally and
//! bounded), the call that does it, and the guards the wallet adds to the contract's: never the
//! passkey validator while it holds the only keys this wallet signs with; the session validator
//! only with its sessions closed.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use serde::{Deserialize, Serialize};

use crate::abi::IERC7579ModuleConfig;
use crate::erc7579::Call;
use crate::network::Contracts;
use crate::recovery::Log;
use crate::{Error, Result};

/// The most bytes of init or de-init data a request may carry.
pub const MAX_MODULE_DATA: usize = 16 * 1024;

/// An ERC-7579 module type the account supports (hooks, type 4, it does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ModuleType {
    /// Type 1: validates operations and signatures.
    Validator,
    /// Type 2: makes the account execute calls.
    Executor,
    /// Type 3: answers calls to the account for one selector.
    FallbackHandler,
}

impl ModuleType {
    /// All supported types.
    pub const ALL: [ModuleType; 3] = [
        ModuleType::Validator,
        ModuleType::Executor,
        ModuleType::FallbackHandler,
    ];

    /// The ERC-7579 module type id.
    pub fn id(self) -> u64 {
        match self {
            ModuleType::Validator => 1,
            ModuleType::Executor => 2,
            ModuleType::FallbackHandler => 3,
        }
    }

    /// The type of an ERC-7579 id, if the account supports it.
    pub fn from_id(id: U256) -> Option<ModuleType> {
        ModuleType::ALL
            .into_iter()
            .find(|t| U256::from(t.id()) == id)
    }

    /// Its name, as the UI shows it.
    pub fn name(self) -> &'static str {
        match self {
            ModuleType::Validator => "validator",
            ModuleType::Executor => "executor",
            ModuleType::FallbackHandler => "fallback handler",
        }
    }

    /// What a module of this type can do to the account, in one sentence.
    pub fn power(self) -> &'static str {
        match self {
            ModuleType::Validator => {
                "A validator can authorise any operation of the account: whoever controls it controls the account and everything in it."
            }
            ModuleType::Executor => {
                "An executor can make the account call anything, at any time, without asking: it can move every asset of the account."
            }
            ModuleType::FallbackHandler => {
                "A fallback handler answers the calls made to the account for its selector, in the account's name."
            }
        }
    }

    /// Whether installing it puts the whole account in the module's hands (a red warning).
    pub fn takes_control(self) -> bool {
        matches!(self, ModuleType::Validator | ModuleType::Executor)
    }
}

/// A module install or uninstall, with the ERC-7579 `installModule` arguments. For a fallback
/// handler the data starts with the selector it handles (SsoAccount's encoding: `selector ‖ the
/// module's own data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleChange {
    /// Install (`true`) or uninstall.
    pub install: bool,
    /// The module type.
    pub module_type: ModuleType,
    /// The module.
    pub module: Address,
    /// `initData` (install) or `deInitData` (uninstall).
    pub data: Bytes,
}

impl ModuleChange {
    /// A change read from the user's or a site's input: the type, the module (not zero) and
    /// the data (at most [`MAX_MODULE_DATA`] bytes; for a fallback handler, at least its
    /// selector).
    pub fn new(
        install: bool,
        module_type: ModuleType,
        module: Address,
        data: Bytes,
    ) -> Result<Self> {
        if module == Address::ZERO {
            return Err(Error::InvalidParams(
                "the module address is the zero address".into(),
            ));
        }
        if data.len() > MAX_MODULE_DATA {
            return Err(Error::InvalidParams(format!(
                "the module data is {} bytes; at most {MAX_MODULE_DATA} are accepted",
                data.len()
            )));
        }
        if module_type == ModuleType::FallbackHandler && data.len() < 4 {
            return Err(Error::InvalidParams(
                "a fallback handler's data starts with the 4-byte selector it handles".into(),
            ));
        }
        Ok(ModuleChange {
            install,
            module_type,
            module,
            data,
        })
    }

    /// The selector a fallback handler handles (`None` for other types).
    pub fn selector(&self) -> Option<FixedBytes<4>> {
        (self.module_type == ModuleType::FallbackHandler)
            .then(|| self.data.get(..4).map(FixedBytes::from_slice))
            .flatten()
    }

    /// The call the account makes to itself (`installModule` / `uninstallModule`).
    pub fn call(&self, account: Address) -> Call {
        let module_type_id = U256::from(self.module_type.id());
        let data = if self.install {
            IERC7579ModuleConfig::installModuleCall {
                moduleTypeId: module_type_id,
                module: self.module,
                initData: self.data.clone(),
            }
            .abi_encode()
        } else {
            IERC7579ModuleConfig::uninstallModuleCall {
                moduleTypeId: module_type_id,
                module: self.module,
                deInitData: self.data.clone(),
            }
            .abi_encode()
        };
        Call {
            to: account,
            value: U256::ZERO,
            data: data.into(),
        }
    }
}

/// A module install or uninstall as the approval window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleChangeView {
    /// The account.
    pub account: Address,
    /// The change (type, module, data).
    pub change: ModuleChange,
    /// The module's name, when the wallet knows it.
    pub name: Option<String>,
    /// What a module of this type can do to the account.
    pub power: String,
    /// The module's code size (bytes).
    pub code_size: usize,
    /// Whether the module answers ERC-7579 `isModuleType` for this type (`None`: it did not
    /// answer at all).
    pub answers_type: Option<bool>,
    /// The selector a fallback handler handles.
    pub selector: Option<FixedBytes<4>>,
    /// Sessions the uninstall closes (the session validator's).
    pub closes_sessions: usize,
    /// Red warnings, as sentences.
    pub warnings: Vec<String>,
}

/// `wallet_installModule` parameters: `[{ moduleTypeId, module, initData, chainId? }]`, the
/// ERC-7579 `installModule` arguments (`moduleTypeId` a number, hex quantity or `"validator"`,
/// `"executor"`, `"fallback"`; `initData` hex, `0x` when empty).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InstallParams {
    module_type_id: serde_json::Value,
    module: Address,
    #[serde(default)]
    init_data: Bytes,
    #[serde(default)]
    chain_id: Option<alloy_primitives::U64>,
}

/// A site's `wallet_installModule` request, and the chain it names (if any).
pub fn parse_install_request(params: &serde_json::Value) -> Result<(ModuleChange, Option<u64>)> {
    let invalid = |why: &str| Error::InvalidParams(format!("wallet_installModule: {why}"));
    let first = match params {
        serde_json::Value::Array(items) if items.len() == 1 => &items[0],
        _ => {
            return Err(invalid(
                "expected one object: [{ moduleTypeId, module, initData }]",
            ));
        }
    };
    let params: InstallParams =
        serde_json::from_value(first.clone()).map_err(|e| invalid(&e.to_string()))?;
    let module_type = match &params.module_type_id {
        serde_json::Value::String(s) => match s.as_str() {
            "validator" => Some(ModuleType::Validator),
            "executor" => Some(ModuleType::Executor),
            "fallback" | "fallbackHandler" => Some(ModuleType::FallbackHandler),
            hex => hex
                .strip_prefix("0x")
                .and_then(|digits| U256::from_str_radix(digits, 16).ok())
                .and_then(ModuleType::from_id),
        },
        serde_json::Value::Number(n) => n.as_u64().map(U256::from).and_then(ModuleType::from_id),
        _ => None,
    }
    .ok_or_else(|| {
        invalid("moduleTypeId must be 1 (validator), 2 (executor) or 3 (fallback handler); hooks are not supported")
    })?;
    let change = ModuleChange::new(true, module_type, params.module, params.init_data)?;
    Ok((change, params.chain_id.map(|c| c.to::<u64>())))
}

/// The module the wallet knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KnownModule {
    /// The passkey validator (the account's owner).
    Passkeys,
    /// The session validator.
    Sessions,
    /// The guardian recovery module (executor and validator of recovery UserOps only).
    Recovery,
}

impl KnownModule {
    /// The known module at `module` on a network with these contracts.
    pub fn of(module: Address, contracts: &Contracts) -> Option<KnownModule> {
        if module == contracts.webauthn_validator {
            Some(KnownModule::Passkeys)
        } else if module == contracts.session_key_validator {
            Some(KnownModule::Sessions)
        } else if Some(module) == contracts.guardian_recovery {
            Some(KnownModule::Recovery)
        } else {
            None
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            KnownModule::Passkeys => "SSO Wallet passkeys",
            KnownModule::Sessions => "SSO Wallet sessions",
            KnownModule::Recovery => "SSO Wallet guardian recovery",
        }
    }
}

/// A module the account's events say is installed (before the background checks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledModule {
    /// Its type.
    pub module_type: ModuleType,
    /// The module.
    pub module: Address,
}

/// A module the wallet knows is installed on its account on one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnownModuleInstall {
    /// The network.
    pub chain_id: u64,
    /// The account.
    pub account: Address,
    /// The module and its type.
    pub installed: InstalledModule,
    /// For a fallback handler, the selectors it handles (the events do not name them: those
    /// installed through this wallet).
    #[serde(default)]
    pub selectors: Vec<FixedBytes<4>>,
}

/// The most modules the wallet keeps per account and network.
pub const MAX_KNOWN_MODULES: usize = 64;

/// The modules installed on `account`, replaying its `ModuleInstalled` / `ModuleUninstalled`
/// logs in order (an uninstall cancels the install before it). Logs from another contract,
/// with another signature, or with data that does not decode are skipped; a fallback handler
/// is listed once however many selectors it handles (the events do not name them), while it
/// has had more installs than uninstalls (one of each per selector).
pub fn installed_from_logs(account: Address, logs: &[Log]) -> Vec<InstalledModule> {
    // Each listed module with its installs not yet undone (1 except for fallback handlers).
    let mut installed: Vec<(InstalledModule, u32)> = Vec::new();
    for log in logs.iter().filter(|l| l.address == account) {
        let Some(topic) = log.topics.first() else {
            continue;
        };
        let (install, module_type_id, module) =
            if *topic == IERC7579ModuleConfig::ModuleInstalled::SIGNATURE_HASH {
                match <(U256, Address)>::abi_decode(&log.data) {
                    Ok((t, m)) => (true, t, m),
                    Err(_) => continue,
                }
            } else if *topic == IERC7579ModuleConfig::ModuleUninstalled::SIGNATURE_HASH {
                match <(U256, Address)>::abi_decode(&log.data) {
                    Ok((t, m)) => (false, t, m),
                    Err(_) => continue,
                }
            } else {
                continue;
            };
        let Some(module_type) = ModuleType::from_id(module_type_id) else {
            continue;
        };
        let entry = InstalledModule {
            module_type,
            module,
        };
        let at = installed.iter().position(|(m, _)| *m == entry);
        match (install, at) {
            (true, None) => installed.push((entry, 1)),
            // A fallback handler installed for another selector.
            (true, Some(i)) if module_type == ModuleType::FallbackHandler => installed[i].1 += 1,
            (true, Some(_)) => {}
            (false, Some(i)) => {
                installed[i].1 -= 1;
                if installed[i].1 == 0 || module_type != ModuleType::FallbackHandler {
                    installed.remove(i);
                }
            }
            (false, None) => {}
        }
    }
    installed.into_iter().map(|(m, _)| m).collect()
}

/// The topics of the account's module events (for `eth_getLogs`).
pub fn event_topics() -> serde_json::Value {
    serde_json::json!([[
        IERC7579ModuleConfig::ModuleInstalled::SIGNATURE_HASH,
        IERC7579ModuleConfig::ModuleUninstalled::SIGNATURE_HASH
    ]])
}

/// The wallet's guard on an install: its own validators are installed by its own flows only (a
/// site offering the session validator with sessions in its init data would create sessions
/// the wallet never shows; re-installing the passkey validator could add keys).
pub fn check_install(change: &ModuleChange, contracts: &Contracts) -> Result<()> {
    match KnownModule::of(change.module, contracts) {
        Some(known) if change.install => Err(Error::NotAllowed(format!(
            "{} is SSO Wallet's own module: the wallet installs it itself, when it is needed.",
            known.name()
        ))),
        _ => Ok(()),
    }
}

/// The wallet's guard on an uninstall, beyond the contract's: the passkey validator is never
/// uninstalled while it holds the only keys this wallet signs with — unless another validator
/// that is neither the passkey nor the session validator is installed, it is refused.
pub fn check_uninstall(
    change: &ModuleChange,
    installed: &[InstalledModule],
    contracts: &Contracts,
) -> Result<()> {
    if change.install {
        return Ok(());
    }
    // Installed as executor and validator together, it is turned off as a whole, from its tab:
    // one type uninstalled alone would leave recovery half working.
    if KnownModule::of(change.module, contracts) == Some(KnownModule::Recovery) {
        return Err(Error::NotAllowed(
            "Guardian recovery is turned off from the Recovery tab (remove every guardian), not uninstalled here."
                .into(),
        ));
    }
    let listed = installed
        .iter()
        .any(|m| m.module == change.module && m.module_type == change.module_type);
    if !listed {
        return Err(Error::NotAllowed(format!(
            "{} is not installed on this account as a {}.",
            change.module,
            change.module_type.name()
        )));
    }
    if change.module_type == ModuleType::Validator && change.module == contracts.webauthn_validator
    {
        let other_owner = installed.iter().any(|m| {
            m.module_type == ModuleType::Validator
                && m.module != contracts.webauthn_validator
                && m.module != contracts.session_key_validator
                && Some(m.module) != contracts.guardian_recovery
        });
        if !other_owner {
            return Err(Error::NotAllowed(
                "The passkey validator holds the account's only keys: uninstalling it would leave no way to sign, and the account would be lost."
                    .into(),
            ));
        }
    }
    Ok(())
}

/// The session validator's `deInitData` that closes `sessions` as it is uninstalled.
pub fn session_validator_deinit(sessions: &[B256]) -> Bytes {
    sessions.to_vec().abi_encode().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    const ACCOUNT: Address = address!("00000000000000000000000000000000000000ac");

    fn contracts() -> Contracts {
        Contracts {
            entry_point: Address::repeat_byte(0x43),
            account_factory: Address::repeat_byte(0xfa),
            webauthn_validator: Address::repeat_byte(0x01),
            session_key_validator: Address::repeat_byte(0x02),
            guardian_recovery: Some(Address::repeat_byte(0x03)),
        }
    }

    fn log(install: bool, module_type: u64, module: Address) -> Log {
        let topic = if install {
            IERC7579ModuleConfig::ModuleInstalled::SIGNATURE_HASH
        } else {
            IERC7579ModuleConfig::ModuleUninstalled::SIGNATURE_HASH
        };
        Log {
            address: ACCOUNT,
            topics: vec![topic],
            data: (U256::from(module_type), module).abi_encode().into(),
            ..Default::default()
        }
    }

    #[test]
    fn events_replayed_in_order() {
        let (a, b, c) = (
            Address::repeat_byte(0xa0),
            Address::repeat_byte(0xb0),
            Address::repeat_byte(0xc0),
        );
        let mut logs = vec![
            log(true, 1, contracts().webauthn_validator),
            log(true, 2, a),
            log(true, 3, b),
            log(true, 3, b), // a second selector
            log(false, 2, a),
            log(true, 2, a),
            log(true, 2, c),
            log(false, 2, c),
            log(true, 4, c),  // a hook: not supported, skipped
            log(false, 3, b), // one selector of two: still listed
            log(true, 3, c),
            log(false, 3, c), // its only selector: gone
        ];
        // Another contract's log and undecodable data are skipped.
        let mut foreign = log(true, 2, c);
        foreign.address = Address::repeat_byte(0xee);
        logs.push(foreign);
        logs.push(Log {
            address: ACCOUNT,
            topics: vec![IERC7579ModuleConfig::ModuleInstalled::SIGNATURE_HASH],
            data: Bytes::from_static(&[1, 2, 3]),
            ..Default::default()
        });
        logs.push(Log {
            address: ACCOUNT,
            topics: vec![],
            data: Bytes::new(),
            ..Default::default()
        });
        let installed = installed_from_logs(ACCOUNT, &logs);
        assert_eq!(
            installed,
            vec![
                InstalledModule {
                    module_type: ModuleType::Validator,
                    module: contracts().webauthn_validator
                },
                InstalledModule {
                    module_type: ModuleType::FallbackHandler,
                    module: b
                },
                InstalledModule {
                    module_type: ModuleType::Executor,
                    module: a
                },
            ]
        );
    }

    #[test]
    fn the_passkey_validator_is_never_uninstalled_while_it_holds_the_only_keys() {
        let c = contracts();
        let passkeys = InstalledModule {
            module_type: ModuleType::Validator,
            module: c.webauthn_validator,
        };
        let sessions = InstalledModule {
            module_type: ModuleType::Validator,
            module: c.session_key_validator,
        };
        let uninstall = ModuleChange::new(
            false,
            ModuleType::Validator,
            c.webauthn_validator,
            Bytes::new(),
        )
        .unwrap();
        let err =
            check_uninstall(&uninstall, &[passkeys.clone(), sessions.clone()], &c).unwrap_err();
        assert!(
            matches!(err, Error::NotAllowed(ref m) if m.contains("only keys")),
            "{err}"
        );
        // The recovery module validates only recovery UserOps: it is no owner either.
        let recovery = InstalledModule {
            module_type: ModuleType::Validator,
            module: c.guardian_recovery.unwrap(),
        };
        let err =
            check_uninstall(&uninstall, &[passkeys.clone(), recovery.clone()], &c).unwrap_err();
        assert!(
            matches!(err, Error::NotAllowed(ref m) if m.contains("only keys")),
            "{err}"
        );
        // And it is not uninstalled here, as either type: recovery is turned off from its tab.
        for module_type in [ModuleType::Validator, ModuleType::Executor] {
            let drop =
                ModuleChange::new(false, module_type, recovery.module, Bytes::new()).unwrap();
            let err = check_uninstall(&drop, std::slice::from_ref(&recovery), &c).unwrap_err();
            assert!(err.to_string().contains("Recovery tab"), "{err}");
        }
        // Another owner validator installed: allowed.
        let other = InstalledModule {
            module_type: ModuleType::Validator,
            module: Address::repeat_byte(0x77),
        };
        assert!(
            check_uninstall(&uninstall, &[passkeys.clone(), sessions.clone(), other], &c).is_ok()
        );
        // The session validator can go; a module that is not installed cannot.
        let drop_sessions = ModuleChange::new(
            false,
            ModuleType::Validator,
            c.session_key_validator,
            Bytes::new(),
        )
        .unwrap();
        assert!(check_uninstall(&drop_sessions, &[passkeys.clone(), sessions], &c).is_ok());
        let err = check_uninstall(&drop_sessions, &[passkeys], &c).unwrap_err();
        assert!(err.to_string().contains("not installed"), "{err}");
    }

    #[test]
    fn the_wallets_own_validators_are_never_installed_on_request() {
        let c = contracts();
        for module in [
            c.webauthn_validator,
            c.session_key_validator,
            c.guardian_recovery.unwrap(),
        ] {
            let change =
                ModuleChange::new(true, ModuleType::Validator, module, Bytes::new()).unwrap();
            let err = check_install(&change, &c).unwrap_err();
            assert!(err.to_string().contains("SSO Wallet's own module"), "{err}");
            // Uninstalling is another question (check_uninstall).
            assert!(
                check_install(
                    &ModuleChange {
                        install: false,
                        ..change
                    },
                    &c
                )
                .is_ok()
            );
        }
        let other = ModuleChange::new(
            true,
            ModuleType::Executor,
            Address::repeat_byte(0x99),
            Bytes::new(),
        )
        .unwrap();
        assert!(check_install(&other, &c).is_ok());
    }

    #[test]
    fn install_requests_are_read_totally_and_bounded() {
        let module = Address::repeat_byte(0x55);
        let ok = serde_json::json!([{ "moduleTypeId": "0x2", "module": module, "initData": "0x1234", "chainId": "0x7a69" }]);
        let (change, chain) = parse_install_request(&ok).unwrap();
        assert_eq!(
            (change.module_type, change.module, chain),
            (ModuleType::Executor, module, Some(31337))
        );
        assert!(change.install);
        for (id, expected) in [
            (serde_json::json!(1), ModuleType::Validator),
            (serde_json::json!("executor"), ModuleType::Executor),
            (serde_json::json!("fallback"), ModuleType::FallbackHandler),
        ] {
            let req = serde_json::json!([{ "moduleTypeId": id, "module": module, "initData": "0xaabbccdd" }]);
            assert_eq!(parse_install_request(&req).unwrap().0.module_type, expected);
        }
        let selector = parse_install_request(&serde_json::json!([{ "moduleTypeId": 3, "module": module, "initData": "0xaabbccdd00" }]))
            .unwrap()
            .0
            .selector();
        assert_eq!(selector, Some(FixedBytes::from([0xaa, 0xbb, 0xcc, 0xdd])));
        let too_long = format!("0x{}", "00".repeat(MAX_MODULE_DATA + 1));
        for bad in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([{ "moduleTypeId": 4, "module": module }]),
            serde_json::json!([{ "moduleTypeId": "0x", "module": module }]),
            serde_json::json!([{ "moduleTypeId": "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "module": module }]),
            serde_json::json!([{ "moduleTypeId": -1, "module": module }]),
            serde_json::json!([{ "moduleTypeId": 2, "module": Address::ZERO }]),
            serde_json::json!([{ "moduleTypeId": 2, "module": "0x12" }]),
            serde_json::json!([{ "moduleTypeId": 3, "module": module, "initData": "0xaabbcc" }]),
            serde_json::json!([{ "moduleTypeId": 2, "module": module, "initData": too_long }]),
            serde_json::json!([{ "moduleTypeId": 2, "module": module, "extra": 1 }]),
            serde_json::json!([{ "moduleTypeId": 2, "module": module }, {}]),
        ] {
            let err = parse_install_request(&bad).unwrap_err();
            assert!(matches!(err, Error::InvalidParams(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn the_call_is_to_the_account_itself() {
        let change = ModuleChange::new(
            true,
            ModuleType::Executor,
            Address::repeat_byte(0x55),
            Bytes::from_static(&[9]),
        )
        .unwrap();
        let call = change.call(ACCOUNT);
        assert_eq!(call.to, ACCOUNT);
        let decoded = IERC7579ModuleConfig::installModuleCall::abi_decode(&call.data).unwrap();
        assert_eq!(
            (decoded.moduleTypeId, decoded.module, decoded.initData),
            (U256::from(2), change.module, change.data.clone())
        );
        let out = ModuleChange {
            install: false,
            ..change
        };
        let decoded =
            IERC7579ModuleConfig::uninstallModuleCall::abi_decode(&out.call(ACCOUNT).data).unwrap();
        assert_eq!(decoded.moduleTypeId, U256::from(2));
    }

    #[test]
    fn session_validator_deinit_lists_the_sessions() {
        let hashes = [B256::repeat_byte(1), B256::repeat_byte(2)];
        let data = session_validator_deinit(&hashes);
        // Solidity's abi.encode(bytes32[]): offset, length, items.
        assert_eq!(data.len(), 128);
        assert_eq!(data[31], 0x20);
        assert_eq!(<Vec<B256>>::abi_decode(&data).unwrap(), hashes.to_vec());
    }
}
