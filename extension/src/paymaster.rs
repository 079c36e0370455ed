//! ERC-7677 paymaster services, asked by `userop::prepare` for a sponsored operation:
//! `pm_getPaymasterStubData` before the bundler estimates the gas, `pm_getPaymasterData` after
//! (unless the stub was final). Their answers are read by [`sso_wallet::erc7677`]; a service
//! that fails is an error that names it, and nothing is sent.

use alloy_primitives::Bytes;
use serde_json::Value;

use sso_wallet::Result;
use sso_wallet::erc4337::{Paymaster, UserOperation};
use sso_wallet::erc7677::{self, PaymasterService, Stub};
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

/// The stub paymaster fields to estimate `user_op`'s gas with, and who pays.
pub async fn stub(
    network: &Network,
    service: &PaymasterService,
    user_op: &UserOperation,
) -> Result<Stub> {
    let answer = ask(network, service, "pm_getPaymasterStubData", user_op).await?;
    erc7677::read_stub(&service.url, answer)
}

/// The final `paymasterData` for `user_op` (its gas figures set), from the paymaster `stub` named.
pub async fn data(
    network: &Network,
    service: &PaymasterService,
    user_op: &UserOperation,
    stub: &Paymaster,
) -> Result<Bytes> {
    let answer = ask(network, service, "pm_getPaymasterData", user_op).await?;
    erc7677::read_data(&service.url, answer, stub)
}
