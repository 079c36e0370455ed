//! ERC-7677 paymaster services, asked for a sponsored operation (`userop::prepare` for a passkey
//! one, `session` for a session's): [`begin`] puts `pm_getPaymasterStubData`'s fields in before
//! the bundler estimates the gas, [`finish`] `pm_getPaymasterData`'s after (unless the stub was
//! final). Their answers are read by [`sso_wallet::erc7677`]; a service
//! that fails is an error that names it, and nothing is sent.

use alloy_primitives::Bytes;
use serde_json::Value;

use sso_wallet::Result;
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
}

/// Before the gas estimate: asks `sponsor` (if any) for the stub paymaster fields and puts them
/// into `user_op`.
pub async fn begin<'a>(
    network: &Network,
    sponsor: Option<&'a PaymasterService>,
    user_op: &mut UserOperation,
) -> Result<Option<Pending<'a>>> {
    let Some(service) = sponsor else {
        return Ok(None);
    };
    let stub = stub(network, service, user_op).await?;
    user_op.paymaster = Some(stub.paymaster.clone());
    Ok(Some(Pending { service, stub }))
}

/// After the gas is set: puts the service's final data into `user_op` (unless the stub was
/// final) and says who pays.
pub async fn finish(
    network: &Network,
    pending: Option<Pending<'_>>,
    user_op: &mut UserOperation,
) -> Result<Option<Sponsorship>> {
    let Some(Pending { service, stub }) = pending else {
        return Ok(None);
    };
    if !stub.is_final {
        let final_data = data(network, service, user_op, &stub.paymaster).await?;
        if let Some(paymaster) = &mut user_op.paymaster {
            paymaster.paymaster_data = final_data;
        }
    }
    Ok(Some(Sponsorship {
        service: service.clone(),
        name: stub.sponsor_name,
    }))
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
