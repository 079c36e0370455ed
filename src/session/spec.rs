//! The session data model, byte-identical to the contract's `SessionLib` (and to ZKsync SSO's
//! for the limit types and targets it has): `sessionHash = keccak256(abi.encode(spec))`.

use alloy_primitives::{Address, B256, Bytes, keccak256};
use alloy_sol_types::SolValue;

alloy_sol_types::sol! {
    /// How a limit is enforced (`Stream`: this project's addition, see `super::stream`).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    enum LimitType { Unlimited, Lifetime, Allowance, Stream }

    /// How a calldata word is compared with the reference value (unsigned, 32 bytes).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    enum Condition { Unconstrained, Equal, Greater, Less, GreaterOrEqual, LessOrEqual, NotEqual }

    /// A limit: none, over the session's life, or per epoch-aligned period.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct UsageLimit { LimitType limitType; uint256 limit; uint48 period; }

    /// A constraint on the calldata word at `4 + 32 * index`.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Constraint { Condition condition; uint64 index; bytes32 refValue; UsageLimit limit; }

    /// Calls to `target` with `selector`.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct CallSpec { address target; bytes4 selector; uint256 maxValuePerUse; UsageLimit valueLimit; Constraint[] constraints; }

    /// Plain value transfers (empty calldata) to `target` (`ANY_RECIPIENT`: to anyone).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct TransferSpec { address target; uint256 maxValuePerUse; UsageLimit valueLimit; }

    /// A session: its signer, expiry, fee limit and policies.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct SessionSpec { address signer; uint48 expiresAt; UsageLimit feeLimit; CallSpec[] callPolicies; TransferSpec[] transferPolicies; }

    /// Session status on chain.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    enum Status { NotInitialized, Active, Closed }

    /// What is left of one limit.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct LimitState { uint256 remaining; address target; bytes4 selector; uint256 index; }

    /// `sessionState`: status, fees left, and what is left of every value and parameter limit
    /// (one entry per transfer policy, call policy and constraint, in order).
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct SessionState { Status status; uint256 feesRemaining; LimitState[] transferValue; LimitState[] callValue; LimitState[] callParams; }

    /// The session validator's interface.
    interface ISessionKeyValidator {
        function createSession(SessionSpec spec, bytes proof) external;
        function revokeKey(bytes32 sessionHash) external;
        function revokeKeys(bytes32[] sessionHashes) external;
        function sessionStatus(address account, bytes32 sessionHash) external view returns (Status);
        function sessionState(address account, SessionSpec spec) external view returns (SessionState);
        event SessionCreated(address indexed account, bytes32 indexed sessionHash, SessionSpec spec);
        event SessionRevoked(address indexed account, bytes32 indexed sessionHash);
    }
}

/// The target of a transfer policy that matches a plain transfer to any recipient
/// (`SessionLib.ANY_RECIPIENT`: an address no one holds a key for, not the zero address, which
/// the account executes as itself).
pub const ANY_RECIPIENT: Address = Address::repeat_byte(0xff);

/// `keccak256(abi.encode(spec))`.
pub fn session_hash(spec: &SessionSpec) -> B256 {
    keccak256(spec.abi_encode())
}

/// The digest the session key signs to prove it consents: `keccak256(abi.encode(sessionHash, account))`.
pub fn create_proof_digest(session_hash: B256, account: Address) -> B256 {
    keccak256((session_hash, account).abi_encode())
}

/// The session part of a UserOp signature: `abi.encode(bytes ecdsaSignature, SessionSpec spec, uint48[] periodIds)`.
pub fn signature_data(ecdsa_signature: &[u8], spec: &SessionSpec, period_ids: &[u64]) -> Bytes {
    let ids: Vec<alloy_primitives::aliases::U48> = period_ids
        .iter()
        .map(|&p| alloy_primitives::aliases::U48::saturating_from(p))
        .collect();
    (Bytes::copy_from_slice(ecdsa_signature), spec.clone(), ids)
        .abi_encode_params()
        .into()
}
