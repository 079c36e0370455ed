//! The trusted UI's conversation with the background: [`UiRequest`]s and their [`UiResponse`]s,
//! paired by the sequence number of an [`Envelope`], and the inputs the UI sends with them
//! ([`SignedChallenge`], [`NetworkInput`]). What the answers show is in the view models.

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::views::{
    ActivityView, ApprovalView, HomeView, ModuleView, PasskeyView, RecoveringView,
    RecoveryCodeView, RecoveryView, SessionView,
};
use crate::send::{RecipientNote, SendAmount};
use crate::units::Readable;
use crate::webauthn::Assertion;

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
    /// The account's modules on the selected network, checked on chain.
    ListModules,
    /// Install or uninstall a module (opens a passkey approval).
    #[serde(rename_all = "camelCase")]
    ChangeModule {
        /// The change.
        change: crate::modules::ModuleChange,
    },
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
    /// network `replaces` with it (a user-added one, or the user's edit of a shipped one).
    #[serde(rename_all = "camelCase")]
    SaveNetwork {
        /// The network's fields.
        network: NetworkInput,
        /// The chain id of the network being edited.
        replaces: Option<u64>,
    },
    /// Remove a user-added network, or reset a shipped one the user edited.
    #[serde(rename_all = "camelCase")]
    RemoveNetwork {
        /// Its chain id.
        chain_id: u64,
    },
    /// Send ETH or a listed ERC-20 (on the selected network) from the home page: checked, then
    /// shown in the approval window for the passkey like a dapp's transaction.
    Send {
        /// The recipient.
        to: Address,
        /// The ERC-20 contract, or `None` for ETH.
        #[serde(default)]
        token: Option<Address>,
        /// How much: as typed, or all of it.
        amount: SendAmount,
    },
    /// What to note about a recipient the user typed for a Send (on the selected network).
    CheckRecipient {
        /// The recipient.
        to: Address,
    },
    /// What "Max" would send of an asset now (ETH: the balance less the most the fee can be).
    SendMax {
        /// The recipient, when one is typed (the fee is estimated for a send to it).
        #[serde(default)]
        to: Option<Address>,
        /// The ERC-20 contract, or `None` for ETH.
        #[serde(default)]
        token: Option<Address>,
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
        /// The NFT's id, for an NFT (only that one is removed).
        #[serde(default)]
        token_id: Option<U256>,
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
        /// The origin it is registered under (`None`: this browser's).
        #[serde(default)]
        origin: Option<String>,
    },
    /// Name one of the account's passkeys (in this browser; empty: forget its name).
    #[serde(rename_all = "camelCase")]
    RenamePasskey {
        /// Its credential id.
        credential_id: Bytes,
        /// The name.
        name: String,
    },
    /// In a browser without an account: the registration challenge a new passkey of this
    /// browser signs for `account` (on the selected network), to be brought to the browser that
    /// holds the account (`passkey_link`).
    #[serde(rename_all = "camelCase")]
    LinkChallenge {
        /// The account, held by another browser.
        account: Address,
        /// The new passkey's `response.attestationObject`.
        attestation_object: Bytes,
    },
    /// The code for that passkey, with its assertion over the [`UiRequest::LinkChallenge`]
    /// (checked here first): answered [`UiResponse::PasskeyCode`].
    #[serde(rename_all = "camelCase")]
    LinkPasskey {
        /// The account.
        account: Address,
        /// The new passkey's `response.attestationObject`.
        attestation_object: Bytes,
        /// Its assertion over the link challenge.
        assertion: Assertion,
    },
    /// Register a passkey another browser made for this account, from its code (opens a passkey
    /// approval, which says where it comes from).
    AddLinkedPasskey {
        /// The code the other browser showed.
        code: String,
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
    /// The Recovery tab: the account's guardians and any pending recovery.
    GetRecovery,
    /// Set the account's guardians, threshold and delay (opens a passkey approval; installs the
    /// recovery module first when needed).
    SetGuardians {
        /// The new setup.
        setup: crate::guardian_recovery::Setup,
    },
    /// Cancel the account's pending recovery on a network (opens a passkey approval).
    #[serde(rename_all = "camelCase")]
    CancelRecovery {
        /// The network (its chain id) the recovery is pending on.
        chain_id: u64,
    },
    /// A guardian pasted a recovery request: what it asks (answered
    /// [`UiResponse::RecoveryCode`]).
    ReadRecoveryCode {
        /// `sso-wallet-recovery-1:…`.
        code: String,
    },
    /// Approve that request as the account's guardian (opens a passkey approval).
    ApproveRecovery {
        /// `sso-wallet-recovery-1:…`.
        code: String,
    },
    /// In a browser without an account: start recovering `account` with a passkey just created
    /// here, with its assertion over the [`UiRequest::LinkChallenge`] (answered
    /// [`UiResponse::Recovering`]).
    #[serde(rename_all = "camelCase")]
    StartRecovery {
        /// The account to recover.
        account: Address,
        /// The new passkey's `response.attestationObject`.
        attestation_object: Bytes,
        /// Its assertion over the link challenge.
        assertion: Assertion,
        /// Who asks, for the guardians to read (may be empty).
        name: String,
    },
    /// The recovery this browser started, read again from the chain.
    GetRecovering,
    /// An EOA guardian's signature of the request, pasted (checked, kept until submitted).
    AddGuardianSignature {
        /// `0x` and 130 hex digits.
        signature: String,
    },
    /// Submit the pasted signatures (a recovery UserOp of the account, signed by the finalizer).
    SubmitApprovals,
    /// Finalize the recovery once the delay is over, then use the account here.
    FinalizeRecovery,
    /// Forget the recovery this browser started.
    AbandonRecovery,
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
    /// Bundler URL (empty: the node's URL); `{apiKey}` stands for the key.
    pub bundler_url: String,
    /// The bundler's API key (empty: none).
    #[serde(default)]
    pub bundler_api_key: String,
    /// Block explorer base URL (empty: none).
    pub explorer_url: String,
    /// An ERC-7677 paymaster service paying fees when a dapp names none (empty: none).
    #[serde(default)]
    pub sponsor_url: String,
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
    /// The account's modules.
    Modules {
        /// The installed modules, validators first.
        modules: Vec<ModuleView>,
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
    /// The code that brings a passkey of this browser to the browser holding the account.
    PasskeyCode {
        /// `sso-wallet-passkey-1:…`.
        code: String,
    },
    /// The Recovery tab.
    Recovery {
        /// What it shows.
        recovery: Box<RecoveryView>,
    },
    /// A recovery request a guardian pasted.
    RecoveryCode {
        /// What it asks.
        request: Box<RecoveryCodeView>,
    },
    /// The recovery this browser started (`None`: none).
    Recovering {
        /// Its state.
        recovering: Option<Box<RecoveringView>>,
    },
    /// The wallet is unlocked.
    Unlocked,
    /// What to note about a Send's recipient, most important first (none: a known address).
    Recipient {
        /// The notes.
        notes: Vec<RecipientNote>,
    },
    /// What "Max" sends now.
    SendMax {
        /// The amount in the asset's units, exactly (`0.98712`), as the amount field takes it.
        amount: String,
        /// The most the network fee can be (ETH), when the amount is ETH less it.
        fee: Option<Readable>,
    },
    /// The challenge to sign to unlock.
    #[serde(rename_all = "camelCase")]
    Challenge {
        /// The challenge.
        challenge: B256,
        /// The passkey to sign it with.
        credential_id: Bytes,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

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
