//! Creating the wallet's account from a new passkey: the passkey's public key (from its
//! attestation) and the factory's counterfactual address for it become the account.

use sso_wallet::account::Account;
use sso_wallet::webauthn;
use sso_wallet::{Error, Result};

use crate::{chain, chrome, state};

/// Makes a freshly created passkey the owner of the wallet's account.
pub async fn create_account(attestation_object: &[u8]) -> Result<Account> {
    let passkey = webauthn::parse_attestation_object(attestation_object)?;
    let network = state::network().await?;
    chain::require_deployed(&network).await?;
    let mut account = Account {
        address: Default::default(),
        salt: Default::default(),
        passkey,
        origin_domain: chrome::webauthn_origin(),
        creation_origin: None,
        signer: None,
    };
    account.address = chain::counterfactual_address(&network, &account).await?;
    state::update_wallet(|w| {
        if w.account.is_some() {
            return Err(Error::invalid_params("the wallet already has an account"));
        }
        w.account = Some(account.clone());
        Ok(())
    })
    .await?;
    crate::passkeys::name_new(&account.passkey.credential_id).await?;
    Ok(account)
}
