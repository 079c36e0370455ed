//! Sessions in the background: a dapp's request becomes a passkey approval that creates the
//! session on chain; afterwards matching transactions from that origin are signed with the
//! session key and sent without a window, after the policy engine has said the validator will
//! accept them. Revocation erases the key at once and closes the session on chain.
//!
//! Keys live in `chrome.storage.session` (memory only); the records (spec, origin, pending uses)
//! in the wallet state. Each session has its own nonce lane and its own async lock: one task at a
//! time builds, sends and sees included an operation on a lane (so nonces never collide, and at
//! most one operation per lane is in a bundler's mempool, as public bundlers require), while
//! other sessions — other sites — are never held up by it. State changes themselves are
//! synchronous on the cached state, so no lock is held across a network call for them.

use std::collections::BTreeMap;
use std::rc::Rc;

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue};
use futures::lock::Mutex;
use serde_json::Value;

use sso_wallet::abi::IERC7579ModuleConfig;
use sso_wallet::account::Account;
use sso_wallet::activity::describe_calls;
use sso_wallet::approval::{ApprovalKind, ReplyTo, SessionCreation};
use sso_wallet::erc4337::UserOperation;
use sso_wallet::erc7579::Call;
use sso_wallet::erc7677::PaymasterService;
use sso_wallet::network::Network;
use sso_wallet::protocol::SessionView;
use sso_wallet::session::describe;
use sso_wallet::session::key::SessionKey;
use sso_wallet::session::policy::Circumstances;
use sso_wallet::session::registry::{
    self, Ended, PendingUse, SESSION_KEYS_KEY, SessionRecord, SessionStatus,
};
use sso_wallet::session::request::{self, SessionRequest, erc7715_response};
use sso_wallet::session::rules::{self, Environment};
use sso_wallet::session::spec::{
    ISessionKeyValidator, SessionState, Status, create_proof_digest, session_hash,
};
use sso_wallet::units::Readable;
use sso_wallet::{Error, Result};

use crate::activity::Entry;
use crate::{approvals, bundler, chain, chrome, paymaster, state, userop};

/// ERC-7579 module type of validators.
const MODULE_TYPE_VALIDATOR: u64 = 1;

thread_local! {
    /// One lock per session lane (by session hash).
    static LANES: std::cell::RefCell<BTreeMap<B256, Rc<Mutex<()>>>> = const { std::cell::RefCell::new(BTreeMap::new()) };
    /// Cache of the memory-only key store (this worker is its only writer).
    static KEYS: std::cell::RefCell<Option<BTreeMap<B256, B256>>> = const { std::cell::RefCell::new(None) };
}

/// The lock of session `context`'s nonce lane.
fn lane(context: B256) -> Rc<Mutex<()>> {
    LANES.with(|lanes| Rc::clone(lanes.borrow_mut().entry(context).or_default()))
}

/// How long an operation waits for the previous one on its lane to be included (wallet time).
const LANE_WAIT_MS: i32 = 60_000;
/// How often the lane's nonce is read meanwhile.
const LANE_POLL_MS: i32 = 250;

// ------------------------------------------------------------------------------------------------
// Keys (memory-only storage)
// ------------------------------------------------------------------------------------------------

async fn keys() -> Result<BTreeMap<B256, B256>> {
    if let Some(cached) = KEYS.with(|k| k.borrow().clone()) {
        return Ok(cached);
    }
    let loaded = match chrome::memory_get(SESSION_KEYS_KEY).await? {
        Some(value) => serde_json::from_value(value).map_err(|e| Error::Storage(e.to_string()))?,
        None => BTreeMap::new(),
    };
    Ok(KEYS.with(|k| k.borrow_mut().get_or_insert(loaded).clone()))
}

/// Changes the key store: the change is applied to the cache at once (no other task can
/// interleave) and the snapshot persisted; `change` says whether it changed anything.
async fn change_keys(change: impl FnOnce(&mut BTreeMap<B256, B256>) -> bool) -> Result<()> {
    keys().await?;
    let snapshot = KEYS.with(|k| {
        let mut k = k.borrow_mut();
        let all = k.get_or_insert_with(BTreeMap::new);
        change(all).then(|| all.clone())
    });
    match snapshot {
        Some(all) => chrome::memory_set(SESSION_KEYS_KEY, &all).await,
        None => Ok(()),
    }
}

async fn store_key(context: B256, key: B256) -> Result<()> {
    change_keys(|all| {
        all.insert(context, key);
        true
    })
    .await
}

pub(crate) async fn erase_keys(contexts: &[B256]) -> Result<()> {
    if contexts.is_empty() {
        return Ok(());
    }
    change_keys(|all| {
        let before = all.len();
        all.retain(|c, _| !contexts.contains(c));
        all.len() != before
    })
    .await
}

/// Marks sessions past their expiry as expired and those whose key is gone (browser restart) as
/// such, and erases the keys of every session that ended (`SessionRecord::settle`).
async fn sweep(now: u64) -> Result<()> {
    let keys = keys().await?;
    let settle = |record: &SessionRecord| record.settle(now, keys.contains_key(&record.context));
    let unsettled = |record: &SessionRecord| settle(record) != (None, false);
    if !state::read_wallet(|w| w.sessions.iter().any(unsettled)).await? {
        return Ok(()); // the common case: nothing to write
    }
    let erased = state::update_wallet(|w| {
        let mut erased = Vec::new();
        for record in &mut w.sessions {
            let (next, erase) = settle(record);
            if let Some(next) = next {
                record.status = next;
                record.pending.clear();
            }
            if erase {
                erased.push(record.context);
            }
        }
        Ok(erased)
    })
    .await?;
    erase_keys(&erased).await
}

// ------------------------------------------------------------------------------------------------
// Chain reads
// ------------------------------------------------------------------------------------------------

// ------------------------------------------------------------------------------------------------
// Creation
// ------------------------------------------------------------------------------------------------

/// `wallet_requestExecutionPermissions`: validates the request, generates the key and queues the
/// passkey approval of the creating UserOperation.
pub async fn request(
    origin: &str,
    reply_to: ReplyTo,
    params: Option<Value>,
    account: Account,
) -> Result<()> {
    let network = state::network().await?;
    let params = params.unwrap_or(Value::Null);
    if serde_json::to_string(&params).map_or(true, |text| text.len() > registry::MAX_REQUEST_BYTES)
    {
        return Err(Error::invalid_params(format!(
            "the session request is larger than {} KB",
            registry::MAX_REQUEST_BYTES / 1024
        )));
    }
    let head = chain::head(&network).await?;
    // The request's "now" (a stream's default start among others): the chain's time, or this
    // wallet's clock when a devnet's chain runs ahead of it — stream accrual is claimed on the
    // earlier of the two (`Stream::claim_time`), so a stream starting now is usable at once.
    let request = request::parse_request(&params, head.timestamp.min(chrome::unix_seconds()))?;
    let environment = Environment {
        account: account.address,
        chain_id: network.chain_id,
        validators: vec![
            network.contracts.webauthn_validator,
            network.contracts.session_key_validator,
        ],
        modules: state::read_wallet(|w| w.known_modules(network.chain_id, account.address)).await?,
        entry_point: network.contracts.entry_point,
        now: head.timestamp,
    };
    let warnings = rules::validate(&request, &environment)?;
    let key = SessionKey::generate();
    let spec = request.to_spec(key.address());
    let context = session_hash(&spec);
    let proof = key.sign_hash(create_proof_digest(context, account.address))?;
    let create = ISessionKeyValidator::createSessionCall {
        spec: spec.clone(),
        proof: Bytes::copy_from_slice(&proof),
    };
    let validator = network.contracts.session_key_validator;
    let call = if chain::validator_installed(&network, account.address).await? {
        Call {
            to: validator,
            value: U256::ZERO,
            data: create.abi_encode().into(),
        }
    } else {
        // Installing the validator with the session as its init data creates it in one step.
        let init = (vec![spec.clone()], vec![Bytes::copy_from_slice(&proof)]).abi_encode_params();
        let install = IERC7579ModuleConfig::installModuleCall {
            moduleTypeId: U256::from(MODULE_TYPE_VALIDATOR),
            module: validator,
            initData: init.into(),
        };
        Call {
            to: account.address,
            value: U256::ZERO,
            data: install.abi_encode().into(),
        }
    };
    let sponsor = network.sponsor(None);
    let (prepared, tokens) = futures::join!(
        userop::prepare(&network, &account, vec![call], sponsor.as_ref()),
        token_metadata(&network, &request),
    );
    let prepared = prepared?;
    let record = SessionRecord {
        context,
        origin: origin.to_owned(),
        chain_id: network.chain_id,
        account: account.address,
        spec,
        request,
        params,
        created_at: js_sys::Date::now() as u64,
        status: SessionStatus::Active,
        pending: vec![],
        tokens,
    };
    let creation = SessionCreation {
        prepared,
        record,
        key: key.to_bytes(),
        warnings: warnings.iter().map(ToString::to_string).collect(),
    };
    approvals::enqueue(
        origin,
        reply_to,
        ApprovalKind::CreateSession(Box::new(creation)),
    )
    .await
}

/// Symbol and decimals of the contracts the call rules target, for those that answer as ERC-20
/// tokens (so amounts read `100 USDC`, not base units).
async fn token_metadata(network: &Network, request: &SessionRequest) -> describe::Tokens {
    let mut targets: Vec<Address> = request
        .call_policies
        .iter()
        .map(|p| p.spec.target)
        .collect();
    targets.sort();
    targets.dedup();
    let found = futures::future::join_all(
        targets
            .iter()
            .map(|target| crate::explain::token(network, *target)),
    )
    .await;
    targets
        .into_iter()
        .zip(found)
        .filter_map(|(target, token)| Some((target, token?)))
        .collect()
}

/// The approved creation was signed: keep the key and the record, send it, and wait for it.
/// They are kept *before* the operation is sent, so a worker restart while it is being
/// included leaves a session that works once it is on chain (not a session on chain whose key
/// is gone); they are forgotten again if the bundler refuses it or it reverts. Returns the
/// ERC-7715 response.
pub async fn created(
    network: &Network,
    creation: &SessionCreation,
    user_op: &UserOperation,
    entry: Entry<'_>,
) -> Result<Value> {
    let record = creation.record.clone();
    let context = record.context;
    let response = erc7715_response(
        &record.params,
        record.account,
        &record.request,
        record.context,
        &[],
    );
    store_key(context, creation.key).await?;
    let now = chrome::unix_seconds();
    state::update_wallet(|w| {
        w.sessions.retain(|s| s.context != context);
        w.sessions.push(record);
        registry::prune_ended(&mut w.sessions, now);
        Ok(())
    })
    .await?;
    let hash = match userop::send(network, user_op, entry).await {
        Ok(hash) => hash,
        // The bundler refused it: there is no session. (Any other failure — no answer, an
        // unreadable one — may hide an accepted operation: the session stays, and is forgotten
        // later if it never appears on chain, see `list`.)
        Err(e @ Error::Rpc(_)) => {
            forget(context).await;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    match bundler::wait(network, hash).await {
        Ok(_) => Ok(response),
        // Included but reverted: there is no session.
        Err(e @ Error::ExecutionReverted { .. }) => {
            forget(context).await;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Forgets a session that was never created on chain (its key and record).
async fn forget(context: B256) {
    let erased = erase_keys(&[context]).await;
    let removed = state::update_wallet(|w| {
        w.sessions.retain(|s| s.context != context);
        Ok(())
    })
    .await;
    if let Err(e) = erased.and(removed) {
        web_sys::console::error_1(&format!("SSO Wallet: session not forgotten: {e}").into());
    }
}

// ------------------------------------------------------------------------------------------------
// Silent signing
// ------------------------------------------------------------------------------------------------

/// What a session did with a request.
pub enum Attempt {
    /// Signed with the session key and sent: the userOpHash.
    Sent(B256),
    /// Not covered: the passkey approval takes over; the reason, when the origin has sessions.
    Fallback(Option<String>),
}

/// Tries the origin's sessions for `calls`; sends with the first one the engine allows.
pub async fn try_send(
    network: &Network,
    account: &Account,
    origin: &str,
    calls: &[Call],
    named: Option<B256>,
    batch_id: Option<&str>,
    sponsor: Option<&PaymasterService>,
) -> Result<Attempt> {
    if !state::read_wallet(|w| w.sessions.iter().any(|s| s.origin == origin)).await? {
        return Ok(Attempt::Fallback(None));
    }
    if crate::lock::is_locked().await? {
        return Ok(Attempt::Fallback(Some(
            "the wallet is locked; sessions sign again once you unlock it".into(),
        )));
    }
    let head = chain::head(network).await?;
    let now = head.timestamp;
    sweep(now).await?;
    let contexts: Vec<B256> = state::read_wallet(|w| {
        registry::candidates(
            &w.sessions,
            origin,
            network.chain_id,
            account.address,
            named,
            now,
        )
        .into_iter()
        .map(|s| s.context)
        .collect()
    })
    .await?;
    if contexts.is_empty() {
        let why = match named {
            Some(context) => format!("the session {context} is not active"),
            None => "this site's sessions have ended (expired, revoked or disconnected)".to_owned(),
        };
        return Ok(Attempt::Fallback(Some(why)));
    }
    let mut reasons = Vec::new();
    for context in contexts {
        let lane = lane(context);
        let _lane = lane.lock().await;
        // Read again under the lane's lock: another operation may have changed it meanwhile.
        let record =
            state::read_wallet(|w| w.sessions.iter().find(|s| s.context == context).cloned())
                .await?;
        let key = keys().await?.get(&context).copied();
        let (Some(record), Some(key)) = (record, key) else {
            continue;
        };
        if record.status != SessionStatus::Active {
            continue;
        }
        let entry = Entry {
            origin,
            what: format!("{} (session)", describe_calls(calls)),
            batch_id,
            recipients: sso_wallet::activity::recipients(calls),
        };
        // The head just read starts the first session's lane (one round trip fewer); a
        // later one, or any retry, reads the chain again.
        let start = reasons.is_empty().then_some(head);
        match send_with(
            network,
            account,
            (record, &key),
            start,
            calls,
            sponsor,
            entry,
        )
        .await
        {
            Ok(hash) => {
                crate::lock::touch().await?;
                return Ok(Attempt::Sent(hash));
            }
            Err(reason) => reasons.push(reason),
        }
    }
    Ok(Attempt::Fallback(Some(reasons.join("; "))))
}

/// Whether session `context` is still active here with its key, read from the caches without
/// awaiting (both are loaded by the time an operation is signed).
fn still_usable(context: B256) -> bool {
    let active = state::with_cached_wallet(|w| {
        w.sessions
            .iter()
            .any(|s| s.context == context && s.status == SessionStatus::Active)
    })
    .unwrap_or(false);
    let keyed = KEYS.with(|k| {
        k.borrow()
            .as_ref()
            .is_some_and(|k| k.contains_key(&context))
    });
    active && keyed
}

/// The chain's view of a session's lane once its previous operation is included (or was given
/// up as dropped): the head, the session's counters and the lane's nonce at that block, and the
/// record with its included uses pruned. Called under the lane's lock, so at most one
/// operation per lane is ever waiting in a bundler's mempool. `start`: a head read just before
/// (it may be older than the lock: a use the record still holds as pending at that block makes
/// the loop read the chain again, as for any use not yet included).
async fn settled_lane(
    network: &Network,
    account: Address,
    mut record: SessionRecord,
    mut start: Option<chain::Head>,
) -> Result<(chain::Head, SessionState, U256, SessionRecord)> {
    let mut waited = 0;
    loop {
        let head = match start.take() {
            Some(head) => head,
            None => chain::head(network).await?,
        };
        let at = chain::block_tag(head.number);
        let (chain_state, lane_nonce) =
            chain::session_lane(network, account, &record.spec, record.nonce_key(), &at).await;
        let (chain_state, lane_nonce) = (chain_state?, lane_nonce?);
        record.prune_pending(lane_nonce, head.timestamp);
        if !record.pending.is_empty() {
            // A use older than the pending timeout in wallet time (dropped, on a chain whose
            // clock stands still) no longer holds the lane.
            let before = record.pending.len();
            record.forget_stale(js_sys::Date::now() as u64);
            if record.pending.len() < before {
                let kept: Vec<B256> = record.pending.iter().map(|p| p.user_op_hash).collect();
                let context = record.context;
                state::update_wallet(|w| {
                    if let Some(stored) = w.sessions.iter_mut().find(|s| s.context == context) {
                        stored.pending.retain(|p| kept.contains(&p.user_op_hash));
                    }
                    Ok(())
                })
                .await?;
            }
        }
        if record.pending.is_empty() {
            return Ok((head, chain_state, lane_nonce, record));
        }
        if waited >= LANE_WAIT_MS {
            return Err(Error::NotAllowed(
                "the session's previous operation is still waiting to be included".into(),
            ));
        }
        chrome::sleep(LANE_POLL_MS).await;
        waited += LANE_POLL_MS;
    }
}

/// The unsigned operation [`send_with`] will build for `calls` if the session's last pending
/// use is included by the time its lane is read — as when a dapp waits for each transaction —
/// so that its gas can be estimated at the same time as the lane is read, one round trip fewer:
/// at the head just read (`start`), with the nonce after that use and the dummy signature of
/// the periods the policy gives with nothing used. `None` when there is nothing to go on (no
/// head yet, no use before, a sponsor to ask first) or the policy refuses it anyway. A wrong
/// guess only wastes an estimate: the operation built from what the chain says is compared
/// with it whole.
fn guess(
    account: &Account,
    record: &SessionRecord,
    start: Option<&chain::Head>,
    calls: &[Call],
    sponsor: Option<&PaymasterService>,
    validator: Address,
) -> Option<UserOperation> {
    let head = start?;
    if sponsor.is_some() || record.pending.is_empty() {
        return None;
    }
    let circumstances = Circumstances {
        fee: Some(U256::ZERO),
        now: head.timestamp,
        clock: chrome::unix_seconds(),
    };
    let allowed = sso_wallet::session::policy::evaluate(
        &record.spec,
        &Default::default(),
        calls,
        circumstances,
    )
    .ok()?;
    Some(UserOperation::unsigned(
        account.address,
        record.next_nonce(U256::ZERO),
        None,
        calls,
        (head.max_fee_per_gas, head.max_priority_fee_per_gas),
        registry::dummy_session_signature(validator, &record.spec, &allowed.period_ids),
    ))
}

/// Evaluates, builds, signs and sends one session operation (under its lane's lock), with its
/// fees paid by `sponsor` when the dapp named one (the fee limit is then not charged, as the
/// validator does); `Err` is the reason it did not.
async fn send_with(
    network: &Network,
    account: &Account,
    (record, key): (SessionRecord, &B256),
    start: Option<chain::Head>,
    calls: &[Call],
    sponsor: Option<&PaymasterService>,
    entry: Entry<'_>,
) -> std::result::Result<B256, String> {
    let failed = |e: Error| format!("the session could not send it: {}", e.user_message());
    let validator = network.contracts.session_key_validator;
    // While the lane is read, the bundler already estimates the operation as it will be if the
    // chain agrees with the guess (see `guess`); used only if it is exactly that operation.
    let guess = guess(account, &record, start.as_ref(), calls, sponsor, validator);
    let guessed = futures::future::OptionFuture::from(
        guess
            .as_ref()
            .map(|user_op| bundler::estimate_tried(network, user_op, 1)),
    );
    let (lane, guessed) = futures::join!(
        settled_lane(network, account.address, record, start),
        guessed
    );
    let (head, chain_state, lane_nonce, record) = lane.map_err(failed)?;
    let usage = record.usage(&chain_state, lane_nonce, head.timestamp);
    let mut circumstances = Circumstances {
        fee: sponsor.is_none().then_some(U256::ZERO),
        now: head.timestamp,
        clock: chrome::unix_seconds(),
    };
    let denied = |e: registry::NotCovered| format!("the session does not cover it: {e}");
    let allowed = record
        .evaluate(&chain_state, &usage, calls, circumstances)
        .map_err(denied)?;
    let mut user_op = UserOperation::unsigned(
        account.address,
        record.next_nonce(lane_nonce),
        None,
        calls,
        (head.max_fee_per_gas, head.max_priority_fee_per_gas),
        registry::dummy_session_signature(validator, &record.spec, &allowed.period_ids),
    );
    let sponsored = paymaster::begin(network, sponsor, head.timestamp, &mut user_op)
        .await
        .map_err(failed)?;
    let estimate = match guessed {
        Some(Ok(estimate)) if guess.as_ref() == Some(&user_op) => estimate,
        _ => bundler::estimate(network, &user_op).await.map_err(failed)?,
    };
    registry::apply_session_gas(&mut user_op, &estimate, allowed.increments.len());
    paymaster::finish(network, sponsored, &mut user_op)
        .await
        .map_err(failed)?;
    // The fee limit is charged the operation's most expensive case (nothing when sponsored).
    circumstances.fee = sponsor.is_none().then(|| user_op.max_cost());
    let allowed = record
        .evaluate(&chain_state, &usage, calls, circumstances)
        .map_err(denied)?;
    let hash = user_op.hash(network.contracts.entry_point, network.chain_id);
    // The lock may have closed while the operation was being built: checked again at signing.
    if crate::lock::is_locked().await.unwrap_or(true) {
        return Err("the wallet locked meanwhile".into());
    }
    // So may the session have been revoked or its site disconnected: checked with no await
    // between the check and the signature, so nothing is signed after its key was erased.
    if !still_usable(record.context) {
        return Err("the session ended meanwhile".into());
    }
    let signer = SessionKey::from_bytes(key.as_slice()).map_err(failed)?;
    let ecdsa = signer.sign_hash(hash).map_err(failed)?;
    user_op.signature =
        registry::session_signature(validator, &ecdsa, &record.spec, &allowed.period_ids);
    let sent = userop::send(network, &user_op, entry)
        .await
        .map_err(failed)?;
    let pending = PendingUse {
        user_op_hash: sent,
        nonce: user_op.nonce,
        increments: allowed.increments,
        sent_at: head.timestamp,
        sent_at_ms: js_sys::Date::now() as u64,
    };
    state::update_wallet(|w| {
        if let Some(stored) = w.sessions.iter_mut().find(|s| s.context == record.context) {
            stored.prune_pending(lane_nonce, head.timestamp);
            stored.pending.push(pending);
        }
        Ok(())
    })
    .await
    .map_err(failed)?;
    Ok(sent)
}

// ------------------------------------------------------------------------------------------------
// Management
// ------------------------------------------------------------------------------------------------

/// `wallet_getGrantedExecutionPermissions`: the origin's live sessions, in the grant's shape.
pub async fn granted(origin: &str) -> Result<Value> {
    let network = state::network().await?;
    let head = chain::head(&network).await?;
    sweep(head.timestamp).await?;
    let wallet = state::wallet().await?;
    let items: Vec<Value> = wallet
        .sessions
        .iter()
        .filter(|s| s.origin == origin && s.status_at(head.timestamp) == SessionStatus::Active)
        .filter_map(|s| {
            erc7715_response(&s.params, s.account, &s.request, s.context, &[])
                .as_array()
                .and_then(|a| a.first().cloned())
        })
        .collect();
    Ok(Value::Array(items))
}

/// Starts revoking a session: the key is erased now (the wallet can no longer sign with it),
/// and a passkey approval closes it on chain. `origin` is the dapp's, or `None` from the UI.
pub async fn revoke(context: B256, origin: Option<&str>, reply_to: ReplyTo) -> Result<bool> {
    let wallet = state::wallet().await?;
    let record = wallet
        .sessions
        .iter()
        .find(|s| s.context == context && origin.is_none_or(|o| o == s.origin))
        .cloned()
        .ok_or_else(|| {
            Error::invalid_params(format!(
                "no session with context {context} was granted to this site"
            ))
        })?;
    if matches!(record.status, SessionStatus::Ended(Ended::Revoked)) {
        return Ok(false);
    }
    erase_keys(&[context]).await?;
    state::update_wallet(|w| {
        if let Some(stored) = w.sessions.iter_mut().find(|s| s.context == context) {
            stored.status = SessionStatus::Revoking;
            stored.pending.clear();
        }
        Ok(())
    })
    .await?;
    // On the session's own chain, whatever network is selected.
    let network = state::network_for(record.chain_id).await?;
    let account = wallet.account.ok_or(Error::NoAccount)?;
    let call = Call {
        to: network.contracts.session_key_validator,
        value: U256::ZERO,
        data: ISessionKeyValidator::revokeKeyCall {
            sessionHash: context,
        }
        .abi_encode()
        .into(),
    };
    let prepared = userop::prepare_network_sponsored(&network, &account, vec![call]).await?;
    approvals::enqueue(
        origin.unwrap_or(&chrome::extension_origin()),
        reply_to,
        ApprovalKind::RevokeSession {
            prepared: Box::new(prepared),
            context,
        },
    )
    .await?;
    Ok(true)
}

/// The approved revocation was signed: send it and record the session as revoked.
pub async fn revoked(
    network: &Network,
    context: B256,
    user_op: &UserOperation,
    entry: Entry<'_>,
) -> Result<Value> {
    userop::submit(network, user_op, entry).await?;
    state::update_wallet(|w| {
        if let Some(stored) = w.sessions.iter_mut().find(|s| s.context == context) {
            stored.status = SessionStatus::Ended(Ended::Revoked);
        }
        Ok(())
    })
    .await?;
    Ok(Value::Null)
}

/// A site was disconnected: its active sessions end here and now (their keys are erased, so
/// reconnecting never revives them); they stay open on chain until revoked, which the sessions
/// view offers.
pub async fn end_for_origin(origin: &str) -> Result<()> {
    let ended = state::update_wallet(|w| {
        let mut ended = Vec::new();
        for record in w.sessions.iter_mut().filter(|s| s.origin == origin) {
            if record.status == SessionStatus::Active {
                record.status = SessionStatus::Ended(Ended::Disconnected);
                record.pending.clear();
                ended.push(record.context);
            }
        }
        Ok(ended)
    })
    .await?;
    erase_keys(&ended).await
}

/// A session as the UI shows it; `remaining` needs the chain (live sessions only).
pub fn view(record: &SessionRecord, now: u64, remaining: Vec<Readable>) -> SessionView {
    let expires_at = record.expires_at();
    let permissions = describe::describe_permissions(&record.request, &record.tokens);
    SessionView {
        context: record.context,
        origin: record.origin.clone(),
        expires_at,
        expires: format!(
            "{} ({})",
            describe::format_utc(expires_at),
            describe::format_relative(expires_at, now)
        ),
        expires_in: describe::format_relative(expires_at, now),
        status: record.status_at(now).into(),
        permissions,
        remaining,
        justification: record.request.meta.justification.clone(),
    }
}

/// Every session, newest first, with what is left of the live ones' limits.
pub async fn list() -> Result<Vec<SessionView>> {
    let network = state::network().await?;
    let head = chain::head(&network).await?;
    let now = head.timestamp;
    sweep(now).await?;
    let wallet = state::wallet().await?;
    let at = chain::block_tag(head.number);
    let mut views = Vec::new();
    for record in wallet.sessions.iter().rev() {
        let mut remaining = Vec::new();
        if record.status_at(now) == SessionStatus::Active && record.chain_id == network.chain_id {
            let (chain_state, lane_nonce) = chain::session_lane(
                &network,
                record.account,
                &record.spec,
                record.nonce_key(),
                &at,
            )
            .await;
            if let (Ok(chain_state), Ok(lane_nonce)) = (chain_state, lane_nonce) {
                // Stored before its creation was sent, and still not on chain long after: it
                // never was created (the operation was lost); forgotten.
                let age_ms = (js_sys::Date::now() as u64).saturating_sub(record.created_at);
                if chain_state.status == Status::NotInitialized
                    && age_ms > registry::PENDING_TIMEOUT * 1000
                {
                    forget(record.context).await;
                    continue;
                }
                let usage = record.usage(&chain_state, lane_nonce, now);
                remaining = describe::remaining(&record.request, &usage, now, &record.tokens);
            }
        }
        views.push(view(record, now, remaining));
    }
    Ok(views)
}
