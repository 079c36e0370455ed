//! `cargo xtask bench [--compare FILE]`: criterion micro-benchmarks of the core, the size of every
//! shipped file (raw and gzip), the store zip, the wasm size the session policy engine adds, the
//! gas table and the browser figures (`tests/bench/browser.mjs`) — written to
//! `target/bench/results.json` and printed as a table; with `--compare`, each headline figure
//! beside a saved `results.json` ([`compare`]).

mod compare;

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::{Result, build, devnet, proc, root, serve, setup, test};

/// Median of a criterion benchmark, in nanoseconds.
fn criterion_median(group_and_name: &str) -> Result<f64> {
    let path = root()
        .join("target/criterion")
        .join(group_and_name)
        .join("new/estimates.json");
    let json: Value = serde_json::from_str(
        &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
    )
    .map_err(|e| e.to_string())?;
    json.pointer("/median/point_estimate")
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("{}: no median", path.display()))
}

const ENGINE_PROBE: &str = r#"
use alloy_sol_types::SolValue;
use sso_wallet::session::spec::SessionSpec;

/// Decodes a spec (and, in the "with" build, evaluates a call against it) from linear memory.
#[unsafe(no_mangle)]
pub extern "C" fn probe(ptr: *const u8, len: usize, now: u64) -> u32 {
    let input = unsafe { std::slice::from_raw_parts(ptr, len) };
    let Ok(spec) = SessionSpec::abi_decode(input) else { return 2 };
    EVALUATE
}
"#;

fn engine_size(with_engine: bool) -> Result<(usize, usize)> {
    let name = if with_engine { "with" } else { "without" };
    let dir = root().join("target/bench/engine-size").join(name);
    fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"engine-size-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\nsso-wallet = {{ path = \"{root}\" }}\nalloy-sol-types = \"1.7\"\nalloy-primitives = \"1.7\"\n\n\
         [profile.release]\nopt-level = \"z\"\nlto = true\ncodegen-units = 1\npanic = \"abort\"\n\n[workspace]\n",
        root = root().display()
    );
    fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    let evaluate = if with_engine {
        "{ let call = sso_wallet::erc7579::Call { to: spec.signer, value: alloy_primitives::U256::from(now), data: input[..4].to_vec().into() };\n    \
         let ctx = sso_wallet::session::policy::Circumstances { fee: Some(alloy_primitives::U256::from(now)), now, clock: now };\n    \
         sso_wallet::session::policy::evaluate(&spec, &Default::default(), &[call], ctx).map(|a| a.period_ids.len() as u32).unwrap_or(1) }"
    } else {
        "{ let _ = now; spec.callPolicies.len() as u32 }"
    };
    fs::write(
        dir.join("src/lib.rs"),
        ENGINE_PROBE.replace("EVALUATE", evaluate),
    )
    .map_err(|e| e.to_string())?;
    let target = root().join("target/bench/engine-size/target");
    proc::run(
        "cargo build (engine size probe)",
        Command::new("cargo")
            .args([
                "build",
                "--quiet",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&dir),
    )?;
    let wasm = target.join(format!(
        "wasm32-unknown-unknown/release/engine_size_{name}.wasm"
    ));
    let optimized = dir.join("probe.wasm");
    proc::run(
        "wasm-opt (engine size probe)",
        Command::new(setup::node_bin("wasm-opt"))
            .args(build::WASM_OPT_FLAGS)
            .arg(&wasm)
            .arg("-o")
            .arg(&optimized),
    )?;
    let bytes = fs::read(&optimized).map_err(|e| e.to_string())?;
    Ok((bytes.len(), build::gzip_len(&bytes)))
}

/// The figures that need a devnet, measured on one fresh devnet: the gas table of docs/gas.md
/// (`tests/gas/measure.mjs`, first, so the chain is as `cargo xtask gas` sees it), then the browser
/// figures (`tests/bench/browser.mjs`): round trips against a bare echo extension built in the same
/// run, cold start, approval window, passkey and session transactions, worker heap.
fn devnet_figures() -> Result<(Value, Value)> {
    println!("bench: gas and browser figures (devnet, headless Chromium)");
    let chromium = setup::chromium()?;
    let dapp = test::bundle_dapp()?;
    let devnet = devnet::start(
        devnet::Ports {
            rpc: proc::free_port()?,
            bundler: proc::free_port()?,
            paymaster: 0,
        },
        root().join("target/bench/devnet"),
    )?;
    let gas_out = root().join("target/bench/gas.json");
    let gas = proc::run(
        "gas (handleOps on anvil)",
        Command::new("node")
            .arg(root().join("tests/gas/measure.mjs"))
            .arg("--markdown")
            .arg("--json")
            .arg(&gas_out)
            .env("SSO_DEVNET_JSON", &devnet.info_path),
    );
    let dapp_port = serve::start(dapp, 0)?;
    let out = root().join("target/bench/browser.json");
    let mut node = Command::new("node");
    node.arg(root().join("tests/bench/browser.mjs"))
        .arg("--out")
        .arg(&out);
    test::node_env(&mut node, &devnet, dapp_port, &chromium);
    let outcome = proc::run("browser benchmarks", &mut node);
    drop(devnet);
    gas?;
    outcome?;
    let read = |path: &Path| -> Result<Value> {
        serde_json::from_str(&fs::read_to_string(path).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    Ok((read(&out)?, read(&gas_out)?))
}

/// The gas figures as table rows, each against its reference (ZKsync SSO, same measurement).
fn gas_rows(gas: &Value) {
    let Some(labels) = gas["labels"].as_object() else {
        return;
    };
    for (name, label) in labels {
        let Some(used) = gas["figures"][name].as_f64() else {
            continue;
        };
        let label = label.as_str().unwrap_or(name);
        match (gas["reference"][name].as_f64(), gas["goals"][name].as_f64()) {
            (Some(reference), Some(goal)) => {
                let ratio = used / reference;
                let verdict = if ratio <= goal { "✓" } else { "✗" };
                println!(
                    "| gas: {label} | {used:.0} ({ratio:.2}× ZKsync SSO {reference:.0}) | ≤ {goal}× {verdict} |"
                );
            }
            _ => println!("| gas: {label} | {used:.0} | |"),
        }
    }
}

/// `cargo xtask bench`; `compare_with`: a saved `results.json` to print this run against.
pub fn run(compare_with: Option<&str>) -> Result {
    // Read first: a missing or broken file fails now, not after the whole run.
    let saved = compare_with
        .map(|path| -> Result<(String, Value)> {
            let text = fs::read_to_string(path).map_err(|e| format!("--compare {path}: {e}"))?;
            let value =
                serde_json::from_str(&text).map_err(|e| format!("--compare {path}: {e}"))?;
            Ok((path.to_owned(), value))
        })
        .transpose()?;
    build::run()?;
    println!("bench: criterion (core)");
    proc::run(
        "cargo bench",
        Command::new("cargo")
            .args(["bench", "--quiet", "-p", "sso-wallet", "--bench", "core"])
            .current_dir(root()),
    )?;
    let policy_ns = criterion_median("session policy/evaluate, 10-policy session")?;
    let hash_ns = criterion_median("userOpHash (v0.8, EIP-712)")?;
    let encode_ns = criterion_median("passkey signature encoding")?;
    let session_sign_ns = criterion_median("session key restore + sign")?;
    println!("bench: wasm size added by the session policy engine");
    let (with_raw, with_gz) = engine_size(true)?;
    let (without_raw, without_gz) = engine_size(false)?;
    let (browser, gas) = devnet_figures()?;
    let mut files = Vec::new();
    build::sizes(&build::extension_dir(), "", &mut files)?;
    let wasm_gzip = build::wasm_gzip_total(&files);
    let zip = root().join(format!("dist/sso-wallet-{}.zip", env!("CARGO_PKG_VERSION")));
    let zip_bytes = fs::metadata(&zip).map(|m| m.len()).unwrap_or_default();
    let results = json!({
        "machine": {"cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)},
        "core": {
            "policyEvaluateNs": policy_ns,
            "policyEvaluationsPerSecond": 1e9 / policy_ns,
            "userOpHashNs": hash_ns,
            "passkeySignatureEncodingNs": encode_ns,
            "sessionKeySignNs": session_sign_ns,
        },
        "engineWasm": {"withBytes": with_raw, "withoutBytes": without_raw, "addedBytes": with_raw as i64 - without_raw as i64,
                        "addedGzip": with_gz as i64 - without_gz as i64},
        "files": files,
        "shippedWasmGzip": wasm_gzip,
        "storeZipBytes": zip_bytes,
        "browser": browser,
        "gas": gas,
    });
    let out = root().join("target/bench/results.json");
    fs::create_dir_all(out.parent().unwrap_or(Path::new("."))).map_err(|e| e.to_string())?;
    build::write_json(&out, &results)?;

    println!("\n| figure | value | goal |\n|---|---:|---|");
    println!(
        "| policy evaluation, 10-policy session | {:.0} ns ({:.2} M/s) | ≥ 1 M/s |",
        policy_ns,
        1e3 / policy_ns
    );
    println!("| userOpHash (v0.8) | {:.0} ns | |", hash_ns);
    println!("| passkey signature encoding | {:.0} ns | |", encode_ns);
    println!(
        "| session key restored + userOpHash signed | {:.0} ns | |",
        session_sign_ns
    );
    println!(
        "| wasm added by the policy engine | {} B ({} B gzip) | |",
        with_raw as i64 - without_raw as i64,
        with_gz as i64 - without_gz as i64
    );
    for f in &files {
        println!(
            "| {} | {} B ({} B gzip) | |",
            f["file"].as_str().unwrap_or(""),
            f["bytes"],
            f["gzip"]
        );
    }
    println!("| total shipped wasm (gzip) | {wasm_gzip} B | ≤ 400 KB |");
    println!("| store zip | {zip_bytes} B | |");
    gas_rows(&gas);
    println!("\nbench: wrote {}", out.display());
    if let Some((path, saved)) = saved {
        println!("\nbench: this run against {path}\n");
        print!(
            "{}",
            compare::table(&compare::rows(&saved, &results), "saved")
        );
    }
    Ok(())
}
