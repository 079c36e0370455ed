//! `cargo xtask test` (what CI runs) and `cargo xtask demo` (the README's main command): both
//! build the extension, bring up a devnet, serve the demo dapp and drive Chromium; the tests
//! also drive Firefox (`tests/firefox/`) with the add-on build.

use std::path::PathBuf;
use std::process::Command;

use crate::devnet::{self, Devnet, Ports};
use crate::{Result, build, contracts, proc, root, serve, setup};

/// Bundles the demo dapp (viem + mipd) into `target/dapp`.
pub fn bundle_dapp() -> Result<PathBuf> {
    let out = root().join("target/dapp");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    proc::run(
        "esbuild (demo dapp)",
        Command::new(setup::node_bin("esbuild"))
            .arg(root().join("tests/dapp/app.js"))
            .args([
                "--bundle",
                "--format=esm",
                "--log-level=warning",
                "--target=es2022",
            ])
            .arg(format!("--outfile={}", out.join("app.js").display())),
    )?;
    std::fs::copy(root().join("tests/dapp/index.html"), out.join("index.html"))
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The environment the Node scripts under `tests/` read.
pub fn node_env(command: &mut Command, devnet: &Devnet, dapp_port: u16, chromium: &PathBuf) {
    command
        .env("SSO_EXTENSION_DIR", build::extension_dir())
        .env("SSO_DEVNET_JSON", &devnet.info_path)
        .env("SSO_DAPP_PORT", dapp_port.to_string())
        .env("SSO_CHROMIUM", chromium)
        .current_dir(root());
}

fn step(name: &str, command: &mut Command) -> Result {
    println!("\n== {name}");
    proc::run(name, command)
}

/// Which parts of `cargo xtask test` run.
pub struct Selection {
    /// Skip the lints, forge and Rust tests.
    pub e2e_only: bool,
    /// Only these end-to-end files (names without `.test.mjs`), no differential test, no
    /// deploy check and no public-chain profile — for a developer's quick loop, never for CI.
    pub only: Vec<String>,
    /// Only the public-chain profile (after the build).
    pub public_chain_only: bool,
}

/// `cargo xtask test`.
pub fn run(selection: &Selection) -> Result {
    let (e2e_only, only) = (
        selection.e2e_only || selection.public_chain_only,
        &selection.only,
    );
    setup::all()?;
    let forge = setup::node_bin("forge");
    let contracts = root().join("contracts");
    if !e2e_only {
        step(
            "cargo fmt --check",
            Command::new("cargo").args(["fmt", "--all", "--", "--check"]),
        )?;
        step(
            "forge fmt --check",
            Command::new(&forge)
                .args(["fmt", "--check"])
                .current_dir(&contracts),
        )?;
        step(
            "cargo clippy",
            Command::new("cargo").args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
        // forge first: the Rust ABI conformance test reads its artifacts.
        // The precompile suite needs an Osaka EVM (prague has no P256VERIFY): it runs in the
        // second step instead of showing up as skipped in the first.
        step(
            "forge test",
            Command::new(&forge)
                .args(["test", "--no-match-contract", "Precompile"])
                .current_dir(&contracts),
        )?;
        step(
            "forge test (osaka: P256 precompile, real passkey fixtures)",
            Command::new(&forge)
                .args(["test", "--match-contract", "Precompile"])
                .env("FOUNDRY_PROFILE", "osaka")
                .current_dir(&contracts),
        )?;
        step(
            "cargo test",
            Command::new("cargo").args([
                "test",
                "--quiet",
                "-p",
                "sso-wallet",
                "-p",
                "xtask",
                "--",
                "--include-ignored",
                "--skip",
                "devnet_",
            ]),
        )?;
    }
    println!("\n== build");
    build::run()?;
    wasm_size_budget()?;
    firefox_lint()?;
    let chromium = setup::chromium()?;
    let firefox = setup::firefox()?;
    let dapp = bundle_dapp()?;
    if selection.public_chain_only {
        let dapp_port = serve::start(dapp, 0)?;
        return public_chain(&chromium, dapp_port);
    }
    if only.is_empty() {
        deploy_check()?;
    }
    println!("\n== devnet");
    let ports = Ports {
        rpc: proc::free_port()?,
        bundler: proc::free_port()?,
        paymaster: 0,
    };
    let devnet = devnet::start(ports, root().join("target/e2e-devnet"))?;
    // A second chain with the same contracts, for adding and switching networks and for
    // guardian recovery; it makes a block every 2 s, as a public chain does, rather than one per
    // transaction. Its clock starts 5 days behind, for `recovery.test.mjs` to move it through
    // two 48-hour delays without passing the bundler's clock.
    let second = devnet::start_chain(
        &devnet::ChainSpec {
            block_time: Some(2),
            starts_behind: 5 * 24 * 3600,
            ..devnet::ChainSpec::devnet(devnet::SECOND_CHAIN_ID)
        },
        Ports {
            rpc: proc::free_port()?,
            bundler: proc::free_port()?,
            paymaster: 0,
        },
        root().join("target/e2e-devnet-2"),
    )?;
    if only.is_empty() {
        step(
            "session policy engine vs SessionKeyValidator (differential, 2,000 cases)",
            Command::new("cargo")
                .args([
                    "test",
                    "--quiet",
                    "-p",
                    "sso-wallet",
                    "--test",
                    "session_differential",
                ])
                .args(["--", "--ignored", "--nocapture"])
                .env("SSO_DEVNET_JSON", &devnet.info_path),
        )?;
    }
    let dapp_port = serve::start(dapp, 0)?;
    let selected = |p: &PathBuf| {
        only.is_empty()
            || only.iter().any(|name| {
                p.file_name()
                    .is_some_and(|f| f.to_string_lossy() == format!("{name}.test.mjs"))
            })
    };
    let mut tests = test_files("tests/e2e")?;
    tests.retain(selected);
    let mut outcome = Ok(());
    if !tests.is_empty() {
        println!("\n== end-to-end (headless Chromium)");
        let mut node = Command::new("node");
        node.args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .args(&tests);
        node_env(&mut node, &devnet, dapp_port, &chromium);
        node.env("SSO_DEVNET2_JSON", &second.info_path);
        outcome = proc::run("end-to-end tests", &mut node);
    }
    let mut firefox_tests = test_files("tests/firefox")?;
    firefox_tests.retain(|p| only.iter().any(|name| name == "firefox") || selected(p));
    if outcome.is_ok() && !firefox_tests.is_empty() {
        println!("\n== end-to-end (headless Firefox)");
        let mut node = Command::new("node");
        node.args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .args(&firefox_tests);
        node_env(&mut node, &devnet, dapp_port, &chromium);
        node.env("SSO_FIREFOX", &firefox)
            .env("SSO_FIREFOX_EXTENSION_DIR", build::firefox_dir());
        outcome = proc::run("end-to-end tests (Firefox)", &mut node);
    }
    drop(second);
    drop(devnet);
    outcome?;
    if only.is_empty() {
        erc7562_coverage(&root().join("target/e2e-devnet/erc7562.jsonl"))?;
        erc7562_clean(
            "the second devnet",
            &root().join("target/e2e-devnet-2/erc7562.jsonl"),
            RECOVERY_KINDS,
        )?;
        public_chain(&chromium, dapp_port)?;
    }
    println!("\nxtask test: all checks passed");
    Ok(())
}

/// The `*.test.mjs` files of a folder, sorted.
fn test_files(folder: &str) -> Result<Vec<PathBuf>> {
    let mut tests: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .map_err(|e| format!("{folder}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    tests.sort();
    Ok(tests)
}

/// The most the shipped wasm may weigh, gzipped (both files). It was 1,200,000 B, which the
/// session path's changes of 2026-12-08 had filled to 1,199,845 B; the UI's type-erased views
/// (`erase_components`, .cargo/config.toml) then made it 1,140,318 B, and the budget came down to
/// 0.1 % above that. It only stops growth that nobody decided on; lower it as the size work of
/// docs/benchmarks.md lands (the goal there is 400 KB).
const WASM_GZIP_BUDGET: usize = 1_141_500;

/// Fails when the shipped wasm is heavier than [`WASM_GZIP_BUDGET`].
fn wasm_size_budget() -> Result {
    println!("\n== shipped wasm size (gzip) against its budget");
    let mut files = Vec::new();
    build::sizes(&build::extension_dir(), "", &mut files)?;
    for file in files
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|n| n.ends_with(".wasm")))
    {
        println!(
            "{:>9} B  {}",
            file["gzip"].as_u64().unwrap_or_default(),
            file["file"].as_str().unwrap_or_default()
        );
    }
    let total = build::wasm_gzip_total(&files);
    println!("{total:>9} B  total (budget {WASM_GZIP_BUDGET} B)");
    if total > WASM_GZIP_BUDGET {
        return Err(format!(
            "the shipped wasm is {total} B gzipped, over its budget of {WASM_GZIP_BUDGET} B: make it smaller, or raise the budget in xtask/src/test.rs on purpose (docs/benchmarks.md)"
        ));
    }
    Ok(())
}

/// Checks the Firefox add-on package as addons.mozilla.org does (Mozilla's `addons-linter`, the
/// checker behind `web-ext lint` and the store's upload validation): any error fails.
fn firefox_lint() -> Result {
    let xpi = root().join(format!("dist/sso-wallet-{}.xpi", env!("CARGO_PKG_VERSION")));
    step(
        "Firefox add-on package (addons-linter, as addons.mozilla.org checks it)",
        Command::new(setup::node_bin("addons-linter")).arg(&xpi),
    )
}

/// Every kind of UserOperation the wallet sends, as `bundler.rs` names them: the end-to-end
/// run must have sent each through the devnet's ERC-7562 guard. (Validation depends on whether
/// the operation deploys the account, on its signer, and for sessions on the calls; a passkey
/// operation's calls do not change its validation, so not every call of every kind is listed.)
const OPERATION_KINDS: &[&str] = &[
    "passkey deploying: transfer",
    "passkey deploying: batch",
    "passkey deploying: installModule on the account",
    "passkey deploying sponsored: call",
    "passkey: transfer",
    "passkey: batch",
    "passkey: call",
    "passkey: installModule on the account",
    "passkey: createSession on the session validator",
    "passkey: revokeKey on the session validator",
    "passkey: addValidationKey on the passkey validator",
    "passkey: removeValidationKey on the passkey validator",
    "session: transfer",
    "session: call",
    "session: batch",
];

/// Shows what the devnet's ERC-7562 guard checked in the end-to-end run, and fails unless every
/// kind of operation the wallet sends was checked, with no rule broken.
fn erc7562_coverage(report: &std::path::Path) -> Result {
    let checked = crate::bundler::checked(report);
    // Operations the bundler accepted, by kind (what the wallet really sent), and how many of
    // all checked broke a rule (only `erc7562.test.mjs` sends rule breakers, on purpose).
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut refused = 0;
    let unchecked = unchecked_but_accepted(&checked);
    for op in &checked {
        if op["violations"].as_array().is_some_and(|v| !v.is_empty()) {
            refused += 1;
        }
        if op["accepted"] == true {
            *kinds
                .entry(op["kind"].as_str().unwrap_or("?").to_owned())
                .or_default() += 1;
        }
    }
    println!("\n== ERC-7562 rules, checked on every UserOperation the end-to-end run sent");
    for (kind, count) in &kinds {
        println!("{count:>5} × {kind}");
    }
    println!("{refused:>5} refused for breaking a rule (erc7562.test.mjs sends one on purpose)");
    let missing: Vec<&&str> = OPERATION_KINDS
        .iter()
        .filter(|kind| !kinds.contains_key(**kind))
        .collect();
    if !missing.is_empty() || refused != 1 || unchecked > 0 {
        return Err(format!(
            "ERC-7562: {refused} operation(s) broke a rule (expected exactly the test's one); {unchecked} accepted unchecked; kinds never checked: {missing:?}"
        ));
    }
    Ok(())
}

/// How many operations the bundler accepted that the guard could not check.
fn unchecked_but_accepted(checked: &[serde_json::Value]) -> usize {
    checked
        .iter()
        .filter(|op| op["kind"] == "unchecked" && op["accepted"] == true)
        .count()
}

/// The guardian-recovery operations (`recovery.test.mjs`, on the second devnet): each must have
/// been checked there.
const RECOVERY_KINDS: &[&str] = &[
    "passkey deploying: batch",
    "passkey: setGuardians on the recovery module",
    "passkey: approve on the recovery module",
    "passkey: cancelRecovery on the recovery module",
    "recovery finalizer: approveWithSignatures on the recovery module",
    "recovery finalizer: finalize on the recovery module",
];

/// A chain other than the main devnet (`chain` names it): every operation sent there was
/// checked, none broke a rule, and each of the `required` kinds was among them.
fn erc7562_clean(chain: &str, report: &std::path::Path, required: &[&str]) -> Result {
    let checked = crate::bundler::checked(report);
    let broken = checked
        .iter()
        .filter(|op| op["violations"].as_array().is_some_and(|v| !v.is_empty()))
        .count();
    let unchecked = unchecked_but_accepted(&checked);
    println!(
        "{:>5} operation(s) checked on {chain}, {broken} broke a rule, {unchecked} accepted unchecked",
        checked.len()
    );
    let missing: Vec<&&str> = required
        .iter()
        .filter(|kind| {
            !checked
                .iter()
                .any(|op| op["accepted"] == true && op["kind"] == **kind)
        })
        .collect();
    if broken > 0 || unchecked > 0 || checked.is_empty() || !missing.is_empty() {
        return Err(format!(
            "ERC-7562 on {chain}: {} checked, {broken} broke a rule, {unchecked} accepted unchecked, kinds never checked: {missing:?}",
            checked.len()
        ));
    }
    Ok(())
}

/// The public-chain profile: a chain that behaves like Sepolia (chain id 11155111, a block
/// every 2 s), its contracts put there by the deploy command's code through a stand-in for a
/// public RPC (`public_rpc.rs`: 1,000-block log queries, no `anvil_*` / `pimlico_*` /
/// `eth_simulateV1`, 50 ms, some 429s), alto reaching the node through the same stand-in, the
/// wallet reaching the bundler through one that answers only ERC-7769 methods; the wallet's
/// main flows (`tests/public-chain/`), once with the P-256 precompile (Osaka) and once without
/// (Prague) behind a node that refuses JSON-RPC batches, and every operation they sent checked
/// against ERC-7562 with no rule broken.
fn public_chain(chromium: &PathBuf, dapp_port: u16) -> Result {
    for (label, hardfork, refuses_batches) in [
        ("osaka", None, false),
        (
            "prague: no P-256 precompile, a node that refuses batches",
            Some("prague"),
            true,
        ),
    ] {
        println!("\n== public-chain profile ({label})");
        let dir = root().join(format!(
            "target/public-chain-{}",
            hardfork.unwrap_or("osaka")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let chain = devnet::start_chain(
            &devnet::ChainSpec {
                chain_id: 11_155_111,
                block_time: Some(2),
                hardfork,
                public: true,
                refuses_batches,
                starts_behind: 0,
            },
            Ports {
                rpc: proc::free_port()?,
                bundler: proc::free_port()?,
                paymaster: 0,
            },
            dir.clone(),
        )?;
        let mut node = Command::new("node");
        node.args(["--test", "--test-reporter=spec"])
            .arg(root().join("tests/public-chain/flows.test.mjs"));
        node_env(&mut node, &chain, dapp_port, chromium);
        let outcome = proc::run("public-chain flows", &mut node);
        drop(chain);
        outcome?;
        erc7562_clean(
            &format!("the public-chain stand-in ({label})"),
            &dir.join("erc7562.jsonl"),
            &[],
        )?;
    }
    Ok(())
}

/// Port of the demo dapp.
const DEMO_DAPP_PORT: u16 = 5173;

/// `cargo xtask demo`.
pub fn demo(exit: bool) -> Result {
    build::run()?;
    let chromium = setup::chromium()?;
    let dapp = bundle_dapp()?;
    println!("demo: starting the devnet");
    let devnet = devnet::start(
        Ports {
            rpc: 8545,
            bundler: 4337,
            paymaster: crate::networks::LOCAL_PAYMASTER_PORT,
        },
        root().join("target/devnet"),
    )?;
    let dapp_port = serve::start(dapp, DEMO_DAPP_PORT)?;
    let dapp_url = format!("http://127.0.0.1:{dapp_port}/");
    println!("demo: dapp at {dapp_url}");
    let headed = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty()) && !exit;
    if headed {
        let profile = root().join("target/demo/profile");
        let ext = build::extension_dir();
        let mut browser = Command::new(&chromium);
        browser
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--disable-extensions-except={}", ext.display()))
            .arg(format!("--load-extension={}", ext.display()))
            .args([
                "--no-first-run",
                "--disable-background-networking",
                "--disable-sync",
            ])
            .arg(&dapp_url);
        let log = root().join("target/demo/chromium.log");
        std::fs::create_dir_all(root().join("target/demo")).map_err(|e| e.to_string())?;
        let _browser = proc::spawn("chromium", browser, &log)?;
        println!("demo: Chromium is open with SSO Wallet; ^C stops everything");
        devnet::wait_for_signal()?;
    } else {
        let mut node = Command::new("node");
        node.arg(root().join("tests/demo/demo.mjs"));
        node_env(&mut node, &devnet, dapp_port, &chromium);
        step("headless demo", &mut node)?;
        println!("demo: screenshots in target/demo/");
        if !exit {
            println!(
                "demo: the devnet stays up at http://127.0.0.1:8545 (bundler :4337); ^C stops it"
            );
            devnet::wait_for_signal()?;
        }
    }
    drop(devnet);
    Ok(())
}

/// Decisions per chunk of `cargo xtask differential`: anvil slows down as a chain grows (its
/// blocks take longer the more state there is), so each chunk runs on a fresh devnet.
const DIFFERENTIAL_CHUNK: usize = 5_000;

/// `cargo xtask differential --cases N`: the session differential test (policy engine vs the
/// deployed `SessionKeyValidator`) with `cases` decisions, in chunks of
/// [`DIFFERENTIAL_CHUNK`], each with its own seed on a fresh devnet (free ports); prints the
/// total decisions, disagreements and time.
pub fn differential(cases: usize) -> Result {
    setup::npm()?;
    contracts::build()?;
    let started = std::time::Instant::now();
    let (mut decided, mut disagreements) = (0usize, 0usize);
    let chunks = cases.div_ceil(DIFFERENTIAL_CHUNK).max(1);
    for chunk in 0..chunks {
        let size = DIFFERENTIAL_CHUNK.min(cases - chunk * DIFFERENTIAL_CHUNK);
        let devnet = devnet::start(
            Ports {
                rpc: proc::free_port()?,
                bundler: proc::free_port()?,
                paymaster: 0,
            },
            root().join("target/differential-devnet"),
        )?;
        println!(
            "\n== differential chunk {}/{chunks}: {size} cases, seed {chunk}",
            chunk + 1
        );
        let output = Command::new("cargo")
            .args([
                "test",
                "--quiet",
                "-p",
                "sso-wallet",
                "--test",
                "session_differential",
            ])
            .args(["--", "--ignored", "--nocapture"])
            .env("SSO_DEVNET_JSON", &devnet.info_path)
            .env("SSO_DIFFERENTIAL_CASES", size.to_string())
            .env("SSO_DIFFERENTIAL_SEED", chunk.to_string())
            .current_dir(root())
            .output()
            .map_err(|e| format!("cargo test: {e}"))?;
        drop(devnet);
        let text = String::from_utf8_lossy(&output.stdout);
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        if !output.status.success() {
            return Err(format!("differential chunk {} failed", chunk + 1));
        }
        // "session differential: N decisions over … , D disagreements, in S s"
        let summary = text
            .lines()
            .find(|l| l.starts_with("session differential:"))
            .ok_or("the differential test printed no summary")?;
        let number_before = |word: &str| -> Option<usize> {
            let at = summary.find(word)?;
            summary[..at].split_whitespace().last()?.parse().ok()
        };
        decided += number_before(" decisions").ok_or("no decision count")?;
        disagreements += number_before(" disagreements").ok_or("no disagreement count")?;
    }
    println!(
        "\nsession differential, all chunks: {decided} decisions, {disagreements} disagreements, in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask gas`: the figures of docs/gas.md, measured as the `gasUsed` of real `handleOps`
/// transactions on a fresh devnet (free ports).
pub fn gas() -> Result {
    setup::npm()?;
    contracts::build()?;
    let devnet = devnet::start(
        Ports {
            rpc: proc::free_port()?,
            bundler: proc::free_port()?,
            paymaster: 0,
        },
        root().join("target/gas-devnet"),
    )?;
    let outcome = step(
        "gas (handleOps on anvil)",
        Command::new("node")
            .arg(root().join("tests/gas/measure.mjs"))
            .arg("--markdown")
            .env("SSO_DEVNET_JSON", &devnet.info_path),
    );
    drop(devnet);
    outcome
}

/// `cargo xtask deploy` run the way a release engineer runs it, against a bare anvil that no
/// devnet script prepared (chain id 11155111): a dry run sends nothing; a run with the key in
/// the environment deploys everything and stakes the factory, recording blocks where the code
/// appeared; a second run, with the key in a keystore, sends nothing and finds the same blocks;
/// code at a planned address that is not this build's is refused; a key on the command line or
/// no key at all is refused.
fn deploy_check() -> Result {
    println!("\n== cargo xtask deploy on a bare chain (dry run, deploy, again: nothing to send)");
    let dir = root().join("target/deploy-check");
    let _ = std::fs::remove_dir_all(&dir);
    let port = proc::free_port()?;
    // A block every second: the command waits for each transaction as on a public chain.
    let spec = devnet::ChainSpec {
        block_time: Some(1),
        ..devnet::ChainSpec::devnet(11_155_111)
    };
    let (_anvil, config) = devnet::start_anvil(&spec, port, &dir)?;
    let url = format!("http://127.0.0.1:{port}");
    let (deployer, key) = config.account(0)?;
    let (_, addresses) = contracts::plan()?;
    let nonce = || -> Result<String> {
        Ok(crate::jsonrpc::rpc(
            &url,
            "eth_getTransactionCount",
            serde_json::json!([deployer, "latest"]),
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned())
    };
    let code_at = |address: alloy_primitives::Address, block: &str| -> Result<usize> {
        Ok(
            crate::jsonrpc::rpc(&url, "eth_getCode", serde_json::json!([address, block]))?
                .as_str()
                .map_or(0, |c| c.len().saturating_sub(2) / 2),
        )
    };
    let deploy = |args: &[&str], env: &[(&str, &str)]| -> Result<(bool, String)> {
        let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
        command
            .args(["deploy", "--rpc-url", &url])
            .args(args)
            .env_remove("SSO_DEPLOYER_KEY")
            .env_remove("SSO_DEPLOYER_PASSWORD");
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        print!("{text}");
        Ok((output.status.success(), text))
    };
    let expect = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("deploy check: {what}"))
        }
    };
    let record_path = dir.join("deployment.json");
    let out = record_path.to_string_lossy().into_owned();

    let (ok, text) = deploy(&["--dry-run", "--out", &out], &[("SSO_DEPLOYER_KEY", &key)])?;
    expect(ok, "the dry run failed")?;
    expect(
        text.matches("would send: ").count() == 7,
        "the dry run lists 6 deployments and the stake",
    )?;
    expect(
        text.contains("total cost ≤ "),
        "the dry run gives the total cost",
    )?;
    expect(
        nonce()? == "0x0" && code_at(addresses.account_factory, "latest")? == 0,
        "the dry run sent nothing",
    )?;

    let (ok, text) = deploy(&[], &[("SSO_DEPLOYER_KEY", "not-a-key")])?;
    expect(
        !ok && text.contains("SSO_DEPLOYER_KEY is not a private key"),
        "a bad key is refused",
    )?;
    let (ok, text) = deploy(&["--private-key", &key], &[])?;
    expect(
        !ok && text.contains("no key on the command line"),
        "a key on the command line is refused",
    )?;
    let (ok, text) = deploy(&[], &[])?;
    expect(
        !ok && text.contains("no deployer key"),
        "a run without a key is refused",
    )?;

    let (ok, text) = deploy(&["--out", &out], &[("SSO_DEPLOYER_KEY", &key)])?;
    expect(ok, "the first run failed")?;
    expect(
        text.matches("sent, in block").count() == 7,
        "the first run deploys 6 contracts and stakes",
    )?;
    expect(nonce()? == "0x7", "the first run sent 7 transactions")?;
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record_path).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let blocks = first["deploymentBlocks"]
        .as_object()
        .ok_or("no deploymentBlocks")?;
    expect(blocks.len() == 6, "the record has a block per contract")?;
    for (name, block) in blocks {
        let block = block.as_u64().ok_or("a deployment block is not a number")?;
        let address: alloy_primitives::Address =
            serde_json::from_value(first["contracts"][name].clone()).map_err(|e| e.to_string())?;
        expect(
            code_at(address, &format!("{block:#x}"))? > 0
                && code_at(address, &format!("{:#x}", block - 1))? == 0,
            &format!("{name}'s code appears in its recorded block {block}"),
        )?;
    }

    let keystores = dir.join("keystores");
    std::fs::create_dir_all(&keystores).map_err(|e| e.to_string())?;
    proc::run(
        "cast wallet import",
        Command::new(setup::node_bin("cast"))
            .args([
                "wallet",
                "import",
                "deployer",
                "--private-key",
                &key,
                "--unsafe-password",
                "check",
            ])
            .arg("--keystore-dir")
            .arg(&keystores),
    )?;
    let keystore = keystores.join("deployer").to_string_lossy().into_owned();
    let (ok, text) = deploy(
        &["--keystore", &keystore, "--out", &out],
        &[("SSO_DEPLOYER_PASSWORD", "check")],
    )?;
    expect(ok, "the second run failed")?;
    expect(
        text.matches("already deployed (code matches this build")
            .count()
            == 6,
        "the second run finds every contract",
    )?;
    expect(
        text.contains("AccountFactory already staked") && text.contains("nothing to send"),
        "the second run sends nothing",
    )?;
    expect(nonce()? == "0x7", "the second run sent nothing")?;
    let second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record_path).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    expect(
        second["deploymentBlocks"] == first["deploymentBlocks"],
        "the second run finds the same deployment blocks",
    )?;

    // Someone else's code where this build's should be: refused, not used.
    let code = crate::jsonrpc::rpc(
        &url,
        "eth_getCode",
        serde_json::json!([addresses.session_key_validator, "latest"]),
    )?;
    let code = code.as_str().ok_or("no code")?;
    let tampered = format!(
        "0x{:02x}{}",
        u8::from_str_radix(&code[2..4], 16).map_err(|e| e.to_string())? ^ 1,
        &code[4..]
    );
    crate::jsonrpc::rpc(
        &url,
        "anvil_setCode",
        serde_json::json!([addresses.session_key_validator, tampered]),
    )?;
    let (ok, text) = deploy(&["--out", &out], &[("SSO_DEPLOYER_KEY", &key)])?;
    expect(
        !ok && text.contains("is not this build's SessionKeyValidator"),
        "other code at a planned address is refused",
    )?;
    println!("deploy check: passed");
    Ok(())
}
