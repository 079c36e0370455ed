//! The wallet lock in the background (see [`sso_wallet::lock`]): whether the wallet is locked
//! now, unlocking with a passkey assertion over a challenge issued here, and recording use so
//! the idle time counts from the last approval or session signature.

use alloy_primitives::{B256, Bytes};

use sso_wallet::lock::{LOCK_STATE_KEY, LockSettings, LockState, new_challenge};
use sso_wallet::webauthn::{self, Assertion};
use sso_wallet::{Error, Result};

use crate::{chrome, state};

/// Serialises the lock state's read-modify-writes (a use recorded by a session signature must not
/// undo a "Lock now" that landed in between).
static WRITES: futures::lock::Mutex<()> = futures::lock::Mutex::new(());

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

async fn lock_state() -> Result<Option<LockState>> {
    match chrome::memory_get(LOCK_STATE_KEY).await? {
        Some(value) => Ok(serde_json::from_value(value).ok()),
        None => Ok(None),
    }
}

/// Whether the wallet is locked (never without an account: there is nothing to unlock with).
pub async fn is_locked() -> Result<bool> {
    let (settings, has_account) = state::read_wallet(|w| (w.lock, w.account.is_some())).await?;
    if !settings.enabled || !has_account {
        return Ok(false);
    }
    Ok(settings.is_locked(lock_state().await?.as_ref(), now_ms()))
}

/// Fails with [`Error::Locked`] while the wallet is locked.
pub async fn ensure_unlocked() -> Result<()> {
    if is_locked().await? {
        return Err(Error::Locked);
    }
    Ok(())
}

/// Records a use (an approval or a session signature): the idle time starts over.
pub async fn touch() -> Result<()> {
    let _writing = WRITES.lock().await;
    if let Some(mut lock) = lock_state().await?
        && lock.unlocked
    {
        lock.last_active = now_ms();
        chrome::memory_set(LOCK_STATE_KEY, &lock).await?;
    }
    Ok(())
}

/// Saves the lock settings (validated). Turning the lock on: the user is here, so the wallet
/// starts unlocked and the idle time counts from now.
pub async fn set_settings(settings: LockSettings) -> Result<()> {
    let settings = settings.validate()?;
    let was_on = state::update_wallet(|w| {
        let was_on = w.lock.enabled;
        w.lock = settings;
        Ok(was_on)
    })
    .await?;
    if settings.enabled && !was_on {
        turned_on().await?;
    }
    Ok(())
}

async fn turned_on() -> Result<()> {
    let _writing = WRITES.lock().await;
    let mut lock = lock_state().await?.unwrap_or_default();
    lock.unlocked = true;
    lock.last_active = now_ms();
    chrome::memory_set(LOCK_STATE_KEY, &lock).await
}

/// Locks the wallet now.
pub async fn lock_now() -> Result<()> {
    let _writing = WRITES.lock().await;
    chrome::memory_set(LOCK_STATE_KEY, &LockState::default()).await
}

/// A fresh challenge for the next unlock assertion, with the passkey that must sign it.
pub async fn challenge() -> Result<(B256, Bytes)> {
    let credential_id = state::read_wallet(|w| {
        w.account
            .as_ref()
            .map(|a| a.signing_passkey().credential_id.clone())
    })
    .await?
    .ok_or(Error::NoAccount)?;
    let _writing = WRITES.lock().await;
    let mut lock = lock_state().await?.unwrap_or_default();
    let challenge = new_challenge();
    lock.challenge = Some(challenge);
    chrome::memory_set(LOCK_STATE_KEY, &lock).await?;
    Ok((challenge, credential_id))
}

/// Unlocks with an assertion by the account's passkey over the issued challenge (used once).
pub async fn unlock(assertion: &Assertion) -> Result<()> {
    let account = state::read_wallet(|w| w.account.clone())
        .await?
        .ok_or(Error::NoAccount)?;
    let _writing = WRITES.lock().await;
    let mut lock = lock_state().await?.unwrap_or_default();
    let challenge = lock
        .challenge
        .take()
        .ok_or_else(|| Error::invalid_params("no unlock was started; try again"))?;
    chrome::memory_set(LOCK_STATE_KEY, &lock).await?;
    webauthn::verify_assertion(
        account.signing_passkey(),
        assertion,
        challenge,
        &account.origin_domain,
    )?;
    lock.unlocked = true;
    lock.last_active = now_ms();
    chrome::memory_set(LOCK_STATE_KEY, &lock).await
}
