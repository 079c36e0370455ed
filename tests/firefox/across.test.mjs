// One account in both browsers: created in Chrome (Chromium, the extension as relying party), then
// used from Firefox (the add-on's domain as relying party). Each browser's wallet signs for its own
// origin, so Firefox makes a passkey of its own for the account and shows its code; Chrome adds
// it from the code with a passkey approval that says where it comes from; Firefox then logs in
// with it (as with any passkey added to an account: shown and confirmed) and sends. Chrome lists
// the Firefox passkey with its origin; a cut code or one for another account is refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAddress, parseAbi, parseEther, toHex } from "viem";
import { Wallet, b64ToHex, chain, devnet, publicKeyOf, request } from "../e2e/lib/harness.mjs";
import { FirefoxWallet, WEBAUTHN_ORIGIN, click, fill, text, until, waitFor } from "./lib/firefox.mjs";

const VALIDATOR = parseAbi(["function getAccountKey(string originDomain, bytes credentialId, address account) view returns (bytes32[2])"]);

describe("one account in Chrome and Firefox", () => {
  let chrome;
  let chromeDapp;
  let account;
  let firefox;
  let code;

  before(async () => {
    ({ wallet: chrome, dapp: chromeDapp, account } = await Wallet.onboarded("5"));
    firefox = await FirefoxWallet.launch();
  });
  after(async () => {
    await chrome?.close();
    await firefox?.close();
  });

  it("Firefox makes a passkey of its own for the Chrome account and shows its code", async () => {
    const home = await firefox.openHome();
    await fill(home, "link-account", account);
    await click(home, "link-create");
    code = await until(() => home.evaluate(() => document.querySelector('[data-testid="link-code"]')?.value || null), "the passkey code", 60_000);
    assert.match(code, /^sso-wallet-passkey-1:[A-Za-z0-9_-]+$/);
    const [credential] = await firefox.credentials();
    assert.equal(credential.rpId, "sso-wallet.app");
  });

  it("Chrome refuses a cut code, with the reason", async () => {
    const home = await chrome.openHome({ tab: "settings" });
    await home.getByTestId("link-add-section").locator("summary").click();
    await home.getByTestId("link-paste").fill(code.slice(0, -6));
    await home.getByTestId("link-add").click();
    await home.getByTestId("error").waitFor();
    assert.match(await home.getByTestId("error").textContent(), /not a passkey code/);
    await home.close();
  });

  it("Chrome adds it from the code, showing it is Firefox's, and lists it with its origin", async () => {
    const home = await chrome.openHome({ tab: "settings" });
    await home.getByTestId("link-add-section").locator("summary").click();
    await home.getByTestId("link-paste").fill(code);
    const { page } = await chrome.approval(() => home.getByTestId("link-add").click());
    assert.equal(await page.getByTestId("passkey-title").textContent(), "Add this passkey to your account?");
    assert.match(await page.getByTestId("passkey-origin").textContent(), new RegExp(`Firefox's SSO Wallet.*${WEBAUTHN_ORIGIN}`));
    assert.match(await page.getByTestId("passkey-elsewhere-warning").textContent(), /made in another browser/);
    await page.getByTestId("approve").click();
    const [credential] = await firefox.credentials();
    const id = b64ToHex(credential.credentialId);
    const key = () =>
      chain.readContract({ address: devnet.contracts.webauthnValidator, abi: VALIDATOR, functionName: "getAccountKey", args: [WEBAUTHN_ORIGIN, id, account] });
    await until(async () => (await key())[0] !== `0x${"0".repeat(64)}`, "the Firefox passkey on chain", 60_000);
    assert.deepEqual(await key(), publicKeyOf(credential));
    assert.ok(await chain.getCode({ address: account }), "the same operation deployed the account");
    // Chrome's list shows both passkeys, the Firefox one as Firefox's.
    const listed = home.locator(`[data-testid="passkey"][data-origin="${WEBAUTHN_ORIGIN}"]`);
    for (let i = 0; i < 50 && (await listed.count()) === 0; i += 1) {
      await home.getByTestId("refresh-sessions").click();
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await listed.getAttribute("data-credential-id"), id);
    assert.equal(await listed.getByTestId("passkey-browser").textContent(), " · Firefox's SSO Wallet");
    assert.equal(await home.locator('[data-testid="passkey"]').count(), 2);
    await home.close();
  });

  it("Firefox logs in with its passkey, confirming the account, and sends from it", async () => {
    const dapp = await firefox.openDapp();
    const { page, pending } = await firefox.approval(() => dapp.evaluate(() => window.dapp.wallet.requestAddresses()));
    // The account was not created by this passkey: the wallet asks before using it.
    await page.evaluate(() => {
      window.confirm = (question) => {
        window.__asked = question;
        return true;
      };
    });
    await click(page, "login");
    await waitFor(page, '[data-testid="account-address"]', 60_000);
    assert.match(await page.evaluate(() => window.__asked), new RegExp(`added to the account ${getAddress(account)}`));
    assert.equal((await text(page, "account-address")).toLowerCase(), account.toLowerCase());
    await click(page, "approve");
    assert.deepEqual((await pending).map((a) => a.toLowerCase()), [account.toLowerCase()]);

    const to = getAddress("0x" + "c7".repeat(20));
    const sent = await firefox.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.01")) }]));
    await click(sent.page, "approve");
    const { result, error } = await sent.pending;
    assert.ok(result, JSON.stringify(error));
    assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");
    assert.equal(await chain.getBalance({ address: to }), parseEther("0.01"));
    // Chrome still signs for the same account with its own passkey.
    const fromChrome = await chrome.approval(() => request(chromeDapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.01")) }]));
    await fromChrome.page.getByTestId("approve").click();
    const chromeSent = await fromChrome.pending;
    assert.ok(chromeSent.result, JSON.stringify(chromeSent.error));
    assert.equal((await chain.getTransactionReceipt({ hash: chromeSent.result })).status, "success");
    assert.equal(await chain.getBalance({ address: to }), parseEther("0.02"));
  });

  it("a code is only good for its own account", async () => {
    const other = await Wallet.onboarded("1");
    try {
      const home = await other.wallet.openHome({ tab: "settings" });
      await home.getByTestId("link-add-section").locator("summary").click();
      await home.getByTestId("link-paste").fill(code);
      await home.getByTestId("link-add").click();
      await home.getByTestId("error").waitFor();
      assert.match(await home.getByTestId("error").textContent(), new RegExp(`for the account ${getAddress(account)}, not this one`));
    } finally {
      await other.wallet.close();
    }
  });
});
