// End-to-end harness: the built extension in headless Chromium against the devnet that
// `cargo xtask test` started (SSO_DEVNET_JSON), with a CDP virtual authenticator on every
// approval window. Credentials created in one window are imported into the next, as a synced
// passkey would be. Everything it starts it closes, also on failure.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AUTHENTICATOR, launchWithExtension } from "./chromium.mjs";
import { createPublicClient, http, parseAbi, parseEther, zeroHash } from "viem";

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests through \`cargo xtask test\``);
  return value;
}

export const devnet = JSON.parse(await readFile(env("SSO_DEVNET_JSON"), "utf8"));
export const dappPort = Number(env("SSO_DAPP_PORT"));
/** The demo dapp at two different origins. */
export const DAPP = `http://127.0.0.1:${dappPort}/`;
export const OTHER_DAPP = `http://localhost:${dappPort}/`;
/** The devnet as a viem chain, for the dapp's calls that name one (`sendCalls`). */
export const ANVIL = { id: 31337, name: "Local devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } };
export const chain = createPublicClient({ transport: http(devnet.rpcUrl) });

/** JSON-RPC straight to the node (not through the wallet). */
export function nodeRpc(method, params = []) {
  return jsonRpc(devnet.rpcUrl, method, params);
}

/** JSON-RPC to `url`; throws the node's error message. */
export async function jsonRpc(url, method, params = []) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const json = await response.json();
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result;
}

/** Deploys a fresh instance of a forge artifact (`contracts/out/<name>.sol/<name>.json`) from the devnet's funder. */
export async function deployArtifact(name) {
  const artifact = JSON.parse(await readFile(new URL(`../../../contracts/out/${name}.sol/${name}.json`, import.meta.url), "utf8"));
  const hash = await nodeRpc("eth_sendTransaction", [{ from: devnet.funder.address, data: artifact.bytecode.object, gas: "0x2dc6c0" }]);
  const receipt = await chain.waitForTransactionReceipt({ hash });
  return receipt.contractAddress;
}

/** Deploys a fresh TestERC20 (symbol TST, 18 decimals, public mint) from the devnet's funder. */
export function deployTestToken() {
  return deployArtifact("TestERC20");
}

/** A credential id as the authenticators give it (base64 or base64url) in hex, as the contracts take it. */
export const b64ToHex = (b64) => `0x${Buffer.from(b64, "base64").toString("hex")}`;

/** The P-256 public key (x, y) of a CDP credential, from its PKCS#8 private key. */
export function publicKeyOf(credential) {
  const key = createPrivateKey({ key: Buffer.from(credential.privateKey, "base64"), format: "der", type: "pkcs8" });
  const jwk = createPublicKey(key).export({ format: "jwk" });
  return [jwk.x, jwk.y].map((c) => `0x${Buffer.from(c, "base64url").toString("hex")}`);
}

/** The factory's counterfactual address for a passkey of this extension (Chromium). */
export function factoryAddress(credential, extensionId) {
  return factoryAddressAt(credential, `chrome-extension://${extensionId}`);
}

/** The factory's counterfactual address for a passkey whose assertions carry `origin`. */
export async function factoryAddressAt(credential, origin) {
  return chain.readContract({
    address: devnet.contracts.accountFactory,
    abi: parseAbi(["function getAddress(bytes32,bytes,bytes32[2],string) view returns (address)"]),
    functionName: "getAddress",
    args: [zeroHash, b64ToHex(credential.credentialId), publicKeyOf(credential), origin],
  });
}

export class Wallet {
  /**
   * Launches a wallet; `rpcUrl` / `bundlerUrl` replace the default network's node / bundler (e.g.
   * with public-RPC stand-ins); `networks` replaces the whole network list. The devnet names its
   * own sponsor (an ERC-7677 service paying every fee); tests pay their own fees, as on a network
   * without one, unless `sponsored`.
   */
  static async launch({ rpcUrl, bundlerUrl, networks: list, sponsored = false } = {}) {
    const dir = await mkdtemp(join(tmpdir(), "sso-wallet-e2e-"));
    const extension = join(dir, "extension");
    await cp(env("SSO_EXTENSION_DIR"), extension, { recursive: true });
    // The devnet runs on free ports: point the default network at them.
    const networks = structuredClone(list ?? devnet.networks);
    const network = networks.networks.find((n) => n.chainId === networks.defaultChainId);
    if (rpcUrl) network.rpcUrl = rpcUrl;
    if (bundlerUrl) network.bundlerUrl = bundlerUrl;
    if (!sponsored) for (const n of networks.networks) delete n.sponsorUrl;
    await writeFile(join(extension, "networks.json"), JSON.stringify(networks));
    try {
      const { context, extensionId } = await launchWithExtension({
        profile: join(dir, "profile"),
        extension,
        executablePath: env("SSO_CHROMIUM"),
      });
      return new Wallet(dir, context, extensionId);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * A wallet onboarded from the demo dapp: launched, passkey created, connected, and the account
   * funded with `ether` on the devnet. Closes the browser if any step fails.
   */
  static async onboarded(ether = "1", options = {}) {
    const wallet = await Wallet.launch(options);
    try {
      const dapp = await wallet.openDapp(DAPP);
      const account = await wallet.connect(dapp);
      await nodeRpc("anvil_setBalance", [account, `0x${parseEther(ether).toString(16)}`]);
      return { wallet, dapp, account };
    } catch (e) {
      await wallet.close();
      throw e;
    }
  }

  constructor(dir, context, extensionId) {
    this.dir = dir;
    this.context = context;
    this.extensionId = extensionId;
    /** Credentials the virtual authenticators created (with private keys), to import into new windows. */
    this.credentials = [];
    this.approvalWindows = 0;
    context.on("page", (page) => {
      if (page.url().startsWith(`chrome-extension://${extensionId}/approval.html`)) this.approvalWindows += 1;
    });
  }

  async close() {
    await this.context.close().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Opens the demo dapp at `url` and waits for the wallet's EIP-6963 announcement. */
  async openDapp(url = DAPP) {
    const page = await this.context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.dapp?.provider);
    return page;
  }

  /** Onboards from `dapp` (create passkey + connect) and returns the account address. */
  async connect(dapp) {
    const { page, pending } = await this.approval(() => dapp.evaluate(() => window.dapp.wallet.requestAddresses()));
    await page.getByTestId("create-passkey").click();
    await page.getByTestId("account-address").waitFor();
    await page.getByTestId("approve").click();
    const [account] = await pending;
    return account;
  }

  /**
   * Runs `trigger`, then returns the approval window that shows what it asked: a new window (an
   * authenticator is attached), or the one already open when the request arrived while it was
   * still up (the wallet brings it to the front and shows the new request there).
   */
  async approval(trigger) {
    const prefix = `chrome-extension://${this.extensionId}/approval.html`;
    const open = this.context.pages().filter((p) => p.url().startsWith(prefix) && !p.isClosed());
    const shown = await Promise.all(open.map((p) => p.evaluate(() => document.querySelector("main")?.dataset.approvalId ?? null).catch(() => null)));
    const opened = this.context.waitForEvent("page", { timeout: 15_000 }).then((page) => ({ page, fresh: true }));
    const reused = open.map((page, i) =>
      page
        .waitForFunction((before) => {
          const id = document.querySelector("main")?.dataset.approvalId;
          return id !== undefined && id !== before;
        }, shown[i], { timeout: 15_000 })
        .then(() => ({ page, fresh: false })),
    );
    const pending = trigger();
    // A request refused before any window showed it says why: fail with that, not with the
    // window's timeout. (A trigger that settles at once — a click — waits for the window.)
    const answered = Promise.resolve(pending).then(
      (value) => {
        if (value?.error) throw new Error(`refused before any window showed it: ${JSON.stringify(value)}`);
        return new Promise(() => {});
      },
      (e) => {
        throw new Error(`failed before any window showed it: ${e?.message ?? e}`);
      },
    );
    const shownPage = Promise.any([opened, ...reused]).catch((e) => {
      throw e.errors?.[0] ?? e;
    });
    const { page, fresh } = await Promise.race([shownPage, answered]);
    if (fresh) {
      await page.waitForURL(/approval\.html/);
      await this.attachAuthenticator(page);
    }
    await page.locator('[data-testid="approve"], [data-testid="create-passkey"], [data-testid="unlock"]').first().waitFor();
    return { page, pending };
  }

  /**
   * Opens the home page (what the toolbar button shows) in a tab, with an authenticator attached:
   * one holding the wallet's passkeys, or with `newAuthenticator` an empty one (another device,
   * where a new passkey is created). `tab` opens that view (`account`, `activity`, `sessions`,
   * `settings`) through the address's hash, as a link would.
   */
  async openHome({ query = "", tab = "", newAuthenticator = false } = {}) {
    const page = await this.context.newPage();
    await page.goto(`chrome-extension://${this.extensionId}/home.html${query}${tab ? `#${tab}` : ""}`);
    await this.attachAuthenticator(page, newAuthenticator ? [] : this.credentials);
    await page.locator('[data-testid="tabs"], [data-testid="no-account"], [data-testid="locked"]').first().waitFor();
    return page;
  }

  async attachAuthenticator(page, credentials = this.credentials) {
    const cdp = await this.context.newCDPSession(page);
    await cdp.send("WebAuthn.enable", { enableUI: false });
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: AUTHENTICATOR });
    cdp.on("WebAuthn.credentialAdded", ({ credential }) => this.credentials.push(credential));
    for (const credential of [...credentials]) {
      await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
    }
  }

  /** The running service worker's start-up marks (`globalThis.__ssoStartup`, background.js). */
  async startupMarks() {
    const prefix = `chrome-extension://${this.extensionId}/`;
    for (let attempt = 0; attempt < 50; attempt++) {
      for (const worker of this.context.serviceWorkers().filter((w) => w.url().startsWith(prefix))) {
        const marks = await worker.evaluate(() => JSON.parse(JSON.stringify(globalThis.__ssoStartup))).catch(() => null);
        if (marks) return marks;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("no running service worker to read");
  }

  /** Stops the extension's service worker (CDP), as Chrome does when it idles. */
  async stopWorker() {
    const page = await this.context.newPage();
    try {
      await page.goto(`chrome-extension://${this.extensionId}/manifest.json`);
      const cdp = await this.context.newCDPSession(page);
      await cdp.send("ServiceWorker.enable");
      await cdp.send("ServiceWorker.stopAllWorkers");
    } finally {
      await page.close();
    }
  }
}

/**
 * The params of an ERC-7715 `wallet_requestExecutionPermissions` for an SSO session that may send
 * ETH to `to` only: at most `perUse` wei each, `total` wei over its life, `feeLimit` wei of fees,
 * until `expiry` (Unix seconds).
 */
export function transferSessionRequest({ chainId = devnet.chainId, account, to, perUse, total, feeLimit, expiry, justification }) {
  return [
    {
      chainId: `0x${chainId.toString(16)}`,
      from: account,
      permission: {
        type: "sso-session",
        isAdjustmentAllowed: false,
        data: {
          ...(justification ? { justification } : {}),
          feeLimit: { type: "lifetime", limit: feeLimit.toString() },
          transfers: [{ to, maxValuePerUse: perUse.toString(), valueLimit: { type: "lifetime", limit: total.toString() } }],
        },
      },
      rules: [{ type: "expiry", data: { timestamp: expiry } }],
    },
  ];
}

/** The `networks.json` the build shipped (`dist/extension`: the local devnet first, then the public presets). */
export async function builtNetworks() {
  return JSON.parse(await readFile(join(env("SSO_EXTENSION_DIR"), "networks.json"), "utf8"));
}

/**
 * Starts a bare anvil (nothing deployed) with `chainId` on a free loopback port; resolves to
 * `{ url, close }`. `close` stops it by its PID.
 */
export async function startBareChain(chainId) {
  const port = await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  // Its states on disk in a folder of its own, removed once it exits (anvil's default,
  // ~/.foundry/anvil/tmp, keeps them after it is stopped).
  const states = await mkdtemp(join(tmpdir(), "sso-wallet-anvil-"));
  const anvil = spawn(
    fileURLToPath(new URL("../../../node_modules/.bin/anvil", import.meta.url)),
    ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--cache-path", states],
    { stdio: "ignore" },
  );
  anvil.once("exit", () => rm(states, { recursive: true, force: true }).catch(() => {}));
  const url = `http://127.0.0.1:${port}`;
  const close = () => {
    if (anvil.exitCode === null) anvil.kill("SIGTERM");
  };
  for (let i = 0; i < 100; i += 1) {
    try {
      await jsonRpc(url, "eth_chainId");
      return { url, close };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  close();
  throw new Error("the bare anvil did not start");
}

/** Shows the home page's `name` tab (`account`, `activity`, `sessions`, `settings`) as a click would. */
export async function showTab(home, name) {
  await home.getByTestId(`tab-${name}`).click();
  await home.getByTestId(`panel-${name}`).waitFor();
}

/** Where the e2e run writes screenshots for review. */
export const SCREENSHOTS = fileURLToPath(new URL("../../../target/screenshots/", import.meta.url));

/** Saves a full-page screenshot of `page` as `<name>.png` in {@link SCREENSHOTS}. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Calls the injected provider in `page`; resolves to {result} or {error: {code, message}}. */
export function request(page, method, params) {
  return page.evaluate(
    ([method, params]) =>
      window.ethereum.request(params === undefined ? { method } : { method, params }).then(
        (result) => ({ result }),
        (e) => ({ error: { code: e.code, message: e.message } }),
      ),
    [method, params],
  );
}
