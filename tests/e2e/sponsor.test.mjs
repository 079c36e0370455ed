// Gas sponsorship (ERC-7677 paymaster services through EIP-5792's `paymasterService`
// capability): an account with no ETH at all deploys itself and sends an ERC-20 with the fees
// paid by the devnet's sponsor (a SponsorPaymaster and its web service, started by the devnet);
// the approval window says who pays and that the user pays nothing. A service that fails, and
// one whose signature the chain refuses, are readable errors that cost the user nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeFunctionData, getAddress, parseAbi, parseEther, toHex } from "viem";
import { ANVIL, Wallet, chain, deployTestToken, devnet, nodeRpc, request, transferSessionRequest } from "./lib/harness.mjs";

const ERC20 = parseAbi([
  "function transfer(address to, uint256 amount) returns (bool)",
  "function mint(address to, uint256 amount)",
  "function balanceOf(address owner) view returns (uint256)",
]);
const ENTRY_POINT = parseAbi(["function balanceOf(address account) view returns (uint256)"]);

describe("gas sponsorship (ERC-7677)", () => {
  let wallet;
  let dapp;
  let account;
  let token;
  const deposit = () => chain.readContract({ address: devnet.entryPoint, abi: ENTRY_POINT, functionName: "balanceOf", args: [devnet.paymaster.address] });
  const tokens = (owner) => chain.readContract({ address: token, abi: ERC20, functionName: "balanceOf", args: [owner] });
  const send = (url, to, amount) =>
    dapp.evaluate(
      ({ account, chain, token, to, amount, url }) =>
        window.dapp.wallet
          .sendCalls({
            account,
            chain,
            calls: [{ to: token, data: window.dapp.encodeTransfer(to, BigInt(amount)) }],
            capabilities: { paymasterService: { url } },
          })
          .then((result) => ({ result }), (e) => ({ error: { code: e.code ?? e.cause?.code, message: e.details ?? e.message } })),
      { account, chain: ANVIL, token, to, amount: String(amount), url },
    );

  before(async () => {
    token = await deployTestToken();
    ({ wallet, dapp, account } = await Wallet.onboarded("0"));
    await nodeRpc("eth_sendTransaction", [
      { from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [account, parseEther("10")] }) },
    ]);
    await dapp.evaluate(() => {
      window.dapp.encodeTransfer = (to, amount) =>
        `0xa9059cbb${to.slice(2).toLowerCase().padStart(64, "0")}${amount.toString(16).padStart(64, "0")}`;
    });
  });
  after(async () => {
    await wallet?.close();
  });

  it("advertises paymaster services", async () => {
    const capabilities = await request(dapp, "wallet_getCapabilities", [account, ["0x7a69"]]);
    assert.deepEqual(capabilities.result["0x7a69"].paymasterService, { supported: true });
  });

  it("a service that does not answer is a readable error, and no window opens", async () => {
    const windows = wallet.approvalWindows;
    const { error } = await send("http://127.0.0.1:9/rpc", `0x${"a1".repeat(20)}`, 1n);
    assert.equal(error?.code, -32603, JSON.stringify(error));
    assert.match(error.message, /the paymaster service at http:\/\/127\.0\.0\.1:9\/rpc failed: .*nothing was sent/);
    assert.equal(wallet.approvalWindows, windows);
  });

  it("an account with no ETH deploys itself and sends a token, the sponsor paying", async () => {
    assert.equal(await chain.getBalance({ address: account }), 0n);
    assert.equal(await chain.getCode({ address: account }), undefined, "not deployed yet");
    const recipient = getAddress(`0x${"a2".repeat(20)}`);
    const before = await deposit();
    const { page, pending } = await wallet.approval(() => send(devnet.paymaster.url, recipient, parseEther("1.5")));
    assert.match(await page.getByTestId("tx-sponsor").textContent(), new RegExp(`^Fees sponsored by ${devnet.paymaster.sponsor}: you pay no network fee`));
    assert.equal(await page.getByTestId("tx-sponsor-url").textContent(), devnet.paymaster.url);
    assert.equal(await page.getByTestId("tx-fee").textContent(), "0 ETH");
    assert.equal(await page.getByTestId("tx-deploys").count(), 1);
    await page.getByTestId("approve").click();
    const { result, error } = await pending;
    assert.ok(result?.id, JSON.stringify(error));
    const status = await dapp.evaluate((id) => window.dapp.wallet.waitForCallsStatus({ id, timeout: 60_000 }), result.id);
    assert.equal(status.status, "success");
    assert.equal(await tokens(recipient), parseEther("1.5"));
    assert.equal(await chain.getBalance({ address: account }), 0n, "still no ETH: nothing was charged");
    assert.ok((await chain.getCode({ address: account }))?.length > 2, "deployed");
    assert.ok((await deposit()) < before, "the paymaster's deposit paid");
  });

  it("a sponsorship its paymaster would refuse is refused before any window, and costs nothing", async () => {
    // The service signs with a key the paymaster does not trust: the wallet asks the paymaster
    // itself, as the EntryPoint would, before showing anything.
    const recipient = getAddress(`0x${"a3".repeat(20)}`);
    const before = await deposit();
    const windows = wallet.approvalWindows;
    const { error } = await send(`${devnet.paymaster.url}/wrong-signer`, recipient, 1n);
    assert.equal(error?.code, -32603, JSON.stringify(error));
    assert.match(error.message, /its paymaster refuses the data it signed \(AA34: the signature does not match the operation\); nothing was sent/);
    assert.equal(wallet.approvalWindows, windows, "no window");
    assert.equal(await tokens(recipient), 0n);
    assert.equal(await chain.getBalance({ address: account }), 0n);
    assert.equal(await deposit(), before);
  });

  it("a session's silent send is sponsored when the dapp's calls carry the capability", async () => {
    // Creating the session is a passkey operation the account pays for; its sends are then sponsored.
    await nodeRpc("anvil_setBalance", [account, toHex(parseEther("1"))]);
    const to = getAddress(`0x${"a4".repeat(20)}`);
    const now = Number((await chain.getBlock()).timestamp);
    const params = transferSessionRequest({ account, to, perUse: parseEther("0.01"), total: parseEther("0.1"), feeLimit: parseEther("0.5"), expiry: now + 3600 });
    const grant = await wallet.approval(() => request(dapp, "wallet_requestExecutionPermissions", params));
    await grant.page.getByTestId("approve").click();
    const { result: granted } = await grant.pending;
    assert.ok(granted?.[0]?.context, "granted");
    const windows = wallet.approvalWindows;
    const before = await chain.getBalance({ address: account });
    const sent = await request(dapp, "wallet_sendCalls", [
      {
        version: "2.0.0",
        chainId: "0x7a69",
        atomicRequired: true,
        calls: [{ to, value: toHex(parseEther("0.01")) }],
        capabilities: { permissions: { context: granted[0].context }, paymasterService: { url: devnet.paymaster.url } },
      },
    ]);
    assert.ok(sent.result?.id, JSON.stringify(sent.error));
    assert.equal(wallet.approvalWindows, windows, "no window: the session signed it");
    for (let i = 0; i < 100 && (await chain.getBalance({ address: to })) === 0n; i += 1) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await chain.getBalance({ address: to }), parseEther("0.01"));
    assert.equal(before - (await chain.getBalance({ address: account })), parseEther("0.01"), "the value alone left the account: the sponsor paid the fee");
  });

  it("a network's own sponsor (a setting) pays when the dapp names none", async () => {
    const fresh = await Wallet.onboarded("0");
    try {
      const home = await fresh.wallet.openHome({ tab: "settings" });
      const save = async () => {
        await home.getByTestId("save-network").click();
        const shown = home.locator('[data-testid="error"], [data-testid="notice"]').first();
        await shown.waitFor();
        return shown.textContent();
      };
      await home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"]`).getByTestId("edit-network").click();
      await home.getByTestId("network-sponsor").fill("ftp://sponsor.example");
      assert.match(await save(), /the paymaster service: the URL must start with https:\/\/ or http:\/\//);
      await home.getByTestId("network-sponsor").fill(devnet.paymaster.url);
      assert.equal(await save(), "Network saved.");
      await home.close();

      // A plain eth_sendTransaction (no capabilities at all) from an account with no ETH.
      const recipient = getAddress(`0x${"a5".repeat(20)}`);
      await nodeRpc("eth_sendTransaction", [
        { from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [fresh.account, 5n] }) },
      ]);
      const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [recipient, 5n] });
      const { page, pending } = await fresh.wallet.approval(() => request(fresh.dapp, "eth_sendTransaction", [{ from: fresh.account, to: token, data }]));
      assert.match(await page.getByTestId("tx-sponsor").textContent(), /^Fees sponsored by SSO Wallet devnet sponsor/);
      assert.equal(await page.getByTestId("tx-fee").textContent(), "0 ETH");
      await page.getByTestId("approve").click();
      const { result, error } = await pending;
      assert.match(result ?? JSON.stringify(error), /^0x[0-9a-f]{64}$/);
      assert.equal(await tokens(recipient), 5n);
      assert.equal(await chain.getBalance({ address: fresh.account }), 0n);
    } finally {
      await fresh.wallet.close();
    }
  });

  it("the devnet names its own sponsor: an account there needs no ETH to start", async () => {
    const own = await Wallet.onboarded("0", { sponsored: true });
    try {
      const recipient = getAddress(`0x${"a6".repeat(20)}`);
      await nodeRpc("eth_sendTransaction", [
        { from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [own.account, 3n] }) },
      ]);
      const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [recipient, 3n] });
      const { page, pending } = await own.wallet.approval(() => request(own.dapp, "eth_sendTransaction", [{ from: own.account, to: token, data }]));
      assert.equal(await page.getByTestId("tx-sponsor-url").textContent(), devnet.paymaster.url);
      await page.getByTestId("approve").click();
      const { result, error } = await pending;
      assert.match(result ?? JSON.stringify(error), /^0x[0-9a-f]{64}$/);
      assert.equal(await tokens(recipient), 3n);
      assert.equal(await chain.getBalance({ address: own.account }), 0n);
    } finally {
      await own.wallet.close();
    }
  });
});
