//! Reads what the approval window needs to explain calls: whether each callee has code, the
//! ERC-20 symbol and decimals for token calls, and the account's balance. Lookups that fail only
//! leave the explanation shorter; they never block the request.

use alloy_primitives::{Address, Bytes, U256};

use sso_wallet::abi::IERC20Metadata;
use sso_wallet::approval::ExplainedCall;
use sso_wallet::decode::{self, TokenInfo, Warning};
use sso_wallet::erc7579::Call;
use sso_wallet::network::Network;
use sso_wallet::simulate::{self, Asset, Simulation};
use sso_wallet::untrusted;

use crate::{chain, rpc};

/// An ERC-20's symbol and decimals, if it answers both with values a person can read
/// ([`untrusted::token_symbol`], [`untrusted::token_decimals`]): they are the token's own claim,
/// shown as such.
pub async fn token(network: &Network, to: Address) -> Option<TokenInfo> {
    let url = &network.rpc_url;
    let (symbol, decimals) = futures::join!(
        rpc::call_contract(url, to, &IERC20Metadata::symbolCall {}, "latest"),
        rpc::call_contract(url, to, &IERC20Metadata::decimalsCall {}, "latest"),
    );
    Some(TokenInfo {
        symbol: untrusted::token_symbol(&symbol.ok()?)?,
        decimals: untrusted::token_decimals(decimals.ok()?)?,
    })
}

async fn explain_call(network: &Network, call: &Call) -> ExplainedCall {
    let code = async { chain::is_deployed(network, call.to).await.unwrap_or(true) };
    let token = async {
        if decode::is_erc20_call(&call.data) {
            token(network, call.to).await
        } else {
            None
        }
    };
    let (has_code, token) = futures::join!(code, token);
    ExplainedCall {
        decoded: decode::decode(&call.data, token.as_ref()),
        warnings: decode::call_warnings(call, has_code),
    }
}

/// Explanations for every call, and the request-level warnings.
pub async fn explain(
    network: &Network,
    account: Address,
    calls: &[Call],
) -> (Vec<ExplainedCall>, Vec<Warning>) {
    let balance = async { chain::balance(network, account).await.ok() };
    let (explained, balance) = futures::join!(
        futures::future::join_all(calls.iter().map(|c| explain_call(network, c))),
        balance
    );
    let value = calls
        .iter()
        .fold(U256::ZERO, |sum, c| sum.saturating_add(c.value));
    let warnings = match balance {
        Some(balance) if value > balance => vec![Warning::ValueOverBalance { value, balance }],
        _ => Vec::new(),
    };
    (explained, warnings)
}

/// The account's expected balance changes for a UserOperation's execution (`eth_simulateV1`),
/// as lines for the approval window, plus a warning if the simulation reverts. `None` when the
/// node cannot simulate (the window then shows no simulation).
pub async fn simulate_changes(
    network: &Network,
    account: Address,
    deployment: Option<(Address, &Bytes)>,
    call_data: &Bytes,
) -> (Option<Vec<String>>, Option<Warning>) {
    let params = simulate::params(
        network.contracts.entry_point,
        account,
        deployment,
        call_data,
    );
    let Ok(result) = rpc::call(&network.rpc_url, "eth_simulateV1", params).await else {
        return (None, None);
    };
    match simulate::interpret(result, account) {
        None => (None, None),
        Some(Simulation::Reverts { reason }) => (None, Some(Warning::SimulationReverts { reason })),
        Some(Simulation::Changes { changes, more }) => {
            let mut lines = futures::future::join_all(changes.iter().map(|change| async move {
                let sign = if change.delta.is_negative() {
                    "−"
                } else {
                    "+"
                };
                let amount = change.delta.unsigned_abs();
                match change.asset {
                    Asset::Eth => format!("{sign}{}", sso_wallet::units::format_ether(amount)),
                    // The symbol is the token's own claim: its address goes with it (a token
                    // may call itself "ETH").
                    Asset::Token { token: address } => match token(network, address).await {
                        Some(info) => format!(
                            "{sign}{} {} (token {})",
                            sso_wallet::units::format_units(amount, info.decimals),
                            info.symbol,
                            sso_wallet::activity::short(address)
                        ),
                        None => format!("{sign}{amount} units of token {address}"),
                    },
                    Asset::Nft { token, id } => format!("{sign}NFT #{id} of {token}"),
                }
            }))
            .await;
            if more > 0 {
                lines.push(format!("…and {more} more assets change"));
            }
            (Some(lines), None)
        }
    }
}
