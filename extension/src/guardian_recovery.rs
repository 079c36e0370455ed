//! Recovery with guardians, in the background (the rules and encodings are the core's
//! `guardian_recovery`): the owner's setup and cancel, a guardian's approval (each a passkey
//! approval like any of the wallet's own operations), the alert every browser of the account
//! shows while a recovery is pending, and — in a browser without an account — the recovery this
//! browser asks for: its code, guardians' signatures it submits, and finalizing, both as
//! UserOps of the account that the module validates and the finalizer key signs.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::{Value, json};

use sso_wallet::abi::IGuardianRecovery::{recoveryConfigCall, requestApprovalsCall};
use sso_wallet::account::Account;
use sso_wallet::approval::ApprovalKind;
use sso_wallet::erc4337::UserOperation;
use sso_wallet::erc7579::Call;
use sso_wallet::guardian_recovery::{
    self as rules, Approvals, Config, GuardianSignature, Installed, Recovering, RecoveryChange,
    RecoveryCode, Setup,
};
use sso_wallet::network::Network;
use sso_wallet::passkey_link::PasskeyLink;
use sso_wallet::protocol::{
    RecoveringView, RecoveryAlert, RecoveryCodeView, RecoveryRequestView, RecoveryView, UiResponse,
};
use sso_wallet::recovery::account_topics;
use sso_wallet::session::describe::{format_relative, format_utc};
use sso_wallet::session::key::SessionKey;
use sso_wallet::webauthn::{self, Assertion};
use sso_wallet::{Error, Result};

use crate::{bundler, chain, chrome, paymaster, rpc, state, userop};

/// ERC-7579 types the module is installed as: its setup lives with the executor install; the
/// validator validates recovery UserOps.
const EXECUTOR: u64 = 2;
const VALIDATOR: u64 = 1;

/// The network's recovery module, deployed: else why recovery is not available there.
async fn module(network: &Network) -> Result<Address> {
    let unavailable = || {
        Error::NotAllowed(format!(
            "Recovery with guardians is not available on {}: the wallet's recovery module is not deployed there.",
            network.name
        ))
    };
    chain::recovery_module(network)
        .await?
        .ok_or_else(unavailable)
}

/// `recoveryConfig(account)`, decoded and bounded.
async fn config(network: &Network, module: Address, account: Address) -> Result<Config> {
    let data = Bytes::from(recoveryConfigCall { account }.abi_encode());
    let raw: Bytes = rpc::call_typed(
        &network.rpc_url,
        "eth_call",
        json!([{"to": module, "data": data}, "latest"]),
    )
    .await?;
    Config::decode(&raw).map_err(|e| Error::bad_response(&network.rpc_url, e.user_message()))
}

/// A request's approvals in its round.
async fn approvals(
    network: &Network,
    code: &RecoveryCode,
    guardians: &[Address],
) -> Result<Approvals> {
    let call = requestApprovalsCall {
        account: code.link.account,
        hash: code.hash(),
    };
    let data = Bytes::from(call.abi_encode());
    let raw: Bytes = rpc::call_typed(
        &network.rpc_url,
        "eth_call",
        json!([{"to": code.module, "data": data}, "latest"]),
    )
    .await?;
    Approvals::decode(&raw, guardians)
        .map_err(|e| Error::bad_response(&network.rpc_url, e.user_message()))
}

/// Which of the module's two installs the account has (none while it has no code).
async fn installed(network: &Network, module: Address, account: Address) -> Result<Installed> {
    if !chain::is_deployed(network, account).await? {
        return Ok(Installed::default());
    }
    let (executor, validator) = futures::join!(
        chain::module_installed(network, account, EXECUTOR, module, Bytes::new()),
        chain::module_installed(network, account, VALIDATOR, module, Bytes::new()),
    );
    Ok(Installed {
        executor: executor?,
        validator: validator?,
    })
}

/// The pending recovery of `account` described by `config`, read from the module's logs of the
/// round (from the block of its first approval on).
async fn alert_of(
    network: &Network,
    module: Address,
    account: Address,
    config: &Config,
) -> Result<Option<RecoveryAlert>> {
    let Some(since) = config.pending_since_block else {
        return Ok(None);
    };
    let (logs, head) = futures::join!(
        rpc::logs_from(
            network,
            module,
            account_topics(&rules::pending_events(), account),
            since,
        ),
        chain::head(network),
    );
    let logs = logs?;
    let (requests, more) = rules::requests_from_logs(&logs, module, account, config.round);
    let requests = requests
        .into_iter()
        .map(|r| RecoveryRequestView {
            fingerprint: rules::fingerprint(r.hash),
            browser: rules::browser_of(&r.origin),
            approved_by: r.approved_by,
            ready_at: r.ready_at,
        })
        .collect();
    Ok(Some(RecoveryAlert {
        network: network.name.clone(),
        chain_id: network.chain_id,
        threshold: config.setup.threshold,
        requests,
        more,
        now: head?.timestamp,
    }))
}

/// The alert the home page and every approval window show while a recovery of the account is
/// pending on `network` (read on every view: `None` where the network has no recovery module or
/// the account no code).
pub async fn alert(network: &Network, account: Address) -> Result<Option<RecoveryAlert>> {
    let (module, deployed) = futures::join!(
        chain::recovery_module(network),
        chain::is_deployed(network, account),
    );
    let Some(module) = module? else {
        return Ok(None);
    };
    if !deployed? {
        return Ok(None);
    }
    let config = config(network, module, account).await?;
    alert_of(network, module, account, &config).await
}

/// The alert an approval window shows from [`alert`]'s outcome: a node that fails to answer
/// leaves the window without it (the home page says which networks it could not read), and the
/// failure goes to the console; the next view reads it again.
pub fn shown(alert: Result<Option<RecoveryAlert>>) -> Option<RecoveryAlert> {
    alert.unwrap_or_else(|e| {
        web_sys::console::error_1(&format!("SSO Wallet: recovery state not read: {e}").into());
        None
    })
}

// ------------------------------------------------------------------------------------------------
// The owner
// ------------------------------------------------------------------------------------------------

/// The Recovery tab on the selected network.
pub async fn view() -> Result<RecoveryView> {
    let (account, network) = state::account_and_network().await?;
    let mut view = RecoveryView {
        account: account.address,
        network: network.name.clone(),
        unavailable: None,
        installed: false,
        setup: None,
        alert: None,
    };
    let module = match module(&network).await {
        Ok(module) => module,
        Err(e @ Error::NotAllowed(_)) => {
            view.unavailable = Some(e.user_message());
            return Ok(view);
        }
        Err(e) => return Err(e),
    };
    view.installed = installed(&network, module, account.address).await?.executor;
    if view.installed {
        let config = config(&network, module, account.address).await?;
        view.alert = alert_of(&network, module, account.address, &config).await?;
        view.setup = config.is_on().then_some(config.setup);
    }
    Ok(view)
}

/// Opens the passkey approval that sets the account's guardians (installing the module first
/// where it is not installed), with the recovery fee cap the wallet sets: ten times what a
/// recovery UserOp costs at today's fees ([`rules::default_fee_cap`]).
pub async fn set_guardians(mut setup: Setup) -> Result<()> {
    let (account, network) = state::account_and_network().await?;
    let module = module(&network).await?;
    let head = chain::head(&network).await?;
    setup.max_recovery_fee = rules::default_fee_cap(head.max_fee_per_gas);
    setup.check(account.address)?;
    let installed = installed(&network, module, account.address).await?;
    if !installed.executor && setup.guardians.is_empty() {
        return Err(Error::invalid_params("Name at least one guardian."));
    }
    let install = !installed.executor || !installed.validator;
    let calls = rules::setup_calls(account.address, module, &setup, installed);
    propose(
        &network,
        &account,
        calls,
        RecoveryChange::Setup { setup, install },
    )
    .await
}

/// Opens the passkey approval that cancels the pending recovery on chain `chain_id`.
pub async fn cancel(chain_id: u64) -> Result<()> {
    let (account, _) = state::account_and_network().await?;
    let network = state::network_for(chain_id).await?;
    let module = module(&network).await?;
    if !installed(&network, module, account.address).await?.executor {
        return Err(Error::NotAllowed(
            "Recovery is not set up on this account: there is nothing to cancel.".into(),
        ));
    }
    propose(
        &network,
        &account,
        vec![rules::cancel_call(module)],
        RecoveryChange::Cancel,
    )
    .await
}

async fn propose(
    network: &Network,
    account: &Account,
    calls: Vec<Call>,
    change: RecoveryChange,
) -> Result<()> {
    userop::propose_own(network, account, calls, |prepared| ApprovalKind::Recovery {
        prepared,
        change,
    })
    .await
}

/// The approved change was signed: send it and wait for it to be included.
pub async fn changed(
    network: &Network,
    origin: &str,
    change: &RecoveryChange,
    user_op: &UserOperation,
) -> Result<Value> {
    let what = match change {
        RecoveryChange::Setup { .. } => "Set recovery guardians",
        RecoveryChange::Cancel => "Cancelled a recovery",
        RecoveryChange::Approve { .. } => "Approved a recovery as guardian",
    };
    userop::submit_own(network, origin, what, user_op).await?;
    Ok(Value::Null)
}

// ------------------------------------------------------------------------------------------------
// A guardian
// ------------------------------------------------------------------------------------------------

/// A pasted request, checked against the chain: for this network, its proof good for the
/// account, the round current, this account one of its guardians.
async fn checked_code(
    text: &str,
) -> Result<(RecoveryCode, Network, Account, Config, RecoveryCodeView)> {
    let code = RecoveryCode::decode(text)?;
    let (account, network) = state::account_and_network().await?;
    if code.link.chain_id != network.chain_id {
        return Err(Error::NotAllowed(format!(
            "This request is for chain {}, and the wallet is on {} (chain {}): switch to that network first.",
            code.link.chain_id, network.name, network.chain_id
        )));
    }
    let module = module(&network).await?;
    if code.module != module {
        return Err(Error::NotAllowed(
            "This request names another recovery module than this network's.".into(),
        ));
    }
    code.check_proof(network.contracts.webauthn_validator)?;
    let config = config(&network, module, code.link.account).await?;
    let guardian = config.setup.guardians.contains(&account.address);
    let approved = guardian
        && approvals(&network, &code, &config.setup.guardians)
            .await?
            .approved_by
            .contains(&account.address);
    let problem = if !config.is_on() {
        Some("That account has no guardians (any more).".to_owned())
    } else if !guardian {
        Some("Your account is not one of that account's guardians.".to_owned())
    } else if config.round != code.round {
        Some("This request is no longer current (the owner cancelled it or changed the guardians, or a recovery finished): ask for a new one.".to_owned())
    } else if code.link.account == account.address {
        Some("This request is for your own account.".to_owned())
    } else {
        None
    };
    let view = RecoveryCodeView {
        account: code.link.account,
        network: network.name.clone(),
        fingerprint: code.fingerprint(),
        name: code.name.clone(),
        browser: rules::browser_of(&code.link.origin),
        guardian,
        approved,
        problem,
    };
    Ok((code, network, account, config, view))
}

/// What a pasted request asks.
pub async fn read_code(text: &str) -> Result<RecoveryCodeView> {
    Ok(checked_code(text).await?.4)
}

/// Opens the passkey approval of a guardian's own approval.
pub async fn approve(text: &str) -> Result<()> {
    let (code, network, account, _, view) = checked_code(text).await?;
    if let Some(problem) = view.problem {
        return Err(Error::NotAllowed(problem));
    }
    if view.approved {
        return Err(Error::NotAllowed(
            "You approved this request already.".into(),
        ));
    }
    propose(
        &network,
        &account,
        vec![code.approve_call()],
        RecoveryChange::Approve {
            account: code.link.account,
            fingerprint: view.fingerprint,
            name: code.name.clone(),
            origin: code.link.origin.clone(),
        },
    )
    .await
}

// ------------------------------------------------------------------------------------------------
// The user who lost the passkey (no account in this browser)
// ------------------------------------------------------------------------------------------------

/// Starts recovering `account` on the selected network with a passkey just created here (its
/// assertion over the link challenge is its proof of possession): the code to share.
pub async fn start(
    account: Address,
    attestation_object: &[u8],
    assertion: Assertion,
    name: &str,
) -> Result<RecoveringView> {
    let wallet = state::wallet().await?;
    if wallet.account.is_some() {
        return Err(Error::NotAllowed(
            "This browser already has an account.".into(),
        ));
    }
    if wallet.recovering.is_some() {
        return Err(Error::NotAllowed(
            "A recovery is already under way here: finish or abandon it first.".into(),
        ));
    }
    let network = state::network().await?;
    let module = module(&network).await?;
    if !chain::is_deployed(&network, account).await? {
        return Err(Error::NotAllowed(format!(
            "{} has no account on {}: guardians can recover only a deployed account. Check the address and the network.",
            account.to_checksum(None),
            network.name
        )));
    }
    let config = config(&network, module, account).await?;
    if !config.is_on() {
        return Err(Error::NotAllowed(format!(
            "That account has no guardians on {}: it cannot be recovered with guardians.",
            network.name
        )));
    }
    let link = PasskeyLink {
        account,
        chain_id: network.chain_id,
        passkey: webauthn::parse_attestation_object(attestation_object)?,
        origin: chrome::webauthn_origin(),
        proof: assertion,
    };
    link.proof_rs(network.contracts.webauthn_validator)?;
    let finalizer = SessionKey::generate();
    let name: String = name.trim().chars().take(rules::MAX_NAME_CHARS).collect();
    let name = sso_wallet::untrusted::clip(&name, rules::MAX_NAME_CHARS);
    let code = RecoveryCode {
        link,
        module,
        round: config.round,
        finalizer: finalizer.address(),
        name,
    };
    // What the guardians will read is what this browser keeps.
    RecoveryCode::decode(&code.encode())?;
    let recovering = Recovering {
        code,
        finalizer_key: finalizer.to_bytes(),
        signatures: Vec::new(),
    };
    state::update_wallet(|w| {
        if w.account.is_some() || w.recovering.is_some() {
            return Err(Error::NotAllowed(
                "This browser already has an account or a recovery.".into(),
            ));
        }
        w.recovering = Some(recovering.clone());
        Ok(())
    })
    .await?;
    crate::passkeys::name_new(&recovering.code.link.passkey.credential_id).await?;
    recovering_view(&recovering).await
}

/// The recovery this browser started, read again from the chain.
pub async fn recovering() -> Result<Option<RecoveringView>> {
    match state::read_wallet(|w| w.recovering.clone()).await? {
        Some(recovering) => Ok(Some(recovering_view(&recovering).await?)),
        None => Ok(None),
    }
}

async fn stored() -> Result<Recovering> {
    state::read_wallet(|w| w.recovering.clone())
        .await?
        .ok_or_else(|| Error::NotAllowed("No recovery is under way in this browser.".into()))
}

/// Where the recovery stands on chain: its config, its approvals and the chain's time.
async fn standing(recovering: &Recovering) -> Result<(Network, Config, Approvals, u64)> {
    let code = &recovering.code;
    let network = state::network_for(code.link.chain_id).await?;
    let (config, head) = futures::join!(
        config(&network, code.module, code.link.account),
        chain::head(&network),
    );
    let config = config?;
    let approvals = approvals(&network, code, &config.setup.guardians).await?;
    Ok((network, config, approvals, head?.timestamp))
}

async fn recovering_view(recovering: &Recovering) -> Result<RecoveringView> {
    let (network, config, approvals, now) = standing(recovering).await?;
    let code = &recovering.code;
    Ok(RecoveringView {
        code: code.encode(),
        account: code.link.account,
        network: network.name,
        fingerprint: code.fingerprint(),
        guardians: config.setup.guardians.clone(),
        threshold: config.setup.threshold,
        approved_by: approvals.approved_by,
        signed_by: recovering.signatures.iter().map(|s| s.guardian).collect(),
        ready_at: approvals.ready_at,
        now,
        void: config.round != code.round,
        typed_data: code.typed_data().to_string(),
    })
}

/// Keeps an EOA guardian's signature of the request (checked: a guardian's, of this request,
/// not approved yet).
pub async fn add_signature(text: &str) -> Result<RecoveringView> {
    let recovering = stored().await?;
    let (_, config, approvals, _) = standing(&recovering).await?;
    let signature = GuardianSignature::parse(text, &recovering.code, &config.setup.guardians)?;
    if approvals.approved_by.contains(&signature.guardian)
        || recovering
            .signatures
            .iter()
            .any(|s| s.guardian == signature.guardian)
    {
        return Err(Error::NotAllowed(
            "That guardian's approval is counted already.".into(),
        ));
    }
    let updated = state::update_wallet(|w| {
        let stored = w
            .recovering
            .as_mut()
            .ok_or_else(|| Error::NotAllowed("No recovery is under way in this browser.".into()))?;
        stored.signatures.push(signature);
        Ok(stored.clone())
    })
    .await?;
    recovering_view(&updated).await
}

/// Submits the pasted signatures (those not counted meanwhile) with a recovery UserOp.
pub async fn submit_approvals() -> Result<RecoveringView> {
    let recovering = stored().await?;
    let (network, config, approvals, _) = standing(&recovering).await?;
    if config.round != recovering.code.round {
        return Err(void());
    }
    let fresh: Vec<GuardianSignature> = recovering
        .signatures
        .iter()
        .filter(|s| !approvals.approved_by.contains(&s.guardian))
        .cloned()
        .collect();
    if !fresh.is_empty() {
        // The account pays only for the approvals that schedule the request (the module's rule).
        let total = approvals.approved_by.len() + fresh.len();
        if total < usize::from(config.setup.threshold) {
            return Err(Error::NotAllowed(format!(
                "With these signatures {total} of {} guardians approve: the account pays for submitting them only once they are enough. Add more signatures, or wait for guardians to approve from their own wallets.",
                config.setup.threshold
            )));
        }
        let call = recovering.code.approve_with_signatures_call(&fresh);
        send_recovery_op(
            &network,
            &recovering,
            call,
            config.setup.max_recovery_fee,
            "Submitted guardians' approvals",
        )
        .await?;
    }
    let updated = state::update_wallet(|w| {
        if let Some(stored) = w.recovering.as_mut() {
            stored.signatures.clear();
        }
        Ok(w.recovering.clone())
    })
    .await?;
    recovering_view(&updated.unwrap_or(recovering)).await
}

fn void() -> Error {
    Error::NotAllowed(
        "This recovery no longer counts: the account's owner cancelled it, or its guardians changed. Abandon it and start again.".into(),
    )
}

/// Finalizes the recovery once its delay is over, then uses the account here.
pub async fn finalize() -> Result<UiResponse> {
    let recovering = stored().await?;
    let (network, config, approvals, now) = standing(&recovering).await?;
    let code = &recovering.code;
    if config.round != code.round {
        // Finalized already (the operation went through, using the account here did not)?
        let key = chain::registered_key(
            &network,
            code.link.account,
            &code.link.origin,
            &code.link.passkey.credential_id,
        )
        .await?;
        if key != code.link.passkey.public_key {
            return Err(void());
        }
        return use_recovered(&network, code).await;
    }
    let Some(ready_at) = approvals.ready_at else {
        return Err(Error::NotAllowed(format!(
            "Not enough guardians approved yet: {} of {}.",
            approvals.approved_by.len(),
            config.setup.threshold
        )));
    };
    if now < ready_at {
        return Err(Error::NotAllowed(format!(
            "The delay that lets the owner cancel is not over: it can be finalized from {} ({}).",
            format_utc(ready_at),
            format_relative(ready_at, now)
        )));
    }
    let rs = code.check_proof(network.contracts.webauthn_validator)?;
    let proof = webauthn::signature_data(
        &code.link.proof.authenticator_data,
        &code.link.proof.client_data_json,
        rs,
        &code.link.passkey.credential_id,
        chain::p256_verifier(&network).await?,
    );
    send_recovery_op(
        &network,
        &recovering,
        code.finalize_call(proof),
        config.setup.max_recovery_fee,
        "Recovered the account",
    )
    .await?;
    use_recovered(&network, code).await
}

/// Uses the recovered account here, and forgets the recovery.
async fn use_recovered(network: &Network, code: &RecoveryCode) -> Result<UiResponse> {
    let logged_in =
        crate::login::recovered(network, code.link.account, code.link.passkey.clone()).await?;
    state::update_wallet(|w| {
        w.recovering = None;
        Ok(())
    })
    .await?;
    Ok(logged_in)
}

/// Forgets the recovery this browser started (its finalizer key with it).
pub async fn abandon() -> Result<()> {
    state::update_wallet(|w| {
        w.recovering = None;
        Ok(())
    })
    .await
}

/// Sends `call` (on the module) as a UserOp of the account that the module validates, signed by
/// the finalizer on the round's recovery lane, and waits for it. Fees: the network's sponsor, if
/// it has one, else the account, within the owner's cap `max_fee`.
async fn send_recovery_op(
    network: &Network,
    recovering: &Recovering,
    call: Call,
    max_fee: U256,
    what: &str,
) -> Result<()> {
    let code = &recovering.code;
    let finalizer = recovering.finalizer()?;
    let lane = rules::recovery_nonce_key(code.round);
    let (nonce, head) = futures::join!(
        chain::nonce(network, code.link.account, lane, "latest"),
        chain::head(network),
    );
    let head = head?;
    let mut user_op = UserOperation::unsigned(
        code.link.account,
        nonce?,
        None,
        &[call],
        (head.max_fee_per_gas, head.max_priority_fee_per_gas),
        rules::dummy_finalizer_signature(code.module),
    );
    let sponsor = network.sponsor(None);
    let sponsored =
        paymaster::begin(network, sponsor.as_ref(), head.timestamp, &mut user_op).await?;
    let estimate = bundler::estimate(network, &user_op).await?;
    rules::apply_recovery_gas(&mut user_op, &estimate);
    paymaster::finish(network, sponsored, &mut user_op).await?;
    // The module refuses what costs the account more than the owner's cap: said here, in words.
    if user_op.account_max_cost() > max_fee {
        return Err(Error::NotAllowed(format!(
            "The network's fees are too high now for what the account allows a recovery step ({}; this one could cost {}). Try again when fees are lower, or have someone finalize by a transaction.",
            sso_wallet::units::Readable::ether(max_fee).short,
            sso_wallet::units::Readable::ether(user_op.account_max_cost()).short,
        )));
    }
    let hash = user_op.hash(network.contracts.entry_point, network.chain_id);
    user_op.signature = rules::finalizer_signature(code.module, &finalizer, hash)?;
    userop::submit_own(network, &chrome::extension_origin(), what, &user_op).await?;
    Ok(())
}
