//! # SSO Wallet core
//!
//! Everything the wallet decides or encodes, as pure Rust with no browser APIs, so it is tested
//! natively and compiled unchanged into the extension's wasm background and UI.
//!
//! ```text
//!  page ──EIP-1193──▶ eip1193 (parse + access level) ──▶ approval (queue) ──▶ protocol (UI views)
//!                                                            │
//!        webauthn (attestation, assertion → signature) ◀─────┤ approved
//!                                                            ▼
//!        erc7579 (execute calldata) ─▶ erc4337 (UserOp, v0.8 hash) ─▶ jsonrpc (node + bundler)
//! ```
//!
//! - [`abi`]: Solidity bindings (alloy `sol!`) of the contracts the wallet calls.
//! - [`account`]: the passkey-owned smart account record and its counterfactual deployment data.
//! - [`administration`]: calls that administer the account, which dapps may not make.
//! - [`activity`]: the log of every UserOperation sent (time, site, what it did).
//! - [`approval`]: the approval queue state machine (ids, positions, resolve/reject, dropped pages).
//! - [`decode`]: known selectors decoded for the approval window, and call warnings.
//! - [`eip1193`]: dapp requests parsed into typed methods with access levels; EIP-1193 errors.
//! - [`eip2255`]: wallet permissions (`eth_accounts` per origin).
//! - [`eip4361`]: Sign-In with Ethereum messages recognised, shown as sign-ins, with warnings.
//! - [`erc1271`]: message signatures: ERC-7739 digests for the passkey, ERC-6492 wrapping.
//! - [`erc4337`]: v0.8 UserOperations: packing, the EntryPoint's EIP-712 userOpHash, bundler types.
//! - [`erc5792`]: EIP-5792 `wallet_getCallsStatus` and capabilities.
//! - [`erc7579`]: ERC-7579 `execute` encodings (single and batch).
//! - [`guardian_recovery`]: recovery with guardians (the `GuardianRecovery` module): the
//!   owner's setup, the recovery code a user shares, guardians' approvals and EIP-712 typed data,
//!   the finalizer's UserOp signature, and a pending recovery from the module's state and logs.
//! - [`jsonrpc`]: JSON-RPC 2.0 envelopes for the node and the bundler.
//! - [`log_scan`]: `eth_getLogs` in bounded block ranges from the contracts' deployment block,
//!   shrunk when a node refuses a range.
//! - [`modules`]: the account's ERC-7579 modules: types and powers, the installed ones from its
//!   events, install/uninstall requests (`wallet_installModule`) and the wallet's uninstall guards.
//! - [`lock`]: the optional lock (after a browser restart or idle time) and its settings.
//! - [`network`]: networks as data (chain id, RPC, bundler, contract addresses).
//! - [`nft`]: ERC-721 / ERC-1155 standards and one NFT, as `wallet_watchAsset` and the token list keep them.
//! - [`passkey_link`]: a passkey made in one browser for an account another browser holds (the
//!   code carried across, its proof of possession checked as the validator will).
//! - [`permit`]: signatures that let others move the account's tokens (ERC-2612, Permit2, Seaport),
//!   recognised in typed data with their warnings.
//! - [`protocol`]: the typed messages between page, UI and background: `page` (the page's
//!   requests, answers and events), `ui` (the UI's requests and answers), `views` (the view models).
//! - [`relying_party`]: the passkeys' relying party per browser (`rp.id`, the origin in
//!   `clientDataJSON`): the extension in Chromium, a listed domain in Firefox.
//! - [`recovery`]: an account's passkeys and sessions read back from chain logs (logging in elsewhere).
//! - [`revert`]: revert data in words (`Error`, `Panic`, known custom errors, unknown selectors).
//! - [`session`]: session keys: the on-chain data model and the policy engine that mirrors the validator;
//!   `request/` decodes dapps' requests (`erc7715`, `compact`, and the shared `policy`, `constraint`,
//!   `abi_layout`, `json`), `rules` checks and warns, `describe` puts sessions in words.
//! - [`simulate`]: expected balance changes from the node's `eth_simulateV1`.
//! - [`storage`]: the versioned persisted wallet state.
//! - [`send`]: the wallet's own send from the home page, checked and turned into its call.
//! - [`units`]: wei and token amounts formatted for people.
//! - [`untrusted`]: bounds for bytes and text from outside, and text made safe to show.
//! - [`webauthn`]: passkey attestation parsing, assertion checks and the validator's signature format.
//! - [`error`]: the crate's one error enum.

pub mod abi;
pub mod account;
pub mod activity;
pub mod administration;
pub mod approval;
pub mod decode;
pub mod eip1193;
pub mod eip2255;
pub mod eip4361;
pub mod erc1271;
pub mod erc4337;
pub mod erc5792;
pub mod erc7579;
pub mod erc7677;
pub mod error;
pub mod guardian_recovery;
pub mod jsonrpc;
pub mod lock;
pub mod log_scan;
pub mod modules;
pub mod network;
pub mod nft;
pub mod passkey_link;
pub mod permit;
pub mod protocol;
pub mod recovery;
pub mod relying_party;
pub mod revert;
pub mod send;
pub mod session;
pub mod simulate;
pub mod storage;
pub mod units;
pub mod untrusted;
pub mod webauthn;

pub use error::Error;

/// Result type of the core library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
