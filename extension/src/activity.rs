//! The activity log in the background: every UserOperation is recorded as it is sent
//! ([`userop::send`](crate::userop::send) takes the entry), and listed with its status read
//! from the bundler.

use alloy_primitives::B256;

use sso_wallet::activity::{self, ACTIVITY_KEY, ActivityRecord};
use sso_wallet::network::Network;
use sso_wallet::protocol::{ActivityStatus, ActivityView};
use sso_wallet::{Error, Result};

use crate::{bundler, chrome, state};

/// What a UserOperation about to be sent is, for the log.
pub struct Entry<'a> {
    /// The site it is for (empty: the wallet's own pages).
    pub origin: &'a str,
    /// What it does, in words.
    pub what: String,
    /// The EIP-5792 batch id the dapp gets, if it is a batch.
    pub batch_id: Option<&'a str>,
    /// Who it sends ETH or tokens to ([`activity::recipients`]).
    pub recipients: Vec<alloy_primitives::Address>,
}

/// The log, oldest first.
pub async fn records() -> Result<Vec<ActivityRecord>> {
    match chrome::storage_get(ACTIVITY_KEY).await? {
        Some(value) => serde_json::from_value(value).map_err(|e| Error::Storage(e.to_string())),
        None => Ok(Vec::new()),
    }
}

/// The batch `id` that `origin` sent (batches are private to their origin), if the log has it.
pub async fn batch(id: &str, origin: &str) -> Result<Option<ActivityRecord>> {
    Ok(records()
        .await?
        .into_iter()
        .find(|r| r.id == id && r.origin == origin))
}

thread_local! {
    /// Serialises the log's read-modify-write: operations are sent concurrently (a session
    /// transaction in one tab, an approval in another), and none may overwrite another's record.
    static LOG: std::rc::Rc<futures::lock::Mutex<()>> = Default::default();
}

/// Records a sent UserOperation.
pub async fn record(
    network: &Network,
    entry: Entry<'_>,
    user_op_hash: B256,
    user_op: &sso_wallet::erc4337::UserOperation,
) -> Result<()> {
    let log = LOG.with(std::rc::Rc::clone);
    let _guard = log.lock().await;
    let record = ActivityRecord {
        id: entry
            .batch_id
            .map(str::to_owned)
            .unwrap_or_else(|| user_op_hash.to_string()),
        origin: entry.origin.to_owned(),
        chain_id: network.chain_id,
        user_op_hash,
        sent_at: js_sys::Date::now() as u64,
        what: entry.what,
        nonce: Some(user_op.nonce),
        account: Some(user_op.sender),
        recipients: entry.recipients,
    };
    let mut records = records().await?;
    activity::remember(&mut records, record);
    chrome::storage_set(ACTIVITY_KEY, &records).await
}

/// The log, newest first, with each operation's status from its network's bundler.
pub async fn list() -> Result<Vec<ActivityView>> {
    let records = records().await?;
    let networks = state::networks().await?;
    let views = records.iter().rev().map(|record| async {
        let network = networks.get(record.chain_id).ok();
        let receipt = match network {
            Some(network) => bundler::receipt(network, record.user_op_hash)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        let (status, tx_hash, failure) = match &receipt {
            None => (ActivityStatus::Pending, None, None),
            Some(r) if r.success => (
                ActivityStatus::Success,
                Some(r.receipt.transaction_hash),
                None,
            ),
            Some(r) => (
                ActivityStatus::Failed,
                Some(r.receipt.transaction_hash),
                Some(activity::failure(r.reason.as_ref().map(|b| b.as_ref()))),
            ),
        };
        let explorer_url = network
            .and_then(|n| n.explorer_url.as_deref())
            .zip(tx_hash)
            .map(|(base, hash)| format!("{}/tx/{hash}", base.trim_end_matches('/')));
        ActivityView {
            id: record.id.clone(),
            origin: record.origin.clone(),
            chain_id: record.chain_id,
            user_op_hash: record.user_op_hash,
            sent_at: record.sent_at,
            what: record.what.clone(),
            status,
            tx_hash,
            explorer_url,
            failure,
        }
    });
    Ok(futures::future::join_all(views).await)
}
