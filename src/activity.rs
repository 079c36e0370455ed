//! The activity log: every UserOperation the wallet sent — when, for which site, what it did —
//! kept in `chrome.storage.local` under [`ACTIVITY_KEY`]. EIP-5792 batches are entries whose `id`
//! the dapp was given (`wallet_getCallsStatus` reads them here); other entries use the
//! userOpHash as their id. The status is not stored: it is read from the bundler when shown.

use alloy_primitives::{Address, B256};
use serde::{Deserialize, Serialize};

use crate::approval::ExplainedCall;
use crate::erc7579::Call;

/// Storage key of the activity log (the key of the batch records it grew from, so records
/// written before the log had times and descriptions still load).
pub const ACTIVITY_KEY: &str = "calls";
/// Entries remembered (the oldest are forgotten first).
pub const MAX_RECORDS: usize = 200;
/// Recipients remembered per entry (the first ones of a batch).
pub const MAX_RECIPIENTS: usize = 8;

/// One UserOperation the wallet sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityRecord {
    /// The EIP-5792 batch id the dapp was given, or the userOpHash.
    pub id: String,
    /// The site it was sent for (empty: the wallet's own pages).
    pub origin: String,
    /// The chain it was sent on.
    pub chain_id: u64,
    /// The UserOperation.
    pub user_op_hash: B256,
    /// When it was sent (ms since the Unix epoch; 0 for records older than the log).
    #[serde(default)]
    pub sent_at: u64,
    /// What it did, in words ("Sent 0.01 ETH to 0x…").
    #[serde(default)]
    pub what: String,
    /// Its nonce (key and sequence), to tell it dropped once the account's nonce for that key
    /// moved past it (absent in records older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<alloy_primitives::U256>,
    /// The account that sent it (absent in records older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Address>,
    /// Who it sent ETH or ERC-20 tokens to ([`recipients`]; empty in records older than this
    /// field), so the home page's Send can tell a new recipient.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<Address>,
}

/// Who `calls` send ETH or ERC-20 tokens to: a call with value goes to its target, an ERC-20
/// `transfer` to its `to`; distinct, the first [`MAX_RECIPIENTS`].
pub fn recipients(calls: &[Call]) -> Vec<Address> {
    use alloy_sol_types::SolCall;
    let mut found = Vec::new();
    for call in calls {
        let token_to = crate::abi::IERC20Metadata::transferCall::abi_decode(&call.data)
            .ok()
            .map(|transfer| transfer.to);
        let value_to = (!call.value.is_zero()).then_some(call.to);
        for to in [value_to, token_to].into_iter().flatten() {
            if found.len() < MAX_RECIPIENTS && !found.contains(&to) {
                found.push(to);
            }
        }
    }
    found
}

/// Whether the log has `account` sending to `to` on `chain_id`.
pub fn sent_before(
    records: &[ActivityRecord],
    account: Address,
    chain_id: u64,
    to: Address,
) -> bool {
    records
        .iter()
        .any(|r| r.chain_id == chain_id && r.account == Some(account) && r.recipients.contains(&to))
}

/// Adds a record, forgetting the oldest beyond [`MAX_RECORDS`].
pub fn remember(records: &mut Vec<ActivityRecord>, record: ActivityRecord) {
    records.push(record);
    if records.len() > MAX_RECORDS {
        let excess = records.len() - MAX_RECORDS;
        records.drain(..excess);
    }
}

/// What a dapp's calls do, in one line.
pub fn describe_calls(calls: &[Call]) -> String {
    match calls {
        [] => "Nothing (an empty batch)".to_owned(),
        [call] if call.data.is_empty() => format!(
            "Sent {} to {}",
            crate::units::format_ether(call.value),
            short(call.to)
        ),
        [call] => match crate::decode::decode(&call.data, None) {
            Some(decoded) => format!("Called {} on {}", decoded.name, short(call.to)),
            None => format!("Called {}", short(call.to)),
        },
        calls => format!("A batch of {} calls", calls.len()),
    }
}

/// Why a UserOperation whose execution failed did, from the revert data its receipt carries.
pub fn failure(reason: Option<&[u8]>) -> String {
    reason
        .and_then(crate::revert::decode)
        .unwrap_or_else(|| "the call reverted without saying why".to_owned())
}

/// [`describe_calls`], with an ERC-20 transfer in the token's units when the approval window
/// read the token (`explained`, per call): `Sent 1.5 TST to 0x6f6F…6f6F`.
pub fn describe_explained(calls: &[Call], explained: &[ExplainedCall]) -> String {
    use alloy_sol_types::SolCall;
    if let (
        [call],
        [
            ExplainedCall {
                decoded: Some(decoded),
                ..
            },
        ],
    ) = (calls, explained)
        && call.value.is_zero()
        && let Ok(transfer) = crate::abi::IERC20Metadata::transferCall::abi_decode(&call.data)
        && decoded.name == "transfer"
        && let Some(amount) = decoded.args.iter().find(|a| a.name == "amount")
        && amount.value != transfer.amount.to_string()
    {
        return format!("Sent {} to {}", amount.value, short(transfer.to));
    }
    describe_calls(calls)
}

/// `0x1234…abcd`.
pub fn short(address: Address) -> String {
    let full = address.to_checksum(None);
    format!("{}…{}", &full[..6], &full[full.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Bytes, U256};

    fn record(id: &str) -> ActivityRecord {
        ActivityRecord {
            id: id.into(),
            origin: "https://a".into(),
            chain_id: 31337,
            user_op_hash: B256::repeat_byte(1),
            sent_at: 1,
            what: "x".into(),
            nonce: None,
            account: None,
            recipients: Vec::new(),
        }
    }

    #[test]
    fn token_transfers_in_the_token_units() {
        use alloy_sol_types::SolCall;
        let bob = Address::repeat_byte(0xbb);
        let token = Address::repeat_byte(0xcc);
        let call = Call {
            to: token,
            value: U256::ZERO,
            data: crate::abi::IERC20Metadata::transferCall {
                to: bob,
                amount: U256::from(1_500_000u64),
            }
            .abi_encode()
            .into(),
        };
        let info = crate::decode::TokenInfo {
            symbol: "USDC".into(),
            decimals: 6,
        };
        let read = ExplainedCall {
            decoded: crate::decode::decode(&call.data, Some(&info)),
            warnings: Vec::new(),
        };
        let calls = [call];
        assert_eq!(
            describe_explained(&calls, std::slice::from_ref(&read)),
            format!("Sent 1.5 USDC to {}", short(bob))
        );
        let unknown = ExplainedCall {
            decoded: crate::decode::decode(&calls[0].data, None),
            warnings: Vec::new(),
        };
        assert_eq!(
            describe_explained(&calls, &[unknown]),
            format!("Called transfer on {}", short(token)),
            "without the token's decimals the raw amount would mislead"
        );
    }

    #[test]
    fn failures_in_words() {
        use alloy_sol_types::SolError;
        let reason = alloy_sol_types::Revert::from("not enough").abi_encode();
        assert_eq!(failure(Some(&reason)), "not enough");
        assert_eq!(failure(Some(&[])), "the call reverted without saying why");
        assert_eq!(failure(None), "the call reverted without saying why");
        assert!(failure(Some(&[0xde, 0xad])).contains("0xdead"));
    }

    #[test]
    fn recipients_of_transfers_and_tokens() {
        use alloy_sol_types::SolCall;
        let bob = Address::repeat_byte(0xbb);
        let token = Address::repeat_byte(0xcc);
        let transfer = crate::abi::IERC20Metadata::transferCall {
            to: bob,
            amount: U256::from(5),
        }
        .abi_encode();
        let calls = [
            Call {
                to: token,
                value: U256::ZERO,
                data: transfer.into(),
            },
            Call {
                to: bob,
                value: U256::from(1),
                data: Bytes::new(),
            },
            Call {
                to: Address::repeat_byte(0xdd),
                value: U256::ZERO,
                data: Bytes::from_static(&[1, 2, 3, 4]),
            },
        ];
        assert_eq!(
            recipients(&calls),
            vec![bob],
            "distinct; a call without value is not a send"
        );
        let many: Vec<Call> = (1..=20u8)
            .map(|i| Call {
                to: Address::repeat_byte(i),
                value: U256::from(1),
                data: Bytes::new(),
            })
            .collect();
        assert_eq!(recipients(&many).len(), MAX_RECIPIENTS);

        let mut sent = record("a");
        sent.account = Some(Address::repeat_byte(0xaa));
        sent.recipients = vec![bob];
        let records = [sent];
        let me = Address::repeat_byte(0xaa);
        assert!(sent_before(&records, me, 31337, bob));
        assert!(!sent_before(&records, me, 1, bob), "another network");
        assert!(!sent_before(&records, bob, 31337, bob), "another account");
        assert!(!sent_before(&records, me, 31337, token));
    }

    #[test]
    fn remembers_a_bounded_number() {
        let mut records = Vec::new();
        for i in 0..MAX_RECORDS + 5 {
            remember(&mut records, record(&i.to_string()));
        }
        assert_eq!(records.len(), MAX_RECORDS);
        assert_eq!(records[0].id, "5");
    }

    #[test]
    fn records_from_before_the_log_still_load() {
        let old = serde_json::json!({
            "id": "0xab", "origin": "https://a", "chainId": 1,
            "userOpHash": B256::repeat_byte(1)
        });
        let loaded: ActivityRecord = serde_json::from_value(old).unwrap();
        assert_eq!((loaded.sent_at, loaded.what.as_str()), (0, ""));
    }

    #[test]
    fn describes_transfers_known_calls_and_batches() {
        let to = Address::repeat_byte(0x11);
        let transfer = Call {
            to,
            value: U256::from(10u64.pow(16)),
            data: Bytes::new(),
        };
        assert_eq!(
            describe_calls(std::slice::from_ref(&transfer)),
            "Sent 0.01 ETH to 0x1111…1111"
        );
        let mut data = alloy_primitives::hex::decode("a9059cbb").unwrap();
        data.extend_from_slice(&[0u8; 64]);
        let erc20 = Call {
            to,
            value: U256::ZERO,
            data: data.into(),
        };
        assert_eq!(
            describe_calls(std::slice::from_ref(&erc20)),
            "Called transfer on 0x1111…1111"
        );
        assert_eq!(describe_calls(&[transfer, erc20]), "A batch of 2 calls");
    }
}
