//! Revert data in words: `Error(string)`, `Panic(uint256)` with what the code means, and the
//! custom errors the wallet can name (OpenZeppelin's ERC-20/721/1155 and utility errors, the
//! EntryPoint's, the account's). Anything else is shown by its selector, never dropped.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::keccak256;
use alloy_sol_types::{Panic, Revert, SolError};

/// Custom errors the wallet names, as canonical signatures with parameter names.
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
    (
        "AccountERC7579MissingFallbackHandler(bytes4)",
        &["selector"],
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

fn value_text(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Uint(n, _) => n.to_string(),
        DynSolValue::Int(n, _) => n.to_string(),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Bytes(b) => match decode(b) {
            Some(inner) if !b.is_empty() => inner,
            _ => alloy_primitives::hex::encode_prefixed(b),
        },
        DynSolValue::FixedBytes(word, size) => {
            alloy_primitives::hex::encode_prefixed(&word[..*size])
        }
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) | DynSolValue::Tuple(items) => {
            let items: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", items.join(", "))
        }
        _ => "…".to_owned(),
    }
}

/// Revert data as words; `None` only for empty data.
pub fn decode(data: &[u8]) -> Option<String> {
    if data.is_empty() {
        return None;
    }
    if let Ok(revert) = Revert::abi_decode(data) {
        return Some(revert.reason);
    }
    if let Ok(panic) = Panic::abi_decode(data) {
        let code: u64 = panic.code.saturating_to();
        return Some(format!("panic {code:#04x}: {}", panic_meaning(code)));
    }
    let Some(selector) = data.get(..4) else {
        return Some(format!(
            "revert data {}",
            alloy_primitives::hex::encode_prefixed(data)
        ));
    };
    for (signature, names) in KNOWN {
        if &keccak256(signature.as_bytes())[..4] != selector {
            continue;
        }
        let (name, params) = signature.split_once('(').unwrap_or((signature, ")"));
        let ty = DynSolType::parse(&format!("({params}")).ok()?;
        let Ok(DynSolValue::Tuple(values)) = ty.abi_decode_params(&data[4..]) else {
            break;
        };
        let args: Vec<String> = values
            .iter()
            .zip(names.iter())
            .map(|(value, name)| format!("{name}: {}", value_text(value)))
            .collect();
        return Some(format!("{name}({})", args.join(", ")));
    }
    Some(format!(
        "custom error {} (unknown to the wallet)",
        alloy_primitives::hex::encode_prefixed(selector)
    ))
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
