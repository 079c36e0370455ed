//! Message signatures with the passkey: `personal_sign` and `eth_signTypedData_v4` / `_v3`
//! (ERC-7739 digests bound to the account and to the chain they are asked on; ERC-1271 /
//! ERC-6492), each a passkey approval; `eth_sign` and the legacy `eth_signTypedData` (v1) are
//! refused with their reasons.

use serde_json::Value;

use sso_wallet::approval::{ApprovalKind, PreparedSignature, SignContent};
use sso_wallet::eip1193::{self, Method};
use sso_wallet::erc1271;
use sso_wallet::{Error, Result};

use super::Request;
use crate::{approvals, state};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    if request.method == Method::EthSign {
        return Err(Error::Refused {
            method: "eth_sign".into(),
            reason: "it signs an arbitrary hash the user cannot read; use personal_sign or \
                     eth_signTypedData_v4"
                .into(),
        });
    }
    if request.method == Method::LegacyTypedData {
        return Err(Error::Refused {
            method: "eth_signTypedData (v1)".into(),
            reason: "the legacy format has no domain, so a signature could be replayed to any \
                     contract; use eth_signTypedData_v4"
                .into(),
        });
    }
    let account = request.account()?;
    let network = state::network().await?;
    let (signer, prepared) = match request.method {
        Method::PersonalSign => {
            let (message, signer) = eip1193::personal_sign_params(request.params.clone())?;
            let digest = erc1271::personal_sign_digest(&message, account.address, network.chain_id);
            let content = SignContent::Message { message };
            (
                signer,
                PreparedSignature {
                    content,
                    digest,
                    suffix: Default::default(),
                    chain_id: network.chain_id,
                },
            )
        }
        Method::SignTypedData(version) => {
            let (signer, typed, json) =
                eip1193::sign_typed_data_params(request.params.clone(), version)?;
            if let Some(chain) = typed.domain.chain_id
                && chain != alloy_primitives::U256::from(network.chain_id)
            {
                return Err(Error::invalid_params(format!(
                    "the typed data is for chain {chain}, the wallet is on {}",
                    network.chain_id
                )));
            }
            sso_wallet::administration::check_signing_domain(
                typed.domain.verifying_contract,
                &network.contracts,
            )?;
            let sign = erc1271::typed_data_sign(&typed, account.address, network.chain_id)?;
            let content = SignContent::TypedData { typed_data: json };
            let prepared = PreparedSignature {
                content,
                digest: sign.digest,
                suffix: sign.suffix,
                chain_id: network.chain_id,
            };
            (Some(signer), prepared)
        }
        other => {
            return Err(Error::Internal(format!(
                "{other:?} is not a signing method"
            )));
        }
    };
    request.check_claimed(signer, &account)?;
    approvals::enqueue(
        &request.origin,
        request.reply_to,
        ApprovalKind::Sign(Box::new(prepared)),
    )
    .await?;
    Ok(None)
}
