// The wallet as a Firefox add-on, end to end in headless Firefox ESR: onboarding with a passkey
// (relying party: the add-on's listed domain), a viem dapp finding it through EIP-6963, a passkey
// transfer that deploys the account (its key bound on chain to Firefox's WebAuthn origin), a
// signature viem verifies against the contract, a session that sends 3 transfers without a
// window, an EIP-5792 batch, the home page and its lock, logging in from a new profile with the
// same passkey, and an approval left open while Firefox stops the background event page.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatEther, getAddress, parseAbi, parseEther, toHex } from "viem";
import { ANVIL, DAPP, b64ToHex, chain, devnet, factoryAddressAt, nodeRpc, publicKeyOf, request, transferSessionRequest } from "../e2e/lib/harness.mjs";
import { FirefoxWallet, WEBAUTHN_ORIGIN, click, text, until, waitFor } from "./lib/firefox.mjs";

const VALIDATOR = parseAbi([
  "function getAccountKey(string originDomain, bytes credentialId, address account) view returns (bytes32[2])",
]);

describe("Firefox: the wallet as an add-on", () => {
  let wallet;
  let dapp;
  let account;
  let credential;
  let context; // the session granted

  before(async () => {
    wallet = await FirefoxWallet.launch();
    dapp = await wallet.openDapp();
  });
  after(async () => {
    await wallet?.close();
  });

  /** Sends `value` wei to `to` from the dapp with viem, approving in the window with the passkey. */
  async function sendWithPasskey(to, value) {
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(
        ([account, to, value]) => window.dapp.wallet.sendTransaction({ account, to, value: BigInt(value), chain: null }).then((hash) => ({ hash }), (e) => ({ error: e.shortMessage ?? e.message })),
        [account, to, value.toString()],
      ),
    );
    return { page, pending };
  }

  it("onboards with a passkey for the add-on's domain and connects a viem dapp found through EIP-6963", async () => {
    assert.equal(await dapp.evaluate(() => window.dapp.info.rdns), "dev.ssowallet");
    const { page, pending } = await wallet.approval(() => dapp.evaluate(() => window.dapp.wallet.requestAddresses()));
    assert.equal(await text(page, "approval-origin"), new URL(DAPP).origin);
    await click(page, "create-passkey");
    await waitFor(page, '[data-testid="account-address"]', 60_000);
    await click(page, "approve");
    [account] = await pending;
    const credentials = await wallet.credentials();
    assert.equal(credentials.length, 1, "the authenticator holds the new passkey");
    [credential] = credentials;
    assert.equal(credential.rpId, "sso-wallet.app", "Firefox passkeys belong to the add-on's listed domain");
    // The account is the factory's address for this passkey bound to Firefox's WebAuthn origin.
    assert.equal(getAddress(account), await factoryAddressAt(credential, WEBAUTHN_ORIGIN));
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [account.toLowerCase()] });
    await nodeRpc("anvil_setBalance", [account, toHex(parseEther("10"))]);
  });

  it("sends ETH with the passkey, deploying the account, its key bound to Firefox's origin", async () => {
    const recipient = getAddress("0x" + "f1".repeat(20));
    assert.equal(await chain.getCode({ address: account }), undefined, "not deployed yet");
    const { page, pending } = await sendWithPasskey(recipient, parseEther("0.25"));
    assert.match(await text(page, "approval-origin"), /127\.0\.0\.1/);
    // Firefox lets content scripts into storage.local: the wallet keeps nothing there, its state
    // lives in the add-on origin's IndexedDB.
    const stored = await page.evaluate(async () => ({
      local: Object.keys(await chrome.storage.local.get(null)),
      indexedDb: await new Promise((resolve, reject) => {
        const open = indexedDB.open("sso-wallet");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction("state").objectStore("state").getAllKeys();
          keys.onsuccess = () => resolve(keys.result);
        };
      }),
    }));
    assert.deepEqual(stored.local, []);
    assert.ok(stored.indexedDb.includes("wallet"), JSON.stringify(stored.indexedDb));
    await click(page, "approve");
    const { hash, error } = await pending;
    assert.ok(hash, error);
    const receipt = await chain.getTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(await chain.getBalance({ address: recipient }), parseEther("0.25"));
    assert.ok(await chain.getCode({ address: account }), "deployed by the first operation");
    const id = b64ToHex(credential.credentialId);
    const key = await chain.readContract({ address: devnet.contracts.webauthnValidator, abi: VALIDATOR, functionName: "getAccountKey", args: [WEBAUTHN_ORIGIN, id, account] });
    assert.deepEqual(key, publicKeyOf(credential));
  });

  it("signs a message that viem verifies against the account (ERC-1271)", async () => {
    const message = "Sign in to the demo dapp from Firefox\nnonce: 7";
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(([account, message]) => window.dapp.wallet.signMessage({ account, message }), [account, message]),
    );
    await click(page, "approve");
    const signature = await pending;
    assert.match(signature, /^0x[0-9a-f]+$/);
    assert.equal(await chain.verifyMessage({ address: account, message, signature }), true);
    assert.equal(await chain.verifyMessage({ address: account, message: `${message}!`, signature }), false);
  });

  it("approves a session once, then sends 3 transfers without a window", async () => {
    const to = getAddress("0x" + "f2".repeat(20));
    const expiry = Number((await chain.getBlock()).timestamp) + 3600;
    const params = transferSessionRequest({ account, to, perUse: parseEther("0.01"), total: parseEther("0.05"), feeLimit: parseEther("1"), expiry });
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_requestExecutionPermissions", params));
    assert.equal(await text(page, "session-title"), "Allow this site to act without asking?");
    await click(page, "approve");
    const granted = await pending;
    assert.ok(granted.result, JSON.stringify(granted.error));
    context = granted.result[0].context;
    const opened = wallet.pagesOpened;
    for (let i = 0; i < 3; i += 1) {
      const sent = await request(dapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.01")) }]);
      assert.match(sent.result ?? JSON.stringify(sent.error), /^0x[0-9a-f]{64}$/, `transfer ${i}`);
      assert.equal((await chain.getTransactionReceipt({ hash: sent.result })).status, "success");
    }
    assert.equal(wallet.pagesOpened, opened, "no window opened for the covered transfers");
    assert.equal(await chain.getBalance({ address: to }), parseEther("0.03"));
    // Over the per-use limit: the passkey window, with the reason.
    const over = await wallet.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.02")) }]));
    assert.match(await text(over.page, "session-fallback"), /0\.02|20000000000000000/);
    await click(over.page, "reject");
    assert.equal((await over.pending).error.code, 4001);
  });

  it("sends an EIP-5792 batch of three calls in one operation, approved once", async () => {
    const recipients = ["0x" + "b1".repeat(20), "0x" + "b2".repeat(20), "0x" + "b3".repeat(20)].map(getAddress);
    const amounts = [parseEther("0.001"), parseEther("0.002"), parseEther("0.003")];
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(
        ([account, recipients, amounts, chain]) => window.dapp.wallet.sendCalls({ account, chain, calls: recipients.map((to, i) => ({ to, value: BigInt(amounts[i]) })) }),
        [account, recipients, amounts.map(String), ANVIL],
      ),
    );
    assert.equal(await text(page, "tx-title"), "Send 3 calls (all or nothing)");
    await click(page, "approve");
    const { id } = await pending;
    const status = await dapp.evaluate((id) => window.dapp.wallet.waitForCallsStatus({ id, timeout: 60_000 }), id);
    assert.equal(status.status, "success");
    assert.equal(status.receipts.length, 1, "one UserOp, one receipt");
    for (const [i, to] of recipients.entries()) assert.equal(await chain.getBalance({ address: to }), amounts[i]);
  });

  it("shows the account on the home page, and its lock holds an approval until the passkey unlocks", async () => {
    const home = await wallet.openHome();
    assert.equal((await text(home, "home-address")).toLowerCase(), account.toLowerCase());
    assert.equal(await text(home, "native-balance-exact"), `${formatEther(await chain.getBalance({ address: account }))} ETH`);
    assert.equal(await text(home, "deployed-status"), "Yes");
    await click(home, "tab-settings");
    await click(home, "lock-enabled");
    await click(home, "save-lock");
    await click(home, "lock-now");
    await waitFor(home, '[data-testid="locked"]');
    await home.close();
    const to = getAddress("0x" + "f2".repeat(20)); // the session's recipient
    const before = await chain.getBalance({ address: to });
    // Covered by the session, but a locked wallet signs nothing: the window asks to unlock first.
    const { page, pending } = await wallet.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.001")) }]));
    await click(page, "unlock");
    assert.match(await text(page, "session-fallback"), /locked/);
    await click(page, "approve");
    const { result } = await pending;
    assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");
    assert.equal((await chain.getBalance({ address: to })) - before, parseEther("0.001"));
  });

  it("logs in from a new Firefox profile holding the same passkey, and sends with it", async () => {
    const other = await FirefoxWallet.launch();
    try {
      await other.addCredential(credential);
      const otherDapp = await other.openDapp();
      const { page, pending } = await other.approval(() => otherDapp.evaluate(() => window.dapp.wallet.requestAddresses()));
      await click(page, "login");
      await waitFor(page, '[data-testid="account-address"]', 60_000);
      assert.equal((await text(page, "account-address")).toLowerCase(), account.toLowerCase());
      await click(page, "approve");
      assert.deepEqual((await pending).map((a) => a.toLowerCase()), [account.toLowerCase()]);
      const to = getAddress("0x" + "f5".repeat(20));
      const sent = await other.approval(() => request(otherDapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.002")) }]));
      await click(sent.page, "approve");
      const { result } = await sent.pending;
      assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");
      assert.equal(await chain.getBalance({ address: to }), parseEther("0.002"));
    } finally {
      await other.close();
    }
  });

  it("completes an approval left open while Firefox stops the background, exactly once", async () => {
    const recipient = getAddress("0x" + "f3".repeat(20));
    const { page, pending } = await sendWithPasskey(recipient, parseEther("0.01"));
    const sendsBefore = await chain.getBalance({ address: recipient });
    await wallet.stopBackground();
    await click(page, "approve");
    const { hash, error } = await pending;
    assert.ok(hash, error);
    assert.equal((await chain.getTransactionReceipt({ hash })).status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - sendsBefore, parseEther("0.01"), "sent once");
    await until(async () => (await wallet.extensionPages("approval.html")).length === 0, "the approval window to close");
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [account.toLowerCase()] });
  });

  it("revokes the session at the dapp's request: Closed on chain, and the next transfer asks", async () => {
    const to = getAddress("0x" + "f2".repeat(20));
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_revokeExecutionPermission", [{ permissionContext: context }]));
    assert.equal(await text(page, "session-title"), "Revoke this session?");
    await click(page, "approve");
    assert.deepEqual(await pending, { result: null });
    const status = await chain.readContract({
      address: devnet.contracts.sessionKeyValidator,
      abi: parseAbi(["function sessionStatus(address account, bytes32 sessionHash) view returns (uint8)"]),
      functionName: "sessionStatus",
      args: [account, context],
    });
    assert.equal(status, 2, "Closed");
    const again = await wallet.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.001")) }]));
    await click(again.page, "reject");
    assert.equal((await again.pending).error.code, 4001);
  });
});
