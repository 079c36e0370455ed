//! Explaining a call to the user: a bundled table of common selectors (ERC-20 / ERC-721 /
//! ERC-1155 / WETH) decoded into a function name and named arguments, and the warnings a careful
//! wallet shows (unlimited approvals, operator approvals, calldata to an address with no code, value
//! over the balance).

use alloy_dyn_abi::{DynSolValue, JsonAbiExt};
use alloy_json_abi::Function;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

use crate::erc7579::Call;
use crate::units::format_units;

/// Human-readable signatures of the functions the approval window decodes.
pub const KNOWN_FUNCTIONS: &[&str] = &[
    "transfer(address to, uint256 amount)",
    "approve(address spender, uint256 amount)",
    "transferFrom(address from, address to, uint256 amount)",
    "increaseAllowance(address spender, uint256 addedValue)",
    "decreaseAllowance(address spender, uint256 subtractedValue)",
    "setApprovalForAll(address operator, bool approved)",
    "safeTransferFrom(address from, address to, uint256 tokenId)",
    "safeTransferFrom(address from, address to, uint256 tokenId, bytes data)",
    "safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)",
    "safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] amounts, bytes data)",
    "mint(address to, uint256 amount)",
    "deposit()",
    "withdraw(uint256 amount)",
];

/// Functions whose `amount`-like argument is an ERC-20 amount (shown with the token's decimals).
const ERC20_AMOUNT_FUNCTIONS: &[&str] = &[
    "transfer",
    "approve",
    "transferFrom",
    "increaseAllowance",
    "decreaseAllowance",
];

/// An ERC-20 token's display data, read from the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// `symbol()`.
    pub symbol: String,
    /// `decimals()`.
    pub decimals: u8,
}

/// One decoded argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodedArg {
    /// Parameter name.
    pub name: String,
    /// Solidity type.
    pub ty: String,
    /// The value as shown (token amounts with decimals and symbol when known).
    pub value: String,
}

/// A decoded call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodedCall {
    /// The function name (`transfer`).
    pub name: String,
    /// The canonical signature (`transfer(address,uint256)`).
    pub signature: String,
    /// The arguments.
    pub args: Vec<DecodedArg>,
    /// Whether amounts are shown with the token's own symbol and decimals (its claim).
    #[serde(default)]
    pub token_units: bool,
}

/// A warning about a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Warning {
    /// An ERC-20 approval of (practically) unlimited amount.
    UnlimitedApproval {
        /// The spender.
        spender: Address,
    },
    /// An operator approval over every NFT of a collection.
    ApprovalForAll {
        /// The operator.
        operator: Address,
    },
    /// Calldata sent to an address without code: nothing will run.
    NoCode {
        /// The callee.
        to: Address,
    },
    /// More value than the account holds.
    ValueOverBalance {
        /// Total value of the request.
        value: U256,
        /// The account's balance.
        balance: U256,
    },
    /// The node's simulation says the execution reverts.
    SimulationReverts {
        /// The decoded reason, if any.
        reason: Option<String>,
    },
}

impl Warning {
    /// The sentence the approval window shows.
    pub fn message(&self) -> String {
        match self {
            Warning::UnlimitedApproval { spender } => format!(
                "Unlimited approval: {spender} could spend all of this token in your account, now and later."
            ),
            Warning::ApprovalForAll { operator } => format!(
                "{operator} gets control of every token of this collection in your account."
            ),
            Warning::NoCode { to } => {
                format!("{to} has no contract code: the data sent to it will not run anything.")
            }
            Warning::ValueOverBalance { value, balance } => format!(
                "This sends {} but the account holds {}.",
                crate::units::format_ether(*value),
                crate::units::format_ether(*balance)
            ),
            Warning::SimulationReverts { reason } => match reason {
                Some(reason) => format!("Simulation: this would revert ({reason})."),
                None => "Simulation: this would revert.".to_owned(),
            },
        }
    }
}

/// The wallet's own definition of the function with this selector, if it is one it knows.
pub fn known(selector: &[u8]) -> Option<Function> {
    KNOWN_FUNCTIONS
        .iter()
        .filter_map(|sig| Function::parse(sig).ok())
        .find(|f| f.selector().as_slice() == selector)
}

/// Most array items and `bytes` shown per argument (the full calldata is shown as well).
const SHOWN_ITEMS: usize = 32;
const SHOWN_BYTES: usize = 256;

fn show(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Address(a) => a.to_string(),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::Bytes(b) => crate::untrusted::hex_preview(b, SHOWN_BYTES),
        DynSolValue::Array(items) => {
            let mut shown: Vec<String> = items.iter().take(SHOWN_ITEMS).map(show).collect();
            if items.len() > SHOWN_ITEMS {
                shown.push(format!("… {} items in all", items.len()));
            }
            format!("[{}]", shown.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// Whether a call is an ERC-20 call whose amount should be shown with the token's decimals.
pub fn is_erc20_call(data: &[u8]) -> bool {
    data.len() >= 4
        && known(&data[..4]).is_some_and(|f| ERC20_AMOUNT_FUNCTIONS.contains(&f.name.as_str()))
}

/// Amounts at or above this are "unlimited" approvals.
pub fn unlimited_threshold() -> U256 {
    U256::from(1) << 255
}

/// Decodes a call's data with the bundled table; `None` for unknown selectors or bad data.
pub fn decode(data: &[u8], token: Option<&TokenInfo>) -> Option<DecodedCall> {
    let function = known(data.get(..4)?)?;
    let values = function.abi_decode_input(&data[4..]).ok()?;
    let erc20 = ERC20_AMOUNT_FUNCTIONS.contains(&function.name.as_str());
    let args = function
        .inputs
        .iter()
        .zip(&values)
        .map(|(param, value)| {
            let shown = match (value, token) {
                (DynSolValue::Uint(amount, _), Some(token)) if erc20 => {
                    if *amount >= unlimited_threshold() {
                        format!("unlimited {}", token.symbol)
                    } else {
                        format!("{} {}", format_units(*amount, token.decimals), token.symbol)
                    }
                }
                _ => show(value),
            };
            DecodedArg {
                name: param.name.clone(),
                ty: param.ty.clone(),
                value: shown,
            }
        })
        .collect();
    Some(DecodedCall {
        name: function.name.clone(),
        signature: function.signature(),
        args,
        token_units: erc20 && token.is_some(),
    })
}

/// Warnings for one call (`has_code`: whether `call.to` has contract code).
pub fn call_warnings(call: &Call, has_code: bool) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if !call.data.is_empty() && !has_code {
        warnings.push(Warning::NoCode { to: call.to });
    }
    let Some(function) = call.data.get(..4).and_then(known) else {
        return warnings;
    };
    let Ok(values) = function.abi_decode_input(&call.data[4..]) else {
        return warnings;
    };
    match (function.name.as_str(), values.as_slice()) {
        (
            "approve" | "increaseAllowance",
            [DynSolValue::Address(spender), DynSolValue::Uint(amount, _)],
        ) if *amount >= unlimited_threshold() => {
            warnings.push(Warning::UnlimitedApproval { spender: *spender });
        }
        ("setApprovalForAll", [DynSolValue::Address(operator), DynSolValue::Bool(true)]) => {
            warnings.push(Warning::ApprovalForAll {
                operator: *operator,
            });
        }
        _ => {}
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Bytes, hex};

    fn erc20(selector: &str, a: Address, amount: U256) -> Bytes {
        let mut data = hex::decode(selector).unwrap();
        data.extend_from_slice(a.into_word().as_slice());
        data.extend_from_slice(&amount.to_be_bytes::<32>());
        data.into()
    }

    #[test]
    fn decodes_transfer_with_token_decimals() {
        let to = Address::repeat_byte(0xbb);
        let data = erc20("a9059cbb", to, U256::from(1_500_000u64));
        let usdc = TokenInfo {
            symbol: "USDC".into(),
            decimals: 6,
        };
        let decoded = decode(&data, Some(&usdc)).unwrap();
        assert_eq!(decoded.name, "transfer");
        assert_eq!(decoded.signature, "transfer(address,uint256)");
        assert_eq!(decoded.args[0].value, to.to_string());
        assert_eq!(decoded.args[1].name, "amount");
        assert_eq!(decoded.args[1].value, "1.5 USDC");
        assert_eq!(decode(&data, None).unwrap().args[1].value, "1500000");
        assert!(decode(&[1, 2, 3, 4], None).is_none());
        assert!(decode(&data[..20], None).is_none());
    }

    proptest::proptest! {
        #[test]
        fn decode_is_total_and_bounded(
            which in 0usize..64,
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096),
            symbol in ".{0,20}",
            decimals in 0u8..=255,
        ) {
            let function = Function::parse(KNOWN_FUNCTIONS[which % KNOWN_FUNCTIONS.len()]).unwrap();
            let mut data = function.selector().to_vec();
            data.extend_from_slice(&body);
            let token = TokenInfo { symbol, decimals: decimals.min(crate::untrusted::MAX_DECIMALS) };
            if let Some(decoded) = decode(&data, Some(&token)) {
                for arg in decoded.args {
                    proptest::prop_assert!(arg.value.len() <= 40 * 1024, "{} bytes", arg.value.len());
                }
            }
            let call = Call { to: Address::ZERO, value: U256::ZERO, data: data.into() };
            let _ = call_warnings(&call, true);
        }
    }

    #[test]
    fn long_arrays_and_bytes_are_shown_in_part() {
        let ids: Vec<U256> = (0..100u64).map(U256::from).collect();
        let data = Function::parse(KNOWN_FUNCTIONS[9])
            .unwrap()
            .abi_encode_input(&[
                DynSolValue::Address(Address::ZERO),
                DynSolValue::Address(Address::ZERO),
                DynSolValue::Array(ids.iter().map(|i| DynSolValue::Uint(*i, 256)).collect()),
                DynSolValue::Array(ids.iter().map(|i| DynSolValue::Uint(*i, 256)).collect()),
                DynSolValue::Bytes(vec![0xab; 1000]),
            ])
            .unwrap();
        let decoded = decode(&data, None).unwrap();
        assert!(
            decoded.args[2].value.ends_with("… 100 items in all]"),
            "{}",
            decoded.args[2].value
        );
        assert!(decoded.args[4].value.ends_with("(1000 bytes)"));
    }

    #[test]
    fn warns_about_unlimited_and_operator_approvals_and_codeless_targets() {
        let spender = Address::repeat_byte(0x11);
        let token = Address::repeat_byte(0x22);
        let call = |data: Bytes| Call {
            to: token,
            value: U256::ZERO,
            data,
        };
        let unlimited = call(erc20("095ea7b3", spender, U256::MAX));
        assert_eq!(
            call_warnings(&unlimited, true),
            vec![Warning::UnlimitedApproval { spender }]
        );
        assert!(call_warnings(&call(erc20("095ea7b3", spender, U256::from(5))), true).is_empty());
        let mut all = hex::decode("a22cb465").unwrap();
        all.extend_from_slice(spender.into_word().as_slice());
        all.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
        assert_eq!(
            call_warnings(&call(all.into()), true),
            vec![Warning::ApprovalForAll { operator: spender }]
        );
        assert_eq!(
            call_warnings(&call(Bytes::from_static(&[1, 2, 3, 4])), false),
            vec![Warning::NoCode { to: token }]
        );
        assert!(call_warnings(&call(Bytes::new()), false).is_empty());
        assert!(
            Warning::UnlimitedApproval { spender }
                .message()
                .contains("Unlimited approval")
        );
    }
}
