// Networks: a dapp adds a second anvil chain (same contracts at the same CREATE2 addresses, its
// own bundler) with wallet_addEthereumChain, switches to it, every page gets chainChanged, and
// transactions go to the new chain (the account deploys there at the same address). Chains that
// cannot run the account are refused with a readable −32602.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http, parseEther, toHex } from "viem";
import { DAPP, OTHER_DAPP, Wallet, chain, devnet, jsonRpc, nodeRpc, request } from "./lib/harness.mjs";

if (!process.env.SSO_DEVNET2_JSON) throw new Error("SSO_DEVNET2_JSON is not set: run the end-to-end tests through `cargo xtask test`");
const second = JSON.parse(await readFile(process.env.SSO_DEVNET2_JSON, "utf8"));
const secondChain = createPublicClient({ transport: http(second.rpcUrl) });

const secondRpc = (method, params) => jsonRpc(second.rpcUrl, method, params);

describe("networks", () => {
  let wallet;
  let dapp;
  let other;
  let account;

  const addParams = (overrides = {}) => [
    {
      chainId: toHex(second.chainId),
      chainName: "Second devnet",
      rpcUrls: [second.rpcUrl],
      bundlerUrls: [second.bundlerUrl],
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      ...overrides,
    },
  ];

  before(async () => {
    wallet = await Wallet.launch();
    dapp = await wallet.openDapp(DAPP);
    account = await wallet.connect(dapp);
    other = await wallet.openDapp(OTHER_DAPP); // not connected: still told about chain changes
    for (const page of [dapp, other]) {
      await page.evaluate(() => {
        window.__chains = [];
        window.ethereum.on("chainChanged", (id) => window.__chains.push(id));
      });
    }
  });
  after(async () => {
    await wallet?.close();
  });

  it("refuses chains that cannot run the account, with the reason", async () => {
    // The node serves another chain id than claimed.
    const wrongId = await request(dapp, "wallet_addEthereumChain", addParams({ chainId: "0x1f4", rpcUrls: [second.rpcUrl] }));
    assert.equal(wrongId.error.code, -32602);
    assert.match(wrongId.error.message, new RegExp(`serves chain ${second.chainId}`));
    // No bundler: the first chain's node does not serve ERC-4337 and no bundlerUrls are given.
    const noBundler = await request(dapp, "wallet_addEthereumChain", addParams({ bundlerUrls: [devnet.rpcUrl] }));
    assert.equal(noBundler.error.code, -32602);
    assert.match(noBundler.error.message, /no ERC-4337 bundler/);
    // Unknown chains cannot be switched to.
    const unknown = await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(second.chainId) }]);
    assert.equal(unknown.error.code, 4902);
  });

  it("adds the second chain after approval, switches, and tells every page", async () => {
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_addEthereumChain", addParams()));
    assert.equal(await page.getByTestId("chain-name").textContent(), "Second devnet");
    assert.equal(await page.getByTestId("chain-id").textContent(), String(second.chainId));
    assert.equal(await page.getByTestId("chain-bundler").textContent(), second.bundlerUrl);
    await page.getByTestId("approve").click();
    assert.deepEqual(await pending, { result: null });
    // Adding again is a no-op answered at once.
    assert.deepEqual(await request(dapp, "wallet_addEthereumChain", addParams()), { result: null });

    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(second.chainId) }]), { result: null });
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: toHex(second.chainId) });
    for (const page of [dapp, other]) {
      await page.waitForFunction((id) => window.__chains.includes(id), toHex(second.chainId));
    }
    // Reads go to the new chain's node.
    const height = await secondRpc("eth_blockNumber");
    assert.equal((await request(dapp, "eth_blockNumber")).result, height);
  });

  it("sends transactions on the new chain, deploying the account there at the same address", async () => {
    await secondRpc("anvil_setBalance", [account, toHex(parseEther("1"))]);
    const recipient = "0x" + "cd".repeat(20);
    const firstChainBalance = await chain.getBalance({ address: recipient });
    const secondChainBalance = await secondChain.getBalance({ address: recipient });
    const { page, pending } = await wallet.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.01")) }]),
    );
    assert.match(await page.getByTestId("approval-network").textContent(), new RegExp(`Second devnet · chain ${second.chainId}`));
    assert.equal(await page.getByTestId("tx-deploys").count(), 1);
    await page.getByTestId("approve").click();
    const { result: hash } = await pending;
    const receipt = await secondChain.getTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal((await secondChain.getBalance({ address: recipient })) - secondChainBalance, parseEther("0.01"));
    assert.equal(await chain.getBalance({ address: recipient }), firstChainBalance, "nothing moved on the first chain");
    assert.notEqual(await secondChain.getCode({ address: account }), undefined);
    assert.equal(await nodeRpc("eth_getTransactionByHash", [hash]), null);
  });

  it("switches back", async () => {
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(devnet.chainId) }]), { result: null });
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: toHex(devnet.chainId) });
    await other.waitForFunction((id) => window.__chains.at(-1) === id, toHex(devnet.chainId));
  });
});
