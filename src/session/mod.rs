//! Sessions: a temporary key with a policy, enforced on chain by the `SessionKeyValidator` and —
//! before anything is signed — by the wallet itself with the same rules.
//!
//! - [`spec`]: the on-chain data model (alloy `sol!`), `sessionHash`, the create proof digest
//!   and the session signature encoding.
//! - [`policy`]: `evaluate(spec, usage, calls, fee, now)`: allowed with period ids, validity range
//!   and usage increments — or the precise reason it is not.
//! - [`usage`]: usage counters as the contract keeps them (chain + the wallet's pending uses).

pub mod policy;
pub mod spec;
pub mod usage;
