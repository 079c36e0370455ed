//! EIP-5792 batches: the `wallet_getCallsStatus` answer for a batch in the activity log
//! ([`crate::activity`]), and `wallet_getCapabilities`.

use serde_json::{Value, json};

use crate::activity::ActivityRecord;
use crate::erc4337::UserOperationReceipt;

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
pub fn status_response(record: &ActivityRecord, inclusion: Inclusion<'_>) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;

    fn record() -> ActivityRecord {
        ActivityRecord {
            id: "0xab".into(),
            origin: "https://a".into(),
            chain_id: 31337,
            user_op_hash: B256::repeat_byte(1),
            sent_at: 0,
            what: String::new(),
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
    fn every_chain_supports_atomic_batches() {
        assert_eq!(
            capabilities([31337])["0x7a69"]["atomic"]["status"],
            "supported"
        );
    }
}
