//! Page requests (EIP-1193), from the content script's port: the one place a dapp's request
//! enters. The method is parsed once into [`Method`]; who may call it ([`Method::access`]) and
//! whether the lock refuses it ([`Method::needs_unlocked`]) are applied here, once, for every
//! method; then the request goes to the handler of its family ([`Method::family`]), one file
//! each: `accounts`, `chains`, `transactions`, `calls`, `signing`, `permissions`, `sessions`,
//! `assets`, `modules`.
//! A handler answers now (`Ok(Some)`), or queues an approval whose outcome answers later
//! (`Ok(None)`); every error becomes the page's EIP-1193 error.

mod accounts;
mod assets;
mod calls;
mod chains;
mod modules;
mod permissions;
mod sessions;
mod signing;
mod transactions;

use alloy_primitives::Address;
use serde_json::Value;

use sso_wallet::account::Account;
use sso_wallet::approval::ReplyTo;
use sso_wallet::eip1193::{Access, Family, Method};
use sso_wallet::protocol::{PageMessage, PageRequest};
use sso_wallet::storage::Grant;
use sso_wallet::{Error, Result};

use crate::{outbox, state};

/// A request that passed the gate, with what its handler needs to know.
pub struct Request {
    /// The parsed method.
    pub method: Method,
    /// Its raw params (each handler parses its own).
    pub params: Option<Value>,
    /// The requesting origin (from Chrome's port sender, never from the message).
    pub origin: String,
    /// Where a queued approval's outcome goes.
    pub reply_to: ReplyTo,
    /// Whether the origin is connected.
    pub connected: bool,
    /// The wallet's account, if it has one.
    pub account: Option<Account>,
    /// The origin's grant, if connected.
    pub grant: Option<Grant>,
}

impl Request {
    /// The account of a connected origin (the gate let only connected origins through to the
    /// handlers that ask).
    pub fn account(&self) -> Result<Account> {
        self.account
            .clone()
            .filter(|_| self.connected)
            .ok_or_else(|| Error::Unauthorized(self.origin.clone()))
    }

    /// A `from` / signer the dapp named must be the connected account (else 4100).
    pub fn check_claimed(&self, claimed: Option<Address>, account: &Account) -> Result<()> {
        match claimed {
            Some(claimed) if claimed != account.address => Err(Error::Unauthorized(format!(
                "{} ({claimed} is not the connected account)",
                self.origin
            ))),
            _ => Ok(()),
        }
    }
}

/// Handles one message from a page port: a request, answered now or when its approval resolves;
/// or, after the content script reconnected, the ids it still waits for
/// ([`PageRequest::resume_ids`], see [`outbox::resume`]).
pub async fn handle(page: String, origin: String, message: Value) {
    if let Some(ids) = PageRequest::resume_ids(&message) {
        return outbox::resume(&page, &ids);
    }
    let request = match PageRequest::parse(message) {
        Ok(request) => request,
        Err((Some(id), error)) => return outbox::reply(&page, PageMessage::answer(id, Err(error))),
        Err((None, error)) => {
            // No id to answer to; the content script never forwards these.
            return web_sys::console::warn_1(
                &format!("SSO Wallet: dropped request: {error}").into(),
            );
        }
    };
    let id = request.id;
    let reply_to = ReplyTo {
        page: page.clone(),
        request: id,
    };
    match route(reply_to, origin, request).await {
        Ok(Some(result)) => outbox::reply(&page, PageMessage::answer(id, Ok(result))),
        Ok(None) => {} // answered when the approval resolves
        Err(error) => outbox::reply(&page, PageMessage::answer(id, Err(error))),
    }
}

/// The gate, then the family's handler. `Ok(None)`: an approval was queued and will answer.
async fn route(reply_to: ReplyTo, origin: String, request: PageRequest) -> Result<Option<Value>> {
    let method = Method::parse(&request.method)
        .ok_or_else(|| Error::UnsupportedMethod(request.method.clone()))?;
    // Only what the request needs, read without copying the whole wallet state.
    let (connected, account, grant) = state::read_wallet(|w| {
        (
            w.is_connected(&origin),
            w.account.clone(),
            w.grants.get(&origin).cloned(),
        )
    })
    .await?;
    match method.access() {
        Access::Public => {}
        Access::Consent if origin == "null" => return Err(Error::Unauthorized(origin)),
        Access::Consent => {}
        Access::Connected | Access::Approval if !connected => {
            // An unconnected origin sees no accounts, and may ask nothing else of them.
            return method
                .unconnected_answer()
                .map(Some)
                .ok_or(Error::Unauthorized(origin));
        }
        Access::Connected | Access::Approval => {}
    }
    if method.needs_unlocked() {
        crate::lock::ensure_unlocked().await?;
    }
    let request = Request {
        method,
        params: request.params,
        origin,
        reply_to,
        connected,
        account,
        grant,
    };
    match method.family() {
        Family::Accounts => accounts::handle(request).await,
        Family::Chains => chains::handle(request).await,
        Family::Transactions => transactions::handle(request).await,
        Family::Calls => calls::handle(request).await,
        Family::Signing => signing::handle(request).await,
        Family::Permissions => permissions::handle(request).await,
        Family::Sessions => sessions::handle(request).await,
        Family::Assets => assets::handle(request).await,
        Family::Modules => modules::handle(request).await,
    }
}
