//! ERC-7677 paymaster services, asked for a sponsored operation (`userop::prepare` for a passkey
//! one, `session` for a session's): [`begin`] puts `pm_getPaymasterStubData`'s fields in before
//! the bundler estimates the gas, [`finish`] `pm_getPaymasterData`'s after (unless the stub was
//! final). Their answers are read by [`sso_wallet::erc7677`]; a service
//! that fails is an error that names it, and nothing is sent.

use alloy_primitives::Bytes;
use serde_json::Value;

use sso_wallet::Result;
use sso_wallet::abi::IPaymaster;
use sso_wallet::erc4337::{Paymaster, UserOperation};
use sso_wallet::erc7677::{self, PaymasterService, Sponsorship, Stub};
use sso_wallet::network::Network;

use crate::rpc;

async fn ask(
    network: &Network,
    service: &PaymasterService,
    method: &str,
    user_op: &UserOperation,
) -> Result<Value> {
    let params = erc7677::params(
        user_op,
        network.contracts.entry_point,
        network.chain_id,
        service,
    );
    rpc::call(&service.url, method, params)
        .await
        .map_err(|e| erc7677::service_error(&service.url, e.user_message()))
}

/// A sponsored operation between its two questions to the service.
pub struct Pending<'a> {
    service: &'a PaymasterService,
    stub: Stub,
    /// The chain's time the operation is prepared at (what the sponsorship's window is checked
    /// against).
    now: u64,
}

/// Before the gas estimate: asks `sponsor` (if any) for the stub paymaster fields and puts them
/// into `user_op`, prepared at the chain's time `now`.
pub async fn begin<'a>(
    network: &Network,
    sponsor: Option<&'a PaymasterService>,
    now: u64,
    user_op: &mut UserOperation,
) -> Result<Option<Pending<'a>>> {
    let Some(service) = sponsor else {
        return Ok(None);
    };
    let stub = stub(network, service, user_op).await?;
    user_op.paymaster = Some(stub.paymaster.clone());
    Ok(Some(Pending { service, stub, now }))
}

/// After the gas is set: puts the service's final data into `user_op` (unless the stub was
/// final) and says who pays.
pub async fn finish(
    network: &Network,
    pending: Option<Pending<'_>>,
    user_op: &mut UserOperation,
) -> Result<Option<Sponsorship>> {
    let Some(Pending { service, stub, now }) = pending else {
        return Ok(None);
    };
    if !stub.is_final {
        let final_data = data(network, service, user_op, &stub.paymaster).await?;
        if let Some(paymaster) = &mut user_op.paymaster {
            paymaster.paymaster_data = final_data;
        }
    }
    check(network, service, user_op, now).await?;
    Ok(Some(Sponsorship {
        service: service.clone(),
        name: stub.sponsor_name,
    }))
}

/// Asks the paymaster itself, as the EntryPoint would (an `eth_call` from the EntryPoint), whether
/// it pays for the final `user_op` at `now` (the chain's time the operation was prepared at):
/// what the bundler would refuse is refused before the window.
async fn check(
    network: &Network,
    service: &PaymasterService,
    user_op: &UserOperation,
    now: u64,
) -> Result<()> {
    let Some(paymaster) = &user_op.paymaster else {
        return Ok(());
    };
    let entry_point = network.contracts.entry_point;
    let call = IPaymaster::validatePaymasterUserOpCall {
        userOp: user_op.signed(),
        userOpHash: user_op.hash(entry_point, network.chain_id),
        maxCost: user_op.max_cost(),
    };
    let answer = rpc::call_contract_from(
        &network.rpc_url,
        Some(entry_point),
        paymaster.paymaster,
        &call,
        "latest",
    )
    .await
    .map_err(|e| {
        erc7677::service_error(
            &service.url,
            format!("its paymaster refused the operation: {}", e.user_message()),
        )
    })?;
    erc7677::check_validation(&service.url, answer.validationData, now)
}

/// The stub paymaster fields to estimate `user_op`'s gas with, and who pays.
async fn stub(
    network: &Network,
    service: &PaymasterService,
    user_op: &UserOperation,
) -> Result<Stub> {
    let answer = ask(network, service, "pm_getPaymasterStubData", user_op).await?;
    erc7677::read_stub(&service.url, answer)
}

/// The final `paymasterData` for `user_op` (its gas figures set), from the paymaster `stub` named.
async fn data(
    network: &Network,
    service: &PaymasterService,
    user_op: &UserOperation,
    stub: &Paymaster,
) -> Result<Bytes> {
    let answer = ask(network, service, "pm_getPaymasterData", user_op).await?;
    erc7677::read_data(&service.url, answer, stub)
}
