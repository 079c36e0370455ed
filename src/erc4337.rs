//! ERC-4337 v0.8 UserOperations: the unpacked JSON form bundlers take (ERC-7769), the packed
//! form the EntryPoint hashes, the userOpHash (EIP-712 over the packed struct), gas figures and
//! receipts.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{Eip712Domain, SolStruct, eip712_domain};
use serde::{Deserialize, Serialize};

use crate::abi::PackedUserOperation;
use crate::webauthn::P256Verifier;

/// The canonical EntryPoint v0.8 address.
pub const ENTRY_POINT_V08: Address =
    alloy_primitives::address!("4337084D9E255Ff0702461CF8895CE9E3b5Ff108");

/// A v0.8 UserOperation in the unpacked form of `eth_sendUserOperation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOperation {
    /// The smart account.
    pub sender: Address,
    /// Nonce: key (upper 192 bits) and sequence.
    pub nonce: U256,
    /// Factory that deploys the account on its first operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory: Option<Address>,
    /// Calldata for the factory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factory_data: Option<Bytes>,
    /// Calldata for the account (an ERC-7579 `execute`).
    pub call_data: Bytes,
    /// Gas for the execution phase.
    pub call_gas_limit: U256,
    /// Gas for deployment and validation.
    pub verification_gas_limit: U256,
    /// Gas paid for the bundle overhead and calldata.
    pub pre_verification_gas: U256,
    /// EIP-1559 max fee.
    pub max_fee_per_gas: U256,
    /// EIP-1559 priority fee.
    pub max_priority_fee_per_gas: U256,
    /// The signature, starting with the validator's address.
    pub signature: Bytes,
    /// The paymaster paying for it (ERC-7677 sponsorship), if any: its four ERC-7769 fields.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub paymaster: Option<Paymaster>,
}

/// A paymaster's part of a UserOperation: who pays, the gas its validation and `postOp` may
/// use, and the data it checks (a sponsor's signature, typically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paymaster {
    /// The paymaster contract.
    pub paymaster: Address,
    /// Gas for its `validatePaymasterUserOp`.
    pub paymaster_verification_gas_limit: U256,
    /// Gas for its `postOp`.
    pub paymaster_post_op_gas_limit: U256,
    /// What it reads in validation.
    pub paymaster_data: Bytes,
}

impl Paymaster {
    /// `paymaster ‖ verificationGasLimit (16 bytes) ‖ postOpGasLimit (16 bytes) ‖ data`, as the
    /// EntryPoint packs it.
    pub fn packed(&self) -> Bytes {
        let mut out = self.paymaster.to_vec();
        out.extend_from_slice(
            &pack_u128_pair(
                self.paymaster_verification_gas_limit,
                self.paymaster_post_op_gas_limit,
            )[..],
        );
        out.extend_from_slice(&self.paymaster_data);
        out.into()
    }
}

/// Most gas any one figure of a UserOperation may have (more is an implausible answer from a
/// bundler, and would not fit the packed 128-bit fields the EntryPoint hashes).
pub const MAX_GAS: u64 = 1 << 32;
/// Most wei per gas a fee may be (18 ETH per gas: far above any real fee, and small enough that
/// fee × gas never overflows).
pub const MAX_FEE_PER_GAS: u64 = u64::MAX;

/// `maxFeePerGas = 2 × baseFee + priority` and `maxPriorityFeePerGas` from a node's figures,
/// if they are plausible (each at most [`MAX_FEE_PER_GAS`]).
pub fn fees(base_fee: U256, priority_fee: U256) -> Option<(U256, U256)> {
    let limit = U256::from(MAX_FEE_PER_GAS);
    (base_fee <= limit && priority_fee <= limit)
        .then(|| (base_fee * U256::from(2) + priority_fee, priority_fee))
}

/// How long the wallet waits for a sent operation's receipt before giving up (ms).
pub const RECEIPT_TIMEOUT_MS: u32 = 60_000;

/// The pause before the next receipt poll, after `polls` polls (1 or more) that found none
/// (ms): every 200 ms for the first two seconds, as fast chains include an operation by then,
/// then 1.5× longer each time up to every 2 s — an operation a 12 s chain includes costs the
/// bundler 19 requests instead of 61, and is seen at most 2 s late.
pub fn receipt_poll_delay_ms(polls: u32) -> u32 {
    const FAST_MS: u32 = 200;
    const FAST_POLLS: u32 = 10;
    const SLOWEST_MS: u32 = 2_000;
    let mut delay = FAST_MS;
    for _ in FAST_POLLS..polls {
        delay = (delay * 3 / 2).min(SLOWEST_MS);
        if delay == SLOWEST_MS {
            break;
        }
    }
    delay
}

/// Gas figures returned by `eth_estimateUserOperationGas`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GasEstimate {
    /// Gas paid for the bundle overhead and calldata.
    pub pre_verification_gas: U256,
    /// Gas for deployment and validation.
    pub verification_gas_limit: U256,
    /// Gas for the execution phase.
    pub call_gas_limit: U256,
    /// Gas for the paymaster's validation, when the operation has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_verification_gas_limit: Option<U256>,
    /// Gas for the paymaster's `postOp`, when the operation has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paymaster_post_op_gas_limit: Option<U256>,
}

impl GasEstimate {
    /// Whether every figure is at most [`MAX_GAS`] (a bundler's answer is not trusted).
    pub fn is_plausible(&self) -> bool {
        let limit = U256::from(MAX_GAS);
        self.pre_verification_gas <= limit
            && self.verification_gas_limit <= limit
            && self.call_gas_limit <= limit
            && self.paymaster_verification_gas_limit.unwrap_or_default() <= limit
            && self.paymaster_post_op_gas_limit.unwrap_or_default() <= limit
    }
}

/// The part of `eth_getUserOperationReceipt` the wallet reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOperationReceipt {
    /// The userOpHash.
    pub user_op_hash: B256,
    /// Whether the account's execution succeeded.
    pub success: bool,
    /// Revert data of the execution, when it failed.
    #[serde(default)]
    pub reason: Option<Bytes>,
    /// Logs the operation emitted.
    #[serde(default)]
    pub logs: Vec<serde_json::Value>,
    /// The bundle transaction's receipt.
    pub receipt: TransactionReceipt,
}

/// The bundle transaction receipt fields the wallet reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionReceipt {
    /// Hash of the bundle transaction.
    pub transaction_hash: B256,
    /// Block of inclusion.
    #[serde(default)]
    pub block_hash: Option<B256>,
    /// Block number of inclusion (hex quantity).
    #[serde(default)]
    pub block_number: Option<U256>,
    /// Gas used by the bundle transaction.
    #[serde(default)]
    pub gas_used: Option<U256>,
}

fn pack_u128_pair(high: U256, low: U256) -> B256 {
    let mask = U256::from(u128::MAX);
    B256::from((high & mask) << 128 | (low & mask))
}

impl UserOperation {
    /// An operation of `sender` at `nonce` running `calls` (one call, or an atomic batch through
    /// ERC-7579 `execute`), deploying the account first when `deployment` (factory, data) is
    /// given, with the given fees and a placeholder `signature` of the real shape; gas still 0
    /// (see [`UserOperation::apply_gas`]).
    pub fn unsigned(
        sender: Address,
        nonce: U256,
        deployment: Option<(Address, Bytes)>,
        calls: &[crate::erc7579::Call],
        fees: (U256, U256),
        signature: Bytes,
    ) -> Self {
        let (factory, factory_data) = deployment.unzip();
        UserOperation {
            sender,
            nonce,
            factory,
            factory_data,
            call_data: match calls {
                [single] => crate::erc7579::execute_single(single),
                batch => crate::erc7579::execute_batch(batch),
            },
            call_gas_limit: U256::ZERO,
            verification_gas_limit: U256::ZERO,
            pre_verification_gas: U256::ZERO,
            max_fee_per_gas: fees.0,
            max_priority_fee_per_gas: fees.1,
            signature,
            paymaster: None,
        }
    }

    /// `factory ‖ factoryData`, or empty.
    pub fn init_code(&self) -> Bytes {
        match (&self.factory, &self.factory_data) {
            (Some(factory), data) => {
                let mut out = factory.to_vec();
                if let Some(data) = data {
                    out.extend_from_slice(data);
                }
                out.into()
            }
            _ => Bytes::new(),
        }
    }

    /// `verificationGasLimit ‖ callGasLimit` as two 128-bit halves.
    pub fn account_gas_limits(&self) -> B256 {
        pack_u128_pair(self.verification_gas_limit, self.call_gas_limit)
    }

    /// `maxPriorityFeePerGas ‖ maxFeePerGas` as two 128-bit halves.
    pub fn gas_fees(&self) -> B256 {
        pack_u128_pair(self.max_priority_fee_per_gas, self.max_fee_per_gas)
    }

    /// The packed struct the EntryPoint hashes.
    pub fn packed(&self) -> PackedUserOperation {
        PackedUserOperation {
            sender: self.sender,
            nonce: self.nonce,
            initCode: self.init_code(),
            callData: self.call_data.clone(),
            accountGasLimits: self.account_gas_limits(),
            preVerificationGas: self.pre_verification_gas,
            gasFees: self.gas_fees(),
            paymasterAndData: self
                .paymaster
                .as_ref()
                .map(Paymaster::packed)
                .unwrap_or_default(),
        }
    }

    /// The operation as the EntryPoint passes it to a paymaster (signature included).
    pub fn signed(&self) -> crate::abi::SignedUserOperation {
        let packed = self.packed();
        crate::abi::SignedUserOperation {
            sender: packed.sender,
            nonce: packed.nonce,
            initCode: packed.initCode,
            callData: packed.callData,
            accountGasLimits: packed.accountGasLimits,
            preVerificationGas: packed.preVerificationGas,
            gasFees: packed.gasFees,
            paymasterAndData: packed.paymasterAndData,
            signature: self.signature.clone(),
        }
    }

    /// The v0.8 userOpHash: the EIP-712 signing hash of the packed struct under the domain
    /// `{name: "ERC4337", version: "1", chainId, verifyingContract: entryPoint}`.
    pub fn hash(&self, entry_point: Address, chain_id: u64) -> B256 {
        self.packed()
            .eip712_signing_hash(&entry_point_domain(entry_point, chain_id))
    }

    /// Applies a bundler gas estimate, with head-room on validation: the estimate is made with a
    /// dummy signature, which the validator refuses before the key lookup, the hashing and the
    /// P-256 check the real signature goes through — what that skips depends on the chain's
    /// verifier ([`P256Verifier::headroom`]). Unused verification gas is not charged.
    pub fn apply_gas(&mut self, estimate: &GasEstimate, verifier: P256Verifier) {
        self.apply_gas_with_headroom(estimate, verifier.headroom());
    }

    /// Applies a bundler gas estimate with `headroom` gas more on validation (beyond 20 %): what
    /// the estimate's placeholder signature skips for this signer (passkeys: [`Self::apply_gas`];
    /// sessions and recovery UserOps name their own).
    pub fn apply_gas_with_headroom(&mut self, estimate: &GasEstimate, headroom: u64) {
        self.pre_verification_gas = estimate.pre_verification_gas;
        self.verification_gas_limit = estimate.verification_gas_limit * U256::from(12)
            / U256::from(10)
            + U256::from(headroom);
        self.call_gas_limit = estimate.call_gas_limit;
        self.apply_paymaster_gas(estimate);
    }

    /// A paymaster's limits from an estimate: the larger of what its service said and what
    /// the bundler measured (the service signs the final figures after this).
    pub fn apply_paymaster_gas(&mut self, estimate: &GasEstimate) {
        if let Some(paymaster) = &mut self.paymaster {
            let larger = |a: U256, b: Option<U256>| a.max(b.unwrap_or_default());
            paymaster.paymaster_verification_gas_limit = larger(
                paymaster.paymaster_verification_gas_limit,
                estimate.paymaster_verification_gas_limit,
            );
            paymaster.paymaster_post_op_gas_limit = larger(
                paymaster.paymaster_post_op_gas_limit,
                estimate.paymaster_post_op_gas_limit,
            );
        }
    }

    /// Total gas the operation may use (its paymaster's included).
    pub fn total_gas(&self) -> U256 {
        let paymaster = self.paymaster.as_ref().map_or(U256::ZERO, |p| {
            p.paymaster_verification_gas_limit + p.paymaster_post_op_gas_limit
        });
        self.pre_verification_gas + self.verification_gas_limit + self.call_gas_limit + paymaster
    }

    /// The most the operation can cost: `maxFeePerGas × total gas`.
    pub fn max_cost(&self) -> U256 {
        self.max_fee_per_gas * self.total_gas()
    }

    /// The most the operation can cost the account itself: nothing when a paymaster pays.
    pub fn account_max_cost(&self) -> U256 {
        if self.paymaster.is_some() {
            U256::ZERO
        } else {
            self.max_cost()
        }
    }
}

/// The EntryPoint's refusal code (`AA34`) in a bundler's message, in words, for the codes the
/// user can understand or act on: the account's fee and validity (AA21, AA22), and every
/// paymaster refusal (AA3x: a sponsor that will not pay).
pub fn refusal_words(message: &str) -> Option<&'static str> {
    Some(match refusal_code(message)? {
        "AA21" => "the account cannot pay the network fee",
        "AA22" => "the operation has expired or is not valid yet",
        "AA31" => "the paymaster's deposit cannot pay for this operation",
        "AA32" => "the sponsorship has expired or is not valid yet",
        "AA33" => "the paymaster refused to pay for this operation",
        "AA34" => {
            "the paymaster refused to pay: its sponsor's signature does not match the operation"
        }
        "AA36" => "the paymaster needed more gas than its service allowed",
        _ => return None,
    })
}

/// The first EntryPoint refusal code (`AA25`) in a bundler's message, if any.
pub fn refusal_code(message: &str) -> Option<&str> {
    let bytes = message.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let code = &bytes[i..i + 4];
        (code[..2] == *b"AA" && code[2].is_ascii_digit() && code[3].is_ascii_digit())
            .then(|| &message[i..i + 4])
    })
}

/// Whether a bundler refused a nonce the wallet just read from its node (AA25): the bundler is
/// behind — its node has not seen the last block yet, or its mempool still holds an operation
/// the chain has already passed (replaced or dropped), which it validates first. Both clear in
/// seconds; a nonce that is really wrong is refused again.
pub fn bundler_behind_on_nonce(message: &str) -> bool {
    refusal_code(message) == Some("AA25")
}

/// The EntryPoint v0.8 EIP-712 domain.
pub fn entry_point_domain(entry_point: Address, chain_id: u64) -> Eip712Domain {
    eip712_domain! {
        name: "ERC4337",
        version: "1",
        chain_id: chain_id,
        verifying_contract: entry_point,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{hex, keccak256};
    use alloy_sol_types::SolValue;

    fn sample() -> UserOperation {
        UserOperation {
            sender: Address::repeat_byte(0x11),
            nonce: U256::from(7),
            factory: Some(Address::repeat_byte(0x22)),
            factory_data: Some(Bytes::from_static(&[0xab, 0xcd])),
            call_data: Bytes::from_static(&[1, 2, 3]),
            call_gas_limit: U256::from(100_000),
            verification_gas_limit: U256::from(200_000),
            pre_verification_gas: U256::from(50_000),
            max_fee_per_gas: U256::from(3_000_000_000u64),
            max_priority_fee_per_gas: U256::from(1_000_000_000u64),
            signature: Bytes::new(),
            paymaster: None,
        }
    }

    #[test]
    fn refusal_codes_in_words() {
        assert_eq!(
            refusal_words(
                "UserOperation reverted during simulation with reason: AA34 signature error"
            ),
            Some(
                "the paymaster refused to pay: its sponsor's signature does not match the operation"
            )
        );
        assert_eq!(
            refusal_words("AA21 didn't pay prefund"),
            Some("the account cannot pay the network fee")
        );
        assert_eq!(refusal_words("AA99 something"), None);
        assert_eq!(refusal_words("AA"), None);
        assert_eq!(refusal_words("no code here AAx1"), None);
        assert_eq!(
            refusal_words("é AA32 paymaster expired"),
            Some("the sponsorship has expired or is not valid yet")
        );
    }

    #[test]
    fn a_bundler_behind_on_the_nonce_is_told_from_its_refusal() {
        assert!(bundler_behind_on_nonce(
            "UserOperation reverted during simulation with reason: AA25 invalid account nonce"
        ));
        assert!(!bundler_behind_on_nonce("AA21 didn't pay prefund"));
        assert!(!bundler_behind_on_nonce("invalid nonce"));
        // The first code counts: a message naming AA25 later as context is another refusal.
        assert!(!bundler_behind_on_nonce("AA23 reverted (not AA25)"));
        assert_eq!(refusal_code("é\u{1F600}AA3"), None);
    }

    #[test]
    fn a_paymaster_is_four_fields_and_packs_as_the_entry_point_reads_it() {
        let mut op = sample();
        let json = serde_json::to_value(&op).unwrap();
        assert!(json.get("paymaster").is_none(), "no paymaster, no fields");
        op.paymaster = Some(Paymaster {
            paymaster: Address::repeat_byte(0x33),
            paymaster_verification_gas_limit: U256::from(60_000),
            paymaster_post_op_gas_limit: U256::from(1),
            paymaster_data: Bytes::from_static(&[9, 9]),
        });
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(
            json["paymaster"],
            "0x3333333333333333333333333333333333333333"
        );
        assert_eq!(json["paymasterVerificationGasLimit"], "0xea60");
        assert_eq!(json["paymasterPostOpGasLimit"], "0x1");
        assert_eq!(json["paymasterData"], "0x0909");
        let back: UserOperation = serde_json::from_value(json).unwrap();
        assert_eq!(back, op);
        let without: UserOperation =
            serde_json::from_value(serde_json::to_value(sample()).unwrap()).unwrap();
        assert_eq!(without.paymaster, None);
        let packed = op.packed().paymasterAndData;
        assert_eq!(packed.len(), 20 + 32 + 2);
        assert_eq!(&packed[..20], Address::repeat_byte(0x33).as_slice());
        assert_eq!(U256::from_be_slice(&packed[20..36]), U256::from(60_000));
        assert_eq!(U256::from_be_slice(&packed[36..52]), U256::from(1));
        assert_eq!(&packed[52..], &[9, 9]);
        assert_eq!(
            op.total_gas(),
            U256::from(100_000 + 200_000 + 50_000 + 60_000 + 1)
        );
        assert_eq!(op.account_max_cost(), U256::ZERO, "the paymaster pays");
        assert_ne!(
            op.hash(ENTRY_POINT_V08, 1),
            sample().hash(ENTRY_POINT_V08, 1)
        );
    }

    #[test]
    fn init_code_is_factory_then_data() {
        let op = sample();
        let init = op.init_code();
        assert_eq!(&init[..20], Address::repeat_byte(0x22).as_slice());
        assert_eq!(&init[20..], &[0xab, 0xcd]);
        let mut deployed = op;
        deployed.factory = None;
        assert!(deployed.init_code().is_empty());
    }

    #[test]
    fn gas_fields_pack_high_then_low() {
        let op = sample();
        let limits = op.account_gas_limits();
        assert_eq!(U256::from_be_slice(&limits[..16]), U256::from(200_000));
        assert_eq!(U256::from_be_slice(&limits[16..]), U256::from(100_000));
        let fees = op.gas_fees();
        assert_eq!(
            U256::from_be_slice(&fees[..16]),
            U256::from(1_000_000_000u64)
        );
        assert_eq!(
            U256::from_be_slice(&fees[16..]),
            U256::from(3_000_000_000u64)
        );
    }

    /// The hash written out the way EntryPoint v0.8 (`UserOperationLib.hash` + `EIP712`)
    /// computes it, independently of alloy's `SolStruct`.
    #[test]
    fn hash_matches_entry_point_v08_definition() {
        let op = sample();
        let typehash = keccak256(
            "PackedUserOperation(address sender,uint256 nonce,bytes initCode,bytes callData,bytes32 accountGasLimits,uint256 preVerificationGas,bytes32 gasFees,bytes paymasterAndData)",
        );
        let struct_hash = keccak256(
            (
                typehash,
                op.sender,
                op.nonce,
                keccak256(op.init_code()),
                keccak256(&op.call_data),
                op.account_gas_limits(),
                op.pre_verification_gas,
                op.gas_fees(),
                keccak256([]),
            )
                .abi_encode(),
        );
        let domain_typehash = keccak256(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
        );
        let domain_separator = keccak256(
            (
                domain_typehash,
                keccak256("ERC4337"),
                keccak256("1"),
                U256::from(31337),
                ENTRY_POINT_V08,
            )
                .abi_encode(),
        );
        let mut digest_input = hex!("1901").to_vec();
        digest_input.extend_from_slice(domain_separator.as_slice());
        digest_input.extend_from_slice(struct_hash.as_slice());
        assert_eq!(op.hash(ENTRY_POINT_V08, 31337), keccak256(digest_input));
    }

    #[test]
    fn serializes_in_bundler_json_shape() {
        let mut op = sample();
        op.factory = None;
        op.factory_data = None;
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["callGasLimit"], "0x186a0");
        assert_eq!(json["maxFeePerGas"], "0xb2d05e00");
        assert!(json.get("factory").is_none());
        assert_eq!(json["callData"], "0x010203");
    }

    #[test]
    fn receipt_polls_are_fast_at_first_then_back_off_to_every_two_seconds() {
        let delays: Vec<u32> = (1..200).map(receipt_poll_delay_ms).collect();
        assert!(delays[..10].iter().all(|&d| d == 200));
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(receipt_poll_delay_ms(11), 300);
        assert_eq!(*delays.last().unwrap(), 2_000);
        assert_eq!(receipt_poll_delay_ms(u32::MAX), 2_000);
        // Polls made by the time `ms` have passed: one at once, then one after each pause.
        let polls_by = |ms: u32| {
            let (mut waited, mut polls) = (0, 1);
            while waited + receipt_poll_delay_ms(polls) <= ms {
                waited += receipt_poll_delay_ms(polls);
                polls += 1;
            }
            polls
        };
        assert_eq!(polls_by(2_000), 11);
        assert_eq!(polls_by(12_000), 19);
        assert_eq!(polls_by(RECEIPT_TIMEOUT_MS), 43);
    }
}
