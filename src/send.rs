//! The wallet's own send, from the home page: ETH or a listed ERC-20 to an address the user
//! typed, checked here and turned into the call the approval window shows (the same window and
//! passkey as a dapp's transaction; the wallet's own sends never go through a session); what
//! the page notes about the recipient before that; and what "Max" sends.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use serde::{Deserialize, Serialize};

use crate::abi::IERC20Metadata;
use crate::erc7579::Call;
use crate::units::parse_units;

/// What to send: the chain's currency, or an ERC-20 with its decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asset {
    /// ETH (the chain's currency), 18 decimals.
    Native,
    /// An ERC-20 listed on the home page.
    Erc20 {
        /// The token contract.
        token: Address,
        /// Its `decimals()`, read when it was listed.
        decimals: u8,
    },
}

/// Why a send cannot be made, in words for the home page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The recipient is the account itself.
    #[error("that is this account's own address")]
    ToSelf,
    /// The zero address: nobody can spend what is sent there.
    #[error("the zero address burns what is sent to it")]
    ToZero,
    /// The recipient is the token contract itself (tokens sent there are usually lost).
    #[error("that is the token's own contract; tokens sent there are usually lost")]
    ToToken,
    /// The amount is not a decimal number the asset can carry.
    #[error("enter the amount as a number with at most {decimals} decimals (e.g. 0.5)")]
    BadAmount {
        /// The asset's decimals.
        decimals: u8,
    },
    /// Nothing to send.
    #[error("the amount is zero")]
    Zero,
    /// "Max" of ETH: the balance does not even cover the most the network fee can be.
    #[error("the balance does not cover the network fee ({fee} at most)")]
    FeeAboveBalance {
        /// The most the operation can cost (`0.003 ETH`).
        fee: String,
    },
}

/// How much to send: as typed, or all of it ("Max").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SendAmount {
    /// The amount as the user typed it (`0.5`), read with the asset's decimals.
    Exact(String),
    /// All of a token; all the ETH less the most the operation can cost (read when it is sent).
    Max,
}

impl Asset {
    /// The asset's decimals.
    pub fn decimals(self) -> u8 {
        match self {
            Asset::Native => 18,
            Asset::Erc20 { decimals, .. } => decimals,
        }
    }
}

/// The amount typed for `asset`, in its smallest unit.
pub fn parse_amount(amount: &str, asset: Asset) -> Result<U256, SendError> {
    let decimals = asset.decimals();
    parse_units(amount.trim(), decimals).ok_or(SendError::BadAmount { decimals })
}

/// What "Max" sends of ETH: the balance less `max_cost`, the most the operation can cost
/// (`maxFeePerGas × gas limits`: what the EntryPoint takes up front; what is not used comes back).
pub fn max_native(balance: U256, max_cost: U256) -> Result<U256, SendError> {
    match balance.checked_sub(max_cost) {
        Some(left) if !left.is_zero() => Ok(left),
        _ => Err(SendError::FeeAboveBalance {
            fee: crate::units::format_ether(max_cost),
        }),
    }
}

/// What the home page says about a recipient before the user reviews a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecipientNote {
    /// The activity log has no send to it from this account on this network.
    New,
    /// It is a contract: it may not be able to use (or give back) what it is sent.
    Contract,
    /// Nothing is there on this network: no code, no balance, no transaction. An address from
    /// another network (a smart account deployed only there) lands here.
    Unused,
}

impl RecipientNote {
    /// Its name in the protocol (`new`, `contract`, `unused`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientNote::New => "new",
            RecipientNote::Contract => "contract",
            RecipientNote::Unused => "unused",
        }
    }

    /// The note in words, for a recipient on `network`.
    pub fn text(self, network: &str) -> String {
        match self {
            RecipientNote::New => "New recipient: you have not sent to this address before.".into(),
            RecipientNote::Contract => format!(
                "This address is a contract on {network}. Make sure it can receive this asset: what is sent to a contract that cannot use it is lost."
            ),
            RecipientNote::Unused => format!(
                "Nothing is at this address on {network}: no balance, no transaction, no code. If it is a smart account from another network, it may not exist here."
            ),
        }
    }
}

/// What is known of a recipient: whether this account sent to it before, whether it has code,
/// and whether it holds anything or sent anything (balance or nonce above zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecipientFacts {
    /// The activity log has a send to it from this account on this network.
    pub sent_before: bool,
    /// `eth_getCode` is not empty.
    pub has_code: bool,
    /// A balance or a nonce above zero.
    pub used: bool,
}

/// The notes for a recipient with `facts`, most important first.
pub fn recipient_notes(facts: RecipientFacts) -> Vec<RecipientNote> {
    let mut notes = Vec::new();
    if facts.has_code {
        notes.push(RecipientNote::Contract);
    } else if !facts.used {
        notes.push(RecipientNote::Unused);
    }
    if !facts.sent_before {
        notes.push(RecipientNote::New);
    }
    notes
}

/// The call that sends `value` (in the asset's smallest unit) of `asset` from `account` to `to`.
pub fn send_call(
    account: Address,
    to: Address,
    asset: Asset,
    value: U256,
) -> Result<Call, SendError> {
    if to == account {
        return Err(SendError::ToSelf);
    }
    if to == Address::ZERO {
        return Err(SendError::ToZero);
    }
    if value.is_zero() {
        return Err(SendError::Zero);
    }
    Ok(match asset {
        Asset::Native => Call {
            to,
            value,
            data: Default::default(),
        },
        Asset::Erc20 { token, .. } => {
            if to == token {
                return Err(SendError::ToToken);
            }
            Call {
                to: token,
                value: U256::ZERO,
                data: IERC20Metadata::transferCall { to, amount: value }
                    .abi_encode()
                    .into(),
            }
        }
    })
}

impl From<SendError> for crate::Error {
    fn from(e: SendError) -> Self {
        crate::Error::InvalidParams(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    const ME: Address = address!("00000000000000000000000000000000000000aa");
    const BOB: Address = address!("00000000000000000000000000000000000000bb");
    const TOKEN: Address = address!("00000000000000000000000000000000000000cc");
    const USDC: Asset = Asset::Erc20 {
        token: TOKEN,
        decimals: 6,
    };

    fn typed(amount: &str, asset: Asset) -> Result<Call, SendError> {
        send_call(ME, BOB, asset, parse_amount(amount, asset)?)
    }

    #[test]
    fn ether_and_tokens() {
        let eth = typed(" 0.25 ", Asset::Native).unwrap();
        assert_eq!(
            (eth.to, eth.value),
            (BOB, U256::from(25) * U256::from(10).pow(U256::from(16)))
        );
        assert!(eth.data.is_empty());
        let call = typed("1.5", USDC).unwrap();
        assert_eq!((call.to, call.value), (TOKEN, U256::ZERO));
        let decoded = IERC20Metadata::transferCall::abi_decode(&call.data).unwrap();
        assert_eq!((decoded.to, decoded.amount), (BOB, U256::from(1_500_000)));
    }

    #[test]
    fn refusals() {
        let one = U256::from(1);
        assert_eq!(
            send_call(ME, ME, Asset::Native, one),
            Err(SendError::ToSelf)
        );
        assert_eq!(
            send_call(ME, Address::ZERO, Asset::Native, one),
            Err(SendError::ToZero)
        );
        assert_eq!(send_call(ME, TOKEN, USDC, one), Err(SendError::ToToken));
        assert_eq!(
            typed("0.0000001", USDC),
            Err(SendError::BadAmount { decimals: 6 })
        );
        assert_eq!(typed("0", Asset::Native), Err(SendError::Zero));
    }

    #[test]
    fn max_leaves_the_most_the_fee_can_be() {
        let ether = U256::from(10).pow(U256::from(18));
        let fee = U256::from(3) * U256::from(10).pow(U256::from(15));
        assert_eq!(max_native(ether, fee), Ok(ether - fee));
        for balance in [fee, fee - U256::from(1), U256::ZERO] {
            assert_eq!(
                max_native(balance, fee),
                Err(SendError::FeeAboveBalance {
                    fee: "0.003 ETH".into()
                })
            );
        }
    }

    #[test]
    fn recipient_notes_most_important_first() {
        let facts = |sent_before, has_code, used| RecipientFacts {
            sent_before,
            has_code,
            used,
        };
        assert_eq!(recipient_notes(facts(true, false, true)), vec![]);
        assert_eq!(
            recipient_notes(facts(false, false, true)),
            vec![RecipientNote::New]
        );
        assert_eq!(
            recipient_notes(facts(false, true, true)),
            vec![RecipientNote::Contract, RecipientNote::New]
        );
        assert_eq!(
            recipient_notes(facts(true, true, false)),
            vec![RecipientNote::Contract],
            "a contract is used even with no balance and nonce 1"
        );
        assert_eq!(
            recipient_notes(facts(false, false, false)),
            vec![RecipientNote::Unused, RecipientNote::New]
        );
        assert!(RecipientNote::Unused.text("Base").contains("on Base"));
        for note in [
            RecipientNote::New,
            RecipientNote::Contract,
            RecipientNote::Unused,
        ] {
            assert_eq!(serde_json::to_value(note).unwrap(), note.as_str());
        }
    }
}
