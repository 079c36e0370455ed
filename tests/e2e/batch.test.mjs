// EIP-5792 batches: wallet_getCapabilities, wallet_sendCalls (three calls, atomic, one UserOp,
// approved once with the passkey) + viem's waitForCallsStatus, the EIP-5792 error codes, and
// wallet_showCallsStatus opening the activity view. Also: the deployed account receives ERC-721
// and ERC-1155 tokens sent with their safe (receiver-checking) calls.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeAbiParameters, encodeFunctionData, getAddress, keccak256, parseAbi, parseAbiParameters, parseEther } from "viem";
import { ANVIL, DAPP, OTHER_DAPP, Wallet, chain, deployArtifact, deployTestToken, devnet, nodeRpc, request } from "./lib/harness.mjs";

const NFTS = parseAbi([
  "function safeMint(address to, uint256 tokenId)",
  "function mintBatch(address to, uint256[] ids, uint256[] amounts)",
  "function ownerOf(uint256 tokenId) view returns (address)",
  "function balanceOf(address owner, uint256 id) view returns (uint256)",
]);


describe("EIP-5792 batches", () => {
  let wallet;
  let dapp;
  let account;

  before(async () => {
    ({ wallet, dapp, account } = await Wallet.onboarded("1"));
  });
  after(async () => {
    await wallet?.close();
  });

  it("reports atomic batches and ERC-7677 paymaster services as supported", async () => {
    const capabilities = await dapp.evaluate((account) => window.dapp.wallet.getCapabilities({ account }), account);
    assert.deepEqual(capabilities[31337], { atomic: { status: "supported" }, paymasterService: { supported: true } });
  });

  it("sends three calls atomically in one UserOp approved once, and reports their status", async () => {
    const recipients = ["0x" + "11".repeat(20), "0x" + "12".repeat(20), "0x" + "13".repeat(20)];
    const amounts = [parseEther("0.001"), parseEther("0.002"), parseEther("0.003")];
    const before = await Promise.all(recipients.map((address) => chain.getBalance({ address })));
    const opened = wallet.approvalWindows;
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(
        ({ account, recipients, amounts, chain }) =>
          window.dapp.wallet.sendCalls({
            account,
            chain,
            calls: recipients.map((to, i) => ({ to, value: BigInt(amounts[i]) })),
          }),
        { account, recipients, amounts: amounts.map(String), chain: ANVIL },
      ),
    );
    assert.equal(await page.getByTestId("call").count(), 3);
    assert.equal(await page.getByTestId("tx-title").textContent(), "Send 3 calls (all or nothing)");
    assert.deepEqual(await page.getByTestId("tx-value").allTextContents(), ["0.001 ETH", "0.002 ETH", "0.003 ETH"]);
    await page.getByTestId("approve").click();
    const { id } = await pending;
    assert.match(id, /^0x[0-9a-f]{64}$/);
    const status = await dapp.evaluate((id) => window.dapp.wallet.waitForCallsStatus({ id, timeout: 60_000 }), id);
    assert.equal(status.status, "success");
    assert.equal(status.atomic, true);
    assert.equal(status.receipts.length, 1, "one UserOp, one receipt");
    const receipt = await chain.getTransactionReceipt({ hash: status.receipts[0].transactionHash });
    assert.equal(receipt.status, "success");
    const afterBalances = await Promise.all(recipients.map((address) => chain.getBalance({ address })));
    afterBalances.forEach((balance, i) => assert.equal(balance - before[i], amounts[i]));
    assert.equal(wallet.approvalWindows, opened + 1, "one approval window for the whole batch");
  });

  it("answers EIP-5792 error codes: unknown id, other origin, duplicate id, wrong chain", async () => {
    const unknown = await request(dapp, "wallet_getCallsStatus", ["0x" + "00".repeat(32)]);
    assert.equal(unknown.error.code, 5730);
    const call = { to: "0x" + "11".repeat(20), value: "0x1" };
    const wrongChain = await request(dapp, "wallet_sendCalls", [{ version: "2.0.0", chainId: "0x1", atomicRequired: true, calls: [call] }]);
    assert.equal(wrongChain.error.code, 5710);
    const capability = await request(dapp, "wallet_sendCalls", [
      { version: "2.0.0", chainId: "0x7a69", atomicRequired: true, calls: [call], capabilities: { auxiliaryFunds: { supported: true } } },
    ]);
    assert.equal(capability.error.code, 5700, "a capability the wallet does not support, not marked optional");

    // The account's second UserOp: a batch of two calls from the deployed account.
    const calls = [call, { to: "0x" + "22".repeat(20), value: "0x2" }];
    const { page, pending } = await wallet.approval(() =>
      request(dapp, "wallet_sendCalls", [{ version: "2.0.0", id: "my-batch", chainId: "0x7a69", atomicRequired: true, calls }]),
    );
    await page.getByTestId("approve").click();
    const sent = await pending;
    assert.deepEqual(sent.result, { id: "my-batch" }, JSON.stringify(sent));
    const duplicate = await request(dapp, "wallet_sendCalls", [{ version: "2.0.0", id: "my-batch", chainId: "0x7a69", atomicRequired: true, calls: [call] }]);
    assert.equal(duplicate.error.code, 5720);

    const other = await wallet.openDapp(OTHER_DAPP);
    try {
      // Another origin is not connected: 4100; it can never read this origin's batches.
      assert.equal((await request(other, "wallet_getCallsStatus", ["my-batch"])).error.code, 4100);
      assert.equal((await request(other, "wallet_showCallsStatus", ["my-batch"])).error.code, 4100);
      // Connected, it may use the same id for its own batch: ids are unique per origin, and it
      // learns nothing about the other origin's (no 5720; the request goes to the window).
      const connected = await wallet.approval(() => request(other, "eth_requestAccounts"));
      await connected.page.getByTestId("approve").click();
      await connected.pending;
      const own = await wallet.approval(() =>
        request(other, "wallet_sendCalls", [{ version: "2.0.0", id: "my-batch", chainId: "0x7a69", atomicRequired: true, calls: [call] }]),
      );
      await own.page.getByTestId("reject").click();
      assert.equal((await own.pending).error.code, 4001);
      assert.equal((await request(other, "wallet_getCallsStatus", ["my-batch"])).error.code, 5730);
    } finally {
      await other.close();
    }
  });

  it("sends a passkey-approved contract call from the deployed account", async () => {
    const { page, pending } = await wallet.approval(() =>
      request(dapp, "eth_sendTransaction", [{ to: "0x" + "33".repeat(20), data: "0x12345678" }]),
    );
    await page.getByTestId("approve").click();
    const { result } = await pending;
    assert.equal((await chain.getTransactionReceipt({ hash: result })).status, "success");
  });

  it("receives NFTs the way dapps send them: ERC-721 safe mints and ERC-1155 batch mints to the deployed account", async () => {
    assert.ok((await chain.getCode({ address: account }))?.length > 2, "the account is deployed (the batch did it)");
    const [nft, multi] = [await deployArtifact("TestERC721"), await deployArtifact("TestERC1155")];
    const send = async (to, data) => {
      const hash = await nodeRpc("eth_sendTransaction", [{ from: devnet.funder.address, to, data, gas: "0x7a120" }]);
      return (await chain.waitForTransactionReceipt({ hash })).status;
    };
    assert.equal(await send(nft, encodeFunctionData({ abi: NFTS, functionName: "safeMint", args: [account, 1n] })), "success");
    assert.equal(await send(multi, encodeFunctionData({ abi: NFTS, functionName: "mintBatch", args: [account, [1n, 2n], [5n, 6n]] })), "success");
    assert.equal(getAddress(await chain.readContract({ address: nft, abi: NFTS, functionName: "ownerOf", args: [1n] })), getAddress(account));
    assert.equal(await chain.readContract({ address: multi, abi: NFTS, functionName: "balanceOf", args: [account, 2n] }), 6n);

    // The dapp suggests them (wallet_watchAsset, as MetaMask takes NFTs): checked held, shown,
    // listed on the home page with what the chain says the account holds.
    const watch = (type, address, tokenId) => request(dapp, "wallet_watchAsset", { type, options: { address, tokenId } });
    for (const [type, address, id, standard, symbol] of [["ERC721", nft, "1", "ERC-721", "TNFT"], ["ERC1155", multi, "2", "ERC-1155", "none"]]) {
      const { page, pending } = await wallet.approval(() => watch(type, address, id));
      assert.equal(await page.getByTestId("asset-title").textContent(), "Add this NFT to your wallet?");
      assert.equal(await page.getByTestId("asset-standard").textContent(), standard);
      assert.equal(await page.getByTestId("asset-token-id").textContent(), id);
      assert.equal(await page.getByTestId("asset-symbol").textContent(), symbol);
      await page.getByTestId("approve").click();
      assert.deepEqual(await pending, { result: true });
    }
    const home = await wallet.openHome();
    const row = (address, id) => home.locator(`[data-testid="token"][data-address="${getAddress(address)}"][data-token-id="${id}"]`);
    await row(nft, 1).waitFor();
    assert.equal(await row(nft, 1).getByTestId("token-balance").textContent(), "NFT #1 of TNFT");
    assert.match(await row(multi, 2).getByTestId("token-balance").textContent(), /^6 × #2 of 0x/);
    await home.close();
    // Not held: refused with the reason, no window.
    const windows = wallet.approvalWindows;
    const stranger = await watch("ERC721", nft, "2");
    assert.equal(stranger.error?.code, -32602);
    assert.match(stranger.error.message, /did not answer ownerOf\(2\)|does not own/);
    const none = await watch("ERC1155", multi, "9");
    assert.match(none.error?.message ?? "", /holds none of ERC-1155 #9/);
    assert.equal(wallet.approvalWindows, windows);
  });

  it("wallet_showCallsStatus opens the activity view on the batch", async () => {
    assert.equal((await request(dapp, "wallet_showCallsStatus", ["no-such-batch"])).error.code, 5730);
    const opened = wallet.context.waitForEvent("page", { predicate: (p) => p.url().includes("home.html") });
    assert.deepEqual(await request(dapp, "wallet_showCallsStatus", ["my-batch"]), { result: null });
    const view = await opened;
    const item = view.locator('[data-testid="activity-item"][data-id="my-batch"]');
    await item.waitFor();
    assert.equal(await view.getByTestId("tab-activity").getAttribute("aria-selected"), "true", "?calls= opens the Activity tab");
    assert.equal(await item.getAttribute("data-selected"), "true");
    assert.equal(await item.getByTestId("activity-origin").textContent(), DAPP.replace(/\/$/, ""));
    // It was sent in the previous test and has been mined since.
    await view.waitForFunction(() =>
      document.querySelector('[data-id="my-batch"] [data-testid="activity-status"]')?.textContent === "Success" ||
      (document.querySelector('[data-testid="refresh-sessions"]').click(), false),
    { polling: 500, timeout: 30_000 });
    assert.match(await item.getByTestId("activity-tx").textContent(), /^0x[0-9a-f]{64}$/);
    // The other batches are listed too, not selected.
    assert.ok((await view.getByTestId("activity-item").count()) >= 2);
    await view.close();
  });

  it("reports 100 while pending, 400 once dropped before inclusion and 500 when the batch reverted, all atomic", async () => {
    const status = async (id) => (await request(dapp, "wallet_getCallsStatus", [id])).result;
    const sendBatch = async (calls, before) => {
      const { page, pending } = await wallet.approval(() =>
        request(dapp, "wallet_sendCalls", [{ version: "2.0.0", chainId: "0x7a69", atomicRequired: true, calls }]),
      );
      await before?.();
      await page.getByTestId("approve").click();
      const { result, error } = await pending;
      assert.ok(result?.id, JSON.stringify(error));
      return result.id;
    };
    // 100, then 400: the chain mines nothing while the bundler holds the operation; then the
    // account's nonce moves past it in the next block, ahead of any bundle (as when another
    // operation takes its place), so it can never be included. The bundler's own transaction is
    // left alone (dropping it from the pool left the bundler waiting on a nonce gap, at random).
    await nodeRpc("evm_setAutomine", [false]);
    let dropped;
    try {
      dropped = await sendBatch([{ to: `0x${"44".repeat(20)}`, value: "0x5" }]);
      const pending = await status(dropped);
      assert.equal(pending.status, 100);
      assert.equal(pending.atomic, true);
      const ENTRY_POINT = parseAbi(["function incrementNonce(uint192 key)"]);
      await nodeRpc("anvil_impersonateAccount", [account]);
      // A priority fee far above the bundler's: the node orders its block by fee.
      await nodeRpc("eth_sendTransaction", [
        {
          from: account,
          to: devnet.entryPoint,
          data: encodeFunctionData({ abi: ENTRY_POINT, functionName: "incrementNonce", args: [0n] }),
          gas: "0x30000",
          maxPriorityFeePerGas: "0x174876e800",
          maxFeePerGas: "0x2e90edd000",
        },
      ]);
      await nodeRpc("evm_mine", []);
    } finally {
      await nodeRpc("anvil_stopImpersonatingAccount", [account]).catch(() => {});
      await nodeRpc("evm_setAutomine", [true]);
    }
    const gone = await status(dropped);
    assert.equal(gone.status, 400, JSON.stringify(gone));
    assert.equal(gone.atomic, true);
    assert.equal(await chain.getBalance({ address: `0x${"44".repeat(20)}` }), 0n, "never included");

    // 500: estimated and shown while the account held the tokens, reverted once included.
    const token = await deployTestToken();
    const ERC20 = parseAbi(["function mint(address to, uint256 amount)", "function transfer(address to, uint256 amount) returns (bool)"]);
    await nodeRpc("eth_sendTransaction", [{ from: devnet.funder.address, to: token, data: encodeFunctionData({ abi: ERC20, functionName: "mint", args: [account, 10n] }) }]);
    const slot = keccak256(encodeAbiParameters(parseAbiParameters("address, uint256"), [account, 0n]));
    const reverted = await sendBatch(
      [{ to: token, data: encodeFunctionData({ abi: ERC20, functionName: "transfer", args: [`0x${"45".repeat(20)}`, 10n] }) }],
      () => nodeRpc("anvil_setStorageAt", [token, slot, `0x${"00".repeat(32)}`]),
    );
    let answer = await status(reverted);
    for (let i = 0; i < 100 && answer.status === 100; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      answer = await status(reverted);
    }
    assert.equal(answer.status, 500, JSON.stringify(answer));
    assert.equal(answer.atomic, true);
    assert.equal(answer.receipts[0].status, "0x0");
    // 600 (partly reverted) cannot happen: every batch is one UserOperation, all or nothing.
  });
});
