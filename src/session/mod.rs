//! Sessions: a temporary key with a policy, enforced on chain by the `SessionKeyValidator` and —
//! before anything is signed — by the wallet itself with the same rules.
//!
//! - [`spec`]: the on-chain data model (alloy `sol!`), `sessionHash`, the create proof digest
//!   and the session signature encoding.
//! - [`policy`]: `evaluate(spec, usage, calls, fee, now)`: allowed with period ids, validity range
//!   and usage increments — or the precise reason it is not.
//! - [`usage`]: usage counters as the contract keeps them (chain + the wallet's pending uses).
//! - [`request`]: a dapp's session request (ERC-7715 or compact SSO form) → spec without signer.
//! - [`rules`]: creation-time refusals, warnings and plain-language descriptions for the UI.

pub mod policy;
pub mod request;
pub mod rules;
pub mod spec;
pub mod usage;
