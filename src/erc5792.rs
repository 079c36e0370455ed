//! EIP-5792 batches: the `wallet_getCallsStatus` answer for a batch in the activity log
//! ([`crate::activity`]), and `wallet_getCapabilities` (atomic batches; ERC-7677 paymaster
//! services, [`crate::erc7677`]). Where a sent operation is
//! ([`Inclusion`]) is decided here once, for that answer and for the passkey lane, which waits
//! for the wallet's own operation still pending ([`awaiting_inclusion`]).

use alloy_primitives::{Address, U256};
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
    /// Not included yet, and may still be.
    Pending,
    /// Not included, and it will not be (dropped).
    Dropped,
}

/// How long an operation without a receipt counts as pending, when nothing else says it was
/// dropped (ms): what bundlers keep an operation in their mempool at the most, and then some.
pub const DROPPED_AFTER_MS: u64 = 10 * 60 * 1000;

impl Inclusion<'static> {
    /// Where an operation with no receipt is, from what every chain and ERC-7769 bundler can
    /// say: dropped once the account's nonce for its key (`lane_nonce`, read before the receipt
    /// was asked for) has moved past it — another operation took its place — or once it is
    /// older than [`DROPPED_AFTER_MS`]; pending otherwise.
    pub fn without_receipt(record: &ActivityRecord, lane_nonce: Option<U256>, now_ms: u64) -> Self {
        let replaced =
            matches!((record.nonce, lane_nonce), (Some(nonce), Some(lane)) if lane > nonce);
        if replaced || now_ms.saturating_sub(record.sent_at) > DROPPED_AFTER_MS {
            Inclusion::Dropped
        } else {
            Inclusion::Pending
        }
    }

    /// Where an operation is when its bundler could not say (the receipt query failed):
    /// pending while it is younger than [`DROPPED_AFTER_MS`] — a bundler's passing failure is no
    /// news about the operation, and the nonce cannot tell a replaced operation from an
    /// included one without the receipt — and `None` after, when the failure is what the dapp
    /// should hear.
    pub fn unknown(record: &ActivityRecord, now_ms: u64) -> Option<Self> {
        (now_ms.saturating_sub(record.sent_at) <= DROPPED_AFTER_MS).then_some(Inclusion::Pending)
    }
}

/// An operation `account` sent on `chain_id` that is still pending (no receipt asked: it is
/// pending while the chain's next nonce on its key, `next`, has not moved past it and it is
/// younger than [`DROPPED_AFTER_MS`]). The account's next operation on that key waits for it:
/// its nonce is taken, and while it deploys the account nothing else can be validated.
pub fn awaiting_inclusion(
    records: &[ActivityRecord],
    chain_id: u64,
    account: Address,
    next: U256,
    now_ms: u64,
) -> Option<&ActivityRecord> {
    let key = next >> 64;
    records.iter().rev().find(|r| {
        r.chain_id == chain_id
            && r.account == Some(account)
            && r.nonce.is_some_and(|n| n >> 64 == key && n >= next)
            && Inclusion::without_receipt(r, Some(next), now_ms) == Inclusion::Pending
    })
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
                    json!({
                        "atomic": {"status": "supported"},
                        "paymasterService": {"supported": true},
                    }),
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
            nonce: None,
            account: None,
            recipients: Vec::new(),
        }
    }

    #[test]
    fn an_operation_awaits_inclusion_on_its_own_key_chain_and_account_until_it_is_old() {
        let account = Address::repeat_byte(0xaa);
        let sent = |nonce: U256, sent_at: u64| ActivityRecord {
            nonce: Some(nonce),
            account: Some(account),
            sent_at,
            ..record()
        };
        let session_key = U256::from(7) << 64;
        let records = vec![sent(U256::from(4), 1_000), sent(session_key, 1_000)];
        let now = 2_000;
        let waits = |next: U256, chain: u64, who: Address, now: u64| {
            awaiting_inclusion(&records, chain, who, next, now).is_some()
        };
        // Nonce 4 was sent and the chain still expects 4: it is not included yet.
        assert!(waits(U256::from(4), 31337, account, now));
        // Included (the chain expects 5 now), or another chain, account or key: nothing waits.
        assert!(!waits(U256::from(5), 31337, account, now));
        assert!(!waits(U256::from(4), 1, account, now));
        assert!(!waits(U256::from(4), 31337, Address::ZERO, now));
        assert!(waits(session_key, 31337, account, now));
        assert!(!waits(session_key + U256::from(1), 31337, account, now));
        // Ten minutes later it is taken for dropped.
        assert!(!waits(
            U256::from(4),
            31337,
            account,
            1_001 + DROPPED_AFTER_MS
        ));
        // Records without an account (older than the field) never hold anything up.
        let old = vec![ActivityRecord {
            account: None,
            ..sent(U256::from(4), 1_000)
        }];
        assert!(awaiting_inclusion(&old, 31337, account, U256::from(4), now).is_none());
    }

    #[test]
    fn without_a_receipt_dropped_once_the_nonce_moved_past_it_or_it_is_old() {
        let sent = ActivityRecord {
            sent_at: 1_000,
            nonce: Some(U256::from(5)),
            ..record()
        };
        let now = 1_000 + DROPPED_AFTER_MS;
        assert_eq!(
            Inclusion::without_receipt(&sent, Some(U256::from(5)), now),
            Inclusion::Pending
        );
        assert_eq!(
            Inclusion::without_receipt(&sent, None, now),
            Inclusion::Pending
        );
        assert_eq!(
            Inclusion::without_receipt(&sent, Some(U256::from(6)), now),
            Inclusion::Dropped
        );
        assert_eq!(
            Inclusion::without_receipt(&sent, Some(U256::from(5)), now + 1),
            Inclusion::Dropped
        );
        // A record from before nonces were kept: only its age tells.
        let old = ActivityRecord {
            nonce: None,
            ..sent
        };
        assert_eq!(
            Inclusion::without_receipt(&old, Some(U256::from(9)), now),
            Inclusion::Pending
        );
    }

    #[test]
    fn a_failed_receipt_query_is_pending_until_the_operation_is_old() {
        let sent = ActivityRecord {
            sent_at: 1_000,
            nonce: Some(U256::from(5)),
            ..record()
        };
        let now = 1_000 + DROPPED_AFTER_MS;
        assert_eq!(Inclusion::unknown(&sent, 1_000), Some(Inclusion::Pending));
        assert_eq!(Inclusion::unknown(&sent, now), Some(Inclusion::Pending));
        assert_eq!(Inclusion::unknown(&sent, now + 1), None);
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
    fn every_chain_supports_atomic_batches_and_paymaster_services() {
        let caps = capabilities([31337, 1]);
        assert_eq!(caps["0x7a69"]["atomic"]["status"], "supported");
        assert_eq!(caps["0x1"]["paymasterService"]["supported"], true);
    }
}
