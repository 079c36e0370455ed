//! Installs what the other commands need, idempotently and from the package registries only:
//! the wasm target (rustup), the wasm-bindgen CLI matching the pinned crate (crates.io), the
//! JavaScript tools of `package-lock.json` (npm), Chromium and Firefox ESR (Debian).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, proc, root};

/// Everything.
pub fn all() -> Result {
    wasm_toolchain()?;
    npm()?;
    chromium()?;
    firefox().map(|_| ())
}

/// The wasm32 target and the wasm-bindgen CLI.
pub fn wasm_toolchain() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        println!("setup: adding the wasm32-unknown-unknown target");
        proc::run(
            "rustup target add",
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        )?;
    }
    let wanted = pinned_wasm_bindgen()?;
    let have = Command::new(wasm_bindgen_path())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if have != format!("wasm-bindgen {wanted}") {
        println!("setup: installing wasm-bindgen-cli {wanted} (once, a few minutes)");
        // Not --locked: a locked dependency version is missing from the registry mirror.
        proc::run(
            "cargo install wasm-bindgen-cli",
            Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wanted]),
        )?;
    }
    Ok(())
}

/// The wasm-bindgen CLI binary cargo installs.
pub fn wasm_bindgen_path() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    cargo_home.join("bin").join("wasm-bindgen")
}

/// The wasm-bindgen version in Cargo.lock (the crate is pinned with `=`).
fn pinned_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// `npm ci` when `node_modules` does not match `package-lock.json`.
pub fn npm() -> Result {
    let root = root();
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    if is_newer(&installed, &lock) {
        return Ok(());
    }
    println!(
        "setup: npm ci (anvil, forge, solc, alto, playwright-core, puppeteer-core, addons-linter, esbuild, binaryen, viem, mipd)"
    );
    proc::run(
        "npm ci",
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&root),
    )
}

fn is_newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

/// Debian Chromium: returns the browser binary, installing the package when missing.
pub fn chromium() -> Result<PathBuf> {
    debian_browser("chromium", "/usr/lib/chromium/chromium")
}

/// Debian Firefox ESR: returns the browser binary, installing the package when missing.
pub fn firefox() -> Result<PathBuf> {
    debian_browser("firefox-esr", "/usr/lib/firefox-esr/firefox-esr")
}

fn debian_browser(package: &str, binary: &str) -> Result<PathBuf> {
    let binary = PathBuf::from(binary);
    if binary.exists() {
        return Ok(binary);
    }
    println!("setup: installing Debian {package}");
    proc::run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    proc::run(
        &format!("apt-get install {package}"),
        Command::new("apt-get")
            .args(["install", "-y", "-qq", package])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    if binary.exists() {
        Ok(binary)
    } else {
        Err(format!(
            "{package} installed but {} is missing",
            binary.display()
        ))
    }
}

/// A binary from `node_modules/.bin`.
pub fn node_bin(name: &str) -> PathBuf {
    root().join("node_modules/.bin").join(name)
}
