//! The activity log: every UserOperation the wallet sent — when, for which site, what it did —
//! kept in `chrome.storage.local` under [`ACTIVITY_KEY`]. EIP-5792 batches are entries whose `id`
//! the dapp was given (`wallet_getCallsStatus` reads them here); other entries use the
//! userOpHash as their id. The status is not stored: it is read from the bundler when shown.

use alloy_primitives::{Address, B256};
use serde::{Deserialize, Serialize};

use crate::erc7579::Call;

/// Storage key of the activity log (the key of the batch records it grew from, so records
/// written before the log had times and descriptions still load).
pub const ACTIVITY_KEY: &str = "calls";
/// Entries remembered (the oldest are forgotten first).
pub const MAX_RECORDS: usize = 200;

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
        }
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
