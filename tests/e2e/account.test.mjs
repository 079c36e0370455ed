// The account from the wallet's own side: the home page shows what the chain has (balance,
// deployment, tokens, activity), passkeys are added and removed (never the last), the lock holds
// approvals and session signatures until the passkey unlocks, and the same passkey logs into the
// same account from a fresh browser profile — deployed (with its sessions read back from the
// chain) or not; a passkey that was added to an account (not its own) logs in only once the
// user confirmed the account shown, and nobody can register someone else's passkey. Every wallet
// here talks to the node through a stand-in for a public RPC that refuses log queries over 1,000
// blocks or from `earliest` and rate-limits every 7th request (on a chain made longer than 2,500
// blocks first), and to the bundler through one that speaks only the standard ERC-7769 methods
// and loses the answer to the first UserOperation it forwards: logging in, the passkey list and
// session recovery read their logs in bounded ranges from the contracts' deployment block, reads
// are retried, and the lost answer is recovered by waiting for the operation's receipt.
// Screenshots of the home, sessions and activity views go to target/screenshots.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  encodeAbiParameters,
  encodeFunctionData,
  formatEther,
  getAddress,
  keccak256,
  parseAbi,
  parseAbiParameters,
  parseEther,
  toBytes,
  toHex,
} from "viem";
import { DAPP, Wallet, chain, deployTestToken, devnet, nodeRpc, publicKeyOf, request, screenshot, showTab, transferSessionRequest } from "./lib/harness.mjs";
import { startPublicRpc } from "./lib/public-rpc.mjs";
import jsQR from "jsqr";

const ERC20 = parseAbi(["function mint(address to, uint256 amount)", "function balanceOf(address) view returns (uint256)"]);
const VALIDATOR = parseAbi(["function keyCount(address account) view returns (uint256)"]);
const SITE = DAPP.replace(/\/$/, "");
/** The widest log query the public-RPC stand-in answers: a public provider's usual limit. */
const MAX_LOG_RANGE = 1000;
/** How long the chain is made before the suite, so that every log scan takes several windows. */
const CHAIN_LENGTH = 2500n;

/** Clicks Refresh on `home` until `selector` matches `count` elements (at least, or `exactly`). */
async function refreshUntil(home, selector, count = 1, exactly = false) {
  await home.waitForFunction(
    ([selector, count, exactly]) => {
      const n = document.querySelectorAll(selector).length;
      if (exactly ? n === count : n >= count) return true;
      document.querySelector('[data-testid="refresh-sessions"]')?.click();
      return false;
    },
    [selector, count, exactly],
    { polling: 500, timeout: 30_000 },
  );
}

/** Sends one raw message on a new UI port from a wallet page (as the approval window would). */
function uiAsk(page, message) {
  return page.evaluate(
    (message) =>
      new Promise((resolve) => {
        const port = chrome.runtime.connect({ name: "ui" });
        port.onMessage.addListener((answer) => {
          if (answer.seq !== 4242) return;
          port.disconnect();
          resolve(answer.body);
        });
        port.postMessage({ seq: 4242, body: message });
      }),
    message,
  );
}

const text = (page, testId) => page.getByTestId(testId).first().textContent();
const ethText = async (address) => `${formatEther(await chain.getBalance({ address }))} ETH`;

describe("account home, passkeys, lock and logging in elsewhere", () => {
  let a; // profile A: creates the account
  let b; // profile B: logs in with the passkey added in A
  let dapp;
  let account;
  let token;
  let context; // the session A grants
  let rpc; // the public-RPC stand-in every wallet here uses
  let bundler; // the bundler stand-in every wallet here uses
  const endpoints = () => ({ rpcUrl: rpc.url, bundlerUrl: bundler.url });
  const recipient = getAddress("0x" + "cd".repeat(20));
  const keyCount = () =>
    chain.readContract({ address: devnet.contracts.webauthnValidator, abi: VALIDATOR, functionName: "keyCount", args: [account] });

  before(async () => {
    token = await deployTestToken();
    const head = await chain.getBlockNumber();
    if (head < CHAIN_LENGTH) await nodeRpc("anvil_mine", [toHex(CHAIN_LENGTH - head)]);
    rpc = await startPublicRpc(devnet.rpcUrl, { maxRange: MAX_LOG_RANGE, every429: 7 });
    bundler = await startPublicRpc(devnet.bundlerUrl, { loseFirstSendAnswer: true, bundlerMethodsOnly: true });
    ({ wallet: a, dapp, account } = await Wallet.onboarded("2", endpoints()));
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await rpc?.close();
    await bundler?.close();
  });

  it("shows the balance, deployment, tokens, sites and activity the chain has", async () => {
    const fresh = await a.openHome();
    assert.equal((await text(fresh, "home-address")).toLowerCase(), account.toLowerCase());
    assert.match(await text(fresh, "deployed-status"), /^Not yet/);
    assert.equal(await text(fresh, "native-balance-exact"), await ethText(account));
    // Receive: the address as a QR code drawn by the wallet, decoded here by a real QR reader.
    await fresh.getByTestId("receive").click();
    assert.equal(await text(fresh, "receive-address"), getAddress(account));
    assert.match(await text(fresh, "receive-network"), /^Your address on /);
    assert.match(await text(fresh, "receive-warning"), /only on networks where SSO Wallet's contracts are deployed/);
    const pixels = await fresh.evaluate(async () => {
      const svg = document.querySelector('[data-testid="receive-qr"]');
      const image = new Image();
      image.src = `data:image/svg+xml;base64,${btoa(new XMLSerializer().serializeToString(svg))}`;
      await image.decode();
      const side = 8 * svg.viewBox.baseVal.width;
      const canvas = Object.assign(document.createElement("canvas"), { width: side, height: side });
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0, side, side);
      return { side, data: Array.from(context.getImageData(0, 0, side, side).data) };
    });
    const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.side, pixels.side);
    assert.equal(decoded?.data, getAddress(account), "the QR code reads as the account's address");
    await screenshot(fresh, "home-receive");
    // One view per tab, moved through with the keyboard (WAI-ARIA tabs), each with its empty
    // state; the address's hash keeps the tab over a reload.
    assert.match(await text(fresh, "no-tokens"), /^No tokens yet/);
    await fresh.getByTestId("tab-account").focus();
    await fresh.keyboard.press("ArrowRight");
    await fresh.getByTestId("panel-activity").waitFor();
    assert.equal(await fresh.getByTestId("tab-activity").getAttribute("aria-selected"), "true");
    assert.equal(await fresh.getByTestId("tab-account").getAttribute("aria-selected"), "false");
    assert.equal(await fresh.evaluate(() => document.activeElement?.dataset.testid), "tab-activity");
    await fresh.getByTestId("no-activity").waitFor();
    assert.equal(await fresh.getByTestId("home-address").count(), 0, "the account view is gone");
    await fresh.keyboard.press("ArrowRight");
    await fresh.getByTestId("no-sessions").waitFor();
    assert.equal(await fresh.getByTestId("no-activity").count(), 0);
    await fresh.keyboard.press("End");
    await fresh.getByTestId("panel-settings").waitFor();
    assert.match(fresh.url(), /#settings$/);
    await fresh.reload();
    await fresh.getByTestId("panel-settings").waitFor();
    await fresh.getByTestId("tab-settings").focus();
    await fresh.keyboard.press("ArrowRight");
    await fresh.getByTestId("panel-account").waitFor();
    await fresh.close();

    const { page, pending } = await a.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.01")) }]),
    );
    await page.getByTestId("approve").click();
    const { result: txHash } = await pending;
    assert.equal((await chain.getTransactionReceipt({ hash: txHash })).status, "success");
    await nodeRpc("eth_sendTransaction", [
      { from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [account, parseEther("5")] }) },
    ]);

    const home = await a.openHome();
    assert.equal(await text(home, "deployed-status"), "Yes");
    // After fees the balance has 18 decimals: read at six significant digits (cut, never rounded
    // up), exactly on a click.
    const exact = await ethText(account);
    const [whole, fraction] = exact.replace(" ETH", "").split(".");
    const keep = whole === "0" ? fraction.length - fraction.replace(/^0+/, "").length + 6 : 6 - whole.length;
    assert.ok(fraction?.length > keep, `a balance with many decimals: ${exact}`);
    assert.equal(await text(home, "native-balance"), `${whole}.${fraction.slice(0, keep).replace(/0+$/, "")} ETH`);
    assert.equal(await home.getByTestId("native-balance-exact").isVisible(), false);
    await home.getByTestId("native-balance").click();
    assert.equal(await home.getByTestId("native-balance-exact").textContent(), exact);
    assert.equal(await home.getByTestId("native-balance-exact").isVisible(), true);
    // One view per tab: the sites are under Settings, not on the Account view.
    assert.equal(await home.getByTestId("site").count(), 0);
    await showTab(home, "settings");
    assert.equal(await home.getByTestId("home-address").count(), 0);
    assert.equal(await home.locator(`[data-testid="site"][data-origin="${SITE}"]`).count(), 1);
    await screenshot(home, "home-settings");
    await showTab(home, "account");
    // A token by address: symbol and decimals read from the chain, balance from balanceOf.
    await home.getByTestId("token-address").fill(token);
    await home.getByTestId("add-token").click();
    const row = home.locator(`[data-testid="token"][data-address="${getAddress(token)}"]`);
    await row.waitFor();
    const tokens = await chain.readContract({ address: token, abi: ERC20, functionName: "balanceOf", args: [account] });
    assert.equal(await row.getByTestId("token-balance").textContent(), `${formatEther(tokens)} TST`);
    await screenshot(home, "home");
    // Activity: the UserOperation, with what it did and the receipt's transaction.
    await showTab(home, "activity");
    await refreshUntil(home, '[data-testid="activity-item"][data-status="success"]');
    const item = home.getByTestId("activity-item").first();
    assert.equal(await item.getByTestId("activity-what").textContent(), `Sent 0.01 ETH to ${recipient.slice(0, 6)}…${recipient.slice(-4)}`);
    assert.equal(await item.getByTestId("activity-origin").textContent(), SITE);
    assert.equal(await item.getByTestId("activity-status").textContent(), "Success");
    assert.equal(await item.getByTestId("activity-tx").textContent(), txHash);
    assert.equal(await item.getByTestId("activity-user-op").textContent(), await item.getAttribute("data-user-op-hash"));
    await screenshot(home, "home-activity");
    await home.close();
  });

  it("sends ETH and a listed token from the home page, through the approval window and the passkey", async () => {
    const home = await a.openHome();
    const to = getAddress("0x" + "6f".repeat(20)); // used by no other test
    const until = async (read, expected) => {
      for (let i = 0; i < 100 && (await read()) !== expected; i += 1) await new Promise((r) => setTimeout(r, 200));
      assert.equal(await read(), expected);
    };
    // The recipient is checked as typed: a checksum typo and the account itself are refused.
    assert.equal(await home.getByTestId("send-panel").isVisible(), false, "the form opens on Send");
    await home.getByTestId("send").click();
    await home.getByTestId("send-to").fill(to.slice(0, -1) + (to.at(-1) === "E" ? "e" : "E"));
    await home.getByTestId("send-amount").fill("0.05");
    await home.getByTestId("send-review").click();
    assert.match(await text(home, "error"), /checksum does not match/);
    await home.getByTestId("send-to").fill(account);
    await home.getByTestId("send-review").click();
    assert.match(await text(home, "error"), /this account's own address/);

    // What the wallet notes about a recipient: a contract (the token); an address with nothing
    // on this network, never sent to.
    const notes = async (address) => {
      await home.getByTestId("send-to").fill(address);
      await home.locator(`[data-testid="send-to"][data-checked="${getAddress(address)}"]`).waitFor();
      return home.locator('[data-testid="send-recipient-note"]').evaluateAll((ps) => ps.map((p) => p.dataset.note));
    };
    assert.deepEqual(await notes(token), ["contract", "new"]);
    assert.deepEqual(await notes(to), ["unused", "new"]);
    assert.match(await text(home, "send-recipient-note"), /Nothing is at this address on .*: no balance/);
    let { page } = await a.approval(() => home.getByTestId("send-review").click());
    assert.equal(await text(page, "tx-to"), to);
    assert.equal(await text(page, "tx-value"), "0.05 ETH");
    await page.getByTestId("approve").click();
    await home.getByTestId("send-panel").waitFor({ state: "hidden" }); // the page reloaded its view
    await until(() => chain.getBalance({ address: to }), parseEther("0.05"));

    // A token listed on the home page (the first test added TST): its `transfer`, in its units.
    await home.getByTestId("send").click();
    await home.getByTestId("send-asset").selectOption({ label: "TST" });
    await home.getByTestId("send-to").fill(to);
    await home.getByTestId("send-amount").fill("1.5");
    ({ page } = await a.approval(() => home.getByTestId("send-review").click()));
    await page.getByTestId("approve").click();
    await home.getByTestId("send-panel").waitFor({ state: "hidden" }); // the page reloaded its view
    const tokenBalance = (owner = to) => chain.readContract({ address: token, abi: ERC20, functionName: "balanceOf", args: [owner] });
    await until(tokenBalance, parseEther("1.5"));

    // Sent to before, and no longer empty: nothing to note.
    await home.getByTestId("send").click();
    assert.deepEqual(await notes(to), []);

    // Max of a token: all of it (the fee is paid in ETH).
    const held = await tokenBalance(account);
    assert.ok(held > 0n);
    await home.getByTestId("send-asset").selectOption({ label: "TST" });
    await home.getByTestId("send-max").click();
    await home.getByTestId("send-max-note").waitFor();
    assert.equal(await home.getByTestId("send-amount").inputValue(), formatEther(held));
    ({ page } = await a.approval(() => home.getByTestId("send-review").click()));
    await page.getByTestId("approve").click();
    await home.getByTestId("send-panel").waitFor({ state: "hidden" }); // the page reloaded its view
    await until(() => tokenBalance(account), 0n);
    assert.equal(await tokenBalance(), parseEther("1.5") + held);

    // Max of ETH: the balance less the most this very operation can cost, so it cannot fail for
    // want of its fee; what the fee does not use stays.
    const before = await chain.getBalance({ address: account });
    await home.getByTestId("send").click();
    await home.getByTestId("send-to").fill(to);
    await home.getByTestId("send-max").click();
    assert.match(await text(home, "send-max-note"), /^All of it, less at most [\d.]+ ETH for the network fee/);
    assert.ok(parseEther(await home.getByTestId("send-amount").inputValue()) < before);
    ({ page } = await a.approval(() => home.getByTestId("send-review").click()));
    const exact = async (id) => parseEther((await text(page, `${id}-exact`)).replace(" ETH", ""));
    const [value, fee] = [await exact("tx-value"), await exact("tx-fee")];
    assert.equal(value + fee, before, "Max = balance − the operation's most it can cost");
    const received = await chain.getBalance({ address: to });
    await page.getByTestId("approve").click();
    await home.getByTestId("send-panel").waitFor({ state: "hidden" }); // the page reloaded its view
    await until(() => chain.getBalance({ address: to }), received + value);
    const left = await chain.getBalance({ address: account });
    assert.ok(left < fee, `only what the fee did not use is left: ${left} of ${fee}`);
    await nodeRpc("anvil_setBalance", [account, `0x${before.toString(16)}`]); // for the tests after this one

    // Activity lists the wallet's own sends, a token's in its units.
    await showTab(home, "activity");
    await home.getByTestId("activity-item").first().waitFor();
    const whats = await home.getByTestId("activity-what").allTextContents();
    const short = `${to.slice(0, 6)}…${to.slice(-4)}`;
    for (const what of [`Sent 0.05 ETH to ${short}`, `Sent 1.5 TST to ${short}`, `Sent ${formatEther(held)} TST to ${short}`]) {
      assert.ok(whats.includes(what), `${what} in ${whats.join("; ")}`);
    }
    await home.close();
  });

  it("grants a session and adds a second passkey, approved with the first", async () => {
    const now = Number((await chain.getBlock()).timestamp);
    const params = transferSessionRequest({
      account,
      to: recipient,
      perUse: parseEther("0.01"),
      total: parseEther("0.1"),
      feeLimit: parseEther("0.5"),
      expiry: now + 3600,
    });
    const granted = await a.approval(() => request(dapp, "wallet_requestExecutionPermissions", params));
    await granted.page.getByTestId("approve").click();
    const answer = await granted.pending;
    context = answer.result?.[0]?.context;
    assert.match(context ?? JSON.stringify(answer), /^0x[0-9a-f]{64}$/);

    assert.equal(await keyCount(), 1n);
    // The new passkey is made on another authenticator (one that does not hold the first).
    const home = await a.openHome({ newAuthenticator: true, tab: "settings" });
    await home.getByTestId("passkey").first().waitFor();
    assert.equal(await home.getByTestId("passkey").count(), 1);
    const { page, pending } = await a.approval(() => home.getByTestId("add-passkey").click());
    await pending;
    assert.equal(await text(page, "passkey-title"), "Add this passkey to your account?");
    assert.match(await text(page, "approval-origin"), /^SSO Wallet/, "the wallet itself asks, not a site");
    await page.getByTestId("approve").click();
    await page.waitForEvent("close", { timeout: 30_000 });
    assert.equal(await keyCount(), 2n);
    assert.equal(a.credentials.length, 2, "the authenticator holds both passkeys");
    await refreshUntil(home, '[data-testid="passkey"]', 2, true);
    const current = home.locator('[data-testid="passkey"][data-current="true"]');
    assert.equal(await current.count(), 1);
    assert.equal(await current.getAttribute("data-credential-id"), `0x${Buffer.from(a.credentials[0].credentialId, "base64").toString("hex")}`);
    await home.close();
  });

  it("holds approvals and session signatures while locked, until the passkey unlocks", async () => {
    const home = await a.openHome({ tab: "settings" });
    await home.getByTestId("lock-enabled").check();
    await home.getByTestId("lock-minutes").fill("5");
    await home.getByTestId("save-lock").click();
    await home.getByTestId("lock-now").click();
    await home.getByTestId("locked").waitFor();
    await home.close();

    // The session covers this transfer, but a locked wallet does not sign: the window asks to unlock.
    const before = await chain.getBalance({ address: recipient });
    const windows = a.approvalWindows;
    const { page, pending } = await a.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.001")) }]),
    );
    assert.equal(a.approvalWindows, windows + 1);
    // The background itself refuses while locked, whatever a page of the wallet asks.
    const probe = await a.openHome();
    await probe.getByTestId("locked").waitFor();
    const shown = (await uiAsk(probe, { getApproval: { approvalId: null } })).approval.approval;
    assert.equal(shown.request, "locked", "the request is not sent to the window");
    for (const message of [
      { approve: { approvalId: shown.id, assertion: null } },
      { setLock: { settings: { enabled: false, idleMinutes: 5 } } },
      "listSessions",
      { addToken: { address: token } },
    ]) {
      const answer = await uiAsk(probe, message);
      assert.match(answer.error?.message ?? JSON.stringify(answer), /locked/, JSON.stringify(message));
    }
    await probe.close();
    await page.getByTestId("unlock").click();
    await page.getByTestId("approve").waitFor();
    assert.match(await text(page, "session-fallback"), /locked/);
    await page.getByTestId("approve").click();
    const { result } = await pending;
    assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");

    // Unlocked, the session signs again without a window.
    const silent = await request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.001")) }]);
    assert.match(silent.result ?? JSON.stringify(silent.error), /^0x[0-9a-f]{64}$/);
    assert.equal(a.approvalWindows, windows + 1, "no window for the session's transaction");
    const receipt = await chain.waitForTransactionReceipt({ hash: silent.result });
    assert.equal(receipt.status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - before, parseEther("0.002"));
  });

  it("logs in silently with the account's own passkey, from one signature", async () => {
    const e = await Wallet.launch(endpoints());
    try {
      e.credentials = [a.credentials[0]]; // the passkey that created the account
      const eDapp = await e.openDapp(DAPP);
      const { page, pending } = await e.approval(() => eDapp.evaluate(() => window.dapp.wallet.requestAddresses()));
      page.on("dialog", (dialog) => assert.fail(`no question for the passkey's own account: ${dialog.message()}`));
      await page.getByTestId("login").click();
      await page.getByTestId("account-address").waitFor();
      assert.equal((await text(page, "account-address")).toLowerCase(), account.toLowerCase());
      await page.getByTestId("approve").click();
      assert.deepEqual((await pending).map((x) => x.toLowerCase()), [account.toLowerCase()]);
    } finally {
      await e.close();
    }
  });

  it("logs in from a fresh profile with the added passkey once the user confirms the account: same account, balance and sessions", async () => {
    b = await Wallet.launch(endpoints());
    b.credentials = [a.credentials[1]]; // only the passkey added in A, as another device would hold it
    const bDapp = await b.openDapp(DAPP);
    const { page, pending } = await b.approval(() => bDapp.evaluate(() => window.dapp.wallet.requestAddresses()));
    // The account is shown and asked about; declined, nothing is stored.
    const questions = [];
    page.once("dialog", (dialog) => {
      questions.push(dialog.message());
      dialog.dismiss();
    });
    await page.getByTestId("login").click();
    await page.getByTestId("error").waitFor();
    assert.match(await text(page, "error"), /did not confirm/);
    assert.match(questions[0], new RegExp(`added to the account ${getAddress(account)} on .*it did not create it`));
    page.once("dialog", (dialog) => {
      questions.push(dialog.message());
      dialog.accept();
    });
    await page.getByTestId("login").click();
    await page.getByTestId("account-address").waitFor();
    assert.equal(questions.length, 2);
    assert.equal((await text(page, "account-address")).toLowerCase(), account.toLowerCase());
    await page.getByTestId("approve").click();
    assert.deepEqual((await pending).map((x) => x.toLowerCase()), [account.toLowerCase()]);

    const home = await b.openHome();
    assert.equal((await text(home, "home-address")).toLowerCase(), account.toLowerCase());
    assert.equal(await text(home, "native-balance-exact"), await ethText(account));
    assert.equal(await text(home, "deployed-status"), "Yes");
    // The session is read back from the chain: open there, its key only in profile A.
    await showTab(home, "sessions");
    const session = home.locator(`[data-testid="session"][data-context="${context}"]`);
    await session.waitFor();
    assert.equal(await session.getAttribute("data-status"), "keyLost");
    assert.match(await session.getByTestId("session-status").textContent(), /^Open on chain/);
    await screenshot(home, "sessions");
    await showTab(home, "settings");
    await refreshUntil(home, '[data-testid="passkey"]', 2, true);
    assert.equal(
      await home.locator('[data-testid="passkey"][data-current="true"]').getAttribute("data-credential-id"),
      `0x${Buffer.from(a.credentials[1].credentialId, "base64").toString("hex")}`,
    );

    // A transaction from profile B, approved with the passkey it logged in with.
    const before = await chain.getBalance({ address: recipient });
    const sent = await b.approval(() =>
      request(bDapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.02")) }]),
    );
    await sent.page.getByTestId("approve").click();
    const { result } = await sent.pending;
    assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - before, parseEther("0.02"));
    await showTab(home, "activity");
    await refreshUntil(home, '[data-testid="activity-item"][data-status="success"]');
    assert.equal(await home.getByTestId("activity-tx").first().textContent(), result);
    await screenshot(home, "activity");
    await home.close();
  });

  it("removes a passkey, and refuses to remove the last one", async () => {
    const home = await b.openHome({ tab: "settings" });
    await refreshUntil(home, '[data-testid="passkey"]', 2, true);
    const other = home.locator('[data-testid="passkey"][data-current="false"]');
    const { page, pending } = await b.approval(() => other.getByTestId("remove-passkey").click());
    await pending;
    assert.equal(await text(page, "passkey-title"), "Remove this passkey from your account?");
    await page.getByTestId("approve").click();
    await page.waitForEvent("close", { timeout: 30_000 });
    assert.equal(await keyCount(), 1n);
    await refreshUntil(home, '[data-testid="passkey"]', 1, true);

    const windows = b.approvalWindows;
    await home.getByTestId("remove-passkey").click();
    await home.getByTestId("error").waitFor();
    assert.match(await text(home, "error"), /only passkey/);
    assert.equal(b.approvalWindows, windows, "no approval is opened");
    assert.equal(await keyCount(), 1n);

    // Disconnecting the site from the home page: it no longer sees the account.
    const bDapp = b.context.pages().find((p) => p.url().startsWith(DAPP));
    await home.locator(`[data-testid="site"][data-origin="${SITE}"]`).getByTestId("disconnect-site").click();
    await home.getByTestId("no-sites").waitFor();
    assert.deepEqual(await request(bDapp, "eth_accounts"), { result: [] });
    await home.close();
  });

  it("lets nobody register someone else's passkey, and logs in to an account deployed nowhere from the passkey alone", async () => {
    const c = await Wallet.onboarded("0", endpoints());
    let d;
    try {
      const [credential] = c.wallet.credentials;
      const credentialId = `0x${Buffer.from(credential.credentialId, "base64").toString("hex")}`;
      const origin = `chrome-extension://${c.wallet.extensionId}`;
      const validator = devnet.contracts.webauthnValidator;
      const abi = parseAbi([
        "function addValidationKey(bytes credentialId, bytes32[2] newKey, string originDomain, bytes proof) returns (bool)",
        "function onInstall(bytes data)",
        "function getAccountList(string originDomain, bytes credentialId) view returns (address[])",
        "error InvalidKeyProof()",
      ]);
      // An attacker lists the victim's passkey for an address of theirs: without a signature by
      // that passkey over their own account, chain and validator, the validator refuses.
      const forged = encodeAbiParameters(parseAbiParameters("bytes, string, bytes32[2], bytes, uint256"), [
        "0x" + "00".repeat(37),
        `{"type":"webauthn.get","challenge":"AAAA","origin":"${origin}"}`,
        [`0x${"11".repeat(32)}`, `0x${"11".repeat(32)}`],
        credentialId,
        0n,
      ]);
      const register = encodeFunctionData({ abi, functionName: "addValidationKey", args: [credentialId, publicKeyOf(credential), origin, forged] });
      await assert.rejects(
        nodeRpc("eth_call", [{ from: devnet.funder.address, to: validator, data: register }, "latest"]),
        (e) => e.message.includes(keccak256(toBytes("InvalidKeyProof()")).slice(0, 10)),
      );
      // Installing the validator with someone else's key registers it for the installer only:
      // it is never listed for logging in.
      const install = encodeFunctionData({
        abi,
        functionName: "onInstall",
        args: [encodeAbiParameters(parseAbiParameters("bytes, bytes32[2], string"), [credentialId, publicKeyOf(credential), origin])],
      });
      const squat = await nodeRpc("eth_sendTransaction", [{ from: devnet.funder.address, to: validator, data: install }]);
      assert.equal((await chain.waitForTransactionReceipt({ hash: squat })).status, "success");
      const listed = await chain.readContract({ address: validator, abi, functionName: "getAccountList", args: [origin, credentialId] });
      assert.deepEqual(listed, []);
      // The victim's login lands in their own account (deployed nowhere: two signatures).
      d = await Wallet.launch(endpoints());
      d.credentials = [...c.wallet.credentials];
      const dDapp = await d.openDapp(DAPP);
      const { page, pending } = await d.approval(() => dDapp.evaluate(() => window.dapp.wallet.requestAddresses()));
      page.on("dialog", (dialog) => assert.fail(`no question for the passkey's own account: ${dialog.message()}`));
      await page.getByTestId("login").click();
      await page.getByTestId("account-address").waitFor();
      await page.getByTestId("approve").click();
      assert.deepEqual((await pending).map((x) => x.toLowerCase()), [c.account.toLowerCase()]);
      const home = await d.openHome();
      assert.match(await text(home, "deployed-status"), /^Not yet/);
      assert.equal((await text(home, "home-address")).toLowerCase(), c.account.toLowerCase());
    } finally {
      await d?.close();
      await c.wallet.close();
    }
  });

  it("went through a node that refuses wide log ranges and `earliest` and rate-limits, and a bundler that lost an answer", () => {
    console.log(`# public-RPC stand-in: ${JSON.stringify(rpc.stats)}; bundler stand-in: ${JSON.stringify(bundler.stats)}`);
    assert.ok(rpc.stats.limited > 10, "reads were rate-limited (HTTP 429) and retried: every flow above passed");
    assert.equal(bundler.stats.lostAnswers, 1, "the first UserOperation's answer was lost, and it was sent all the same");
    assert.equal(bundler.stats.unsupported, 0, "the wallet asked the bundler nothing but ERC-7769 methods");
    assert.ok(rpc.stats.refused > 0, "the wallet first asked its default range and was refused");
    // 2,000 → 1,000 blocks is one halving; each of the 5 browser profiles here learns it once
    // (scans running side by side may each pay it before one learns: at most 3 at a time).
    assert.ok(rpc.stats.refused <= 5 * 3, "a range the node refused is not asked again");
    assert.ok(rpc.stats.getLogs - rpc.stats.refused > 10, `bounded windows were answered (${JSON.stringify(rpc.stats)})`);
    assert.ok(rpc.stats.widest <= MAX_LOG_RANGE, `no answered query spanned more than ${MAX_LOG_RANGE} blocks`);
    assert.equal(rpc.stats.earliest, 0, "no query from `earliest`");
  });
});
