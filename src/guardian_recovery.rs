//! Account recovery with guardians (`GuardianRecovery`, `contracts/src/recovery/`): what the
//! wallet decides and encodes for the three people involved. No server takes part: the chain and
//! a code the users pass to each other are all there is.
//!
//! - **The owner** sets guardians, a threshold and a delay ([`Setup`], [`setup_calls`]) with a
//!   passkey approval, and can cancel a pending recovery ([`cancel_call`]) from any browser that
//!   holds a passkey of the account.
//! - **The user who lost the passkey** creates a new passkey in a new browser, proves it for the
//!   account (the same proof as adding a passkey: [`PasskeyLink`]), and shares a
//!   [`RecoveryCode`]: the account, the round, the new passkey and a *finalizer* address whose
//!   key only that browser holds. Once guardians approved and the delay passed, that browser
//!   finalizes with a UserOp of the account itself, signed by the finalizer
//!   ([`finalizer_signature`]): the module validates it, and the account pays.
//! - **A guardian** reads the code ([`RecoveryCode::decode`], total and bounded, the proof checked
//!   as the validator will), compares the request's [`RecoveryCode::fingerprint`] with the user's,
//!   and approves: an SSO Wallet guardian with its own UserOp ([`RecoveryCode::approve_call`]), an
//!   EOA by signing [`RecoveryCode::typed_data`] (EIP-712) in any wallet; the recovering user
//!   pastes that signature ([`GuardianSignature::parse`]) and submits it.
//!
//! Every browser that holds a passkey of the account reads [`Config`] on the home page: while
//! `pending_since_block` is set, a recovery is pending and it says so loudly, reading the round's
//! requests from the module's logs ([`requests_from_logs`]).

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolEvent, SolStruct, SolValue};
use serde::{Deserialize, Serialize};

use crate::abi::IERC7579ModuleConfig::installModuleCall;
use crate::abi::IGuardianRecovery::{
    self, RecoveryApproved, RecoveryRequested, RecoveryScheduled, approveCall,
    approveWithSignaturesCall, cancelRecoveryCall, finalizeCall, setGuardiansCall,
};
use crate::erc7579::Call;
use crate::passkey_link::{self, PasskeyLink};
use crate::recovery::Log;
use crate::session::key::SessionKey;
use crate::{Error, Result};

/// The most guardians an account can have (the contract's `MAX_GUARDIANS`).
pub const MAX_GUARDIANS: usize = 16;
/// The shortest delay the contract accepts (`MIN_DELAY`): 24 hours.
pub const MIN_DELAY_SECS: u64 = 24 * 3600;
/// The longest (`MAX_DELAY`): 90 days.
pub const MAX_DELAY_SECS: u64 = 90 * 24 * 3600;
/// The delay the wallet proposes: 48 hours.
pub const DEFAULT_DELAY_SECS: u64 = 48 * 3600;
/// What every recovery code starts with (and its format version).
pub const CODE_PREFIX: &str = "sso-wallet-recovery-1:";
/// Most characters of a recovery code (a real one is under 2,500).
pub const MAX_CODE_CHARS: usize = 8 * 1024;
/// Most characters of the requester's name in a code.
pub const MAX_NAME_CHARS: usize = 64;
/// ERC-7579 module types the module is installed as.
const VALIDATOR: u64 = 1;
const EXECUTOR: u64 = 2;

alloy_sol_types::sol! {
    /// The EIP-712 type guardians sign (`RECOVERY_APPROVAL_TYPEHASH`).
    struct RecoveryApproval {
        address account;
        uint64 round;
        bytes credentialId;
        bytes32[2] publicKey;
        string originDomain;
        address finalizer;
    }
}

/// An account's guardians, threshold and delay, as the owner sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Setup {
    /// The guardians: EOAs, SSO Wallet accounts or any ERC-1271 contract.
    pub guardians: Vec<Address>,
    /// How many must approve one request.
    pub threshold: u8,
    /// Seconds between the last approval needed and finalizing.
    pub delay_secs: u64,
    /// The most one recovery UserOp may cost the account (wei); the wallet sets it
    /// ([`default_fee_cap`]).
    #[serde(default)]
    pub max_recovery_fee: U256,
}

/// The nonce lane of recovery UserOps (ASCII "recovery"): key `(lane << 64) | round`.
pub const RECOVERY_NONCE_LANE: u64 = 0x7265_636f_7665_7279;
/// The most recovery UserOps the account pays for in one round (`MAX_RECOVERY_OPS`).
pub const MAX_RECOVERY_OPS: u64 = 4;
/// Gas the wallet's fee cap allows a recovery UserOp (all its limits together): a finalize
/// without the P-256 precompile, with an L2's data fee in `preVerificationGas`, fits.
pub const FEE_CAP_GAS: u64 = 2_000_000;
/// How far fees may rise over today's before a recovery UserOp no longer fits the cap.
pub const FEE_CAP_MARGIN: u64 = 10;

/// The fee cap the wallet sets with the guardians: [`FEE_CAP_GAS`] at [`FEE_CAP_MARGIN`] times
/// today's `maxFeePerGas`.
pub fn default_fee_cap(max_fee_per_gas: U256) -> U256 {
    max_fee_per_gas.saturating_mul(U256::from(FEE_CAP_GAS * FEE_CAP_MARGIN))
}

/// The nonce key of the recovery UserOps of round `round`.
pub fn recovery_nonce_key(round: u64) -> U256 {
    (U256::from(RECOVERY_NONCE_LANE) << 64) | U256::from(round)
}

impl Setup {
    /// The contract's rules, as readable errors: 1–16 distinct guardians, none zero or the
    /// account itself, a threshold of 1..n, a delay of 24 hours to 90 days. (An empty list turns
    /// recovery off: [`Setup::off`].)
    pub fn check(&self, account: Address) -> Result<()> {
        let bad = |why: String| Err(Error::invalid_params(why));
        let n = self.guardians.len();
        if n == 0 && self.threshold == 0 {
            return Ok(());
        }
        if n == 0 || n > MAX_GUARDIANS {
            return bad(format!("Name between 1 and {MAX_GUARDIANS} guardians."));
        }
        for (i, guardian) in self.guardians.iter().enumerate() {
            if guardian.is_zero() {
                return bad("The zero address cannot be a guardian.".into());
            }
            if *guardian == account {
                return bad("The account cannot be its own guardian.".into());
            }
            if self.guardians[..i].contains(guardian) {
                return bad(format!("{} is listed twice.", guardian.to_checksum(None)));
            }
        }
        if self.threshold == 0 || usize::from(self.threshold) > n {
            return bad(format!(
                "The number of approvals needed must be between 1 and {n}."
            ));
        }
        if !(MIN_DELAY_SECS..=MAX_DELAY_SECS).contains(&self.delay_secs) {
            return bad("The delay must be between 24 hours and 90 days.".into());
        }
        if self.max_recovery_fee >= U256::from(1) << 96 {
            return bad("The recovery fee cap is implausibly high.".into());
        }
        Ok(())
    }

    /// No guardians: recovery off.
    pub fn off() -> Self {
        Setup {
            guardians: Vec::new(),
            threshold: 0,
            delay_secs: MIN_DELAY_SECS,
            max_recovery_fee: U256::ZERO,
        }
    }

    fn set_guardians(&self) -> setGuardiansCall {
        setGuardiansCall {
            guardians: self.guardians.clone(),
            threshold: U256::from(self.threshold),
            delay: U256::from(self.delay_secs),
            maxRecoveryFee: self.max_recovery_fee,
        }
    }
}

/// Which of the module's two installs an account has: the executor (which holds the setup) and
/// the validator (of recovery UserOps).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Installed {
    /// As executor.
    pub executor: bool,
    /// As validator.
    pub validator: bool,
}

/// The account's calls that apply `setup`: installing the module as executor with the setup when
/// it is not, else `setGuardians`; and as validator of recovery UserOps when it is not.
pub fn setup_calls(
    account: Address,
    module: Address,
    setup: &Setup,
    installed: Installed,
) -> Vec<Call> {
    let install = |module_type: u64, init: Bytes| Call {
        to: account,
        value: U256::ZERO,
        data: installModuleCall {
            moduleTypeId: U256::from(module_type),
            module,
            initData: init,
        }
        .abi_encode()
        .into(),
    };
    let mut calls = Vec::new();
    if installed.executor {
        calls.push(Call {
            to: module,
            value: U256::ZERO,
            data: setup.set_guardians().abi_encode().into(),
        });
    } else {
        let init = (
            setup.guardians.clone(),
            U256::from(setup.threshold),
            U256::from(setup.delay_secs),
            setup.max_recovery_fee,
        )
            .abi_encode_params();
        calls.push(install(EXECUTOR, init.into()));
    }
    if !installed.validator {
        calls.push(install(VALIDATOR, Bytes::new()));
    }
    calls
}

/// A passkey-approved change the recovery tab asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecoveryChange {
    /// Set the account's guardians, threshold and delay (installing the module first when
    /// `install`).
    #[serde(rename_all = "camelCase")]
    Setup {
        /// The new setup.
        setup: Setup,
        /// Whether the module is installed with it.
        install: bool,
    },
    /// Cancel the pending recovery of the account.
    Cancel,
    /// Approve, as its guardian, another account's recovery.
    #[serde(rename_all = "camelCase")]
    Approve {
        /// The account to recover.
        account: Address,
        /// The request's fingerprint.
        fingerprint: String,
        /// Who asks, in their words.
        name: String,
        /// The new passkey's WebAuthn origin (the browser it was made in).
        origin: String,
    },
}

/// The owner's call that cancels every recovery of the current round.
pub fn cancel_call(module: Address) -> Call {
    Call {
        to: module,
        value: U256::ZERO,
        data: cancelRecoveryCall {}.abi_encode().into(),
    }
}

/// The module's state for one account (`recoveryConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// The guardians, threshold and delay.
    pub setup: Setup,
    /// The current round: approvals name it.
    pub round: u64,
    /// The block of the round's first approval (its logs are from there on), while a recovery is
    /// pending.
    pub pending_since_block: Option<u64>,
}

impl Config {
    /// Decodes `recoveryConfig`'s answer (a node's bytes: anything malformed is an error).
    pub fn decode(answer: &[u8]) -> Result<Self> {
        let r = IGuardianRecovery::recoveryConfigCall::abi_decode_returns(answer)
            .map_err(|e| Error::Internal(format!("recoveryConfig: {e}")))?;
        let small = |v: U256, max: u64, what: &str| {
            u64::try_from(v)
                .ok()
                .filter(|v| *v <= max)
                .ok_or_else(|| Error::Internal(format!("recoveryConfig: {what} out of range")))
        };
        if r.guardians.len() > MAX_GUARDIANS {
            return Err(Error::Internal("recoveryConfig: too many guardians".into()));
        }
        let threshold = small(r.threshold, MAX_GUARDIANS as u64, "threshold")? as u8;
        let delay_secs = small(r.delay, MAX_DELAY_SECS, "delay")?;
        let pending = small(r.pendingSinceBlock, u64::MAX, "block")?;
        if r.maxRecoveryFee >= U256::from(1) << 96 {
            return Err(Error::Internal(
                "recoveryConfig: fee cap out of range".into(),
            ));
        }
        Ok(Config {
            setup: Setup {
                guardians: r.guardians,
                threshold,
                delay_secs,
                max_recovery_fee: r.maxRecoveryFee,
            },
            round: r.round,
            pending_since_block: (pending != 0).then_some(pending),
        })
    }

    /// Whether guardians are set (recovery is on).
    pub fn is_on(&self) -> bool {
        !self.setup.guardians.is_empty()
    }
}

/// One request's approvals in its round (`requestApprovals`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approvals {
    /// The guardians who approved (from the module's bitmap, in the config's order).
    pub approved_by: Vec<Address>,
    /// When it can be finalized (a timestamp), once the threshold is reached.
    pub ready_at: Option<u64>,
}

impl Approvals {
    /// Decodes `requestApprovals`' answer against the account's guardians.
    pub fn decode(answer: &[u8], guardians: &[Address]) -> Result<Self> {
        let r = IGuardianRecovery::requestApprovalsCall::abi_decode_returns(answer)
            .map_err(|e| Error::Internal(format!("requestApprovals: {e}")))?;
        let approved_by = guardians
            .iter()
            .enumerate()
            .filter(|(i, _)| r.approvedBy.bit(*i))
            .map(|(_, g)| *g)
            .collect();
        let ready_at = u64::try_from(r.readyAt)
            .map_err(|_| Error::Internal("requestApprovals: readyAt out of range".into()))?;
        Ok(Approvals {
            approved_by,
            ready_at: (ready_at != 0).then_some(ready_at),
        })
    }
}

/// What the recovering user shares with the guardians: one new passkey for one account in one
/// round, and the finalizer that may finalize it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveryCode {
    /// The account, chain, new passkey, its origin and its proof of possession.
    pub link: PasskeyLink,
    /// The recovery module.
    pub module: Address,
    /// The round the approvals are for.
    pub round: u64,
    /// The address whose key the requesting browser holds.
    pub finalizer: Address,
    /// Who asks, in their own words (untrusted: shown as such).
    pub name: String,
}

impl RecoveryCode {
    /// The code: [`CODE_PREFIX`] and the JSON in base64url.
    pub fn encode(&self) -> String {
        passkey_link::encode_code(CODE_PREFIX, self)
    }

    /// Reads a code pasted by a guardian (surrounding whitespace ignored): total and bounded;
    /// the passkey held to a passkey code's rules ([`PasskeyLink::check`]) and the finalizer not
    /// zero. The proof is checked against the validator by [`RecoveryCode::check_proof`].
    pub fn decode(code: &str) -> Result<Self> {
        let bad =
            |why: &str| Error::invalid_params(format!("This is not a recovery request: {why}."));
        let code: Self = passkey_link::decode_code(code, CODE_PREFIX, MAX_CODE_CHARS, bad)?;
        code.link.check().map_err(bad)?;
        if code.finalizer.is_zero() || code.module.is_zero() || code.link.account.is_zero() {
            return Err(bad("it names no account or no finalizer"));
        }
        if code.name.chars().count() > MAX_NAME_CHARS
            || code.name.chars().any(char::is_control)
            || !crate::untrusted::is_plain(&code.name)
        {
            return Err(bad("its name is not a name"));
        }
        Ok(code)
    }

    /// Checks the new passkey's proof of possession as the passkey validator will when the
    /// recovery is finalized (the account, chain and validator are in its challenge).
    pub fn check_proof(&self, validator: Address) -> Result<[B256; 2]> {
        self.link.proof_rs(validator)
    }

    /// The request as the contract takes it.
    pub fn request(&self) -> IGuardianRecovery::RecoveryRequest {
        IGuardianRecovery::RecoveryRequest {
            credentialId: self.link.passkey.credential_id.clone(),
            publicKey: self.link.passkey.public_key,
            originDomain: self.link.origin.clone(),
            finalizer: self.finalizer,
        }
    }

    fn approval(&self) -> RecoveryApproval {
        RecoveryApproval {
            account: self.link.account,
            round: self.round,
            credentialId: self.link.passkey.credential_id.clone(),
            publicKey: self.link.passkey.public_key,
            originDomain: self.link.origin.clone(),
            finalizer: self.finalizer,
        }
    }

    fn domain(&self) -> alloy_sol_types::Eip712Domain {
        alloy_sol_types::eip712_domain! {
            name: "SsoWalletGuardianRecovery",
            version: "1",
            chain_id: self.link.chain_id,
            verifying_contract: self.module,
        }
    }

    /// The request's identity (`requestHash`: the EIP-712 struct hash).
    pub fn hash(&self) -> B256 {
        self.approval().eip712_hash_struct()
    }

    /// The EIP-712 digest a guardian signs (`approvalDigest`).
    pub fn digest(&self) -> B256 {
        self.approval().eip712_signing_hash(&self.domain())
    }

    /// The typed data an EOA guardian signs with any wallet (`eth_signTypedData_v4`).
    pub fn typed_data(&self) -> serde_json::Value {
        let key = self.link.passkey.public_key;
        serde_json::json!({
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "RecoveryApproval": [
                    {"name": "account", "type": "address"},
                    {"name": "round", "type": "uint64"},
                    {"name": "credentialId", "type": "bytes"},
                    {"name": "publicKey", "type": "bytes32[2]"},
                    {"name": "originDomain", "type": "string"},
                    {"name": "finalizer", "type": "address"},
                ],
            },
            "primaryType": "RecoveryApproval",
            "domain": {
                "name": "SsoWalletGuardianRecovery",
                "version": "1",
                "chainId": self.link.chain_id,
                "verifyingContract": self.module,
            },
            "message": {
                "account": self.link.account,
                "round": self.round,
                "credentialId": self.link.passkey.credential_id,
                "publicKey": [key[0], key[1]],
                "originDomain": self.link.origin,
                "finalizer": self.finalizer,
            },
        })
    }

    /// The request's [`fingerprint`].
    pub fn fingerprint(&self) -> String {
        fingerprint(self.hash())
    }

    /// A guardian's own call approving the request (its account's UserOp, or an EOA's
    /// transaction).
    pub fn approve_call(&self) -> Call {
        Call {
            to: self.module,
            value: U256::ZERO,
            data: approveCall {
                account: self.link.account,
                round: self.round,
                request: self.request(),
            }
            .abi_encode()
            .into(),
        }
    }

    /// The call submitting guardians' EIP-712 signatures.
    pub fn approve_with_signatures_call(&self, signatures: &[GuardianSignature]) -> Call {
        Call {
            to: self.module,
            value: U256::ZERO,
            data: approveWithSignaturesCall {
                account: self.link.account,
                round: self.round,
                request: self.request(),
                signers: signatures.iter().map(|s| s.guardian).collect(),
                signatures: signatures
                    .iter()
                    .map(|s| Bytes::copy_from_slice(&s.signature))
                    .collect(),
            }
            .abi_encode()
            .into(),
        }
    }

    /// The call finalizing the request; `proof` is the validator's encoding of the code's proof
    /// ([`crate::webauthn::signature_data`] of its assertion).
    pub fn finalize_call(&self, proof: Bytes) -> Call {
        Call {
            to: self.module,
            value: U256::ZERO,
            data: finalizeCall {
                account: self.link.account,
                round: self.round,
                request: self.request(),
                proof,
            }
            .abi_encode()
            .into(),
        }
    }
}

/// A short fingerprint of a request that a guardian and the recovering user compare, e.g. over
/// the phone, and that every device shows for a pending recovery: the first 80 bits of the
/// request's hash (account, round, new passkey, its origin and the finalizer), five groups of
/// four hex digits.
pub fn fingerprint(request_hash: B256) -> String {
    request_hash[..10]
        .chunks(2)
        .map(|pair| format!("{:02X}{:02X}", pair[0], pair[1]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A recovery this browser started (no account here yet): its code, the finalizer's key (kept
/// in the wallet's storage until the recovery ends: the browser may restart during the delay),
/// and guardians' signatures pasted but not submitted yet.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovering {
    /// The request.
    pub code: RecoveryCode,
    /// The finalizer's private key (secp256k1 scalar).
    pub finalizer_key: B256,
    /// EOA guardians' signatures, not submitted yet.
    #[serde(default)]
    pub signatures: Vec<GuardianSignature>,
}

impl std::fmt::Debug for Recovering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recovering")
            .field("code", &self.code)
            .field("finalizer", &self.code.finalizer)
            .field("signatures", &self.signatures)
            .finish_non_exhaustive()
    }
}

impl Recovering {
    /// The finalizer's key.
    pub fn finalizer(&self) -> Result<SessionKey> {
        SessionKey::from_bytes(self.finalizer_key.as_slice())
    }
}

/// An EOA guardian's signature of a request's typed data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardianSignature {
    /// The guardian (recovered from the signature).
    pub guardian: Address,
    /// `r ‖ s ‖ v`.
    pub signature: Bytes,
}

impl GuardianSignature {
    /// Reads a signature pasted by the recovering user (`0x` and 130 hex digits) and recovers
    /// who signed `code`; it must be one of `guardians`.
    pub fn parse(text: &str, code: &RecoveryCode, guardians: &[Address]) -> Result<Self> {
        let bad = |why: &str| Error::invalid_params(format!("This signature {why}."));
        let text = text.trim();
        if text.len() > 140 {
            return Err(bad("is far too long"));
        }
        let bytes: Vec<u8> = alloy_primitives::hex::decode(text)
            .map_err(|_| bad("is not hex (0x and 130 digits)"))?;
        let raw: [u8; 65] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| bad("should be 65 bytes"))?;
        let guardian = crate::session::key::recover_signer(code.digest(), &raw)
            .ok_or_else(|| bad("is malformed (v must be 27 or 28, s low)"))?;
        if !guardians.contains(&guardian) {
            return Err(bad(&format!(
                "is by {}, who is not a guardian of this account (or it signed another request)",
                guardian.to_checksum(None)
            )));
        }
        Ok(GuardianSignature {
            guardian,
            signature: raw.to_vec().into(),
        })
    }
}

/// The finalizer's signature of a recovery UserOp: `module ‖ r ‖ s ‖ v` over the userOpHash.
pub fn finalizer_signature(module: Address, key: &SessionKey, user_op_hash: B256) -> Result<Bytes> {
    let mut out = module.to_vec();
    out.extend_from_slice(&key.sign_hash(user_op_hash)?);
    Ok(out.into())
}

/// The browser a passkey registered under `origin` lives in ("Chrome", "Firefox"); for an origin
/// no SSO Wallet signs for (a log's, written by whoever approved it), says so, with the origin
/// cut and its hidden characters shown.
pub fn browser_of(origin: &str) -> String {
    match crate::relying_party::Browser::from_extension_origin(origin) {
        Some(browser) if crate::relying_party::is_wallet_origin(origin) => {
            browser.name().to_owned()
        }
        _ => format!(
            "no SSO Wallet (suspicious origin “{}”)",
            crate::untrusted::clip(origin, 48)
        ),
    }
}

/// Gas head-room on a recovery UserOp's validation: the estimate is made with a signature that
/// recovers another address, after the same work, so 20 % and a little more suffice.
const RECOVERY_VERIFICATION_HEADROOM: u64 = 10_000;

/// Applies a bundler's estimate to a recovery UserOp (validated by the module).
pub fn apply_recovery_gas(
    user_op: &mut crate::erc4337::UserOperation,
    estimate: &crate::erc4337::GasEstimate,
) {
    user_op.apply_gas_with_headroom(estimate, RECOVERY_VERIFICATION_HEADROOM);
}

/// A signature of the real shape that fails (for gas estimation: the module then returns
/// "failed" after the same work).
pub fn dummy_finalizer_signature(module: Address) -> Bytes {
    let mut out = module.to_vec();
    out.extend_from_slice(&[0x11; 64]);
    out.push(27);
    out.into()
}

/// One request of a pending recovery, from the module's logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequest {
    /// Its hash.
    pub hash: B256,
    /// The new passkey's credential id.
    pub credential_id: Bytes,
    /// Its public key.
    pub public_key: [B256; 2],
    /// Its origin (the browser it was made in).
    pub origin: String,
    /// The guardians who approved it.
    pub approved_by: Vec<Address>,
    /// When it can be finalized, once scheduled.
    pub ready_at: Option<u64>,
}

/// The requests of `account`'s round `round`, from the module's logs in chain order (other
/// accounts', rounds' and contracts' logs are skipped), most advanced first — scheduled ones, then
/// by approvals — and at most [`MAX_GUARDIANS`] of them, with how many more there are. Guardians
/// can approve any number of requests: junk ones never push a scheduled one out of view.
pub fn requests_from_logs(
    logs: &[Log],
    module: Address,
    account: Address,
    round: u64,
) -> (Vec<PendingRequest>, usize) {
    let mut requests: Vec<PendingRequest> = Vec::new();
    let ours = |a: Address, r: u64| a == account && r == round;
    for log in logs.iter().filter(|l| l.address == module) {
        let topics = log.topics.iter().copied();
        if let Ok(e) = RecoveryRequested::decode_raw_log(topics.clone(), &log.data) {
            if ours(e.account, e.round) && !requests.iter().any(|r| r.hash == e.requestHash) {
                requests.push(PendingRequest {
                    hash: e.requestHash,
                    credential_id: e.request.credentialId,
                    public_key: e.request.publicKey,
                    origin: e.request.originDomain,
                    approved_by: Vec::new(),
                    ready_at: None,
                });
            }
        } else if let Ok(e) = RecoveryApproved::decode_raw_log(topics.clone(), &log.data) {
            if let Some(r) = requests.iter_mut().find(|r| r.hash == e.requestHash)
                && ours(e.account, e.round)
                && !r.approved_by.contains(&e.guardian)
                && r.approved_by.len() < MAX_GUARDIANS
            {
                r.approved_by.push(e.guardian);
            }
        } else if let Ok(e) = RecoveryScheduled::decode_raw_log(topics, &log.data)
            && let Some(r) = requests.iter_mut().find(|r| r.hash == e.requestHash)
            && ours(e.account, e.round)
        {
            r.ready_at = u64::try_from(e.readyAt).ok();
        }
    }
    requests.sort_by_key(|r| (r.ready_at.is_none(), std::cmp::Reverse(r.approved_by.len())));
    let more = requests.len().saturating_sub(MAX_GUARDIANS);
    requests.truncate(MAX_GUARDIANS);
    (requests, more)
}

/// The module's events the pending view reads (`eth_getLogs` topics, with the account).
pub fn pending_events() -> [B256; 3] {
    [
        RecoveryRequested::SIGNATURE_HASH,
        RecoveryApproved::SIGNATURE_HASH,
        RecoveryScheduled::SIGNATURE_HASH,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webauthn::{Assertion, Passkey};
    use alloy_primitives::keccak256;

    const FIREFOX: &str =
        "moz-extension://nhlblpnfjhgomebdgpnjbboieaokioolbpeakllpkkfncdhgkefcopnjhlefdcfl";

    fn code() -> RecoveryCode {
        RecoveryCode {
            link: PasskeyLink {
                account: Address::repeat_byte(0xaa),
                chain_id: 31337,
                passkey: Passkey {
                    credential_id: Bytes::from(vec![9u8; 16]),
                    public_key: [B256::repeat_byte(1), B256::repeat_byte(2)],
                },
                origin: FIREFOX.into(),
                proof: Assertion::default(),
            },
            module: Address::repeat_byte(0x3c),
            round: 4,
            finalizer: Address::repeat_byte(0xf1),
            name: "Ada, new laptop".into(),
        }
    }

    #[test]
    fn setups_follow_the_contracts_rules() {
        let account = Address::repeat_byte(0xaa);
        let g = |b: u8| Address::repeat_byte(b);
        let ok = Setup {
            guardians: vec![g(1), g(2)],
            threshold: 2,
            delay_secs: DEFAULT_DELAY_SECS,
            max_recovery_fee: U256::from(1),
        };
        assert!(ok.check(account).is_ok());
        assert!(Setup::off().check(account).is_ok());
        for bad in [
            Setup {
                threshold: 0,
                ..ok.clone()
            },
            Setup {
                threshold: 3,
                ..ok.clone()
            },
            Setup {
                delay_secs: MIN_DELAY_SECS - 1,
                ..ok.clone()
            },
            Setup {
                delay_secs: MAX_DELAY_SECS + 1,
                ..ok.clone()
            },
            Setup {
                max_recovery_fee: U256::from(1) << 96,
                ..ok.clone()
            },
            Setup {
                guardians: vec![g(1), g(1)],
                ..ok.clone()
            },
            Setup {
                guardians: vec![g(1), Address::ZERO],
                ..ok.clone()
            },
            Setup {
                guardians: vec![g(1), account],
                ..ok.clone()
            },
            Setup {
                guardians: (1..=17).map(g).collect(),
                threshold: 1,
                ..ok.clone()
            },
            Setup {
                guardians: vec![],
                threshold: 1,
                ..ok.clone()
            },
        ] {
            assert!(bad.check(account).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn first_setup_installs_both_types_later_ones_set_guardians() {
        let (account, module) = (Address::repeat_byte(0xaa), Address::repeat_byte(0x3c));
        let setup = Setup {
            guardians: vec![Address::repeat_byte(1)],
            threshold: 1,
            delay_secs: DEFAULT_DELAY_SECS,
            max_recovery_fee: U256::from(5),
        };
        let calls = setup_calls(account, module, &setup, Installed::default());
        assert_eq!(calls.len(), 2);
        let first = installModuleCall::abi_decode(&calls[0].data).unwrap();
        assert_eq!(
            (calls[0].to, first.moduleTypeId, first.module),
            (account, U256::from(2), module)
        );
        let (guardians, threshold, delay, cap) =
            <(Vec<Address>, U256, U256, U256)>::abi_decode_params(&first.initData).unwrap();
        assert_eq!(guardians, setup.guardians);
        assert_eq!(
            (threshold, delay, cap),
            (U256::from(1), U256::from(DEFAULT_DELAY_SECS), U256::from(5))
        );
        let second = installModuleCall::abi_decode(&calls[1].data).unwrap();
        assert_eq!(
            (second.moduleTypeId, second.initData.len()),
            (U256::from(1), 0)
        );
        let both = Installed {
            executor: true,
            validator: true,
        };
        let again = setup_calls(account, module, &setup, both);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].to, module);
        assert_eq!(
            setGuardiansCall::abi_decode(&again[0].data)
                .unwrap()
                .maxRecoveryFee,
            U256::from(5)
        );
        // One type uninstalled elsewhere: only that one is installed again.
        let no_validator = setup_calls(
            account,
            module,
            &setup,
            Installed {
                validator: false,
                ..both
            },
        );
        assert_eq!(no_validator.len(), 2);
        assert!(setGuardiansCall::abi_decode(&no_validator[0].data).is_ok());
        assert_eq!(
            installModuleCall::abi_decode(&no_validator[1].data)
                .unwrap()
                .moduleTypeId,
            U256::from(1)
        );
        let no_executor = setup_calls(
            account,
            module,
            &setup,
            Installed {
                executor: false,
                ..both
            },
        );
        assert_eq!(no_executor.len(), 1);
        assert_eq!(
            installModuleCall::abi_decode(&no_executor[0].data)
                .unwrap()
                .moduleTypeId,
            U256::from(2)
        );
    }

    #[test]
    fn the_digest_is_the_contracts_documented_formula() {
        let c = code();
        let typehash = keccak256(
            "RecoveryApproval(address account,uint64 round,bytes credentialId,bytes32[2] publicKey,string originDomain,address finalizer)",
        );
        let key = c.link.passkey.public_key;
        let struct_hash = keccak256(
            (
                typehash,
                c.link.account,
                U256::from(c.round),
                keccak256(&c.link.passkey.credential_id),
                keccak256([key[0].as_slice(), key[1].as_slice()].concat()),
                keccak256(&c.link.origin),
                c.finalizer,
            )
                .abi_encode(),
        );
        assert_eq!(c.hash(), struct_hash);
        let domain = keccak256(
            (
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
                ),
                keccak256("SsoWalletGuardianRecovery"),
                keccak256("1"),
                U256::from(31337),
                c.module,
            )
                .abi_encode(),
        );
        let digest =
            keccak256([&[0x19, 0x01][..], domain.as_slice(), struct_hash.as_slice()].concat());
        assert_eq!(c.digest(), digest);
        // The typed data an EOA signs hashes to the same digest.
        let typed: alloy_dyn_abi::TypedData = serde_json::from_value(c.typed_data()).unwrap();
        assert_eq!(typed.eip712_signing_hash().unwrap(), digest);
    }

    #[test]
    fn a_code_reads_back_and_anything_else_is_a_readable_error() {
        let c = code();
        let text = c.encode();
        assert_eq!(RecoveryCode::decode(&format!(" {text}\n")).unwrap(), c);
        let with = |f: &dyn Fn(&mut RecoveryCode)| {
            let mut c = code();
            f(&mut c);
            c.encode()
        };
        for bad in [
            String::new(),
            "hello".into(),
            text.replace(CODE_PREFIX, "sso-wallet-recovery-2:"),
            text[..text.len() - 8].to_owned(),
            c.link.encode(),
            "x".repeat(MAX_CODE_CHARS + 1),
            with(&|c| c.finalizer = Address::ZERO),
            with(&|c| c.link.origin = "https://evil.example".into()),
            with(&|c| c.link.passkey.credential_id = Bytes::from(vec![1u8; 3])),
            with(&|c| c.name = "a\nc".into()),
            with(&|c| c.name = "gift\u{202e}txt".into()),
            with(&|c| c.name = "n".repeat(MAX_NAME_CHARS + 1)),
        ] {
            let error = RecoveryCode::decode(&bad).unwrap_err();
            assert!(
                error.to_string().contains("not a recovery request"),
                "{bad:.40}: {error}"
            );
        }
    }

    #[test]
    fn fingerprints_cover_the_passkey_its_origin_and_the_finalizer() {
        let c = code();
        let f = c.fingerprint();
        assert_eq!(f.len(), 24, "{f}");
        assert!(
            f.starts_with(&format!("{:02X}{:02X} ", c.hash()[0], c.hash()[1])),
            "{f}"
        );
        let mut other = code();
        other.link.passkey.public_key[1] = B256::repeat_byte(3);
        assert_ne!(other.fingerprint(), f);
        let mut swapped = code();
        swapped.finalizer = Address::repeat_byte(0xee);
        assert_ne!(
            swapped.fingerprint(),
            f,
            "a finalizer swapped in transit shows"
        );
        let mut origin = code();
        origin.link.origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop".into();
        assert_ne!(origin.fingerprint(), f);
    }

    #[test]
    fn only_a_wallets_origin_is_named_as_a_browser() {
        assert_eq!(browser_of(FIREFOX), "Firefox");
        assert_eq!(
            browser_of("chrome-extension://abcdefghijklmnopabcdefghijklmnop"),
            "Chrome"
        );
        for origin in [
            "chrome-extension://made in Chrome — your own, no action needed",
            "https://evil.example",
            "x\u{202e}y",
        ] {
            let shown = browser_of(origin);
            assert!(
                shown.starts_with("no SSO Wallet (suspicious origin"),
                "{shown}"
            );
            assert!(!shown.contains('\u{202e}'), "{shown}");
        }
    }

    #[test]
    fn a_guardian_signature_is_recovered_and_must_be_a_guardians_of_this_request() {
        let c = code();
        let guardian = SessionKey::generate();
        let raw = guardian.sign_hash(c.digest()).unwrap();
        let text = alloy_primitives::hex::encode_prefixed(raw);
        let parsed = GuardianSignature::parse(&text, &c, &[guardian.address()]).unwrap();
        assert_eq!(parsed.guardian, guardian.address());
        assert!(GuardianSignature::parse(&text, &c, &[Address::repeat_byte(1)]).is_err());
        let mut other_round = code();
        other_round.round += 1;
        assert!(GuardianSignature::parse(&text, &other_round, &[guardian.address()]).is_err());
        for bad in ["", "0x12", "zz", &"0".repeat(200)] {
            assert!(
                GuardianSignature::parse(bad, &c, &[guardian.address()]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn config_and_approvals_decode_and_bound_a_nodes_answer() {
        let g = vec![
            Address::repeat_byte(1),
            Address::repeat_byte(2),
            Address::repeat_byte(3),
        ];
        let answer = (
            g.clone(),
            U256::from(2),
            U256::from(DEFAULT_DELAY_SECS),
            5u64,
            U256::from(77),
            U256::from(1_000),
        )
            .abi_encode_params();
        let config = Config::decode(&answer).unwrap();
        assert_eq!(config.setup.guardians, g);
        assert_eq!((config.round, config.pending_since_block), (5, Some(77)));
        assert_eq!(config.setup.max_recovery_fee, U256::from(1_000));
        assert!(config.is_on());
        let config_with = |threshold: U256, cap: U256| {
            (g.clone(), threshold, U256::from(1), 5u64, U256::ZERO, cap).abi_encode_params()
        };
        assert!(Config::decode(&config_with(U256::MAX, U256::ZERO)).is_err());
        assert!(Config::decode(&config_with(U256::from(1), U256::MAX)).is_err());
        assert!(Config::decode(&[1, 2, 3]).is_err());
        let approvals =
            Approvals::decode(&(U256::from(0b101), U256::from(9)).abi_encode_params(), &g).unwrap();
        assert_eq!(approvals.approved_by, vec![g[0], g[2]]);
        assert_eq!(approvals.ready_at, Some(9));
    }

    #[test]
    fn pending_requests_come_from_this_accounts_round_only() {
        let c = code();
        let module = c.module;
        fn log<E: SolEvent>(module: Address, event: &E) -> Log {
            let data = event.encode_log_data();
            Log {
                address: module,
                topics: data.topics().to_vec(),
                data: data.data,
                ..Default::default()
            }
        }
        let requested = |account: Address, round: u64| RecoveryRequested {
            account,
            round,
            requestHash: c.hash(),
            request: c.request(),
        };
        let approved = |guardian: Address, round: u64| RecoveryApproved {
            account: c.link.account,
            round,
            requestHash: c.hash(),
            guardian,
        };
        let mut foreign = log(module, &approved(Address::repeat_byte(9), 4));
        foreign.address = Address::repeat_byte(0xee);
        let logs = vec![
            log(module, &requested(Address::repeat_byte(0xbb), 4)),
            log(module, &requested(c.link.account, 3)),
            log(module, &requested(c.link.account, 4)),
            log(module, &approved(Address::repeat_byte(1), 4)),
            log(module, &approved(Address::repeat_byte(1), 4)),
            log(module, &approved(Address::repeat_byte(2), 3)),
            foreign,
            log(
                module,
                &RecoveryScheduled {
                    account: c.link.account,
                    round: 4,
                    requestHash: c.hash(),
                    readyAt: U256::from(1234),
                },
            ),
        ];
        let (pending, more) = requests_from_logs(&logs, module, c.link.account, 4);
        assert_eq!((pending.len(), more), (1, 0));
        assert_eq!(pending[0].approved_by, vec![Address::repeat_byte(1)]);
        assert_eq!(pending[0].ready_at, Some(1234));
        assert_eq!(pending[0].origin, FIREFOX);
    }

    #[test]
    fn junk_requests_never_push_a_scheduled_one_out_of_view() {
        let c = code();
        let mut logs = Vec::new();
        let mut request = |n: u8, scheduled: bool| {
            let hash = B256::repeat_byte(n);
            let mut push = |event: alloy_primitives::LogData| {
                logs.push(Log {
                    address: c.module,
                    topics: event.topics().to_vec(),
                    data: event.data,
                    ..Default::default()
                })
            };
            push(
                RecoveryRequested {
                    account: c.link.account,
                    round: 4,
                    requestHash: hash,
                    request: c.request(),
                }
                .encode_log_data(),
            );
            if scheduled {
                push(
                    RecoveryScheduled {
                        account: c.link.account,
                        round: 4,
                        requestHash: hash,
                        readyAt: U256::from(99),
                    }
                    .encode_log_data(),
                );
            }
        };
        for n in 1..=20 {
            request(n, false);
        }
        request(21, true);
        let (pending, more) = requests_from_logs(&logs, c.module, c.link.account, 4);
        assert_eq!((pending.len(), more), (MAX_GUARDIANS, 5));
        assert_eq!(pending[0].hash, B256::repeat_byte(21));
        assert_eq!(pending[0].ready_at, Some(99));
    }

    #[test]
    fn recovery_operations_have_their_rounds_lane() {
        let key = recovery_nonce_key(7);
        assert_eq!(key >> 64, U256::from(RECOVERY_NONCE_LANE));
        assert_eq!(key & U256::from(u64::MAX), U256::from(7));
        assert!(key < U256::from(1) << 192, "a 192-bit nonce key");
        assert_eq!(
            default_fee_cap(U256::from(3_000_000_000u64)),
            U256::from(3_000_000_000u64 * FEE_CAP_GAS * FEE_CAP_MARGIN)
        );
    }

    #[test]
    fn finalizer_signatures_are_the_module_then_65_bytes() {
        let module = Address::repeat_byte(0x3c);
        let key = SessionKey::generate();
        let sig = finalizer_signature(module, &key, B256::repeat_byte(7)).unwrap();
        assert_eq!(sig.len(), 85);
        assert_eq!(&sig[..20], module.as_slice());
        assert_eq!(dummy_finalizer_signature(module).len(), 85);
    }
}
