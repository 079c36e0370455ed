//! The typed messages that cross extension contexts. The page's messages come in as
//! [`PageRequest`] and leave as [`PageMessage`]; the trusted UI talks to the background with
//! [`UiRequest`] / [`UiResponse`] wrapped in an [`Envelope`] that pairs answers with questions.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::eip1193::ProviderError;
use crate::webauthn::Assertion;
use crate::{Error, Result};

/// A request relayed from a page (`{id, method, params}`).
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    /// The page's request id, echoed in the answer.
    pub id: u64,
    /// The method name as the dapp sent it.
    pub method: String,
    /// Raw params, parsed per method.
    pub params: Option<Value>,
}

impl PageRequest {
    /// The content script's `{resume: [ids]}` after it reconnected to a restarted worker: the
    /// request ids it still waits for. `None` for anything else.
    pub fn resume_ids(message: &Value) -> Option<Vec<u64>> {
        let ids = message.as_object()?.get("resume")?.as_array()?;
        Some(ids.iter().filter_map(Value::as_u64).take(1024).collect())
    }

    /// Reads a relayed message. On failure returns the id (if one could be read) with the error.
    pub fn parse(message: Value) -> std::result::Result<Self, (Option<u64>, Error)> {
        let Value::Object(mut map) = message else {
            return Err((None, Error::invalid_params("request must be an object")));
        };
        // JS numbers may arrive as floats: accept any integral, safe-integer id.
        let id = map.get("id").and_then(|v| {
            v.as_u64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(f))
                    .map(|f| f as u64)
            })
        });
        let Some(id) = id else {
            return Err((None, Error::invalid_params("request id must be an integer")));
        };
        let method = match map.remove("method") {
            Some(Value::String(m)) if !m.is_empty() && m.len() <= 128 => m,
            _ => {
                return Err((
                    Some(id),
                    Error::invalid_params("method must be a non-empty string"),
                ));
            }
        };
        let params = map.remove("params");
        if params
            .as_ref()
            .is_some_and(|p| crate::untrusted::json_depth(p) > crate::untrusted::MAX_JSON_DEPTH)
        {
            return Err((
                Some(id),
                Error::invalid_params(format!(
                    "params are nested more than {} levels deep",
                    crate::untrusted::MAX_JSON_DEPTH
                )),
            ));
        }
        Ok(PageRequest { id, method, params })
    }
}

/// Events the provider emits to pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data")]
pub enum ProviderEvent {
    /// `accountsChanged`.
    #[serde(rename = "accountsChanged")]
    AccountsChanged(Vec<Address>),
    /// `chainChanged` with the hex chain id.
    #[serde(rename = "chainChanged")]
    ChainChanged(String),
}

/// What the background sends to a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PageMessage {
    /// A successful answer.
    Result {
        /// The request id.
        id: u64,
        /// The result.
        result: Value,
    },
    /// A failed answer.
    Error {
        /// The request id.
        id: u64,
        /// The EIP-1193 error.
        error: ProviderError,
    },
    /// An event.
    Event(ProviderEvent),
}

impl PageMessage {
    /// The request id this message answers (`None` for events).
    pub fn id(&self) -> Option<u64> {
        match self {
            PageMessage::Result { id, .. } | PageMessage::Error { id, .. } => Some(*id),
            PageMessage::Event(_) => None,
        }
    }

    /// The answer to request `id`.
    pub fn answer(id: u64, outcome: Result<Value>) -> Self {
        match outcome {
            Ok(result) => PageMessage::Result { id, result },
            Err(e) => PageMessage::Error {
                id,
                error: ProviderError::from(&e),
            },
        }
    }
}

/// A UI message with its sequence number (answers carry the same number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Pairs an answer with its question.
    pub seq: u64,
    /// The message.
    pub body: T,
}

/// Requests from the trusted UI (approval window).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UiRequest {
    /// The approval to show: the one named, or else the first pending one.
    #[serde(rename_all = "camelCase")]
    GetApproval {
        /// Which approval, if the window was opened for one.
        approval_id: Option<u64>,
    },
    /// A passkey was created in the UI: make it the account's owner.
    #[serde(rename_all = "camelCase")]
    CreatePasskey {
        /// `response.attestationObject`.
        attestation_object: Bytes,
    },
    /// The user approved; transactions carry the passkey assertion over the userOpHash.
    #[serde(rename_all = "camelCase")]
    Approve {
        /// The approval.
        approval_id: u64,
        /// The assertion, for requests that need a signature.
        assertion: Option<Assertion>,
    },
    /// The user rejected.
    #[serde(rename_all = "camelCase")]
    Reject {
        /// The approval.
        approval_id: u64,
    },
    /// Every session the wallet created, with what is left of its limits.
    ListSessions,
    /// The EIP-5792 batches sent, newest first, with their status.
    ListActivity,
    /// The user asked to revoke a session (opens a passkey approval).
    #[serde(rename_all = "camelCase")]
    RevokeSession {
        /// The session hash.
        context: B256,
    },
    /// Everything the home view shows besides sessions, activity and passkeys.
    GetHome,
    /// Make another known network the selected one.
    #[serde(rename_all = "camelCase")]
    SelectNetwork {
        /// Its chain id.
        chain_id: u64,
    },
    /// Add a network the user typed in (checked like `wallet_addEthereumChain`), or replace the
    /// user-added network `replaces` with it.
    #[serde(rename_all = "camelCase")]
    SaveNetwork {
        /// The network's fields.
        network: NetworkInput,
        /// The chain id of the user-added network being edited.
        replaces: Option<u64>,
    },
    /// Remove a user-added network.
    #[serde(rename_all = "camelCase")]
    RemoveNetwork {
        /// Its chain id.
        chain_id: u64,
    },
    /// Add an ERC-20 token (on the selected network) to the home view.
    AddToken {
        /// The token contract.
        address: Address,
    },
    /// Remove a token from the home view.
    #[serde(rename_all = "camelCase")]
    RemoveToken {
        /// Its chain.
        chain_id: u64,
        /// The token contract.
        address: Address,
    },
    /// Disconnect a site: it no longer sees the account.
    Disconnect {
        /// The site.
        origin: String,
    },
    /// The passkeys registered for the account.
    ListPasskeys,
    /// A new passkey was created in the UI: what it must sign to prove it is the user's
    /// (answered with [`UiResponse::Challenge`]).
    #[serde(rename_all = "camelCase")]
    PasskeyChallenge {
        /// `response.attestationObject`.
        attestation_object: Bytes,
    },
    /// Register a new passkey with the account, with its proof of possession (an assertion by
    /// the new passkey over its [`UiRequest::PasskeyChallenge`]); opens a passkey approval by a
    /// passkey the account already has.
    #[serde(rename_all = "camelCase")]
    AddPasskey {
        /// `response.attestationObject`.
        attestation_object: Bytes,
        /// The new passkey's assertion over its registration challenge.
        assertion: Assertion,
    },
    /// Remove one of the account's passkeys (opens a passkey approval); never the last.
    #[serde(rename_all = "camelCase")]
    RemovePasskey {
        /// Its credential id.
        credential_id: Bytes,
    },
    /// Log in to an existing account with a discoverable passkey assertion. An account that is
    /// not deployed anywhere needs a second assertion by the same passkey (its key is recovered
    /// from the two signatures).
    #[serde(rename_all = "camelCase")]
    Login {
        /// The credential the user picked (`rawId`).
        credential_id: Bytes,
        /// The assertions with the challenges they sign (one, or two when asked for).
        assertions: Vec<SignedChallenge>,
        /// The account the user confirmed after [`UiResponse::ConfirmLogin`] showed it.
        #[serde(default)]
        confirmed: Option<Address>,
    },
    /// Change the lock settings.
    SetLock {
        /// The new settings.
        settings: crate::lock::LockSettings,
    },
    /// Lock the wallet now.
    LockNow,
    /// The challenge an unlock assertion must sign.
    UnlockChallenge,
    /// Unlock with a passkey assertion over the unlock challenge.
    Unlock {
        /// The assertion.
        assertion: Assertion,
    },
}

/// A passkey assertion and the challenge it signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedChallenge {
    /// The challenge.
    pub challenge: B256,
    /// The assertion.
    pub assertion: Assertion,
}

/// A network as the user types it in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInput {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Its name.
    pub name: String,
    /// Node RPC URL.
    pub rpc_url: String,
    /// Bundler URL (empty: the node's URL).
    pub bundler_url: String,
    /// Block explorer base URL (empty: none).
    pub explorer_url: String,
}

/// Answers to [`UiRequest`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UiResponse {
    /// The approval to show, or none pending.
    Approval {
        /// The approval's view.
        approval: Option<Box<ApprovalView>>,
    },
    /// The passkey now owns this account.
    AccountCreated {
        /// The counterfactual account address.
        address: Address,
    },
    /// The approval was carried out.
    Done {
        /// What the dapp received (a transaction hash, the accounts, …).
        result: Value,
    },
    /// The wallet's sessions, newest first.
    Sessions {
        /// The sessions.
        sessions: Vec<SessionView>,
    },
    /// The batches sent, newest first.
    Activity {
        /// The batches.
        items: Vec<ActivityView>,
    },
    /// The request failed; the message is for the user.
    Error {
        /// Readable reason.
        message: String,
    },
    /// The home view.
    Home {
        /// What it shows.
        home: Box<HomeView>,
    },
    /// The account's passkeys.
    Passkeys {
        /// The passkeys, oldest first.
        passkeys: Vec<PasskeyView>,
    },
    /// The account is not deployed on any network: log in again with a second assertion by
    /// the same passkey, so its public key can be recovered.
    #[serde(rename_all = "camelCase")]
    NeedSecondSignature {
        /// The credential to ask for.
        credential_id: Bytes,
    },
    /// Logging in found an account this passkey was added to, not one it created: the user
    /// sees it and confirms before the wallet uses it (ask again with `confirmed`).
    #[serde(rename_all = "camelCase")]
    ConfirmLogin {
        /// The account.
        address: Address,
        /// The network it was found on.
        network: String,
        /// The account's first passkey (the one that created it).
        first_passkey: Bytes,
    },
    /// The wallet is unlocked.
    Unlocked,
    /// The challenge to sign to unlock.
    #[serde(rename_all = "camelCase")]
    Challenge {
        /// The challenge.
        challenge: B256,
        /// The passkey to sign it with.
        credential_id: Bytes,
    },
}

/// The home view (the toolbar popup): the account on the selected network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeView {
    /// The account; `None` before onboarding.
    pub account: Option<Address>,
    /// The lock is on and the wallet is locked: nothing else is filled in.
    pub locked: bool,
    /// The selected network.
    pub chain_id: u64,
    /// Every network the wallet knows.
    pub networks: Vec<NetworkView>,
    /// The native balance (`1.5 ETH`), when the node answered.
    pub balance: Option<String>,
    /// Whether the account has code on the selected network, when the node answered.
    pub deployed: Option<bool>,
    /// The user's tokens on the selected network.
    pub tokens: Vec<TokenView>,
    /// Connected sites.
    pub sites: Vec<SiteView>,
    /// The lock settings.
    pub lock: crate::lock::LockSettings,
}

/// A network in the home view's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkView {
    /// The network.
    pub network: crate::network::Network,
    /// The user added it (so may edit or remove it); shipped networks are fixed.
    pub user_added: bool,
}

/// A token in the home view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The token contract.
    pub address: Address,
    /// Its symbol.
    pub symbol: String,
    /// The account's balance in the token's units (`12.5 TST`), when the node answered.
    pub balance: Option<String>,
}

/// A connected site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteView {
    /// The origin.
    pub origin: String,
    /// When it was connected (ms since the Unix epoch).
    pub granted_at: u64,
}

/// One of the account's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyView {
    /// Its credential id.
    pub credential_id: Bytes,
    /// The one this browser signs with.
    pub current: bool,
}

/// What an approval window shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalView {
    /// The approval id to resolve.
    pub id: u64,
    /// The requesting origin.
    pub origin: String,
    /// 1-based position in the queue.
    pub position: usize,
    /// Pending approvals in all.
    pub total: usize,
    /// The network's name.
    pub network: String,
    /// The network's chain id.
    pub chain_id: u64,
    /// The request.
    pub request: RequestView,
}

/// The request part of an [`ApprovalView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestView {
    /// The wallet is locked: what is asked is not shown until the passkey unlocks it.
    Locked,
    /// Connect the origin to the account (onboarding first when there is none).
    #[serde(rename_all = "camelCase")]
    Connect {
        /// The account, if the wallet has one.
        account: Option<Address>,
    },
    /// Sign a message with the passkey.
    #[serde(rename_all = "camelCase")]
    SignMessage {
        /// The account.
        account: Address,
        /// The message as text, when it is printable UTF-8.
        text: Option<String>,
        /// The raw message.
        message: Bytes,
        /// What the passkey signs.
        digest: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// Sign EIP-712 typed data with the passkey.
    #[serde(rename_all = "camelCase")]
    SignTypedData {
        /// The account.
        account: Address,
        /// The data's EIP-712 domain (JSON).
        domain: Value,
        /// The primary type.
        primary_type: String,
        /// The message (JSON).
        message: Value,
        /// What the passkey signs.
        digest: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// Send one transaction, or an atomic batch of calls, from the account.
    #[serde(rename_all = "camelCase")]
    SendTransaction {
        /// The account.
        from: Address,
        /// The calls, executed atomically in order.
        calls: Vec<CallView>,
        /// The most the UserOperation can cost, in wei.
        max_fee: U256,
        /// Warnings about the whole request, as sentences.
        warnings: Vec<String>,
        /// Whether this operation also deploys the account.
        deploys_account: bool,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
        /// Why the site's session could not send this without asking, if it has one.
        session_fallback: Option<String>,
        /// The account's expected balance changes (`-0.01 ETH`, `+1.5 TST`), when the node can
        /// simulate; an empty list means nothing moves.
        balance_changes: Option<Vec<String>>,
    },
    /// Grant a session: a key the wallet holds that signs matching transactions without asking.
    #[serde(rename_all = "camelCase")]
    CreateSession {
        /// The account.
        account: Address,
        /// The session, as the user reads it.
        session: SessionView,
        /// Risk warnings, as sentences.
        warnings: Vec<String>,
        /// The most the creating UserOperation can cost, in wei.
        max_fee: U256,
        /// Whether this operation also deploys the account.
        deploys_account: bool,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// Add a network to the wallet.
    #[serde(rename_all = "camelCase")]
    AddChain {
        /// The network as the site asked for it (checked once the user approves).
        request: crate::eip1193::AddChain,
    },
    /// Add or remove one of the account's passkeys.
    #[serde(rename_all = "camelCase")]
    ChangePasskeys {
        /// `true` to add, `false` to remove.
        add: bool,
        /// The credential added or removed.
        passkey: Bytes,
        /// The most the UserOperation can cost, in wei.
        max_fee: U256,
        /// Whether this operation also deploys the account.
        deploys_account: bool,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
    /// End a session on chain.
    #[serde(rename_all = "camelCase")]
    RevokeSession {
        /// The session.
        session: SessionView,
        /// The most the UserOperation can cost, in wei.
        max_fee: U256,
        /// The hash the passkey signs.
        user_op_hash: B256,
        /// The passkey to ask for.
        credential_id: Bytes,
    },
}

/// One sent UserOperation as the activity view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// The EIP-5792 batch id, or the userOpHash.
    pub id: String,
    /// The site that sent it (empty: the wallet itself).
    pub origin: String,
    /// Its chain.
    pub chain_id: u64,
    /// The UserOperation.
    pub user_op_hash: B256,
    /// When it was sent (ms since the Unix epoch; 0 if unknown).
    pub sent_at: u64,
    /// What it did.
    pub what: String,
    /// `pending`, `success` or `failed`.
    pub status: String,
    /// The bundle transaction, once included.
    pub tx_hash: Option<B256>,
    /// The transaction on the network's block explorer, when it has one.
    pub explorer_url: Option<String>,
}

/// A session as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The session hash (ERC-7715 `context`).
    pub context: B256,
    /// The site it belongs to.
    pub origin: String,
    /// Expiry (Unix seconds).
    pub expires_at: u64,
    /// Expiry, absolute (UTC) and relative ("in 2 h 5 min").
    pub expires: String,
    /// `active`, `revoking`, `revoked`, `expired` or `keyLost`.
    pub status: String,
    /// One line per permission (fee limit, calls with their constraints, transfers).
    pub permissions: Vec<String>,
    /// What is left of each limit (from the chain plus pending uses), when known.
    pub remaining: Vec<String>,
    /// The dapp's own words, if it gave a reason.
    pub justification: Option<String>,
}

/// One call as the approval window shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallView {
    /// The callee.
    pub to: Address,
    /// Wei sent.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// The decoded function, for known selectors.
    pub decoded: Option<crate::decode::DecodedCall>,
    /// Warnings about this call, as sentences.
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_request_parse_reports_id_with_error() {
        let ok = PageRequest::parse(json!({"id": 3, "method": "eth_chainId"})).unwrap();
        assert_eq!(ok.method, "eth_chainId");
        let float_id = PageRequest::parse(json!({"id": 7.0, "method": "eth_chainId"})).unwrap();
        assert_eq!(float_id.id, 7);
        assert_eq!(
            PageRequest::parse(json!({"id": 7.5, "method": "x"}))
                .unwrap_err()
                .0,
            None
        );
        assert_eq!(
            PageRequest::parse(json!({"id": 4, "method": 5}))
                .unwrap_err()
                .0,
            Some(4)
        );
        assert_eq!(PageRequest::parse(json!([1])).unwrap_err().0, None);
        // Params deeper than the wallet could read back from storage are answered, not kept.
        let mut deep = json!("x");
        for _ in 0..=crate::untrusted::MAX_JSON_DEPTH {
            deep = json!([deep]);
        }
        let (id, error) =
            PageRequest::parse(json!({"id": 5, "method": "personal_sign", "params": deep}))
                .unwrap_err();
        assert_eq!(id, Some(5));
        assert!(matches!(error, Error::InvalidParams(m) if m.contains("nested")));
        assert_eq!(
            PageRequest::parse(json!({"id": "x", "method": "a"}))
                .unwrap_err()
                .0,
            None
        );
    }

    #[test]
    fn page_messages_have_eip1193_shapes() {
        let answer = PageMessage::answer(1, Ok(json!("0x7a69")));
        assert_eq!(
            serde_json::to_value(answer).unwrap(),
            json!({"id": 1, "result": "0x7a69"})
        );
        let failure = PageMessage::answer(2, Err(Error::UserRejected));
        assert_eq!(
            serde_json::to_value(failure).unwrap()["error"]["code"],
            4001
        );
        let event = PageMessage::Event(ProviderEvent::AccountsChanged(vec![]));
        assert_eq!(
            serde_json::to_value(event).unwrap(),
            json!({"event": "accountsChanged", "data": []})
        );
    }

    #[test]
    fn ui_messages_round_trip() {
        let msg = Envelope {
            seq: 9,
            body: UiRequest::Approve {
                approval_id: 2,
                assertion: None,
            },
        };
        let value = serde_json::to_value(&msg).unwrap();
        assert_eq!(value["seq"], 9);
        assert_eq!(value["body"]["approve"]["approvalId"], 2);
        let back: Envelope<UiRequest> = serde_json::from_value(value).unwrap();
        assert_eq!(back, msg);
    }
}
