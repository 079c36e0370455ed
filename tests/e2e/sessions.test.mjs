// Sessions end to end: a dapp asks for a session (ERC-7715), the user approves once with the
// passkey, and transactions within the policy are then signed with the session key and sent
// without any window — until a limit, another origin, a revocation (from the dapp or the
// wallet's sessions view) or the expiry makes the wallet fall back to a passkey approval.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeFunctionData, getAddress, parseAbi, parseEther, toHex } from "viem";
import { DAPP, OTHER_DAPP, Wallet, chain, deployTestToken, devnet, nodeRpc, request } from "./lib/harness.mjs";

const ERC20 = parseAbi([
  "function transfer(address to, uint256 amount) returns (bool)",
  "function mint(address to, uint256 amount)",
  "function balanceOf(address) view returns (uint256)",
]);
const SESSION_VALIDATOR = parseAbi(["function sessionStatus(address account, bytes32 sessionHash) view returns (uint8)"]);
const CLOSED = 2;
const ONE = parseEther("1");

describe("sessions", () => {
  let wallet;
  let dapp;
  let account;
  let token;
  const recipient = getAddress("0x" + "ab".repeat(20));

  before(async () => {
    token = await deployTestToken();
    ({ wallet, dapp, account } = await Wallet.onboarded("10"));
    await nodeRpc("eth_sendTransaction", [
      { from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [account, parseEther("1000")] }) },
    ]);
  });
  after(async () => {
    await wallet?.close();
  });

  const now = async () => Number((await chain.getBlock()).timestamp);
  const balance = (who) => chain.readContract({ address: token, abi: ERC20, functionName: "balanceOf", args: [who] });
  const status = (context) =>
    chain.readContract({ address: devnet.contracts.sessionKeyValidator, abi: SESSION_VALIDATOR, functionName: "sessionStatus", args: [account, context] });
  const transfer = (amount = ONE) => ({ from: account, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [recipient, amount] }) });

  /** ERC-7715 request: ERC-20 `transfer` to `recipient` only, at most 1 TST each, `total` TST over the session's life. */
  async function sessionParams({ total = 20n, lifetime = 3600 } = {}) {
    return [
      {
        chainId: toHex(devnet.chainId),
        from: account,
        permission: {
          type: "sso-session",
          isAdjustmentAllowed: false,
          data: {
            justification: "Pay the recipient without a prompt each time",
            feeLimit: { type: "lifetime", limit: parseEther("1").toString() },
            contractCalls: [
              {
                address: token,
                function: "transfer(address to, uint256 amount)",
                constraints: [
                  { param: "to", value: recipient },
                  { param: "amount", condition: "lessOrEqual", value: ONE.toString(), limit: { type: "lifetime", limit: (total * ONE).toString() } },
                ],
              },
            ],
          },
        },
        rules: [{ type: "expiry", data: { timestamp: (await now()) + lifetime } }],
      },
    ];
  }

  /** Requests a session from `page` and approves it in the window; returns its context. */
  async function grant(page = dapp, options) {
    const params = await sessionParams(options);
    const { page: window, pending } = await wallet.approval(() => request(page, "wallet_requestExecutionPermissions", params));
    assert.equal(await window.getByTestId("session-title").textContent(), "Allow this site to act without asking?");
    const rules = (await window.getByTestId("session-permission").allTextContents()).join("\n");
    // Token amounts in the token's units (symbol and decimals read from the chain).
    assert.match(rules, new RegExp(`Call transfer\\(address,uint256\\) on ${token}: \`to\` must equal ${recipient}; \`amount\` ≤ 1 TST`, "i"));
    assert.match(rules, /`amount` summed over all calls: at most \d+ TST in total/);
    assert.doesNotMatch(rules, /raw integers/);
    // The expiry in the browser's own locale and time zone, how far off, and UTC on hover.
    const expires = window.getByTestId("session-expires");
    const title = await expires.getAttribute("title");
    assert.match(title, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+ (s|min|h)/);
    const local = await window.evaluate(
      (utc) => new Date(`${utc.replace(" UTC", "Z").replace(" ", "T")}`).toLocaleString(navigator.language, { dateStyle: "medium", timeStyle: "short" }),
      title.slice(0, 23),
    );
    assert.match(await expires.textContent(), new RegExp(`^${local.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(in \\d+ (s|min|h)`));
    assert.match(await window.getByTestId("session-justification").textContent(), /Pay the recipient/);
    await window.getByTestId("approve").click();
    const answer = await pending;
    assert.ok(answer.result, JSON.stringify(answer.error));
    const [granted] = answer.result;
    assert.match(granted.context, /^0x[0-9a-f]{64}$/);
    assert.equal(granted.permission.type, "sso-session");
    assert.equal(getAddress(granted.from), getAddress(account));
    return granted.context;
  }

  /** Sends `tx` expecting the wallet to ask: returns the approval window's fallback note, then rejects. */
  async function expectFallback(page, tx) {
    const { page: window, pending } = await wallet.approval(() => request(page, "eth_sendTransaction", [tx]));
    const note = await window.getByTestId("session-fallback").count() ? await window.getByTestId("session-fallback").textContent() : null;
    await window.getByTestId("reject").click();
    assert.equal((await pending).error.code, 4001);
    return note;
  }

  let first;

  it("20 transfers within the limit open no window, survive a worker restart, and the 21st asks", async () => {
    first = await grant();
    const windows = wallet.approvalWindows;
    const before = await balance(recipient);
    for (let i = 0; i < 20; i += 1) {
      if (i === 10) await wallet.stopWorker(); // keys and pending usage outlive the worker
      const sent = await request(dapp, "eth_sendTransaction", [transfer()]);
      assert.match(sent.result ?? JSON.stringify(sent.error), /^0x[0-9a-f]{64}$/, `transfer ${i}`);
    }
    assert.equal(wallet.approvalWindows, windows, "no approval window for covered transactions");
    assert.equal((await balance(recipient)) - before, 20n * ONE);
    const note = await expectFallback(dapp, transfer());
    assert.match(note, /would exceed the limit 20000000000000000000 \(already used 20000000000000000000\)/);
    assert.equal((await balance(recipient)) - before, 20n * ONE);
  });

  it("lists the session with what is left, and the dapp sees it as granted", async () => {
    const granted = await request(dapp, "wallet_getGrantedExecutionPermissions");
    assert.deepEqual(granted.result.map((g) => g.context), [first]);
    const home = await wallet.context.newPage();
    try {
      await home.goto(`chrome-extension://${wallet.extensionId}/home.html#sessions`);
      const card = home.locator(`[data-testid="session"][data-context="${first}"]`);
      await card.waitFor();
      assert.equal(await card.getByTestId("session-origin").textContent(), DAPP.replace(/\/$/, ""));
      assert.equal(await card.getByTestId("session-status").textContent(), "Active");
      const left = (await card.getByTestId("session-remaining").allTextContents()).join("\n");
      assert.match(left, /`amount` 0 TST left of 20 TST/);
    } finally {
      await home.close();
    }
  });

  it("another origin cannot use the session", async () => {
    const other = await wallet.openDapp(OTHER_DAPP);
    try {
      const { page, pending } = await wallet.approval(() => other.evaluate(() => window.dapp.wallet.requestAddresses()));
      await page.getByTestId("approve").click();
      await pending;
      // The other origin has no session: a plain passkey approval, no session note.
      assert.equal(await expectFallback(other, transfer()), null);
      const granted = await request(other, "wallet_getGrantedExecutionPermissions");
      assert.deepEqual(granted.result, []);
      const revoke = await request(other, "wallet_revokeExecutionPermission", [{ permissionContext: first }]);
      assert.equal(revoke.error.code, -32602);
    } finally {
      await other.close();
    }
  });

  it("a session revoked by the dapp falls back, and is Closed on chain", async () => {
    const context = await grant(dapp, { total: 5n });
    const windows = wallet.approvalWindows;
    assert.ok((await request(dapp, "eth_sendTransaction", [transfer()])).result);
    // An EIP-5792 batch naming the session goes silently too: one UserOp, both calls.
    const before = await balance(recipient);
    const call = { to: token, data: transfer().data };
    const batch = await request(dapp, "wallet_sendCalls", [
      { version: "2.0.0", chainId: toHex(devnet.chainId), from: account, atomicRequired: true, calls: [call, call], capabilities: { permissions: { context } } },
    ]);
    assert.ok(batch.result?.id, JSON.stringify(batch.error));
    let callsStatus;
    for (let i = 0; i < 100 && callsStatus?.status !== 200; i += 1) {
      callsStatus = (await request(dapp, "wallet_getCallsStatus", [batch.result.id])).result;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(callsStatus.status, 200);
    assert.equal(callsStatus.receipts.length, 1);
    assert.equal((await balance(recipient)) - before, 2n * ONE);
    assert.equal(wallet.approvalWindows, windows);
    const { page, pending } = await wallet.approval(() =>
      request(dapp, "wallet_revokeExecutionPermission", [{ permissionContext: context }]),
    );
    assert.equal(await page.getByTestId("session-title").textContent(), "Revoke this session?");
    await page.getByTestId("approve").click();
    assert.deepEqual(await pending, { result: null });
    assert.equal(await status(context), CLOSED);
    // A window opens although this session had 4 TST left: it was not used. (Only the first,
    // exhausted session was tried, so that is what the note explains.)
    assert.match(await expectFallback(dapp, transfer()), /would exceed the limit/);
  });

  it("a session revoked in the sessions view falls back, and is Closed on chain", async () => {
    const context = await grant(dapp, { total: 5n });
    const home = await wallet.context.newPage();
    try {
      await home.goto(`chrome-extension://${wallet.extensionId}/home.html#sessions`);
      const card = home.locator(`[data-testid="session"][data-context="${context}"]`);
      const { page } = await wallet.approval(() => card.getByTestId("revoke-session").click());
      assert.equal(await page.getByTestId("session-title").textContent(), "Revoke this session?");
      await page.getByTestId("approve").click();
      await page.waitForEvent("close");
      assert.equal(await status(context), CLOSED);
      await home.getByTestId("refresh-sessions").click();
      await home.locator(`[data-testid="session"][data-context="${context}"][data-status="revoked"]`).waitFor();
    } finally {
      await home.close();
    }
    assert.match(await expectFallback(dapp, transfer()), /would exceed the limit/);
  });

  it("an expired session is not used and its key is erased", async () => {
    const context = await grant(dapp, { total: 5n, lifetime: 120 });
    const keys = async () => {
      const page = await wallet.context.newPage();
      try {
        await page.goto(`chrome-extension://${wallet.extensionId}/home.html`);
        return Object.keys((await page.evaluate(() => chrome.storage.session.get("sessionKeys"))).sessionKeys ?? {});
      } finally {
        await page.close();
      }
    };
    assert.ok((await keys()).includes(context));
    // Chain time moves past the expiry (the wallet evaluates sessions at the chain's time).
    await nodeRpc("evm_increaseTime", [180]);
    await nodeRpc("evm_mine", []);
    assert.match(await expectFallback(dapp, transfer()), /would exceed the limit/);
    assert.ok(!(await keys()).includes(context), "the expired session's key is erased");
    const granted = await request(dapp, "wallet_getGrantedExecutionPermissions");
    assert.ok(!granted.result.some((g) => g.context === context));
  });

  /** A standard permission request as the Smart Accounts Kit sends it (top-level expiry), without a dapp-held session account. */
  const ask = async (type, data) => [{ chainId: toHex(devnet.chainId), expiry: (await now()) + 3600, permission: { type, isAdjustmentAllowed: false, data } }];
  const eth = (to, value) => ({ from: account, to, value: toHex(value) });
  const ethBalance = (who) => chain.getBalance({ address: who });

  /** Requests a standard permission and approves it; returns the window's rules and warnings and the context. */
  async function grantStandard(type, data) {
    const { page: window, pending } = await wallet.approval(async () => request(dapp, "wallet_requestExecutionPermissions", await ask(type, data)));
    const rules = (await window.getByTestId("session-permission").allTextContents()).join("\n");
    const warnings = (await window.getByTestId("warning").allTextContents()).join("\n");
    await window.getByTestId("approve").click();
    const answer = await pending;
    assert.ok(answer.result, JSON.stringify(answer.error));
    assert.equal(answer.result[0].permission.type, type);
    return { rules, warnings, context: answer.result[0].context };
  }

  it("grants native-token-periodic: ETH to any address, the period's amount at most, then the passkey", async () => {
    const { rules, warnings, context } = await grantStandard("native-token-periodic", {
      periodAmount: parseEther("0.3").toString(), periodDuration: 86400, justification: "Tips",
    });
    assert.match(rules, /Send ETH to any address: up to 0\.3 ETH per transfer, at most 0\.3 ETH per day \(UTC day\)/, rules);
    assert.match(warnings, /Open ETH permission: the session may send ETH to any address/, warnings);
    const windows = wallet.approvalWindows;
    const to = [getAddress("0x" + "7a".repeat(20)), getAddress("0x" + "7b".repeat(20))]; // used by no other test
    for (const [i, who] of to.entries()) {
      const sent = await request(dapp, "eth_sendTransaction", [eth(who, parseEther(i === 0 ? "0.2" : "0.1"))]);
      assert.match(sent.result ?? JSON.stringify(sent.error), /^0x[0-9a-f]{64}$/);
    }
    assert.equal(await ethBalance(to[0]), parseEther("0.2"));
    assert.equal(await ethBalance(to[1]), parseEther("0.1"));
    assert.equal(wallet.approvalWindows, windows, "no window within the day's amount");
    assert.match(await expectFallback(dapp, eth(to[0], 1n)), /would exceed the limit 300000000000000000/);
    // Revoked, so that the stream below is the only session sending ETH.
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_revokeExecutionPermission", [{ permissionContext: context }]));
    await page.getByTestId("approve").click();
    assert.deepEqual(await pending, { result: null });
  });

  it("grants native-token-stream: ETH to any address as it accrues by the second, up to its cap", async () => {
    // No startTime: the kit's default, from now on. Accrual is claimed on the wallet's clock when
    // the devnet's chain time runs ahead of it (bundlers check validAfter against their clock), so
    // this test waits real seconds instead of moving chain time.
    const granted = Date.now() / 1000;
    const { rules } = await grantStandard("native-token-stream", {
      initialAmount: parseEther("0.1").toString(), amountPerSecond: parseEther("0.03").toString(),
      maxAmount: parseEther("0.5").toString(),
    });
    assert.match(
      rules,
      /Send ETH to any address: up to 0\.5 ETH per transfer, a stream: 0\.1 ETH from .* UTC, then 0\.03 ETH more each second \(2592 ETH a day\), at most 0\.5 ETH in total/,
      rules,
    );
    const windows = wallet.approvalWindows;
    const [a, b] = [getAddress("0x" + "7c".repeat(20)), getAddress("0x" + "7d".repeat(20))]; // used by no other test
    assert.ok((await request(dapp, "eth_sendTransaction", [eth(a, parseEther("0.1"))])).result, "the initial amount");
    assert.equal(await ethBalance(a), parseEther("0.1"));
    // More than streams in the next ten seconds: the passkey is asked.
    assert.ok(Date.now() / 1000 - granted < 10, "the test ran slowly enough to invalidate the next step");
    assert.match(await expectFallback(dapp, eth(b, parseEther("0.35"))), /would exceed the limit/);
    // 0.4 ETH more has streamed 13.3 s after the start: the cap leaves exactly that.
    while (Date.now() / 1000 < granted + 16) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.ok((await request(dapp, "eth_sendTransaction", [eth(b, parseEther("0.4"))])).result, "the rest of the cap");
    assert.equal(await ethBalance(b), parseEther("0.4"));
    assert.equal(wallet.approvalWindows, windows + 1, "only the early, too large transfer asked");
    assert.match(await expectFallback(dapp, eth(b, 1n)), /would exceed the limit 500000000000000000 \(already used 500000000000000000\)/);
  });

  it("grants MetaMask's erc20-token-periodic as a session: any recipient, the amount summed per period", async () => {
    const supported = (await request(dapp, "wallet_getSupportedExecutionPermissions")).result;
    assert.deepEqual(Object.keys(supported).sort(), [
      "erc20-token-allowance", "erc20-token-periodic", "erc20-token-stream",
      "native-token-allowance", "native-token-periodic", "native-token-stream", "sso-session",
    ]);
    const revocation = await request(dapp, "wallet_requestExecutionPermissions", await ask("erc20-token-revocation", {}));
    assert.equal(revocation.error?.code, -32602);
    assert.match(revocation.error.message, /erc20-token-revocation` is not granted: .*passkey/);

    const params = await ask("erc20-token-periodic", { tokenAddress: token, periodAmount: (2n * ONE).toString(), periodDuration: 604800, startTime: await now(), justification: "Two TST a week" });
    const { page: window, pending } = await wallet.approval(() => request(dapp, "wallet_requestExecutionPermissions", params));
    const rules = (await window.getByTestId("session-permission").allTextContents()).join("\n");
    assert.match(rules, /`amount` summed over all calls: at most 2 TST per week/, rules);
    assert.match(rules, /Network fees paid by the account: at most 0\.01 ETH per day/, rules);
    assert.doesNotMatch(rules, /must equal/, "any recipient");
    await window.getByTestId("approve").click();
    const answer = await pending;
    assert.ok(answer.result, JSON.stringify(answer.error));
    assert.equal(answer.result[0].permission.type, "erc20-token-periodic");

    // Any recipient, silently, up to the period's amount; then the passkey is asked.
    const windows = wallet.approvalWindows;
    const to = [getAddress("0x" + "c1".repeat(20)), getAddress("0x" + "c2".repeat(20))];
    for (const who of to) {
      const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [who, ONE] });
      const sent = await request(dapp, "eth_sendTransaction", [{ from: account, to: token, data }]);
      assert.match(sent.result ?? JSON.stringify(sent.error), /^0x[0-9a-f]{64}$/);
      assert.equal(await balance(who), ONE);
    }
    assert.equal(wallet.approvalWindows, windows, "no window within the period's amount");
    const over = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [to[0], 1n] });
    assert.match(await expectFallback(dapp, { from: account, to: token, data: over }), /would exceed/);
  });

  it("grants erc20-token-stream: a token's transfer to anyone, what has streamed at most", async () => {
    const { rules, context } = await grantStandard("erc20-token-stream", {
      tokenAddress: token, initialAmount: ONE.toString(), amountPerSecond: "1", justification: "Streamed TST",
    });
    assert.match(rules, /`amount` summed over all calls: a stream: 1 TST from .* UTC, then 0\.000000000000000001 TST more each second .*, no total cap/, rules);
    const windows = wallet.approvalWindows;
    const who = getAddress("0x" + "7e".repeat(20)); // used by no other test
    const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [who, ONE] });
    assert.ok((await request(dapp, "eth_sendTransaction", [{ from: account, to: token, data }])).result, "the initial amount");
    assert.equal(await balance(who), ONE);
    assert.equal(wallet.approvalWindows, windows);
    // A wei a second has streamed since: a whole token more asks.
    assert.match(await expectFallback(dapp, { from: account, to: token, data }), /would exceed the limit/);
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_revokeExecutionPermission", [{ permissionContext: context }]));
    await page.getByTestId("approve").click();
    assert.deepEqual(await pending, { result: null });
  });

  it("refuses a session that names a known function by another name", async () => {
    const params = await sessionParams();
    // many_msg_babbage(bytes1) has transfer(address,uint256)'s selector 0xa9059cbb.
    params[0].permission.data.contractCalls[0] = { address: token, function: "many_msg_babbage(bytes1)" };
    const windows = wallet.approvalWindows;
    const { error } = await request(dapp, "wallet_requestExecutionPermissions", params);
    assert.equal(error?.code, -32602);
    assert.match(error.message, /0xa9059cbb of transfer\(address,uint256\)/);
    assert.equal(wallet.approvalWindows, windows);
  });

  it("disconnecting the site ends its sessions here: key erased, not revived by reconnecting", async () => {
    const context = await grant(dapp, { total: 5n });
    const keys = async () => {
      const page = await wallet.context.newPage();
      try {
        await page.goto(`chrome-extension://${wallet.extensionId}/home.html`);
        return Object.keys((await page.evaluate(() => chrome.storage.session.get("sessionKeys"))).sessionKeys ?? {});
      } finally {
        await page.close();
      }
    };
    assert.ok((await request(dapp, "eth_sendTransaction", [transfer()])).result, "the session signs while connected");
    assert.ok((await keys()).includes(context));
    assert.deepEqual(await request(dapp, "wallet_revokePermissions", [{ eth_accounts: {} }]), { result: null });
    assert.ok(!(await keys()).includes(context), "the key is erased at once");
    assert.equal(await status(context), 1, "still open on chain until revoked there");
    const home = await wallet.context.newPage();
    try {
      await home.goto(`chrome-extension://${wallet.extensionId}/home.html#sessions`);
      const card = home.locator(`[data-testid="session"][data-context="${context}"][data-status="disconnected"]`);
      await card.waitFor();
      assert.equal(await card.getByTestId("revoke-session").count(), 1, "the on-chain revocation is offered");
    } finally {
      await home.close();
    }
    // Reconnecting does not bring the session back: the transfer asks for the passkey.
    const { page, pending } = await wallet.approval(() => dapp.evaluate(() => window.dapp.wallet.requestAddresses()));
    await page.getByTestId("approve").click();
    await pending;
    assert.match(await expectFallback(dapp, transfer()), /sessions have ended/);
    const granted = await request(dapp, "wallet_getGrantedExecutionPermissions");
    assert.ok(!granted.result.some((g) => g.context === context));
  });
});
