//! Revert data in words: `Error(string)`, `Panic(uint256)` with what the code means, and the
//! custom errors the wallet can name (OpenZeppelin's ERC-20/721/1155 and utility errors, the
//! EntryPoint's, the account's). Anything else is shown by its selector, never dropped.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::keccak256;
use alloy_sol_types::{Panic, Revert, SolError};

use crate::untrusted;

/// Custom errors the wallet names, as canonical signatures with parameter names. Every error in
/// the ABIs of the project's contracts and the EntryPoint is here (`tests/abi_artifacts.rs`).
const KNOWN: &[(&str, &[&str])] = &[
    (
        "ERC20InsufficientBalance(address,uint256,uint256)",
        &["sender", "balance", "needed"],
    ),
    (
        "ERC20InsufficientAllowance(address,uint256,uint256)",
        &["spender", "allowance", "needed"],
    ),
    ("ERC20InvalidSender(address)", &["sender"]),
    ("ERC20InvalidReceiver(address)", &["receiver"]),
    ("ERC20InvalidApprover(address)", &["approver"]),
    ("ERC20InvalidSpender(address)", &["spender"]),
    ("ERC721InvalidOwner(address)", &["owner"]),
    ("ERC721NonexistentToken(uint256)", &["tokenId"]),
    (
        "ERC721IncorrectOwner(address,uint256,address)",
        &["sender", "tokenId", "owner"],
    ),
    ("ERC721InvalidSender(address)", &["sender"]),
    ("ERC721InvalidReceiver(address)", &["receiver"]),
    (
        "ERC721InsufficientApproval(address,uint256)",
        &["operator", "tokenId"],
    ),
    ("ERC721InvalidApprover(address)", &["approver"]),
    ("ERC721InvalidOperator(address)", &["operator"]),
    (
        "ERC1155InsufficientBalance(address,uint256,uint256,uint256)",
        &["sender", "balance", "needed", "tokenId"],
    ),
    ("ERC1155InvalidReceiver(address)", &["receiver"]),
    (
        "ERC1155MissingApprovalForAll(address,address)",
        &["operator", "owner"],
    ),
    ("OwnableUnauthorizedAccount(address)", &["account"]),
    (
        "AccessControlUnauthorizedAccount(address,bytes32)",
        &["account", "neededRole"],
    ),
    ("SafeERC20FailedOperation(address)", &["token"]),
    ("AddressEmptyCode(address)", &["target"]),
    ("FailedCall()", &[]),
    (
        "InsufficientBalance(uint256,uint256)",
        &["balance", "needed"],
    ),
    ("ReentrancyGuardReentrantCall()", &[]),
    ("EnforcedPause()", &[]),
    ("FailedOp(uint256,string)", &["opIndex", "reason"]),
    (
        "FailedOpWithRevert(uint256,string,bytes)",
        &["opIndex", "reason", "inner"],
    ),
    ("ERC7579UnsupportedExecType(bytes1)", &["execType"]),
    ("ERC7579UnsupportedCallType(bytes1)", &["callType"]),
    (
        "ERC7579UninstalledModule(uint256,address)",
        &["moduleTypeId", "module"],
    ),
    (
        "ERC7579AlreadyInstalledModule(uint256,address)",
        &["moduleTypeId", "module"],
    ),
    // the account (SsoAccount, OpenZeppelin's ERC-7579 account and initializer)
    ("AccountUnauthorized(address)", &["sender"]),
    ("ERC7579CannotDecodeFallbackData()", &[]),
    ("ERC7579DecodingError()", &[]),
    (
        "ERC7579MismatchedModuleTypeId(uint256,address)",
        &["moduleTypeId", "module"],
    ),
    ("ERC7579MissingFallbackHandler(bytes4)", &["selector"]),
    ("ERC7579UnsupportedModuleType(uint256)", &["moduleTypeId"]),
    ("InvalidInitialization()", &[]),
    ("InvalidShortString()", &[]),
    ("OutOfRangeAccess()", &[]),
    ("StringTooLong(string)", &["str"]),
    ("UninstallNeedsMoreGas()", &[]),
    // the account factory
    ("Create2EmptyBytecode()", &[]),
    ("FailedDeployment()", &[]),
    // the passkey validator
    ("BadOriginLength(uint256)", &["length"]),
    ("CannotRemoveLastKey()", &[]),
    ("CredentialIdTooShort(uint256)", &["length"]),
    ("EmptyKey()", &[]),
    ("InvalidKeyProof()", &[]),
    ("KeyAlreadyExists()", &[]),
    ("KeyNotFound()", &[]),
    // the guardian recovery module
    ("InvalidRecoverySetup()", &[]),
    ("InvalidGuardian(address)", &["guardian"]),
    ("NotGuardian(address)", &["who"]),
    ("WrongRound(uint64)", &["current"]),
    ("InvalidGuardianSignature(address)", &["guardian"]),
    ("NoFinalizer()", &[]),
    ("RecoveryNotScheduled()", &[]),
    ("RecoveryNotReady(uint256)", &["readyAt"]),
    // the session key validator
    ("CallPolicyTargetsAccount(uint256)", &["policyIndex"]),
    (
        "CallPolicyTargetsModule(uint256,address)",
        &["policyIndex", "module"],
    ),
    ("CallPolicyTargetsValidator(uint256)", &["policyIndex"]),
    ("InvalidSessionProof()", &[]),
    ("SessionAlreadyExists(bytes32)", &["sessionHash"]),
    (
        "SessionExpiresTooSoon(uint48,uint256)",
        &["expiresAt", "minExpiresAt"],
    ),
    ("SessionNotActive(bytes32)", &["sessionHash"]),
    ("SignerAlreadyUsed(address)", &["signer"]),
    ("UnlimitedFees()", &[]),
    ("ValidatorNotInstalled()", &[]),
    ("ZeroAllowancePeriod()", &[]),
    ("ZeroSigner()", &[]),
    // the EntryPoint v0.8
    ("DelegateAndRevert(bool,bytes)", &["success", "ret"]),
    ("PostOpReverted(bytes)", &["returnData"]),
    ("SenderAddressResult(address)", &["sender"]),
    ("SignatureValidationFailed(address)", &["aggregator"]),
];

/// What a Solidity panic code means.
fn panic_meaning(code: u64) -> &'static str {
    match code {
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "invalid enum value",
        0x22 => "corrupt storage byte array",
        0x31 => "pop on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory",
        0x51 => "call to an uninitialised function",
        _ => "unknown panic",
    }
}

/// How deep revert data nested in `bytes` arguments (the EntryPoint's `FailedOpWithRevert`
/// inner data, say) is decoded: the error itself is level 1, its inner revert level 2; deeper
/// data is shown as hex.
pub const MAX_DEPTH: usize = 2;
/// Longest text one argument contributes (characters).
const MAX_ARG_CHARS: usize = 160;
/// Most items of an array argument shown.
const MAX_ITEMS: usize = 8;
/// Most bytes of a `bytes` argument shown as hex.
const MAX_HEX_BYTES: usize = 64;

fn value_text(value: &DynSolValue, depth: usize) -> String {
    let text = match value {
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Uint(n, _) => n.to_string(),
        DynSolValue::Int(n, _) => n.to_string(),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::String(s) => format!("{:?}", untrusted::clip(s, MAX_ARG_CHARS)),
        DynSolValue::Bytes(b) if !b.is_empty() && depth < MAX_DEPTH => describe(b, depth + 1),
        DynSolValue::Bytes(b) => untrusted::hex_preview(b, MAX_HEX_BYTES),
        DynSolValue::FixedBytes(word, size) => {
            alloy_primitives::hex::encode_prefixed(&word[..(*size).min(32)])
        }
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) | DynSolValue::Tuple(items) => {
            let mut shown: Vec<String> = items
                .iter()
                .take(MAX_ITEMS)
                .map(|item| value_text(item, depth))
                .collect();
            if items.len() > MAX_ITEMS {
                shown.push(format!("… {} items in all", items.len()));
            }
            format!("[{}]", shown.join(", "))
        }
        _ => "…".to_owned(),
    };
    untrusted::clip(&text, MAX_ARG_CHARS)
}

/// The signature of the custom error with this selector, if the wallet names it.
pub fn known_signature(selector: [u8; 4]) -> Option<&'static str> {
    KNOWN
        .iter()
        .map(|(signature, _)| *signature)
        .find(|signature| keccak256(signature.as_bytes())[..4] == selector)
}

/// Revert data as words; `None` only for empty data. Total and bounded: data longer than
/// [`untrusted::MAX_REVERT_BYTES`] is named by its size, nested revert data is decoded at most
/// [`MAX_DEPTH`] levels deep, and the text is at most [`untrusted::MAX_TEXT_CHARS`] characters.
pub fn decode(data: &[u8]) -> Option<String> {
    if data.is_empty() {
        return None;
    }
    Some(untrusted::clip(
        &describe(data, 1),
        untrusted::MAX_TEXT_CHARS,
    ))
}

/// Non-empty revert data at nesting level `depth`, in words.
fn describe(data: &[u8], depth: usize) -> String {
    let Some(selector) = data.get(..4) else {
        return format!("revert data {}", untrusted::hex_preview(data, 4));
    };
    if data.len() > untrusted::MAX_REVERT_BYTES {
        return format!(
            "revert data of {} bytes with selector {} (too long to decode)",
            data.len(),
            alloy_primitives::hex::encode_prefixed(selector)
        );
    }
    if let Ok(revert) = Revert::abi_decode(data) {
        return untrusted::clip(&revert.reason, untrusted::MAX_TEXT_CHARS);
    }
    if let Ok(panic) = Panic::abi_decode(data) {
        let code: u64 = panic.code.saturating_to();
        return format!("panic {code:#04x}: {}", panic_meaning(code));
    }
    for (signature, names) in KNOWN {
        if &keccak256(signature.as_bytes())[..4] != selector {
            continue;
        }
        let (name, params) = signature.split_once('(').unwrap_or((signature, ")"));
        let Ok(ty) = DynSolType::parse(&format!("({params}")) else {
            break;
        };
        let Ok(DynSolValue::Tuple(values)) = ty.abi_decode_params(&data[4..]) else {
            break;
        };
        let args: Vec<String> = values
            .iter()
            .zip(names.iter())
            .map(|(value, name)| format!("{name}: {}", value_text(value, depth)))
            .collect();
        return format!("{name}({})", args.join(", "));
    }
    format!(
        "custom error {} (unknown to the wallet)",
        alloy_primitives::hex::encode_prefixed(selector)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, U256, hex};
    use alloy_sol_types::sol;

    sol! {
        error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
        error FailedCall();
    }

    #[test]
    fn the_accounts_own_errors_are_named() {
        // What an ERC-721 safe transfer to the account reverted with: no fallback handler for
        // onERC721Received (0x150b7a02).
        let mut data = hex!("af5a7203").to_vec();
        data.extend_from_slice(&hex!(
            "150b7a0200000000000000000000000000000000000000000000000000000000"
        ));
        assert_eq!(
            decode(&data).unwrap(),
            "ERC7579MissingFallbackHandler(selector: 0x150b7a02)"
        );
        assert_eq!(
            known_signature(hex!("af5a7203")),
            Some("ERC7579MissingFallbackHandler(bytes4)")
        );
    }

    #[test]
    fn names_standard_and_custom_errors() {
        let data = Revert::from("nope").abi_encode();
        assert_eq!(decode(&data).unwrap(), "nope");
        let data = Panic::from(0x11).abi_encode();
        assert_eq!(
            decode(&data).unwrap(),
            "panic 0x11: arithmetic overflow or underflow"
        );
        let sender = Address::repeat_byte(0xab);
        let data = ERC20InsufficientBalance {
            sender,
            balance: U256::from(5),
            needed: U256::from(7),
        }
        .abi_encode();
        assert_eq!(
            decode(&data).unwrap(),
            format!(
                "ERC20InsufficientBalance(sender: {}, balance: 5, needed: 7)",
                sender.to_checksum(None)
            )
        );
        assert_eq!(decode(&FailedCall {}.abi_encode()).unwrap(), "FailedCall()");
        assert_eq!(
            decode(&hex!("deadbeef")).unwrap(),
            "custom error 0xdeadbeef (unknown to the wallet)"
        );
        assert_eq!(decode(&hex!("dead")).unwrap(), "revert data 0xdead");
        assert_eq!(decode(&[]), None);
        // A known selector with malformed arguments still names the selector.
        let mut short = ERC20InsufficientBalance {
            sender,
            balance: U256::ZERO,
            needed: U256::ZERO,
        }
        .abi_encode();
        short.truncate(10);
        assert!(decode(&short).unwrap().contains("unknown to the wallet"));
    }

    sol! {
        error FailedOpWithRevert(uint256 opIndex, string reason, bytes inner);
    }

    /// `levels` of `FailedOpWithRevert` each wrapping the next, around `Error(reason)`.
    fn nested(levels: usize, reason: &str) -> Vec<u8> {
        let mut data = Revert::from(reason).abi_encode();
        for i in 0..levels {
            data = FailedOpWithRevert {
                opIndex: U256::from(i),
                reason: "AA23 reverted".into(),
                inner: data.into(),
            }
            .abi_encode();
        }
        data
    }

    fn known_selectors() -> Vec<[u8; 4]> {
        KNOWN
            .iter()
            .map(|(sig, _)| keccak256(sig.as_bytes())[..4].try_into().unwrap())
            .chain([Revert::SELECTOR, Panic::SELECTOR])
            .collect()
    }

    fn assert_bounded(text: &str) {
        assert!(
            text.chars().count() <= untrusted::MAX_TEXT_CHARS + 1,
            "{} characters",
            text.chars().count()
        );
    }

    #[test]
    fn nested_revert_data_is_decoded_two_levels_deep() {
        // FailedOpWithRevert(FailedOpWithRevert(Error("secret"))): the third level stays hex.
        let text = decode(&nested(2, "secret")).unwrap();
        assert_eq!(
            text.matches("FailedOpWithRevert(").count(),
            MAX_DEPTH,
            "{text}"
        );
        assert!(
            !text.contains("secret") && text.contains("inner: 0x08c379a0"),
            "{text}"
        );
        let text = decode(&nested(1, "secret")).unwrap();
        assert!(text.ends_with("inner: secret)"), "{text}");
    }

    #[test]
    fn huge_revert_data_is_named_by_its_size() {
        let mut data = FailedOpWithRevert::SELECTOR.to_vec();
        data.resize(1024 * 1024, 0x41);
        let text = decode(&data).unwrap();
        assert!(text.contains("1048576 bytes"), "{text}");
        assert_bounded(&text);
        let text = decode(&nested(200, "deep")).unwrap();
        assert!(text.contains("too long to decode"), "{text}");
    }

    #[test]
    fn reasons_cannot_hide_or_flood() {
        let text = decode(&Revert::from("ok\u{202E}dlrow").abi_encode()).unwrap();
        assert_eq!(text, "ok\u{FFFD}dlrow");
        let text = decode(&Revert::from("x".repeat(100_000)).abi_encode()).unwrap();
        assert_bounded(&text);
    }

    proptest::proptest! {
        #[test]
        fn decode_is_total_and_bounded(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            which in 0usize..64,
            keep_selector in proptest::prelude::any::<bool>(),
        ) {
            let selectors = known_selectors();
            let mut data = body.clone();
            if keep_selector {
                data.splice(0..0, selectors[which % selectors.len()]);
            }
            let text = decode(&data);
            proptest::prop_assert_eq!(text.is_none(), data.is_empty());
            if let Some(text) = text {
                assert_bounded(&text);
            }
        }

        #[test]
        fn nesting_never_goes_deeper_than_two_levels(levels in 0usize..120, reason in ".{0,300}") {
            let data = nested(levels, &reason);
            let text = decode(&data).unwrap();
            assert_bounded(&text);
            proptest::prop_assert!(text.matches("FailedOpWithRevert(").count() <= MAX_DEPTH);
        }
    }

    #[test]
    fn every_known_signature_parses() {
        for (signature, names) in KNOWN {
            let params = signature.split_once('(').unwrap().1;
            let DynSolType::Tuple(types) = DynSolType::parse(&format!("({params}")).unwrap() else {
                panic!("{signature}")
            };
            assert_eq!(types.len(), names.len(), "{signature}");
        }
    }
}
