// The approval window explains contract calls: a known selector decoded into its function and
// named arguments (ERC-20 amounts with the token's decimals and symbol, read from chain), and
// warnings for an unlimited approval and for calldata sent to an address without code. And a
// token a site suggests with EIP-747 wallet_watchAsset, shown as the chain describes it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeAbiParameters, encodeFunctionData, getAddress, keccak256, maxUint256, parseAbi, parseAbiParameters, parseEther } from "viem";
import { Wallet, deployTestToken, devnet, nodeRpc, request } from "./lib/harness.mjs";

const ERC20 = parseAbi([
  "function transfer(address to, uint256 amount) returns (bool)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function mint(address to, uint256 amount)",
]);

describe("explaining calls", () => {
  let wallet;
  let dapp;
  let account;
  let token;

  before(async () => {
    token = await deployTestToken();
    ({ wallet, dapp, account } = await Wallet.onboarded("1"));
    await nodeRpc("eth_sendTransaction", [
      { from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [account, parseEther("10")] }) },
    ]);
  });
  after(async () => {
    await wallet?.close();
  });

  async function rejectAfter(tx, check) {
    const { page, pending } = await wallet.approval(() => request(dapp, "eth_sendTransaction", [tx]));
    await check(page);
    await page.getByTestId("reject").click();
    assert.equal((await pending).error.code, 4001);
  }

  it("decodes an ERC-20 transfer with the token's decimals", async () => {
    const recipient = "0x" + "ab".repeat(20);
    const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [recipient, parseEther("1.5")] });
    await rejectAfter({ from: account, to: token, data }, async (page) => {
      assert.equal(await page.getByTestId("call-function").textContent(), "transfer");
      assert.equal((await page.getByTestId("call-arg-to").textContent()).toLowerCase(), recipient);
      assert.equal(await page.getByTestId("call-arg-amount").textContent(), "1.5 TST");
      assert.equal(await page.getByTestId("warning").count(), 0);
      // eth_simulateV1 (anvil): the account's expected change, in the token's units — labelled
      // as the token's own claim, with its address (a token may call itself "ETH").
      const short = `${getAddress(token).slice(0, 6)}…${getAddress(token).slice(-4)}`;
      assert.deepEqual(await page.getByTestId("balance-change").allTextContents(), [`−1.5 TST (token ${short})`]);
      assert.equal(await page.getByTestId("token-claim").count(), 2, "for the amount and for the balance change");
    });
  });

  it("warns about an unlimited approval", async () => {
    const spender = "0x" + "5e".repeat(20);
    const data = encodeFunctionData({ abi: ERC20, functionName: "approve", args: [spender, maxUint256] });
    await rejectAfter({ from: account, to: token, data }, async (page) => {
      assert.equal(await page.getByTestId("call-function").textContent(), "approve");
      assert.equal(await page.getByTestId("call-arg-amount").textContent(), "unlimited TST");
      assert.match(await page.getByTestId("warning").textContent(), /^Unlimited approval: 0x5[eE]/);
    });
  });

  it("names a custom error when the call would revert", async () => {
    // More than the account holds: OpenZeppelin's ERC20InsufficientBalance, decoded by name.
    const recipient = "0x" + "ab".repeat(20);
    const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [recipient, parseEther("11")] });
    const answer = await request(dapp, "eth_sendTransaction", [{ from: account, to: token, data }]);
    assert.ok(answer.error, JSON.stringify(answer));
    assert.match(
      answer.error.message,
      /ERC20InsufficientBalance\(sender: 0x[0-9a-fA-F]{40}, balance: 10000000000000000000, needed: 11000000000000000000\)/,
    );
  });

  it("lists a transaction that failed on chain as Failed, saying why", async () => {
    // Shown (and estimated) while the account held the tokens; before it is approved the balance
    // is taken away — the devnet's storage write stands in for whatever changes state between a
    // review and the inclusion — so the operation is included and its call reverts.
    const recipient = "0x" + "a7".repeat(20);
    const data = encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [recipient, parseEther("1")] });
    const { page, pending } = await wallet.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to: token, data }]));
    const slot = keccak256(encodeAbiParameters(parseAbiParameters("address, uint256"), [account, 0n])); // OpenZeppelin's _balances
    const held = await nodeRpc("eth_getStorageAt", [token, slot, "latest"]);
    assert.equal(BigInt(held), parseEther("10"), "the balance slot is where OpenZeppelin keeps it");
    await nodeRpc("anvil_setStorageAt", [token, slot, `0x${"00".repeat(32)}`]);
    try {
      await page.getByTestId("approve").click();
      await pending;
      const home = await wallet.openHome({ tab: "activity" });
      const failed = home.locator('[data-testid="activity-item"][data-status="failed"]');
      await home.waitForFunction(
        () => document.querySelector('[data-testid="activity-item"][data-status="failed"]') ||
          (document.querySelector('[data-testid="refresh-sessions"]').click(), false),
        null,
        { polling: 500, timeout: 30_000 },
      );
      assert.equal(await failed.getByTestId("activity-status").textContent(), "Failed (nothing happened)");
      assert.match(
        await failed.getByTestId("activity-failure").textContent(),
        /^Why: ERC20InsufficientBalance\(sender: 0x[0-9a-fA-F]{40}, balance: 0, needed: 1000000000000000000\)/,
      );
      await home.close();
    } finally {
      await nodeRpc("anvil_setStorageAt", [token, slot, held]);
    }
  });

  it("shows an unknown selector raw and warns about calldata to an address without code", async () => {
    await rejectAfter({ from: account, to: "0x" + "77".repeat(20), data: "0x12345678" }, async (page) => {
      assert.equal(await page.getByTestId("call-function").textContent(), "0x12345678 (unknown)");
      assert.match(await page.getByTestId("warning").textContent(), /has no contract code/);
      assert.equal(await page.getByTestId("balance-change-none").count(), 1, "nothing moves");
    });
  });
  it("lists a token a site suggests (wallet_watchAsset) as the chain describes it, once approved", async () => {
    // The site calls the TST token "ETH": the window shows the token's own symbol and the site's claim.
    const suggest = () => request(dapp, "wallet_watchAsset", { type: "ERC20", options: { address: token, symbol: "ETH", decimals: 18 } });
    const { page, pending } = await wallet.approval(suggest);
    assert.equal(await page.getByTestId("asset-title").textContent(), "Add this token to your wallet?");
    assert.equal(await page.getByTestId("asset-address").textContent(), getAddress(token));
    assert.equal(await page.getByTestId("asset-symbol").textContent(), "TST");
    assert.equal(await page.getByTestId("asset-decimals").textContent(), "18");
    assert.match(await page.getByTestId("asset-claimed").textContent(), /calls it “ETH”, but the token calls itself “TST”/);
    await page.getByTestId("approve").click();
    assert.deepEqual(await pending, { result: true });
    const home = await wallet.openHome();
    const row = home.locator(`[data-testid="token"][data-address="${getAddress(token)}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId("token-balance").textContent(), "10 TST");
    await home.close();
    // Listed already: answered at once, no window. An NFT the account does not hold (here: an
    // ERC-20 asked as one), or an address that is no ERC-20, is refused.
    const windows = wallet.approvalWindows;
    assert.deepEqual(await suggest(), { result: true });
    assert.equal(wallet.approvalWindows, windows);
    const nft = await request(dapp, "wallet_watchAsset", { type: "ERC721", options: { address: token, tokenId: "1" } });
    assert.equal(nft.error.code, -32602);
    assert.match(nft.error.message, /did not answer ownerOf\(1\)/);
    const notAToken = await request(dapp, "wallet_watchAsset", { type: "ERC20", options: { address: "0x" + "12".repeat(20) } });
    assert.equal(notAToken.error.code, -32602);
    assert.match(notAToken.error.message, /is not an ERC-20 token/);
  });
});
