//! `cargo xtask build`: contracts, the two wasm crates (release → wasm-bindgen `--target web` →
//! `wasm-opt -Oz`), the hand-written JS and static files, `networks.json` with the deterministic
//! contract addresses, the manifest → `dist/extension/` (a dev build: the local devnet first),
//! and a store-ready zip in `dist/` (the public testnets only, starting on Ethereum Sepolia);
//! then the same files as a Firefox add-on → `dist/extension-firefox/` and an `.xpi` for
//! addons.mozilla.org ([`firefox_manifest`]). [`sizes`] measures what it shipped (benchmarks, CI
//! budget).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::contracts::{self, Addresses};
use crate::networks::{self, Build};
use sso_wallet::relying_party;

use crate::{Result, proc, root, setup};

/// Output folder of the unpacked extension.
pub fn extension_dir() -> PathBuf {
    root().join("dist/extension")
}

const WASM_CRATES: &[(&str, &str)] = &[
    ("sso-wallet-extension", "background"),
    ("sso-wallet-ui", "ui"),
];

/// wasm-opt settings (Debian's old binaryen breaks Chromium; the npm one is pinned).
pub const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds everything; returns the contract addresses written into `networks.json`.
pub fn run() -> Result<Addresses> {
    setup::wasm_toolchain()?;
    setup::npm()?;
    contracts::build()?;
    let (_, addresses) = contracts::plan()?;

    println!("build: wasm crates (release)");
    let mut cargo = Command::new("cargo");
    cargo.args(["build", "--release", "--target", "wasm32-unknown-unknown"]);
    for (krate, _) in WASM_CRATES {
        cargo.args(["-p", krate]);
    }
    proc::run("cargo build (wasm)", cargo.current_dir(root()))?;

    let out = extension_dir();
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("clean {}: {e}", out.display()))?;
    }
    let wasm_out = out.join("wasm");
    fs::create_dir_all(&wasm_out).map_err(|e| e.to_string())?;
    for (krate, name) in WASM_CRATES {
        let input = root().join(format!(
            "target/wasm32-unknown-unknown/release/{}.wasm",
            krate.replace('-', "_")
        ));
        proc::run(
            "wasm-bindgen",
            Command::new(setup::wasm_bindgen_path())
                .args([
                    "--target",
                    "web",
                    "--no-typescript",
                    "--out-name",
                    name,
                    "--out-dir",
                ])
                .arg(&wasm_out)
                .arg(&input),
        )?;
        let wasm = wasm_out.join(format!("{name}_bg.wasm"));
        proc::run(
            "wasm-opt",
            Command::new(setup::node_bin("wasm-opt"))
                .args(WASM_OPT_FLAGS)
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
        )?;
    }

    copy_dir(&root().join("extension/js"), &out)?;
    copy_dir(&root().join("extension/static"), &out)?;
    write_home_page(&out)?;
    write_json(
        &out.join("networks.json"),
        &networks::shipped(&addresses, Build::Dev)?,
    )?;
    let manifest = read_manifest()?;
    write_json(&out.join("manifest.json"), &manifest)?;
    let store_networks = networks::shipped(&addresses, Build::Store)?;
    let version = env!("CARGO_PKG_VERSION");
    // The Chrome Web Store rejects a manifest `key` (the store assigns the id).
    let mut store_manifest = manifest.clone();
    store_manifest.as_object_mut().map(|m| m.remove("key"));
    let zip = root().join(format!("dist/sso-wallet-{version}.zip"));
    package(&out, &zip, &store_manifest, &store_networks)?;
    println!("build: dist/extension ready; store zip {}", zip.display());

    let firefox = firefox_dir();
    if firefox.exists() {
        fs::remove_dir_all(&firefox).map_err(|e| format!("clean {}: {e}", firefox.display()))?;
    }
    copy_dir(&out, &firefox)?;
    let firefox_manifest = firefox_manifest(&manifest)?;
    write_json(&firefox.join("manifest.json"), &firefox_manifest)?;
    let xpi = root().join(format!("dist/sso-wallet-{version}.xpi"));
    package(&firefox, &xpi, &firefox_manifest, &store_networks)?;
    println!(
        "build: dist/extension-firefox ready; add-on package {}",
        xpi.display()
    );
    Ok(addresses)
}

/// Output folder of the unpacked Firefox add-on.
pub fn firefox_dir() -> PathBuf {
    root().join("dist/extension-firefox")
}

/// The Firefox add-on's manifest, from the Chromium one: the same files and permissions, with
/// what Firefox needs instead of what only Chrome reads.
/// - The background runs as an event page (`background.scripts`): Firefox refuses a
///   `service_worker` alone.
/// - A fixed add-on id (`browser_specific_settings.gecko.id`): it fixes the WebAuthn origin of
///   every Firefox passkey (`relying_party::firefox_origin`), and the minimum version measured.
/// - The passkeys' relying-party domain in `host_permissions`: a `moz-extension://` page may only
///   claim an `rp.id` listed there (`relying_party::FIREFOX_RP_ID`).
/// - No `key` or `minimum_chrome_version`.
pub fn firefox_manifest(chromium: &Value) -> Result<Value> {
    let mut manifest = chromium.clone();
    let fields = manifest
        .as_object_mut()
        .ok_or("manifest.json is not an object")?;
    let script = chromium["background"]["service_worker"]
        .as_str()
        .ok_or("manifest.json names no background service_worker")?;
    fields.remove("key");
    fields.remove("minimum_chrome_version");
    fields.insert(
        "background".into(),
        json!({ "scripts": [script], "type": chromium["background"]["type"] }),
    );
    fields.insert(
        "browser_specific_settings".into(),
        json!({ "gecko": {
            "id": relying_party::FIREFOX_ADDON_ID,
            "strict_min_version": FIREFOX_MIN_VERSION,
            // The add-on sends nothing about the user anywhere (AMO asks every new add-on).
            "data_collection_permissions": { "required": ["none"] },
        } }),
    );
    let hosts = fields
        .get_mut("host_permissions")
        .and_then(Value::as_array_mut)
        .ok_or("manifest.json has no host_permissions list")?;
    hosts.push(json!(format!("https://{}/*", relying_party::FIREFOX_RP_ID)));
    Ok(manifest)
}

/// The oldest Firefox the add-on declares: the ESR line that has everything it uses (MV3 event
/// pages, `world: "MAIN"` content scripts, `storage.session`, extension-page WebAuthn with a
/// listed `rp.id`, `data_collection_permissions`). Tested on Firefox ESR 153.
const FIREFOX_MIN_VERSION: &str = "142.0";

/// `home.html` (the toolbar popup) is `approval.html` with `<body data-page="home">`: one page
/// source, two entry points of the same UI bundle.
fn write_home_page(out: &std::path::Path) -> Result {
    let approval = std::fs::read_to_string(out.join("approval.html"))
        .map_err(|e| format!("reading approval.html: {e}"))?;
    let home = approval.replacen("<body>", "<body data-page=\"home\">", 1);
    if home == approval {
        return Err(
            "extension/static/approval.html has no plain <body> to mark as the home page".into(),
        );
    }
    std::fs::write(out.join("home.html"), home).map_err(|e| format!("writing home.html: {e}"))?;
    Ok(())
}

fn read_manifest() -> Result<Value> {
    let text = fs::read_to_string(root().join("manifest.json"))
        .map_err(|e| format!("manifest.json: {e}"))?;
    let mut manifest: Value =
        serde_json::from_str(&text).map_err(|e| format!("manifest.json: {e}"))?;
    // Stamp the build: the version comes from the core crate.
    manifest["version"] = json!(env!("CARGO_PKG_VERSION"));
    Ok(manifest)
}

/// Writes pretty JSON.
pub fn write_json(path: &Path, value: &Value) -> Result {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// Copies a folder's files (recursively) into `to`.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Zips the unpacked extension `dir` into `path` for a store, with the store's `manifest` and
/// `networks` (the public testnets only) in place of the dev build's.
fn package(dir: &Path, path: &Path, manifest: &Value, networks: &Value) -> Result {
    let file = fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut all = Vec::new();
    files(dir, &mut all)?;
    for file in all {
        let name = file
            .strip_prefix(dir)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let bytes = if name == "manifest.json" {
            serde_json::to_vec_pretty(manifest).map_err(|e| e.to_string())?
        } else if name == "networks.json" {
            serde_json::to_vec_pretty(networks).map_err(|e| e.to_string())?
        } else {
            fs::read(&file).map_err(|e| e.to_string())?
        };
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(())
}

/// The size of `bytes` gzipped at the best level (how the benchmarks and the CI budget count).
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("in-memory write");
    encoder.finish().expect("in-memory write").len()
}

/// The gzip size of the `.wasm` files among `files` (from [`sizes`]), summed: "total shipped
/// wasm", as the benchmarks and the CI budget count it.
pub fn wasm_gzip_total(files: &[Value]) -> usize {
    files
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|n| n.ends_with(".wasm")))
        .filter_map(|f| f["gzip"].as_u64())
        .sum::<u64>() as usize
}

/// The raw and gzip size of every `.wasm` and `.js` file under `dir` (names prefixed with
/// `prefix`), as `{file, bytes, gzip}`.
pub fn sizes(dir: &Path, prefix: &str, out: &mut Vec<Value>) -> Result {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = format!(
            "{prefix}{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        if path.is_dir() {
            sizes(&path, &format!("{name}/"), out)?;
        } else if name.ends_with(".wasm") || name.ends_with(".js") {
            let bytes = fs::read(&path).map_err(|e| e.to_string())?;
            out.push(json!({"file": name, "bytes": bytes.len(), "gzip": gzip_len(&bytes)}));
        }
    }
    Ok(())
}
