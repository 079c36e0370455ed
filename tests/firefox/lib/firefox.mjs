// Headless Firefox (Debian firefox-esr) with the wallet's Firefox add-on, driven by puppeteer-core
// over WebDriver BiDi — the one way the Firefox tests do it (../../../../shared/docs/toolchain.md,
// *Firefox*, has the measured facts this follows):
// - the add-on is installed temporarily from `dist/extension-firefox` (BiDi `webExtension.install`),
//   with a fixed UUID so its pages' URLs are known;
// - passkeys come from a virtual authenticator added through Marionette (no WebDriver session of
//   its own: Marionette shares the BiDi one);
// - puppeteer never sees an extension page finish loading, so pages are found by their
//   `location.href` and driven with `evaluate`;
// - the background event page is stopped the way Firefox stops an idle one, from the browser's
//   chrome context (`--remote-allow-system-access`);
// - Firefox may linger after `close()`: its PID is killed.
import { connect, createServer } from "node:net";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { DAPP, devnet } from "../../e2e/lib/harness.mjs";

/** The add-on id of `dist/extension-firefox` (`relying_party::FIREFOX_ADDON_ID`). */
export const ADDON_ID = "wallet@sso-wallet.app";
/** The UUID the tests give the add-on, so its pages live at a known `moz-extension://` URL. */
const UUID = "5f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
export const EXTENSION_ORIGIN = `moz-extension://${UUID}`;
/** The origin Firefox writes into the wallet's passkey assertions: SHA-256 of the add-on id, a–p. */
export const WEBAUTHN_ORIGIN = "moz-extension://nhlblpnfjhgomebdgpnjbboieaokioolbpeakllpkkfncdhgkefcopnjhlefdcfl";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the Firefox tests through \`cargo xtask test\``);
  return value;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A Marionette client (length-prefixed JSON over TCP) for the WebAuthn commands BiDi lacks. */
class Marionette {
  static async connect(port) {
    for (let i = 0; i < 100; i += 1) {
      try {
        const socket = await new Promise((resolve, reject) => {
          const s = connect(port, "127.0.0.1", () => resolve(s));
          s.once("error", reject);
        });
        const client = new Marionette(socket);
        await client.hello;
        return client;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`Marionette did not answer on port ${port}`);
  }

  constructor(socket) {
    this.socket = socket;
    this.next = 1;
    this.waiting = new Map();
    let buffer = Buffer.alloc(0);
    this.hello = new Promise((resolve) => (this.greeted = resolve));
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const colon = buffer.indexOf(":");
        if (colon < 0) return;
        const length = Number(buffer.subarray(0, colon).toString());
        if (buffer.length < colon + 1 + length) return;
        const message = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString());
        buffer = buffer.subarray(colon + 1 + length);
        if (!Array.isArray(message)) {
          this.greeted(message);
          continue;
        }
        const [, id, error, result] = message;
        const waiter = this.waiting.get(id);
        this.waiting.delete(id);
        if (error) waiter?.reject(new Error(`Marionette: ${error.error}: ${error.message}`));
        else waiter?.resolve(result);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error("Marionette closed"));
      this.waiting.clear();
    });
  }

  send(command, params = {}) {
    const id = this.next++;
    const body = JSON.stringify([0, id, command, params]);
    this.socket.write(`${Buffer.byteLength(body)}:${body}`);
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  close() {
    this.socket.destroy();
  }
}

/** Polls `check` (async, truthy = done) every 100 ms for up to `ms`; throws `what` on timeout. */
export async function until(check, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The text of the first element with `data-testid` `id` (waits for it). */
export function text(page, id) {
  return until(
    () => page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id).then((t) => t ?? undefined),
    `[data-testid="${id}"]`,
  ).catch((e) => {
    throw new Error(`${e.message} in ${page.url()}`);
  });
}

/** Clicks the first element with `data-testid` `id` once it exists and is enabled. */
export async function click(page, id) {
  await until(
    () =>
      page.evaluate((id) => {
        const element = document.querySelector(`[data-testid="${id}"]`);
        if (!element || element.disabled) return false;
        element.click();
        return true;
      }, id),
    `an enabled [data-testid="${id}"]`,
  );
}

/** Types `value` into the `data-testid` input of a Firefox page as a user would (input events). */
export async function fill(page, id, value) {
  await until(
    () =>
      page.evaluate(
        ([id, value]) => {
          const input = document.querySelector(`[data-testid="${id}"]`);
          if (!input) return false;
          input.value = value;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.dispatchEvent(new Event("change", { bubbles: true }));
          return true;
        },
        [id, value],
      ),
    `[data-testid="${id}"]`,
  );
}

/** Waits for an element matching `selector`. */
export function waitFor(page, selector, ms) {
  return until(() => page.evaluate((s) => document.querySelector(s) !== null, selector), selector, ms);
}

const APPROVAL_READY = '[data-testid="approve"], [data-testid="create-passkey"], [data-testid="unlock"]';

/** The wallet as a Firefox add-on in its own headless Firefox and profile. */
export class FirefoxWallet {
  /** Launches Firefox with the add-on, pointed at the devnet (its ports change every run). */
  static async launch() {
    const dir = await mkdtemp(join(tmpdir(), "sso-wallet-firefox-"));
    let browser;
    let pid;
    try {
      const extension = join(dir, "extension");
      await cp(env("SSO_FIREFOX_EXTENSION_DIR"), extension, { recursive: true });
      const networks = structuredClone(devnet.networks);
      for (const n of networks.networks) delete n.sponsorUrl;
      await writeFile(join(extension, "networks.json"), JSON.stringify(networks));
      const marionettePort = await freePort();
      browser = await puppeteer.launch({
        browser: "firefox",
        executablePath: env("SSO_FIREFOX"),
        headless: true,
        userDataDir: join(dir, "profile"),
        args: ["--marionette", "--remote-allow-system-access"],
        extraPrefsFirefox: {
          "security.webauth.webauthn_enable_softtoken": true,
          "security.webauth.webauthn_enable_usbtoken": false,
          "marionette.port": marionettePort,
          "extensions.webextensions.uuids": JSON.stringify({ [ADDON_ID]: UUID }),
        },
      });
      pid = browser.process()?.pid;
      const id = await browser.installExtension(extension);
      if (id !== ADDON_ID) throw new Error(`the add-on installed as ${id}, not ${ADDON_ID}`);
      const marionette = await Marionette.connect(marionettePort);
      const { value: authenticator } = await marionette.send("WebAuthn:AddVirtualAuthenticator", {
        protocol: "ctap2_1",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserConsenting: true,
        isUserVerified: true,
      });
      return new FirefoxWallet(dir, browser, pid, marionette, authenticator);
    } catch (e) {
      await closeBrowser(browser, pid);
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  constructor(dir, browser, pid, marionette, authenticator) {
    this.dir = dir;
    this.browser = browser;
    this.pid = pid;
    this.marionette = marionette;
    this.authenticator = authenticator;
    /** Every page (tab or window) opened since launch: the wallet's windows among them. */
    this.pagesOpened = 0;
    browser.on("targetcreated", () => (this.pagesOpened += 1));
  }

  async close() {
    this.marionette.close();
    await closeBrowser(this.browser, this.pid);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The passkeys the virtual authenticator holds (`credentialId` base64url, `rpId`, …). */
  async credentials() {
    const { value } = await this.marionette.send("WebAuthn:GetCredentials", { authenticatorId: this.authenticator });
    return value;
  }

  /**
   * Puts a passkey (as `credentials()` returns it, with its private key) into this browser's
   * authenticator: another device where the synced passkey appeared.
   */
  async addCredential(credential) {
    await this.marionette.send("WebAuthn:AddCredential", { authenticatorId: this.authenticator, credentials: credential });
  }

  /** Opens the demo dapp and waits for the wallet's EIP-6963 announcement. */
  async openDapp(url = DAPP) {
    const page = await this.browser.newPage();
    await page.goto(url);
    await until(() => page.evaluate(() => Boolean(window.dapp?.provider)), "the wallet's EIP-6963 announcement");
    return page;
  }

  /** The open pages of the add-on whose URL starts with `path`, with what they show. */
  async extensionPages(path) {
    const found = [];
    for (const page of await this.browser.pages()) {
      const shown = await page
        .evaluate(() => ({ href: location.href, approvalId: document.querySelector("main")?.dataset.approvalId ?? null }))
        .catch(() => null);
      if (shown?.href.startsWith(`${EXTENSION_ORIGIN}/${path}`)) found.push({ page, ...shown });
    }
    return found;
  }

  /**
   * Runs `trigger`, then returns the approval window that shows what it asked (a new window, or
   * the open one showing a new request). A request refused before any window showed it fails
   * with its answer.
   */
  async approval(trigger) {
    const before = new Map((await this.extensionPages("approval.html")).map((p) => [p.page, p.approvalId]));
    const pending = trigger();
    let answeredEarly = null;
    Promise.resolve(pending).then(
      (value) => {
        if (value?.error) answeredEarly = new Error(`refused before any window showed it: ${JSON.stringify(value)}`);
      },
      (e) => (answeredEarly = new Error(`failed before any window showed it: ${e?.message ?? e}`)),
    );
    const page = await until(async () => {
      if (answeredEarly) throw answeredEarly;
      for (const shown of await this.extensionPages("approval.html")) {
        const fresh = !before.has(shown.page);
        const changed = shown.approvalId !== null && shown.approvalId !== before.get(shown.page);
        if ((fresh || changed) && (await shown.page.evaluate((s) => document.querySelector(s) !== null, APPROVAL_READY))) return shown.page;
      }
      return null;
    }, "an approval window").catch((e) => {
      throw answeredEarly ?? e;
    });
    return { page, pending };
  }

  /**
   * Opens the home page (what the toolbar button shows) in a tab. Navigation to an extension page
   * never reports its load to puppeteer: the tab is found by its URL.
   */
  async openHome() {
    const page = await this.browser.newPage();
    page.goto(`${EXTENSION_ORIGIN}/home.html`).catch(() => {});
    await until(
      () => page.evaluate((s) => location.href.includes("/home.html") && document.querySelector(s) !== null, '[data-testid="tabs"], [data-testid="no-account"], [data-testid="locked"]'),
      "the home page",
    );
    return page;
  }

  /**
   * Stops the background event page as Firefox does when it idles (from the browser's chrome
   * context); the next message starts it again.
   */
  async stopBackground() {
    const connection = this.browser.connection;
    const tree = await connection.send("browsingContext.getTree", { "moz:scope": "chrome" });
    const context = tree.result.contexts[0].context;
    const { result } = await connection.send("script.evaluate", {
      expression: `(async () => {
        const extension = WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).extension;
        await extension.terminateBackground({ disableResetIdleForTest: true });
        return extension.backgroundState;
      })()`,
      target: { context },
      awaitPromise: true,
    });
    if (result.type !== "success" || result.result.value !== "stopped") {
      throw new Error(`the background did not stop: ${JSON.stringify(result)}`);
    }
  }
}

async function closeBrowser(browser, pid) {
  await Promise.race([browser?.close().catch(() => {}), sleep(5_000)]);
  await sleep(500);
  if (pid) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
