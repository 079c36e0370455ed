//! Expected balance changes of a UserOperation's execution, from the node's `eth_simulateV1`
//! (with `traceTransfers`, so ETH movements appear as logs of `0xEeee…EEeE`): the account's
//! deployment (when it has no code yet) and then its `execute` call from the EntryPoint, in one
//! simulated block. Gas is not part of it (the approval window shows the fee separately).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, I256, U256, address, b256};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Where `traceTransfers` reports ETH movements.
pub const ETH_LOG_ADDRESS: Address = address!("EeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE");
/// `Transfer(address,address,uint256)` (ERC-20, and ERC-721 with the id indexed).
pub const TRANSFER_TOPIC: B256 =
    b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

/// Most balance changes the wallet lists for one operation (each may need a token lookup).
pub const MAX_CHANGES: usize = 12;

/// What moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Asset {
    /// The native currency.
    Eth,
    /// An ERC-20 token.
    Token {
        /// Its contract.
        token: Address,
    },
    /// One ERC-721 token.
    Nft {
        /// Its contract.
        token: Address,
        /// Its id.
        id: U256,
    },
}

/// The net change of one asset for the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceChange {
    /// The asset.
    pub asset: Asset,
    /// Net change (received − sent); ±1 for an NFT.
    pub delta: I256,
}

/// The outcome of a simulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Simulation {
    /// The execution succeeds with these changes (empty: nothing moves).
    Changes {
        /// Net changes, ETH first; at most [`MAX_CHANGES`].
        changes: Vec<BalanceChange>,
        /// How many more assets change (beyond [`MAX_CHANGES`]).
        #[serde(default)]
        more: usize,
    },
    /// The execution reverts, with the decoded reason when there is one.
    Reverts {
        /// Why.
        reason: Option<String>,
    },
}

/// `eth_simulateV1` params: optionally deploy the account (`factory` call), then run
/// `call_data` on it from the EntryPoint; transfers traced, no validation, no fee.
pub fn params(
    entry_point: Address,
    account: Address,
    deployment: Option<(Address, &Bytes)>,
    call_data: &Bytes,
) -> Value {
    let mut calls = Vec::new();
    if let Some((factory, data)) = deployment {
        calls.push(json!({"from": entry_point, "to": factory, "data": data}));
    }
    calls.push(json!({"from": entry_point, "to": account, "data": call_data}));
    json!([{
        "blockStateCalls": [{"calls": calls}],
        "traceTransfers": true,
        "validation": false,
    }, "latest"])
}

#[derive(Deserialize)]
struct Block {
    calls: Vec<CallResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallResult {
    status: U256,
    #[serde(default)]
    return_data: Bytes,
    #[serde(default)]
    logs: Vec<Log>,
}

#[derive(Deserialize)]
struct Log {
    address: Address,
    topics: Vec<B256>,
    #[serde(default)]
    data: Bytes,
}

fn signed(value: U256) -> I256 {
    I256::try_from(value).unwrap_or(I256::MAX)
}

/// Reads the simulation result; every Transfer log touching `account` counts (`None` when the
/// answer is not a simulation result).
pub fn interpret(result: Value, account: Address) -> Option<Simulation> {
    let blocks: Vec<Block> = serde_json::from_value(result).ok()?;
    let calls = &blocks.first()?.calls;
    if let Some(failed) = calls.iter().find(|c| c.status != U256::from(1)) {
        return Some(Simulation::Reverts {
            reason: crate::revert::decode(&failed.return_data),
        });
    }
    let mut totals: BTreeMap<Asset, I256> = BTreeMap::new();
    for log in calls.iter().flat_map(|c| &c.logs) {
        if log.topics.first() != Some(&TRANSFER_TOPIC) || log.topics.len() < 3 {
            continue;
        }
        let from = Address::from_word(log.topics[1]);
        let to = Address::from_word(log.topics[2]);
        // An amount is exactly one word; anything else is not a transfer the wallet can read.
        let word = <[u8; 32]>::try_from(log.data.as_ref())
            .ok()
            .map(U256::from_be_bytes);
        let (asset, amount) = match (log.address, log.topics.len(), word) {
            (ETH_LOG_ADDRESS, 3, Some(amount)) => (Asset::Eth, amount),
            (ETH_LOG_ADDRESS, ..) => continue,
            (token, 3, Some(amount)) => (Asset::Token { token }, amount),
            (token, 4, _) => (
                Asset::Nft {
                    token,
                    id: U256::from_be_bytes(log.topics[3].0),
                },
                U256::from(1),
            ),
            _ => continue,
        };
        let amount = signed(amount);
        let entry = totals.entry(asset).or_insert(I256::ZERO);
        if to == account && from != account {
            *entry = entry.saturating_add(amount);
        } else if from == account && to != account {
            *entry = entry.saturating_sub(amount);
        }
    }
    let mut changes: Vec<BalanceChange> = totals
        .into_iter()
        .filter(|(_, delta)| !delta.is_zero())
        .map(|(asset, delta)| BalanceChange { asset, delta })
        .collect();
    let more = changes.len().saturating_sub(MAX_CHANGES);
    changes.truncate(MAX_CHANGES);
    Some(Simulation::Changes { changes, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: Address = address!("00000000000000000000000000000000000000ac");
    const TOKEN: Address = address!("00000000000000000000000000000000000000aa");
    const BOB: Address = address!("00000000000000000000000000000000000000bb");

    fn transfer(address: Address, from: Address, to: Address, amount: u64) -> Value {
        json!({"address": address, "topics": [TRANSFER_TOPIC, from.into_word(), to.into_word()],
               "data": B256::from(U256::from(amount))})
    }

    #[test]
    fn nets_eth_tokens_and_nfts_for_the_account() {
        let nft = json!({"address": TOKEN, "topics": [TRANSFER_TOPIC, BOB.into_word(), ACCOUNT.into_word(),
                          B256::from(U256::from(7))], "data": "0x"});
        let result = json!([{"calls": [
            {"status": "0x1", "returnData": "0x", "logs": []},
            {"status": "0x1", "returnData": "0x", "logs": [
                transfer(ETH_LOG_ADDRESS, ACCOUNT, BOB, 100),
                transfer(TOKEN, ACCOUNT, BOB, 40),
                transfer(TOKEN, BOB, ACCOUNT, 15),
                transfer(ETH_LOG_ADDRESS, BOB, TOKEN, 999),
                nft,
            ]}
        ]}]);
        let Some(Simulation::Changes { changes, more: 0 }) = interpret(result, ACCOUNT) else {
            panic!("expected changes")
        };
        assert_eq!(
            changes,
            vec![
                BalanceChange {
                    asset: Asset::Eth,
                    delta: I256::try_from(-100).unwrap()
                },
                BalanceChange {
                    asset: Asset::Token { token: TOKEN },
                    delta: I256::try_from(-25).unwrap()
                },
                BalanceChange {
                    asset: Asset::Nft {
                        token: TOKEN,
                        id: U256::from(7)
                    },
                    delta: I256::ONE
                },
            ]
        );
    }

    #[test]
    fn a_revert_is_reported_with_its_reason() {
        let revert = alloy_sol_types::SolError::abi_encode(&alloy_sol_types::Revert::from("no"));
        let result =
            json!([{"calls": [{"status": "0x0", "returnData": Bytes::from(revert), "logs": []}]}]);
        assert_eq!(
            interpret(result, ACCOUNT),
            Some(Simulation::Reverts {
                reason: Some("no".into())
            })
        );
        assert_eq!(interpret(json!({"unexpected": true}), ACCOUNT), None);
    }

    #[test]
    fn amounts_that_are_not_one_word_are_not_transfers() {
        let mut eth = transfer(ETH_LOG_ADDRESS, ACCOUNT, BOB, 5);
        eth["data"] = json!(Bytes::from(vec![0xff; 33]));
        let mut token = transfer(TOKEN, ACCOUNT, BOB, 5);
        token["data"] = json!("0x");
        let result = json!([{"calls": [{"status": "0x1", "logs": [eth, token]}]}]);
        assert_eq!(
            interpret(result, ACCOUNT),
            Some(Simulation::Changes {
                changes: vec![],
                more: 0
            })
        );
    }

    fn any_log() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        (
            prop_oneof![Just(ETH_LOG_ADDRESS), Just(TOKEN), any::<[u8; 20]>().prop_map(Address::from)],
            0usize..6,
            proptest::collection::vec(any::<u8>(), 0..70),
            any::<bool>(),
            any::<[u8; 32]>(),
        )
            .prop_map(|(address, topics, data, from_account, id)| {
                let (from, to) = if from_account { (ACCOUNT, BOB) } else { (BOB, ACCOUNT) };
                let all = [TRANSFER_TOPIC, from.into_word(), to.into_word(), B256::from(id), B256::ZERO];
                json!({"address": address, "topics": &all[..topics.min(5)], "data": Bytes::from(data)})
            })
    }

    proptest::proptest! {
        #[test]
        fn interpret_is_total_and_bounded(
            logs in proptest::collection::vec(any_log(), 0..200),
            status in 0u8..3,
            return_data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let result = json!([{"calls": [{"status": format!("{status:#x}"),
                "returnData": Bytes::from(return_data), "logs": logs}]}]);
            match interpret(result, ACCOUNT) {
                Some(Simulation::Changes { changes, .. }) => {
                    proptest::prop_assert!(changes.len() <= MAX_CHANGES)
                }
                Some(Simulation::Reverts { reason }) => {
                    proptest::prop_assert!(reason.is_none_or(|r| r.chars().count() <= crate::untrusted::MAX_TEXT_CHARS + 1))
                }
                None => {}
            }
        }
    }

    #[test]
    fn params_deploy_then_execute_from_the_entry_point() {
        let data = Bytes::from(vec![1, 2]);
        let p = params(BOB, ACCOUNT, Some((TOKEN, &data)), &data);
        let calls = &p[0]["blockStateCalls"][0]["calls"];
        assert_eq!(calls.as_array().unwrap().len(), 2);
        assert_eq!(calls[1]["to"], json!(ACCOUNT));
        assert_eq!(p[0]["traceTransfers"], json!(true));
    }
}
