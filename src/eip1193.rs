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
    /// The provider is not connected to the requested chain (its node or bundler is unreachable).
    pub const CHAIN_DISCONNECTED: i64 = 4901;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL: i64 = -32603;
    /// A request of this kind is already pending (MetaMask's convention).
    pub const RESOURCE_UNAVAILABLE: i64 = -32002;
    /// EIP-3326: unrecognized chain id.
    pub const UNRECOGNIZED_CHAIN: i64 = 4902;
    /// EIP-5792: unsupported non-optional capability.
    pub const UNSUPPORTED_CAPABILITY: i64 = 5700;
    /// EIP-5792: unsupported chain id.
    pub const UNSUPPORTED_CHAIN: i64 = 5710;
    /// EIP-5792: duplicate batch id.
    pub const DUPLICATE_ID: i64 = 5720;
    /// EIP-5792: unknown batch id.
    pub const UNKNOWN_BUNDLE: i64 = 5730;
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
            Error::Unauthorized(_)
            | Error::NoAccount
            | Error::Locked
            | Error::NotAllowed(_)
            | Error::AccountAdministration { .. } => code::UNAUTHORIZED,
            Error::RequestPending(_) => code::RESOURCE_UNAVAILABLE,
            Error::UnsupportedMethod(_) | Error::Refused { .. } => code::UNSUPPORTED_METHOD,
            Error::UnknownChain(_) => code::UNRECOGNIZED_CHAIN,
            Error::InvalidParams(_) => code::INVALID_PARAMS,
            Error::UnknownCallsId(_) => code::UNKNOWN_BUNDLE,
            Error::DuplicateCallsId(_) => code::DUPLICATE_ID,
            Error::UnsupportedCapability(_) => code::UNSUPPORTED_CAPABILITY,
            Error::Interrupted => code::DISCONNECTED,
            Error::UnsupportedChain { .. } => code::UNSUPPORTED_CHAIN,
            Error::Rpc(rpc) => rpc.code,
            // The node or bundler did not answer: the provider is there, that chain is not.
            Error::Transport { .. } | Error::NotDeployed { .. } => code::CHAIN_DISCONNECTED,
            _ => code::INTERNAL,
        };
        let data = match error {
            Error::Rpc(rpc) => rpc.data.clone(),
            _ => None,
        };
        ProviderError {
            code,
            // Whatever went into it, a page gets a bounded message.
            message: crate::untrusted::clip(
                &error.to_string(),
                2 * crate::untrusted::MAX_TEXT_CHARS,
            ),
            data,
        }
    }
}

/// Who may call a method, applied once by the page router before any handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone may call it (chain id, read-only RPC).
    Public,
    /// Any origin but `"null"` may ask to be connected (the user decides in the window).
    Consent,
    /// Only a connected origin; otherwise it answers as if no account existed (or 4100).
    Connected,
    /// Only a connected origin, and the user approves it in the window (or a session covers it).
    Approval,
}

/// The families of methods, each with one handler in the background (`extension/src/page/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Accounts and connecting: `eth_accounts`, `eth_requestAccounts`.
    Accounts,
    /// The network: chain id, switching, adding, and the node's read methods.
    Chains,
    /// `eth_sendTransaction`.
    Transactions,
    /// EIP-5792 batches.
    Calls,
    /// Message signatures (`personal_sign`, typed data, `eth_sign` refused).
    Signing,
    /// EIP-2255 permissions.
    Permissions,
    /// ERC-7715 sessions.
    Sessions,
    /// EIP-747 assets a site suggests.
    Assets,
    /// ERC-7579 modules a site offers (`wallet_installModule`).
    Modules,
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
    /// EIP-5792 `wallet_sendCalls`: an atomic batch in one UserOperation.
    SendCalls,
    /// EIP-5792 `wallet_getCallsStatus`.
    GetCallsStatus,
    /// EIP-5792 `wallet_getCapabilities`.
    GetCapabilities,
    /// EIP-5792 `wallet_showCallsStatus`: opens the wallet's activity view on the batch.
    ShowCallsStatus,
    /// EIP-2255 `wallet_getPermissions`.
    GetPermissions,
    /// EIP-2255 `wallet_requestPermissions`: the connect approval, answered with permissions.
    RequestPermissions,
    /// EIP-2255 `wallet_revokePermissions`: disconnect.
    RevokePermissions,
    /// EIP-3326 `wallet_switchEthereumChain`.
    SwitchChain,
    /// EIP-3085 `wallet_addEthereumChain`: an approval, after checking the chain can run the account.
    AddChain,
    /// `eth_sign`: refused, it signs arbitrary hashes a user cannot read.
    EthSign,
    /// `personal_sign`: an EIP-191 message signed with the passkey (ERC-1271 / ERC-6492).
    PersonalSign,
    /// `eth_signTypedData_v4` / `_v3`: EIP-712 data signed with the passkey (ERC-1271 / ERC-6492).
    SignTypedData(TypedDataVersion),
    /// `eth_signTypedData` / `eth_signTypedData_v1`: refused, the legacy format has no domain.
    LegacyTypedData,
    /// EIP-747 `wallet_watchAsset`: an ERC-20 the site suggests, listed on the home page once the
    /// user approves.
    WatchAsset,
    /// ERC-7715 `wallet_requestExecutionPermissions`: a session, approved once with the passkey.
    RequestExecutionPermissions,
    /// ERC-7715 `wallet_getGrantedExecutionPermissions`: the origin's live sessions.
    GetGrantedExecutionPermissions,
    /// ERC-7715 `wallet_revokeExecutionPermission`: end one of the origin's sessions.
    RevokeExecutionPermission,
    /// ERC-7715 `wallet_getSupportedExecutionPermissions`.
    GetSupportedExecutionPermissions,
    /// `wallet_installModule` (SSO Wallet's, modelled on ERC-7579 `installModule`): a module a
    /// site offers, installed once the user approves it with the passkey.
    InstallModule,
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
            "wallet_sendCalls" => Method::SendCalls,
            "wallet_getCallsStatus" => Method::GetCallsStatus,
            "wallet_getCapabilities" => Method::GetCapabilities,
            "wallet_showCallsStatus" => Method::ShowCallsStatus,
            "wallet_getPermissions" => Method::GetPermissions,
            "wallet_requestPermissions" => Method::RequestPermissions,
            "wallet_revokePermissions" => Method::RevokePermissions,
            "wallet_switchEthereumChain" => Method::SwitchChain,
            "wallet_addEthereumChain" => Method::AddChain,
            "eth_sign" => Method::EthSign,
            "personal_sign" => Method::PersonalSign,
            "eth_signTypedData_v4" => Method::SignTypedData(TypedDataVersion::V4),
            "eth_signTypedData_v3" => Method::SignTypedData(TypedDataVersion::V3),
            "eth_signTypedData" | "eth_signTypedData_v1" => Method::LegacyTypedData,
            "wallet_watchAsset" => Method::WatchAsset,
            "wallet_installModule" => Method::InstallModule,
            "wallet_requestExecutionPermissions" => Method::RequestExecutionPermissions,
            "wallet_getGrantedExecutionPermissions" => Method::GetGrantedExecutionPermissions,
            "wallet_revokeExecutionPermission" => Method::RevokeExecutionPermission,
            "wallet_getSupportedExecutionPermissions" => Method::GetSupportedExecutionPermissions,
            _ => Method::Read(READ_METHODS.iter().find(|m| **m == name)?),
        })
    }

    /// The method's access level.
    pub fn access(self) -> Access {
        match self {
            Method::RequestAccounts | Method::RequestPermissions => Access::Consent,
            Method::SendTransaction
            | Method::SendCalls
            | Method::PersonalSign
            | Method::SignTypedData(_)
            | Method::RequestExecutionPermissions
            | Method::AddChain
            | Method::WatchAsset
            | Method::InstallModule => Access::Approval,
            Method::Accounts
            | Method::SwitchChain
            | Method::GetCallsStatus
            | Method::GetCapabilities
            | Method::ShowCallsStatus
            | Method::GetGrantedExecutionPermissions
            | Method::RevokeExecutionPermission => Access::Connected,
            Method::ChainId
            | Method::NetVersion
            | Method::Read(_)
            | Method::GetPermissions
            | Method::RevokePermissions
            | Method::EthSign
            | Method::LegacyTypedData
            | Method::GetSupportedExecutionPermissions => Access::Public,
        }
    }
}

impl Method {
    /// Whether the method is refused while the wallet is locked (4100): switching the network
    /// changes it for every site. (Requests that need the user wait in the window, which asks
    /// to unlock first; sessions do not sign while locked.)
    pub fn needs_unlocked(self) -> bool {
        matches!(self, Method::SwitchChain)
    }

    /// What an unconnected origin gets instead of a 4100, if anything: `eth_accounts` is `[]`.
    pub fn unconnected_answer(self) -> Option<Value> {
        matches!(self, Method::Accounts).then(|| Value::Array(vec![]))
    }

    /// The family whose handler serves the method.
    pub fn family(self) -> Family {
        match self {
            Method::RequestAccounts | Method::Accounts => Family::Accounts,
            Method::ChainId
            | Method::NetVersion
            | Method::SwitchChain
            | Method::AddChain
            | Method::Read(_) => Family::Chains,
            Method::SendTransaction => Family::Transactions,
            Method::SendCalls
            | Method::GetCallsStatus
            | Method::GetCapabilities
            | Method::ShowCallsStatus => Family::Calls,
            Method::EthSign
            | Method::LegacyTypedData
            | Method::PersonalSign
            | Method::SignTypedData(_) => Family::Signing,
            Method::GetPermissions | Method::RequestPermissions | Method::RevokePermissions => {
                Family::Permissions
            }
            Method::RequestExecutionPermissions
            | Method::GetGrantedExecutionPermissions
            | Method::RevokeExecutionPermission
            | Method::GetSupportedExecutionPermissions => Family::Sessions,
            Method::WatchAsset => Family::Assets,
            Method::InstallModule => Family::Modules,
        }
    }
}

/// Largest params the wallet accepts from a page, in bytes of JSON (the content script's
/// `MAX_BYTES` is the same number; a test holds them equal).
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
        Error::invalid_params(format!("transaction has no `to`: {CONTRACT_CREATION}"))
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

/// One call of `wallet_sendCalls`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallRequest {
    to: Option<Address>,
    #[serde(default)]
    data: Option<Bytes>,
    #[serde(default)]
    value: Option<U256>,
    #[serde(default)]
    capabilities: Option<serde_json::Map<String, Value>>,
}

/// The `wallet_sendCalls` request object (EIP-5792, version 2.0.0).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendCallsRequest {
    version: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    from: Option<Address>,
    chain_id: U256,
    #[serde(default)]
    atomic_required: Option<bool>,
    calls: Vec<CallRequest>,
    #[serde(default)]
    capabilities: Option<serde_json::Map<String, Value>>,
}

/// A parsed `wallet_sendCalls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendCalls {
    /// The dapp's batch id, if it chose one.
    pub id: Option<String>,
    /// The `from` the dapp named, if any.
    pub from: Option<Address>,
    /// The chain the calls are for.
    pub chain_id: u64,
    /// The calls, executed atomically in order.
    pub calls: Vec<Call>,
    /// ERC-7715 `capabilities.permissions.context`: the session the dapp wants used.
    pub session: Option<alloy_primitives::B256>,
    /// ERC-7677 `capabilities.paymasterService`: who the dapp says pays the fees.
    pub paymaster_service: Option<crate::erc7677::PaymasterService>,
}

/// Most calls one batch may carry.
pub const MAX_BATCH_CALLS: usize = 64;

/// Refuses capabilities the wallet does not support unless the dapp marked them optional.
fn check_capabilities(capabilities: Option<&serde_json::Map<String, Value>>) -> Result<()> {
    for (name, value) in capabilities.into_iter().flatten() {
        if name == PERMISSIONS_CAPABILITY || name == crate::erc7677::CAPABILITY {
            continue;
        }
        let optional = value.get("optional").and_then(Value::as_bool) == Some(true);
        if !optional {
            return Err(Error::UnsupportedCapability(name.clone()));
        }
    }
    Ok(())
}

/// The ERC-7715 capability naming the session a batch should use.
pub const PERMISSIONS_CAPABILITY: &str = "permissions";

/// `capabilities.permissions.context`, if given (a malformed one is refused).
fn session_context(
    capabilities: Option<&serde_json::Map<String, Value>>,
) -> Result<Option<alloy_primitives::B256>> {
    let Some(permissions) = capabilities.and_then(|c| c.get(PERMISSIONS_CAPABILITY)) else {
        return Ok(None);
    };
    permissions
        .get("context")
        .and_then(Value::as_str)
        .and_then(|c| c.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            Error::invalid_params(
                "capabilities.permissions.context must be the 32-byte hex context of a granted session",
            )
        })
}

/// Parses `wallet_sendCalls` params: `[{version, id?, from?, chainId, atomicRequired, calls, capabilities?}]`.
pub fn send_calls_params(params: Option<Value>) -> Result<SendCalls> {
    let Some(Value::Array(mut items)) = params else {
        return Err(Error::invalid_params("wallet_sendCalls expects [request]"));
    };
    if items.len() != 1 {
        return Err(Error::invalid_params(
            "wallet_sendCalls expects exactly one request object",
        ));
    }
    let request: SendCallsRequest = serde_json::from_value(items.remove(0))
        .map_err(|e| Error::invalid_params(format!("wallet_sendCalls: {e}")))?;
    if request.version != "2.0.0" && request.version != "1.0" {
        return Err(Error::invalid_params(format!(
            "wallet_sendCalls version {} is not supported (use 2.0.0)",
            request.version
        )));
    }
    let _ = request.atomic_required; // every batch is atomic: one UserOperation
    if request.calls.is_empty() || request.calls.len() > MAX_BATCH_CALLS {
        return Err(Error::invalid_params(format!(
            "wallet_sendCalls needs 1 to {MAX_BATCH_CALLS} calls"
        )));
    }
    if request
        .id
        .as_ref()
        .is_some_and(|id| id.is_empty() || id.len() > 4096)
    {
        return Err(Error::invalid_params(
            "the batch id must be 1 to 4096 characters",
        ));
    }
    check_capabilities(request.capabilities.as_ref())?;
    let session = session_context(request.capabilities.as_ref())?;
    let paymaster_service = crate::erc7677::capability(request.capabilities.as_ref())?;
    let mut calls = Vec::with_capacity(request.calls.len());
    for (i, call) in request.calls.into_iter().enumerate() {
        check_capabilities(call.capabilities.as_ref())?;
        let to = call.to.ok_or_else(|| {
            Error::invalid_params(format!("call {i} has no `to`: {CONTRACT_CREATION}"))
        })?;
        calls.push(Call {
            to,
            value: call.value.unwrap_or_default(),
            data: call.data.unwrap_or_default(),
        });
    }
    Ok(SendCalls {
        id: request.id,
        from: request.from,
        chain_id: u64::try_from(request.chain_id)
            .map_err(|_| Error::invalid_params("chainId is out of range"))?,
        calls,
        session,
        paymaster_service,
    })
}

/// Why a transaction without `to` is refused, and what to send instead (also in the README).
pub const CONTRACT_CREATION: &str = "a smart account cannot create a contract by itself; send the \
    init code to a CREATE2 factory instead, e.g. `to` = 0x4e59b44847b379578588920cA78FbF26c0B4956C \
    with `data` = salt (32 bytes) ‖ init code";

/// An EIP-747 `wallet_watchAsset` request: the token, and what the site says it is (shown only as
/// the site's claim; the wallet reads the token's own symbol and decimals from the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchAsset {
    /// The token contract.
    pub address: Address,
    /// The symbol the site gave, cut and cleaned.
    pub claimed_symbol: Option<String>,
    /// An NFT (ERC-721 / ERC-1155, as MetaMask takes them): its standard and id.
    pub nft: Option<crate::nft::Nft>,
}

/// Parses `wallet_watchAsset` params: `{type, options: {address, symbol?, decimals?, image?,
/// tokenId?}}`, as an object (EIP-747) or the one item of an array. `type` is `ERC20`, or
/// `ERC721` / `ERC1155` with a `tokenId` (decimal or `0x` string, or a JSON integer).
pub fn watch_asset_params(params: Option<Value>) -> Result<WatchAsset> {
    use crate::nft::{Nft, NftStandard};
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Options {
        address: Address,
        #[serde(default)]
        symbol: Option<String>,
        #[serde(default)]
        token_id: Option<Value>,
    }
    #[derive(Deserialize)]
    struct Request {
        #[serde(rename = "type")]
        kind: String,
        options: Options,
    }
    let refuse = |why: String| Error::invalid_params(format!("wallet_watchAsset: {why}"));
    let value = match params {
        Some(Value::Array(mut items)) if items.len() == 1 => items.remove(0),
        Some(object @ Value::Object(_)) => object,
        _ => return Err(refuse("expects {type, options: {address, …}}".into())),
    };
    let request: Request = serde_json::from_value(value).map_err(|e| refuse(e.to_string()))?;
    let standard = match request.kind.to_ascii_uppercase().as_str() {
        "ERC20" => None,
        "ERC721" => Some(NftStandard::Erc721),
        "ERC1155" => Some(NftStandard::Erc1155),
        _ => {
            return Err(refuse(format!(
                "the type must be ERC20, ERC721 or ERC1155, not {}",
                crate::untrusted::clip(&request.kind, 16)
            )));
        }
    };
    let nft = match (standard, &request.options.token_id) {
        (None, None) => None,
        (None, Some(_)) => return Err(refuse("an ERC20 takes no tokenId".into())),
        (Some(_), None) => return Err(refuse("an NFT needs options.tokenId".into())),
        (Some(standard), Some(id)) => Some(Nft {
            standard,
            token_id: crate::units::json_uint(id).ok_or_else(|| {
                refuse(
                    "options.tokenId must be an integer (decimal or 0x string) below 2^256".into(),
                )
            })?,
        }),
    };
    Ok(WatchAsset {
        address: request.options.address,
        claimed_symbol: request
            .options
            .symbol
            .map(|s| crate::untrusted::clip(&s, 16))
            .filter(|s| !s.is_empty()),
        nft,
    })
}

/// Parses `personal_sign` params: `[message, address]`, or `[message, address, password]` as
/// MetaMask takes it (the password is ignored); the message is hex data, or else text.
pub fn personal_sign_params(params: Option<Value>) -> Result<(Bytes, Option<Address>)> {
    let Some(Value::Array(items)) = params else {
        return Err(Error::invalid_params(
            "personal_sign expects [message, address]",
        ));
    };
    let (message, address) = match items.as_slice() {
        [Value::String(m)] => (m, None),
        [Value::String(m), Value::String(a)]
        | [
            Value::String(m),
            Value::String(a),
            Value::String(_) | Value::Null,
        ] => (
            m,
            Some(
                a.parse::<Address>()
                    .map_err(|e| Error::invalid_params(format!("personal_sign: address: {e}")))?,
            ),
        ),
        _ => {
            return Err(Error::invalid_params(
                "personal_sign expects [message, address]",
            ));
        }
    };
    let bytes = match message.strip_prefix("0x") {
        Some(hex) => alloy_primitives::hex::decode(hex)
            .map_err(|e| Error::invalid_params(format!("personal_sign: message: {e}")))?,
        None => message.as_bytes().to_vec(),
    };
    if bytes.len() > MAX_PARAMS_BYTES {
        return Err(Error::invalid_params("personal_sign: message too long"));
    }
    Ok((bytes.into(), address))
}

/// The flavours of `eth_signTypedData` the wallet serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedDataVersion {
    /// `eth_signTypedData_v3`: EIP-712 without arrays (its payloads hash the same as in v4).
    V3,
    /// `eth_signTypedData_v4`: EIP-712 with arrays and recursive structs.
    V4,
}

impl TypedDataVersion {
    /// The method's name.
    pub fn method(self) -> &'static str {
        match self {
            TypedDataVersion::V3 => "eth_signTypedData_v3",
            TypedDataVersion::V4 => "eth_signTypedData_v4",
        }
    }
}

/// Parses `eth_signTypedData_v4` / `_v3` params: `[address, typedData]` (typed data as JSON or a
/// JSON string). v3 has no arrays: typed data with an array type is refused there (v3 signers
/// fail on them), so a v3 signature is always the one a v3 verifier computes.
pub fn sign_typed_data_params(
    params: Option<Value>,
    version: TypedDataVersion,
) -> Result<(Address, alloy_dyn_abi::TypedData, Value)> {
    let method = version.method();
    let refuse = |why: String| Error::invalid_params(format!("{method}: {why}"));
    let Some(Value::Array(items)) = params else {
        return Err(refuse("expects [address, typedData]".into()));
    };
    let [Value::String(address), data] = items.as_slice() else {
        return Err(refuse("expects [address, typedData]".into()));
    };
    let address = address
        .parse::<Address>()
        .map_err(|e| refuse(format!("address: {e}")))?;
    let json: Value = match data {
        Value::String(text) => serde_json::from_str(text).map_err(|e| refuse(e.to_string()))?,
        other => other.clone(),
    };
    check_typed_data_shape(&json)?;
    if version == TypedDataVersion::V3 {
        let has_array = json
            .get("types")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|types| types.values())
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|field| field.get("type")?.as_str())
            .any(|ty| ty.contains('['));
        if has_array {
            return Err(refuse(
                "v3 typed data has no arrays; use eth_signTypedData_v4".into(),
            ));
        }
    }
    let typed = serde_json::from_value(json.clone()).map_err(|e| refuse(e.to_string()))?;
    Ok((address, typed, json))
}

/// Most struct types one typed-data request may define.
pub const MAX_TYPED_DATA_TYPES: usize = 64;
/// Most fields one struct type may have.
pub const MAX_TYPED_DATA_FIELDS: usize = 64;
/// Most array dimensions one field type may have.
pub const MAX_TYPED_DATA_DIMENSIONS: usize = 4;

/// Refuses typed data whose shape would make hashing it recurse deeply or long: too deep as
/// JSON, too many types or fields, or field types with too many array dimensions.
fn check_typed_data_shape(json: &Value) -> Result<()> {
    let refuse = |why: String| Error::invalid_params(format!("eth_signTypedData_v4: {why}"));
    if crate::untrusted::json_depth(json) > crate::untrusted::MAX_JSON_DEPTH {
        return Err(refuse(format!(
            "the typed data is nested more than {} levels deep",
            crate::untrusted::MAX_JSON_DEPTH
        )));
    }
    let Some(types) = json.get("types").and_then(Value::as_object) else {
        return Ok(()); // the typed-data parser says what is missing
    };
    if types.len() > MAX_TYPED_DATA_TYPES {
        return Err(refuse(format!("more than {MAX_TYPED_DATA_TYPES} types")));
    }
    for fields in types.values().filter_map(Value::as_array) {
        if fields.len() > MAX_TYPED_DATA_FIELDS {
            return Err(refuse(format!(
                "a type has more than {MAX_TYPED_DATA_FIELDS} fields"
            )));
        }
        for ty in fields.iter().filter_map(|f| f.get("type")?.as_str()) {
            if ty.len() > 256 || ty.matches('[').count() > MAX_TYPED_DATA_DIMENSIONS {
                return Err(refuse(format!(
                    "a field type is longer than 256 characters or has more than {MAX_TYPED_DATA_DIMENSIONS} array dimensions"
                )));
            }
        }
    }
    Ok(())
}

/// Parses `wallet_switchEthereumChain` params: `[{chainId}]`.
pub fn switch_chain_params(params: Option<Value>) -> Result<u64> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Switch {
        chain_id: U256,
    }
    let Some(Value::Array(mut items)) = params else {
        return Err(Error::invalid_params(
            "wallet_switchEthereumChain expects [{chainId}]",
        ));
    };
    if items.len() != 1 {
        return Err(Error::invalid_params(
            "wallet_switchEthereumChain expects [{chainId}]",
        ));
    }
    let switch: Switch = serde_json::from_value(items.remove(0))
        .map_err(|e| Error::invalid_params(format!("wallet_switchEthereumChain: {e}")))?;
    u64::try_from(switch.chain_id).map_err(|_| Error::invalid_params("chainId is out of range"))
}

/// A parsed EIP-3085 `wallet_addEthereumChain` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddChain {
    /// The chain id.
    pub chain_id: u64,
    /// `chainName`.
    pub name: String,
    /// `rpcUrls` (at least one; the first reachable one is used).
    pub rpc_urls: Vec<String>,
    /// `bundlerUrls` (SSO Wallet's extension of EIP-3085: ERC-4337 bundlers for the chain).
    pub bundler_urls: Vec<String>,
    /// `blockExplorerUrls[0]`, if any.
    pub explorer_url: Option<String>,
}

/// Most URLs of one kind a request may list.
const MAX_URLS: usize = 8;

fn urls(value: Option<Vec<String>>, what: &str, required: bool) -> Result<Vec<String>> {
    let urls = value.unwrap_or_default();
    if required && urls.is_empty() {
        return Err(Error::invalid_params(format!(
            "wallet_addEthereumChain: `{what}` needs at least one URL"
        )));
    }
    if urls.len() > MAX_URLS {
        return Err(Error::invalid_params(format!(
            "wallet_addEthereumChain: at most {MAX_URLS} `{what}`"
        )));
    }
    for url in &urls {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 2048
            && url.chars().all(|c| c.is_ascii_graphic());
        if !ok {
            return Err(Error::invalid_params(format!(
                "wallet_addEthereumChain: `{what}` must be http(s) URLs, got {url:?}"
            )));
        }
    }
    Ok(urls)
}

/// Parses `wallet_addEthereumChain` params: `[{chainId, chainName, rpcUrls, nativeCurrency?,
/// blockExplorerUrls?, iconUrls?, bundlerUrls?}]`. The native currency must have 18 decimals
/// (the wallet shows amounts in ETH units).
pub fn add_chain_params(params: Option<Value>) -> Result<AddChain> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Currency {
        decimals: u8,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Add {
        chain_id: String,
        chain_name: Option<String>,
        rpc_urls: Option<Vec<String>>,
        native_currency: Option<Currency>,
        block_explorer_urls: Option<Vec<String>>,
        bundler_urls: Option<Vec<String>>,
    }
    let usage = "wallet_addEthereumChain expects [{chainId, chainName, rpcUrls, nativeCurrency, bundlerUrls?}]";
    let Some(Value::Array(mut items)) = params else {
        return Err(Error::invalid_params(usage));
    };
    if items.len() != 1 {
        return Err(Error::invalid_params(usage));
    }
    let add: Add = serde_json::from_value(items.remove(0))
        .map_err(|e| Error::invalid_params(format!("wallet_addEthereumChain: {e}")))?;
    let chain_id = add
        .chain_id
        .strip_prefix("0x")
        .filter(|hex| !hex.is_empty() && !hex.starts_with('0') && hex.len() <= 13)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            Error::invalid_params(format!(
                "wallet_addEthereumChain: chainId must be a 0x-prefixed hex number without leading zeros, got {:?}",
                add.chain_id
            ))
        })?;
    let name = add
        .chain_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && n.chars().count() <= 64 && crate::untrusted::clip(n, 64) == *n)
        .ok_or_else(|| {
            Error::invalid_params("wallet_addEthereumChain: chainName must be 1 to 64 characters")
        })?;
    if let Some(currency) = add.native_currency
        && currency.decimals != 18
    {
        return Err(Error::invalid_params(format!(
            "wallet_addEthereumChain: SSO Wallet supports native currencies with 18 decimals, not {}",
            currency.decimals
        )));
    }
    Ok(AddChain {
        chain_id,
        name,
        rpc_urls: urls(add.rpc_urls, "rpcUrls", true)?,
        bundler_urls: urls(add.bundler_urls, "bundlerUrls", false)?,
        explorer_url: urls(add.block_explorer_urls, "blockExplorerUrls", false)?
            .into_iter()
            .next(),
    })
}

/// Parses `wallet_getCallsStatus` / `wallet_showCallsStatus` params: `[id]`.
pub fn calls_id_param(params: Option<Value>) -> Result<String> {
    match params {
        Some(Value::Array(items)) if items.len() == 1 => match &items[0] {
            Value::String(id) if !id.is_empty() && id.len() <= 4096 => Ok(id.clone()),
            _ => Err(Error::invalid_params(
                "the batch id must be a non-empty string",
            )),
        },
        _ => Err(Error::invalid_params("wallet_getCallsStatus expects [id]")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contract_creation_is_refused_with_what_to_send_instead() {
        let refused = send_transaction_params(Some(json!([{"data": "0x6000"}])))
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("transaction has no `to`: a smart account cannot create a contract")
        );
        assert!(refused.contains("0x4e59b44847b379578588920cA78FbF26c0B4956C"));
        let batch = send_calls_params(Some(json!([{"version": "2.0.0", "chainId": "0x1",
            "atomicRequired": true, "calls": [{"data": "0x6000"}]}])))
        .unwrap_err()
        .to_string();
        assert!(batch.contains("call 0 has no `to`: a smart account cannot create a contract"));
    }

    #[test]
    fn watch_asset_takes_an_erc20_or_an_nft_as_object_or_array() {
        assert_eq!(Method::parse("wallet_watchAsset"), Some(Method::WatchAsset));
        assert_eq!(Method::WatchAsset.access(), Access::Approval);
        let token = "0x00000000000000000000000000000000000000aa";
        let request = json!({"type": "ERC20", "options": {"address": token, "symbol": "ETH", "decimals": 18}});
        let parsed = watch_asset_params(Some(request.clone())).unwrap();
        assert_eq!(parsed.address, token.parse::<Address>().unwrap());
        assert_eq!(parsed.claimed_symbol.as_deref(), Some("ETH"));
        assert_eq!(watch_asset_params(Some(json!([request]))).unwrap(), parsed);
        assert_eq!(parsed.nft, None);
        use crate::nft::{Nft, NftStandard};
        for (kind, id, standard, expected) in [
            ("ERC721", json!("1"), NftStandard::Erc721, U256::from(1)),
            (
                "erc1155",
                json!("0x0a"),
                NftStandard::Erc1155,
                U256::from(10),
            ),
            ("ERC721", json!(7), NftStandard::Erc721, U256::from(7)),
        ] {
            let nft = json!({"type": kind, "options": {"address": token, "tokenId": id}});
            assert_eq!(
                watch_asset_params(Some(nft)).unwrap().nft,
                Some(Nft {
                    standard,
                    token_id: expected
                })
            );
        }
        for (bad, why) in [
            (
                json!({"type": "ERC721", "options": {"address": token}}),
                "needs options.tokenId",
            ),
            (
                json!({"type": "ERC721", "options": {"address": token, "tokenId": "-1"}}),
                "must be an integer",
            ),
            (
                json!({"type": "ERC721", "options": {"address": token, "tokenId": "1".repeat(79)}}),
                "must be an integer",
            ),
            (
                json!({"type": "ERC20", "options": {"address": token, "tokenId": "1"}}),
                "takes no tokenId",
            ),
            (
                json!({"type": "ERC777", "options": {"address": token}}),
                "ERC20, ERC721 or ERC1155",
            ),
        ] {
            let e = watch_asset_params(Some(bad.clone()))
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(watch_asset_params(Some(json!({"type": "ERC20", "options": {}}))).is_err());
        assert!(watch_asset_params(None).is_err());
    }

    #[test]
    fn signing_methods_as_dapps_call_them() {
        assert_eq!(
            Method::parse("eth_signTypedData_v3"),
            Some(Method::SignTypedData(TypedDataVersion::V3))
        );
        for legacy in ["eth_signTypedData", "eth_signTypedData_v1"] {
            assert_eq!(Method::parse(legacy), Some(Method::LegacyTypedData));
            assert_eq!(Method::LegacyTypedData.family(), Family::Signing);
        }
        // personal_sign with MetaMask's third (password) parameter: accepted, ignored.
        let account = "0x00000000000000000000000000000000000000aa";
        let (message, signer) =
            personal_sign_params(Some(json!(["0x6869", account, "pass"]))).unwrap();
        assert_eq!(message.as_ref(), b"hi");
        assert_eq!(signer, Some(account.parse().unwrap()));
        assert!(personal_sign_params(Some(json!(["0x6869", account, null]))).is_ok());
        assert!(personal_sign_params(Some(json!(["0x6869", account, "p", "x"]))).is_err());
        // v3 has no arrays; v4 does.
        let typed = json!({
            "types": {"EIP712Domain": [{"name": "name", "type": "string"}],
                      "M": [{"name": "xs", "type": "uint256[]"}]},
            "primaryType": "M", "domain": {"name": "d"}, "message": {"xs": [1]}
        });
        let v3 = sign_typed_data_params(Some(json!([account, typed])), TypedDataVersion::V3);
        assert!(
            v3.unwrap_err()
                .to_string()
                .contains("eth_signTypedData_v3: v3 typed data has no arrays")
        );
        assert!(
            sign_typed_data_params(Some(json!([account, typed])), TypedDataVersion::V4).is_ok()
        );
    }

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
        assert_eq!(Method::parse("eth_sign"), Some(Method::EthSign));
        assert_eq!(Method::parse("eth_signTransaction"), None);
        assert_eq!(Method::parse("__proto__"), None);
        assert_eq!(
            Method::parse("eth_requestAccounts").unwrap().access(),
            Access::Consent
        );
    }

    #[test]
    fn the_content_script_caps_requests_at_the_same_size() {
        let content = include_str!("../extension/js/content.js");
        assert!(
            content.contains(&format!(
                "const MAX_BYTES = {} * 1024;",
                MAX_PARAMS_BYTES / 1024
            )),
            "content.js's MAX_BYTES differs from MAX_PARAMS_BYTES"
        );
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
    fn send_calls_params_are_checked() {
        let ok = send_calls_params(Some(json!([{
            "version": "2.0.0", "chainId": "0x7a69", "atomicRequired": true,
            "calls": [
                {"to": "0x00000000000000000000000000000000000000bb", "value": "0x1"},
                {"to": "0x00000000000000000000000000000000000000cc", "data": "0xa9059cbb"},
            ],
        }])))
        .unwrap();
        assert_eq!(ok.chain_id, 31337);
        assert_eq!(ok.calls.len(), 2);
        assert_eq!(ok.calls[1].data.as_ref(), &[0xa9, 0x05, 0x9c, 0xbb]);
        let required_capability = send_calls_params(Some(json!([{
            "version": "2.0.0", "chainId": "0x1", "atomicRequired": true,
            "calls": [{"to": "0x00000000000000000000000000000000000000bb"}],
            "capabilities": {"auxiliaryFunds": {"supported": true}},
        }])));
        assert_eq!(
            ProviderError::from(&required_capability.unwrap_err()).code,
            code::UNSUPPORTED_CAPABILITY
        );
        let optional_capability = send_calls_params(Some(json!([{
            "version": "2.0.0", "chainId": "0x1", "atomicRequired": false,
            "calls": [{"to": "0x00000000000000000000000000000000000000bb"}],
            "capabilities": {"auxiliaryFunds": {"optional": true}},
        }])));
        assert!(optional_capability.is_ok());
        let sponsored = send_calls_params(Some(json!([{
            "version": "2.0.0", "chainId": "0x1", "atomicRequired": true,
            "calls": [{"to": "0x00000000000000000000000000000000000000bb"}],
            "capabilities": {"paymasterService": {"url": "https://pm.example/rpc", "context": {"a": 1}}},
        }])))
        .unwrap();
        assert_eq!(
            sponsored.paymaster_service.map(|s| s.url).as_deref(),
            Some("https://pm.example/rpc")
        );
        let malformed = send_calls_params(Some(json!([{
            "version": "2.0.0", "chainId": "0x1", "atomicRequired": true,
            "calls": [{"to": "0x00000000000000000000000000000000000000bb"}],
            "capabilities": {"paymasterService": {"url": "x", "optional": true}},
        }])));
        assert_eq!(
            ProviderError::from(&malformed.unwrap_err()).code,
            code::INVALID_PARAMS
        );
        for bad in [
            json!(null),
            json!([{"version": "2.0.0", "chainId": "0x1", "calls": []}]),
            json!([{"version": "9", "chainId": "0x1", "calls": [{"to": "0x00000000000000000000000000000000000000bb"}]}]),
            json!([{"version": "2.0.0", "chainId": "0x1", "calls": [{"data": "0x00"}]}]),
            json!([{"version": "2.0.0", "chainId": "0x1", "calls": [{"to": "0x00000000000000000000000000000000000000bb", "__proto__": 1}]}]),
        ] {
            let err = send_calls_params(Some(bad.clone())).unwrap_err();
            assert_eq!(
                ProviderError::from(&err).code,
                code::INVALID_PARAMS,
                "{bad}"
            );
        }
        assert_eq!(calls_id_param(Some(json!(["0xab"]))).unwrap(), "0xab");
        assert!(calls_id_param(Some(json!([7]))).is_err());
    }

    #[test]
    fn typed_data_shapes_that_would_recurse_are_refused() {
        let address = "0x00000000000000000000000000000000000000aa";
        let sign = |typed: Value| {
            sign_typed_data_params(Some(json!([address, typed])), TypedDataVersion::V4)
        };
        // A chain of 100 struct types, each holding the next.
        let mut types = serde_json::Map::new();
        types.insert("EIP712Domain".into(), json!([]));
        for i in 0..100 {
            types.insert(
                format!("T{i}"),
                json!([{"name": "x", "type": format!("T{}", i + 1)}]),
            );
        }
        let chain = json!({"types": types, "primaryType": "T0", "domain": {}, "message": {}});
        assert!(
            matches!(sign(chain), Err(Error::InvalidParams(m)) if m.contains("more than 64 types"))
        );
        let dims = json!({"types": {"EIP712Domain": [], "M": [{"name": "v", "type": format!("uint8{}", "[1]".repeat(5))}]},
                          "primaryType": "M", "domain": {}, "message": {"v": []}});
        assert!(
            matches!(sign(dims), Err(Error::InvalidParams(m)) if m.contains("array dimensions"))
        );
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!({"a": deep});
        }
        let nested = json!({"types": {"EIP712Domain": []}, "primaryType": "EIP712Domain", "domain": {}, "message": deep});
        assert!(matches!(sign(nested), Err(Error::InvalidParams(m)) if m.contains("nested")));
        // As a JSON string too.
        let text =
            json!({"types": types, "primaryType": "T0", "domain": {}, "message": {}}).to_string();
        assert!(sign(json!(text)).is_err());
    }

    fn typed_data_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(json!(0)),
            Just(json!("0x00000000000000000000000000000000000000aa")),
            Just(json!("hello")),
            Just(json!(true)),
            Just(json!("0x")),
            any::<u64>().prop_map(|n| json!(n)),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map("[a-c]", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn typed_data_parsing_and_hashing_are_total(
            fields in proptest::collection::vec(
                ("[a-c]", proptest::sample::select(vec!["uint256", "string", "address", "bool", "bytes32", "A", "B", "A[]", "B[2]", "uint8[2][2]", "C"])),
                0..6,
            ),
            primary in proptest::sample::select(vec!["A", "B", "C", "EIP712Domain"]),
            message in typed_data_value(),
        ) {
            let (a, b): (Vec<_>, Vec<_>) = fields.iter().enumerate().partition(|(i, _)| i % 2 == 0);
            let as_fields = |list: Vec<(usize, &(String, &str))>| -> Value {
                Value::Array(list.into_iter().map(|(_, (name, ty))| json!({"name": name, "type": ty})).collect())
            };
            let typed = json!({
                "types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"}], "A": as_fields(a), "B": as_fields(b)},
                "primaryType": primary,
                "domain": {"chainId": 1},
                "message": message,
            });
            let address = "0x00000000000000000000000000000000000000aa";
            if let Ok((_, parsed, _)) = sign_typed_data_params(Some(json!([address, typed])), TypedDataVersion::V4) {
                let _ = crate::erc1271::typed_data_sign(&parsed, Address::repeat_byte(1), 1);
            }
        }
    }

    #[test]
    fn switching_the_network_needs_a_connected_origin() {
        assert_eq!(
            Method::parse("wallet_switchEthereumChain")
                .unwrap()
                .access(),
            Access::Connected
        );
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
        // The wallet's contracts missing on the chain: that chain is unusable, not the wallet.
        let missing = ProviderError::from(&Error::NotDeployed {
            chain: "Ethereum Sepolia".into(),
        });
        assert_eq!(missing.code, 4901);
        assert!(
            missing
                .message
                .starts_with("SSO Wallet is not deployed on Ethereum Sepolia yet")
        );
    }

    #[test]
    fn add_chain_params_are_checked() {
        let ok = add_chain_params(Some(json!([{
            "chainId": "0x7a6a", "chainName": " Second devnet ", "rpcUrls": ["http://127.0.0.1:9545"],
            "nativeCurrency": {"name": "Ether", "symbol": "ETH", "decimals": 18},
            "bundlerUrls": ["http://127.0.0.1:9437"], "blockExplorerUrls": ["https://x.example"],
            "iconUrls": ["https://x.example/i.svg"]
        }])))
        .unwrap();
        assert_eq!(ok.chain_id, 31338);
        assert_eq!(ok.name, "Second devnet");
        assert_eq!(ok.bundler_urls, vec!["http://127.0.0.1:9437"]);
        assert_eq!(ok.explorer_url.as_deref(), Some("https://x.example"));
        let base = json!({"chainId": "0x7a6a", "chainName": "A", "rpcUrls": ["http://a"]});
        let with = |key: &str, value: Value| {
            let mut item = base.clone();
            item[key] = value;
            add_chain_params(Some(json!([item])))
        };
        assert!(add_chain_params(Some(json!([base.clone()]))).is_ok());
        for (key, bad) in [
            ("chainId", json!("0x07a6a")),
            ("chainId", json!("31338")),
            ("chainId", json!("0x")),
            ("chainId", json!(5)),
            ("chainName", json!("")),
            ("chainName", json!("Main\u{202E}net")),
            ("rpcUrls", json!(["http://a\u{200B}b"])),
            ("rpcUrls", json!([])),
            ("rpcUrls", json!(["ftp://a"])),
            ("rpcUrls", json!(["javascript:alert(1)"])),
            ("bundlerUrls", json!(["not a url"])),
            (
                "nativeCurrency",
                json!({"name": "X", "symbol": "X", "decimals": 6}),
            ),
        ] {
            let err = with(key, bad.clone()).unwrap_err();
            assert!(matches!(err, Error::InvalidParams(_)), "{key}: {bad}");
        }
        assert!(add_chain_params(Some(json!([]))).is_err());
        assert!(add_chain_params(None).is_err());
    }
}
