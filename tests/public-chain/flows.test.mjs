// The public-chain profile (`cargo xtask test`, step "public-chain profile"): the wallet's main
// flows on a chain that behaves like a public testnet — chain id 11155111, a block every 2 s, its
// contracts put there by the deploy command — reached only through stand-ins for public
// endpoints (xtask/src/public_rpc.rs): the node's refuses `eth_getLogs` over 1,000 blocks or from
// `earliest` and `anvil_*` / `pimlico_*` / `eth_simulateV1`, the bundler's answers only the
// ERC-7769 methods and fails every 4th receipt query as alto does when its own node fails it
// (HTTP 500, an error without a code), both answer 50 ms late and rate-limit every 9th request
// (HTTP 429); alto
// itself reaches the node through the same stand-in. The run happens once on an Osaka chain (the
// P-256 precompile) and once on a Prague chain (none: the Solidity verifier) whose node stand-in
// refuses JSON-RPC batches (one error object, as some providers answer them), and xtask then
// checks every operation sent against ERC-7562. The test itself uses the node directly only as a
// faucet and to give the chain a history longer than one log window.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAddress, parseAbi, parseEther, toHex } from "viem";
import { DAPP, Wallet, chain, devnet, factoryAddress, nodeRpc, request, showTab, transferSessionRequest } from "../e2e/lib/harness.mjs";

const VALIDATOR = parseAbi(["function keyCount(address account) view returns (uint256)"]);
const SESSIONS = parseAbi(["function sessionStatus(address account, bytes32 sessionHash) view returns (uint8)"]);
const CLOSED = 2;
/** Blocks the chain gets before the suite, so that each log scan spans several windows. */
const HISTORY = 2500;
const stats = async (url) => (await fetch(`${url}/stats`)).json();
const text = (page, testId) => page.getByTestId(testId).first().textContent();

/** Waits for `wallet_getCallsStatus` of `id` to be final (blocks come every 2 s here). */
async function callsStatus(dapp, id) {
  for (let i = 0; i < 120; i += 1) {
    const { result, error } = await request(dapp, "wallet_getCallsStatus", [id]);
    assert.ok(result, JSON.stringify(error));
    if (result.status !== 100) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`calls ${id} still pending after a minute`);
}

/** Approves what `trigger` asks in its window; asserts the window shows that it is sending. */
async function approveAndSend(wallet, trigger) {
  const { page, pending } = await wallet.approval(trigger);
  await page.getByTestId("approve").click();
  assert.match(await text(page, "status"), /sending/);
  return pending;
}

describe(`a public-chain stand-in (chain ${devnet.chainId}, ${devnet.p256Precompile ? "with" : "without"} the P-256 precompile)`, () => {
  let a; // the profile that creates the account
  let b; // a fresh profile that logs in with the passkey added in A
  let dapp;
  let account;
  let context; // the session
  const recipient = getAddress(`0x${"5e".repeat(20)}`);
  const balanceOf = (address) => chain.getBalance({ address });
  const keyCount = () => chain.readContract({ address: devnet.contracts.webauthnValidator, abi: VALIDATOR, functionName: "keyCount", args: [account] });

  before(async () => {
    assert.ok(devnet.publicRpc, "the chain runs behind the public-endpoint stand-ins");
    const network = devnet.networks.networks[0];
    assert.equal(network.rpcUrl, devnet.publicRpc.node, "the wallet's node is the stand-in");
    assert.equal(network.bundlerUrl, devnet.publicRpc.bundler, "the wallet's bundler is the stand-in");
    await nodeRpc("anvil_mine", [toHex(HISTORY)]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it("onboards: a passkey, the factory's address for it, nothing deployed yet", async () => {
    ({ wallet: a, dapp, account } = await Wallet.onboarded("1"));
    assert.equal(getAddress(account), getAddress(await factoryAddress(a.credentials[0], a.extensionId)));
    assert.equal(await chain.getCode({ address: account }), undefined);
  });

  it("sends with the passkey, deploying the account in the same operation", async () => {
    const before = await balanceOf(recipient);
    const { result, error } = await approveAndSend(a, () =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.01")) }]),
    );
    assert.match(result ?? JSON.stringify(error), /^0x[0-9a-f]{64}$/);
    assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");
    assert.equal((await balanceOf(recipient)) - before, parseEther("0.01"));
    assert.ok((await chain.getCode({ address: account }))?.length > 2, "the account is deployed");
  });

  it("sends a batch of three calls in one operation", async () => {
    const targets = [1, 2, 3].map((i) => getAddress(`0x${String(i).repeat(40)}`));
    const before = await Promise.all(targets.map(balanceOf));
    const { result, error } = await approveAndSend(a, () =>
      request(dapp, "wallet_sendCalls", [
        {
          version: "2.0.0",
          chainId: toHex(devnet.chainId),
          from: account,
          atomicRequired: true,
          calls: targets.map((to, i) => ({ to, value: toHex(parseEther("0.001") * BigInt(i + 1)) })),
        },
      ]),
    );
    assert.ok(result?.id, JSON.stringify(error));
    const status = await callsStatus(dapp, result.id);
    assert.equal(status.status, 200, JSON.stringify(status));
    assert.equal(status.receipts.length, 1);
    const after = await Promise.all(targets.map(balanceOf));
    after.forEach((balance, i) => assert.equal(balance - before[i], parseEther("0.001") * BigInt(i + 1)));
  });

  it("approves a session once, sends three transfers with no window, and revokes it", async () => {
    const now = Number((await chain.getBlock()).timestamp);
    const params = transferSessionRequest({
      account,
      to: recipient,
      perUse: parseEther("0.01"),
      total: parseEther("0.05"),
      feeLimit: parseEther("0.1"),
      expiry: now + 3600,
    });
    const granted = await approveAndSend(a, () => request(dapp, "wallet_requestExecutionPermissions", params));
    context = granted.result?.[0]?.context;
    assert.match(context ?? JSON.stringify(granted), /^0x[0-9a-f]{64}$/);

    const windows = a.approvalWindows;
    const before = await balanceOf(recipient);
    for (let i = 0; i < 3; i += 1) {
      const sent = await request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.01")) }]);
      assert.match(sent.result ?? JSON.stringify(sent.error), /^0x[0-9a-f]{64}$/, `silent transfer ${i + 1}`);
    }
    assert.equal(a.approvalWindows, windows, "no window for the session's transfers");
    for (let i = 0; i < 60 && (await balanceOf(recipient)) - before < parseEther("0.03"); i += 1) {
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal((await balanceOf(recipient)) - before, parseEther("0.03"));

    const revoked = await approveAndSend(a, () => request(dapp, "wallet_revokeExecutionPermission", [{ permissionContext: context }]));
    assert.deepEqual(revoked, { result: null });
    const status = await chain.readContract({ address: devnet.contracts.sessionKeyValidator, abi: SESSIONS, functionName: "sessionStatus", args: [account, context] });
    assert.equal(status, CLOSED);
    // Revoked, the same transfer asks again.
    const { page, pending } = await a.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.01")) }]),
    );
    assert.equal(a.approvalWindows, windows + 2, "the revocation and this transfer opened windows");
    await page.getByTestId("reject").click();
    assert.equal((await pending).error.code, 4001);
  });

  it("adds a second passkey, approved with the first", async () => {
    const home = await a.openHome({ newAuthenticator: true, tab: "settings" });
    await home.getByTestId("passkey").first().waitFor();
    const { page, pending } = await a.approval(() => home.getByTestId("add-passkey").click());
    await pending;
    assert.equal(await text(page, "passkey-title"), "Add this passkey to your account?");
    await page.getByTestId("approve").click();
    await page.waitForEvent("close", { timeout: 60_000 });
    assert.equal(await keyCount(), 2n);
    assert.equal(a.credentials.length, 2);
    await home.close();
  });

  it("logs in on a fresh profile with the added passkey: same account, its passkeys and session", async () => {
    b = await Wallet.launch();
    b.credentials = [a.credentials[1]]; // only the added passkey, as another device holds it
    const bDapp = await b.openDapp(DAPP);
    const { page, pending } = await b.approval(() => bDapp.evaluate(() => window.dapp.wallet.requestAddresses()));
    page.once("dialog", (dialog) => dialog.accept()); // "this passkey was added to the account …"
    await page.getByTestId("login").click();
    await page.getByTestId("account-address").waitFor({ timeout: 60_000 });
    assert.equal(getAddress(await text(page, "account-address")), getAddress(account));
    await page.getByTestId("approve").click();
    assert.deepEqual((await pending).map(getAddress), [getAddress(account)]);

    const home = await b.openHome();
    assert.equal(await text(home, "deployed-status"), "Yes");
    await showTab(home, "sessions");
    await home.locator(`[data-testid="session"][data-context="${context}"][data-status="revoked"]`).waitFor({ timeout: 60_000 });
    await showTab(home, "settings");
    await home.waitForFunction(() => document.querySelectorAll('[data-testid="passkey"]').length === 2, null, { timeout: 60_000 });
    await home.close();
  });

  it("went through endpoints that limit log ranges, rate-limit, offer only standard methods and may refuse batches", async () => {
    const node = await stats(devnet.publicRpc.node);
    const bundler = await stats(devnet.publicRpc.bundler);
    console.log("node stand-in:", JSON.stringify(node));
    console.log("bundler stand-in:", JSON.stringify(bundler));
    assert.ok(node.getLogs > 0 && node.widestLogRange <= 1000, "log queries, none wider than 1,000 blocks answered");
    assert.ok(node.logRangeRefused >= 1, "a wider query was refused (and the scan went on in smaller windows)");
    assert.equal(node.logFromEarliest, 0, "no query from `earliest`");
    assert.ok(node.rateLimited > 0 && bundler.rateLimited > 0, "both rate-limited some requests");
    assert.deepEqual(bundler.refusedMethods, {}, "the wallet asked the bundler only ERC-7769 methods");
    assert.ok(bundler.receiptsFailed > 0, "some receipt queries failed (HTTP 500, no error code), and every flow still completed");
    if (node.refusesBatches) {
      assert.ok(node.batchesRefused > 0, "the node refused the wallet's JSON-RPC batches, and every flow still completed (each call on its own)");
    } else assert.ok(node.batches > 0, "the wallet read through JSON-RPC batches");
  });
});
