// The account's ERC-7579 modules, from the home page (Settings → Modules) and from a site
// (wallet_installModule): a third-party executor installed with the passkey, listed, moving the
// account's tokens for its operator, protected from dapps' calls, then uninstalled so that its
// next call fails; a fallback handler installed by a site and uninstalled from the home page,
// the account answering its selector only in between; the passkey validator never offered for
// uninstall; the session validator's uninstall closing the account's sessions on chain and
// ending them in the wallet; a site's malformed or hook requests refused before any window.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeAbiParameters, encodeFunctionData, getAddress, parseAbi, toFunctionSelector } from "viem";
import { Wallet, chain, deployArtifact, deployTestToken, devnet, nodeRpc, request, transferSessionRequest } from "./lib/harness.mjs";

const ACCOUNT_ABI = parseAbi([
  "function isModuleInstalled(uint256 moduleTypeId, address module, bytes additionalContext) view returns (bool)",
  "function whoAsked() view returns (address account, address caller)",
]);
const EXECUTOR_ABI = parseAbi(["function run(address account, address to, uint256 value, bytes data) returns (bytes[])"]);
const ERC20 = parseAbi(["function mint(address to, uint256 amount)", "function transfer(address to, uint256 amount) returns (bool)", "function balanceOf(address) view returns (uint256)"]);
const WHO_ASKED = toFunctionSelector("function whoAsked()");
const SESSION_VALIDATOR = parseAbi(["function sessionStatus(address account, bytes32 sessionHash) view returns (uint8)"]);
const ACTIVE = 1;
const CLOSED = 2;
const RECIPIENT = `0x${"5e".repeat(20)}`;

const text = (page, testId) => page.getByTestId(testId).first().textContent();

/** Clicks Refresh on `home` until `selector` matches exactly `count` elements. */
async function refreshUntil(home, selector, count) {
  await home.waitForFunction(
    ([selector, count]) => {
      if (document.querySelectorAll(selector).length === count) return true;
      document.querySelector('[data-testid="refresh-sessions"]')?.click();
      return false;
    },
    [selector, count],
    { polling: 500, timeout: 30_000 },
  );
}

describe("ERC-7579 modules", () => {
  let wallet;
  let dapp;
  let account;
  let home;

  const installed = (type, module, context = "0x") =>
    chain.readContract({ address: account, abi: ACCOUNT_ABI, functionName: "isModuleInstalled", args: [type, module, context] });

  /** Approves the module window `trigger` opens and waits for it to close (the change included). */
  async function approveModule(trigger, check) {
    const { page } = await wallet.approval(trigger);
    await check?.(page);
    await page.getByTestId("approve").click();
    await page.waitForEvent("close", { timeout: 30_000 });
  }

  before(async () => {
    ({ wallet, dapp, account } = await Wallet.onboarded("1"));
    home = await wallet.openHome({ tab: "settings" });
    await home.getByTestId("modules").waitFor();
  });
  after(async () => {
    await wallet?.close();
  });

  it("lists the passkey validator, and never offers to uninstall it while it holds the only keys", async () => {
    const row = home.locator(`[data-testid="module"][data-address="${getAddress(devnet.contracts.webauthnValidator)}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute("data-type"), "validator");
    assert.match(await row.textContent(), /SSO Wallet passkeys/);
    assert.match(await row.getByTestId("module-kept").textContent(), /only keys/);
    assert.equal(await row.getByTestId("uninstall-module").count(), 0);
  });

  it("installs an executor from the home page with a red warning; it moves the account's tokens for its operator until it is uninstalled", async () => {
    const executor = await deployArtifact("TestExecutor");
    const token = await deployTestToken();
    await nodeRpc("eth_sendTransaction", [{ from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [account, 100n] }) }]);
    const operator = devnet.funder.address;

    await home.getByTestId("module-type-input").selectOption("2");
    await home.getByTestId("module-address-input").fill(executor);
    await home.getByTestId("module-data-input").fill(encodeAbiParameters([{ type: "address" }], [operator]));
    await approveModule(
      () => home.getByTestId("install-module").click(),
      async (page) => {
        assert.equal(await text(page, "module-title"), "Install this executor on your account?");
        assert.match(await text(page, "module-warning"), /move every asset of the account/);
        assert.match(await text(page, "module-code-size"), /^[1-9]\d* bytes$/);
        assert.match(await text(page, "module-answers-type"), /^Yes/);
        assert.equal((await text(page, "module-address")).toLowerCase(), executor.toLowerCase());
        assert.match(await text(page, "approval-origin"), /^SSO Wallet/, "the wallet itself asks");
      },
    );
    assert.equal(await installed(2n, executor), true, "installed on chain");
    await refreshUntil(home, `[data-testid="module"][data-type="executor"]`, 1);
    assert.match(await home.locator('[data-testid="module"][data-type="executor"]').textContent(), /Unknown module/);

    // The executor does what executors do: its operator moves the account's tokens.
    const run = () =>
      nodeRpc("eth_sendTransaction", [
        {
          from: operator,
          to: executor,
          gas: "0x100000",
          data: encodeFunctionData({ abi: EXECUTOR_ABI, functionName: "run", args: [account, token, 0n, encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [RECIPIENT, 40n] })] }),
        },
      ]);
    const receipt = await chain.waitForTransactionReceipt({ hash: await run() });
    assert.equal(receipt.status, "success");
    assert.equal(await chain.readContract({ address: token, abi: ERC20, functionName: "balanceOf", args: [RECIPIENT] }), 40n);

    // Installed, it is protected like the wallet's own modules: a site's call to it is refused.
    const windows = wallet.approvalWindows;
    const refused = await request(dapp, "eth_sendTransaction", [{ from: account, to: executor, data: "0x12345678" }]);
    assert.equal(refused.error?.code, 4100, JSON.stringify(refused));
    assert.match(refused.error.message, /module installed on the account/);
    assert.equal(wallet.approvalWindows, windows, "no window");

    const row = home.locator(`[data-testid="module"][data-type="executor"]`);
    await approveModule(
      () => row.getByTestId("uninstall-module").click(),
      async (page) => assert.equal(await text(page, "module-title"), "Uninstall this executor from your account?"),
    );
    assert.equal(await installed(2n, executor), false, "uninstalled on chain");
    await refreshUntil(home, `[data-testid="module"][data-type="executor"]`, 0);
    const after = await chain.waitForTransactionReceipt({ hash: await run() }).catch((e) => e);
    assert.ok(after instanceof Error || after.status === "reverted", "its next call fails");
    assert.equal(await chain.readContract({ address: token, abi: ERC20, functionName: "balanceOf", args: [RECIPIENT] }), 40n, "nothing more moved");
  });

  it("installs a fallback handler a site offers (wallet_installModule), then uninstalls it from the home page", async () => {
    const handler = await deployArtifact("TestFallbackHandler");
    const whoAsked = () => chain.readContract({ address: account, abi: ACCOUNT_ABI, functionName: "whoAsked", account: RECIPIENT });
    await assert.rejects(whoAsked(), "no handler yet");

    let answer;
    await approveModule(
      () => (answer = request(dapp, "wallet_installModule", [{ moduleTypeId: "0x3", module: handler, initData: WHO_ASKED, chainId: "0x7a69" }])),
      async (page) => {
        assert.equal(await text(page, "module-title"), "Install this fallback handler on your account?");
        assert.equal(await text(page, "module-selector"), WHO_ASKED);
        assert.equal(await page.getByTestId("module-warning").count(), 0, "a fallback handler takes no control of the account");
        assert.doesNotMatch(await text(page, "approval-origin"), /^SSO Wallet/, "the site asks");
      },
    );
    const { result } = await answer;
    assert.match(result, /^0x[0-9a-f]{64}$/, "the site gets the transaction hash");
    assert.equal(await installed(3n, handler, WHO_ASKED), true);
    assert.deepEqual(await whoAsked(), [getAddress(account), getAddress(RECIPIENT)], "the account answers through it, naming the caller (ERC-2771)");

    await refreshUntil(home, '[data-testid="module"][data-type="fallback handler"]', 1);
    const row = home.locator('[data-testid="module"][data-type="fallback handler"]');
    assert.match(await row.getByTestId("module-selectors").textContent(), new RegExp(WHO_ASKED));
    await approveModule(() => row.getByTestId("uninstall-module").click());
    assert.equal(await installed(3n, handler, WHO_ASKED), false);
    await assert.rejects(whoAsked(), "no handler any more");
  });

  it("uninstalling the session validator closes the account's sessions on chain, and they no longer sign", async () => {
    const now = Number((await chain.getBlock()).timestamp);
    const perUse = 10n ** 15n;
    const params = transferSessionRequest({ account, to: RECIPIENT, perUse, total: 10n * perUse, feeLimit: 10n ** 17n, expiry: now + 3600 });
    const granted = await wallet.approval(() => request(dapp, "wallet_requestExecutionPermissions", params));
    await granted.page.getByTestId("approve").click();
    const context = (await granted.pending).result?.[0]?.context;
    assert.match(context ?? "", /^0x[0-9a-f]{64}$/);
    const status = () =>
      chain.readContract({ address: devnet.contracts.sessionKeyValidator, abi: SESSION_VALIDATOR, functionName: "sessionStatus", args: [account, context] });
    assert.equal(await status(), ACTIVE);

    const validator = getAddress(devnet.contracts.sessionKeyValidator);
    await refreshUntil(home, `[data-testid="module"][data-address="${validator}"]`, 1);
    const row = home.locator(`[data-testid="module"][data-address="${validator}"]`);
    assert.match(await row.textContent(), /SSO Wallet sessions/);
    await approveModule(
      () => row.getByTestId("uninstall-module").click(),
      async (page) => {
        assert.equal(await text(page, "module-closes-sessions"), "1");
        assert.match(await text(page, "module-warning"), /closes 1 session/);
      },
    );
    assert.equal(await installed(1n, validator), false);
    assert.equal(await status(), CLOSED, "closed on chain by the uninstall");
    // The session's transfer is no longer signed silently: it needs the passkey.
    const { page } = await wallet.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to: RECIPIENT, value: `0x${perUse.toString(16)}` }]));
    await page.getByTestId("reject").click();
  });

  it("refuses a site's hook, malformed, wrong-chain, code-less or wallet-own module request before any window", async () => {
    const windows = wallet.approvalWindows;
    const module = `0x${"77".repeat(20)}`;
    for (const params of [
      [{ moduleTypeId: 4, module, initData: "0x" }],
      [{ moduleTypeId: "0x2", module: "0x1234", initData: "0x" }],
      [{ moduleTypeId: "0x3", module, initData: "0x1234" }],
      { moduleTypeId: "0x2", module },
    ]) {
      const { error } = await request(dapp, "wallet_installModule", params);
      assert.equal(error?.code, -32602, JSON.stringify([params, error]));
    }
    const wrongChain = await request(dapp, "wallet_installModule", [{ moduleTypeId: 2, module, initData: "0x", chainId: "0x1" }]);
    assert.equal(wrongChain.error?.code, 5710, JSON.stringify(wrongChain));
    const noCode = await request(dapp, "wallet_installModule", [{ moduleTypeId: 2, module, initData: "0x" }]);
    assert.equal(noCode.error?.code, -32602, JSON.stringify(noCode));
    assert.match(noCode.error.message, /no contract/);
    // The wallet's own validators are never installed on a site's say (init data could carry sessions).
    const own = await request(dapp, "wallet_installModule", [{ moduleTypeId: 1, module: devnet.contracts.sessionKeyValidator, initData: "0x" }]);
    assert.equal(own.error?.code, 4100, JSON.stringify(own));
    assert.match(own.error.message, /SSO Wallet's own module/);
    assert.equal(wallet.approvalWindows, windows, "no window opened");
  });
});
