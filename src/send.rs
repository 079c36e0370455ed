//! The wallet's own send, from the home page: ETH or a listed ERC-20 to an address the user
//! typed, checked here and turned into the call the approval window shows (the same window and
//! passkey as a dapp's transaction; the wallet's own sends never go through a session).

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;

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
}

/// The call that sends `amount` (as typed) of `asset` from `account` to `to`.
pub fn send_call(
    account: Address,
    to: Address,
    asset: Asset,
    amount: &str,
) -> Result<Call, SendError> {
    if to == account {
        return Err(SendError::ToSelf);
    }
    if to == Address::ZERO {
        return Err(SendError::ToZero);
    }
    let decimals = match asset {
        Asset::Native => 18,
        Asset::Erc20 { decimals, .. } => decimals,
    };
    let value = parse_units(amount.trim(), decimals).ok_or(SendError::BadAmount { decimals })?;
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

    #[test]
    fn ether_and_tokens() {
        let eth = send_call(ME, BOB, Asset::Native, " 0.25 ").unwrap();
        assert_eq!(
            (eth.to, eth.value),
            (BOB, U256::from(25) * U256::from(10).pow(U256::from(16)))
        );
        assert!(eth.data.is_empty());
        let usdc = Asset::Erc20 {
            token: TOKEN,
            decimals: 6,
        };
        let call = send_call(ME, BOB, usdc, "1.5").unwrap();
        assert_eq!((call.to, call.value), (TOKEN, U256::ZERO));
        let decoded = IERC20Metadata::transferCall::abi_decode(&call.data).unwrap();
        assert_eq!((decoded.to, decoded.amount), (BOB, U256::from(1_500_000)));
    }

    #[test]
    fn refusals() {
        let usdc = Asset::Erc20 {
            token: TOKEN,
            decimals: 6,
        };
        assert_eq!(
            send_call(ME, ME, Asset::Native, "1"),
            Err(SendError::ToSelf)
        );
        assert_eq!(
            send_call(ME, Address::ZERO, Asset::Native, "1"),
            Err(SendError::ToZero)
        );
        assert_eq!(send_call(ME, TOKEN, usdc, "1"), Err(SendError::ToToken));
        assert_eq!(
            send_call(ME, BOB, usdc, "0.0000001"),
            Err(SendError::BadAmount { decimals: 6 })
        );
        assert_eq!(send_call(ME, BOB, Asset::Native, "0"), Err(SendError::Zero));
    }
}
