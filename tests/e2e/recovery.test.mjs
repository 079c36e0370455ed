// Recovery with guardians, on the second devnet (a block every 2 s, as a public chain; its clock
// is moved 48 h ahead here, which no other test on it minds). Profile A owns an account and
// names two guardians: the SSO Wallet account of profile G and an EOA the test holds. A loses its
// passkey; profile B makes a new passkey and asks; G approves from its home page, the EOA signs
// the typed data B shows, B submits it; 48 h later B finalizes, sends with the new passkey and
// removes A's. Also: one approval of two cannot finalize, finalizing before the delay is refused
// with its reason, A cancels a recovery it did not start (B's passkey never gains control), and a
// guardian is refused an approval for another round or an account it does not guard.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { createPublicClient, getAddress, http, parseAbi, parseEther, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { Wallet, jsonRpc, request, screenshot, showTab } from "./lib/harness.mjs";

if (!process.env.SSO_DEVNET2_JSON) throw new Error("SSO_DEVNET2_JSON is not set: run the end-to-end tests through `cargo xtask test`");
const second = JSON.parse(await readFile(process.env.SSO_DEVNET2_JSON, "utf8"));
const chain = createPublicClient({ transport: http(second.rpcUrl) });
const rpc = (method, params) => jsonRpc(second.rpcUrl, method, params);
const VALIDATOR = parseAbi(["function getAccountKey(string originDomain, bytes credentialId, address account) view returns (bytes32[2])"]);
const MODULE = parseAbi(["function recoveryConfig(address account) view returns (address[] guardians, uint256 threshold, uint256 delay, uint64 round, uint256 pendingSinceBlock)"]);

/** A wallet whose network is the second devnet, onboarded from the demo dapp and funded there. */
async function onboarded() {
  const wallet = await Wallet.launch({ networks: second.networks });
  try {
    const dapp = await wallet.openDapp();
    const account = await wallet.connect(dapp);
    await rpc("anvil_setBalance", [account, toHex(parseEther("1"))]);
    return { wallet, dapp, account };
  } catch (e) {
    await wallet.close();
    throw e;
  }
}

/** Approves the window `trigger` opens and waits for it to close (the operation included). */
async function approve(wallet, trigger, check) {
  const { page } = await wallet.approval(trigger);
  await check?.(page);
  await page.getByTestId("approve").click();
  await page.waitForEvent("close", { timeout: 60_000 });
}

const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();

/** Waits for the page's error to say `pattern`. */
async function refused(page, pattern) {
  await page.getByTestId("error").filter({ hasText: pattern }).waitFor({ timeout: 30_000 });
}

/** Moves the second devnet's clock `hours` ahead. */
async function travel(hours) {
  await rpc("evm_increaseTime", [hours * 3600]);
  await rpc("evm_mine", []);
}

/** A's home: sets `guardians` (threshold, 48 h) with a passkey approval. */
async function setGuardians(wallet, guardians, threshold) {
  const home = await wallet.openHome({ tab: "recovery" });
  await home.getByTestId("recovery-setup").waitFor();
  await home.getByTestId("recovery-guardians").fill(guardians.join("\n"));
  await home.getByTestId("recovery-threshold").fill(String(threshold));
  assert.equal(await home.getByTestId("recovery-delay-hours").inputValue(), "48", "the wallet proposes 48 h");
  await approve(wallet, () => home.getByTestId("recovery-save").click(), async (page) => {
    assert.match(await text(page, "recovery-setup-summary"), new RegExp(`${threshold} of these ${guardians.length} guardians`));
  });
  await home.reload();
  await home.getByTestId("recovery-summary").waitFor();
  return home;
}

/** In a fresh profile: starts recovering `account`; returns the profile, its home and the request. */
async function startRecovery(account, name) {
  const wallet = await Wallet.launch({ networks: second.networks });
  const home = await wallet.openHome({ newAuthenticator: true });
  await home.getByTestId("recover").locator("summary").click();
  await home.getByTestId("recover-account").fill(account);
  await home.getByTestId("recover-name").fill(name);
  await home.getByTestId("recover-start").click();
  await home.getByTestId("recover-status").waitFor({ timeout: 30_000 });
  return {
    wallet,
    home,
    code: await home.getByTestId("recover-code").inputValue(),
    fingerprint: await text(home, "recover-fingerprint"),
  };
}

/** G's home: reads `code` in the Recovery tab (a new one, or `home` again). */
async function readRequest(wallet, code, home) {
  home ??= await wallet.openHome({ tab: "recovery" });
  await home.getByTestId("recovery-code-paste").fill(code);
  await home.getByTestId("recovery-code-read").click();
  await home.getByTestId("recovery-request").waitFor();
  return home;
}

/** The EOA guardian signs the typed data B's page shows, as any wallet would. */
async function eoaSignature(eoa, home) {
  await home.getByTestId("recover-eoa").locator("summary").click();
  const typed = JSON.parse(await home.getByTestId("recover-typed-data").inputValue());
  const { EIP712Domain, ...types } = typed.types;
  assert.ok(EIP712Domain);
  return eoa.signTypedData({ domain: typed.domain, types, primaryType: typed.primaryType, message: typed.message });
}

/** Whether `wallet`'s (only) passkey is registered for `account` on the second devnet. */
async function registered(wallet, account) {
  const [credential] = wallet.credentials;
  const key = await chain.readContract({
    address: second.contracts.webauthnValidator,
    abi: VALIDATOR,
    functionName: "getAccountKey",
    args: [`chrome-extension://${wallet.extensionId}`, toHex(Buffer.from(credential.credentialId, "base64")), account],
  });
  return BigInt(key[0]) !== 0n;
}

async function refreshed(home) {
  await home.getByTestId("recover-refresh").click();
  await home.waitForTimeout(300);
  await home.getByTestId("recover-progress").waitFor();
}

describe("recovery with guardians", () => {
  const eoa = privateKeyToAccount(generatePrivateKey());
  let a;
  let g;
  const opened = [];

  before(async () => {
    [a, g] = await Promise.all([onboarded(), onboarded()]);
    opened.push(a.wallet, g.wallet);
  });
  after(async () => {
    await Promise.all(opened.map((w) => w.close()));
  });

  it("two guardians give a lost account a new passkey after 48 h; it sends and removes the lost one", async () => {
    const home = await setGuardians(a.wallet, [g.account, eoa.address], 2);
    const guardians = (await home.getByTestId("recovery-guardian").allTextContents()).map((a) => getAddress(a));
    assert.deepEqual(guardians, [getAddress(g.account), eoa.address]);
    const lostCredential = a.wallet.credentials[0].credentialId;
    // A's device is gone: its passkey with it.
    await a.wallet.close();

    const b = await startRecovery(a.account, "A, new laptop");
    opened.push(b.wallet);
    assert.match(b.code, /^sso-wallet-recovery-1:/);
    assert.match(await text(b.home, "recover-progress"), /^0 of 2 approvals$/);

    // G reads the request, compares the fingerprint, approves with its passkey.
    const gHome = await readRequest(g.wallet, b.code);
    assert.equal(getAddress(await text(gHome, "recovery-request-account")), getAddress(a.account));
    assert.equal(await text(gHome, "recovery-request-fingerprint"), b.fingerprint);
    assert.match(await text(gHome, "recovery-request-name"), /A, new laptop/);
    await approve(g.wallet, () => gHome.getByTestId("recovery-approve").click(), async (page) => {
      assert.equal(await text(page, "recovery-approve-fingerprint"), b.fingerprint);
    });
    // Approving again is refused: the guardian's approval counts once.
    await readRequest(g.wallet, b.code, gHome);
    await gHome.getByTestId("recovery-request-approved").waitFor();
    assert.equal(await gHome.getByTestId("recovery-approve").count(), 0);

    // One approval of two cannot finalize.
    await refreshed(b.home);
    assert.match(await text(b.home, "recover-progress"), /^1 of 2 approvals$/);
    await b.home.getByTestId("recover-finalize").click();
    await refused(b.home, /Not enough guardians approved yet: 1 of 2/);

    // The EOA signs; B submits it (a recovery UserOp of the account, signed by B's finalizer).
    const signature = await eoaSignature(eoa, b.home);
    await b.home.getByTestId("recover-signature").fill(signature);
    await b.home.getByTestId("recover-add-signature").click();
    await b.home.getByTestId("recover-submit").click();
    await b.home.getByText(/^2 of 2 approvals; can be finalized in 2 days/).waitFor({ timeout: 60_000 });
    await screenshot(b.home, "recovery-recovering");

    // Before the delay: refused, with when.
    await travel(47);
    await b.home.getByTestId("recover-finalize").click();
    await refused(b.home, /The delay that lets the owner cancel is not over: it can be finalized from .* \(in (1 h|\d+ min)\)/);
    assert.equal(await registered(b.wallet, a.account), false, "not before it is finalized");

    await travel(1);
    await refreshed(b.home);
    assert.match(await text(b.home, "recover-progress"), /can be finalized now/);
    await b.home.getByTestId("recover-finalize").click();
    await b.home.locator('[data-testid="tabs"], [data-testid="error"]').first().waitFor({ timeout: 60_000 });
    assert.equal(await b.home.getByTestId("error").count(), 0, await b.home.getByTestId("error").textContent().catch(() => ""));
    assert.equal(getAddress(await text(b.home, "home-address")), getAddress(a.account));

    // The new passkey sends.
    const dapp = await b.wallet.openDapp();
    await approve(b.wallet, () => request(dapp, "eth_requestAccounts"));
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const { page, pending } = await b.wallet.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: a.account, to: recipient, value: toHex(parseEther("0.01")) }]),
    );
    await page.getByTestId("approve").click();
    const { result: txHash } = await pending;
    assert.equal((await chain.getTransactionReceipt({ hash: txHash })).status, "success");
    assert.equal(await chain.getBalance({ address: recipient }), parseEther("0.01"));

    // Devices: each passkey says what it is — its name where this browser knows it (given where
    // it was created), the browser, when it was registered and when it last signed (from the
    // chain) —, the lost one is renamed, then removed with the new one.
    const settings = await b.wallet.openHome({ tab: "settings" });
    const lost = settings.locator(`[data-testid="passkey"][data-current="false"]`);
    const mine = settings.locator(`[data-testid="passkey"][data-current="true"]`);
    await lost.waitFor();
    assert.equal(await settings.getByTestId("passkey").count(), 2);
    assert.equal(await text(mine, "passkey-name"), "Chrome on Linux");
    assert.equal(await text(lost, "passkey-name"), "A passkey made in Chrome", "its name lives in the lost browser");
    for (const passkey of [mine, lost]) {
      const dates = passkey.getByTestId("passkey-dates");
      assert.match(await dates.textContent(), /^Chrome · created \d{4}-\d\d-\d\d .* · last used \d{4}-\d\d-\d\d/);
      assert.ok(Number(await dates.getAttribute("data-last-used")) >= Number(await dates.getAttribute("data-created")));
    }
    // The lost passkey last signed the guardians' setup; the new one the send, after the 48 h.
    const used = async (p) => Number(await p.getByTestId("passkey-dates").getAttribute("data-last-used"));
    assert.ok((await used(mine)) - (await used(lost)) >= 48 * 3600);
    settings.once("dialog", (dialog) => dialog.accept("Old phone"));
    await lost.getByTestId("rename-passkey").click();
    await settings.locator('[data-testid="passkey"][data-current="false"] [data-testid="passkey-name"]', { hasText: "Old phone" }).waitFor();
    await screenshot(settings, "recovery-devices");
    await approve(b.wallet, () => lost.getByTestId("remove-passkey").click());
    await settings.reload();
    await settings.getByTestId("passkey").first().waitFor();
    assert.equal(await settings.getByTestId("passkey").count(), 1);
    assert.equal(await settings.locator(`[data-testid="passkey"][data-current="true"]`).count(), 1);
    assert.notEqual(await settings.getByTestId("passkey").getAttribute("data-credential-id"), toHex(Buffer.from(lostCredential, "base64")));
  });

  it("the owner sees a recovery it did not start on every device and cancels it; that request never gains control, and guardians are refused stale or foreign requests", async () => {
    const owner = await onboarded();
    opened.push(owner.wallet);
    const eoa2 = privateKeyToAccount(generatePrivateKey());
    await setGuardians(owner.wallet, [g.account, eoa2.address], 2);
    const b = await startRecovery(owner.account, "not the owner");
    opened.push(b.wallet);
    const gHome = await readRequest(g.wallet, b.code);
    await approve(g.wallet, () => gHome.getByTestId("recovery-approve").click());

    // Loud on the owner's device: the home page above every tab, and every approval window.
    const home = await owner.wallet.openHome();
    await home.getByTestId("recovery-alert").waitFor();
    assert.equal(await text(home, "recovery-alert-fingerprint"), b.fingerprint);
    assert.match(await text(home, "recovery-alert-progress"), /^1 of 2 approvals$/);
    await screenshot(home, "recovery-alert");
    await showTab(home, "settings");
    assert.equal(await home.getByTestId("recovery-alert").count(), 1, "above every tab");
    const { page, pending } = await owner.wallet.approval(() =>
      request(owner.dapp, "eth_sendTransaction", [{ from: owner.account, to: eoa2.address, value: "0x1" }]),
    );
    await page.getByTestId("recovery-alert").waitFor();
    assert.match(await text(page, "recovery-alert"), new RegExp(b.fingerprint));

    // One click in that window: the cancel goes before the waiting transaction; the passkey
    // approves it; then the transaction shows again, without the alert.
    await page.getByTestId("recovery-cancel").click();
    await page.getByTestId("recovery-title").filter({ hasText: /Cancel the recovery/ }).waitFor();
    assert.equal(await text(page, "queue-position"), "1 of 2");
    await page.getByTestId("approve").click();
    await page.getByTestId("tx-title").waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId("recovery-alert").count(), 0);
    await page.getByTestId("reject").click();
    assert.equal((await pending).error?.code, 4001);
    await home.reload();
    await home.getByTestId("tabs").waitFor();
    assert.equal(await home.getByTestId("recovery-alert").count(), 0);
    await refreshed(b.home);
    await b.home.getByTestId("recover-void").waitFor();

    // A guardian is refused the old round's request.
    await readRequest(g.wallet, b.code, gHome);
    assert.match(await text(gHome, "recovery-request-problem"), /no longer current/);
    assert.equal(await gHome.getByTestId("recovery-approve").count(), 0);

    // Even after the delay, the cancelled request gains nothing.
    await travel(49);
    await b.home.getByTestId("recover-finalize").click();
    await refused(b.home, /no longer counts/);
    assert.equal(await registered(b.wallet, owner.account), false);

    // A guardian is refused a request for an account it does not guard.
    await setGuardians(owner.wallet, [eoa2.address], 1);
    await b.home.getByTestId("recover-abandon").click();
    await b.home.getByTestId("recover").locator("summary").click();
    await b.home.getByTestId("recover-start").waitFor();
    await b.home.getByTestId("recover-start").click();
    await b.home.getByTestId("recover-status").waitFor({ timeout: 30_000 });
    const fresh = await b.home.getByTestId("recover-code").inputValue();
    assert.notEqual(fresh, b.code);
    const again = await readRequest(g.wallet, fresh);
    assert.match(await text(again, "recovery-request-problem"), /not one of that account's guardians/);
    assert.equal(await again.getByTestId("recovery-approve").count(), 0);
    const config = await chain.readContract({ address: second.contracts.guardianRecovery, abi: MODULE, functionName: "recoveryConfig", args: [owner.account] });
    assert.deepEqual(config[0], [eoa2.address]);

    // The remaining guardian, an EOA, approves the new request (B submits its signature); the
    // owner cancels with one click on the home page this time.
    await b.home.getByTestId("recover-signature").fill(await eoaSignature(eoa2, b.home));
    await b.home.getByTestId("recover-add-signature").click();
    await b.home.getByTestId("recover-submit").click();
    await b.home.getByText(/^1 of 1 approvals; can be finalized in 2 days/).waitFor({ timeout: 60_000 });
    await home.reload();
    await home.getByTestId("recovery-alert").waitFor();
    assert.match(await text(home, "recovery-alert-progress"), /^1 of 1 approvals; can be finalized in 2 days/);
    await approve(owner.wallet, () => home.getByTestId("recovery-cancel").click(), async (window) => {
      assert.match(await text(window, "recovery-title"), /Cancel the recovery/);
    });
    await home.reload();
    await home.getByTestId("tabs").waitFor();
    assert.equal(await home.getByTestId("recovery-alert").count(), 0);
    await refreshed(b.home);
    await b.home.getByTestId("recover-void").waitFor();
  });
});
