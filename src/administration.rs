//! Calls that administer the account: to the account itself (module installs, its own
//! `execute`), to the zero address (which the account executes as a call to itself), to its
//! validators (adding keys, creating sessions), to its other modules, or to the EntryPoint
//! (deposits, stakes). Dapps may not make them — neither in a transaction the user approves nor
//! in a session's policy: the wallet's own pages are the only way to administer the account.

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::erc7579::Call;
use crate::{Error, Result};

/// What a protected call target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BannedTarget {
    /// The zero address, which the account executes as a call to itself.
    Zero,
    /// The account itself (it could reconfigure itself).
    Account,
    /// A validator of the account (it could add keys or sessions).
    Validator,
    /// A module installed on the account.
    Module,
    /// The EntryPoint (deposits, stakes).
    EntryPoint,
}

impl std::fmt::Display for BannedTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BannedTarget::Zero => "the zero address, which the account executes as itself",
            BannedTarget::Account => "the account itself",
            BannedTarget::Validator => "a validator of the account",
            BannedTarget::Module => "a module installed on the account",
            BannedTarget::EntryPoint => "the EntryPoint",
        })
    }
}

/// The addresses a dapp's calls may not target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Protected {
    /// The account.
    pub account: Address,
    /// Its validators (the passkey and session validators, at least).
    pub validators: Vec<Address>,
    /// Its other modules (executors, fallback handlers, hooks) the wallet knows of.
    pub modules: Vec<Address>,
    /// The EntryPoint.
    pub entry_point: Address,
}

impl Protected {
    /// The addresses protected for `account` on a chain with these contracts: the account, the
    /// passkey and session validators, the guardian recovery module (installed or not: a dapp
    /// may neither change the account's guardians nor make it approve another account's
    /// recovery), and the EntryPoint.
    pub fn of(account: Address, contracts: &crate::network::Contracts) -> Self {
        let mut validators = vec![
            contracts.webauthn_validator,
            contracts.session_key_validator,
        ];
        validators.extend(contracts.guardian_recovery);
        Protected {
            account,
            validators,
            modules: Vec::new(),
            entry_point: contracts.entry_point,
        }
    }

    /// The same, with the other modules the wallet knows installed (executors, fallback
    /// handlers, validators besides its own).
    pub fn with_modules(mut self, modules: Vec<Address>) -> Self {
        self.modules = modules
            .into_iter()
            .filter(|m| !self.validators.contains(m))
            .collect();
        self
    }

    /// What `target` is, if it is protected.
    pub fn classify(&self, target: Address) -> Option<BannedTarget> {
        if target == Address::ZERO {
            Some(BannedTarget::Zero)
        } else if target == self.account {
            Some(BannedTarget::Account)
        } else if self.validators.contains(&target) {
            Some(BannedTarget::Validator)
        } else if self.modules.contains(&target) {
            Some(BannedTarget::Module)
        } else if target == self.entry_point {
            Some(BannedTarget::EntryPoint)
        } else {
            None
        }
    }

    /// Refuses a dapp's calls if any targets a protected address
    /// ([`Error::AccountAdministration`], 4100).
    pub fn check(&self, calls: &[Call]) -> Result<()> {
        match calls
            .iter()
            .enumerate()
            .find_map(|(i, c)| Some((i, c.to, self.classify(c.to)?)))
        {
            Some((call, target, what)) => Err(Error::AccountAdministration { call, target, what }),
            None => Ok(()),
        }
    }
}

/// Refuses a site's typed data whose EIP-712 domain is the guardian recovery module's
/// ([`Error::NotAllowed`], 4100): signed by this account, it would be a guardian's approval of
/// someone's recovery, which anyone could submit (the module accepts guardians' ERC-1271
/// signatures). Guardians approve from the wallet's own Recovery tab, which shows what they
/// approve.
pub fn check_signing_domain(
    verifying_contract: Option<Address>,
    contracts: &crate::network::Contracts,
) -> Result<()> {
    match (verifying_contract, contracts.guardian_recovery) {
        (Some(contract), Some(module)) if contract == module => Err(Error::NotAllowed(
            "Sites may not ask for a guardian's approval of a recovery: approve a recovery from SSO Wallet's Recovery tab, which shows whose account and which passkey."
                .into(),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eip1193::{ProviderError, code};
    use alloy_primitives::{Bytes, U256};

    fn protected() -> Protected {
        Protected {
            account: Address::repeat_byte(0xac),
            validators: vec![Address::repeat_byte(0x01), Address::repeat_byte(0x02)],
            modules: vec![Address::repeat_byte(0x03)],
            entry_point: Address::repeat_byte(0x43),
        }
    }

    fn call(to: Address) -> Call {
        Call {
            to,
            value: U256::ZERO,
            data: Bytes::from_static(&[1, 2, 3, 4]),
        }
    }

    #[test]
    fn every_protected_target_is_refused_with_4100() {
        let p = protected();
        for (to, what) in [
            (Address::ZERO, BannedTarget::Zero),
            (p.account, BannedTarget::Account),
            (p.validators[1], BannedTarget::Validator),
            (p.modules[0], BannedTarget::Module),
            (p.entry_point, BannedTarget::EntryPoint),
        ] {
            let calls = [call(Address::repeat_byte(0xbb)), call(to)];
            let err = p.check(&calls).unwrap_err();
            assert_eq!(
                err,
                Error::AccountAdministration {
                    call: 1,
                    target: to,
                    what
                }
            );
            assert_eq!(ProviderError::from(&err).code, code::UNAUTHORIZED);
            assert!(err.to_string().contains("SSO Wallet"), "{err}");
        }
        assert!(p.check(&[call(Address::repeat_byte(0xbb))]).is_ok());
        assert!(p.check(&[]).is_ok());
    }

    fn contracts() -> crate::network::Contracts {
        crate::network::Contracts {
            entry_point: Address::repeat_byte(0x43),
            account_factory: Address::repeat_byte(0xfa),
            webauthn_validator: Address::repeat_byte(0x01),
            session_key_validator: Address::repeat_byte(0x02),
            guardian_recovery: Some(Address::repeat_byte(0x03)),
        }
    }

    #[test]
    fn typed_data_for_the_recovery_module_is_refused() {
        let contracts = contracts();
        let err = check_signing_domain(Some(Address::repeat_byte(0x03)), &contracts).unwrap_err();
        assert!(err.to_string().contains("guardian's approval"), "{err}");
        assert!(check_signing_domain(Some(Address::repeat_byte(0x04)), &contracts).is_ok());
        assert!(check_signing_domain(None, &contracts).is_ok());
    }

    #[test]
    fn modules_the_wallet_knows_are_protected() {
        let contracts = contracts();
        assert_eq!(
            Protected::of(Address::repeat_byte(0xac), &contracts)
                .classify(Address::repeat_byte(0x03)),
            Some(BannedTarget::Validator),
            "the recovery module, installed or not"
        );
        let executor = Address::repeat_byte(0xe0);
        let p = Protected::of(Address::repeat_byte(0xac), &contracts)
            .with_modules(vec![contracts.webauthn_validator, executor]);
        assert_eq!(p.classify(executor), Some(BannedTarget::Module));
        assert_eq!(
            p.classify(contracts.webauthn_validator),
            Some(BannedTarget::Validator)
        );
        assert_eq!(p.modules, vec![executor]);
    }
}
