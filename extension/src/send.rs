//! The home page's Send: ETH or a listed ERC-20 of the selected network, checked
//! ([`sso_wallet::send`]), prepared as a UserOperation and queued for the approval window and
//! the passkey as the wallet's own request (nobody waits for the answer: Activity shows it);
//! what "Max" sends; and what to note about a recipient before the user reviews.

use alloy_primitives::{Address, U256};

use sso_wallet::abi::IERC20Metadata;
use sso_wallet::account::Account;
use sso_wallet::administration::Protected;
use sso_wallet::approval::{ApprovalKind, PreparedTransaction, ReplyTo};
use sso_wallet::network::Network;
use sso_wallet::send::{
    Asset, RecipientFacts, RecipientNote, SendAmount, max_native, parse_amount, recipient_notes,
    send_call,
};
use sso_wallet::units::{Readable, format_units};
use sso_wallet::{Error, Result};

use crate::{activity, approvals, chain, chrome, rpc, state, userop};

/// How often "Max" of ETH prepares again when the fee rose between two estimates.
const MAX_ROUNDS: usize = 3;
/// Where the fee of a "Max" is estimated to when no recipient is typed yet.
const SOME_RECIPIENT: Address = Address::repeat_byte(0x5e);

/// Checks the send, prepares it and queues it for the approval window.
pub async fn send(to: Address, token: Option<Address>, amount: SendAmount) -> Result<()> {
    let (account, network, asset) = sender(token).await?;
    let prepared = match (amount, asset) {
        (SendAmount::Exact(typed), _) => {
            let value = parse_amount(&typed, asset)?;
            prepare(&network, &account, to, asset, value).await?
        }
        (SendAmount::Max, Asset::Erc20 { token, .. }) => {
            let value = token_balance(&network, account.address, token).await?;
            prepare(&network, &account, to, asset, value).await?
        }
        (SendAmount::Max, Asset::Native) => native_max(&network, &account, to).await?.1,
    };
    approvals::enqueue(
        &chrome::extension_origin(),
        ReplyTo::nobody(),
        ApprovalKind::SendTransaction(Box::new(prepared)),
    )
    .await
}

/// What "Max" would send now, for the amount field: all of a token; for ETH, the balance less
/// the most a send to `to` (or to some address, before one is typed) can cost.
pub async fn max(
    to: Option<Address>,
    token: Option<Address>,
) -> Result<(String, Option<Readable>)> {
    let (account, network, asset) = sender(token).await?;
    match asset {
        Asset::Erc20 { token, decimals } => {
            let value = token_balance(&network, account.address, token).await?;
            Ok((format_units(value, decimals), None))
        }
        Asset::Native => {
            let to = to.unwrap_or(SOME_RECIPIENT);
            let (value, prepared) = native_max(&network, &account, to).await?;
            let fee = Readable::ether(prepared.user_op.account_max_cost());
            Ok((format_units(value, 18), Some(fee)))
        }
    }
}

/// What to note about sending to `to` on the selected network.
pub async fn check_recipient(to: Address) -> Result<Vec<RecipientNote>> {
    let (account, network, _) = sender(None).await?;
    let (code, balance, nonce, records) = futures::join!(
        chain::code(&network, to),
        chain::balance(&network, to),
        chain::transaction_count(&network, to),
        activity::records(),
    );
    Ok(recipient_notes(RecipientFacts {
        sent_before: sso_wallet::activity::sent_before(
            &records?,
            account.address,
            network.chain_id,
            to,
        ),
        has_code: !code?.is_empty(),
        used: !balance?.is_zero() || !nonce?.is_zero(),
    }))
}

/// The account, the selected network and the asset: ETH, or `token` when it is an ERC-20
/// listed on that network.
async fn sender(token: Option<Address>) -> Result<(Account, Network, Asset)> {
    let wallet = state::wallet().await?;
    let account = wallet
        .account
        .clone()
        .ok_or_else(|| Error::NotAllowed("there is no account yet".into()))?;
    let network = state::network().await?;
    let asset = match token {
        None => Asset::Native,
        Some(address) => {
            let listed = wallet
                .tokens
                .iter()
                .find(|t| t.chain_id == network.chain_id && t.address == address && t.nft.is_none())
                .ok_or_else(|| {
                    Error::invalid_params(format!(
                        "{address} is not an ERC-20 listed on {}: add it first",
                        network.name
                    ))
                })?;
            Asset::Erc20 {
                token: address,
                decimals: listed.decimals,
            }
        }
    };
    Ok((account, network, asset))
}

/// The UserOperation that sends `value` of `asset` to `to`.
async fn prepare(
    network: &Network,
    account: &Account,
    to: Address,
    asset: Asset,
    value: U256,
) -> Result<PreparedTransaction> {
    let calls = vec![send_call(account.address, to, asset, value)?];
    Protected::of(account.address, &network.contracts)
        .with_modules(
            state::read_wallet(|w| w.known_modules(network.chain_id, account.address)).await?,
        )
        .check(&calls)?;
    userop::prepare_network_sponsored(network, account, calls).await
}

/// All the ETH less the most the send can cost: estimated for 1 wei, then prepared with the
/// balance less that fee until the operation's own most-it-can-cost fits (the fee can move
/// between two estimates).
async fn native_max(
    network: &Network,
    account: &Account,
    to: Address,
) -> Result<(U256, PreparedTransaction)> {
    let balance = chain::balance(network, account.address).await?;
    let mut value = None;
    for _ in 0..MAX_ROUNDS {
        let sent = value.unwrap_or(U256::from(1));
        let prepared = prepare(network, account, to, Asset::Native, sent).await?;
        let cost = prepared.user_op.account_max_cost();
        if value.is_some() && sent.saturating_add(cost) <= balance {
            return Ok((sent, prepared));
        }
        value = Some(max_native(balance, cost)?);
    }
    Err(Error::NotAllowed(
        "the network fee kept rising while the wallet estimated it; try Max again".into(),
    ))
}

/// The account's balance of an ERC-20.
async fn token_balance(network: &Network, account: Address, token: Address) -> Result<U256> {
    let call = IERC20Metadata::balanceOfCall { owner: account };
    rpc::call_contract(&network.rpc_url, token, &call, "latest").await
}
