//! The optional wallet lock. When the user turns it on, the wallet asks for a passkey assertion
//! after the browser restarts and after `idle_minutes` without use, before it shows any approval
//! window or signs anything with a session key. The settings are persisted with the wallet
//! ([`LockSettings`]); whether the wallet is unlocked lives in memory-only storage
//! ([`LockState`] under [`LOCK_STATE_KEY`]), so closing the browser locks it.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// `chrome.storage.session` key of the [`LockState`] (memory only: gone when the browser closes).
pub const LOCK_STATE_KEY: &str = "lock";
/// The idle time users may choose, in minutes.
pub const IDLE_MINUTES: std::ops::RangeInclusive<u32> = 1..=1440;

/// What the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockSettings {
    /// Whether the wallet locks at all.
    pub enabled: bool,
    /// Minutes without use after which it locks.
    pub idle_minutes: u32,
}

impl Default for LockSettings {
    fn default() -> Self {
        LockSettings {
            enabled: false,
            idle_minutes: 15,
        }
    }
}

impl LockSettings {
    /// Checks settings coming from the UI.
    pub fn validate(self) -> Result<Self> {
        if !IDLE_MINUTES.contains(&self.idle_minutes) {
            return Err(Error::invalid_params(format!(
                "the idle time must be {} to {} minutes",
                IDLE_MINUTES.start(),
                IDLE_MINUTES.end()
            )));
        }
        Ok(self)
    }

    /// Whether the wallet is locked at `now_ms`, given the memory-only state (`None` after a
    /// browser restart).
    pub fn is_locked(&self, state: Option<&LockState>, now_ms: u64) -> bool {
        if !self.enabled {
            return false;
        }
        match state {
            Some(LockState {
                unlocked: true,
                last_active,
                ..
            }) => now_ms.saturating_sub(*last_active) > u64::from(self.idle_minutes) * 60_000,
            _ => true,
        }
    }
}

/// A fresh random challenge for an unlock assertion.
pub fn new_challenge() -> B256 {
    use rand_core::RngCore;
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    B256::from(bytes)
}

/// Whether the wallet is unlocked, and since when it was last used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockState {
    /// Unlocked with a passkey (and not locked since).
    pub unlocked: bool,
    /// The last use: an unlock, an approval or a session signature (ms since the Unix epoch).
    pub last_active: u64,
    /// The challenge the next unlock assertion must sign.
    pub challenge: Option<B256>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60_000;

    #[test]
    fn off_never_locks() {
        assert!(!LockSettings::default().is_locked(None, 0));
    }

    #[test]
    fn on_locks_after_restart_and_after_idle_time() {
        let on = LockSettings {
            enabled: true,
            idle_minutes: 5,
        };
        assert!(
            on.is_locked(None, 0),
            "nothing in memory: the browser restarted"
        );
        let unlocked = LockState {
            unlocked: true,
            last_active: 100 * MINUTE,
            challenge: None,
        };
        assert!(!on.is_locked(Some(&unlocked), 105 * MINUTE));
        assert!(on.is_locked(Some(&unlocked), 105 * MINUTE + 1));
        let locked_now = LockState {
            unlocked: false,
            ..unlocked
        };
        assert!(on.is_locked(Some(&locked_now), 100 * MINUTE));
    }

    #[test]
    fn idle_time_is_bounded() {
        let with = |idle_minutes| LockSettings {
            enabled: true,
            idle_minutes,
        };
        assert!(with(0).validate().is_err());
        assert!(with(1441).validate().is_err());
        assert_eq!(with(30).validate().unwrap(), with(30));
    }
}
