//! The passkey-owned smart account: what the wallet remembers about it and how it is deployed
//! counterfactually through the factory on its first UserOperation.

use alloy_primitives::{Address, B256, Bytes};
use alloy_sol_types::SolCall;
use serde::{Deserialize, Serialize};

use crate::abi::IAccountFactory;
use crate::webauthn::Passkey;

/// The account record kept in storage. Everything in it can be recovered from the chain and
/// the passkey (the address is the factory's view of salt + passkey).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The account address (identical on every chain with the same factory).
    pub address: Address,
    /// The factory salt.
    pub salt: B256,
    /// The passkey the account was created with (the factory's parameters, with the salt).
    pub passkey: Passkey,
    /// The WebAuthn origin the passkey signs for (`chrome-extension://<id>`).
    pub origin_domain: String,
    /// The passkey this browser signs with, when it is not the one the account was created with
    /// (logged in with a passkey added later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<Passkey>,
}

impl Account {
    /// The passkey this browser signs with.
    pub fn signing_passkey(&self) -> &Passkey {
        self.signer.as_ref().unwrap_or(&self.passkey)
    }

    /// The factory's `getAddress` call for this account's parameters (salt and first passkey).
    pub fn get_address_call(&self) -> IAccountFactory::getAddressCall {
        IAccountFactory::getAddressCall {
            salt: self.salt,
            credentialId: self.passkey.credential_id.clone(),
            publicKey: self.passkey.public_key,
            originDomain: self.origin_domain.clone(),
        }
    }

    /// The `factoryData` that deploys this account.
    pub fn factory_data(&self) -> Bytes {
        IAccountFactory::createAccountCall {
            salt: self.salt,
            credentialId: self.passkey.credential_id.clone(),
            publicKey: self.passkey.public_key,
            originDomain: self.origin_domain.clone(),
        }
        .abi_encode()
        .into()
    }
}
