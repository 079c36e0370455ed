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
    /// The WebAuthn origin this browser's passkeys sign for (`chrome-extension://<id>`, or
    /// Firefox's, `relying_party`).
    pub origin_domain: String,
    /// The origin the first passkey was registered under, when it is not [`Self::origin_domain`]:
    /// an account created in another browser and logged into here with a passkey of this one
    /// (`passkey_link`). Part of the factory's parameters, with the salt and the first passkey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_origin: Option<String>,
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

    /// The origin the account's first passkey is registered under.
    pub fn creation_origin(&self) -> &str {
        self.creation_origin
            .as_deref()
            .unwrap_or(&self.origin_domain)
    }

    /// The factory's `getAddress` call for this account's parameters (salt and first passkey).
    pub fn get_address_call(&self) -> IAccountFactory::getAddressCall {
        IAccountFactory::getAddressCall {
            salt: self.salt,
            credentialId: self.passkey.credential_id.clone(),
            publicKey: self.passkey.public_key,
            originDomain: self.creation_origin().to_owned(),
        }
    }

    /// The `factoryData` that deploys this account.
    pub fn factory_data(&self) -> Bytes {
        IAccountFactory::createAccountCall {
            salt: self.salt,
            credentialId: self.passkey.credential_id.clone(),
            publicKey: self.passkey.public_key,
            originDomain: self.creation_origin().to_owned(),
        }
        .abi_encode()
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolCall;

    fn account(creation_origin: Option<&str>) -> Account {
        Account {
            address: Address::repeat_byte(1),
            salt: B256::ZERO,
            passkey: Passkey {
                credential_id: Bytes::from(vec![2u8; 16]),
                public_key: [B256::repeat_byte(3), B256::repeat_byte(4)],
            },
            origin_domain: "moz-extension://here".into(),
            creation_origin: creation_origin.map(str::to_owned),
            signer: None,
        }
    }

    #[test]
    fn the_factory_parameters_keep_the_first_passkeys_origin() {
        let here = account(None);
        assert_eq!(here.creation_origin(), "moz-extension://here");
        assert_eq!(here.get_address_call().originDomain, "moz-extension://here");
        // Created in Chrome, logged into from Firefox: the address and the deployment are Chrome's.
        let elsewhere = account(Some("chrome-extension://there"));
        assert_eq!(
            elsewhere.get_address_call().originDomain,
            "chrome-extension://there"
        );
        let deploy =
            IAccountFactory::createAccountCall::abi_decode(&elsewhere.factory_data()).unwrap();
        assert_eq!(deploy.originDomain, "chrome-extension://there");
        // Records written before the field existed read as created here.
        let mut json = serde_json::to_value(&here).unwrap();
        assert!(json.get("creationOrigin").is_none());
        json["creationOrigin"] = serde_json::Value::Null;
        let read: Account = serde_json::from_value(json).unwrap();
        assert_eq!(read, here);
    }
}
