//! `cargo xtask <command>`: everything a developer or CI runs, each command installing what it
//! needs first (idempotently, from the package registries only).
//!
//! - `setup`: wasm target, wasm-bindgen CLI, `npm ci`, Debian Chromium.
//! - `build`: contracts, wasm crates, the unpacked extension in `dist/extension`, the store zip.
//! - `devnet`: anvil + EntryPoint v0.8 + the project's contracts (CREATE2) + alto + a sponsor
//!   (a paymaster and its ERC-7677 service), until ^C.
//! - `deploy`: the contracts on any chain (idempotent, verified, the factory staked), with a
//!   key from the environment or a keystore; `--dry-run` prints the cost.
//! - `demo`: build, devnet, demo dapp, Chromium with the extension (headless: scripted).
//! - `test`: fmt, clippy, Rust tests, forge tests, end-to-end tests in headless Chromium, the
//!   deploy command on a bare chain, the public-chain profile.
//! - `differential`: the session policy engine against the deployed validator, N cases.
//! - `bench [--compare FILE]`: criterion figures of the core, shipped sizes, the wasm the policy
//!   engine adds, gas, the browser figures; with `--compare`, each against a saved run.
//! - `gas`: the gas table of docs/gas.md, from real `handleOps` transactions on a fresh devnet.

mod bench;
mod build;
mod bundler;
mod contracts;
mod deploy;
mod devnet;
mod erc7562;
mod http;
mod jsonrpc;
mod networks;
mod paymaster;
mod proc;
mod public_rpc;
mod serve;
mod setup;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

/// Result type of the xtask commands; errors are printed as they are.
pub type Result<T = ()> = std::result::Result<T, String>;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn flag_value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix(&format!("{name}=")).map(str::to_owned))
        })
}

fn port_flag(args: &[String], name: &str, default: u16) -> Result<u16> {
    flag_value(args, name)
        .map(|v| {
            v.parse()
                .map_err(|_| format!("{name} expects a port number, got {v}"))
        })
        .unwrap_or(Ok(default))
}

const USAGE: &str = "usage: cargo xtask <setup | build | devnet [--port 8545] [--bundler-port 4337] [--paymaster-port 4338] [--chain-id 31337] | deploy --rpc-url URL [--keystore FILE] [--dry-run] [--stake-eth 1] [--out FILE] | demo [--exit] | test [--e2e-only [name ...] | --public-chain-only] | differential [--cases 2000] | bench [--compare results.json] | gas>";

fn run(args: Vec<String>) -> Result {
    let command = args.first().map(String::as_str).unwrap_or("");
    let rest = &args[args.len().min(1)..];
    match command {
        "setup" => setup::all(),
        "build" => build::run().map(|_| ()),
        "devnet" => devnet::run_foreground(
            devnet::Ports {
                rpc: port_flag(rest, "--port", 8545)?,
                bundler: port_flag(rest, "--bundler-port", 4337)?,
                paymaster: port_flag(rest, "--paymaster-port", networks::LOCAL_PAYMASTER_PORT)?,
            },
            match flag_value(rest, "--chain-id") {
                Some(id) => id.parse().map_err(|_| format!("bad --chain-id {id}"))?,
                None => devnet::CHAIN_ID,
            },
        ),
        "deploy" => deploy::run(rest),
        "demo" => test::demo(rest.iter().any(|a| a == "--exit")),
        "test" => {
            // `--e2e-only security sessions`: only those end-to-end files (no differential).
            test::run(&test::Selection {
                e2e_only: rest.iter().any(|a| a == "--e2e-only"),
                only: rest
                    .iter()
                    .filter(|a| !a.starts_with("--"))
                    .cloned()
                    .collect(),
                public_chain_only: rest.iter().any(|a| a == "--public-chain-only"),
            })
        }
        "differential" => test::differential(match flag_value(rest, "--cases") {
            Some(n) => n
                .replace('_', "")
                .parse()
                .map_err(|_| format!("--cases expects a number, got {n}"))?,
            None => 2_000,
        }),
        "bench" => match flag_value(rest, "--compare") {
            None if rest.iter().any(|a| a == "--compare") => {
                Err("--compare expects a saved results.json".to_owned())
            }
            file => bench::run(file.as_deref()),
        },
        "gas" => test::gas(),
        _ => Err(USAGE.to_owned()),
    }
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
