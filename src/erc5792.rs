//! EIP-5792 batches: what the wallet remembers about a `wallet_sendCalls` batch, and the
//! `wallet_getCallsStatus` / `wallet_getCapabilities` answers.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::erc4337::UserOperationReceipt;

/// Storage key of the batch records.
pub const CALLS_KEY: &str = "calls";
/// Batches remembered (the oldest are forgotten first).
pub const MAX_RECORDS: usize = 200;

/// A submitted batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallsRecord {
    /// The batch id given to the dapp.
    pub id: String,
    /// The origin that sent it (only it may ask for its status).
    pub origin: String,
    /// The chain it was sent on.
    pub chain_id: u64,
    /// The UserOperation carrying it.
    pub user_op_hash: B256,
}

/// Status codes of `wallet_getCallsStatus`.
pub mod status {
    /// Submitted, not yet included.
    pub const PENDING: u16 = 100;
    /// Not included, and it never will be: the bundler no longer knows the operation.
    pub const FAILED_OFFCHAIN: u16 = 400;
    /// Included, and the calls succeeded.
    pub const CONFIRMED: u16 = 200;
    /// Included, and the batch reverted (atomically: nothing happened).
    pub const REVERTED: u16 = 500;
}

/// Where a batch's UserOperation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inclusion<'a> {
    /// Included, with its receipt.
    Included(&'a UserOperationReceipt),
    /// Not included yet; the bundler still has it.
    Pending,
    /// Not included, and the bundler no longer knows it (dropped).
    Dropped,
}

/// The `wallet_getCallsStatus` answer for a record.
pub fn status_response(record: &CallsRecord, inclusion: Inclusion<'_>) -> Value {
    let chain_id = format!("{:#x}", record.chain_id);
    let receipt = match inclusion {
        Inclusion::Included(receipt) => receipt,
        Inclusion::Pending | Inclusion::Dropped => {
            let status = if inclusion == Inclusion::Pending {
                status::PENDING
            } else {
                status::FAILED_OFFCHAIN
            };
            return json!({
                "version": "2.0.0", "id": record.id, "chainId": chain_id,
                "status": status, "atomic": true,
            });
        }
    };
    let tx = &receipt.receipt;
    json!({
        "version": "2.0.0",
        "id": record.id,
        "chainId": chain_id,
        "status": if receipt.success { status::CONFIRMED } else { status::REVERTED },
        "atomic": true,
        "receipts": [{
            "logs": receipt.logs,
            "status": if receipt.success { "0x1" } else { "0x0" },
            "blockHash": tx.block_hash,
            "blockNumber": tx.block_number,
            "gasUsed": tx.gas_used,
            "transactionHash": tx.transaction_hash,
        }],
    })
}

/// `wallet_getCapabilities`: every batch is atomic (one UserOperation) on every known chain.
pub fn capabilities(chain_ids: impl IntoIterator<Item = u64>) -> Value {
    Value::Object(
        chain_ids
            .into_iter()
            .map(|id| {
                (
                    format!("{id:#x}"),
                    json!({"atomic": {"status": "supported"}}),
                )
            })
            .collect(),
    )
}

/// Adds a record, forgetting the oldest beyond [`MAX_RECORDS`].
pub fn remember(records: &mut Vec<CallsRecord>, record: CallsRecord) {
    records.push(record);
    if records.len() > MAX_RECORDS {
        let excess = records.len() - MAX_RECORDS;
        records.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CallsRecord {
        CallsRecord {
            id: "0xab".into(),
            origin: "https://a".into(),
            chain_id: 31337,
            user_op_hash: B256::repeat_byte(1),
        }
    }

    #[test]
    fn pending_then_confirmed_or_reverted() {
        let pending = status_response(&record(), Inclusion::Pending);
        assert_eq!(pending["status"], 100);
        assert_eq!(
            status_response(&record(), Inclusion::Dropped)["status"],
            400
        );
        assert_eq!(pending["chainId"], "0x7a69");
        assert!(pending.get("receipts").is_none());
        let receipt: UserOperationReceipt = serde_json::from_value(json!({
            "userOpHash": B256::repeat_byte(1), "success": true, "logs": [],
            "receipt": {"transactionHash": B256::repeat_byte(2), "blockHash": B256::repeat_byte(3),
                        "blockNumber": "0x5", "gasUsed": "0x100"}
        }))
        .unwrap();
        let done = status_response(&record(), Inclusion::Included(&receipt));
        assert_eq!(done["status"], 200);
        assert_eq!(done["receipts"][0]["status"], "0x1");
        assert_eq!(done["receipts"][0]["blockNumber"], "0x5");
        let failed = UserOperationReceipt {
            success: false,
            ..receipt
        };
        assert_eq!(
            status_response(&record(), Inclusion::Included(&failed))["status"],
            500
        );
    }

    #[test]
    fn remembers_a_bounded_number() {
        let mut records = Vec::new();
        for i in 0..MAX_RECORDS + 5 {
            remember(
                &mut records,
                CallsRecord {
                    id: i.to_string(),
                    ..record()
                },
            );
        }
        assert_eq!(records.len(), MAX_RECORDS);
        assert_eq!(records[0].id, "5");
        assert_eq!(
            capabilities([31337])["0x7a69"]["atomic"]["status"],
            "supported"
        );
    }
}
