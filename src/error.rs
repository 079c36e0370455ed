//! The core library's one error type. It is turned into an EIP-1193 error exactly once, by
//! [`crate::eip1193::ProviderError::from`], at the boundary to the page.

use crate::jsonrpc::RpcError;

/// Everything that can go wrong while the wallet serves a request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The user declined, or closed the approval window.
    #[error("User rejected the request.")]
    UserRejected,
    /// The requesting origin has not been granted access to the account.
    #[error("The origin {0} is not connected to SSO Wallet; call eth_requestAccounts first.")]
    Unauthorized(String),
    /// The method is not part of the wallet's API.
    #[error("The method \"{0}\" is not supported by SSO Wallet.")]
    UnsupportedMethod(String),
    /// A method the wallet deliberately refuses, with the reason.
    #[error("{method} is refused: {reason}")]
    Refused {
        /// The method.
        method: String,
        /// Why the wallet never serves it.
        reason: String,
    },
    /// The wallet's contracts are not on this network (yet): nothing can be done there (4901).
    #[error(
        "SSO Wallet is not deployed on {chain} yet: its contracts are missing there. Choose another network."
    )]
    NotDeployed {
        /// The network's name.
        chain: String,
    },
    /// The dapp asked for a chain the wallet does not know (EIP-3326: 4902).
    #[error("Chain {0} is not known to SSO Wallet; add it first.")]
    UnknownChain(String),
    /// The request's parameters are malformed.
    #[error("Invalid params: {0}")]
    InvalidParams(String),
    /// The wallet has no account yet.
    #[error("SSO Wallet has no account yet; create one with a passkey first.")]
    NoAccount,
    /// A node or bundler could not be reached.
    #[error("Could not reach {url}: {message}")]
    Transport {
        /// The endpoint that failed.
        url: String,
        /// What went wrong.
        message: String,
        /// Whether asking again later may succeed (a timeout, no connection, HTTP 429 or a 5xx
        /// without an answer), as opposed to an answer that will not change (too large, not
        /// readable, another HTTP error).
        transient: bool,
    },
    /// A node or bundler answered with a JSON-RPC error.
    #[error("{}", .0.message)]
    Rpc(RpcError),
    /// A node or bundler answered with something the wallet cannot read.
    #[error("Unexpected answer from {url}: {message}")]
    BadResponse {
        /// The endpoint that answered.
        url: String,
        /// What was wrong with the answer.
        message: String,
    },
    /// Passkey data (attestation, assertion, signature) is malformed or does not verify.
    #[error("Passkey error: {0}")]
    WebAuthn(String),
    /// An approval id that is not pending (already resolved, or never existed).
    #[error("There is no pending approval with id {0}.")]
    UnknownApproval(u64),
    /// EIP-5792: no batch with this id (or not from this origin).
    #[error("No batch of calls with id {0} is known to this wallet.")]
    UnknownCallsId(String),
    /// EIP-5792: the dapp reused a batch id.
    #[error("A batch with id {0} was already sent.")]
    DuplicateCallsId(String),
    /// EIP-5792: a required capability the wallet does not support.
    #[error("The wallet does not support the capability \"{0}\".")]
    UnsupportedCapability(String),
    /// EIP-5792: calls for a chain other than the wallet's selected one.
    #[error("The calls are for chain {requested}, but the wallet is on chain {current}.")]
    UnsupportedChain {
        /// The chain the dapp asked for.
        requested: u64,
        /// The wallet's chain.
        current: u64,
    },
    /// The UserOperation was included but its execution reverted.
    #[error("The transaction was included in {tx_hash} but reverted{}", .reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    ExecutionReverted {
        /// The bundle transaction hash.
        tx_hash: String,
        /// The decoded revert reason, when there is one.
        reason: Option<String>,
    },
    /// The bundler did not include the UserOperation in time.
    #[error("The bundler did not include UserOperation {0} in time.")]
    Timeout(String),
    /// The worker restarted while answering a request that was not waiting for the user (EIP-1193
    /// 4900); nothing was signed for it.
    #[error("SSO Wallet restarted before answering; please retry.")]
    Interrupted,
    /// The wallet lock is on and the wallet is locked: unlock with the passkey first (4100).
    #[error("SSO Wallet is locked; unlock it with your passkey.")]
    Locked,
    /// A dapp's call would administer the account (4100): see [`crate::administration`].
    #[error(
        "Call {call} goes to {what} ({target}): sites may not administer the account; use SSO Wallet's own pages for that."
    )]
    AccountAdministration {
        /// Which call of the request.
        call: usize,
        /// Its target.
        target: alloy_primitives::Address,
        /// What the target is.
        what: crate::administration::BannedTarget,
    },
    /// The origin already has as many requests waiting for the user as it may (−32002).
    #[error("{0}")]
    RequestPending(String),
    /// The user asked for something the wallet refuses, with the reason in words (for the UI).
    #[error("{0}")]
    NotAllowed(String),
    /// The ERC-7677 paymaster service that was to pay failed or answered badly (−32603): the
    /// message names the service; nothing was sent.
    #[error("{0}")]
    Sponsor(String),
    /// Persisted state could not be read or written.
    #[error("Storage error: {0}")]
    Storage(String),
    /// A bug or an impossible state; never caused by the page.
    #[error("Internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The error as the wallet's own pages show it: words a node or bundler chose are quoted as
    /// theirs (already cut and cleaned by [`crate::jsonrpc`]), never shown as the wallet's.
    pub fn user_message(&self) -> String {
        match self {
            Error::Rpc(rpc) => format!("The network answered: “{}”", rpc.message),
            other => other.to_string(),
        }
    }

    /// [`Error::BadResponse`] with the endpoint's URL and the reason cut to size: the reason
    /// may quote what the endpoint sent (a parser's message), and that is not trusted.
    pub fn bad_response(url: &str, message: impl std::fmt::Display) -> Self {
        Error::BadResponse {
            url: crate::untrusted::clip(url, 200),
            message: crate::untrusted::clip(&message.to_string(), 200),
        }
    }

    /// Shorthand for [`Error::InvalidParams`].
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Error::InvalidParams(message.into())
    }
}
