//! The dapp-facing API (EIP-1193): a request's method name is parsed once into [`Method`], which
//! carries its access level; its params are parsed into typed values; and every failure becomes
//! a [`ProviderError`] with the standard code.

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::erc7579::Call;
use crate::{Error, Result};

/// EIP-1193 / JSON-RPC error codes.
pub mod code {
    /// The user rejected the request.
    pub const USER_REJECTED: i64 = 4001;
    /// The origin is not authorized.
    pub const UNAUTHORIZED: i64 = 4100;
    /// The method is not supported.
    pub const UNSUPPORTED_METHOD: i64 = 4200;
    /// The provider is disconnected from all chains.
    pub const DISCONNECTED: i64 = 4900;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL: i64 = -32603;
}

/// An EIP-1193 error as sent to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderError {
    /// The error code.
    pub code: i64,
    /// A readable message.
    pub message: String,
    /// Extra data (revert data, for example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl From<&Error> for ProviderError {
    fn from(error: &Error) -> Self {
        let code = match error {
            Error::UserRejected => code::USER_REJECTED,
            Error::Unauthorized(_) | Error::NoAccount => code::UNAUTHORIZED,
            Error::UnsupportedMethod(_) => code::UNSUPPORTED_METHOD,
            Error::InvalidParams(_) => code::INVALID_PARAMS,
            Error::Rpc(rpc) => rpc.code,
            Error::Transport { .. } => code::DISCONNECTED,
            _ => code::INTERNAL,
        };
        let data = match error {
            Error::Rpc(rpc) => rpc.data.clone(),
            _ => None,
        };
        ProviderError {
            code,
            message: error.to_string(),
            data,
        }
    }
}

/// What a method needs before it may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone may call it (chain id, read-only RPC).
    Public,
    /// Only a connected origin; otherwise it answers as if no account existed (or 4100).
    Connected,
    /// Needs a user approval.
    Approval,
}

/// Read-only node methods passed through to the selected network's RPC.
pub const READ_METHODS: &[&str] = &[
    "eth_blockNumber",
    "eth_call",
    "eth_estimateGas",
    "eth_feeHistory",
    "eth_gasPrice",
    "eth_getBalance",
    "eth_getBlockByHash",
    "eth_getBlockByNumber",
    "eth_getBlockTransactionCountByHash",
    "eth_getBlockTransactionCountByNumber",
    "eth_getCode",
    "eth_getLogs",
    "eth_getProof",
    "eth_getStorageAt",
    "eth_getTransactionByBlockHashAndIndex",
    "eth_getTransactionByBlockNumberAndIndex",
    "eth_getTransactionByHash",
    "eth_getTransactionCount",
    "eth_getTransactionReceipt",
    "eth_getUncleCountByBlockHash",
    "eth_getUncleCountByBlockNumber",
    "eth_maxPriorityFeePerGas",
    "eth_syncing",
    "net_listening",
    "web3_clientVersion",
];

/// Every method the wallet understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `eth_requestAccounts`: connect (onboarding when there is no account).
    RequestAccounts,
    /// `eth_accounts`: the connected account, or `[]`.
    Accounts,
    /// `eth_chainId`.
    ChainId,
    /// `net_version`.
    NetVersion,
    /// `eth_sendTransaction`: a passkey-approved UserOperation.
    SendTransaction,
    /// A read-only node method from [`READ_METHODS`].
    Read(&'static str),
}

impl Method {
    /// Parses a method name; `None` for anything the wallet does not serve (→ 4200).
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "eth_requestAccounts" => Method::RequestAccounts,
            "eth_accounts" => Method::Accounts,
            "eth_chainId" => Method::ChainId,
            "net_version" => Method::NetVersion,
            "eth_sendTransaction" => Method::SendTransaction,
            _ => Method::Read(READ_METHODS.iter().find(|m| **m == name)?),
        })
    }

    /// The method's access level.
    pub fn access(self) -> Access {
        match self {
            Method::RequestAccounts | Method::SendTransaction => Access::Approval,
            Method::Accounts => Access::Connected,
            Method::ChainId | Method::NetVersion | Method::Read(_) => Access::Public,
        }
    }
}

/// Largest params the wallet accepts from a page, in bytes of JSON.
pub const MAX_PARAMS_BYTES: usize = 256 * 1024;

/// Read-method params: must be an array (or absent) of bounded size.
pub fn read_params(params: Option<Value>) -> Result<Value> {
    match params {
        None | Some(Value::Null) => Ok(Value::Array(vec![])),
        Some(Value::Array(items)) => Ok(Value::Array(items)),
        Some(_) => Err(Error::invalid_params("params must be an array")),
    }
}

/// The `eth_sendTransaction` transaction object.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionRequest {
    #[serde(default)]
    from: Option<Address>,
    #[serde(default)]
    to: Option<Address>,
    #[serde(default)]
    value: Option<U256>,
    #[serde(default, alias = "input")]
    data: Option<Bytes>,
    #[serde(default)]
    chain_id: Option<U256>,
}

/// A parsed `eth_sendTransaction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendTransaction {
    /// The `from` the dapp named, if any.
    pub from: Option<Address>,
    /// The call the account makes.
    pub call: Call,
    /// The chain the dapp expects, if it said.
    pub chain_id: Option<u64>,
}

/// Parses `eth_sendTransaction` params: `[{from?, to, value?, data?, ...}]`.
pub fn send_transaction_params(params: Option<Value>) -> Result<SendTransaction> {
    let Some(Value::Array(mut items)) = params else {
        return Err(Error::invalid_params(
            "eth_sendTransaction expects [transaction]",
        ));
    };
    if items.len() != 1 {
        return Err(Error::invalid_params(
            "eth_sendTransaction expects exactly one transaction object",
        ));
    }
    let tx: TransactionRequest = serde_json::from_value(items.remove(0))
        .map_err(|e| Error::invalid_params(format!("transaction: {e}")))?;
    let to = tx.to.ok_or_else(|| {
        Error::invalid_params("transaction has no `to`; contract creation is not supported")
    })?;
    let chain_id = tx
        .chain_id
        .map(|c| u64::try_from(c).map_err(|_| Error::invalid_params("chainId is out of range")))
        .transpose()?;
    Ok(SendTransaction {
        from: tx.from,
        call: Call {
            to,
            value: tx.value.unwrap_or_default(),
            data: tx.data.unwrap_or_default(),
        },
        chain_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_known_methods_with_access_levels() {
        assert_eq!(
            Method::parse("eth_chainId").unwrap().access(),
            Access::Public
        );
        assert_eq!(
            Method::parse("eth_accounts").unwrap().access(),
            Access::Connected
        );
        assert_eq!(
            Method::parse("eth_sendTransaction").unwrap().access(),
            Access::Approval
        );
        assert_eq!(
            Method::parse("eth_getBalance"),
            Some(Method::Read("eth_getBalance"))
        );
        assert_eq!(Method::parse("eth_sign"), None);
        assert_eq!(Method::parse("__proto__"), None);
    }

    #[test]
    fn send_transaction_params_are_checked() {
        let ok = send_transaction_params(Some(json!([{
            "from": "0x00000000000000000000000000000000000000aa",
            "to": "0x00000000000000000000000000000000000000bb",
            "value": "0x2386f26fc10000",
        }])))
        .unwrap();
        assert_eq!(ok.call.value, U256::from(10_000_000_000_000_000u64));
        assert!(ok.call.data.is_empty());
        for bad in [
            json!(null),
            json!({}),
            json!([]),
            json!([{"to": "0x12"}]),
            json!([{"to": "0x00000000000000000000000000000000000000bb", "value": "zz"}]),
            json!([{"value": "0x1"}]),
            json!([1, 2]),
        ] {
            let err = send_transaction_params(Some(bad.clone())).unwrap_err();
            assert_eq!(
                ProviderError::from(&err).code,
                code::INVALID_PARAMS,
                "{bad}"
            );
        }
    }

    #[test]
    fn errors_map_to_eip1193_codes() {
        assert_eq!(ProviderError::from(&Error::UserRejected).code, 4001);
        assert_eq!(
            ProviderError::from(&Error::Unauthorized("x".into())).code,
            4100
        );
        assert_eq!(
            ProviderError::from(&Error::UnsupportedMethod("x".into())).code,
            4200
        );
        assert_eq!(
            ProviderError::from(&Error::Internal("x".into())).code,
            -32603
        );
    }
}
