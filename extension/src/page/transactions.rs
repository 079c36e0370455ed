//! `eth_sendTransaction`: refused if it would administer the account; signed silently by one of
//! the site's sessions if one covers it; otherwise a passkey approval of the prepared
//! UserOperation. The dapp gets the bundle transaction's hash once it is included.

use serde_json::{Value, json};

use sso_wallet::administration::Protected;
use sso_wallet::approval::ApprovalKind;
use sso_wallet::eip1193;
use sso_wallet::{Error, Result};

use super::Request;
use crate::session::{self, Attempt};
use crate::{approvals, bundler, state, userop};

pub async fn handle(request: Request) -> Result<Option<Value>> {
    let tx = eip1193::send_transaction_params(request.params.clone())?;
    let account = request.account()?;
    request.check_claimed(tx.from, &account)?;
    let network = state::network().await?;
    if tx.chain_id.is_some_and(|c| c != network.chain_id) {
        return Err(Error::invalid_params(format!(
            "chainId does not match the wallet's network ({})",
            network.chain_id
        )));
    }
    let calls = vec![tx.call];
    Protected::of(account.address, &network.contracts)
        .with_modules(
            state::read_wallet(|w| w.known_modules(network.chain_id, account.address)).await?,
        )
        .check(&calls)?;
    let fallback = match session::try_send(
        &network,
        &account,
        &request.origin,
        &calls,
        None,
        None,
        network.sponsor(None).as_ref(),
    )
    .await?
    {
        Attempt::Sent(hash) => {
            return Ok(Some(json!(bundler::wait(&network, hash).await?)));
        }
        Attempt::Fallback(reason) => reason,
    };
    let mut prepared = userop::prepare_network_sponsored(&network, &account, calls).await?;
    prepared.session_fallback = fallback;
    approvals::enqueue(
        &request.origin,
        request.reply_to,
        ApprovalKind::SendTransaction(Box::new(prepared)),
    )
    .await?;
    Ok(None)
}
