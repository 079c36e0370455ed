//! The account's UserOperations: preparing one the passkey signs (deployment when needed, nonce,
//! fees, the bundler's gas estimate with a placeholder signature, and what it will do explained
//! and simulated), checking that this browser's passkey can sign there, and sending it — the
//! bundler client (`bundler`) sends, and the send is recorded in the activity log here.

use alloy_primitives::{B256, U256};

use sso_wallet::account::Account;
use sso_wallet::approval::PreparedTransaction;
use sso_wallet::erc4337::UserOperation;
use sso_wallet::erc7579::Call;
use sso_wallet::erc7677::PaymasterService;
use sso_wallet::network::Network;
use sso_wallet::webauthn;
use sso_wallet::{Error, Result};

use crate::chain::{self, Head};
use crate::{activity, bundler, explain, paymaster};

/// [`prepare`] with the network's own sponsor (the user's setting), if any: for the wallet's
/// own operations, and a dapp's that names no paymaster service.
pub async fn prepare_network_sponsored(
    network: &Network,
    account: &Account,
    calls: Vec<Call>,
) -> Result<PreparedTransaction> {
    prepare(network, account, calls, network.sponsor(None).as_ref()).await
}

/// Prepares a UserOperation for `calls` (one call, or an atomic batch) from `account`: deployment
/// when needed, nonce, fees and bundler gas estimation (with a dummy signature of the real shape).
/// With a `sponsor` (an ERC-7677 paymaster service), its stub paymaster fields go in before the
/// estimate and its final data after; the account then pays nothing.
pub async fn prepare(
    network: &Network,
    account: &Account,
    calls: Vec<Call>,
    sponsor: Option<&PaymasterService>,
) -> Result<PreparedTransaction> {
    let sender = account.address;
    let entry_point = network.contracts.entry_point;
    let (ours, deployed, nonce, head, verifier, (explained, warnings)) = futures::join!(
        chain::require_deployed(network),
        chain::is_deployed(network, sender),
        chain::nonce(network, sender, U256::ZERO, "latest"),
        chain::head(network),
        chain::p256_verifier(network),
        explain::explain(network, sender, &calls),
    );
    ours?;
    let deployed = deployed?;
    let verifier = verifier?;
    check_signer(network, account, deployed).await?;
    let nonce = nonce?;
    let Head {
        max_fee_per_gas,
        max_priority_fee_per_gas,
        timestamp,
        ..
    } = head?;
    let mut user_op = UserOperation::unsigned(
        sender,
        nonce,
        (!deployed).then(|| (network.contracts.account_factory, account.factory_data())),
        &calls,
        (max_fee_per_gas, max_priority_fee_per_gas),
        webauthn::dummy_user_op_signature(
            network.contracts.webauthn_validator,
            &account.origin_domain,
            &account.signing_passkey().credential_id,
            verifier,
        ),
    );
    let sponsored = paymaster::begin(network, sponsor, timestamp, &mut user_op).await?;
    let deployment = user_op.factory.zip(user_op.factory_data.as_ref());
    let (estimate, (balance_changes, reverts)) = futures::join!(
        bundler::estimate(network, &user_op),
        explain::simulate_changes(network, sender, deployment, &user_op.call_data),
    );
    let mut warnings = warnings;
    warnings.extend(reverts);
    let estimate = estimate?;
    user_op.apply_gas(&estimate, verifier);
    let sponsorship = paymaster::finish(network, sponsored, &mut user_op).await?;
    let user_op_hash = user_op.hash(entry_point, network.chain_id);
    Ok(PreparedTransaction {
        chain_id: network.chain_id,
        explained,
        warnings,
        calls,
        user_op,
        user_op_hash,
        session_fallback: None,
        balance_changes,
        sponsorship,
    })
}

/// Most time the window waits for the account's previous operation to be included before it
/// prepares the next one again; past that, the previous one is likely dropped (ms).
const LANE_WAIT_MS: f64 = 60_000.0;

/// The operation an approval waiting in the queue should send now: `None` while the one it was
/// prepared with still fits the account (next nonce, deployment), else the same calls prepared
/// again. Passkey operations share one nonce lane (key 0), and queued ones were all prepared
/// with the nonce of the moment (and with the deployment while the account had no code): once
/// an earlier one is approved, the next takes its nonce when it is shown. While an operation
/// this wallet sent on that lane is not included yet (a batch is answered once sent), the next
/// waits for it, up to [`LANE_WAIT_MS`]: a bundler can validate neither a later nonce nor an
/// account still being deployed.
pub async fn current(
    network: &Network,
    account: &Account,
    tx: &PreparedTransaction,
) -> Result<Option<PreparedTransaction>> {
    let sender = account.address;
    let key = tx.user_op.nonce >> 64;
    let started = js_sys::Date::now();
    let next = loop {
        let next = chain::nonce(network, sender, key, "latest").await?;
        let records = activity::records().await?;
        let now = js_sys::Date::now();
        let waiting = sso_wallet::erc5792::awaiting_inclusion(
            &records,
            network.chain_id,
            sender,
            next,
            now as u64,
        )
        .is_some();
        if !waiting || now - started > LANE_WAIT_MS {
            break next;
        }
        crate::chrome::sleep(1_000).await;
    };
    if tx.fits(next, chain::is_deployed(network, sender).await?) {
        return Ok(None);
    }
    let sponsor = tx.sponsorship.as_ref().map(|s| &s.service);
    prepare(network, account, tx.calls.clone(), sponsor)
        .await
        .map(Some)
}

/// Passkeys are registered per chain: a browser that signs with a passkey added later can sign
/// only where the account is deployed and that passkey is registered (the first passkey is the
/// one that deploys it elsewhere). Refused up front, with the reason, instead of after the user
/// confirmed and the bundler rejected the signature.
async fn check_signer(network: &Network, account: &Account, deployed: bool) -> Result<()> {
    let Some(signer) = &account.signer else {
        return Ok(());
    };
    if !deployed {
        return Err(Error::NotAllowed(format!(
            "Your account is not deployed on {} yet, and only its first passkey can deploy it there; this browser signs with a passkey added later. Send the first transaction on {} from a browser with the first passkey.",
            network.name, network.name
        )));
    }
    let key = chain::registered_key(
        network,
        account.address,
        &account.origin_domain,
        &signer.credential_id,
    )
    .await?;
    if key != signer.public_key {
        return Err(Error::NotAllowed(format!(
            "The passkey this browser signs with is not registered for your account on {}; add it there from a browser with one of the account's passkeys.",
            network.name
        )));
    }
    Ok(())
}

/// Sends a signed UserOperation to the bundler and records it in the activity log; returns its
/// userOpHash.
pub async fn send(
    network: &Network,
    user_op: &UserOperation,
    entry: activity::Entry<'_>,
) -> Result<B256> {
    let hash = bundler::send(network, user_op).await?;
    // It is sent: a failure to log it must not turn into a failure to the dapp.
    if let Err(e) = activity::record(network, entry, hash, user_op).await {
        web_sys::console::error_1(&format!("SSO Wallet: activity not recorded: {e}").into());
    }
    Ok(hash)
}

/// The wallet's own operation of `calls` (a change the home page asked for), prepared with the
/// network's sponsor and put in the approval queue as `kind` makes it of the prepared operation.
pub async fn propose_own(
    network: &Network,
    account: &Account,
    calls: Vec<Call>,
    kind: impl FnOnce(Box<PreparedTransaction>) -> sso_wallet::approval::ApprovalKind,
) -> Result<()> {
    let prepared = prepare_network_sponsored(network, account, calls).await?;
    crate::approvals::enqueue(
        &crate::chrome::extension_origin(),
        sso_wallet::approval::ReplyTo::nobody(),
        kind(Box::new(prepared)),
    )
    .await
}

/// Sends one of the wallet's own approved operations (recorded as `what`, for `origin`), waits
/// for it to be included, and returns the bundle transaction hash.
pub async fn submit_own(
    network: &Network,
    origin: &str,
    what: &str,
    user_op: &UserOperation,
) -> Result<B256> {
    let entry = activity::Entry {
        origin,
        what: what.into(),
        batch_id: None,
        recipients: Vec::new(),
    };
    submit(network, user_op, entry).await
}

/// Sends a signed UserOperation and waits for its receipt; returns the bundle transaction hash.
pub async fn submit(
    network: &Network,
    user_op: &UserOperation,
    entry: activity::Entry<'_>,
) -> Result<B256> {
    let hash = send(network, user_op, entry).await?;
    bundler::wait(network, hash).await
}
